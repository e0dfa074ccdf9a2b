"""Recommendations followed up round after round: a numbered letter's recommendations are kept by
its round (append-only, both stores), the next round copies them in and records what the
instance reports, and its memo opens with what became of each — from the levels reached."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import spbe_toolkit as spbe
from spbe_toolkit.demo import sample_paths, workspace_from_samples
from spbe_toolkit.demo.samples import read_final_levels, sample_letter_profile
from spbe_toolkit.errors import SpbeError, ValidationError
from spbe_toolkit.render.memo import render_memo, render_memos
from spbe_toolkit.workspace import Workspace
from spbe_toolkit.workspace.recommendations import status_of


@pytest.mark.parametrize(("now", "expected"), [(None, "belum"), (2, "belum"), (1, "belum"), (2.5, "sebagian"),
                                               (3, "selesai"), (4, "selesai")])  # fmt: skip
def test_the_status_a_level_gives(now, expected):
    assert status_of(now, 2, 3) == expected


def _next_round(location, first: Workspace, raise_names: list[str]) -> Workspace:
    """The same instances a year later: their final levels, each recommended step reached for
    the instances in ``raise_names`` (and nothing raised for the others)."""
    folder, final_csv = sample_paths("spbe2020")
    nxt = Workspace.create(location, framework="spbe2020", year=(first.year or 2024) + 1, team="Tim (sintetis)")
    nxt.import_submissions(spbe.read_submissions(folder, "spbe2020", progress=False))
    final = read_final_levels(final_csv)
    recs = first.recommendations()
    for r in recs[recs["instance"].isin(raise_names)].to_dict("records"):
        hit = (final["instance"] == r["instance"]) & (final["indicator"] == r["indicator"])
        final.loc[hit, "level"] = int(r["to_level"])
        final.loc[hit, "note"] = "naik sesuai rekomendasi (sintetis)"
    nxt.import_levels(final)
    return nxt


def test_a_second_round_memo_follows_up_the_first_rounds_recommendations(round_location, tmp_path):
    first = workspace_from_samples(tmp_path / "putaran_2024.sqlite")
    names = list(first.instances().index[:3])
    render_memos(first, tmp_path / "memo_2024", instances=names, letter=sample_letter_profile(), workers=1,
                 progress=False, lang="id")  # fmt: skip
    kept = first.recommendations()
    assert set(kept["instance"]) == set(names) and (kept["letter"] != "").all() and (kept["source"] == "").all()
    assert kept.groupby("instance").size().between(1, 5).all()
    assert kept["target_year"].notna().all() and (kept["target_year"] > first.year).all()
    assert all(a.startswith("Tingkatkan ") for a in kept["advice"])
    # rendering the same letters again keeps the same recommendations once
    render_memos(first, tmp_path / "memo_2024b", instances=names, letter=sample_letter_profile(), workers=1,
                 progress=False, lang="id")  # fmt: skip
    assert len(first.recommendations()) == len(kept)
    html = (tmp_path / "memo_2024").glob("*-*.html").__next__().read_text(encoding="utf-8")
    assert "Rekomendasi dan Tindak Lanjut" in html and "Tindak lanjut (diisi instansi)" in html

    nxt = _next_round(round_location, first, raise_names=[names[0]])
    try:
        copied = nxt.import_recommendations(first)
        assert set(copied["copied_for"]) == set(names)
        assert len(nxt.import_recommendations(first)) == 3 and len(nxt.recommendations()) == len(kept)  # not twice
        mine = nxt.recommendations(names[0])
        assert (mine["source"] != "").all() and (mine["year"] == first.year).all()
        rid = int(mine["id"].iat[0])
        nxt.record_follow_up(rid, "selesai", "Peraturan bupati telah ditetapkan (sintetis).", reported_by="Diskominfo")
        with pytest.raises(ValidationError):
            nxt.record_follow_up(rid, "hampir", "x")
        with pytest.raises(ValidationError):
            nxt.record_follow_up(rid, "belum", "  ")
        with pytest.raises(SpbeError):
            nxt.record_follow_up(10**6, "belum", "x")
        done = _text(render_memo(nxt, names[0], lang="id", generated_at="1 Juli 2025"))
        assert "Tindak Lanjut Rekomendasi Evaluasi Sebelumnya" in done
        n = len(mine)
        assert f"Dari {n} rekomendasi evaluasi tahun {first.year}, {n} telah selesai, 0 sebagian dan 0 belum" in done
        assert "Peraturan bupati telah ditetapkan (sintetis)." in done
        assert done.index("Tindak Lanjut Rekomendasi") < done.index("1. Ringkasan")  # the memo opens with it
        other = _text(render_memo(nxt, names[1], lang="id", generated_at="1 Juli 2025"))
        m = len(nxt.recommendations(names[1]))
        assert f"Dari {m} rekomendasi evaluasi tahun {first.year}, 0 telah selesai, 0 sebagian dan {m} belum" in other
        en = _text(render_memo(nxt, names[0], lang="en", generated_at="1 July 2025"))
        assert "Follow-up of the Previous Evaluation's Recommendations" in en and " done" in en
        # append-only in the database
        for statement in ("UPDATE recommendations SET advice = 'lain'", "DELETE FROM follow_ups"):
            with pytest.raises(Exception, match="append-only"):
                with nxt.store.transaction():
                    nxt.store._run(statement)
    finally:
        nxt.close()
        first.close()


def test_a_round_without_earlier_recommendations_prints_no_follow_up(sample_round):
    html = render_memo(sample_round, sample_round.instances().index[0], lang="id")
    assert "Tindak Lanjut Rekomendasi Evaluasi Sebelumnya" not in html
    assert len(sample_round.recommendations()) == 0 and len(sample_round.follow_ups()) == 0


def _text(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def test_follow_ups_of_another_framework_are_not_scored_by_these_levels():
    from spbe_toolkit.workspace.recommendations import recommendation_status

    recs = pd.DataFrame([{"id": 1, "instance": "A", "year": 2025, "framework": "spbe2020", "indicator": "1",
                          "from_level": 2, "to_level": 3, "advice": "x", "unit": "", "target_year": 2026,
                          "letter": "001", "source": "s"}])  # fmt: skip
    out = recommendation_status(recs, pd.DataFrame(), {"1": 5.0}, 2026, "pemdi2026")
    assert out["status"].iat[0] == "" and out["level_now"].iat[0] is None
    same = recommendation_status(recs, pd.DataFrame(), {"1": 3.0}, 2026, "spbe2020")
    assert same["status"].iat[0] == "selesai"

"""Merging rounds: teams working in separate files of one round combine them without losing
or doubling anything; conflicts are reported with both events kept.

SQLite files only, by nature: teams copy and send workspace files; merging between a file and a
server (both ways, and server to server) is in tests/test_store_contract.py."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spbe_toolkit.demo import workspace_from_samples
from spbe_toolkit.errors import ValidationError
from spbe_toolkit.workspace import Workspace


@pytest.fixture
def base(tmp_path):
    p = tmp_path / "bersama.sqlite"
    workspace_from_samples(p, with_final=False).close()
    return p


def _copy(base, tmp_path, name):
    target = tmp_path / name
    shutil.copy(base, target)
    return Workspace.open(target)


def _adjust(ws, inst_i, indicator, level, evaluator, note="catatan"):
    name = ws.instances().index[inst_i]
    return ws.adjust(name, indicator, level, stage="dokumen", evaluator=evaluator, note=note)


def test_two_teams_merge_keeps_every_event_with_its_author(base, tmp_path):
    a, b = _copy(base, tmp_path, "tim_a.sqlite"), _copy(base, tmp_path, "tim_b.sqlite")
    _adjust(a, 0, "1", 1, "Ani")
    _adjust(a, 1, "2", 2, "Ani")
    _adjust(b, 2, "3", 1, "Budi")
    _adjust(b, 0, "1", 2, "Budi")  # the same cell as Ani, another level: a conflict
    report = a.merge(b)
    assert report.added == 2 and report.present == 0
    hist = a.history()
    assert sorted(hist["evaluator"]) == ["Ani", "Ani", "Budi", "Budi"]
    assert set(hist["created_at"]) >= set(b.history()["created_at"])  # times kept
    conflict = report.conflicts.iloc[0]
    assert len(report.conflicts) == 1 and conflict["evaluator_here"] == "Ani" and conflict["evaluator_there"] == "Budi"
    again = a.merge(tmp_path / "tim_b.sqlite")
    assert again.added == 0 and again.present == 2
    # chained: B learns A's events; merging back adds nothing new to A
    back = b.merge(a)
    assert back.added == 2 and a.merge(b).added == 0
    assert len(b.history()) == len(a.history()) == 4
    a.close()
    b.close()


def test_a_round_of_another_framework_or_year_is_refused(base, tmp_path):
    a = Workspace.open(base)
    other = Workspace.create(tmp_path / "lain.sqlite", framework="spbe2018", year=2024)
    with pytest.raises(ValidationError, match="different rounds|putaran yang berbeda"):
        a.merge(other)
    a.close()
    other.close()


def test_submissions_and_instances_travel(base, tmp_path):
    empty = Workspace.create(tmp_path / "kosong.sqlite", framework="spbe2020", year=2024)
    report = empty.merge(base)
    assert report.instances_added == 44 and report.submissions_added == 44
    assert empty.levels("mandiri").equals(Workspace.open(base).levels("mandiri"))
    assert empty.merge(base).submissions_added == 0
    empty.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5), st.sampled_from(["1", "2", "3"]), st.integers(1, 5)),
                min_size=1, max_size=8))  # fmt: skip
def test_merging_is_idempotent(tmp_path_factory, steps):
    folder = tmp_path_factory.mktemp("idem")
    base = folder / "bersama.sqlite"
    workspace_from_samples(base, with_final=False, instances=None).close()
    a, b = _copy(base, folder, "a.sqlite"), _copy(base, folder, "b.sqlite")
    for to_a, inst, ind, level in steps:
        _adjust(a if to_a else b, inst, ind, level, "A" if to_a else "B")
    first = a.merge(b)
    levels = a.levels("current")
    second = a.merge(b)
    assert second.added == 0 and second.present == first.added + first.present
    assert a.levels("current").equals(levels)
    a.close()
    b.close()


def test_a_killed_merge_loses_nothing(base, tmp_path):
    a, b = _copy(base, tmp_path, "a.sqlite"), _copy(base, tmp_path, "b.sqlite")
    names = list(b.instances().index)
    for i in range(600):
        b.adjust(names[i % 44], str(i % 47 + 1), 1 + i % 5, stage="dokumen", evaluator="B", note=f"n{i}")
    n_a, n_b = len(a.history()), len(b.history())
    a.close()
    b.close()
    code = textwrap.dedent(
        f"""
        from spbe_toolkit.workspace import Workspace
        ws = Workspace.open({str(tmp_path / "a.sqlite")!r})
        print("ready", flush=True)
        while True:
            ws.merge({str(tmp_path / "b.sqlite")!r})
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    a = Workspace.open(tmp_path / "a.sqlite")
    assert a.integrity_check() == "ok"
    assert len(a.history()) in (n_a, n_a + n_b)  # all or nothing
    assert a.merge(tmp_path / "b.sqlite").added in (0, n_b)
    assert len(a.history()) == n_a + n_b
    a.close()


def test_import_levels_records_the_evaluator_given(base):
    ws = Workspace.open(base)
    name = ws.instances().index[0]
    current = ws.levels("current", name)
    n = ws.import_levels(current[["instance", "indicator", "level"]], evaluator="Ketua Tim UI", stage="final")
    assert n == len(current) and set(ws.history()["evaluator"]) == {"Ketua Tim UI"}
    assert "None" not in set(ws.history()["evaluator"])
    ws.adjust(name, "5", 1, stage="final", evaluator="Sari", note="x")
    with pytest.raises(ValidationError, match="kolom 'evaluator' memuat 'Sari', berbeda dari 'Ketua Tim UI'"):
        ws.import_levels(ws.levels("current", name), evaluator="Ketua Tim UI")
    ws.close()


def test_accept_remaining_marks_unreviewed_indicators(base):
    ws = Workspace.open(base)
    name = ws.instances().index[1]
    ws.adjust(name, "1", 1, stage="dokumen", evaluator="Sari", note="turun")
    n = ws.accept_remaining(name, stage="dokumen", evaluator="Sari")
    assert n == 46 and ws.status().at[name, "open"] == 0
    assert (
        ws.levels("current", name).set_index("indicator").at["2", "level"]
        == ws.self_assessment(name).set_index("indicator").at["2", "level"]
    )
    assert ws.accept_remaining(name, stage="dokumen", evaluator="Sari") == 0
    ws.close()


TEN = tuple(str(i) for i in range(11, 21))


def test_harmonisation_finds_the_evaluator_who_judges_differently(base):
    ws = Workspace.open(base)
    names = list(ws.instances().index)
    own = ws.levels("mandiri").set_index(["instance", "indicator"])["level"]
    evaluators = ["Ani", "Budi", "Citra", "Dedi", "Eka", "Fajar"]
    for k, name in enumerate(names[:36]):
        who = evaluators[k % 6]
        for j, ind in enumerate(TEN):
            lv = int(own[(name, ind)])
            new = (
                max(1, lv - 3) if who == "Fajar" else (max(1, lv - 1) if (k * 7 + j * 3) % 5 < 2 else lv)
            )  # Fajar cuts hard
            ws.adjust(name, ind, new, stage="dokumen", evaluator=who, note="harmonisasi")
    h = ws.harmonisation()
    assert list(h.columns[:5]) == ["instances", "indicators_reviewed", "share_changed", "mean_change", "spread_change"]
    assert h.at["Fajar", "mean_change"] < h.drop("Fajar")["mean_change"].min()
    assert bool(h.at["Fajar", "differs_from_peers"]) and not h.drop("Fajar")["differs_from_peers"].any()
    assert (h["comparable"] == 10).all()
    per_ind = ws.harmonisation(by="indicator")
    assert set(per_ind.index) == set(TEN) and (per_ind["evaluators"] == 6).all()
    matrix = ws.harmonisation("matrix")
    assert list(matrix.columns) == list(TEN) and set(matrix.index) == set(evaluators)
    assert matrix.loc["Fajar"].mean() == pytest.approx(h.at["Fajar", "mean_change"])
    from spbe_toolkit.render import plots

    chart = plots.harmonisation(h, matrix)
    left, right = chart.axes[0], chart.axes[1]
    bars = {t.get_text(): p for t, p in zip(left.get_yticklabels(), left.patches)}
    assert bars["Fajar"].get_facecolor()[:3] != bars["Ani"].get_facecolor()[:3]  # the outlier stands out
    assert bars["Fajar"].get_width() == pytest.approx(h.at["Fajar", "mean_change"])
    assert right.images and len(chart.png()) > 10_000
    ws.close()


def test_harmonisation_gives_no_z_on_too_few_comparable_indicators(base):
    """One reviewed indicator once gave z = −153,58: below the minimum the count is shown, no z."""
    from spbe_toolkit.workspace.harmonisation import MIN_COMPARABLE

    ws = Workspace.open(base)
    names = list(ws.instances().index)
    own = ws.levels("mandiri").set_index(["instance", "indicator"])["level"]
    for k, name in enumerate(names[:30]):
        who = ("Ani", "Budi", "Citra")[k % 3]
        for ind in TEN:
            ws.adjust(name, ind, int(own[(name, ind)]), stage="dokumen", evaluator=who)
    lv = int(own[(names[30], "11")])
    ws.adjust(names[30], "11", 1 if lv > 2 else 5, stage="dokumen", evaluator="Dedi", note="sekali")
    h = ws.harmonisation()
    assert h.at["Dedi", "comparable"] == 1 < MIN_COMPARABLE
    assert pd.isna(h.at["Dedi", "robust_z"]) and not h.at["Dedi", "differs_from_peers"]
    assert (h.drop("Dedi")["comparable"] == 10).all() and h.drop("Dedi")["robust_z"].notna().all()
    ws.close()


def test_cli_harmonisation_for_the_team_lead(base, capsys):
    from spbe_toolkit.cli import main

    ws = Workspace.open(base)
    name = ws.instances().index[0]
    ws.adjust(name, "11", 1, stage="dokumen", evaluator="Ani", note="x")
    ws.close()
    assert main(["harmonisation", str(base)]) == 0
    out = capsys.readouterr().out
    assert "Ani" in out and "Diubah (%)" in out and "Berbeda nyata dari rekan" in out
    assert main(["--lang", "en", "harmonisation", str(base), "--by", "indicator"]) == 0
    assert "Spread between evaluators" in capsys.readouterr().out


def test_interview_list_from_the_document_stage(base, tmp_path):
    from openpyxl import load_workbook

    from spbe_toolkit.render.interview import interview_list, write_interview_list

    ws = Workspace.open(base)
    name = ws.instances().index[0]
    own = ws.self_assessment(name).set_index("indicator")["level"]
    ws.adjust(name, "21", max(1, int(own["21"]) - 1) if own["21"] > 1 else 2, stage="dokumen", evaluator="Ani",
              note="Dokumen manajemen risiko belum ditetapkan.")  # fmt: skip
    ws.adjust(name, "22", int(own["22"]), stage="dokumen", evaluator="Ani")  # reviewed, unchanged: not listed
    table = interview_list(ws, name)
    assert table["indicator"].tolist() == ["21"]
    row = table.iloc[0]
    assert row["self_level"] == own["21"] and row["note"].startswith("Dokumen manajemen risiko")
    assert row["evidence_expected"] == ws.framework.evidence("21", int(own["21"]))
    path = write_interview_list(ws, name, tmp_path / "klarifikasi.xlsx")
    sheet = load_workbook(path)["klarifikasi"]
    assert sheet["A1"].value == "Daftar Klarifikasi untuk Interviu" and name in sheet["A2"].value  # who, when
    assert [c.value for c in sheet[4]][:4] == ["Indikator", "Nama", "Tingkat mandiri", "Tingkat penilaian dokumen"]
    assert sheet.freeze_panes == "A5"
    page = write_interview_list(ws, name, tmp_path / "klarifikasi.html").read_text(encoding="utf-8")
    assert "Daftar Klarifikasi untuk Interviu" in page and "Dokumen manajemen risiko" in page
    ws.close()


def test_appeals_are_recorded_decided_once_and_shown(base, tmp_path):
    from spbe_toolkit.render.memo import render_memo

    ws = Workspace.open(base)
    name = ws.instances().index[0]
    own = int(ws.self_assessment(name).set_index("indicator").at["21", "level"])
    low = own - 1 if own > 1 else own + 1
    ws.adjust(name, "21", low, stage="dokumen", evaluator="Ani", note="dokumen belum ditetapkan")
    a1 = ws.record_appeal(name, "21", own, argument="Dokumen telah ditetapkan 3 Mei.", evidence="https://x.invalid/sk.pdf",
                          submitted_by="Diskominfo")  # fmt: skip
    a2 = ws.record_appeal(name, "22", 5, argument="Audit sudah dilakukan.", submitted_by="Diskominfo")
    event = ws.decide_appeal(a1, accepted=True, decided_by="Ketua Tim", reason="SK bertanggal sebelum batas waktu.")
    assert event and ws.levels("current", name).set_index("indicator").at["21", "level"] == own
    assert ws.history(name).set_index("id").at[event, "stage"] == "final"
    assert (
        ws.decide_appeal(a2, accepted=False, decided_by="Ketua Tim", reason="Laporan audit tidak dilampirkan.") is None
    )
    with pytest.raises(ValidationError):
        ws.decide_appeal(a2, accepted=True, decided_by="Ketua Tim", reason="berubah pikiran")
    table = ws.appeals(name)
    assert table["decision"].tolist() == ["accepted", "rejected"]
    html = render_memo(ws, name, lang="id")
    assert "Sanggahan" in html and "diterima" in html and "ditolak" in html
    sheets = __import__("pandas").read_excel(
        ws.export(tmp_path / "e.xlsx", lang="id")[0], sheet_name=None, engine="calamine"
    )
    assert len(sheets["Sanggahan"]) == 2
    ws.close()


def test_assignments_conflict_of_interest_and_progress(base):
    ws = Workspace.open(base)
    names = list(ws.instances().index)
    ws.assign(names[0], "Ani", team="Tim UI", affiliation="Universitas Indonesia", assigned_by="Ketua")
    ws.assign(names[1], "Ani", team="Tim UI", assigned_by="Ketua")
    ws.assign(names[2], "Budi", team="Tim UGM", assigned_by="Ketua")
    with pytest.raises(ValidationError, match="Konflik kepentingan"):
        ws.assign(names[3], "Citra", affiliation=names[3].upper(), assigned_by="Ketua")
    assert ws.my_instances("Ani") == names[:2]
    ws.accept_remaining(names[0], stage="dokumen", evaluator="Ani")
    per_evaluator = ws.progress()
    assert per_evaluator.at["Ani", "instances"] == 2 and per_evaluator.at["Ani", "share_done"] == pytest.approx(50.0)
    assert ws.progress(by="team").at["Tim UGM", "reviewed"] == 0
    assert ws.status(by="team").equals(ws.progress(by="team")) and ws.status(by="evaluator").equals(per_evaluator)
    ws.close()


def test_bulk_assignments_travel_with_a_merge_and_team_spreadsheets(base, tmp_path):
    from spbe_toolkit.demo import synthetic_assignments, synthetic_reviews

    ws = Workspace.open(base)
    names = list(ws.instances().index)
    bad = synthetic_assignments(names[:3]).assign(affiliation=["", names[1], ""])
    with pytest.raises(ValidationError, match="Penugasan baris 2: Konflik kepentingan"):
        ws.import_assignments(bad, assigned_by="Ketua")
    assert ws.assignments().empty  # one transaction: nothing of the refused table is kept
    with pytest.raises(ValidationError, match="evaluator"):
        ws.import_assignments(bad.drop(columns="evaluator"), assigned_by="Ketua")
    assert ws.import_assignments(synthetic_assignments(names), assigned_by="Ketua") == len(names)
    copy = Workspace.create(tmp_path / "tim_b.sqlite", framework="spbe2020", year=ws.year)
    first = copy.merge(ws)
    assert first.assignments_added == len(names) and copy.merge(ws).assignments_added == 0
    assert copy.my_instances("Budi") == ws.my_instances("Budi")
    sheet = synthetic_reviews(copy, team="Tim B (sintetis)")
    own = copy.levels("mandiri").set_index(["instance", "indicator"])["level"]
    assert len(sheet) and set(sheet["instance"]) <= set(copy.my_instances("Budi") + copy.my_instances("Dedi"))
    assert (
        sheet.set_index(["instance", "indicator"])["level"]
        != own.reindex(sheet.set_index(["instance", "indicator"]).index)
    ).all()
    copy.import_levels(sheet)
    accepted = copy.accept_remaining(copy.my_instances("Budi"), stage="dokumen", evaluator="Budi")
    assert copy.progress().at["Budi", "share_done"] == pytest.approx(100.0) and accepted > 0
    copy.close()
    ws.close()


def test_a_save_between_matching_and_the_lock_is_matched_again(base, tmp_path, monkeypatch):
    """The merge matches the other file's events before it takes the round's lock; an
    evaluator who saves in between is not lost, and the merged events are numbered after it."""
    import spbe_toolkit.workspace.merge as merge_module

    a, b = _copy(base, tmp_path, "a.sqlite"), _copy(base, tmp_path, "b.sqlite")
    for level in (1, 2, 3):  # a chain in one cell: each supersedes the one before, inside one batch
        _adjust(b, 0, "1", level, "Budi")
    _adjust(b, 1, "2", 4, "Budi")
    other_door = Workspace.open(tmp_path / "a.sqlite")
    real_plan, calls = merge_module._plan, []

    def plan_then_someone_saves(*args):
        found = real_plan(*args)
        if not calls:
            _adjust(other_door, 2, "3", 1, "Ani")  # another connection, before the merge's lock
        calls.append(found.first_id)
        return found

    monkeypatch.setattr(merge_module, "_plan", plan_then_someone_saves)
    report = a.merge(b)
    assert report.added == 4 and len(calls) == 2 and calls[1] == calls[0] + 1
    assert a.integrity_check() == "ok"
    hist = a.history().sort_values("id")
    assert list(hist["evaluator"]) == ["Ani", "Budi", "Budi", "Budi", "Budi"]
    chain = hist[hist["evaluator"] == "Budi"].head(3)
    assert list(chain["supersedes"].iloc[1:].astype(int)) == list(chain["id"].iloc[:2])
    levels = a.levels("dokumen")
    cell = levels[(levels["instance"] == a.instances().index[0]) & (levels["indicator"] == "1")]
    assert cell["level"].tolist() == [3]
    assert a.merge(b).added == 0
    other_door.close()
    a.close()
    b.close()


def test_a_bulk_append_with_ids_other_than_announced_saves_nothing(base):
    from spbe_toolkit.errors import SpbeError

    ws = Workspace.open(base)
    name = ws.instances().index[0]
    row = (name, "1", "dokumen", 2, "Ani", "catatan", "2026-11-30T10:00:00+00:00", None, None, None, None)
    with pytest.raises(SpbeError, match="nomor peristiwa|event numbers"):
        with ws.store.transaction():
            ws.store.add_events([row], ws.store.next_event_id() + 5)  # a gap
    assert ws.integrity_check() == "ok" and ws.history().empty
    ws.close()


def test_two_merges_at_once_one_waits_and_nothing_doubles(base, tmp_path):
    """Two merges of the same team file into one round at the same moment: the second waits for
    the round's lock, matches again what the first wrote, and adds nothing twice."""
    a, b = _copy(base, tmp_path, "a.sqlite"), _copy(base, tmp_path, "b.sqlite")
    names = list(b.instances().index)
    for i in range(300):
        b.adjust(names[i % 44], str(i % 47 + 1), 1 + i % 5, stage="dokumen", evaluator="B", note=f"n{i}")
    n_b = len(b.history())
    a.close()
    b.close()
    go = tmp_path / "mulai"
    code = textwrap.dedent(
        f"""
        import os, time
        from spbe_toolkit.workspace import Workspace
        ws = Workspace.open({str(tmp_path / "a.sqlite")!r})
        while not os.path.exists({str(go)!r}):
            time.sleep(0.01)
        print(ws.merge({str(tmp_path / "b.sqlite")!r}).added, flush=True)
        ws.close()
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]  # fmt: skip
    time.sleep(1.0)
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-1500:] for o in outs]
    assert sorted(int(o[0]) for o in outs) == [0, n_b]
    a = Workspace.open(tmp_path / "a.sqlite")
    assert len(a.history()) == n_b and a.integrity_check() == "ok"
    a.close()

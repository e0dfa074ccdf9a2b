"""The Pemdi transition: the crosswalk 59/2020 → 8/2026 as sourced data, levels carried across
as an indication (never a conversion), the Pemdi criteria explicitly marked missing, SPBE memos
of 2025+ rounds with "Dalam Indeks Pemdi", Pemdi memos that present nothing as official, and
the evaluation schedule."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import spbe_toolkit as spbe
from spbe_toolkit.demo import sample_paths, workspace_from_samples
from spbe_toolkit.errors import ValidationError
from spbe_toolkit.frameworks import crosswalks as cw
from spbe_toolkit.frameworks.targets import evaluation_schedule, next_round
from spbe_toolkit.render.memo import render_memo
from tests.test_language import foreign_words

FRAMEWORKS = Path(spbe.__file__).parent / "frameworks"


def test_the_crosswalk_covers_all_47_and_all_20_indicators_each_row_sourced():
    forward = spbe.crosswalk("spbe2020", "pemdi2026")
    assert set(forward["indicator"]) == set(spbe.load_framework("spbe2020").codes)
    reverse = spbe.crosswalk("pemdi2026", "spbe2020")
    assert list(dict.fromkeys(reverse["indicator"])) == spbe.load_framework("pemdi2026").codes
    known = set(spbe.crosswalk_sources().index)
    for table in (forward, reverse):
        assert set(table["confidence"]) <= {"high", "medium", "low"}
        assert table["basis"].str.len().gt(20).all()
        assert all(set(s.split("; ")) <= known for s in table["sources"])
    # the starting mapping of the issue holds
    pairs = set(zip(forward["indicator"], forward["counterpart"]))
    for spbe_code, pemdi in [("21", "2"), ("26", "2"), ("27", "2"), ("25", "3"), ("3", "5"), ("23", "5"),
                             ("16", "14"), ("17", "14"), ("7", "16"), ("18", "18"), ("42", "19"), ("42", "20")]:  # fmt: skip
        assert (spbe_code, pemdi) in pairs
    # indicators new in Pemdi are said to be new; an SPBE indicator with none says so too
    new = reverse[reverse["counterpart"].isna()]
    assert set(new["indicator"]) == {"6", "7", "8", "11", "12"} and new["basis"].str.contains("Tidak ada padanan").all()
    assert forward.loc[forward["indicator"] == "24", "counterpart"].isna().all()


def test_sources_name_their_authority():
    sources = spbe.crosswalk_sources("en")
    assert set(sources["authority"]) <= {"official", "government", "news", "unofficial", "project"}
    assert "official" not in set(sources["authority"])  # no official text was available: none claimed


def test_a_bad_crosswalk_file_is_refused(monkeypatch):
    rows = list(cw._read_reference("crosswalk_spbe2020_pemdi2026.csv"))
    broken = [dict(r) for r in rows[:-1]] + [{**rows[-1], "pemdi2026": "99"}]
    monkeypatch.setattr(cw, "_read_reference", lambda name: broken)
    cw._pairs.cache_clear()
    try:
        with pytest.raises(ValidationError, match="47"):
            spbe.crosswalk()
    finally:
        cw._pairs.cache_clear()


def test_levels_are_carried_as_an_indication_not_converted():
    levels = pd.DataFrame(
        {"instance": "X", "indicator": ["21", "26", "27", "28", "25", "24"], "level": [4, 2, 1, 3, 5, 2]}
    )
    carried = spbe.carry_levels(levels, lang="en").set_index("counterpart")
    assert carried.at["2", "indicators"] == "21, 26, 27, 28" and carried.at["2", "levels"] == "4, 2, 1, 3"
    assert carried.at["2", "lowest"] == 1 and carried.at["2", "mean"] == pytest.approx(2.5)
    assert carried.at["2", "confidence"] == "medium"  # the weakest link of the four
    assert carried.at["3", "lowest"] == 5 and "24" not in ",".join(carried["indicators"])  # 24 has no counterpart
    assert "not a level conversion" in carried.attrs["note"]
    assert "bukan konversi tingkat" in spbe.carry_levels(levels, lang="id").attrs["note"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_crosswalk_tables_speak_one_language(lang):
    for table in (
        spbe.crosswalk(lang=lang),
        spbe.crosswalk("pemdi2026", "spbe2020", lang=lang),
        spbe.crosswalk_sources(lang),
    ):
        shown = spbe.people_table(
            table.drop(columns=[c for c in ("name", "counterpart_name", "reference") if c in table]), lang
        )
        assert not foreign_words(shown.to_string(), lang), foreign_words(shown.to_string(), lang)


def test_a_pemdi_file_with_an_unmarked_missing_criterion_is_refused(tmp_path):
    shutil.copy(FRAMEWORKS / "pemdi2026.toml", tmp_path / "pemdi2026.toml")
    (tmp_path / "reference").mkdir()
    text = (FRAMEWORKS / "reference" / "pemdi2026_criteria.csv").read_text(encoding="utf-8")
    assert spbe.load_framework("pemdi2026").has_criteria  # as shipped: every cell marked
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("17,3,"))
    lines[row] = lines[row].replace("belum tersedia", "", 1)  # one criterion left empty, unmarked
    (tmp_path / "reference" / "pemdi2026_criteria.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        spbe.load_framework(tmp_path / "pemdi2026.toml")
    assert "17" in str(info.value) and "3" in str(info.value)


def _round(tmp_path, year, framework="spbe2020"):
    folder, _ = sample_paths(framework)
    ws = spbe.Workspace.create(tmp_path / f"r{year}.sqlite", framework=framework, year=year)
    ws.import_submissions(spbe.read_submissions(sorted(folder.glob("*.xlsx"))[:3], framework, progress=False))
    return ws


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_spbe_memos_of_2025_rounds_say_where_the_steps_count_in_pemdi(tmp_path):
    ws = _round(tmp_path, 2025)
    name = ws.instances().index[1]
    text = _text(render_memo(ws, name, lang="id"))
    assert "Dalam Indeks Pemdi" in text and "bukan konversi tingkat" in text
    section = text[text.index("Dalam Indeks Pemdi") :]
    links = spbe.crosswalk()
    pairs = set(zip(links["indicator"], links["counterpart"]))
    shown = re.findall(r"(\d+) Tingkat Kematangan [^→]+? → (\d+) Tingkat", section)
    assert shown and all(pair in pairs for pair in shown), shown  # each step's indicator and its Pemdi place
    assert "Evaluasi nasional Pemdi berikutnya: tahun 2026" in section
    assert "6 Tingkat Kematangan Penyelenggaraan Informasi Geospasial" in section  # new in Pemdi
    assert "In the Pemdi index" in _text(render_memo(ws, name, lang="en"))
    assert "Dalam Indeks Pemdi" not in _text(render_memo(ws, name, lang="id", pemdi=False))
    # the roadmap itself in the terms of the evaluations to come: every step names what it serves
    texts = [_text(render_memo(ws, n, lang="id")) for n in ws.instances().index]
    text = next(t for t in texts if "Langkah Menuju" in t)
    steps = text[text.index("Langkah Menuju") : text.index("Dalam Indeks Pemdi")]
    assert "bukan putaran evaluasi 59/2020 yang akan datang" in steps
    assert steps.count("Melayani indikator Pemdi:") == steps.count("naikkan dari") > 0
    ws.close()
    older = _round(tmp_path, 2024)
    text = _text(render_memo(older, older.instances().index[1], lang="id"))
    assert "Dalam Indeks Pemdi" not in text and "Melayani indikator Pemdi" not in text
    older.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_pemdi_memo_presents_nothing_unknown_as_official(tmp_path, lang):
    ws = workspace_from_samples(tmp_path / "pemdi.sqlite", "pemdi2026")
    name = ws.instances().index[0]
    text = _text(render_memo(ws, name, lang=lang))
    note = {"id": "belum tersedia dari sumber resmi", "en": "not yet available from an official source"}[lang]
    assert note in text
    assert "SPBE" not in text.replace("Pemdi", "")  # the system is Pemdi throughout: coordinator, closing, team
    # the coordinator named in the memo's language (English: with the unit's Indonesian name)
    assert {"id": "Koordinator Pemdi", "en": "Secretariat General — Sekretariat Jenderal (Pemdi coordinator)"}[
        lang
    ] in text
    fw = ws.framework
    assert all(fw.criterion(c, lv) is None for c in fw.codes for lv in fw.levels)  # nothing invented
    assert not re.search(r"Tingkat \d — Tingkat \d|Level \d — Level \d", text)  # no placeholder level names
    missing = {
        "id": "Kriteria resmi untuk tingkat ini belum tersedia",
        "en": "official criterion of this level is not available",
    }[lang]
    assert missing in text
    ws.close()


def test_the_evaluation_schedule_and_targets_by_year():
    schedule = evaluation_schedule().set_index("framework")
    assert schedule.at["pemdi2026", "every"] == 2 and schedule.at["pemdi2026", "status"] == "unconfirmed"
    assert next_round("pemdi2026", 2025)["year"] == 2026 and next_round("pemdi2026", 2026)["year"] == 2028
    assert next_round("pemdi2026", 2027)["year"] == 2028 and next_round("spbe2020", 2025) is None
    t2025 = spbe.frameworks.targets.national_target("spbe2020", 2025)
    assert t2025["value"] == 3.00 and t2025["status"] == "unconfirmed"

"""Submissions: template round trip, accepted formats, and the bad-input corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import spbe_toolkit as spbe
from spbe_toolkit.demo import sample_paths
from spbe_toolkit.errors import SubmissionError
from spbe_toolkit.vocab import INSTANCE_TYPES
from tests.conftest import full_levels

BAD = Path(__file__).resolve().parent / "data" / "bad"
FW = spbe.load_framework("spbe2020")


def fill_like_a_person(path: Path, values: dict[str, tuple[int, str, str]], meta: dict[str, object]) -> None:
    """Open a written template with openpyxl and type into the yellow cells, as a person would."""
    wb = load_workbook(path)
    ws = wb["Isian"]
    labels = {
        "Nama Instansi": "instance",
        "Jenis Instansi": "instance_type",
        "Provinsi": "province",
        "Tahun Evaluasi": "year",
    }
    for row in ws.iter_rows(min_row=1, max_row=12, max_col=2):
        key = labels.get(row[0].value)
        if key:
            row[1].value = meta[key]
    for row in ws.iter_rows(min_row=12):
        code = row[4].value
        if code in values:
            level, just, ev = values[code]
            row[6].value, row[7].value, row[8].value = level, just, ev
    wb.save(path)


def test_template_round_trip_is_exact(tmp_path):
    p = spbe.write_template(tmp_path / "isian.xlsx", FW)
    values = {
        c: (
            (int(c) % 5) + 1,
            f"Penjelasan indikator {c} — ditetapkan & diterapkan",
            f"https://bukti.contoh.invalid/{c}.pdf",
        )
        for c in FW.codes
    }
    meta = {
        "instance": "Pemerintah Kota Uji (Sintetis)",
        "instance_type": "Pemerintah Kota",
        "province": "Bali",
        "year": 2025,
    }
    fill_like_a_person(p, values, meta)
    subs = spbe.read_submissions(p, FW)
    assert subs.ok and len(subs.problems) == 0
    got = subs.levels.set_index("indicator")
    assert list(got.index) == FW.codes
    for c, (level, just, ev) in values.items():
        assert got.at[c, "level"] == level
        assert got.at[c, "justification"] == just
        assert got.at[c, "evidence"] == ev
    inst = subs.instances.iloc[0]
    assert (inst["instance"], inst["instance_type"], inst["province"], inst["year"]) == tuple(meta.values())
    assert (got["stage"] == "mandiri").all()


def test_template_structure(tmp_path):
    p = spbe.write_template(tmp_path / "t.xlsx", "spbe2018")
    wb = load_workbook(p)
    assert wb.sheetnames == ["Isian", "Keterangan Tingkat", "spbe_meta"]
    ws = wb["Isian"]
    assert ws.protection.sheet
    dvs = ws.data_validations.dataValidation
    whole = [dv for dv in dvs if dv.type == "whole"][0]
    assert (whole.formula1, whole.formula2) == ("0", "5")
    codes = [r[0].value for r in ws.iter_rows(min_col=5, max_col=5) if r[0].value]
    assert "35a" in codes and "35c" in codes and "35" not in codes
    # codes locked, level cells unlocked
    row = next(r for r in ws.iter_rows() if r[4].value == "1")
    assert row[4].protection.locked and not row[6].protection.locked
    rows = [[c.value for c in r] for r in wb["Keterangan Tingkat"].iter_rows(min_row=2)]
    names = {r[2] for r in rows if r[2]}
    assert not names & {"Informasi", "Transaksi", "Tidak Ada"}  # 2018 has no official level names
    assert any(r[3] and "Diseminasi informasi satu arah" in r[3] for r in rows)  # the level patterns stay
    assert wb["spbe_meta"].sheet_state == "hidden"


def test_long_wide_json_formats_agree(tmp_path):
    lv = full_levels("spbe2020", instances=("Kab. Format (Sintetis)",))
    lv["level"] = [(i % 5) + 1 for i in range(len(lv))]
    lv.to_csv(tmp_path / "long.csv", index=False)
    lv.to_excel(tmp_path / "long.xlsx", index=False)
    wide = lv.pivot(index="instance", columns="indicator", values="level")[FW.codes].reset_index()
    wide.to_csv(tmp_path / "wide.csv", index=False)
    (tmp_path / "sub.json").write_text(
        json.dumps({"instance": "Kab. Format (Sintetis)", "levels": dict(zip(lv["indicator"], lv["level"].tolist()))})
    )
    for name in ("long.csv", "long.xlsx", "wide.csv", "sub.json"):
        s = spbe.read_submissions(tmp_path / name, FW)
        assert s.ok, (name, s.problems)
        got = s.levels.set_index("indicator")["level"]
        assert got.to_dict() == dict(zip(lv["indicator"], lv["level"])), name


def test_indicator_code_spellings_are_reported(tmp_path):
    lv = full_levels("spbe2020", instances=("Kab. Ejaan (Sintetis)",))
    wide = lv.pivot(index="instance", columns="indicator", values="level")[FW.codes].reset_index()
    wide.columns = ["instansi", *[f"I{c}" for c in FW.codes]]
    wide.to_csv(tmp_path / "wide.csv", index=False)
    s = spbe.read_submissions(tmp_path / "wide.csv", FW)
    assert s.ok and len(s.levels) == 47
    notes = s.problems[s.problems["code"] == "indicator_code_normalised"]
    assert len(notes) == 47 and set(notes["severity"]) == {"warning"}
    assert "Indicator code 'I1' read as '1'." in set(notes["message"])


def test_samples_validate_without_errors():
    for name in spbe.list_frameworks():
        folder, _final = sample_paths(name)
        s = spbe.read_submissions(folder, name)
        assert s.ok, s.problems
        assert len(s.instances) >= 40 and s.instances["loaded"].all()
        assert s.instances["instance"].str.endswith("(Sintetis)").all()
        assert set(s.instances["instance_type"]) == set(INSTANCE_TYPES)
        assert s.instances["province"].nunique() >= 4


def test_engines_agree_on_samples():
    folder, _ = sample_paths("spbe2020")
    files = sorted(folder.glob("*.xlsx"))[:6]
    a = spbe.read_submissions(files, FW, engine="calamine").levels
    b = spbe.read_submissions(files, FW, engine="openpyxl").levels
    pd.testing.assert_frame_equal(a, b)


# ----------------------------------------------------------------- bad-input corpus
# file → problems that must be reported: (severity, code, row or None, indicator or None)
EXPECTED: dict[str, list[tuple[str, str, int | None, str | None]]] = {
    "level_out_of_range.xlsx": [("error", "level_range", 18, "5")],
    "level_decimal.xlsx": [("error", "level_decimal", 22, "9")],
    "level_empty.xlsx": [("error", "level_empty", 27, "12")],
    "level_text_tiga.csv": [("warning", "level_word", 5, "4"), ("warning", "level_name_only", 6, "5")],
    "level_text_with_name.csv": [("warning", "level_with_name", 4, "3"), ("error", "level_name_mismatch", 34, "33")],
    "level_not_a_number.csv": [("error", "level_not_number", 8, "7"), ("error", "level_not_number", 9, "8")],
    "missing_indicators.csv": [("error", "indicator_missing", None, str(i)) for i in range(40, 48)],
    "unknown_indicator.csv": [("error", "indicator_unknown", 49, "48"), ("error", "indicator_unknown", 50, "X1")],
    "duplicate_indicator.csv": [("error", "indicator_duplicate", 49, "12")],
    "wrong_framework_35_rows.csv": [("error", "wrong_framework", 2, None)],
    "wrong_framework_template.xlsx": [("error", "wrong_framework", None, None)],
    "missing_instance_name.xlsx": [("error", "instance_missing", 4, None)],
    "unknown_instance_type.xlsx": [("error", "type_unknown", 4, None)],
    "instance_type_alias.xlsx": [("warning", "type_normalised", 4, None)],
    "year_invalid.xlsx": [("error", "year_invalid", 4, None)],
    "duplicate_instance_a.xlsx": [("error", "instance_duplicate", 4, None)],
    "duplicate_instance_b.xlsx": [("error", "instance_duplicate", 4, None)],
    "header_row_5_english.xlsx": [("warning", "header_row", 5, None), ("warning", "column_ignored", 5, None)],
    "extra_sheets.xlsx": [("warning", "extra_sheet", None, None)],
    "merged_cells.xlsx": [("warning", "merged_cells", 27, None), ("error", "level_empty", 28, "13")],
    "formulas.xlsx": [
        ("warning", "formula", 15, "2"),
        ("warning", "formula", 19, "6"),
        ("error", "level_empty", 19, "6"),
    ],
    "semicolon_decimal_comma.csv": [
        ("warning", "level_text_decimal", 2, "1"),
        ("warning", "level_text_decimal", 3, "2"),
    ],
    "windows1252.csv": [("warning", "encoding", None, None)],
    "empty.csv": [("error", "file_empty", None, None)],
    "empty.xlsx": [("error", "file_empty", None, None)],
    "no_header.csv": [("error", "no_header", None, None)],
    "not_a_spreadsheet.xlsx": [("error", "not_xlsx", None, None)],
    "corrupt_truncated.xlsx": [("error", "corrupt", None, None)],
    "encrypted.xlsx": [("error", "encrypted", None, None)],
    "wide_with_problems.csv": [("warning", "level_word", 2, "10"), ("error", "level_range", 2, "11")],
    "bad_json.json": [("error", "bad_json", None, None)],
    "json_levels_problems.json": [("error", "level_decimal", 1, "1")],
}
CLEAN = {"good_template.xlsx", "good_long.csv", "utf8_bom.csv", "html_and_path_names.csv"}


@pytest.fixture(scope="module")
def corpus():
    return spbe.read_submissions(BAD, FW, progress=False)


def test_corpus_is_complete():
    files = {p.name for p in BAD.iterdir() if p.suffix in (".xlsx", ".csv", ".json")}
    assert files == set(EXPECTED) | CLEAN, "every corpus file needs an expectation"
    assert len(EXPECTED) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_problems(corpus, name):
    probs = corpus.problems[corpus.problems["file"].map(lambda f: Path(f).name) == name]
    got = {
        (r.severity, r.code, None if pd.isna(r.row) else int(r.row), None if pd.isna(r.indicator) else r.indicator)
        for r in probs.itertuples()
    }
    for exp in EXPECTED[name]:
        severity, code, row, indicator = exp
        matches = [
            g
            for g in got
            if g[0] == severity
            and g[1] == code
            and (row is None or g[2] == row)
            and (indicator is None or g[3] == indicator)
        ]
        assert matches, f"{name}: expected {exp}, got {sorted(got, key=str)}"
    # bilingual messages name something concrete
    assert probs["pesan"].str.len().gt(5).all() and probs["message"].str.len().gt(5).all()
    # the same file read alone gives the same problems (no cross-file effects except duplicates)
    if not name.startswith("duplicate_instance"):
        alone = spbe.read_submissions(BAD / name, FW)
        assert set(alone.problems["code"]) == set(probs["code"])


def test_instances_with_errors_are_left_out_and_good_ones_load(corpus):
    loaded = set(corpus.levels["instance"])
    assert {
        "Pemerintah Kota Baik (Sintetis)",
        "Badan Contoh Baik (Sintetis)",
        "Kab. Kata (Sintetis)",
        "Kab. Titik Koma (Sintetis)",
    } <= loaded
    assert "Kab. Rentang (Sintetis)" not in loaded and "Kab. Kembar (Sintetis)" not in loaded
    erred = set(corpus.problems.loc[corpus.problems["severity"] == "error", "instance"].dropna())
    assert not (erred & loaded)
    # everything loaded scores
    scores = corpus.score()
    assert len(scores) == corpus.instances["loaded"].sum()


def test_clean_files_have_no_problems(corpus):
    names = corpus.problems["file"].map(lambda f: Path(f).name)
    assert not names.isin(CLEAN).any()


def test_markup_and_path_names_are_kept_as_data(corpus):
    names = set(corpus.levels["instance"])
    assert '<script>alert("x")</script> Kab. Skrip (Sintetis)' in names
    assert "../../etc/passwd Kab. Jalur (Sintetis)" in names


def test_encodings(corpus):
    names = set(corpus.levels["instance"])
    assert "Kab. Penanda BOM Ñusantara (Sintetis)" in names
    assert "Kab. Pérez Ñandú (Sintetis)" in names


def test_strict_raises_with_all_problems():
    with pytest.raises(SubmissionError) as exc:
        spbe.read_submissions(BAD, FW, strict=True, progress=False)
    assert isinstance(exc.value.problems, pd.DataFrame)
    assert (exc.value.problems["severity"] == "error").sum() >= 25


def test_very_large_file_refused_quickly(tmp_path):
    big = tmp_path / "besar.csv"
    with big.open("wb") as fh:  # sparse: 25 MiB without writing 25 MiB
        fh.write(b"instance,indicator,level\n")
        fh.truncate(25 * 1024 * 1024)
    s = spbe.read_submissions(big, FW)
    assert list(s.problems["code"]) == ["file_too_large"]
    assert "25.0 MB" in s.problems["message"].iat[0] and "20 MB" in s.problems["message"].iat[0]


def test_missing_file_and_unsupported_type(tmp_path):
    (tmp_path / "catatan.ods").write_text("x")
    s = spbe.read_submissions([tmp_path / "tidak-ada.xlsx", tmp_path / "catatan.ods"], FW)
    assert list(s.problems["code"]) == ["file_missing", "file_type"]


def test_file_table(corpus):
    t = corpus.file_table("id")
    assert list(t.columns) == ["Berkas", "Format", "Instansi", "Status", "Galat", "Peringatan"]
    assert t.set_index("Berkas").at["good_template.xlsx", "Status"] == "baik"
    assert t.set_index("Berkas").at["empty.csv", "Status"] == "ada galat"
    assert "/" not in "".join(t["Berkas"])


def test_problem_table_and_export(corpus, tmp_path):
    t = corpus.problem_table("id")
    assert list(t.columns) == ["Berkas", "Lembar", "Baris", "Instansi", "Indikator", "Jenis masalah", "Pesan"]
    assert set(t["Jenis masalah"]) == {"galat", "peringatan"}
    out = corpus.write_problems(tmp_path / "masalah.xlsx")
    back = pd.read_excel(out, engine="calamine")
    assert len(back) == len(corpus.problems)

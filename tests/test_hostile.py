"""Hostile submissions: every attack of the adversarial review becomes a problem row for its
file — never an aborted process, a raw traceback or an aborted batch — within bounded memory
and time. Large files are generated at test time (``tests/data/hostile.py``); the cases
that used to exhaust memory run in a subprocess whose peak memory and time are measured."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

import spbe_toolkit as spbe
from spbe_toolkit.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent / "data"))
import hostile  # noqa: E402

BAD = Path(__file__).resolve().parent / "data" / "bad"
GOOD = BAD / "good_long.csv"
MEMORY_MB, SECONDS = 500, 10


def read(*paths, **kw):
    return spbe.read_submissions([*paths, GOOD], "spbe2020", progress=False, **kw)


def codes_for(subs, path) -> set[str]:
    return set(subs.problems.loc[subs.problems["file"] == str(path), "code"])


def assert_refused_and_others_load(subs, path, code):
    assert code in codes_for(subs, path), subs.problems[["file", "code", "message"]].to_string()
    assert "Badan Contoh Baik (Sintetis)" in set(subs.levels["instance"])  # the good file still loads


def measured(path: Path) -> dict:
    """Read one file in a fresh process; its problem codes, peak memory (MB) and time (s)."""
    code = textwrap.dedent(
        f"""
        import json, resource, time
        t0 = time.perf_counter()
        import spbe_toolkit as spbe
        t1 = time.perf_counter()
        subs = spbe.read_submissions([{str(path)!r}], "spbe2020", progress=False)
        print(json.dumps({{"codes": sorted(set(subs.problems["code"])), "seconds": time.perf_counter() - t1,
                          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
        """
    )

    def cap():  # a safety net only: the assertion below is the real bound
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))

    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, preexec_fn=cap)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "make, code",
    [
        (hostile.sparse_corner, "limit_rows"),
        (hostile.sparse_wide, "no_header"),  # read cell by cell: two cells, no table in them
        (hostile.huge_shared_string, "limit_inflated"),
        (hostile.zip_bomb, "limit_inflated"),
        (hostile.many_sheets, "limit_sheets"),
        (hostile.many_rows, "limit_rows"),
        # the scan's fast path (regular expressions) must not be fooled where expat is not
        (hostile.hidden_reference, "limit_rows"),
        (hostile.utf16_sheet, "limit_rows"),
        (hostile.foreign_prefix, "limit_rows"),
        (hostile.duplicate_reference, "xlsx_unverifiable"),
        (hostile.escaped_reference, "limit_rows"),
        (hostile.instruction_before_cells, "limit_rows"),
    ],
    ids=[
        "A1+XFD1048576",
        "A2+XFD2000",
        "200MB-shared-string",
        "zip-bomb",
        "3000-sheets",
        "150k-rows",
        "decoy-reference",
        "utf16-sheet",
        "non-ascii-prefix",
        "duplicate-reference",
        "escaped-reference",
        "processing-instruction",
    ],  # fmt: skip
)
def test_hostile_workbooks_cost_bounded_memory_and_time(tmp_path, make, code):
    path = make(tmp_path)
    result = measured(path)
    assert code in result["codes"], result
    assert result["peak_mb"] < MEMORY_MB and result["seconds"] < SECONDS, result


def test_problem_names_the_limit_and_can_be_raised(tmp_path):
    path = hostile.huge_shared_string(tmp_path, chars=40_000, uses=3)
    subs = read(path)
    row = subs.problems[subs.problems["file"] == str(path)].iloc[0]
    assert row["code"] == "limit_string" and "32767" in row["message"] and "32767" in row["pesan"]
    looser = read(path, limits=spbe.ReadLimits(max_string_chars=100_000))
    assert "limit_string" not in codes_for(looser, path)


def test_undefined_entity_does_not_silence_the_formula_check(tmp_path):
    path = hostile.undefined_entity(tmp_path)
    assert_refused_and_others_load(read(path), path, "xlsx_unverifiable")


def test_lowercase_references_are_read(tmp_path):
    path = hostile.lowercase_refs(tmp_path)
    subs = read(path)
    assert codes_for(subs, path) == {"extra_sheet", "no_header"}  # read like any sheet: no "corrupt"


def test_long_csv_field_is_a_problem_not_a_crash(tmp_path):
    path = hostile.long_csv_field(tmp_path)
    assert_refused_and_others_load(read(path), path, "csv_field_too_large")


def test_five_thousand_digit_level(tmp_path):
    path = hostile.long_number_csv(tmp_path)
    subs = read(path)
    assert_refused_and_others_load(subs, path, "level_range")
    assert len(subs.problems.loc[subs.problems["code"] == "level_range", "message"].iat[0]) < 200


@pytest.mark.parametrize(
    "case, code",
    [("long_number", "json_number_too_long"), ("year_inf", "year_invalid"), ("deep", "json_too_deep"),
     ("levels_number", "json_levels_shape"), ("empty_list", "json_empty"), ("name_object", "instance_not_text")],
)  # fmt: skip
def test_hostile_json(tmp_path, case, code):
    path = hostile.json_cases(tmp_path)[case]
    assert_refused_and_others_load(read(path), path, code)


def test_symlink_loop_and_folder_named_like_a_file(tmp_path):
    loop = tmp_path / "putaran.csv"
    loop.symlink_to(loop)
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    subs = read(loop, folder)
    assert_refused_and_others_load(subs, loop, "file_loop")


def test_unreadable_folder_is_reported(tmp_path, monkeypatch):
    (tmp_path / "terkunci").mkdir()
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith("terkunci"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    subs = spbe.read_submissions([tmp_path], "spbe2020", progress=False)
    assert "folder_unreadable" in set(subs.problems["code"])


def test_reader_defect_becomes_a_problem_for_that_file(tmp_path, monkeypatch):
    import spbe_toolkit.io.readers as readers

    def broken(*_a, **_k):
        raise ZeroDivisionError

    monkeypatch.setattr(readers, "read_json", broken)
    path = hostile.json_cases(tmp_path)["empty_list"]
    assert_refused_and_others_load(read(path), path, "file_unexpected")


def test_unusual_digits_and_signs_are_read_with_a_warning(tmp_path):
    rows = [("Kab. Angka Lain (Sintetis)", str(i), "3") for i in range(1, 48)]
    rows[0] = (rows[0][0], "1", "３")  # fullwidth
    rows[1] = (rows[1][0], "2", "٣")  # Arabic-Indic
    rows[2] = (rows[2][0], "3", "+3")
    path = tmp_path / "angka_lain.csv"
    pd.DataFrame(rows, columns=["instansi", "indikator", "tingkat"]).to_csv(path, index=False)
    subs = read(path)
    warned = subs.problems[subs.problems["code"] == "level_digits_normalised"]
    assert sorted(warned["indicator"]) == ["1", "2", "3"]
    assert (subs.levels.loc[subs.levels["instance"] == "Kab. Angka Lain (Sintetis)", "level"] == 3).all()


def test_one_instance_whatever_its_unicode_spelling(tmp_path):
    name = "Kab. Ciamis (Sintetis)"
    variants = {
        "nfd.csv": unicodedata.normalize("NFD", "Kab. Cïamis (Sintetis)"),
        "nfc.csv": unicodedata.normalize("NFC", "Kab. Cïamis (Sintetis)"),
        "zw.csv": name.replace("Ciamis", "Cia\u200bmis"),
        "nbsp.csv": name.replace(" ", "\u00a0"),
    }
    for file, written in variants.items():
        rows = [(written, str(i), 3) for i in range(1, 48)]
        pd.DataFrame(rows, columns=["instansi", "indikator", "tingkat"]).to_csv(tmp_path / file, index=False)
    subs = spbe.read_submissions(tmp_path, "spbe2020", progress=False)
    assert set(subs.instances["instance"]) == {unicodedata.normalize("NFC", "Kab. Cïamis (Sintetis)"), name}
    assert (subs.problems["code"] == "instance_duplicate").sum() == 4  # each pair reported in both files
    assert set(subs.problems.loc[subs.problems["file"].str.endswith(("zw.csv", "nbsp.csv")), "code"]) >= {
        "name_normalised"
    }
    kept = subs.instances.set_index("file")["name_as_written"]
    assert kept[str(tmp_path / "zw.csv")] == variants["zw.csv"]  # the original spelling is kept


def test_cli_score_on_malformed_files_says_so_in_one_line(tmp_path, capsys):
    not_xlsx = tmp_path / "bukan.xlsx"
    not_xlsx.write_text("ini bukan buku kerja", encoding="utf-8")
    broken = tmp_path / "rusak.csv"
    broken.write_bytes(b'instance,indicator,level\n"A,1,3\n' + b"\xff\xfe" * 10)
    for path in (not_xlsx, broken):
        code = main(["score", str(path)])
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err and err.startswith("spbe: galat:"), err


def test_validate_exit_codes_distinguish_errors_from_failure(tmp_path, capsys):
    assert main(["validate", str(GOOD)]) == 0
    assert main(["validate", str(BAD)]) == 1
    assert main(["validate", str(tmp_path / "tidak-ada")]) in (1, 2)  # nothing readable: an error row or no files
    code = main(["validate", str(GOOD), "--framework", "tidak-ada"])
    assert code == 2 and "Kerangka 'tidak-ada' tidak dikenal" in capsys.readouterr().err


def test_speed_under_the_size_cap(tmp_path):
    """The whole hostile set in one batch, in well under the sum of the per-file bounds."""
    paths = [hostile.sparse_corner(tmp_path), hostile.many_sheets(tmp_path), hostile.undefined_entity(tmp_path)]
    t0 = time.perf_counter()
    subs = read(*paths)
    assert time.perf_counter() - t0 < 3 * SECONDS
    assert {"limit_rows", "limit_sheets", "xlsx_unverifiable"} <= set(subs.problems["code"])


# ------------------------------------------------------------------ the scan's fast path
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from spbe_toolkit.io.limits import DEFAULT_LIMITS  # noqa: E402
from spbe_toolkit.io.readers import xlsx_scan  # noqa: E402

_COLUMN = st.sampled_from(["A", "B", "I", "Z", "AA", "XFD", "b"])
_TWISTS = [  # each makes bytes say less than an XML parser sees, or says it another way
    lambda x: x,
    lambda x: x.replace('<c r="', '<c  r="', 1),
    lambda x: x.replace('<c r="', "<c r='", 1).replace('"><v>', "'><v>", 1),
    lambda x: x.replace("<v>", "<v t=\"n r='Z9'\">", 1),
    lambda x: x.replace('<c r="', '<c t="n" r="', 1),
    lambda x: x.replace("><v>", ' r="XFD99"><v>', 1),
    lambda x: x.replace('<c r="', '<c\tr="', 1),
    lambda x: x.replace("<sheetData>", "<sheetData><!-- x -->", 1),
    lambda x: x.replace("<sheetData>", '<sheetData><x:ext xmlns:x="urn:x"/>', 1),
    lambda x: x.replace("<v>1</v>", "<f>1+1</f><v>2</v>", 1),
    lambda x: x.replace('r="A', 'r="&#65;', 1),
    lambda x: x.replace("</sheetData>", '</sheetData><mergeCells><mergeCell ref="A1:B2"/></mergeCells>', 1),
    lambda x: x.replace("</sheetData>", "</sheetData><mergeCells><mergeCell ref='A1:B2'/></mergeCells>", 1),
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 120_000), st.lists(_COLUMN, min_size=1, max_size=3, unique=True)), min_size=0,
             max_size=6, unique_by=lambda t: t[0]),
    st.sampled_from(range(len(_TWISTS))),
)  # fmt: skip
def test_the_fast_scan_agrees_with_expat_or_steps_aside(rows, twist):
    """Whatever the byte patterns accept, expat would have described the same way (size, cells,
    merges); what they cannot vouch for goes to expat. Limits hold either way."""
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in cols) + "</row>"
                   for r, cols in sorted(rows))  # fmt: skip
    plain = hostile.sheet_xml(body)
    data = _TWISTS[twist](plain).encode()

    def scan(how):
        try:
            return how(xlsx_scan.SheetScan("s", "p"))
        except xlsx_scan.LimitExceeded as exc:
            return ("limit", exc.what)
        except xlsx_scan.Unverifiable:
            return "unverifiable"

    fast = scan(lambda sheet: xlsx_scan._scan_bytes(data, sheet, DEFAULT_LIMITS, 0))
    slow = scan(lambda sheet: xlsx_scan._scan_xml(io.BytesIO(data), sheet, DEFAULT_LIMITS, 0))
    if fast is not None:
        assert fast == slow
    if twist not in (0, 11) and data != plain.encode():
        assert fast is None  # steps aside
    elif not isinstance(slow, str):
        assert fast == slow  # a sheet as Excel writes it: the fast path itself

"""The final export as a file a team lead sends on: a cover sheet, sheets and headings in the
chosen language, header frozen and filtered, widths fitted, numbers as numbers with three
decimals shown, no local paths; CSV with the language's decimal mark and no float noise."""

from __future__ import annotations

import re
import shutil

import openpyxl
import pytest

from spbe_toolkit.io.writers import write_csv
from spbe_toolkit.workspace import Workspace


@pytest.fixture
def ws(finished_round_file, tmp_path):
    path = tmp_path / "putaran.sqlite"
    shutil.copy(finished_round_file, path)
    w = Workspace.open(path)
    yield w
    w.close()


@pytest.mark.parametrize(
    ("lang", "cover", "scores", "versions", "index_heading"),
    [("id", "Sampul", "Skor Terkini", "Versi Kiriman", "Indeks"), ("en", "Cover", "Current Scores",
                                                                   "Submission Versions", "Index")],
)  # fmt: skip
def test_the_workbook_is_one_to_send_on(ws, tmp_path, lang, cover, scores, versions, index_heading):
    (path,) = ws.export(tmp_path / "ekspor.xlsx", lang=lang)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == cover and scores in wb.sheetnames and versions in wb.sheetnames
    assert not any("_" in name for name in wb.sheetnames)  # titles, not codes
    first = wb[cover]
    items = {first.cell(r, 1).value: first.cell(r, 2).value for r in range(2, first.max_row + 1)}
    assert (items["Jumlah instansi" if lang == "id" else "Instances"]) == 44
    assert "spbe2020" in items["Kerangka" if lang == "id" else "Framework"]
    sheet = wb[scores]
    assert (
        sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}45"
    )
    header = [c.value for c in sheet[1]]
    col = header.index(index_heading) + 1
    cell = sheet.cell(2, col)
    assert isinstance(cell.value, float) and cell.number_format == "0.000"
    assert all(c.font.bold for c in sheet[1])
    widths = {sheet.column_dimensions[c.column_letter].width for c in sheet[1]}
    assert len(widths) > 1 and max(widths) <= 60 and min(widths) >= 8
    name_width = sheet.column_dimensions["A"].width
    assert name_width >= max(len(str(sheet.cell(r, 1).value)) for r in range(2, sheet.max_row + 1))
    v = wb[versions]
    vh = [c.value for c in v[1]]
    files = [v.cell(r, vh.index("Berkas" if lang == "id" else "File") + 1).value for r in range(2, v.max_row + 1)]
    assert files and all("/" not in f and "\\" not in f for f in files)
    version = v.cell(2, vh.index("Versi" if lang == "id" else "Version") + 1)
    assert isinstance(version.value, int) and version.number_format == "0"
    for sh in wb.worksheets:  # numbers are never stored as text
        for row in sh.iter_rows(min_row=2, max_row=min(sh.max_row, 30)):
            for c in row:
                if isinstance(c.value, str):
                    assert not re.fullmatch(r"-?\d+[.,]\d+", c.value), (sh.title, c.coordinate, c.value)


def test_csv_for_people_in_each_language(ws, tmp_path):
    ids = ws.export(tmp_path / "ekspor.csv", lang="id")
    scores = next(p for p in ids if p.name == "ekspor_skor_terkini.csv").read_text(encoding="utf-8")
    header, first = scores.splitlines()[:2]
    assert header.startswith("Instansi;Indeks;Predikat") and re.search(r";\d,\d+;", first)
    en = ws.export(tmp_path / "export.csv", lang="en")
    text = next(p for p in en if p.name == "export_scores_current.csv").read_text(encoding="utf-8")
    assert text.startswith("Instance,Index,Predicate") and re.search(r",\d\.\d+,", text.splitlines()[1])


def test_no_float_noise_in_csv(tmp_path):
    import pandas as pd

    df = pd.DataFrame({"a": [0.1 + 0.2, -0.07699999999999996, 3.0, None], "b": ["x", "y", "z", "w"]})
    text = write_csv(df, tmp_path / "a.csv", decimal_mark=",").read_text(encoding="utf-8")
    assert text.splitlines()[1:4] == ["0,3;x", "-0,077;y", "3;z"]
    text = write_csv(df, tmp_path / "b.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1:3] == ["0.3,x", "-0.077,y"]

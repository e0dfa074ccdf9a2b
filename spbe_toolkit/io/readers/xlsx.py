"""Excel readers: ``.xlsx`` through calamine (default) or openpyxl, legacy ``.xls`` through
calamine. Formulas and merged cells are found by one pass over the sheet XML; nothing is
evaluated (formulas contribute their cached value only)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from spbe_toolkit.frameworks import Framework
from spbe_toolkit.io.problems import Report
from spbe_toolkit.io.readers.table import HEADER_SEARCH_ROWS, Unit, blank, find_header, read_table, read_template_sheet
from spbe_toolkit.io.templates import SHEET_META, SHEETS
from spbe_toolkit.scoring import show_value
from spbe_toolkit.vocab import norm_text

_SKIPPED_SHEETS = {*SHEETS["levels"], SHEET_META}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def _head(path: Path, n: int = 8) -> bytes:
    with path.open("rb") as fh:
        return fh.read(n)


def xlsx_sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sh in wb.iterfind("m:sheets/m:sheet", ns):
        target = targets.get(sh.get(rel_ns), "")
        target = target.lstrip("/")
        if not target.startswith("xl/"):
            target = "xl/" + target
        out[sh.get("name")] = target
    return out


def cell_ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def xlsx_formulas_and_merges(path: Path, sheet: str) -> tuple[set[tuple[int, int]], list[str]]:
    """Cells (row, col; 1-based) holding formulas, and merged ranges, from the sheet XML."""
    formulas: set[tuple[int, int]] = set()
    merges: list[str] = []
    with zipfile.ZipFile(path) as zf:
        target = xlsx_sheet_paths(zf).get(sheet)
        if not target:
            return formulas, merges
        with zf.open(target) as fh:
            current = None
            for event, el in ET.iterparse(fh, events=("start", "end")):
                tag = el.tag.rsplit("}", 1)[-1]
                if event == "start" and tag == "c":
                    current = el.get("r")
                elif event == "end" and tag == "f" and current:
                    formulas.add(cell_ref(current))
                elif event == "end" and tag == "mergeCell":
                    merges.append(el.get("ref"))
                elif event == "end" and tag == "row":
                    el.clear()
    return formulas, merges


def xlsx_rows(path: Path, engine: str) -> dict[str, list[list[Any]]]:
    """All sheets as lists of rows (row 0 = spreadsheet row 1), cached values only."""
    if engine == "calamine":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        try:
            return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}
        finally:
            wb.close()
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def read_xlsx(path: Path, fw: Framework, rep: Report, engine: str) -> list[Unit]:
    file = str(path)
    head = _head(path)
    if head.startswith(_OLE_MAGIC):
        rep.error("encrypted", file)
        return []
    if not head.startswith(b"PK"):
        rep.error("not_xlsx", file, ext=path.suffix)
        return []
    try:
        sheets = xlsx_rows(path, engine)
    except Exception:  # calamine/openpyxl raise many types for damaged zips
        rep.error("corrupt", file)
        return []
    meta_fw = None
    if SHEET_META in sheets:
        for row in sheets[SHEET_META]:
            if len(row) >= 2 and norm_text(row[0]) == "framework":
                meta_fw = str(row[1])
    if meta_fw and meta_fw != fw.name:
        rep.error("wrong_framework", file, sheet=SHEET_META, found=meta_fw, expected=fw.name)
        return []
    units: list[Unit] = []
    used_any = False
    for name, rows in sheets.items():
        if name in _SKIPPED_SHEETS:
            continue
        header = find_header(rows, fw)
        if header is None:
            if any(not blank(v) for row in rows for v in row):
                rep.warning("extra_sheet", file, sheet=name)
            continue
        used_any = True
        is_template = "instance" not in header[1]
        if is_template:
            unit = read_template_sheet(file, name, rows, header, rep)
            if unit:
                units.append(unit)
        else:
            if header[0] > 0:
                rep.warning("header_row", file, sheet=name, row=header[0] + 1, found=header[0] + 1)
            units.extend(read_table(file, name, rows, header, rep))
        try:
            formulas, merges = xlsx_formulas_and_merges(path, name)
        except (KeyError, zipfile.BadZipFile, ET.ParseError):
            formulas, merges = set(), []
        first_data_row = header[0] + 2
        sheet_units = [u for u in units if u.sheet == name]
        for ref in merges:
            start = cell_ref(ref.split(":")[0])
            end = cell_ref(ref.split(":")[-1])
            if end[0] < first_data_row:
                continue
            owner = next((u for u in sheet_units if any(start[0] <= r["row"] <= end[0] for r in u.rows)), None)
            rep.warning(
                "merged_cells", file, sheet=name, row=start[0], instance=owner.instance if owner else None, ref=ref
            )
        if formulas:
            for unit in units:
                if unit.sheet != name:
                    continue
                for rec in unit.rows:
                    if (rec["row"], rec["col"]) in formulas:
                        rep.warning(
                            "formula",
                            file,
                            sheet=name,
                            row=rec["row"],
                            instance=unit.instance,
                            indicator=rec["indicator"],
                            cell=f"{col_letter(rec['col'])}{rec['row']}",
                            value=show_value(None if blank(rec["level"]) else rec["level"]),
                        )
    if not used_any:
        rep.error("no_header", file, n=HEADER_SEARCH_ROWS)
    return units


def col_letter(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def read_xls(path: Path, fw: Framework, rep: Report) -> list[Unit]:
    """Legacy .xls through calamine (values only; no formula or merge detection)."""
    file = str(path)
    head = _head(path)
    if not head.startswith(_OLE_MAGIC):
        rep.error("not_xlsx", file, ext=path.suffix)
        return []
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(file)
        sheets = {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}
    except Exception as exc:
        rep.error("encrypted" if "encrypt" in str(exc).lower() else "corrupt", file)
        return []
    units = []
    for name, rows in sheets.items():
        header = find_header(rows, fw)
        if header is None:
            continue
        if "instance" in header[1]:
            units.extend(read_table(file, name, rows, header, rep))
        else:
            units.append(read_template_sheet(file, name, rows, header, rep))
    if not units:
        rep.error("no_header", file, n=HEADER_SEARCH_ROWS)
    return units

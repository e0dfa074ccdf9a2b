"""Excel readers: ``.xlsx`` through calamine (default) or openpyxl, legacy ``.xls`` through
calamine. Before any engine runs, :mod:`~spbe_toolkit.io.readers.xlsx_scan` checks the file
against the reading limits and finds formulas and merged cells in one streaming pass;
nothing is evaluated (formulas contribute their cached value only)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from spbe_toolkit.frameworks import Framework
from spbe_toolkit.io.limits import DEFAULT_LIMITS, LimitExceeded, ReadLimits
from spbe_toolkit.io.problems import Report
from spbe_toolkit.io.readers.table import HEADER_SEARCH_ROWS, Unit, blank, find_header, read_table, read_template_sheet
from spbe_toolkit.io.readers.xlsx_scan import SheetScan, Unverifiable, cell_ref, read_sparse_sheet, scan_xlsx
from spbe_toolkit.io.templates import SHEET_META, SHEETS
from spbe_toolkit.scoring import show_value
from spbe_toolkit.vocab import norm_text

_SKIPPED_SHEETS = {*SHEETS["levels"], SHEET_META}
_UNREAD_SHEETS = frozenset(SHEETS["levels"])  # the template's level guide: nothing of it is used, so it is not read
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def _head(path: Path, n: int = 8) -> bytes:
    with path.open("rb") as fh:
        return fh.read(n)


def _dense_rows(path: Path, names: list[str], engine: str) -> dict[str, list[list[Any]]]:
    """The named sheets as lists of rows (row 0 = spreadsheet row 1), cached values only."""
    if not names:
        return {}
    if engine == "calamine":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        try:
            return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in names}
        finally:
            wb.close()
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {name: [list(r) for r in wb[name].iter_rows(values_only=True)] for name in names}
    finally:
        wb.close()


def read_sheets(path: Path, scans: list[SheetScan], engine: str, limits: ReadLimits) -> dict[str, list[list[Any]]]:
    """Every sheet's rows: through the engine when its used range is small enough to allocate,
    cell by cell otherwise (a few cells far apart cost only what they hold)."""
    dense = [s.name for s in scans if s.dense_cells <= limits.max_dense_cells]
    rows = _dense_rows(path, dense, engine)
    for s in scans:
        if s.name not in rows:
            rows[s.name] = read_sparse_sheet(path, s)
    return {s.name: rows[s.name] for s in scans}


def read_xlsx(path: Path, fw: Framework, rep: Report, engine: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Unit]:
    file = str(path)
    head = _head(path)
    if head.startswith(_OLE_MAGIC):
        rep.error("encrypted", file)
        return []
    if not head.startswith(b"PK"):
        rep.error("not_xlsx", file, ext=path.suffix)
        return []
    try:
        scans = scan_xlsx(path, limits, skip=_UNREAD_SHEETS)
    except LimitExceeded as exc:
        rep.error(f"limit_{exc.what}", file, sheet=exc.sheet, **exc.params)
        return []
    except Unverifiable:
        rep.error("xlsx_unverifiable", file)
        return []
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError, NotImplementedError):
        rep.error("corrupt", file)  # not a zip, a part missing, a bad CRC or size, an unknown compression
        return []
    try:
        sheets = read_sheets(path, scans, engine, limits)
    except Exception:  # calamine/openpyxl raise many types for damaged files
        rep.error("corrupt", file)
        return []
    by_name = {s.name: s for s in scans}
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
        _report_merges_and_formulas(file, name, by_name[name], header, [u for u in units if u.sheet == name], rep)
    if not used_any:
        rep.error("no_header", file, n=HEADER_SEARCH_ROWS)
    return units


def _report_merges_and_formulas(file: str, name: str, scan: SheetScan, header, sheet_units: list[Unit], rep: Report):
    first_data_row = header[0] + 2
    for ref in scan.merges:
        start = cell_ref(ref.split(":")[0])
        end = cell_ref(ref.split(":")[-1])
        if end[0] < first_data_row:
            continue
        owner = next((u for u in sheet_units if any(start[0] <= r["row"] <= end[0] for r in u.rows)), None)
        rep.warning("merged_cells", file, sheet=name, row=start[0], instance=owner.instance if owner else None, ref=ref)
    if not scan.formulas:
        return
    for unit in sheet_units:
        for rec in unit.rows:
            if (rec["row"], rec["col"]) in scan.formulas:
                rep.warning("formula", file, sheet=name, row=rec["row"], instance=unit.instance,
                            indicator=rec["indicator"], cell=f"{col_letter(rec['col'])}{rec['row']}",
                            value=show_value(None if blank(rec["level"]) else rec["level"]))  # fmt: skip


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

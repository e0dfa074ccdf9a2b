"""A streaming look at an xlsx file before any engine reads it.

One pass over the zip directory and each part's XML, in bounded memory: the inflated size,
the sheets, the shared strings, and per sheet the used range, the cell count, the cells that
hold formulas and the merged ranges. Every limit of :class:`~spbe_toolkit.io.limits.ReadLimits`
is checked here and broken limits raise :class:`LimitExceeded`. XML that cannot be parsed
raises :class:`Unverifiable`: a file whose formulas cannot be checked is not read at all.

For a sheet whose used range is too large for a dense reader (a few cells far apart),
:func:`read_sparse_sheet` reads the cells one by one instead.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from spbe_toolkit.io.limits import LimitExceeded, ReadLimits

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")


class Unverifiable(Exception):
    """The file's XML cannot be parsed, so its formulas and size cannot be checked."""


@dataclass
class SheetScan:
    name: str
    part: str
    rows: int = 0
    columns: int = 0
    cells: int = 0
    formulas: set[tuple[int, int]] = field(default_factory=set)
    merges: list[str] = field(default_factory=list)

    @property
    def dense_cells(self) -> int:
        return self.rows * self.columns


_COLUMNS: dict[str, int] = {}


def cell_ref(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of a reference such as ``"B7"`` (any letter case)."""
    m = _REF.fullmatch(ref.strip())
    if not m:
        raise Unverifiable(f"cell reference {ref!r}")
    letters = m.group(1)
    col = _COLUMNS.get(letters)
    if col is None:
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        if len(_COLUMNS) < 100_000:
            _COLUMNS[letters] = col
    return int(m.group(2)), col


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip part of its XML, from the workbook and its relationships."""
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") or "" for r in rels}
    out = {}
    for sh in wb.iter(f"{_MAIN}sheet"):
        target = targets.get(sh.get(_REL_ID), "").lstrip("/")
        out[sh.get("name")] = target if target.startswith("xl/") else "xl/" + target
    return out


def scan_xlsx(path: Path, limits: ReadLimits, skip: frozenset[str] = frozenset()) -> list[SheetScan]:
    """Check an xlsx file against ``limits`` and describe its sheets (see the module doc);
    the sheets named in ``skip`` (which nothing will read) are left out: not scanned, not returned."""
    try:
        with zipfile.ZipFile(path) as zf:
            inflated = sum(i.file_size for i in zf.infolist())
            if inflated > limits.max_inflated_bytes:
                raise LimitExceeded("inflated", size=_mb(inflated), limit=_mb(limits.max_inflated_bytes))
            parts = sheet_parts(zf)
            if len(parts) > limits.max_sheets:
                raise LimitExceeded("sheets", n=len(parts), limit=limits.max_sheets)
            if "xl/sharedStrings.xml" in zf.namelist():
                with zf.open("xl/sharedStrings.xml") as fh:
                    _check_strings(fh, limits)
            sheets = []
            cells = 0
            for name, part in parts.items():
                if name in skip:
                    continue
                with zf.open(part) as fh:
                    sheet = _scan_sheet(fh, SheetScan(name, part), limits, cells, zf.getinfo(part).file_size)
                cells += sheet.cells
                sheets.append(sheet)
            return sheets
    except ET.ParseError as exc:  # workbook.xml or its relationships
        raise Unverifiable(str(exc)) from exc


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f}"


def _expat():
    """A non-validating expat parser that refuses nothing but malformed XML (fast: no tree)."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    return parser


def _local_name(name: str) -> str:
    return name if ":" not in name else name.rsplit(":", 1)[1]


def _parse(parser, fh) -> None:
    try:
        parser.ParseFile(fh)
    except expat.ExpatError as exc:
        raise Unverifiable(str(exc)) from exc


def _check_strings(fh, limits: ReadLimits) -> None:
    state = {"count": 0, "length": 0, "in_t": False}

    def start(name, _attrs):
        tag = _local_name(name)
        if tag == "si":
            state["count"] += 1
            state["length"] = 0
            if state["count"] > limits.max_strings:
                raise LimitExceeded("strings", n=state["count"], limit=limits.max_strings)
        elif tag == "t":
            state["in_t"] = True

    def end(name):
        if _local_name(name) == "t":
            state["in_t"] = False

    def text(data):
        if state["in_t"]:
            state["length"] += len(data)
            if state["length"] > limits.max_string_chars:
                raise LimitExceeded("string", n=state["length"], limit=limits.max_string_chars)

    parser = _expat()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    _parse(parser, fh)


# ----------------------------------------------------------------------------- the fast path
# A sheet as Excel and openpyxl write it is described by a few byte searches and regular
# expressions with a literal start (C speed, no Python call per element). Whatever could make
# the bytes say less than an XML parser (or calamine, which takes a cell's *last* ``r``) sees
# sends the sheet to expat instead: another encoding, a DOCTYPE (entities), a comment, CDATA
# or processing instruction, an entity that is not XML's own, a namespace prefix on any
# element, a formula, an attribute not written ``name="value"``, an ``r`` that is not the first
# attribute of a cell or a row or is there twice (also inside another attribute's value), a
# cell or row without ``r``, or a reference spelled with character references.
_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"')
_ROW = re.compile(rb'<row r="([0-9]{1,7})"')
_MERGE = re.compile(rb'<mergeCell ref="([A-Za-z]{1,3}[0-9]{1,7}(?::[A-Za-z]{1,3}[0-9]{1,7})?)"\s*/?>')
_CELL_TAG = re.compile(rb"<c[\s/>]")
_ROW_TAG = re.compile(rb"<row[\s/>]")
_MERGE_TAG = re.compile(rb"<mergeCell[\s/>]")
_MARKUP = re.compile(rb"<[!?]|<[^\s>/]*:|<f[\s/>]")  # declarations, comments, instructions, prefixes, formulas
_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
_DECLARATION = re.compile(rb'<\?xml version="1\.[0-9]"(?: encoding="(?:UTF-8|utf-8)")?(?: standalone="(?:yes|no)")?\?>')

_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _loose(body: bytes) -> bool:
    """A space before an "=", another white space before one or before an ``r=``, or a NUL."""
    if b"\x00" in body or b" =" in body:
        return True
    return any(ws in body and (ws + b"=" in body or ws + b"r=" in body) for ws in (b"\t", b"\n", b"\r"))


def _scan_bytes(data: bytes, sheet: SheetScan, limits: ReadLimits, cells_before: int) -> SheetScan | None:
    """The sheet described from its bytes, or None when the fast path cannot vouch for them."""
    room = limits.max_cells - cells_before  # a cell takes at least 11 bytes (<c r="A1"/>)
    if len(data) // 11 > room and data.count(b"<c") > room:  # (over-counts: <col…) expat counts exactly
        return None
    decl = _DECLARATION.match(data)
    body = data[decl.end() :] if decl else data
    if not body.lstrip().startswith(b"<") or _MARKUP.search(body) or (b"&" in body and _ENTITY.search(body)):
        return None
    if body.count(b"=") != body.count(b'="') or _loose(body):
        return None
    cells, rows = _CELL.findall(body), _ROW.findall(body)
    merging = b"<mergeCell" in body
    merges = _MERGE.findall(body) if merging else []
    tags = (len(_CELL_TAG.findall(body)), len(_ROW_TAG.findall(body)), len(_MERGE_TAG.findall(body)) if merging else 0)
    if tags != (len(cells), len(rows), len(merges)) or body.count(b' r="') != len(cells) + len(rows):
        return None
    sheet.cells = len(cells)
    if cells_before + sheet.cells > limits.max_cells:
        raise LimitExceeded("cells", sheet=sheet.name, n=cells_before + sheet.cells, limit=limits.max_cells)
    sheet.rows = max(map(int, set(map(_SECOND, cells))), default=0)  # the used range: cells only
    top = max(sheet.rows, max(map(int, set(rows)), default=0))
    if top > limits.max_rows:
        raise LimitExceeded("rows", sheet=sheet.name, n=top, limit=limits.max_rows)
    sheet.columns = max((cell_ref(letters.decode() + "1")[1] for letters in set(map(_FIRST, cells))), default=0)
    sheet.merges = [ref.decode().upper() for ref in merges]
    return sheet


FAST_BYTES = 8 * 2**20
"""The largest sheet part the fast path reads whole into memory; a bigger one streams through expat."""


def _scan_sheet(fh, sheet: SheetScan, limits: ReadLimits, cells_before: int, size: int) -> SheetScan:
    if size > FAST_BYTES:
        return _scan_xml(fh, sheet, limits, cells_before)
    data = fh.read()  # zipfile returns at most the declared size (and checks it at the end)
    return _scan_bytes(data, sheet, limits, cells_before) or _scan_xml(io.BytesIO(data), sheet, limits, cells_before)


def _scan_xml(fh, sheet: SheetScan, limits: ReadLimits, cells_before: int) -> SheetScan:
    pos = [0, 0]  # current row, column

    def start(name, attrs):
        tag = _local_name(name)
        if tag == "v":  # most elements: a cell's value
            return
        if tag == "c":
            ref = attrs.get("r")
            if ref:
                pos[0], pos[1] = cell_ref(ref)
            else:
                pos[1] += 1
            row, col = pos
            if row > limits.max_rows:
                raise LimitExceeded("rows", sheet=sheet.name, n=row, limit=limits.max_rows)
            sheet.cells += 1
            if cells_before + sheet.cells > limits.max_cells:
                raise LimitExceeded("cells", sheet=sheet.name, n=cells_before + sheet.cells, limit=limits.max_cells)
            if row > sheet.rows:
                sheet.rows = row
            if col > sheet.columns:
                sheet.columns = col
        elif tag == "row":
            r = attrs.get("r")
            pos[0] = int(r) if r and r.isdigit() else pos[0] + 1
            pos[1] = 0
            if pos[0] > limits.max_rows:
                raise LimitExceeded("rows", sheet=sheet.name, n=pos[0], limit=limits.max_rows)
        elif tag == "f":
            sheet.formulas.add((pos[0], pos[1]))
        elif tag == "mergeCell":
            ref = attrs.get("ref") or ""
            for part in ref.split(":"):
                cell_ref(part)  # validates the reference
            sheet.merges.append(ref.upper())

    parser = _expat()
    parser.StartElementHandler = start
    _parse(parser, fh)
    return sheet


def read_shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    out = []
    with zf.open("xl/sharedStrings.xml") as fh:
        parts: list[str] = []
        for _event, el in ET.iterparse(fh, events=("end",)):
            tag = _local(el.tag)
            if tag == "t":
                parts.append(el.text or "")
            elif tag == "si":
                out.append("".join(parts))
                parts = []
                el.clear()
    return out


def read_sparse_sheet(path: Path, sheet: SheetScan) -> list[list[Any]]:
    """A sheet's cached values cell by cell (for sheets too sparse and wide for a dense engine).

    Rows without content share one empty list; each row is as long as its last cell.
    """
    with zipfile.ZipFile(path) as zf:
        strings = read_shared_strings(zf)
        values: dict[int, dict[int, Any]] = {}
        with zf.open(sheet.part) as fh:
            row = col = 0
            kind = None
            ref_row = ref_col = 0
            for event, el in ET.iterparse(fh, events=("start", "end")):
                tag = _local(el.tag)
                if event == "start" and tag == "row":
                    r = el.get("r")
                    row = int(r) if r and r.isdigit() else row + 1
                    col = 0
                elif event == "start" and tag == "c":
                    ref = el.get("r")
                    if ref:
                        row, col = cell_ref(ref)
                    else:
                        col += 1
                    ref_row, ref_col, kind = row, col, el.get("t")
                elif event == "end" and tag == "c":
                    value = _cell_value(el, kind, strings)
                    if value is not None:
                        values.setdefault(ref_row, {})[ref_col] = value
                    el.clear()
    empty: list[Any] = []
    out: list[list[Any]] = [empty] * sheet.rows
    for r, cols in values.items():
        line = [None] * max(cols)
        for c, v in cols.items():
            line[c - 1] = v
        out[r - 1] = line
    return out


def _cell_value(el, kind: str | None, strings: list[str]) -> Any:
    v = el.find(f"{_MAIN}v")
    text = v.text if v is not None else None
    if kind == "inlineStr":
        return "".join(t.text or "" for t in el.iter(f"{_MAIN}t"))
    if text is None:
        return None
    if kind == "s":
        i = int(text)
        return strings[i] if 0 <= i < len(strings) else None
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and abs(number) < 2**53 else number

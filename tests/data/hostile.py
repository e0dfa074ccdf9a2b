"""Hostile submission files, made at test time (the large ones would bloat the repository).

Each function writes one file into ``folder`` and returns its path. They are raw zip/XML so
that every byte is under control: the point is files no spreadsheet program would write.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_xml(cells: str, extra: str = "", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
        f"<sheetData>{cells}</sheetData>{extra}</worksheet>"
    )


def workbook(path: Path, sheets: list[str], shared: str | None = None, names: list[str] | None = None) -> Path:
    """A minimal xlsx with the given sheet XML parts (and an optional sharedStrings part)."""
    names = names or [f"Sheet{i + 1}" for i in range(len(sheets))]
    wb = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
        + "</sheets></workbook>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" Type="{REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        + (f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>' if shared else "")
        + "</Relationships>"
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(len(sheets))
    )
    if shared:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=overrides))
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", wb)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, xml in enumerate(sheets):
            zf.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
        if shared:
            zf.writestr("xl/sharedStrings.xml", shared)
    return path


def sparse_corner(folder: Path) -> Path:
    """Only A1 and XFD1048576: a dense reader allocates 17 billion cells (the kernel dies)."""
    cells = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    cells += '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return workbook(folder / "sudut_jauh.xlsx", [sheet_xml(cells)])


def hidden_reference(folder: Path) -> Path:
    """A1 and a far corner whose real references (row and cell) follow decoys ``r='2'`` and
    ``r='A2'`` inside other attributes' values: a scan that takes the first ``r=`` it sees
    thinks the sheet is 2 rows by 1 column, and a dense reader would then allocate the corner."""
    cells = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row spans="1 r=\'2\'" r="1048576"><c t="n r=\'A2\'" r="XFD1048576"><v>1</v></c></row>'
    )
    return workbook(folder / "ref_tersembunyi.xlsx", [sheet_xml(cells)])


def utf16_sheet(folder: Path) -> Path:
    """The far-corner sheet written in UTF-16: byte patterns for ASCII see no cell at all."""
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    xml = sheet_xml(cells).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return workbook(folder / "utf16.xlsx", [xml.encode("utf-16")])


def foreign_prefix(folder: Path) -> Path:
    """The far corner in a cell whose element has a non-ASCII namespace prefix."""
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><é:c r="XFD1048576"><v>1</v></é:c></row>'
    return workbook(
        folder / "awalan_asing.xlsx", [sheet_xml(cells).replace("<worksheet ", '<worksheet xmlns:é="urn:x" ')]
    )


def duplicate_reference(folder: Path) -> Path:
    """The far corner as a cell's second ``r`` (not XML: a reader that takes the last ``r``
    would allocate the corner while a scan that takes the first sees A1)."""
    cells = '<row r="1"><c r="A1" r="XFD1048576"><v>1</v></c></row>'
    return workbook(folder / "ref_ganda.xlsx", [sheet_xml(cells)])


def escaped_reference(folder: Path) -> Path:
    """The far corner's reference spelled with a character reference (``&#88;`` is X): the
    same cell to an XML parser, no reference at all to a byte pattern (its row too: ``&#49;`` is 1)."""
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="&#49;048576"><c r="&#88;FD&#49;048576"><v>1</v></c></row>'
    return workbook(folder / "ref_lolos.xlsx", [sheet_xml(cells)])


def instruction_before_cells(folder: Path) -> Path:
    """A processing instruction in the sheet, and the far corner after it."""
    cells = (
        '<?spbe apa saja?><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    return workbook(folder / "instruksi.xlsx", [sheet_xml(cells)])


def sparse_wide(folder: Path) -> Path:
    """A2 and XFD2000: 33 million cells for a dense reader (1.3 GB), two cells in truth."""
    cells = '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
    cells += '<row r="2000"><c r="XFD2000"><v>1</v></c></row>'
    return workbook(folder / "lebar_jarang.xlsx", [sheet_xml(cells)])


def huge_shared_string(folder: Path, chars: int = 200 * 2**20, uses: int = 40) -> Path:
    """One enormous shared string used by many cells (206 KB on disk for 200 MB)."""
    shared = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{uses}" uniqueCount="1"><si><t>'
    shared += "A" * chars + "</t></si></sst>"
    cells = "".join(f'<row r="{i + 1}"><c r="A{i + 1}" t="s"><v>0</v></c></row>' for i in range(uses))
    return workbook(folder / "teks_raksasa.xlsx", [sheet_xml(cells)], shared=shared)


def zip_bomb(folder: Path, inflated: int = 300 * 2**20) -> Path:
    """A sheet whose XML inflates to ``inflated`` bytes of whitespace (a few hundred KB on disk)."""
    path = workbook(folder / "bom_zip.xlsx", [sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')])
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * 2**20
    head = b'<?xml version="1.0"?><worksheet xmlns="' + MAIN.encode() + b'"><sheetData>'
    data = [comp.compress(head)]
    for _ in range(inflated // len(chunk)):
        data.append(comp.compress(chunk))
    data.append(comp.compress(b"</sheetData></worksheet>"))
    data.append(comp.flush())
    raw = b"".join(data)
    crc = 0
    crc = zlib.crc32(head, crc)
    for _ in range(inflated // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(b"</sheetData></worksheet>", crc)
    size = len(head) + (inflated // len(chunk)) * len(chunk) + len(b"</sheetData></worksheet>")
    # rewrite the sheet part with the pre-compressed stream
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist() if n != "xl/worksheets/sheet1.xml"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, b in parts.items():
            zf.writestr(n, b)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        _write_raw(zf, info, raw, crc, size)
    return path


def _write_raw(zf: zipfile.ZipFile, info: zipfile.ZipInfo, raw: bytes, crc: int, size: int) -> None:
    """Add an already-deflated member (zipfile has no public API for it)."""
    info.CRC = crc
    info.compress_size = len(raw)
    info.file_size = size
    info.header_offset = zf.fp.tell()
    zf.fp.write(info.FileHeader(zip64=size > 0xFFFFFFFF))
    zf.fp.write(raw)
    zf.start_dir = zf.fp.tell()
    zf.filelist.append(info)
    zf.NameToInfo[info.filename] = info
    zf._didModify = True


def many_sheets(folder: Path, n: int = 3000) -> Path:
    xml = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
    return workbook(folder / "banyak_lembar.xlsx", [xml] * n)


def many_rows(folder: Path, n: int = 150_000) -> Path:
    cells = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(1, n + 1))
    return workbook(folder / "banyak_baris.xlsx", [sheet_xml(cells)])


def undefined_entity(folder: Path) -> Path:
    """A formula cell, plus an undefined entity in ``extLst``: the XML is not well-formed, so a
    formula scan that swallows parse errors would stay silent while calamine reads the value."""
    cells = '<row r="1"><c r="A1"><f>1+2</f><v>3</v></c></row>'
    extra = "<extLst><ext uri='x'>&bogus;</ext></extLst>"
    return workbook(folder / "entitas_asing.xlsx", [sheet_xml(cells, extra)])


def lowercase_refs(folder: Path) -> Path:
    """Cell references in lower case on a formula and a merge (Excel writes upper case)."""
    cells = '<row r="1"><c r="a1"><f>1+2</f><v>3</v></c><c r="b1"><v>4</v></c></row>'
    return workbook(
        folder / "ref_huruf_kecil.xlsx",
        [sheet_xml(cells, '<mergeCells count="1"><mergeCell ref="a1:b1"/></mergeCells>')],
    )


def long_csv_field(folder: Path) -> Path:
    path = folder / "sel_panjang.csv"
    path.write_text("instansi,indikator,tingkat\nKab. X," + "1" * 200_000 + ",3\n", encoding="utf-8")
    return path


def long_number_csv(folder: Path) -> Path:
    path = folder / "angka_panjang.csv"
    rows = "\n".join(f"Kab. Angka (Sintetis),{i},3" for i in range(2, 48))
    path.write_text(f"instansi,indikator,tingkat\nKab. Angka (Sintetis),1,{'9' * 5000}\n{rows}\n", encoding="utf-8")
    return path


def json_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def json_cases(folder: Path) -> dict[str, Path]:
    levels = [{"indicator": str(i), "level": 3} for i in range(1, 48)]
    return {
        "long_number": json_file(folder, "angka_panjang.json", '{"instance": "Kab. J", "levels": [{"indicator": "1", "level": ' + "9" * 5000 + "}]}"),
        "year_inf": json_file(folder, "tahun_tak_hingga.json", json.dumps({"instance": "Kab. Tahun", "year": float("inf"), "levels": levels})),
        "deep": json_file(folder, "bersarang.json", "[" * 100_000 + "]" * 100_000),
        "levels_number": json_file(folder, "levels_angka.json", json.dumps({"instance": "Kab. L", "levels": 5})),
        "empty_list": json_file(folder, "kosong.json", "[]"),
        "name_object": json_file(folder, "nama_objek.json", json.dumps({"instance": {"name": {"x": 1}}, "levels": levels})),
    }  # fmt: skip

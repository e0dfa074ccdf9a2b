"""The Excel submission template an instance fills in (written with openpyxl).

Layout of the sheet ``Isian`` (the reader in ``submissions.py`` relies on the labels, not on
fixed rows, so a template whose rows were shifted still reads):

* an instance block: label in column A, value in column B (Nama Instansi, Jenis Instansi,
  Provinsi, Tahun Evaluasi, Narahubung, Kerangka Evaluasi);
* a header row whose column E reads ``Kode Indikator``;
* below it, one row per indicator (sub-items such as 2018's 35a–35c get one row each),
  preceded by a section row for each domain and aspect (section rows have no indicator code).

Only the value cells of the instance block and the level, justification and evidence cells
are unlocked; the sheet is protected (no password) so codes cannot be edited by accident.
The level cell only accepts whole numbers within the framework's level range.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from spbe_toolkit.frameworks import Framework, load_framework

TEMPLATE_VERSION = 1
SHEET_FORM = "Isian"
SHEET_LEVELS = "Keterangan Tingkat"
SHEET_META = "spbe_meta"

# (key, Indonesian label written in the template, accepted aliases when reading)
INSTANCE_FIELDS: list[tuple[str, str, tuple[str, ...]]] = [
    ("instance", "Nama Instansi", ("nama instansi", "instansi", "instance", "instance name", "nama")),
    ("instance_type", "Jenis Instansi", ("jenis instansi", "jenis", "instance type", "type")),
    ("province", "Provinsi", ("provinsi", "province")),
    ("year", "Tahun Evaluasi", ("tahun evaluasi", "tahun", "year")),
    ("contact", "Narahubung (nama, surel)", ("narahubung (nama, surel)", "narahubung", "kontak", "contact")),
    ("framework", "Kerangka Evaluasi", ("kerangka evaluasi", "kerangka", "framework")),
]

INSTANCE_TYPES = [
    "Kementerian",
    "LPNK",
    "LNS",
    "Instansi Lainnya",
    "Pemerintah Provinsi",
    "Pemerintah Kabupaten",
    "Pemerintah Kota",
]

# Columns of the indicator table: (key, Indonesian heading, width)
COLUMNS: list[tuple[str, str, int]] = [
    ("domain", "Kode Domain", 9),
    ("domain_name", "Domain", 26),
    ("aspect", "Kode Aspek", 9),
    ("aspect_name", "Aspek", 30),
    ("indicator", "Kode Indikator", 11),
    ("name", "Indikator", 60),
    ("level", "Tingkat (Level)", 11),
    ("justification", "Penjelasan / Justifikasi", 50),
    ("evidence", "Tautan Bukti Dukung", 40),
]
HEADER_MARK = "Kode Indikator"

_YELLOW = PatternFill("solid", fgColor="FFF7CC")
_SECTION = PatternFill("solid", fgColor="DCE6F1")
_HEAD = PatternFill("solid", fgColor="1F3864")
_THIN = Side(style="thin", color="B0B0B0")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED = Protection(locked=False)


def template_rows(fw: Framework) -> list[dict]:
    """The indicator rows of the template in order (sub-items expanded)."""
    dom_names = dict(zip(fw.domains["code"], fw.domains["name"]))
    asp_names = dict(zip(fw.aspects["code"], fw.aspects["name"]))
    rows = []
    for rec in fw.indicators.itertuples(index=False):
        base = {
            "domain": rec.domain or "",
            "domain_name": dom_names.get(rec.domain, ""),
            "aspect": rec.aspect,
            "aspect_name": asp_names[rec.aspect],
            "kind": rec.kind,
        }
        if rec.subitems:
            for k, sub in enumerate(rec.subitems, start=1):
                rows.append({**base, "indicator": sub, "name": f"{rec.name} (layanan {k})"})
        else:
            rows.append({**base, "indicator": rec.indicator, "name": rec.name})
    return rows


def write_template(
    path: str | Path,
    fw: Framework | str,
    *,
    instance: Mapping[str, object] | None = None,
    levels: Mapping[str, Mapping[str, object]] | None = None,
) -> Path:
    """Write an Excel submission template for framework ``fw`` to ``path`` (``.xlsx``).

    ``instance`` pre-fills the instance block (keys: instance, instance_type, province,
    year, contact) and ``levels`` pre-fills indicator rows (code → {level, justification,
    evidence}); both are for generators and tests — an empty template is the usual use.
    Returns the path written.
    """
    fw = load_framework(fw)
    path = Path(path)
    instance = dict(instance or {})
    levels = levels or {}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_FORM

    ws["A1"] = f"Formulir Penilaian Mandiri — {fw.title}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (
        "Isi sel berwarna kuning. Kolom kode dikunci dan tidak boleh diubah. "
        f"Tingkat diisi bilangan bulat {fw.level_min}–{fw.level_max}; arti tiap tingkat ada di lembar "
        f"'{SHEET_LEVELS}'."
    )
    ws["A2"].alignment = Alignment(wrap_text=False)

    row = 4
    for key, label, _aliases in INSTANCE_FIELDS:
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        value = fw.name if key == "framework" else instance.get(key)
        cell = ws.cell(row=row, column=2, value=value)
        cell.border = _BOX
        if key != "framework":
            cell.fill = _YELLOW
            cell.protection = _UNLOCKED
        if key == "instance_type":
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(INSTANCE_TYPES) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Jenis instansi tidak dikenal",
                error="Pilih salah satu jenis instansi dari daftar.",
            )
            ws.add_data_validation(dv)
            dv.add(cell)
        row += 1

    header_row = row + 1
    for col, (_key, heading, width) in enumerate(COLUMNS, start=1):
        c = ws.cell(row=header_row, column=col, value=heading)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = _HEAD
        c.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[c.column_letter].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)

    level_dv = DataValidation(
        type="whole",
        operator="between",
        formula1=str(fw.level_min),
        formula2=str(fw.level_max),
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="Tingkat tidak valid",
        error=f"Isi bilangan bulat {fw.level_min} sampai {fw.level_max}.",
        promptTitle="Tingkat kematangan",
        prompt=f"Bilangan bulat {fw.level_min}–{fw.level_max}",
    )
    ws.add_data_validation(level_dv)

    r = header_row + 1
    last_dom = last_asp = None
    col_of = {key: i for i, (key, _h, _w) in enumerate(COLUMNS, start=1)}
    for rec in template_rows(fw):
        if rec["domain"] and rec["domain"] != last_dom:
            w = fw.domain_weights[rec["domain"]]
            ws.cell(row=r, column=1, value=rec["domain"])
            ws.cell(row=r, column=2, value=f"{rec['domain_name']} (bobot {w:g}%)")
            for c in range(1, len(COLUMNS) + 1):
                ws.cell(row=r, column=c).fill = _SECTION
                ws.cell(row=r, column=c).font = Font(bold=True)
            last_dom = rec["domain"]
            r += 1
        if rec["aspect"] != last_asp:
            w = fw.aspect_weights[rec["aspect"]]
            ws.cell(row=r, column=3, value=rec["aspect"])
            ws.cell(row=r, column=4, value=f"{rec['aspect_name']} (bobot {w:g}%)")
            for c in range(3, len(COLUMNS) + 1):
                ws.cell(row=r, column=c).font = Font(bold=True, italic=True)
            last_asp = rec["aspect"]
            r += 1
        filled = levels.get(rec["indicator"], {})
        for key in ("domain", "domain_name", "aspect", "aspect_name", "indicator", "name"):
            ws.cell(row=r, column=col_of[key], value=rec[key] or None)
        ws.cell(row=r, column=col_of["name"]).alignment = Alignment(wrap_text=True, vertical="top")
        for key in ("level", "justification", "evidence"):
            c = ws.cell(row=r, column=col_of[key], value=filled.get(key))
            c.fill = _YELLOW
            c.border = _BOX
            c.protection = _UNLOCKED
            if key != "level":
                c.alignment = Alignment(wrap_text=True, vertical="top")
        level_dv.add(ws.cell(row=r, column=col_of["level"]))
        r += 1
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    # ---- level names sheet
    lv = wb.create_sheet(SHEET_LEVELS)
    lv.append(["Jenis indikator", "Tingkat", "Nama tingkat", "Keterangan"])
    for c in lv[1]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = _HEAD
    kinds_used = list(dict.fromkeys(fw.indicators["kind"]))
    for kind in kinds_used:
        spec = fw.kinds[kind]
        for level in fw.levels:
            lv.append(
                [
                    spec.get("label", kind),
                    level,
                    spec.get("level_names", {}).get(str(level), ""),
                    spec.get("level_descriptions", {}).get(str(level), ""),
                ]
            )
    for letter, width in zip("ABCD", (26, 9, 26, 90)):
        lv.column_dimensions[letter].width = width
    lv.append([])
    lv.append(["Indikator per jenis:"])
    for kind in kinds_used:
        codes = fw.indicators.loc[fw.indicators["kind"] == kind, "indicator"]
        lv.append([fw.kinds[kind].get("label", kind), None, f"{codes.iat[0]}–{codes.iat[-1]}"])
    lv.protection.sheet = True

    # ---- hidden metadata sheet: what the reader checks first
    meta = wb.create_sheet(SHEET_META)
    for k, v in (("template_version", TEMPLATE_VERSION), ("framework", fw.name), ("producer", "spbe-toolkit")):
        meta.append([k, v])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path

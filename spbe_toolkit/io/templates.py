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
The level cell only accepts whole numbers within the framework's level range (a framework
with decimal values, Pemdi: numbers 1–5, read to its decimals).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from spbe_toolkit.frameworks import Framework, load_framework
from spbe_toolkit.i18n import LANGS, check_lang, labels, tr
from spbe_toolkit.io.writers import atomic_path
from spbe_toolkit.vocab import INSTANCE_TYPES, OTHER_HEADINGS, norm_text

TEMPLATE_VERSION = 1
SHEET_META = "spbe_meta"
# Sheet names in both languages: the reader recognises either.
SHEETS = {"form": ("Isian", "Form"), "levels": ("Keterangan Tingkat", "Level Descriptions")}

# The instance block, in order: (field, catalogue text of its label)
INSTANCE_BLOCK = ("instance", "instance_type", "province", "year", "contact", "framework")

# Columns of the indicator table, in order: (field, width); headings come from ``template.col_*``
COLUMNS: list[tuple[str, int]] = [
    ("domain", 9),
    ("domain_name", 26),
    ("aspect", 9),
    ("aspect_name", 30),
    ("indicator", 11),
    ("name", 60),
    ("level", 11),
    ("justification", 50),
    ("evidence", 40),
]
# descriptive headings of the template's indicator table (not data fields), as the reader meets them
TEMPLATE_DESCRIPTIVE = (
    frozenset(
        norm_text(tr(f"template.col_{key}", lang))
        for key in ("domain", "domain_name", "aspect", "aspect_name", "name")
        for lang in LANGS
    )
    | OTHER_HEADINGS
)


def is_header_mark(cell) -> bool:
    """Whether a cell is the template's "Kode Indikator" heading (in either language)."""
    return norm_text(cell) in {norm_text(tr("template.col_indicator", lang)) for lang in LANGS}


_YELLOW = PatternFill("solid", fgColor="FFF7CC")
_SECTION = PatternFill("solid", fgColor="DCE6F1")
_HEAD = PatternFill("solid", fgColor="1F3864")
_THIN = Side(style="thin", color="B0B0B0")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED = Protection(locked=False)


def template_rows(fw: Framework, lang: str | None = None) -> list[dict]:
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
                rows.append({**base, "indicator": sub, "name": tr("template.service_n", lang, name=rec.name, n=k)})
        else:
            rows.append({**base, "indicator": rec.indicator, "name": rec.name})
    return rows


def _put(ws, row: int, column: int, value):
    """Write a cell; text always stays text (a name like ``=1+1`` never becomes a formula)."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def write_template(
    path: str | Path,
    fw: Framework | str,
    *,
    instance: Mapping[str, object] | None = None,
    levels: Mapping[str, Mapping[str, object]] | None = None,
    lang: str | None = None,
) -> Path:
    """Write an Excel submission template for framework ``fw`` to ``path`` (``.xlsx``).

    ``lang``: ``"id"`` (default) or ``"en"`` for the labels and instructions; the reader
    accepts both. ``instance`` pre-fills the instance block (keys: instance, instance_type,
    province, year, contact) and ``levels`` pre-fills indicator rows (code → {level,
    justification, evidence}); both are for generators and tests — an empty template is the
    usual use. Written atomically; returns the path written.
    """
    fw = load_framework(fw)
    lang = check_lang(lang)
    t = labels("template", lang)
    li = LANGS.index(lang)
    form_sheet, levels_sheet = SHEETS["form"][li], SHEETS["levels"][li]
    path = Path(path)
    instance = dict(instance or {})
    levels = levels or {}
    lo, hi = fw.level_min, fw.level_max
    wb = Workbook()
    ws = wb.active
    ws.title = form_sheet

    _put(ws, 1, 1, t["title"].format(title=fw.title)).font = Font(bold=True, size=14)
    if fw.decimals:
        text = t["instructions_decimal"].format(lo=lo, hi=hi, d=fw.decimals, sheet=levels_sheet,
                                                external=", ".join(fw.external_by_indicator) or "-",
                                                default=fw.format_value(fw.external_default or lo, lang))  # fmt: skip
    else:
        text = t["instructions"].format(lo=lo, hi=hi, sheet=levels_sheet)
    _put(ws, 2, 1, text).alignment = Alignment(wrap_text=False)

    row = 4
    for key in INSTANCE_BLOCK:
        _put(ws, row, 1, t[f"field_{key}"]).font = Font(bold=True)
        cell = _put(ws, row, 2, fw.name if key == "framework" else instance.get(key))
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
                errorTitle=t["type_error_title"],
                error=t["type_error"],
            )
            ws.add_data_validation(dv)
            dv.add(cell)
        row += 1

    header_row = row + 1
    for col, (key, width) in enumerate(COLUMNS, start=1):
        c = _put(ws, header_row, col, t[f"col_{key}"])
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = _HEAD
        c.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[c.column_letter].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)

    decimal = "_decimal" if fw.decimals else ""
    level_dv = DataValidation(
        type="decimal" if fw.decimals else "whole",
        operator="between",
        formula1=str(lo),
        formula2=str(hi),
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle=t["level_error_title"],
        error=t[f"level_error{decimal}"].format(lo=lo, hi=hi, d=fw.decimals),
        promptTitle=t["level_prompt_title"],
        prompt=t[f"level_prompt{decimal}"].format(lo=lo, hi=hi),
    )
    ws.add_data_validation(level_dv)

    r = header_row + 1
    last_dom = last_asp = None
    col_of = {key: i for i, (key, _w) in enumerate(COLUMNS, start=1)}
    for rec in template_rows(fw, lang):
        if rec["domain"] and rec["domain"] != last_dom:
            w = fw.domain_weights[rec["domain"]]
            _put(ws, r, 1, rec["domain"])
            _put(ws, r, 2, t["weighted"].format(name=rec["domain_name"], w=f"{w:g}"))
            for c in range(1, len(COLUMNS) + 1):
                ws.cell(row=r, column=c).fill = _SECTION
                ws.cell(row=r, column=c).font = Font(bold=True)
            last_dom = rec["domain"]
            r += 1
        if rec["aspect"] != last_asp:
            w = fw.aspect_weights[rec["aspect"]]
            _put(ws, r, 3, rec["aspect"])
            _put(ws, r, 4, t["weighted"].format(name=rec["aspect_name"], w=f"{w:g}"))
            for c in range(3, len(COLUMNS) + 1):
                ws.cell(row=r, column=c).font = Font(bold=True, italic=True)
            last_asp = rec["aspect"]
            r += 1
        filled = levels.get(rec["indicator"], {})
        for key in ("domain", "domain_name", "aspect", "aspect_name", "indicator", "name"):
            _put(ws, r, col_of[key], rec[key] or None)
        ws.cell(row=r, column=col_of["name"]).alignment = Alignment(wrap_text=True, vertical="top")
        for key in ("level", "justification", "evidence"):
            c = _put(ws, r, col_of[key], filled.get(key))
            c.fill = _YELLOW
            c.border = _BOX
            c.protection = _UNLOCKED
            if key != "level":
                c.alignment = Alignment(wrap_text=True, vertical="top")
        level_dv.add(ws.cell(row=r, column=col_of["level"]))
        if fw.decimals:
            ws.cell(row=r, column=col_of["level"]).number_format = "0." + "0" * fw.decimals
        r += 1
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    # ---- level names sheet
    lv = wb.create_sheet(levels_sheet)
    for c, text in enumerate((t["lv_kind"], t["lv_level"], t["lv_name"], t["lv_description"]), start=1):
        cell = _put(lv, 1, c, text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEAD
    kinds_used = list(dict.fromkeys(fw.indicators["kind"]))
    label_key = "label" if lang == "id" else "label_en"
    r = 2
    for kind in kinds_used:
        spec = fw.kinds[kind]
        for level in fw.levels:
            values = (spec.get(label_key, spec.get("label", kind)), level,
                      spec.get("level_names", {}).get(str(level), ""),
                      spec.get("level_descriptions", {}).get(str(level), ""))  # fmt: skip
            for c, v in enumerate(values, start=1):
                _put(lv, r, c, v)
            r += 1
    for letter, width in zip("ABCD", (26, 9, 26, 90)):
        lv.column_dimensions[letter].width = width
    r += 1
    _put(lv, r, 1, t["lv_per_kind"])
    for kind in kinds_used:
        r += 1
        codes = fw.indicators.loc[fw.indicators["kind"] == kind, "indicator"]
        _put(lv, r, 1, fw.kinds[kind].get(label_key, fw.kinds[kind].get("label", kind)))
        _put(lv, r, 3, f"{codes.iat[0]}–{codes.iat[-1]}")
    lv.protection.sheet = True

    # ---- hidden metadata sheet: what the reader checks first
    meta = wb.create_sheet(SHEET_META)
    for k, v in (("template_version", TEMPLATE_VERSION), ("framework", fw.name), ("producer", "spbe-toolkit"),
                 ("lang", lang)):  # fmt: skip
        meta.append([k, v])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path

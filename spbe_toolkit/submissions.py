"""Submissions (Excel template, long or wide CSV/XLSX, JSON) → tidy levels + a problems report.

The loader is forgiving but honest: it accepts what a person plausibly meant and reports
every change it makes as a warning; anything it cannot read with certainty is an error.
An instance (one file, or one instance inside a national export) with an error is not
loaded, while every other instance is. Nothing is ever evaluated: formulas contribute their
cached value only, and names are kept as data.

Accepted level cells (see README, "Format masukan"):

=====================  =========  =========================================
cell                    result     report
=====================  =========  =========================================
``3`` / ``3.0``         3          —
``"3"``                 3          —
``"3,0"`` / ``"3.0"``   3          warning ``level_text_decimal``
``"3 - Terdefinisi"``   3          warning ``level_with_name`` (name must fit)
``"tiga"``              3          warning ``level_word``
``"Terdefinisi"``       3          warning ``level_name_only``
``2.5`` / ``"2,5"``     —          error ``level_decimal``
empty                   —          error ``level_empty``
out of range            —          error ``level_range``
anything else           —          error ``level_not_number``
=====================  =========  =========================================
"""

from __future__ import annotations

import csv
import glob
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from spbe_toolkit.errors import SubmissionError
from spbe_toolkit.frameworks import Framework, list_frameworks, load_framework
from spbe_toolkit.scoring import show_value
from spbe_toolkit.templates import (
    HEADER_MARK,
    INSTANCE_FIELDS,
    INSTANCE_TYPES,
    SHEET_FORM,
    SHEET_LEVELS,
    SHEET_META,
)

MAX_FILE_BYTES = 20 * 1024 * 1024  # files above this are refused, not read
HEADER_SEARCH_ROWS = 25
SUPPORTED = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv", ".txt": "csv", ".json": "json"}
DEFAULT_STAGE = "mandiri"

PROBLEM_COLUMNS = ["file", "sheet", "row", "instance", "indicator", "severity", "code", "pesan", "message"]

# code → (Indonesian, English); ``{…}`` fields are filled from the problem's parameters
MESSAGES: dict[str, tuple[str, str]] = {
    "file_missing": ("Berkas tidak ditemukan.", "File not found."),
    "file_empty": ("Berkas kosong.", "The file is empty."),
    "file_too_large": (
        "Berkas berukuran {size} MB melebihi batas {limit} MB; tidak dibaca.",
        "File is {size} MB, above the {limit} MB limit; not read.",
    ),
    "file_type": ("Jenis berkas {ext} tidak didukung.", "File type {ext} is not supported."),
    "not_xlsx": (
        "Berkas bukan lembar kerja Excel (.xlsx) yang sah, meskipun berekstensi {ext}.",
        "Not a valid Excel (.xlsx) workbook although it is named {ext}.",
    ),
    "encrypted": (
        "Buku kerja terkunci kata sandi (terenkripsi) atau berformat lama; buka kuncinya lalu simpan ulang sebagai .xlsx.",
        "The workbook is password-protected (encrypted) or in a legacy format; remove the password and save it again as .xlsx.",
    ),
    "corrupt": (
        "Buku kerja rusak dan tidak dapat dibaca ({detail}).",
        "The workbook is damaged and cannot be read ({detail}).",
    ),
    "encoding": (
        "Teks bukan UTF-8; dibaca sebagai Windows-1252. Periksa huruf beraksen.",
        "Text is not UTF-8; read as Windows-1252. Check accented letters.",
    ),
    "bad_json": ("JSON tidak sah: {detail}.", "Invalid JSON: {detail}."),
    "no_header": (
        "Baris judul kolom tidak ditemukan (dicari pada {n} baris pertama).",
        "No header row found (searched the first {n} rows).",
    ),
    "header_row": (
        "Judul kolom ditemukan di baris {found}, bukan di baris 1.",
        "Header found in row {found}, not in row 1.",
    ),
    "column_ignored": ("Kolom '{column}' tidak dikenal dan diabaikan.", "Unknown column '{column}' ignored."),
    "extra_sheet": ("Lembar '{sheet}' tidak dikenal dan diabaikan.", "Unknown sheet '{sheet}' ignored."),
    "merged_cells": (
        "Sel tergabung {ref} pada tabel indikator; hanya sel kiri-atas yang terbaca.",
        "Merged cells {ref} in the indicator table; only the top-left cell is read.",
    ),
    "formula": (
        "Nilai sel {cell} berasal dari rumus; dipakai nilai tersimpan {value} (rumus tidak dihitung ulang).",
        "Cell {cell} holds a formula; its cached value {value} is used (the formula is not evaluated).",
    ),
    "instance_missing": ("Nama instansi kosong.", "Instance name is empty."),
    "indicator_code_normalised": (
        "Kode indikator '{value}' dibaca sebagai '{to}'.",
        "Indicator code '{value}' read as '{to}'.",
    ),
    "name_trimmed": (
        "Spasi di awal/akhir nama instansi dihapus.",
        "Leading/trailing spaces removed from the instance name.",
    ),
    "type_unknown": (
        "Jenis instansi '{value}' tidak dikenal (pilihan: {choices}).",
        "Unknown instance type '{value}' (choices: {choices}).",
    ),
    "type_normalised": ("Jenis instansi '{value}' dibaca sebagai '{to}'.", "Instance type '{value}' read as '{to}'."),
    "year_missing": ("Tahun evaluasi kosong.", "Evaluation year is empty."),
    "year_invalid": ("Tahun evaluasi '{value}' tidak sah.", "Evaluation year '{value}' is not valid."),
    "wrong_framework": (
        "Berkas ini untuk kerangka {found}, bukan {expected}.",
        "This file is for framework {found}, not {expected}.",
    ),
    "indicator_unknown": (
        "Kode indikator '{value}' tidak ada dalam kerangka {fw}.",
        "Indicator code '{value}' is not in framework {fw}.",
    ),
    "indicator_missing": ("Indikator {indicator} tidak diisi.", "Indicator {indicator} is missing."),
    "indicator_duplicate": (
        "Indikator {indicator} muncul lebih dari sekali (baris {rows}).",
        "Indicator {indicator} appears more than once (rows {rows}).",
    ),
    "subitem_conflict": (
        "Indikator {indicator} diisi utuh sekaligus per subbutir.",
        "Indicator {indicator} given both whole and as sub-items.",
    ),
    "instance_duplicate": (
        "Instansi '{instance}' tahun {year} juga dikirim dalam {other}.",
        "Instance '{instance}' for {year} is also submitted in {other}.",
    ),
    "level_empty": ("Tingkat kosong.", "Level is empty."),
    "level_decimal": ("Tingkat '{value}' bukan bilangan bulat.", "Level '{value}' is not a whole number."),
    "level_range": ("Tingkat {value} di luar rentang {lo}–{hi}.", "Level {value} is outside {lo}–{hi}."),
    "level_not_number": (
        "Tingkat '{value}' tidak dapat dibaca sebagai angka.",
        "Level '{value}' cannot be read as a number.",
    ),
    "level_text_decimal": ("Tingkat '{value}' dibaca sebagai {to}.", "Level '{value}' read as {to}."),
    "level_with_name": ("Tingkat '{value}' dibaca sebagai {to}.", "Level '{value}' read as {to}."),
    "level_word": ("Tingkat '{value}' (kata) dibaca sebagai {to}.", "Level '{value}' (a word) read as {to}."),
    "level_name_only": ("Nama tingkat '{value}' dibaca sebagai {to}.", "Level name '{value}' read as {to}."),
    "level_name_mismatch": (
        "Tingkat '{value}': angka {num} tidak cocok dengan nama '{name}' (tingkat {name_level}).",
        "Level '{value}': number {num} does not match the name '{name}' (level {name_level}).",
    ),
}

_NUMBER_WORDS = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5}
_TYPE_ALIASES = {
    "kementerian": "Kementerian",
    "lpnk": "LPNK",
    "lembaga pemerintah non kementerian": "LPNK",
    "lembaga pemerintah nonkementerian": "LPNK",
    "lns": "LNS",
    "lembaga non struktural": "LNS",
    "lembaga nonstruktural": "LNS",
    "instansi lainnya": "Instansi Lainnya",
    "lainnya": "Instansi Lainnya",
    "pemerintah provinsi": "Pemerintah Provinsi",
    "provinsi": "Pemerintah Provinsi",
    "pemprov": "Pemerintah Provinsi",
    "pemerintah kabupaten": "Pemerintah Kabupaten",
    "kabupaten": "Pemerintah Kabupaten",
    "pemkab": "Pemerintah Kabupaten",
    "kab": "Pemerintah Kabupaten",
    "pemerintah kota": "Pemerintah Kota",
    "kota": "Pemerintah Kota",
    "pemkot": "Pemerintah Kota",
}

# table column aliases (normalised: lower case, single spaces)
_COLUMN_ALIASES = {
    "instance": {"instance", "instansi", "nama instansi", "instance name", "nama"},
    "indicator": {
        "indicator",
        "indikator",
        "kode indikator",
        "indicator code",
        "kode",
        "no indikator",
        "nomor indikator",
    },
    "level": {"level", "tingkat", "tingkat (level)", "nilai", "tingkat kematangan", "maturity level"},
    "justification": {"justification", "justifikasi", "penjelasan", "penjelasan / justifikasi", "keterangan"},
    "evidence": {"evidence", "bukti", "bukti dukung", "tautan bukti dukung", "evidence link", "tautan"},
    "stage": {"stage", "tahap", "tahapan"},
    "instance_type": {"instance_type", "instance type", "jenis", "jenis instansi", "type"},
    "province": {"province", "provinsi"},
    "year": {"year", "tahun", "tahun evaluasi"},
    "contact": {"contact", "kontak", "narahubung"},
    "framework": {"framework", "kerangka", "kerangka evaluasi"},
}
_TEMPLATE_DESCRIPTIVE = {"kode domain", "domain", "kode aspek", "aspek"}
_ALIAS_TO_KEY = {alias: key for key, aliases in _COLUMN_ALIASES.items() for alias in aliases}
_META_KEYS = ("instance_type", "province", "year", "contact", "framework")


def _norm(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text if text is not None else "")).strip().lower()


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "") or (isinstance(v, float) and np.isnan(v))


def _code(v: Any) -> str:
    """Indicator code as text (7, 7.0, "7", "I7", "Indikator 7" → "7"; "35a" stays)."""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else str(v)
    s = str(v).strip()
    m = re.fullmatch(r"(?i)(?:indikator|indicator|ind\.?|i)\s*0*(\d+[a-z]?)", s)
    if m:
        return m.group(1).lower()
    if re.fullmatch(r"\d+\.0+", s):
        return s.split(".")[0]
    return s


@dataclass
class _Unit:
    """One instance read from one file (a template, or a group of rows in a table)."""

    file: str
    sheet: str | None
    instance: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # indicator, level, justification, evidence, stage, row
    meta_row: int | None = None


class _Report:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(
        self, severity: str, code: str, file: str, *, sheet=None, row=None, instance=None, indicator=None, **params
    ):
        id_t, en_t = MESSAGES[code]
        params = {"sheet": sheet, "instance": instance, "indicator": indicator, **params}
        self.items.append(
            {
                "file": file,
                "sheet": sheet,
                "row": row,
                "instance": instance,
                "indicator": indicator,
                "severity": severity,
                "code": code,
                "pesan": id_t.format(**params),
                "message": en_t.format(**params),
            }
        )

    def error(self, code, file, **kw):
        self.add("error", code, file, **kw)

    def warning(self, code, file, **kw):
        self.add("warning", code, file, **kw)


# --------------------------------------------------------------------------- result
@dataclass
class Submissions:
    """What :func:`read_submissions` returns.

    * ``levels`` — tidy table of every loaded instance: instance, indicator, level (int),
      justification, evidence, stage, file, sheet, row;
    * ``instances`` — one row per instance found: metadata, file, status (``ok`` /
      ``warnings`` / ``errors``), counts, and ``loaded`` (False when errors kept it out);
    * ``problems`` — one row per problem: file, sheet, row, instance, indicator, severity,
      code, pesan (Indonesian), message (English);
    * ``files`` — one row per file: format, instances, errors, warnings, status.
    """

    framework: Framework
    levels: pd.DataFrame
    instances: pd.DataFrame
    problems: pd.DataFrame
    files: pd.DataFrame

    @property
    def ok(self) -> bool:
        return not (self.problems["severity"] == "error").any()

    def score(self, predicate_basis: str = "exact") -> pd.DataFrame:
        """Scores of the loaded (error-free) instances, one row per instance and stage."""
        from spbe_toolkit.scoring import score

        return score(self.levels, self.framework, predicate_basis=predicate_basis)

    def problem_table(self, lang: str = "id") -> pd.DataFrame:
        """The problems as an evaluator reads them: file name only, one message language."""
        p = self.problems.copy()
        p["file"] = p["file"].map(lambda f: Path(f).name)
        msg = "pesan" if lang == "id" else "message"
        cols = ["file", "sheet", "row", "instance", "indicator", "severity", msg]
        heads = (
            ["Berkas", "Lembar", "Baris", "Instansi", "Indikator", "Tingkat masalah", "Pesan"]
            if lang == "id"
            else ["File", "Sheet", "Row", "Instance", "Indicator", "Severity", "Message"]
        )
        out = p[cols].copy()
        if lang == "id":
            out["severity"] = out["severity"].map({"error": "galat", "warning": "peringatan"})
        out.columns = heads
        return out.astype(object).where(out.notna(), "")

    def file_table(self, lang: str = "id") -> pd.DataFrame:
        """The per-file summary as an evaluator reads it: file name, format, instances, status, counts."""
        f = self.files.assign(file=self.files["file"].map(lambda x: Path(x).name))
        if lang != "id":
            return f
        status = {"ok": "baik", "warnings": "ada peringatan", "errors": "ada galat"}
        return f.assign(status=f["status"].map(status)).rename(
            columns={
                "file": "Berkas",
                "format": "Format",
                "n_instances": "Instansi",
                "errors": "Galat",
                "warnings": "Peringatan",
                "status": "Status",
            }
        )[["Berkas", "Format", "Instansi", "Status", "Galat", "Peringatan"]]

    def write_problems(self, path: str | Path) -> Path:
        """Write the problems table to ``.csv`` or ``.xlsx``."""
        path = Path(path)
        if path.suffix.lower() == ".xlsx":
            self.problems.to_excel(path, index=False, sheet_name="Masalah")
        else:
            self.problems.to_csv(path, index=False, encoding="utf-8")
        return path

    def __repr__(self) -> str:
        n_err = int((self.problems["severity"] == "error").sum())
        n_warn = int((self.problems["severity"] == "warning").sum())
        loaded = int(self.instances["loaded"].sum()) if len(self.instances) else 0
        return (
            f"<Submissions {self.framework.name}: {len(self.files)} file(s), {loaded}/{len(self.instances)} "
            f"instance(s) loaded, {n_err} error(s), {n_warn} warning(s)>"
        )


# --------------------------------------------------------------------------- paths
def expand_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Files, folders (recursively: supported extensions only) and glob patterns → sorted files."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in paths:
        s = str(p)
        if any(ch in s for ch in "*?[") and not Path(s).exists():
            out.extend(Path(m) for m in sorted(glob.glob(s, recursive=True)) if Path(m).is_file())
            continue
        path = Path(p)
        if path.is_dir():
            found = [
                f
                for f in path.rglob("*")
                if f.is_file() and f.suffix.lower() in SUPPORTED and not f.name.startswith(("~$", "."))
            ]
            out.extend(sorted(found))
        else:
            out.append(path)
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


# --------------------------------------------------------------------------- xlsx
def _xlsx_sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
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


def _cell_ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _xlsx_formulas_and_merges(path: Path, sheet: str) -> tuple[set[tuple[int, int]], list[str]]:
    """Cells (row, col; 1-based) holding formulas, and merged ranges, from the sheet XML."""
    formulas: set[tuple[int, int]] = set()
    merges: list[str] = []
    with zipfile.ZipFile(path) as zf:
        target = _xlsx_sheet_paths(zf).get(sheet)
        if not target:
            return formulas, merges
        with zf.open(target) as fh:
            current = None
            for event, el in ET.iterparse(fh, events=("start", "end")):
                tag = el.tag.rsplit("}", 1)[-1]
                if event == "start" and tag == "c":
                    current = el.get("r")
                elif event == "end" and tag == "f" and current:
                    formulas.add(_cell_ref(current))
                elif event == "end" and tag == "mergeCell":
                    merges.append(el.get("ref"))
                elif event == "end" and tag == "row":
                    el.clear()
    return formulas, merges


def _xlsx_rows(path: Path, engine: str) -> dict[str, list[list[Any]]]:
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


# --------------------------------------------------------------------------- level parsing
def _level_name_map(fw: Framework) -> dict[str, dict[str, int]]:
    """kind → {normalised level name → level}."""
    out = {}
    for kind, spec in fw.kinds.items():
        out[kind] = {_norm(name): int(lv) for lv, name in spec.get("level_names", {}).items()}
    return out


class _LevelParser:
    def __init__(self, fw: Framework) -> None:
        self.fw = fw
        self.names = _level_name_map(fw)
        parent = fw.subitem_parent
        kinds = dict(zip(fw.indicators["indicator"], fw.indicators["kind"]))
        self.kind_of = {**kinds, **{s: kinds[p] for s, p in parent.items()}}

    def parse(self, raw: Any, indicator: str) -> tuple[int | None, list[tuple[str, str, dict]]]:
        """→ (level or None, [(severity, code, params)])."""
        fw = self.fw
        notes: list[tuple[str, str, dict]] = []
        lo, hi = fw.level_min, fw.level_max
        value: int | None = None
        if _blank(raw):
            return None, [("error", "level_empty", {})]
        if isinstance(raw, bool):
            return None, [("error", "level_not_number", {"value": raw})]
        if isinstance(raw, (int, np.integer)):
            value = int(raw)
        elif isinstance(raw, (float, np.floating)):
            if not float(raw).is_integer():
                return None, [("error", "level_decimal", {"value": f"{raw:g}"})]
            value = int(raw)
        else:
            s = str(raw).strip()
            names = self.names.get(self.kind_of.get(indicator, ""), {})
            if re.fullmatch(r"[+-]?\d+", s):
                value = int(s)
            elif m := re.fullmatch(r"(\d+)[.,](\d+)", s):
                if int(m.group(2)) != 0:
                    return None, [("error", "level_decimal", {"value": s})]
                value = int(m.group(1))
                notes.append(("warning", "level_text_decimal", {"value": s, "to": value}))
            elif m := re.fullmatch(r"(\d+)\s*[-–—:.)]\s*(.+)", s):
                num, name = int(m.group(1)), _norm(m.group(2))
                if name in names and names[name] != num:
                    return None, [
                        (
                            "error",
                            "level_name_mismatch",
                            {"value": s, "num": num, "name": m.group(2).strip(), "name_level": names[name]},
                        )
                    ]
                if name not in names:
                    return None, [("error", "level_not_number", {"value": s})]
                value = num
                notes.append(("warning", "level_with_name", {"value": s, "to": value}))
            elif _norm(s) in _NUMBER_WORDS:
                value = _NUMBER_WORDS[_norm(s)]
                notes.append(("warning", "level_word", {"value": s, "to": value}))
            elif _norm(s) in names:
                value = names[_norm(s)]
                notes.append(("warning", "level_name_only", {"value": s, "to": value}))
            else:
                return None, [("error", "level_not_number", {"value": s})]
        if not lo <= value <= hi:
            return None, [("error", "level_range", {"value": value, "lo": lo, "hi": hi})]
        return value, notes


# --------------------------------------------------------------------------- readers
def _find_header(rows: list[list[Any]], fw: Framework) -> tuple[int, dict[str, int], dict[str, int], list[str]] | None:
    """Locate the header row: → (row index, {key: col}, {indicator code: col}, ignored headings)."""
    valid_codes = set(fw.codes) | set(fw.subitem_parent)
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys: dict[str, int] = {}
        codes: dict[str, int] = {}
        ignored: list[str] = []
        for c, cell in enumerate(row):
            if _blank(cell):
                continue
            n = _norm(cell)
            if n in _ALIAS_TO_KEY and _ALIAS_TO_KEY[n] not in keys:
                keys[_ALIAS_TO_KEY[n]] = c
            elif n in _TEMPLATE_DESCRIPTIVE or n in {"indikator", "indicator name", "nama indikator"}:
                continue
            else:
                code = _code(cell)
                if re.fullmatch(r"\d+[a-z]?", code):
                    codes[code] = c
                else:
                    ignored.append(str(cell))
        if "instance" in keys and "indicator" in keys and "level" in keys:
            return r, keys, {}, ignored
        if "indicator" in keys and "level" in keys and _norm(row[keys["indicator"]]) == _norm(HEADER_MARK):
            return r, keys, {}, ignored  # template table (instance comes from the block above)
        if "instance" in keys and len(codes) >= 3 and len(set(codes) & valid_codes) >= 1:
            return r, keys, codes, ignored
    return None


def _read_template_sheet(file: str, sheet: str, rows: list[list[Any]], header, rep: _Report) -> _Unit | None:
    r0, keys, _codes, _ignored = header
    meta: dict[str, Any] = {}
    meta_row = None
    for r in range(r0):
        row = rows[r]
        if len(row) < 2 or _blank(row[0]):
            continue
        label = _norm(row[0])
        for key, _label, aliases in INSTANCE_FIELDS:
            if label in aliases or label.rstrip(":") in aliases:
                meta[key] = None if _blank(row[1]) else row[1]
                if key == "instance":
                    meta_row = r + 1
    unit = _Unit(file=file, sheet=sheet, instance=meta.pop("instance", None), meta=meta, meta_row=meta_row)
    ind_col = keys["indicator"]
    for r in range(r0 + 1, len(rows)):
        row = rows[r]
        cell = row[ind_col] if ind_col < len(row) else None
        get = lambda k, row=row: row[keys[k]] if k in keys and keys[k] < len(row) else None  # noqa: E731
        if _blank(cell):
            if not _blank(get("level")):
                rep.error("indicator_unknown", file, sheet=sheet, row=r + 1, instance=unit.instance, value="", fw="?")
            continue
        unit.rows.append(
            {
                "indicator": _code(cell),
                "raw_indicator": cell,
                "level": get("level"),
                "justification": get("justification"),
                "evidence": get("evidence"),
                "stage": get("stage"),
                "row": r + 1,
                "col": keys["level"] + 1,
            }
        )
    return unit


def _read_table(file: str, sheet: str | None, rows: list[list[Any]], header, rep: _Report) -> list[_Unit]:
    r0, keys, codes, ignored = header
    for heading in ignored:
        rep.warning("column_ignored", file, sheet=sheet, row=r0 + 1, column=heading)
    units: dict[Any, _Unit] = {}
    inst_col = keys["instance"]

    def get(row, k):
        return row[keys[k]] if k in keys and keys[k] < len(row) else None

    for r in range(r0 + 1, len(rows)):
        row = rows[r]
        if all(_blank(v) for v in row):
            continue
        inst = row[inst_col] if inst_col < len(row) else None
        key = None if _blank(inst) else str(inst)
        if key is None:
            rep.error("instance_missing", file, sheet=sheet, row=r + 1)
            continue
        unit = units.get(key)
        if unit is None:
            meta = {k: get(row, k) for k in _META_KEYS if k in keys}
            unit = units[key] = _Unit(file=file, sheet=sheet, instance=inst, meta=meta, meta_row=r + 1)
        if codes:  # wide: one row per instance
            for code, c in codes.items():
                unit.rows.append(
                    {
                        "indicator": code,
                        "raw_indicator": rows[r0][c],
                        "level": row[c] if c < len(row) else None,
                        "justification": None,
                        "evidence": None,
                        "stage": get(row, "stage"),
                        "row": r + 1,
                        "col": c + 1,
                    }
                )
        else:
            ind = get(row, "indicator")
            unit.rows.append(
                {
                    "indicator": "" if _blank(ind) else _code(ind),
                    "raw_indicator": ind,
                    "level": get(row, "level"),
                    "justification": get(row, "justification"),
                    "evidence": get(row, "evidence"),
                    "stage": get(row, "stage"),
                    "row": r + 1,
                    "col": keys["level"] + 1,
                }
            )
    return list(units.values())


def _read_xlsx(path: Path, fw: Framework, rep: _Report, engine: str) -> list[_Unit]:
    file = str(path)
    head = path.open("rb").read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        rep.error("encrypted", file)
        return []
    if not head.startswith(b"PK"):
        rep.error("not_xlsx", file, ext=path.suffix)
        return []
    try:
        sheets = _xlsx_rows(path, engine)
    except Exception as exc:  # calamine/openpyxl raise many types for damaged zips
        rep.error("corrupt", file, detail=f"{type(exc).__name__}: {str(exc)[:120]}")
        return []
    meta_fw = None
    if SHEET_META in sheets:
        for row in sheets[SHEET_META]:
            if len(row) >= 2 and _norm(row[0]) == "framework":
                meta_fw = str(row[1])
    if meta_fw and meta_fw != fw.name:
        rep.error("wrong_framework", file, sheet=SHEET_META, found=meta_fw, expected=fw.name)
        return []
    units: list[_Unit] = []
    used_any = False
    for name, rows in sheets.items():
        if name in (SHEET_LEVELS, SHEET_META):
            continue
        header = _find_header(rows, fw)
        if header is None:
            if any(not _blank(v) for row in rows for v in row):
                rep.warning("extra_sheet", file, sheet=name)
            continue
        used_any = True
        is_template = "instance" not in header[1]
        if is_template:
            unit = _read_template_sheet(file, name, rows, header, rep)
            if unit:
                units.append(unit)
        else:
            if header[0] > 0:
                rep.warning("header_row", file, sheet=name, row=header[0] + 1, found=header[0] + 1)
            units.extend(_read_table(file, name, rows, header, rep))
        try:
            formulas, merges = _xlsx_formulas_and_merges(path, name)
        except (KeyError, zipfile.BadZipFile, ET.ParseError):
            formulas, merges = set(), []
        first_data_row = header[0] + 2
        sheet_units = [u for u in units if u.sheet == name]
        for ref in merges:
            start = _cell_ref(ref.split(":")[0])
            end = _cell_ref(ref.split(":")[-1])
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
                            cell=f"{_col_letter(rec['col'])}{rec['row']}",
                            value="(kosong)" if _blank(rec["level"]) else show_value(rec["level"]),
                        )
    if not used_any:
        rep.error("no_header", file, n=HEADER_SEARCH_ROWS)
    return units


def _col_letter(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def _decode_text(path: Path, rep: _Report) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        rep.warning("encoding", str(path))
        return data.decode("cp1252", errors="replace")


def _read_csv(path: Path, fw: Framework, rep: _Report) -> list[_Unit]:
    text = _decode_text(path, rep)
    if not text.strip():
        rep.error("file_empty", str(path))
        return []
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delim)]
    header = _find_header(rows, fw)
    if header is None:
        rep.error("no_header", str(path), n=HEADER_SEARCH_ROWS)
        return []
    if header[0] > 0:
        rep.warning("header_row", str(path), row=header[0] + 1, found=header[0] + 1)
    if "instance" not in header[1]:
        rep.error("no_header", str(path), n=HEADER_SEARCH_ROWS)
        return []
    return _read_table(str(path), None, rows, header, rep)


def _read_json(path: Path, fw: Framework, rep: _Report) -> list[_Unit]:
    file = str(path)
    text = _decode_text(path, rep)
    if not text.strip():
        rep.error("file_empty", file)
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        rep.error("bad_json", file, detail=f"{exc.msg} (baris/line {exc.lineno})")
        return []
    if isinstance(data, dict) and "submissions" in data:
        data = data["submissions"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        rep.error("bad_json", file, detail="expected an object or a list")
        return []
    units = []
    if data and all(isinstance(d, dict) and "indicator" in d for d in data):  # records (long)
        rows = [["instance", "indicator", "level", "justification", "evidence", "stage"]]
        rows += [[d.get(k) for k in rows[0]] for d in data]
        header = _find_header(rows, fw)
        return _read_table(file, None, rows, header, rep)
    for i, sub in enumerate(data):
        if not isinstance(sub, dict):
            rep.error("bad_json", file, detail=f"item {i + 1} is not an object")
            continue
        inst = sub.get("instance")
        meta = {}
        if isinstance(inst, dict):
            meta = {k: inst.get(k) for k in _META_KEYS if k in inst}
            inst = inst.get("name", inst.get("instance"))
        for k in _META_KEYS:
            if k in sub and k not in meta:
                meta[k] = sub[k]
        unit = _Unit(file=file, sheet=None, instance=inst, meta=meta, meta_row=None)
        levels = sub.get("levels", [])
        if isinstance(levels, dict):
            levels = [{"indicator": k, "level": v} for k, v in levels.items()]
        for j, rec in enumerate(levels):
            if not isinstance(rec, dict):
                rec = {"indicator": None, "level": rec}
            ind = rec.get("indicator")
            unit.rows.append(
                {
                    "indicator": "" if _blank(ind) else _code(ind),
                    "raw_indicator": ind,
                    "level": rec.get("level"),
                    "justification": rec.get("justification"),
                    "evidence": rec.get("evidence"),
                    "stage": rec.get("stage"),
                    "row": j + 1,
                    "col": None,
                }
            )
        units.append(unit)
    return units


# --------------------------------------------------------------------------- checks
def _guess_framework(codes: set[str], fw: Framework) -> str | None:
    """Another built-in framework whose indicator set the codes match (nearly) exactly, if any.

    Only a near-exact match counts (Jaccard ≥ 0.95 and better than ``fw``), so a file that
    merely misses a few indicators is reported as missing indicators, not as the wrong framework.
    """

    def fit(other: Framework) -> float:
        given = {other.subitem_parent.get(c, c) for c in codes}
        wanted = set(other.codes)
        return len(given & wanted) / max(len(given | wanted), 1)

    own = fit(fw)
    best, best_fit = None, 0.0
    for name in list_frameworks():
        if name == fw.name:
            continue
        f = fit(load_framework(name))
        if f > best_fit:
            best, best_fit = name, f
    return best if best_fit >= 0.95 and best_fit > own else None


def _check_unit(unit: _Unit, fw: Framework, parser: _LevelParser, rep: _Report) -> list[dict[str, Any]]:
    """Validate one instance; report problems; return its good rows."""
    file, sheet = unit.file, unit.sheet
    inst = unit.instance
    if _blank(inst):
        rep.error("instance_missing", file, sheet=sheet, row=unit.meta_row)
        unit.instance = None
        return []
    if not isinstance(inst, str):
        inst = str(inst)
    if inst != inst.strip():
        rep.warning("name_trimmed", file, sheet=sheet, row=unit.meta_row, instance=inst.strip())
        inst = inst.strip()
    unit.instance = inst

    # metadata
    t = unit.meta.get("instance_type")
    if not _blank(t):
        norm = _norm(t).rstrip(".")
        if str(t).strip() in INSTANCE_TYPES:
            unit.meta["instance_type"] = str(t).strip()
        elif norm in _TYPE_ALIASES:
            unit.meta["instance_type"] = _TYPE_ALIASES[norm]
            rep.warning(
                "type_normalised", file, sheet=sheet, row=unit.meta_row, instance=inst, value=t, to=_TYPE_ALIASES[norm]
            )
        else:
            rep.error(
                "type_unknown",
                file,
                sheet=sheet,
                row=unit.meta_row,
                instance=inst,
                value=t,
                choices=", ".join(INSTANCE_TYPES),
            )
            unit.meta["instance_type"] = None
    y = unit.meta.get("year")
    if "year" in unit.meta or unit.sheet == SHEET_FORM:
        if _blank(y):
            rep.warning("year_missing", file, sheet=sheet, row=unit.meta_row, instance=inst)
            unit.meta["year"] = None
        else:
            try:
                yi = int(float(str(y).strip()))
                if not 2000 <= yi <= 2100 or float(str(y).strip()) != yi:
                    raise ValueError
                unit.meta["year"] = yi
            except ValueError:
                rep.error("year_invalid", file, sheet=sheet, row=unit.meta_row, instance=inst, value=y)
                unit.meta["year"] = None
    fwname = unit.meta.get("framework")
    if not _blank(fwname) and str(fwname).strip() != fw.name:
        rep.error(
            "wrong_framework", file, sheet=sheet, row=unit.meta_row, instance=inst, found=fwname, expected=fw.name
        )
        return []

    valid = set(fw.codes) | set(fw.subitem_parent)
    codes = {r["indicator"] for r in unit.rows if r["indicator"]}
    if codes != valid:
        guess = _guess_framework(codes, fw)
        if guess:
            rep.error(
                "wrong_framework", file, sheet=sheet, row=unit.meta_row, instance=inst,
                found=guess, expected=fw.name,
            )  # fmt: skip
            return []

    # codes written differently ("I7", "Indikator 7") are read as the framework's code: say so once per spelling
    renamed = {}
    for rec in unit.rows:
        raw = rec["raw_indicator"]
        if isinstance(raw, str) and rec["indicator"] and raw.strip() != rec["indicator"] and raw.strip() not in renamed:
            renamed[raw.strip()] = (rec["indicator"], rec["row"])
    for raw, (code, row) in renamed.items():
        rep.warning(
            "indicator_code_normalised", file, sheet=sheet, row=row, instance=inst, indicator=code, value=raw, to=code
        )

    good: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], list[int]] = {}
    for rec in unit.rows:
        code = rec["indicator"]
        row = rec["row"]
        if code not in valid:
            shown = rec["raw_indicator"] if not _blank(rec["raw_indicator"]) else ""
            rep.error(
                "indicator_unknown",
                file,
                sheet=sheet,
                row=row,
                instance=inst,
                indicator=code or None,
                value=shown,
                fw=fw.name,
            )
            continue
        stage = DEFAULT_STAGE if _blank(rec["stage"]) else str(rec["stage"]).strip().lower()
        seen.setdefault((stage, code), []).append(row)
        level, notes = parser.parse(rec["level"], code)
        for severity, mcode, params in notes:
            rep.add(severity, mcode, file, sheet=sheet, row=row, instance=inst, indicator=code, **params)
        if level is None:
            continue
        good.append(
            {
                "instance": inst,
                "indicator": code,
                "level": level,
                "justification": None if _blank(rec["justification"]) else str(rec["justification"]),
                "evidence": None if _blank(rec["evidence"]) else str(rec["evidence"]),
                "stage": stage,
                "file": file,
                "sheet": sheet,
                "row": row,
            }
        )
    for (_stage, code), rows in seen.items():
        if len(rows) > 1:
            rep.error(
                "indicator_duplicate",
                file,
                sheet=sheet,
                row=rows[1],
                instance=inst,
                indicator=code,
                rows=", ".join(map(str, rows)),
            )
    # completeness per stage
    stages = {s for s, _ in seen} or {DEFAULT_STAGE}
    for stage in sorted(stages):
        present = {c for s, c in seen if s == stage}
        for code, subs in zip(fw.codes, fw.indicators["subitems"]):
            have_whole = code in present
            have_sub = [s for s in subs if s in present]
            if have_whole and have_sub:
                rep.error("subitem_conflict", file, sheet=sheet, instance=inst, indicator=code)
            elif not have_whole and not have_sub:
                rep.error("indicator_missing", file, sheet=sheet, instance=inst, indicator=code)
    return good


# --------------------------------------------------------------------------- entry point
def read_submissions(
    paths: str | Path | Iterable[str | Path],
    fw: Framework | str,
    strict: bool = False,
    *,
    engine: str = "calamine",
    max_bytes: int = MAX_FILE_BYTES,
    progress: bool | None = None,
) -> Submissions:
    """Read submissions from files, folders (recursively) or glob patterns.

    Formats: the toolkit's Excel template; a long table (instance, indicator, level
    [, justification, evidence, stage]) as CSV or XLSX; a wide table (one row per instance,
    one column per indicator) as CSV or XLSX; JSON (``{"instance": …, "levels": […]}``, a
    list of those, or records). Headers may be Indonesian or English and need not be in row 1.

    An instance with any error is reported and left out of ``levels``; every other instance
    loads. ``strict=True`` raises :class:`SubmissionError` carrying the problems table when
    there is any error. ``engine`` is ``"calamine"`` (fast, default) or ``"openpyxl"``.
    Files above ``max_bytes`` are refused unread.
    """
    fw = load_framework(fw)
    if engine not in ("calamine", "openpyxl"):
        raise ValueError(f"engine must be 'calamine' or 'openpyxl', got {engine!r}")
    files = expand_paths(paths)
    rep = _Report()
    parser = _LevelParser(fw)
    units: list[_Unit] = []
    file_rows = []
    iterator: Sequence[Path] | Any = files
    if progress is None:
        progress = len(files) > 5
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(files, desc="Membaca berkas", unit="berkas")
    for path in iterator:
        file = str(path)
        before = len(rep.items)
        fmt = SUPPORTED.get(path.suffix.lower())
        file_units: list[_Unit] = []
        if not path.is_file():
            rep.error("file_missing", file)
        elif fmt is None:
            rep.error("file_type", file, ext=path.suffix or "(tanpa ekstensi)")
        else:
            size = path.stat().st_size
            if size == 0:
                rep.error("file_empty", file)
            elif size > max_bytes:
                rep.error("file_too_large", file, size=f"{size / 2**20:.1f}", limit=f"{max_bytes / 2**20:.0f}")
            elif fmt in ("xlsx", "xls"):
                file_units = _read_xlsx(path, fw, rep, engine) if fmt == "xlsx" else _read_xls(path, fw, rep)
            elif fmt == "csv":
                file_units = _read_csv(path, fw, rep)
            else:
                file_units = _read_json(path, fw, rep)
        units.extend(file_units)
        file_rows.append({"file": file, "format": fmt, "n_instances": len(file_units), "_first_problem": before})

    good_by_unit: list[list[dict[str, Any]]] = []
    unit_first_problem: list[int] = []
    for unit in units:
        unit_first_problem.append(len(rep.items))
        good_by_unit.append(_check_unit(unit, fw, parser, rep))

    # the same instance (same year, or a year missing, and a shared stage) in more than one place
    by_name: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        if unit.instance:
            by_name.setdefault(unit.instance.casefold(), []).append(i)
    for idx in by_name.values():
        if len(idx) < 2:
            continue
        stages = [
            {(r["stage"] or DEFAULT_STAGE) if isinstance(r["stage"], str) else DEFAULT_STAGE for r in units[i].rows}
            for i in idx
        ]
        for a, i in enumerate(idx):
            clash = [
                j
                for b, j in enumerate(idx)
                if j != i
                and (
                    units[i].meta.get("year") is None
                    or units[j].meta.get("year") is None
                    or units[i].meta.get("year") == units[j].meta.get("year")
                )
                and stages[a] & stages[b]
            ]
            if not clash:
                continue
            others = sorted(
                {Path(units[j].file).name + (f" ({units[j].sheet})" if units[j].sheet else "") for j in clash}
            )
            rep.error(
                "instance_duplicate",
                units[i].file,
                sheet=units[i].sheet,
                row=units[i].meta_row,
                instance=units[i].instance,
                year=units[i].meta.get("year") or "-",
                other=", ".join(others),
            )

    problems = pd.DataFrame(rep.items, columns=PROBLEM_COLUMNS)
    problems["row"] = problems["row"].astype("Int64")
    err_keys = set(
        zip(
            problems.loc[problems["severity"] == "error", "file"],
            problems.loc[problems["severity"] == "error", "instance"],
        )
    )
    inst_rows = []
    level_frames = []
    # problem counts per (file, instance, severity), counted once rather than per instance
    per_unit = problems.dropna(subset=["instance"]).groupby(["file", "instance", "severity"]).size().to_dict()
    for unit, good in zip(units, good_by_unit):
        has_error = (unit.file, unit.instance) in err_keys or unit.instance is None
        n_err = int(per_unit.get((unit.file, unit.instance, "error"), 0))
        n_warn = int(per_unit.get((unit.file, unit.instance, "warning"), 0))
        inst_rows.append(
            {
                "instance": unit.instance,
                **{k: unit.meta.get(k) for k in ("instance_type", "province", "year", "contact")},
                "framework": fw.name,
                "file": unit.file,
                "sheet": unit.sheet,
                "status": "errors" if has_error else ("warnings" if n_warn else "ok"),
                "errors": n_err,
                "warnings": n_warn,
                "loaded": not has_error,
            }
        )
        if not has_error and good:
            level_frames.append(pd.DataFrame(good))
    levels_cols = ["instance", "indicator", "level", "justification", "evidence", "stage", "file", "sheet", "row"]
    levels = pd.concat(level_frames, ignore_index=True) if level_frames else pd.DataFrame(columns=levels_cols)
    levels = levels[levels_cols]
    levels["level"] = levels["level"].astype("int64")
    levels["row"] = levels["row"].astype("Int64")
    instances = pd.DataFrame(
        inst_rows,
        columns=[
            "instance",
            "instance_type",
            "province",
            "year",
            "contact",
            "framework",
            "file",
            "sheet",
            "status",
            "errors",
            "warnings",
            "loaded",
        ],
    )
    instances["year"] = instances["year"].astype("Int64")

    counts = problems.groupby(["file", "severity"]).size().unstack(fill_value=0)
    files_df = (
        pd.DataFrame(file_rows).drop(columns="_first_problem")
        if file_rows
        else pd.DataFrame(columns=["file", "format", "n_instances"])
    )
    files_df["errors"] = files_df["file"].map(counts["error"] if "error" in counts else {}).fillna(0).astype(int)
    files_df["warnings"] = files_df["file"].map(counts["warning"] if "warning" in counts else {}).fillna(0).astype(int)
    files_df["status"] = np.where(
        files_df["errors"] > 0, "errors", np.where(files_df["warnings"] > 0, "warnings", "ok")
    )

    result = Submissions(framework=fw, levels=levels, instances=instances, problems=problems, files=files_df)
    if strict and not result.ok:
        n = int((problems["severity"] == "error").sum())
        first = problems[problems["severity"] == "error"].iloc[0]
        raise SubmissionError(
            f"{n} error(s) in the submissions; first: {Path(first['file']).name}"
            f"{', row ' + str(first['row']) if pd.notna(first['row']) else ''}: {first['message']}",
            problems,
        )
    return result


def _read_xls(path: Path, fw: Framework, rep: _Report) -> list[_Unit]:
    """Legacy .xls through calamine (values only; no formula or merge detection)."""
    file = str(path)
    head = path.open("rb").read(8)
    if not head.startswith(b"\xd0\xcf\x11\xe0"):
        rep.error("not_xlsx", file, ext=path.suffix)
        return []
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(file)
        sheets = {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}
    except Exception as exc:
        rep.error("encrypted" if "encrypt" in str(exc).lower() else "corrupt", file, detail=str(exc)[:120])
        return []
    units = []
    for name, rows in sheets.items():
        header = _find_header(rows, fw)
        if header is None:
            continue
        if "instance" in header[1]:
            units.extend(_read_table(file, name, rows, header, rep))
        else:
            units.append(_read_template_sheet(file, name, rows, header, rep))
    if not units:
        rep.error("no_header", file, n=HEADER_SEARCH_ROWS)
    return units

"""What every reader shares: the unit of one instance read from a file, blank cells, and
finding and reading a header table (long, wide, or the toolkit's template)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spbe_toolkit.frameworks import Framework
from spbe_toolkit.io.problems import Report
from spbe_toolkit.io.templates import TEMPLATE_DESCRIPTIVE, is_header_mark
from spbe_toolkit.vocab import ALIAS_TO_COLUMN, INSTANCE_META, norm_text, normalise_code

HEADER_SEARCH_ROWS = 25
_CODE = re.compile(r"\d+[a-z]?")
_TEMPLATE_FIELDS = ("instance", *INSTANCE_META)


@dataclass
class Unit:
    """One instance read from one file (a template, or a group of rows in a table)."""

    file: str
    sheet: str | None
    instance: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # indicator, level, justification, evidence, stage, row
    meta_row: int | None = None


def blank(v: Any) -> bool:
    """None, text of only spaces, or NaN (called for every cell read: the plain types first)."""
    if v is None:
        return True
    kind = type(v)
    if kind is str:
        return not v.strip()
    if kind is float:
        return v != v
    if kind is int:
        return False
    return (isinstance(v, str) and v.strip() == "") or (isinstance(v, float) and bool(np.isnan(v)))


def find_header(rows: list[list[Any]], fw: Framework) -> tuple[int, dict[str, int], dict[str, int], list[str]] | None:
    """Locate the header row: → (row index, {key: col}, {indicator code: col}, ignored headings)."""
    valid_codes = fw.entry_code_set
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys: dict[str, int] = {}
        codes: dict[str, int] = {}
        ignored: list[str] = []
        for c, cell in enumerate(row):
            if blank(cell):
                continue
            n = norm_text(cell)
            if n in ALIAS_TO_COLUMN and ALIAS_TO_COLUMN[n] not in keys:
                keys[ALIAS_TO_COLUMN[n]] = c
            elif n in TEMPLATE_DESCRIPTIVE:
                continue
            else:
                code = normalise_code(cell) if len(n) <= 24 else n  # a code is short ("Indikator 35a")
                if _CODE.fullmatch(code):
                    codes[code] = c
                else:
                    ignored.append(str(cell))
        if "instance" in keys and "indicator" in keys and "level" in keys:
            return r, keys, {}, ignored
        if "indicator" in keys and "level" in keys and is_header_mark(row[keys["indicator"]]):
            return r, keys, {}, ignored  # template table (instance comes from the block above)
        if "instance" in keys and len(codes) >= 3 and len(set(codes) & valid_codes) >= 1:
            return r, keys, codes, ignored
    return None


def read_template_sheet(file: str, sheet: str, rows: list[list[Any]], header, rep: Report) -> Unit | None:
    r0, keys, _codes, _ignored = header
    meta: dict[str, Any] = {}
    meta_row = None
    for r in range(r0):
        row = rows[r]
        if len(row) < 2 or blank(row[0]):
            continue
        label = norm_text(row[0])
        key = ALIAS_TO_COLUMN.get(label.rstrip(":").strip())
        if key in _TEMPLATE_FIELDS:
            meta[key] = None if blank(row[1]) else row[1]
            if key == "instance":
                meta_row = r + 1
    unit = Unit(file=file, sheet=sheet, instance=meta.pop("instance", None), meta=meta, meta_row=meta_row)
    ind_col, level_col = keys["indicator"], keys["level"]
    j_col, e_col, s_col = (keys.get(k, -1) for k in ("justification", "evidence", "stage"))
    for r in range(r0 + 1, len(rows)):
        row = rows[r]
        n = len(row)
        cell = row[ind_col] if ind_col < n else None
        level = row[level_col] if level_col < n else None
        if blank(cell):
            if not blank(level):
                rep.error("indicator_unknown", file, sheet=sheet, row=r + 1, instance=unit.instance, value="", fw="?")
            continue
        unit.rows.append(
            {
                "indicator": normalise_code(cell),
                "raw_indicator": cell,
                "level": level,
                "justification": row[j_col] if 0 <= j_col < n else None,
                "evidence": row[e_col] if 0 <= e_col < n else None,
                "stage": row[s_col] if 0 <= s_col < n else None,
                "row": r + 1,
                "col": level_col + 1,
            }
        )
    return unit


def read_table(file: str, sheet: str | None, rows: list[list[Any]], header, rep: Report) -> list[Unit]:
    r0, keys, codes, ignored = header
    for heading in ignored:
        rep.warning("column_ignored", file, sheet=sheet, row=r0 + 1, column=heading)
    units: dict[Any, Unit] = {}
    inst_col = keys["instance"]

    def get(row, k):
        return row[keys[k]] if k in keys and keys[k] < len(row) else None

    for r in range(r0 + 1, len(rows)):
        row = rows[r]
        if all(blank(v) for v in row):
            continue
        inst = row[inst_col] if inst_col < len(row) else None
        key = None if blank(inst) else str(inst)
        if key is None:
            rep.error("instance_missing", file, sheet=sheet, row=r + 1)
            continue
        unit = units.get(key)
        if unit is None:
            meta = {k: get(row, k) for k in INSTANCE_META if k in keys}
            unit = units[key] = Unit(file=file, sheet=sheet, instance=inst, meta=meta, meta_row=r + 1)
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
                    "indicator": "" if blank(ind) else normalise_code(ind),
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

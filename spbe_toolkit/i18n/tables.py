"""Tables for people: the API's DataFrames keep stable English column names; what is *shown*
(notebook displays, widgets, CLI output, files for people) goes through :func:`people_table`,
which puts headings and the toolkit's coded values into one language.

* headings: ``column.<name>`` in the catalogue (``D1``, ``A3`` and other codes stay as they are);
* coded values in known columns (status, severity, flag, stage, action, measure, …):
  ``value.<kind>.<code>``;
* booleans: Ya / Tidak (Yes / No); times: "29 November 2026 10.27 WIB";
* numbers: ``digits`` decimals with the language's decimal mark (3,12 / 3.12).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from spbe_toolkit.i18n import check_lang, has, number, time_text, tr

# column → kind of coded value it holds (see ``[value.<kind>]`` in the catalogue)
VALUE_KINDS = {
    "status": "status",
    "severity": "severity",
    "flag": "flag",
    "action": "action",
    "stage": "stage",
    "source_stage": "stage",
    "stage_reached": "stage",
    "measure": "measure",
    "target_name": "target",
    "format": "format",
    "assessment": "assessment",
    "damage_note": "damage",
    "group": "group",
    "decision": "decision",
    "confidence": "confidence",
    "authority": "authority",
    "report_group": "group",
    "uploaded": "flag",
    "interviewed": "flag",
    "approved": "flag",
    "no_evidence": "yesno",
    "provisional": "yesno",
}
TIME_COLUMNS = frozenset(
    {"created_at", "imported_at", "generated_at", "submitted_at", "decided_at", "recorded_at", "assigned_at"}
)
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(value: Any) -> str:
    return _SLUG.sub("_", str(value).lower()).strip("_")


TABLE_ATTR = "spbe_table"
"""``DataFrame.attrs`` key naming the kind of table (e.g. ``"appeals"``), where a column's
heading differs from its usual one (an appeal's ``id`` is the appeal's number, not an event's)."""


def heading(name: Any, lang: str | None = None, table: str | None = None) -> Any:
    """The heading people read for a column name (unchanged for codes such as ``D1``);
    ``table`` (see :data:`TABLE_ATTR`) picks a heading of that table's own first."""
    if not isinstance(name, str):
        return name
    if table and has(f"column_in.{table}.{name}"):
        return tr(f"column_in.{table}.{name}", lang)
    key = f"column.{name}"
    if has(key):
        return tr(key, lang)
    if m := re.fullmatch(r"(mean|share|n)_(D\d+|A\d+|[a-z_]+)", name):
        stem, rest = m.groups()
        part = tr(f"value.predicate_key.{rest}", lang) if has(f"value.predicate_key.{rest}") else rest
        return tr(f"column.{stem}_of", lang, what=part)
    return name


def value_text(kind: str, value: Any, lang: str | None = None) -> Any:
    """A coded value as people read it (unchanged when the catalogue has no text for it)."""
    if value is None or (isinstance(value, float) and value != value):
        return value
    key = f"value.{kind}.{slug(value)}"
    if has(key):
        return tr(key, lang)
    if kind == "measure":  # a measure named by its column (reconcile): the column's heading
        return heading(value, lang)
    return value


def people_table(df: pd.DataFrame, lang: str | None = None, *, digits: int | None = 2) -> pd.DataFrame:
    """``df`` with headings and coded values in one language, ready to show or to write for people."""
    lang = check_lang(lang)
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if col in TIME_COLUMNS:
            out[col] = s.map(lambda v: time_text(v, lang))
        elif col in VALUE_KINDS:
            out[col] = s.astype(object).map(lambda v, k=VALUE_KINDS[col]: value_text(k, v, lang))
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[col] = s.map(lambda v: tr("value.yes" if v else "value.no", lang) if pd.notna(v) else "")
        elif digits is not None and pd.api.types.is_float_dtype(s.dtype):
            out[col] = s.map(lambda v: number(v, lang, digits) if pd.notna(v) else "")
    out = out.astype(object).where(out.notna(), "")
    table = df.attrs.get(TABLE_ATTR)
    out.columns = [heading(c, lang, table) for c in out.columns]
    names = list(out.index.names)
    if isinstance(out.index, pd.MultiIndex) and "stage" in names:
        i = names.index("stage")
        out.index = out.index.set_levels(out.index.levels[i].map(lambda v: value_text("stage", v, lang)), level=i)
    out.index = out.index.set_names([heading(n, lang) for n in names])
    return out

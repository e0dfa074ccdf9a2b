"""Level criteria and expected evidence: a CSV beside a framework file, validated on load.

A framework file names its criteria file (``criteria = "reference/spbe2020_criteria.csv"``,
relative to the framework file). One row per indicator and level:

==================  ==========================================================================
column              holds
==================  ==========================================================================
indicator, level    the cell (level ``umum``: the indicator's general evidence note)
regulation          the criterion in the regulation's wording (the default)
guide               the criterion in the evaluation guide's wording (a team may choose it)
fulfilment          what the guide says fulfils the level
evidence            the documents expected as evidence (Kriteria Bukti Dukung)
source_*            where each text comes from
==================  ==========================================================================

Every level of every indicator must be present and every text cell filled, either with
text or explicitly with ``belum tersedia`` (not available): a criterion is never silently
missing, and nothing is invented where the sources are silent.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from spbe_toolkit.i18n import Msg
from spbe_toolkit.vocab import MISSING_MARK as MISSING

TEXT_COLUMNS = ("regulation", "guide", "fulfilment", "evidence")
WORDINGS = ("regulation", "guide")
GENERAL = "umum"


def parse_criteria(text: str, source: str) -> tuple[pd.DataFrame, list[Msg]]:
    """The criteria table from CSV text (``#`` lines are comments), and any problems of shape."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    if not rows:
        return pd.DataFrame(columns=["indicator", "level", *TEXT_COLUMNS]), [
            Msg("framework.criteria_empty", source=source)
        ]
    df = pd.DataFrame(rows).fillna("")
    absent = [c for c in ("indicator", "level", *TEXT_COLUMNS) if c not in df.columns]
    if absent:
        return df, [Msg("framework.criteria_columns", source=source, columns=", ".join(absent))]
    df["indicator"] = df["indicator"].str.strip()
    df["level"] = df["level"].str.strip()
    return df, []


def criteria_problems(df: pd.DataFrame, codes: list[str], levels: range) -> list[Msg]:
    """Every (indicator, level) present, each text filled or explicitly marked missing."""
    problems: list[Msg] = []
    have = df.set_index(["indicator", "level"])
    dup = have.index[have.index.duplicated()]
    for ind, lvl in dict.fromkeys(dup):
        problems.append(Msg("framework.criteria_duplicate", indicator=ind, level=lvl))
    known = set(codes)
    for ind in sorted(set(df["indicator"]) - known, key=str):
        problems.append(Msg("framework.criteria_unknown_indicator", indicator=ind))
    for ind in codes:
        for lvl in map(str, levels):
            if (ind, lvl) not in have.index:
                problems.append(Msg("framework.criteria_missing_cell", indicator=ind, level=lvl))
                continue
            row = have.loc[(ind, lvl)]
            row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
            for col in TEXT_COLUMNS:
                if not str(row[col]).strip():
                    problems.append(Msg("framework.criteria_empty_cell", indicator=ind, level=lvl, column=col))
    return problems


def lookup(df: pd.DataFrame) -> dict[tuple[str, str], dict[str, str]]:
    """(indicator, level) → {column: text or None when explicitly missing}."""
    out = {}
    for rec in df.to_dict("records"):
        out[(rec["indicator"], rec["level"])] = {
            c: (None if str(rec.get(c, "")).strip() in ("", MISSING) else str(rec[c]).strip()) for c in TEXT_COLUMNS
        }
    return out

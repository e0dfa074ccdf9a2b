"""Plain tables from files: a levels table or a results table in CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.i18n import Msg


def read_table_file(path: str | Path, *, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV (separator detected, ``#`` comments) or XLSX table. Only truly empty cells are
    missing: "n/a" or "-" reach the validator as text. ``text_columns`` are read as text."""
    p = Path(path)
    if not p.is_file():
        raise SpbeError(Msg("error.file_not_found", path=str(path)))
    dtype = dict.fromkeys(text_columns, str)
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(p, engine="calamine", dtype=dtype, keep_default_na=False, na_values=[""])
        return pd.read_csv(p, sep=None, engine="python", dtype=dtype, comment="#", keep_default_na=False,
                           na_values=[""])  # fmt: skip
    except Exception as exc:  # pandas and its engines raise many types for a file that is not a table
        raise SpbeError(Msg("error.unreadable_table", path=str(path), kind=type(exc).__name__)) from exc


def read_levels_table(path: str | Path) -> pd.DataFrame:
    """A tidy levels table (instance, indicator, level[, stage]) with indicator codes as text."""
    return read_table_file(path, text_columns=("indicator",))

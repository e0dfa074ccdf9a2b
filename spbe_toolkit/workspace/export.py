"""Exporting every view of a workspace for people: one xlsx (a sheet per view) or CSV files,
headings and coded values in one language, written safely (no formulas, atomic)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from spbe_toolkit.i18n import check_lang, tr
from spbe_toolkit.i18n.tables import people_table
from spbe_toolkit.io.writers import write_csv, write_xlsx
from spbe_toolkit.vocab import SELF_STAGE

VIEWS = (
    "status",
    "scores_current",
    "scores_self",
    "levels_current",
    "self_assessment",
    "history",
    "versions",
    "appeals",
    "findings",
    "interview_notes",
    "external_values",
)
PEMDI_VIEWS = ("findings", "interview_notes", "external_values")  # only for a framework with decimal values or indices


def export_views(ws) -> dict[str, pd.DataFrame]:
    """Every view as a flat table, keyed by :data:`VIEWS` (stable English columns); the
    :data:`PEMDI_VIEWS` only for a round whose framework has them."""
    views = {
        "status": ws.status().reset_index(),
        "scores_current": ws.scores("current").reset_index(),
        "scores_self": ws.scores(SELF_STAGE).reset_index(),
        "levels_current": ws.levels("current"),
        "self_assessment": ws.self_assessment(),
        "history": ws.history(),
        "versions": ws.submissions_log(),
        "appeals": ws.appeals(),
    }
    if ws.framework.decimals or ws.framework.external:  # the assessor's work beside the values (Pemdi)
        views["findings"] = ws.findings()
        views["interview_notes"] = ws.interview_notes()
        views["external_values"] = ws.external_values()
    for df in views.values():
        if "predicate" in df:
            df["predicate"] = df["predicate"].astype(object)
    return views


def export(ws, path: str | Path, lang: str | None = None) -> list[Path]:
    """Write every view for people: an ``.xlsx`` with one sheet per view, or
    ``<stem>_<view>.csv`` files. Headings in ``lang`` (default: the configured language);
    text never becomes a formula and each file is replaced atomically."""
    lang = check_lang(lang)
    path = Path(path)
    shown = {tr(f"export.{name}", lang): people_table(df, lang, digits=None) for name, df in ws.export_views().items()}
    if path.suffix.lower() == ".xlsx":
        return [write_xlsx(shown, path)]
    return [write_csv(df, path.with_name(f"{path.stem}_{name}.csv")) for name, df in shown.items()]

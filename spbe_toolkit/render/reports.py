"""Reports for people that combine tables and charts: the national summary workbook."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from spbe_toolkit.i18n import check_lang, tr
from spbe_toolkit.i18n.tables import people_table
from spbe_toolkit.io.writers import write_csv, write_xlsx
from spbe_toolkit.render import plots


def summary_charts(results: pd.DataFrame, by: str, lang: str | None = None) -> dict[str, plots.Chart]:
    """The charts that fit ``results`` grouped by ``by``, keyed by their catalogue name."""
    charts: dict[str, plots.Chart] = {}
    if by not in results.columns:
        return charts
    if "predicate" in results.columns:
        charts["predicates"] = plots.predicate_distribution(results, by, lang=lang)
        charts["index"] = plots.index_distribution(results.dropna(subset=[by]), by, lang=lang)
    if all(d in results.columns for d in ("D1", "D2", "D3", "D4")):
        charts["domains"] = plots.domain_profile(results, by, lang=lang)
    return charts


def write_summary_report(
    summary: pd.DataFrame, results: pd.DataFrame, by: Sequence[str], path: str | Path, lang: str | None = None
) -> Path:
    """The national summary for people: ``.xlsx`` with the table and one sheet per chart, or
    ``.csv`` with the table alone. Headings in ``lang``; written safely and atomically."""
    lang = check_lang(lang)
    path = Path(path)
    table = people_table(summary, lang, digits=None)
    if path.suffix.lower() != ".xlsx":
        return write_csv(table, path)
    images = {
        tr(f"report.sheet_{name}", lang): chart.png() for name, chart in summary_charts(results, by[0], lang).items()
    }
    return write_xlsx({tr("report.sheet_summary", lang): table}, path, images=images)

"""Exporting every view of a workspace for people: one xlsx (a sheet per view) or CSV files,
headings and coded values in one language, written safely (no formulas, atomic)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pandas as pd

from spbe_toolkit.i18n import check_lang, tr
from spbe_toolkit.i18n.tables import people_table
from spbe_toolkit.io.writers import write_csv, write_xlsx
from spbe_toolkit.version import __version__
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


def cover_table(ws, lang: str, views: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The cover sheet: which round this is and what the workbook holds."""
    from datetime import datetime

    from spbe_toolkit.i18n import time_text

    n_instances, n_events = ws.store.counts()
    rows = [
        ("round", ws.meta.get("title") or ws.framework.title_in(lang)),
        ("framework", f"{ws.framework.title_in(lang)} ({ws.framework.name})"),
        ("year", ws.year if ws.year else "—"),
        ("predicate_basis", ws.meta.get("predicate_basis", "")),
        ("exported_at", time_text(datetime.now(UTC).isoformat(), lang)),
        ("instances", n_instances),
        ("submissions", len(views["versions"])),
        ("events", n_events),
        ("appeals", len(views["appeals"])),
        ("toolkit", f"spbe-toolkit {__version__}"),
    ]
    return pd.DataFrame({tr("export.cover_item", lang): [tr(f"export.cover_{k}", lang) for k, _ in rows],
                         tr("export.cover_value", lang): [v for _, v in rows]})  # fmt: skip


def export(ws, path: str | Path, lang: str | None = None) -> list[Path]:
    """Write every view for people: an ``.xlsx`` with a cover sheet (round, framework, date,
    counts) and one sheet per view — named and headed in ``lang`` (default: the configured
    language), header frozen and filtered, widths fitted, numbers as numbers with three
    decimals shown — or ``<stem>_<view>.csv`` files with the language's decimal mark
    (Indonesian: ``2,45`` and ``;`` between fields). Submissions name their file only, never
    a local folder. Text never becomes a formula and each file is replaced atomically."""
    lang = check_lang(lang)
    path = Path(path)
    views = ws.export_views()
    if "file" in views["versions"]:  # the file name only: a local folder says nothing to the reader
        views["versions"]["file"] = views["versions"]["file"].map(lambda f: Path(f).name if isinstance(f, str) else f)
    if path.suffix.lower() == ".xlsx":
        shown = {tr("export.cover", lang): cover_table(ws, lang, views)}
        shown |= {tr(f"export.title_{name}", lang): people_table(df, lang, digits=None) for name, df in views.items()}
        return [write_xlsx(shown, path)]
    mark = tr("export.decimal_mark", lang)
    return [write_csv(people_table(df, lang, digits=None), path.with_name(f"{path.stem}_{tr(f'export.{name}', lang)}.csv"),
                      decimal_mark=mark)
            for name, df in views.items()]  # fmt: skip

"""The interview clarification list: what an evaluator team sends an instance before the
interview, from the corrections made at the document stage."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from spbe_toolkit.i18n import check_lang, date_text, labels
from spbe_toolkit.i18n.tables import people_table
from spbe_toolkit.io.writers import write_text, write_xlsx
from spbe_toolkit.vocab import EVALUATOR_STAGES, STAGES
from spbe_toolkit.workspace import Workspace

DOCUMENT_STAGE = EVALUATOR_STAGES[0]

COLUMNS = ["indicator", "name", "self_level", "document_level", "evaluator", "note", "evidence_expected"]


def interview_list(ws: Workspace, instance: str) -> pd.DataFrame:
    """One row per indicator the document stage set differently from the self-assessment:
    indicator, name, self-assessed level, document-stage level, evaluator, note, and the
    evidence expected at the self-assessed level (what the instance should bring)."""
    fw = ws.framework
    doc = ws.levels(DOCUMENT_STAGE, instance)
    doc = doc[doc["source_stage"] == DOCUMENT_STAGE]
    own = ws.levels(STAGES[0], instance).set_index("indicator")["level"]  # as scored: externals at their default
    rows = []
    for r in doc.itertuples(index=False):
        before = fw.as_value(own[r.indicator])
        if fw.as_value(r.level) == before:
            continue
        level = fw.level_of(before)
        rows.append({"indicator": r.indicator, "name": fw.entry_name(r.indicator), "self_level": before,
                     "document_level": fw.as_value(r.level), "evaluator": r.evaluator, "note": r.note,
                     "evidence_expected": (fw.evidence(r.indicator, level) if fw.has_criteria else None) or ""})  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def write_interview_list(ws: Workspace, instance: str, path: str | Path, lang: str | None = None) -> Path:
    """The list for ``instance`` as ``.xlsx`` or a printable ``.html`` (one language, written safely)."""
    lang = check_lang(lang)
    t = labels("interview", lang)
    table = people_table(interview_list(ws, instance), lang, digits=None)
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        title = [t["title"], t["intro"].format(instance=instance, date=date_text(None, lang))]
        return write_xlsx({t["sheet"]: table}, path, title_rows={t["sheet"]: title})
    body = table.to_html(index=False, escape=True, border=0) if len(table) else f"<p>{html.escape(t['none'])}</p>"
    page = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(t["title"])}</title>'
        "<style>body{font-family:serif;max-width:190mm;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:3px 5px;vertical-align:top;font-size:9.5pt}</style></head><body>"
        f"<h1>{html.escape(t['title'])}</h1><p>{html.escape(t['intro'].format(instance=instance, date=date_text(None, lang)))}</p>"
        f"{body}</body></html>"
    )
    return write_text(path, page)

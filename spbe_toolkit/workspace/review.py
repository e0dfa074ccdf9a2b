"""The assessor's work beside the levels: verification marks, catatan and rekomendasi per
indicator and stage, interview notes by topic, and values imported from other national indices.

All of it is append-only, like the level events: a new finding for a cell and stage is a new
row (fields not given carry over from the previous one), the latest is the one shown. A value
imported from a national index is a normal level event plus a row in ``external_values`` that
keeps the index, its raw value and the conversion used. Mixed into :class:`Workspace`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.frameworks import Framework
from spbe_toolkit.i18n import Msg, Num, Pair
from spbe_toolkit.io.levels import LevelParser
from spbe_toolkit.io.readers.table import blank
from spbe_toolkit.io.tables import read_table_file
from spbe_toolkit.vocab import (
    EVALUATOR_STAGES,
    REVIEW_COLUMN_ALIASES,
    STAGE_ALIASES,
    VERIFICATION_FLAGS,
    identity_name,
    norm_text,
    normalise_code,
    verification_value,
)
from spbe_toolkit.workspace.identity import author, check_may_write
from spbe_toolkit.workspace.rules import record_level

FINDING_FIELDS = ("uploaded", "interviewed", "approved", "no_evidence", "finding", "recommendation")
FINDING_VIEW_COLUMNS = ["instance", "indicator", "stage", *FINDING_FIELDS, "evaluator", "created_at"]
INTERVIEW_VIEW_COLUMNS = ["id", "instance", "topic", "note", "indicators", "commitment", "evaluator", "created_at"]
EXTERNAL_VIEW_COLUMNS = ["event", "instance", "indicator", "index_code", "raw_value", "level", "conversion", "source",
                         "evaluator", "created_at"]  # fmt: skip
INDEX_COLUMN_ALIASES = {
    "instance": REVIEW_COLUMN_ALIASES["instance"],
    "index": frozenset({"index", "indeks", "nama indeks", "index name", "kode indeks", "index code"}),
    "value": frozenset({"value", "nilai", "nilai indeks", "index value", "raw value", "nilai asli"}),
}


def _rename(df: pd.DataFrame, aliases: dict[str, frozenset[str]]) -> pd.DataFrame:
    """Columns renamed to their field by heading (Indonesian or English); unknown columns kept as they are."""
    to_field = {a: k for k, names in aliases.items() for a in names}
    mapping, taken = {}, set()
    for col in df.columns:
        key = to_field.get(norm_text(col))
        if key and key not in taken:
            mapping[col] = key
            taken.add(key)
    return df.rename(columns=mapping)


def table_with_fields(table, aliases) -> tuple[pd.DataFrame, int]:
    """(table with field names, number people give its first data row): a DataFrame (row 1) or
    a CSV/XLSX file (row 2, below its heading)."""
    if isinstance(table, (str, Path)):
        return _rename(read_table_file(table, text_columns=()), aliases), 2
    if not isinstance(table, pd.DataFrame):
        raise ValidationError(Msg("error.review_table_type", kind=type(table).__name__))
    return _rename(table.reset_index(drop=True), aliases), 1


def need_columns(df: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValidationError(
            Msg("error.review_columns", columns=", ".join(missing), have=", ".join(map(str, df.columns)))
        )


def assessor_table(table, fw: Framework) -> tuple[pd.DataFrame, int]:
    """An assessor's table as :meth:`Workspace.import_levels` records it: field names, codes as
    the framework spells them, values parsed ("1,26" is 1.26), marks as ya / tidak / na, stages
    by their names. A cell that cannot be read raises, naming its row and column."""
    df, first = table_with_fields(table, REVIEW_COLUMN_ALIASES)
    need_columns(df, ("instance", "indicator"))
    if "level" not in df.columns and not any(c in df.columns for c in FINDING_FIELDS):
        need_columns(df, ("level",))
    parser = LevelParser(fw)
    out = df.copy().astype(object)
    for i in range(len(df)):
        row = first + i

        def bad(column: str, value: Any, detail: Msg | str = "", row: int = row) -> ValidationError:
            return ValidationError(Msg("error.review_cell", row=row, column=column, value=repr(value)[:60],
                                       detail=detail))  # fmt: skip

        out.at[i, "instance"] = identity_name(str(df.at[i, "instance"])) if not blank(df.at[i, "instance"]) else None
        code = normalise_code(df.at[i, "indicator"])
        out.at[i, "indicator"] = code
        if "level" in df.columns:
            raw = df.at[i, "level"]
            if blank(raw):
                out.at[i, "level"] = None
            else:
                value, notes = parser.parse(raw, code)
                errors = [n for n in notes if n[0] == "error"]
                if value is None:
                    detail = Msg(f"problem.{errors[0][1]}", **errors[0][2]) if errors else ""
                    raise bad("level", raw, detail)
                out.at[i, "level"] = value
        for flag in VERIFICATION_FLAGS:
            if flag in df.columns:
                try:
                    out.at[i, flag] = verification_value(df.at[i, flag])
                except ValueError:
                    raise bad(flag, df.at[i, flag], Msg("error.review_flag_values")) from None
        if "no_evidence" in df.columns:
            try:
                v = verification_value(df.at[i, "no_evidence"])
            except ValueError:
                raise bad("no_evidence", df.at[i, "no_evidence"], Msg("error.review_flag_values")) from None
            out.at[i, "no_evidence"] = None if v in (None, "na") else v == "ya"
        for text in ("finding", "recommendation", "note"):
            if text in df.columns:
                out.at[i, text] = None if blank(df.at[i, text]) else str(df.at[i, text]).strip()
        if "stage" in df.columns and not blank(df.at[i, "stage"]):
            stage = norm_text(df.at[i, "stage"])
            out.at[i, "stage"] = STAGE_ALIASES.get(stage, stage)
        elif "stage" in df.columns:
            out.at[i, "stage"] = None
    if "stage" in out.columns and out["stage"].isna().all():
        out = out.drop(columns="stage")
    if "level" not in out.columns:
        out["level"] = None
    return out, first


def _same(a: Any, b: Any) -> bool:
    return (blank(a) and blank(b)) or a == b


# ------------------------------------------------------------------ findings
def record_finding(
    ws,
    instance: str,
    indicator: str,
    *,
    stage: str,
    evaluator: str | None = None,
    finding: str | None = None,
    recommendation: str | None = None,
    uploaded: str | bool | None = None,
    interviewed: str | bool | None = None,
    approved: str | bool | None = None,
    no_evidence: bool | None = None,
) -> int | None:
    """Record the assessor's finding on one indicator at one stage: the three verification
    marks (evidence uploaded, confirmed at the interview, approved: ``ya`` / ``tidak`` /
    ``na``, or True / False), "tanpa bukti", the **catatan** (what was found) and the
    **rekomendasi** (advice), in the assessor's words. Fields left None keep their previous
    value for that cell and stage. One committed transaction; returns the finding's id
    (None when nothing changed)."""
    with ws.store.transaction():
        return append_finding(ws, instance, indicator, stage=stage, evaluator=evaluator, finding=finding,
                                   recommendation=recommendation, uploaded=uploaded, interviewed=interviewed,
                                   approved=approved, no_evidence=no_evidence)  # fmt: skip


def append_finding(ws, instance, indicator, *, stage, evaluator, skip_same=True, created_at=None, origin=None,
                   origin_event=None, **fields) -> int | None:  # fmt: skip
    fw = ws.framework
    instance = identity_name(instance) if isinstance(instance, str) else instance
    indicator = normalise_code(indicator)
    where = Msg("error.where_cell", instance=repr(instance), indicator=repr(indicator))
    if stage not in EVALUATOR_STAGES:
        raise ValidationError(Msg("error.adjust_stage", where=where, choices=", ".join(EVALUATOR_STAGES),
                                  value=repr(stage)))  # fmt: skip
    evaluator = author(ws, evaluator, where)
    if indicator not in fw.codes and indicator not in fw.subitem_parent:
        raise ValidationError(Msg("error.adjust_indicator", where=where, fw=fw.name))
    if not ws.store.has_instance(instance):
        raise ValidationError(Msg("error.adjust_no_instance", where=where))
    check_may_write(ws, evaluator, instance, stage, where)
    row: dict[str, Any] = {}
    for flag in VERIFICATION_FLAGS:
        try:
            row[flag] = verification_value(fields.get(flag))
        except ValueError:
            raise ValidationError(Msg("error.finding_flag", where=where, column=flag,
                                      value=repr(fields.get(flag))[:60])) from None  # fmt: skip
    ne = fields.get("no_evidence")
    if ne is not None and not isinstance(ne, bool):
        try:
            v = verification_value(ne)
        except ValueError:
            v = "?"
        if v not in ("ya", "tidak", None):
            raise ValidationError(Msg("error.finding_flag", where=where, column="no_evidence", value=repr(ne)[:60]))
        ne = None if v is None else v == "ya"
    row["no_evidence"] = None if ne is None else int(bool(ne))
    for text in ("finding", "recommendation"):
        value = fields.get(text)
        if value is not None and not isinstance(value, str):
            raise ValidationError(Msg("error.adjust_note_text", where=where, value=type(value).__name__))
        row[text] = None if value is None else value.strip()
    prev = ws.store.last_finding(instance, indicator, stage) or {}
    for key in FINDING_FIELDS:
        if row[key] is None and prev:
            row[key] = None if pd.isna(prev.get(key)) else prev.get(key)
    row["finding"] = row["finding"] or ""
    row["recommendation"] = row["recommendation"] or ""
    if row["no_evidence"] is not None:
        row["no_evidence"] = int(row["no_evidence"])
    if skip_same and prev and all(_same(row[k], prev.get(k)) for k in FINDING_FIELDS):
        return None
    if not prev and not any(row[k] for k in FINDING_FIELDS) and row["no_evidence"] is None:
        return None
    row.update(instance=instance, indicator=indicator, stage=stage, evaluator=evaluator.strip(),
               created_at=created_at or ws.clock(), origin=origin, origin_event=origin_event)  # fmt: skip
    return ws.store.add_finding(row)


def findings(ws, instance: str | None = None, stage: str = "current") -> pd.DataFrame:
    """The latest finding per instance and indicator at a stage (``"current"``: any stage;
    a stage name: that stage or an earlier one): instance, indicator, stage, uploaded,
    interviewed, approved, no_evidence, finding, recommendation, evaluator, created_at."""
    allowed = EVALUATOR_STAGES if stage == "current" else EVALUATOR_STAGES[: EVALUATOR_STAGES.index(stage) + 1]
    df = ws.store.latest_findings(allowed, instance)
    return _finding_frame(df)[FINDING_VIEW_COLUMNS]


def finding_history(ws, instance: str | None = None) -> pd.DataFrame:
    """Every finding recorded (oldest first): id and the columns of :meth:`findings`."""
    df = ws.store.findings(instance)
    return _finding_frame(df)[["id", *FINDING_VIEW_COLUMNS]]


def _finding_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Findings as the API returns them: marks as ya/tidak/na or None, "tanpa bukti" as a bool, oldest first."""
    if df.empty:
        return pd.DataFrame(columns=["id", *FINDING_VIEW_COLUMNS])
    df = df.copy()
    df["no_evidence"] = df["no_evidence"].map(lambda v: None if pd.isna(v) else bool(int(v))).astype(object)
    for flag in VERIFICATION_FLAGS:
        df[flag] = df[flag].astype(object).where(df[flag].notna(), None)
    return df.sort_values("id").reset_index(drop=True)


# ------------------------------------------------------------------ interview notes
def record_interview_note(
    ws,
    instance: str,
    topic: str,
    note: str,
    *,
    evaluator: str | None = None,
    indicators: Iterable[str] | str = (),
    commitment: str = "",
) -> int:
    """Record a note of the interview on one topic, tied to indicators, with what the
    instance committed to ("akan disusulkan bukti …"). Returns its id."""
    fw = ws.framework
    name = identity_name(instance)
    codes = [normalise_code(c) for c in ([indicators] if isinstance(indicators, str) else indicators)]
    codes = [c for part in codes for c in str(part).replace(";", ",").split(",") if c.strip()]
    codes = [normalise_code(c.strip()) for c in codes]
    unknown = [c for c in codes if c not in fw.codes]
    where = Msg("error.where_cell", instance=repr(name), indicator=repr(", ".join(codes) or "-"))
    if unknown:
        raise ValidationError(Msg("error.adjust_indicator", where=where, fw=fw.name))
    if not isinstance(topic, str) or not topic.strip() or not isinstance(note, str):
        raise ValidationError(Msg("error.interview_note_text", where=where))
    evaluator = author(ws, evaluator, where)
    with ws.store.transaction():
        if not ws.store.has_instance(name):
            raise ValidationError(Msg("error.adjust_no_instance", where=where))
        check_may_write(ws, evaluator, name, None, where)
        return ws.store.add_interview_note(
            {"instance": name, "topic": topic.strip(), "note": note.strip(), "indicators": ", ".join(codes),
             "commitment": (commitment or "").strip(), "evaluator": evaluator.strip(), "created_at": ws.clock()}
        )  # fmt: skip


def interview_notes(ws, instance: str | None = None) -> pd.DataFrame:
    """Interview notes (oldest first): id, instance, topic, note, indicators, commitment, evaluator, created_at."""
    df = ws.store.interview_notes(instance)
    return df[INTERVIEW_VIEW_COLUMNS] if len(df) else pd.DataFrame(columns=INTERVIEW_VIEW_COLUMNS)


# ------------------------------------------------------------------ national indices
def external_index(ws, name: str):
    """The framework's national index called ``name`` (its code, name, English name or the
    abbreviation in brackets, any case): SDI, geospasial, statistik, …"""
    key = norm_text(name)
    for ext in ws.framework.external.values():
        spellings = {ext.code, ext.name, ext.name_en}
        spellings |= {part.split(")")[0] for part in (ext.name + " " + ext.name_en).split("(")[1:]}
        if key in {norm_text(s) for s in spellings}:
            return ext
    known = ", ".join(f"{e.code} ({e.name})" for e in ws.framework.external.values()) or "-"
    raise ValidationError(Msg("error.external_unknown", value=repr(name), known=known, fw=ws.framework.name))


def import_national_index(
    ws,
    table,
    *,
    evaluator: str | None = None,
    stage: str = EVALUATOR_STAGES[0],
    index: str | None = None,
    source: str = "",
) -> pd.DataFrame:
    """Import values of a national index per instance (``instance, index, value``; Indonesian
    headings ``instansi, indeks, nilai`` too, or ``index=`` for a table of one index).

    Each raw value is converted to the framework's scale by the index's conversion (framework
    data, ``fw.external``; unconfirmed rules a team corrects in a copy of the framework file)
    and recorded for every indicator the index feeds (SDI: 5 and 18) as a level event with
    the raw value, the index and the conversion kept beside it. One transaction; a bad row —
    unknown instance or index, a value outside the index's range — is named and nothing is
    saved. Importing the same values again records nothing. Returns one row per recorded
    value: instance, indicator, index_code, raw_value, level, event.
    """
    fw = ws.framework
    if not fw.external:
        raise ValidationError(Msg("error.external_none", fw=fw.name))
    df, first = table_with_fields(table, INDEX_COLUMN_ALIASES)
    if index is not None:
        df["index"] = index
    need_columns(df, ("instance", "index", "value"))
    names = set(ws.instances().index)
    out = []
    with ws.store.transaction():
        for i, r in enumerate(df.to_dict("records")):
            row = first + i
            name = identity_name(str(r["instance"])) if not blank(r["instance"]) else ""
            if name not in names:
                raise ValidationError(Msg("error.external_row", row=row, detail=Msg(
                    "error.adjust_no_instance", where=Msg("error.where_instance", instance=repr(name)))))  # fmt: skip
            try:
                ext = ws.external_index(str(r["index"]))
            except ValidationError as exc:
                raise ValidationError(Msg("error.external_row", row=row, detail=Pair(exc.pesan, exc.message))) from None
            raw = raw_number(r["value"])
            if raw is None or not ext.raw_min <= raw <= ext.raw_max:
                raise ValidationError(Msg("error.external_row", row=row, detail=Msg(
                    "error.external_value", value=repr(r["value"])[:40], index=ext.name, lo=Num(ext.raw_min, 2),
                    hi=Num(ext.raw_max, 2))))  # fmt: skip
            value = fw.as_value(ext.convert(raw, fw.decimals or 2))
            for code in ext.indicators:
                prior = ws.store.last_external(name, code)
                last = ws.store.last_event(name, code)
                if (prior is not None and last is not None and float(prior[0]) == raw and prior[1] == ext.code
                        and fw.as_value(last[1]) == value):  # fmt: skip
                    continue  # the same value again: nothing new
                status = Msg(f"review.status_{'confirmed' if ext.status == 'confirmed' else 'unconfirmed'}")
                points = "; ".join(f"{Num(x, 2).text()} → {Num(y, 2).text()}" for x, y in ext.points)
                note = Msg("review.external_note", index=Pair(ext.name, ext.name_en), raw=Num(raw, 2),
                           value=Num(value, fw.decimals or 2), points=points, status=status).text()  # fmt: skip
                event = record_level(ws, name, code, value, stage=stage, evaluator=evaluator, note=note,
                                           expected=None)  # fmt: skip
                ws.store.add_external_value(event, ext.code, raw, ext.conversion_text(), source)
                out.append({"instance": name, "indicator": code, "index_code": ext.code, "raw_value": raw,
                            "level": value, "event": event})  # fmt: skip
    return pd.DataFrame(out, columns=["instance", "indicator", "index_code", "raw_value", "level", "event"])


def external_values(ws, instance: str | None = None) -> pd.DataFrame:
    """Every value imported from a national index: event, instance, indicator, index_code,
    raw_value, level, conversion, source, evaluator, created_at (oldest first)."""
    df = ws.store.external_values(instance)
    return df[EXTERNAL_VIEW_COLUMNS] if len(df) else pd.DataFrame(columns=EXTERNAL_VIEW_COLUMNS)


def raw_number(value: Any) -> float | None:
    """A raw index value: a number, or its text with a decimal comma or point."""
    if isinstance(value, bool) or blank(value):
        return None
    if isinstance(value, (int, float)):
        return float(value) if pd.notna(value) else None
    text = str(value).strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None

"""Appeals (sanggahan): an instance contests a level; the team decides; an accepted appeal
sets the level through a normal event. Appeals and decisions are append-only records.
Mixed into :class:`Workspace`."""

from __future__ import annotations

import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.i18n.tables import TABLE_ATTR
from spbe_toolkit.vocab import EVALUATOR_STAGES
from spbe_toolkit.workspace.identity import author, check_may_write
from spbe_toolkit.workspace.rules import record_level, whole

APPEAL_STAGE = EVALUATOR_STAGES[-1]  # an accepted appeal sets the final level


def record_appeal(ws, instance: str, indicator: str, requested_level: int | float, *, argument: str,
                  submitted_by: str, evidence: str = "") -> int:  # fmt: skip
    """Record an instance's appeal against the current level of an indicator; returns its id."""
    indicator = str(indicator)
    if not isinstance(argument, str) or not argument.strip():
        raise ValidationError(Msg("error.appeal_argument"))
    if not isinstance(submitted_by, str) or not submitted_by.strip():
        raise ValidationError(Msg("error.appeal_submitter"))
    fw = ws.framework
    ok = isinstance(requested_level, int) if not fw.decimals else fw.on_scale(requested_level)
    if not (ok and fw.level_min <= requested_level <= fw.level_max):
        raise ValidationError(Msg("error.adjust_range", where=Msg("error.where_cell", instance=repr(instance),
                                  indicator=repr(indicator)), value=requested_level, lo=fw.level_min, hi=fw.level_max,
                                  fw=fw.name))  # fmt: skip
    requested_level = fw.as_value(requested_level)
    if ws.store.self_level(instance, indicator) is None and not (
        fw.is_external(indicator) and ws.store.has_instance(instance)
    ):
        raise ValidationError(Msg("error.instance_not_in_workspace", instance=repr(instance)))
    with ws.store.transaction():
        return ws.store.add_appeal(instance, indicator, requested_level, argument.strip(), evidence or "",
                                     submitted_by.strip(), ws.clock())  # fmt: skip


def decide_appeal(ws, appeal: int, *, accepted: bool, decided_by: str | None = None, reason: str) -> int | None:
    """Decide an appeal once. Accepted: the requested level becomes the final level through a
    normal event (noted with the appeal); returns that event's id. Rejected: returns None.

    ``accepted`` is a bool (``True``/``False``; also "ya"/"tidak", "yes"/"no", 1/0 — nothing
    else). Whether it was decided already is checked inside the deciding transaction: two
    people deciding at once get one decision and one clear "already decided"."""
    if isinstance(appeal, bool) or not whole(appeal) and not (isinstance(appeal, str) and appeal.strip().isdigit()):
        raise ValidationError(Msg("error.appeal_unknown", id=repr(appeal)))
    appeal = int(appeal)
    accepted = strict_bool(accepted, "accepted")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError(Msg("error.appeal_reason"))
    decided_by = author(ws, decided_by)
    event = None
    with ws.store.transaction():
        found = ws.store.appeal(appeal)
        if found.empty:
            raise ValidationError(Msg("error.appeal_unknown", id=appeal))
        if ws.store.appeal_decided(appeal):
            raise ValidationError(Msg("error.appeal_decided", id=appeal))
        a = found.iloc[0]
        check_may_write(ws, decided_by, a["instance"], APPEAL_STAGE)
        if accepted:
            note = str(Msg("memo.appeal_note", id=appeal, reason=reason.strip()).text("id"))
            event = record_level(ws, a["instance"], a["indicator"], ws.framework.as_value(a["requested_level"]),
                                 stage=APPEAL_STAGE, evaluator=decided_by, note=note, expected=None)  # fmt: skip
        ws.store.add_appeal_decision(appeal, accepted, decided_by, reason.strip(), ws.clock(), event)
    return event


_TRUE = {"ya", "yes", "true", "1", "benar", "diterima", "accepted"}
_FALSE = {"tidak", "no", "false", "0", "salah", "ditolak", "rejected"}


def strict_bool(value, name: str) -> bool:
    """``True``/``False`` (or 1/0, "ya"/"tidak", "yes"/"no", "true"/"false"); anything else is refused."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValidationError(Msg("error.not_boolean", name=name, value=repr(value)[:60]))


def appeals(ws, instance: str | None = None) -> pd.DataFrame:
    """Every appeal with its decision (if any): id, instance, indicator, requested_level,
    argument, evidence, submitted_by, submitted_at, decision (accepted / rejected / pending),
    decided_by, reason, decided_at, event."""
    df = ws.store.appeals(instance)
    df["decision"] = df["accepted"].map({1: "accepted", 0: "rejected"}).fillna("pending")
    for column in ("id", "event"):  # numbers of records: whole, also where none is recorded yet
        if column in df:
            df[column] = pd.to_numeric(df[column], errors="coerce").astype("Int64")
    df = df.drop(columns="accepted")
    df.attrs[TABLE_ATTR] = "appeals"  # people read "No. sanggahan" over its id, not an event's number
    return df

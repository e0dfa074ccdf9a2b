"""Appeals (sanggahan): an instance contests a level; the team decides; an accepted appeal
sets the level through a normal event. Appeals and decisions are append-only records.
Mixed into :class:`Workspace`."""

from __future__ import annotations

import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.vocab import EVALUATOR_STAGES
from spbe_toolkit.workspace.rules import record_level

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


def decide_appeal(ws, appeal: int, *, accepted: bool, decided_by: str, reason: str) -> int | None:
    """Decide an appeal once. Accepted: the requested level becomes the final level through a
    normal event (noted with the appeal); returns that event's id. Rejected: returns None."""
    found = ws.store.appeal(int(appeal))
    if found.empty:
        raise ValidationError(Msg("error.appeal_unknown", id=appeal))
    if ws.store.appeal_decided(int(appeal)):
        raise ValidationError(Msg("error.appeal_decided", id=appeal))
    if not reason or not reason.strip() or not decided_by or not decided_by.strip():
        raise ValidationError(Msg("error.appeal_reason"))
    a = found.iloc[0]
    event = None
    with ws.store.transaction():
        if accepted:
            note = str(Msg("memo.appeal_note", id=int(appeal), reason=reason.strip()).text("id"))
            event = record_level(ws, a["instance"], a["indicator"], ws.framework.as_value(a["requested_level"]), stage=APPEAL_STAGE,
                                       evaluator=decided_by, note=note, expected=None)  # fmt: skip
        ws.store.add_appeal_decision(int(appeal), bool(accepted), decided_by.strip(), reason.strip(), ws.clock(),
                                       event)  # fmt: skip
    return event


def appeals(ws, instance: str | None = None) -> pd.DataFrame:
    """Every appeal with its decision (if any): id, instance, indicator, requested_level,
    argument, evidence, submitted_by, submitted_at, decision (accepted / rejected / pending),
    decided_by, reason, decided_at, event."""
    df = ws.store.appeals(instance)
    df["decision"] = df["accepted"].map({1: "accepted", 0: "rejected"}).fillna("pending")
    return df.drop(columns="accepted")

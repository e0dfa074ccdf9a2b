"""The rules of a round: what may be recorded as an evaluator's level, in one place.

:func:`record_level` is every write of a level (``adjust``, bulk imports, accepting the rest,
an accepted appeal, a national-index value): inside the caller's transaction it refuses, in
this order, and nothing is written:

1. a stage that is not an evaluator stage;
2. no evaluator's name — or, on a server round, a name other than the one the database
   registered for the session's role (:func:`.identity.author`);
3. a note that is not text;
4. a value off the framework's scale (whole levels, or its decimals);
5. an ``expected_event`` that is not a whole number;
6. an ``expected`` value off the scale;
7. a value outside the level range;
8. an indicator the framework does not have;
9. an instance not in the round;
10. an indicator the instance did not submit (an indicator fed by a national index may be
    left out: it counts its default);
10a. a conflict of interest, and on a server round an evaluator's final stage or unassigned
    instance (:func:`.identity.check_may_write`);
10b. a stage below the one the cell is already decided at (its level of record: the latest
    event of its highest stage since its latest reopening), unless ``reopen`` — and then only
    by someone allowed to write that higher stage; the event names the decision it reopens;
11. a stale view — the cell changed since the evaluator saw it (``expected`` / ``expected_event``:
    a :class:`ConflictError` naming who changed it and when);
12. a value different from the self-assessment without a note.

A cell already at that value from the same stage is skipped when asked (``skip_same``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from spbe_toolkit.errors import ConflictError, ValidationError
from spbe_toolkit.i18n import Msg, TimeText
from spbe_toolkit.vocab import EVALUATOR_STAGES, STAGE_RANK, identity_name
from spbe_toolkit.workspace.identity import author, check_may_write


def whole(value: Any) -> bool:
    """A whole number (3, 3.0, numpy ints) — not a bool, NaN, infinity, 3.7 or text."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        return False
    return math.isfinite(value) and float(value).is_integer()


def record_level(ws, instance, indicator, level, *, stage, evaluator, note, expected, expected_event=None,
                 skip_same=False, reopen=False) -> int | None:  # fmt: skip
    """Record one evaluator value of ``ws`` (a Workspace) inside the caller's transaction, or
    refuse it (see the module doc); returns the new event id (None when skipped)."""
    fw = ws.framework
    instance = identity_name(instance) if isinstance(instance, str) else instance
    indicator = str(indicator)
    where = Msg("error.where_cell", instance=repr(instance), indicator=repr(indicator))

    def refuse(key: str, **params) -> ValidationError:
        return ValidationError(Msg(key, where=where, **params))

    if stage not in EVALUATOR_STAGES:
        raise refuse("error.adjust_stage", choices=", ".join(EVALUATOR_STAGES), value=repr(stage))
    evaluator = author(ws, evaluator, where)
    if not isinstance(note, str) and note is not None:
        raise refuse("error.adjust_note_text", value=type(note).__name__)
    if not fw.on_scale(level):
        if fw.decimals:
            raise refuse("error.adjust_not_on_scale", value=repr(level), d=fw.decimals)
        raise refuse("error.adjust_not_whole", value=repr(level))
    if expected_event is not None and not whole(expected_event):
        raise refuse("error.adjust_expected", name="expected_event", value=repr(expected_event))
    if expected is not None and not fw.on_scale(expected):
        raise refuse("error.adjust_expected", name="expected", value=repr(expected))
    level = fw.as_value(level)
    if not fw.level_min <= level <= fw.level_max:
        raise refuse("error.adjust_range", value=fw.format_value(level), lo=fw.level_min, hi=fw.level_max, fw=fw.name)
    if indicator not in fw.codes and indicator not in fw.subitem_parent:
        raise refuse("error.adjust_indicator", fw=fw.name)
    state = ws.store.cell_state(instance, indicator)  # one statement: one round trip to a server
    self_level = state["self_level"]
    if self_level is None:
        if not ws.store.has_instance(instance):
            raise refuse("error.adjust_no_instance")
        if not (fw.is_external(indicator) and ws.store.last_submission(instance)):
            raise refuse("error.adjust_not_submitted")
        self_level = fw.external_default  # fed by a national index: its default until imported
    self_level = fw.as_value(self_level)
    check_may_write(ws, evaluator, instance, stage, where, counts=state["people"])
    if not isinstance(reopen, bool):
        raise refuse("error.adjust_expected", name="reopen", value=repr(reopen))
    last, decided = state["last"], state["decided"]
    reopens = None
    if decided is not None and STAGE_RANK[decided[4]] > STAGE_RANK[stage]:
        if not reopen:
            raise refuse("error.stage_decided", level=fw.format_value(fw.as_value(decided[1])), who=decided[2],
                         when=TimeText(decided[3]), decided=Msg(f"value.stage.{decided[4]}"),
                         stage=Msg(f"value.stage.{stage}"))  # fmt: skip
        check_may_write(ws, evaluator, instance, decided[4], where, counts=state["people"])  # may write that stage
        reopens = int(decided[0])
    current = fw.as_value(decided[1]) if decided else self_level
    if expected is not None:
        expected = fw.as_value(expected)
    stale_event = expected_event is not None and int(expected_event) != (last[0] if last else 0)
    if (expected is not None and expected != current) or stale_event:
        who = (
            Msg("error.changed_by", evaluator=last[2], when=TimeText(last[3]), stage=Msg(f"value.stage.{last[4]}"))
            if last
            else Msg("error.changed_by_version")
        )
        seen = expected if expected is not None else current
        raise ConflictError(Msg("error.conflict", where=where, current=fw.format_value(current),
                                expected=fw.format_value(seen), who=who))  # fmt: skip
    if skip_same and decided is not None and current == level and decided[4] == stage:
        return None
    note = (note or "").strip()
    if level != self_level and not note:
        raise refuse("error.adjust_note_required", level=fw.format_value(level), self_level=fw.format_value(self_level))
    return ws.store.add_event(instance, indicator, stage, level, str(evaluator).strip(), note, ws.clock(),
                              last[0] if last else None, reopens=reopens)  # fmt: skip

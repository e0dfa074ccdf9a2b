"""What a merge checks of the other side before anything is written: the same round, and every
row valid by the rules :func:`~spbe_toolkit.workspace.rules.record_level` applies (indicator,
scale, stage, note, author, conflict of interest, the stages and instances a server round's
evaluator may write), times that parse and are not in the future, origin claims that hold,
and size limits. :func:`refusals` returns the first offending rows, each named; a merge with
any is refused whole.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.io.names import same_institution
from spbe_toolkit.vocab import EVALUATOR_STAGES, VERIFICATION_VALUES
from spbe_toolkit.workspace.identity import FINAL_STAGE, affiliations, whoami


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df.to_dict("records")`` without its per-value boxing (several times faster on a big team file):
    each column to Python values once, then the rows zipped."""
    cols = list(df.columns)
    return [dict(zip(cols, row)) for row in zip(*(df[c].tolist() for c in cols))]


FUTURE_TOLERANCE = timedelta(days=1)
"""How far in the future a time of the other side may be (clocks of laptops differ)."""
MAX_EVENTS = 500_000
"""The most events one merge takes (a national round has about 620 × 47 × 4 ≈ 117,000)."""
MAX_BYTES = 1 << 30
"""The largest team file a merge opens (1 GiB)."""
SHOWN = 5  # offending rows named in a refusal


def same_round(ws, other) -> None:
    """Refuse another round: other framework (by content, not only name), year or predicate basis."""

    def digest(meta):
        return hashlib.sha256(str(meta.get("framework_toml", "")).encode()).hexdigest()[:12]

    here, there = ws.meta, other.meta
    fields = (("framework", here.get("framework"), there.get("framework")),
              ("framework_toml", digest(here), digest(there)), ("year", here.get("year", ""), there.get("year", "")),
              ("predicate_basis", here.get("predicate_basis"), there.get("predicate_basis")))  # fmt: skip
    for name, a, b in fields:
        if a != b:
            raise ValidationError(Msg("error.merge_other_round", here=f"{name} {a or '-'}", there=f"{name} {b or '-'}"))


def _time(value: Any, now: datetime) -> str | None:
    """None when ``value`` is an ISO time not beyond the tolerance, else why not."""
    if not isinstance(value, str):
        return "time"
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return "time"
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return "future" if t > now + FUTURE_TOLERANCE else None


_NONE = object()  # a row without the column


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


class _Checker:
    """The target's rules, read once, applied to every row of the other side."""

    def __init__(self, ws, other, their_assignments: pd.DataFrame) -> None:
        self.ws, self.fw = ws, ws.framework
        self.now = datetime.now(UTC)
        self.codes = self.fw.entry_code_set
        subs = other.store.rows("submissions")
        self.instances = set(ws.instances().index) | set(subs["instance"])
        own = pd.concat([ws.self_assessment(), other.self_assessment()], ignore_index=True)
        self.self_level = {(r.instance, r.indicator): r.level for r in own.itertuples(index=False)}
        self.aff = {}
        self.their_assignments = their_assignments
        me = whoami(ws)
        registered = ws.evaluators()
        self.server_evaluators = (
            set(registered["name"]) - {me["name"]} if me is not None else set()
        )  # names of roles that are not the round's owner
        assigned = pd.concat([ws.assignments(), their_assignments], ignore_index=True)
        self.assigned = set(zip(assigned["evaluator"], assigned["instance"]))
        self._cells: dict[tuple, str | None] = {}  # what cell() finds, by everything but the time
        self._levels: dict[Any, bool] = {}  # level → on the scale and in range

    def affiliations(self, name: str) -> list[str]:
        if name not in self.aff:
            a = self.their_assignments
            theirs = list(a.loc[a["evaluator"] == name, "affiliation"]) if len(a) else []
            self.aff[name] = [*affiliations(self.ws, name), *(x for x in theirs if _text(x))]
        return self.aff[name]

    def author(self, name: Any, instance: str, stage: str | None) -> str | None:
        if not _text(name):
            return "evaluator"
        if any(same_institution(x, instance) for x in self.affiliations(name)):
            return "conflict"
        if name in self.server_evaluators:
            if stage == FINAL_STAGE:
                return "final"
            if (name, instance) not in self.assigned:
                return "not_assigned"
        return None

    def cell(self, r: dict, stage_needed: bool = True) -> str | None:
        key = (r.get("instance"), r.get("stage"), r.get("indicator", _NONE), r.get("evaluator"), stage_needed)
        try:
            why = self._cells[key]
        except KeyError:  # a team file repeats few (instance, stage, indicator, author): each checked once
            why = self._cells[key] = self._cell(r, stage_needed)
        except TypeError:  # an unhashable value (from a hostile file): checked as it is
            why = self._cell(r, stage_needed)
        return why or _time(r.get("created_at"), self.now)

    def _cell(self, r: dict, stage_needed: bool) -> str | None:
        if r.get("instance") not in self.instances:
            return "instance"
        if stage_needed and r.get("stage") not in EVALUATOR_STAGES:
            return "stage"
        if "indicator" in r and str(r.get("indicator")) not in self.codes:
            return "indicator"
        return self.author(r.get("evaluator"), r["instance"], r.get("stage"))

    def event(self, r: dict) -> str | None:
        why = self.cell(r)
        if why:
            return why
        level = r.get("level")
        number = type(level) in (int, float)  # (not bool, not text: those are checked each time)
        ok = self._levels.get(level) if number else None
        if ok is None:
            ok = self.fw.on_scale(level) and self.fw.level_min <= level <= self.fw.level_max
            if number:
                self._levels[level] = ok
        if not ok:
            return "level"
        own = self.self_level.get((r["instance"], str(r["indicator"])))
        if own is None and self.fw.is_external(str(r["indicator"])):
            own = self.fw.external_default
        if own is not None and self.fw.as_value(level) != self.fw.as_value(own) and not _text(r.get("note")):
            return "note"
        return None

    def finding(self, r: dict) -> str | None:
        why = self.cell(r)
        if why:
            return why
        for flag in ("uploaded", "interviewed", "approved"):
            if r.get(flag) is not None and not (isinstance(r.get(flag), float) and pd.isna(r.get(flag))):
                if r.get(flag) not in VERIFICATION_VALUES:
                    return "flag"
        return None

    def note(self, r: dict) -> str | None:
        if not _text(r.get("topic")):
            return "topic"
        return self.cell(r, stage_needed=False)

    def assignment(self, r: dict) -> str | None:
        if r.get("instance") not in self.instances:
            return "instance"
        if not _text(r.get("evaluator")) or not _text(r.get("assigned_by")):
            return "evaluator"
        if same_institution(r.get("affiliation") or "", r["instance"]) or any(
            same_institution(x, r["instance"]) for x in affiliations(self.ws, r["evaluator"])
        ):
            return "conflict"
        return _time(r.get("assigned_at"), self.now)


def refusals(ws, other, known, their_keys, *, accept_submissions: bool = False,
             their_events: list[dict[str, Any]] | None = None) -> list[Msg]:  # fmt: skip
    """The reasons the other side cannot be merged into ``ws``, each naming its row (at most
    :data:`SHOWN`); empty when every row holds. ``known``: the identities of the events here;
    ``their_keys``: those of the other side's events, in their order (``their_events``: those
    events as :func:`records`, when read already). (An event claiming an
    identity already here with other content is not refused but kept and reported: see
    :attr:`MergeReport.disputed`.)"""
    n_events = other.store.counts()[1]
    if n_events > MAX_EVENTS:
        return [Msg("error.merge_too_many", n=n_events, limit=MAX_EVENTS)]
    their_assignments = other.store.assignments()
    check = _Checker(ws, other, their_assignments)
    out: list[Msg] = []

    def add(table: str, row_id: Any, why: str, r: dict) -> None:
        if len(out) < SHOWN:
            out.append(Msg("error.merge_row", table=table, id=row_id, why=Msg(f"error.merge_why_{why}"),
                           instance=str(r.get("instance", "")), indicator=str(r.get("indicator", "-")),
                           evaluator=str(r.get("evaluator", r.get("submitted_by", "")))))  # fmt: skip

    for r in records(their_assignments):
        why = check.assignment(r)
        if why:
            add("assignments", r["id"], why, r)
    mine = ws.store.submission_hashes()
    have, my_instances = set(zip(mine["instance"], mine["content_hash"])), set(mine["instance"])
    for r in records(other.store.rows("submissions")):
        if (r["instance"], r["content_hash"]) in have:
            continue
        if r["instance"] in my_instances and not accept_submissions:
            add("submissions", r["id"], "submission", r)
            continue
        for lv in records(other.store.submitted_levels(int(r["id"]))):
            if (
                str(lv["indicator"]) not in check.codes
                or not ws.framework.on_scale(lv["level"])
                or not (ws.framework.level_min <= lv["level"] <= ws.framework.level_max)
            ):
                add("submitted_levels", r["id"], "level", {**r, "indicator": lv["indicator"]})
                break
    my_id, their_id = ws.meta["workspace_id"], other.meta["workspace_id"]
    events = records(other.store.rows("events")) if their_events is None else their_events
    for r, key in zip(events, their_keys):
        why = check.event(r)
        if why is None and r.get("origin") == my_id and their_id != my_id and key not in known:
            # it claims to have been recorded in this round, which has no such event. (A plain
            # file copy of this round shares its id and records no origin for its own events.)
            why = "origin"
        if why:
            add("events", r["id"], why, r)
    for r in records(other.store.rows("findings")):
        why = check.finding(r)
        if why:
            add("findings", r["id"], why, r)
    for r in records(other.store.rows("interview_notes")):
        why = check.note(r)
        if why:
            add("interview_notes", r["id"], why, r)
    for r in records(other.store.rows("external_values")):
        raw = r.get("raw_value")
        if isinstance(raw, bool) or not isinstance(raw, int | float) or pd.isna(raw):
            add("external_values", r["event"], "level", r)
    return out

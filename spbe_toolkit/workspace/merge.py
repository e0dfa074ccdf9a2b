"""Merging rounds: the events of another workspace of the same round join this one.

Every event keeps its author, time and origin (the workspace where it was first recorded and
its id there), so merging the same file twice adds nothing and merges can be chained (A into
B, B into C). Submissions join by content. Two teams that set different current levels for
the same instance, indicator and stage are reported as conflicts; both events are kept, and
the merged one (the newer here) is the current level until someone decides. Assignments
travel too (appeals stay in the workspace where they were recorded), and so do the assessors'
findings (verification, catatan, rekomendasi), interview notes and the national-index values
behind imported events. The whole merge is one
transaction: a killed merge leaves the target as it was. The matching is done before the
round's write lock and the events are appended in bulk under it, so evaluators' saves wait
as briefly as possible (a save in between is matched again under the lock).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.i18n import Msg, Pair, tr
from spbe_toolkit.workspace.merge_checks import records, refusals, same_round
from spbe_toolkit.workspace.store import is_url
from spbe_toolkit.workspace.store.base import check_schema_version
from spbe_toolkit.workspace.store.statements import FINDING_COLUMNS, INTERVIEW_COLUMNS

DISPUTED_COLUMNS = ["event_here", "event_there", "instance", "indicator"]
CONFLICT_COLUMNS = ["instance", "indicator", "stage", "level_here", "evaluator_here", "level_there", "evaluator_there"]


@dataclass
class MergeReport:
    """What :meth:`Workspace.merge` did: events ``added`` and already ``present``, instances
    and submission versions added, and the ``conflicts`` (one row per cell both sides set)."""

    added: int = 0
    present: int = 0
    instances_added: int = 0
    submissions_added: int = 0
    assignments_added: int = 0
    findings_added: int = 0
    interview_notes_added: int = 0
    conflicts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CONFLICT_COLUMNS))
    disputed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DISPUTED_COLUMNS))
    """Events of the other side carrying the identity (origin, id, time) of an event here with
    other content: both are kept, and each pair is listed here to be looked at."""

    def __repr__(self) -> str:
        return "<" + tr("widget.merge_repr", None, added=self.added, present=self.present,
                        instances=self.instances_added, submissions=self.submissions_added,
                        assignments=self.assignments_added, conflicts=len(self.conflicts),
                        disputed=len(self.disputed)) + ">"  # fmt: skip


MERGE_FROM_VERSION = 9
"""The oldest schema a team file may have to be merged as it is: what a merge reads from it
(events with ``reopens``, findings, interview notes, national-index values, assignments)
exists since schema 9; the tables added after (``cell_records``, ``letters``) stay where they are."""


def _keys(events: pd.DataFrame, own_id: str) -> pd.Series:
    """An event's identity wherever it travels: the workspace it was first recorded in, its id
    there and its time (a copied workspace file shares its id; the time tells copies apart)."""
    origin = events["origin"].where(events["origin"].notna(), own_id)
    first_id = events["origin_event"].where(events["origin_event"].notna(), events["id"]).astype("int64")
    return pd.Series(list(zip(origin, first_id, events["created_at"])), index=events.index)


def _latest_per_cell(events: pd.DataFrame) -> pd.DataFrame:
    return (
        events.sort_values("id")
        .drop_duplicates(["instance", "indicator", "stage"], keep="last")
        .set_index(["instance", "indicator", "stage"])
    )


def merge(ws, other, *, accept_submissions: bool = False) -> MergeReport:
    """Merge another workspace of the same round (a file, a ``postgresql://`` URL or an open
    :class:`Workspace`) into this one; returns a :class:`MergeReport`. Idempotent.

    The other side is not trusted: a file is opened read-only with nothing of its own run
    (:meth:`SqliteStore.open_untrusted`), and before anything is written the round (framework
    content, year, predicate basis) and every row are checked by the rules of this round
    (:mod:`.merge_checks`); a refusal names the first offending rows and writes nothing. A new
    submission version of an instance this round has is refused unless ``accept_submissions``
    (submissions are the team lead's to import)."""
    workspace = type(ws)  # the Workspace class this is mixed into (no import back: no circle)
    if isinstance(other, workspace):
        source = other
    elif is_url(other):
        source = workspace.open(other)
    else:
        from spbe_toolkit.workspace.merge_checks import MAX_BYTES
        from spbe_toolkit.workspace.store import SqliteStore

        store = SqliteStore.open_untrusted(Path(other), MAX_BYTES)
        try:
            meta = store.meta()
            check_schema_version(meta, store.location)
            version = int(meta.get("schema_version", "0"))
            if version < MERGE_FROM_VERSION:  # a file not yet opened by a recent toolkit
                raise ValidationError(Msg("error.merge_old_schema", path=store.location, version=version))
            source = workspace(store, ws.framework, meta)  # the framework is ours once the round is the same
            same_round(ws, source)
        except BaseException:
            store.close()
            raise
    try:
        return _merge_from(ws, source, accept_submissions)
    finally:
        if source is not other:
            source.close()


def _content(ev) -> tuple:
    return (ev["instance"], str(ev["indicator"]), ev["stage"], float(ev["level"]), ev["evaluator"], ev["note"] or "")


@dataclass
class _Plan:
    """The events to append, worked out from the target's events as read: rows in
    EVENT_COLUMNS order numbered from ``first_id`` (a row may supersede an earlier one of the
    batch), their national-index values, and what was already present or disputed."""

    first_id: int
    rows: list
    external: list
    present: int
    disputed: list


def _plan(ws, before: pd.DataFrame, known: dict, theirs: list[dict], their_keys: list, their_id: str,
          external) -> _Plan:  # fmt: skip
    """``known``: identity → id of ``before``'s events (copied: the plan adds its own);
    ``theirs``: the other side's events as :func:`records`."""
    known = dict(known)
    content_here = {int(r["id"]): _content(r) for r in records(before)}
    their_key_of = dict(zip((ev["id"] for ev in theirs), their_keys))
    first_id = next_id = (int(before["id"].max()) if len(before) else 0) + 1
    plan = _Plan(first_id, [], [], 0, [])
    for ev, key in zip(theirs, their_keys):
        if key in known:
            if content_here.get(known[key]) == _content(ev):
                plan.present += 1
                continue
            # the same identity with other content: a forgery or a damaged copy. Both are kept —
            # theirs under an identity of its own, made of its content (so merging the same file
            # again adds nothing) — and the pair is reported.
            digest = hashlib.sha256(repr((their_id, _content(ev))).encode()).hexdigest()[:16]
            key = (f"disputed:{digest}", int(ev["id"]), ev["created_at"])
            if key in known:
                plan.present += 1
                continue
            plan.disputed.append({"event_here": known[their_key_of[ev["id"]]], "event_there": int(ev["id"]),
                                  "instance": ev["instance"], "indicator": ev["indicator"]})  # fmt: skip
        supersedes, reopens = (
            known.get(their_key_of.get(int(ref))) if ref is not None and pd.notna(ref) else None
            for ref in (ev["supersedes"], ev.get("reopens"))  # a file of schema 8 reopened nothing
        )
        plan.rows.append((ev["instance"], ev["indicator"], ev["stage"], ws.framework.as_value(ev["level"]),
                          ev["evaluator"], ev["note"], ev["created_at"], supersedes, key[0], int(key[1]),
                          reopens))  # fmt: skip
        known[key] = next_id
        if int(ev["id"]) in external:
            x = external[int(ev["id"])]
            plan.external.append((next_id, x["index_code"], float(x["raw_value"]), x["conversion"], x["source"]))
        next_id += 1
    return plan


def _merge_from(ws, other, accept_submissions: bool = False) -> MergeReport:
    same_round(ws, other)
    report = MergeReport()
    my_id, their_id = ws.meta["workspace_id"], other.meta["workspace_id"]
    theirs = other.store.rows("events")
    before = ws.store.rows("events")
    known = dict(zip(_keys(before, my_id), before["id"]))
    their_keys = list(_keys(theirs, their_id)) if len(theirs) else []
    their_events = records(theirs)  # read once: checked, then planned
    problems = refusals(ws, other, known, their_keys, accept_submissions=accept_submissions, their_events=their_events)
    if problems:
        rows = Pair(" · ".join(m.text("id") for m in problems), " · ".join(m.text("en") for m in problems))
        raise ValidationError(Msg("error.merge_refused", path=other.location, rows=rows))
    ext = other.store.rows("external_values")
    their_external = {int(r["event"]): r for r in records(ext)}
    # the work of matching is done before the round's lock: under it, only bulk appends
    plan = _plan(ws, before, known, their_events, their_keys, their_id, their_external)
    with ws.store.transaction():
        report.instances_added, report.submissions_added = _merge_submissions(ws, other)
        report.assignments_added = _merge_assignments(ws, other)
        if ws.store.next_event_id() != plan.first_id:  # someone saved meanwhile: match against what is there now
            before = ws.store.rows("events")
            known = dict(zip(_keys(before, my_id), before["id"]))
            plan = _plan(ws, before, known, their_events, their_keys, their_id, their_external)
        ws.store.add_events(plan.rows, plan.first_id)
        ws.store.add_external_values(plan.external)
        report.added, report.present = len(plan.rows), plan.present
        report.findings_added = _merge_notes(ws, other, "findings", my_id, their_id)
        report.interview_notes_added = _merge_notes(ws, other, "interview_notes", my_id, their_id)
    report.conflicts = _conflicts(before, theirs)
    report.disputed = pd.DataFrame(plan.disputed, columns=DISPUTED_COLUMNS)
    return report


def _merge_notes(ws, other, table: str, my_id: str, their_id: str) -> int:
    """Findings or interview notes of the other side this one lacks, keyed like events (origin,
    id there, time): merging twice adds nothing, and merges chain."""
    columns = FINDING_COLUMNS if table == "findings" else INTERVIEW_COLUMNS
    add = ws.store.add_finding if table == "findings" else ws.store.add_interview_note
    here = ws.store.rows(table)
    known = set(_keys(here, my_id)) if len(here) else set()
    theirs = other.store.rows(table)
    if theirs.empty:
        return 0
    n = 0
    for rec, key in zip(records(theirs), _keys(theirs, their_id)):
        if key in known:
            continue
        row = {c: (None if not isinstance(rec.get(c), str) and pd.isna(rec.get(c)) else rec.get(c)) for c in columns}
        if row.get("no_evidence") is not None:
            row["no_evidence"] = int(row["no_evidence"])
        row["origin"], row["origin_event"] = key[0], int(key[1])
        add(row)
        known.add(key)
        n += 1
    return n


def _merge_submissions(ws, other) -> tuple[int, int]:
    mine = ws.store.submission_hashes()
    have = set(zip(mine["instance"], mine["content_hash"]))
    instances = set(mine["instance"])
    subs = other.store.rows("submissions")
    n_inst = n_sub = 0
    for _, s in subs.iterrows():
        if (s["instance"], s["content_hash"]) in have:
            continue
        if s["instance"] not in instances:
            ws.store.add_instance(s["instance"], s["imported_at"])
            instances.add(s["instance"])
            n_inst += 1
        levels = other.store.submitted_levels(int(s["id"]))
        last = ws.store.last_submission(s["instance"])
        meta = {k: (None if pd.isna(s[k]) else s[k]) for k in ("instance_type", "province", "year", "contact")}
        if meta["year"] is not None:
            meta["year"] = int(meta["year"])
        ws.store.add_submission(s["instance"], 1 if last is None else last[0] + 1, meta, s["file"],
                                  s["content_hash"], s["imported_at"], levels.itertuples(index=False, name=None))  # fmt: skip
        have.add((s["instance"], s["content_hash"]))
        n_sub += 1
    return n_inst, n_sub


def _merge_assignments(ws, other) -> int:
    """Assignments the other side recorded that this one lacks (same instance, evaluator,
    team and time): who reviews what travels with the round."""
    have = {
        tuple(r)
        for r in ws.store.assignments()[["instance", "evaluator", "team", "assigned_at"]].itertuples(index=False)
    }
    n = 0
    for r in other.store.assignments().itertuples(index=False):
        if (r.instance, r.evaluator, r.team, r.assigned_at) in have:
            continue
        ws.store.add_assignment(r.instance, r.evaluator, r.team, r.affiliation, r.assigned_by, r.assigned_at)
        have.add((r.instance, r.evaluator, r.team, r.assigned_at))
        n += 1
    return n


def _conflicts(here: pd.DataFrame, there: pd.DataFrame) -> pd.DataFrame:
    """Cells whose latest level differs between the two sides (as they were before the merge)."""
    if here.empty or there.empty:
        return pd.DataFrame(columns=CONFLICT_COLUMNS)
    a, b = _latest_per_cell(here), _latest_per_cell(there)
    both = a.add_suffix("_here").join(b.add_suffix("_there"), how="inner")
    differ = both[both["level_here"] != both["level_there"]].reset_index()
    return differ[CONFLICT_COLUMNS].reset_index(drop=True)

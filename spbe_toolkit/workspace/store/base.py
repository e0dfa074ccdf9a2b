"""The store contract and what both stores share.

The :class:`~spbe_toolkit.workspace.Workspace` holds the rules (who may record what); a store
holds rows and guarantees durability: every write happens inside :meth:`Store.transaction`
(one committed unit of work), history is only ever appended, and reads see committed data.
:class:`BaseStore` implements every named read and append once, over four primitives each
dialect provides (``_rows``, ``_frame``, ``_run``, ``_insert``); the dialects add only what is
truly theirs (connecting, locking, ids, protection triggers, integrity checks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pandas as pd

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.workspace.store import schema
from spbe_toolkit.workspace.store import statements as sql


class Store(Protocol):
    """What a workspace needs from the place its data lives: named reads and appends only."""

    location: str

    def transaction(self) -> Any: ...  # context manager: BEGIN … COMMIT, ROLLBACK on error
    def close(self) -> None: ...
    def reopen_location(self) -> str: ...  # what another process opens the same round with
    def meta(self) -> dict[str, str]: ...
    def counts(self) -> tuple[int, int]: ...
    def change_marker(self) -> Any: ...  # equal twice ⇒ nothing committed between (None: unknown)
    def integrity_check(self) -> str: ...
    # single rows
    def has_instance(self, instance: str) -> bool: ...
    def last_submission(self, instance: str) -> tuple[int, str] | None: ...
    def self_level(self, instance: str, indicator: str) -> int | float | None: ...
    def last_event(self, instance: str, indicator: str) -> tuple[int, Any, str, str, str] | None: ...
    # tables (DataFrames with the columns of their statement)
    def latest_submissions(self) -> pd.DataFrame: ...
    def self_assessment(self, instance: str | None = None) -> pd.DataFrame: ...
    def latest_events(self, stages: Sequence[str], instance: str | None = None) -> pd.DataFrame: ...
    def history(self, instance: str | None = None) -> pd.DataFrame: ...
    def rows(self, table: str) -> pd.DataFrame: ...
    # appends (inside a transaction)
    def add_instance(self, instance: str, now: str) -> None: ...
    def add_event(self, instance: str, indicator: str, stage: str, level, evaluator: str, note: str,
                  created_at: str, supersedes: int | None, origin: str | None = None,
                  origin_event: int | None = None, reopens: int | None = None) -> int: ...  # fmt: skip


class BaseStore:
    """Named reads and appends written once for both dialects (see the module doc)."""

    location: str

    # ------------------------------------------------------------------ primitives (per dialect)
    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def _frame(self, statement: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        raise NotImplementedError

    def _run(self, statement: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def _insert(self, statement: str, params: Sequence[Any]) -> int:
        """Run an INSERT of a table with an ``id`` column and return the new row's id."""
        raise NotImplementedError

    def _run_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            self._run(statement, row)

    def _one(self, statement: str, params: Sequence[Any] = ()) -> tuple | None:
        found = self._rows(statement, params)
        return tuple(found[0]) if found else None

    # ------------------------------------------------------------------ round
    def meta(self) -> dict[str, str]:
        return dict(self._rows(sql.META))

    def counts(self) -> tuple[int, int]:
        return int(self._one(sql.COUNT_INSTANCES)[0]), int(self._one(sql.COUNT_EVENTS)[0])

    def reopen_location(self) -> str:
        return self.location

    def change_marker(self) -> Any:
        """A value that differs whenever anything was committed since it was last read (by
        another connection; it may also differ when nothing of this round changed). Equal twice:
        a read between the two saw the round as it still is. None: the store cannot tell."""
        return None

    def people_counts(self) -> tuple[int, int]:
        """(assignments, evaluators) rows: append-only, so the pair names their state."""
        a, e = self._one(sql.PEOPLE_COUNTS)
        return int(a), int(e)

    # ------------------------------------------------------------------ single rows
    def has_instance(self, instance: str) -> bool:
        return self._one(sql.HAS_INSTANCE, (instance,)) is not None

    def instance_names(self) -> set[str]:
        """Every instance of the round (one statement, for checking a batch of names)."""
        return {r[0] for r in self._rows(sql.INSTANCE_NAMES)}

    def last_submission(self, instance: str) -> tuple[int, str] | None:
        return self._one(sql.LAST_SUBMISSION, (instance,))

    def self_level(self, instance: str, indicator: str):
        row = self._one(sql.SELF_LEVEL, (instance, indicator))
        return None if row is None else row[0]

    def last_event(self, instance: str, indicator: str):
        """(id, level, evaluator, created_at, stage) of the latest event of a cell."""
        return self._one(sql.LAST_EVENT, (instance, indicator))

    def decided_event(self, instance: str, indicator: str):
        """(id, level, evaluator, created_at, stage) of a cell's event of record (the latest of
        its highest stage since its latest reopening), or None."""
        return self._one(*sql.decided_event(instance, indicator))

    def cell_state(self, instance: str, indicator: str) -> dict[str, Any]:
        """What a write to one cell checks, in one statement (see :func:`statements.cell_state`):
        ``self_level`` (None when not submitted), ``people`` (assignments, evaluators) row counts,
        ``last`` and ``decided`` events as :meth:`last_event` / :meth:`decided_event` give them."""
        row = self._one(*sql.cell_state(instance, indicator))
        last = None if row[3] is None else tuple(row[3:8])
        decided = None if row[8] is None else tuple(row[8:13])
        return {"self_level": row[0], "people": (int(row[1]), int(row[2])), "last": last, "decided": decided}

    def appeal(self, appeal: int) -> pd.DataFrame:
        return self._frame(sql.APPEAL, (int(appeal),))

    def appeal_decided(self, appeal: int) -> bool:
        return self._one(sql.APPEAL_DECIDED, (int(appeal),)) is not None

    def last_finding(self, instance: str, indicator: str, stage: str) -> dict | None:
        df = self._frame(sql.LAST_FINDING, (instance, indicator, stage))
        return df.iloc[0].to_dict() if len(df) else None

    def last_external(self, instance: str, indicator: str) -> tuple | None:
        """(raw value, index code, level) of the latest national-index value of a cell."""
        return self._one(sql.LAST_EXTERNAL, (instance, indicator))

    # ------------------------------------------------------------------ tables
    def latest_submissions(self) -> pd.DataFrame:
        return self._frame(sql.LATEST_SUBMISSIONS)

    def self_assessment(self, instance: str | None = None) -> pd.DataFrame:
        return self._frame(*sql.self_assessment(instance))

    def latest_events(self, stages: Sequence[str], instance: str | None = None) -> pd.DataFrame:
        return self._frame(*sql.latest_events(stages, instance))

    def last_event_ids(self, instance: str) -> pd.DataFrame:
        return self._frame(*sql.last_event_ids(instance))

    def history(self, instance: str | None = None) -> pd.DataFrame:
        return self._frame(*sql.history(instance))

    def event_cells(self, instance: str | None = None) -> pd.DataFrame:
        return self._frame(*sql.event_cells(instance))

    def review_progress(self, instance: str | None = None) -> pd.DataFrame:
        return self._frame(*sql.review_progress(instance))

    def submissions_log(self) -> pd.DataFrame:
        return self._frame(sql.SUBMISSIONS_LOG)

    def submission_hashes(self) -> pd.DataFrame:
        return self._frame(sql.SUBMISSION_HASHES)

    def submitted_levels(self, submission_id: int) -> pd.DataFrame:
        return self._frame(sql.SUBMITTED_LEVELS, (int(submission_id),))

    def previous_results(self) -> pd.DataFrame:
        return self._frame(sql.PREVIOUS_RESULTS)

    def appeals(self, instance: str | None = None) -> pd.DataFrame:
        return self._frame(*sql.appeals(instance))

    def assignments(self) -> pd.DataFrame:
        return self._frame(sql.ASSIGNMENTS)

    def evaluators(self) -> pd.DataFrame:
        return self._frame(sql.EVALUATORS)

    def letters(self) -> pd.DataFrame:
        return self._frame(sql.LETTERS)

    def recommendations(self) -> pd.DataFrame:
        return self._frame(sql.RECOMMENDATIONS)

    def follow_ups(self) -> pd.DataFrame:
        return self._frame(sql.FOLLOW_UPS)

    def add_recommendation(self, row: Mapping[str, Any]) -> int:
        return self._insert(sql.insert("recommendations", sql.RECOMMENDATION_COLUMNS),
                            [row.get(c) for c in sql.RECOMMENDATION_COLUMNS])  # fmt: skip

    def add_follow_up(self, row: Mapping[str, Any]) -> int:
        return self._insert(
            sql.insert("follow_ups", sql.FOLLOW_UP_COLUMNS), [row.get(c) for c in sql.FOLLOW_UP_COLUMNS]
        )

    def letter_top(self, series: str) -> int:
        """The highest number given in ``series`` so far (0 for none); stable inside a transaction."""
        return int(self._one(sql.LETTER_TOP, (series,))[0])

    def identity(self) -> dict[str, Any] | None:
        """Who the database says this session is (a server round); None for a file, where the
        typed name is the author."""
        return None

    def register_evaluator(self, role: str, name: str, team: str, affiliation: str, added_by: str, now: str) -> None:
        """(Inside a transaction.) Record who ``role`` is; a server store also creates and grants the role."""
        self._run(sql.insert("evaluators", sql.EVALUATOR_COLUMNS), (role, name, team, affiliation, added_by, now))

    def latest_findings(self, stages: Sequence[str], instance: str | None = None) -> pd.DataFrame:
        return self._frame(*sql.latest_findings(stages, instance))

    def findings(self, instance: str | None = None) -> pd.DataFrame:
        return self._frame(*sql.findings(instance))

    def interview_notes(self, instance: str | None = None) -> pd.DataFrame:
        return self._frame(*sql.interview_notes(instance))

    def external_values(self, instance: str | None = None) -> pd.DataFrame:
        return self._frame(*sql.external_values(instance))

    def external_of_events(self) -> pd.DataFrame:
        return self._frame(sql.EXTERNAL_OF_EVENTS)

    def rows(self, table: str) -> pd.DataFrame:
        """Every row of a history table, oldest first (what a merge reads from the other side)."""
        if table not in sql.ROWS:
            raise SpbeError(Msg("error.workspace_io", path=self.location, detail=f"no such table {table!r}"))
        return self._frame(sql.ROWS[table])

    # ------------------------------------------------------------------ appends (inside a transaction)
    def add_meta(self, meta: Mapping[str, str]) -> None:
        self._run_many(sql.META_INSERT, list(meta.items()))

    def add_instance(self, instance: str, now: str) -> None:
        self._run(sql.insert("instances", sql.INSTANCE_COLUMNS), (instance, now))

    def add_submission(self, instance: str, version: int, meta: Mapping[str, Any], file: str, digest: str,
                       now: str, levels: Sequence[Sequence[Any]]) -> int:  # fmt: skip
        sid = self._insert(
            sql.insert("submissions", sql.SUBMISSION_COLUMNS),
            (instance, version, meta["instance_type"], meta["province"], meta["year"], meta["contact"], file, digest,
             now),
        )  # fmt: skip
        self._run_many(sql.insert("submitted_levels", sql.LEVEL_COLUMNS), [(sid, *row) for row in levels])
        return sid

    def add_previous_result(self, instance: str, year: int, framework: str, index: float, predicate: str | None,
                            source: str, now: str) -> None:  # fmt: skip
        self._run(sql.insert("previous_results", sql.PREVIOUS_COLUMNS),
                  (instance, year, framework, index, predicate, source, now))  # fmt: skip

    def add_assignment(self, instance: str, evaluator: str, team: str, affiliation: str, assigned_by: str,
                       now: str) -> int:  # fmt: skip
        return self._insert(sql.insert("assignments", sql.ASSIGNMENT_COLUMNS),
                            (instance, evaluator, team, affiliation, assigned_by, now))  # fmt: skip

    def add_appeal(self, instance: str, indicator: str, requested_level, argument: str, evidence: str,
                   submitted_by: str, now: str) -> int:  # fmt: skip
        return self._insert(sql.insert("appeals", sql.APPEAL_COLUMNS),
                            (instance, indicator, requested_level, argument, evidence, submitted_by, now))  # fmt: skip

    def add_appeal_decision(self, appeal: int, accepted: bool, decided_by: str, reason: str, now: str,
                            event: int | None) -> None:  # fmt: skip
        self._run(sql.insert("appeal_decisions", sql.DECISION_COLUMNS),
                  (appeal, int(accepted), decided_by, reason, now, event))  # fmt: skip

    def add_finding(self, row: Mapping[str, Any]) -> int:
        return self._insert(sql.insert("findings", sql.FINDING_COLUMNS), [row.get(c) for c in sql.FINDING_COLUMNS])

    def add_interview_note(self, row: Mapping[str, Any]) -> int:
        return self._insert(sql.insert("interview_notes", sql.INTERVIEW_COLUMNS),
                            [row.get(c) for c in sql.INTERVIEW_COLUMNS])  # fmt: skip

    def add_letter(self, series: str, seq: int, number: str, instance: str, content_hash: str, issued_by: str,
                   now: str) -> int:  # fmt: skip
        return self._insert(sql.insert("letters", sql.LETTER_COLUMNS),
                            (series, int(seq), number, instance, content_hash, issued_by, now))  # fmt: skip

    def add_external_value(self, event: int, index_code: str, raw_value: float, conversion: str, source: str) -> None:
        self._run(
            sql.insert("external_values", sql.EXTERNAL_COLUMNS), (event, index_code, raw_value, conversion, source)
        )

    def add_event(self, instance: str, indicator: str, stage: str, level, evaluator: str, note: str,
                  created_at: str, supersedes: int | None, origin: str | None = None,
                  origin_event: int | None = None, reopens: int | None = None) -> int:  # fmt: skip
        return self._insert(sql.insert("events", sql.EVENT_COLUMNS),
                            (instance, indicator, stage, level, evaluator, note, created_at, supersedes, origin,
                             origin_event, reopens))  # fmt: skip

    # the event id is the client's to give in one bulk append (SQLite) or the server guard's (PostgreSQL)
    _bulk_event_ids: bool = True

    def next_event_id(self) -> int:
        """The id the next appended event receives: ``max(id) + 1`` (ids are gapless). Stable only
        inside a transaction, which holds the round's write lock."""
        return int(self._one(sql.EVENT_ID_RANGE)[1]) + 1

    def add_events(self, rows: Sequence[Sequence[Any]], first_id: int) -> None:
        """Append events in one bulk statement, in order (inside a transaction): ``rows`` in
        :data:`statements.EVENT_COLUMNS` order, the first receiving ``first_id`` (from
        :meth:`next_event_id` in this transaction) and the others the ids after it — so a row may
        supersede an earlier row of the same batch. Checked afterwards: ids as announced, or the
        transaction fails."""
        if not rows:
            return
        if self._bulk_event_ids:
            self._run_many(sql.insert("events", ("id", *sql.EVENT_COLUMNS)),
                           [(first_id + i, *row) for i, row in enumerate(rows)])  # fmt: skip
        else:
            self._run_many(sql.insert("events", sql.EVENT_COLUMNS), rows)
        n, top = self._one(sql.EVENT_ID_RANGE)
        if int(top) != first_id + len(rows) - 1 or int(n) != int(top):
            raise SpbeError(Msg("error.event_ids_moved", where=self.location, expected=first_id + len(rows) - 1,
                                found=int(top)))  # fmt: skip

    def add_external_values(self, rows: Sequence[Sequence[Any]]) -> None:
        """Many rows of :data:`statements.EXTERNAL_COLUMNS` in one bulk statement."""
        if rows:
            self._run_many(sql.insert("external_values", sql.EXTERNAL_COLUMNS), rows)

    # ------------------------------------------------------------------ migrations
    def _migrate(self) -> None:
        """Upgrade one schema version at a time, each version's steps and its new number in one
        transaction; a version this store cannot upgrade from is refused clearly."""
        version = check_schema_version(self.meta(), self.location)
        while version < schema.SCHEMA_VERSION:
            steps = schema.MIGRATIONS.get(version)
            if steps is None or version < self._first_version():
                raise SpbeError(Msg("error.schema_no_migration", path=self.location, version=version,
                                    known=schema.SCHEMA_VERSION))  # fmt: skip
            with self.transaction():
                for step in steps:
                    if step.kind == "rules":
                        self._add_rule_meta()
                    else:
                        self._apply(step)
                self._run(sql.META_VERSION, (str(version + 1),))
            version += 1

    def _first_version(self) -> int:
        return 1

    def _add_rule_meta(self) -> None:
        """The round's indicator codes and value scale as settings (:data:`schema.RULE_KEYS`),
        from the framework the round was created with; keys already present stay."""
        from spbe_toolkit.frameworks import framework_of_round

        meta = self.meta()
        rules = schema.rule_meta(framework_of_round(meta))
        self._run_many(sql.META_INSERT, [(k, v) for k, v in rules.items() if k not in meta])

    def _apply(self, step: schema.Step) -> None:
        raise NotImplementedError


def check_schema_version(meta: Mapping[str, str], location: str) -> int:
    """The stored schema version, refused when unreadable or newer than this toolkit knows."""
    try:
        version = int(meta.get("schema_version", "0"))
    except ValueError:
        raise SpbeError(
            Msg("error.bad_schema_version", path=location, value=repr(meta.get("schema_version")))
        ) from None
    if version > schema.SCHEMA_VERSION:
        raise SpbeError(Msg("error.schema_newer", path=location, version=version, known=schema.SCHEMA_VERSION))
    return version

"""Where a workspace keeps its data: the store interface, and its SQLite implementation.

The :class:`Workspace` holds the rules (who may record what); a store holds rows and
guarantees durability: every write happens inside :meth:`Store.transaction` (one committed
unit of work), events and submissions are only ever appended, and reads see committed data.
A second store (PostgreSQL) implements the same :class:`Store` protocol.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.workspace import schema


class Store(Protocol):
    """What a workspace needs from the place its data lives."""

    location: str

    def transaction(self) -> Any: ...  # context manager: BEGIN … COMMIT, ROLLBACK on error
    def meta(self) -> dict[str, str]: ...
    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame: ...
    def has_instance(self, instance: str) -> bool: ...
    def add_instance(self, instance: str, now: str) -> None: ...
    def last_submission(self, instance: str) -> tuple[int, str] | None: ...
    def add_submission(self, instance: str, version: int, meta: Mapping[str, Any], file: str, digest: str,
                       now: str, levels: Sequence[Sequence[Any]]) -> int: ...  # fmt: skip
    def self_level(self, instance: str, indicator: str) -> int | float | None: ...
    def last_event(self, instance: str, indicator: str) -> tuple[int, int, str, str, str] | None: ...
    def add_event(self, instance: str, indicator: str, stage: str, level: int, evaluator: str, note: str,
                  created_at: str, supersedes: int | None, origin: str | None = None,
                  origin_event: int | None = None) -> int: ...  # fmt: skip
    def add_previous_result(self, instance: str, year: int, framework: str, index: float, predicate: str | None,
                            source: str, now: str) -> None: ...  # fmt: skip
    def add_appeal(self, instance: str, indicator: str, requested_level: int, argument: str, evidence: str,
                   submitted_by: str, now: str) -> int: ...  # fmt: skip
    def add_appeal_decision(self, appeal: int, accepted: bool, decided_by: str, reason: str, now: str,
                            event: int | None) -> None: ...  # fmt: skip
    def add_assignment(self, instance: str, evaluator: str, team: str, affiliation: str, assigned_by: str,
                       now: str) -> int: ...  # fmt: skip
    def add_finding(self, row: Mapping[str, Any]) -> int: ...  # FINDING_COLUMNS
    def add_interview_note(self, row: Mapping[str, Any]) -> int: ...  # INTERVIEW_COLUMNS
    def add_external_value(self, event: int, index_code: str, raw_value: float, conversion: str,
                           source: str) -> None: ...  # fmt: skip
    def counts(self) -> tuple[int, int]: ...
    def integrity_check(self) -> str: ...
    def close(self) -> None: ...


FINDING_COLUMNS = ("instance", "indicator", "stage", "uploaded", "interviewed", "approved", "no_evidence", "finding",
                   "recommendation", "evaluator", "created_at", "origin", "origin_event")  # fmt: skip
INTERVIEW_COLUMNS = ("instance", "topic", "note", "indicators", "commitment", "evaluator", "created_at", "origin",
                     "origin_event")  # fmt: skip


def insert_sql(table: str, columns: Sequence[str], mark: str = "?") -> str:
    """``INSERT INTO table (columns) VALUES (?, …)`` — one statement text for both stores."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


class SqliteStore:
    """A workspace in one SQLite file (WAL, ``synchronous=FULL``, foreign keys on)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.location = str(path)
        self._conn = conn

    # ------------------------------------------------------------------ opening
    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @classmethod
    def create(cls, path: Path, meta: Mapping[str, str]) -> SqliteStore:
        """A new workspace file with the schema and ``meta``; refuses an existing file."""
        if path.exists():
            raise SpbeError(Msg("error.workspace_exists", path=str(path)))
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = cls._connect(path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        store = cls(path, conn)
        with store.transaction():
            for stmt in schema.statements():
                conn.execute(stmt)
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        return store

    @classmethod
    def open(cls, path: Path) -> SqliteStore:
        """An existing workspace file, checked (``PRAGMA quick_check``) and its schema upgraded
        when a migration exists. A damaged file is refused with a message saying how to recover."""
        if not path.is_file():
            raise SpbeError(Msg("error.no_workspace", path=str(path)))
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise SpbeError(Msg("error.not_sqlite", path=str(path)))
        try:
            conn = cls._connect(path)
        except sqlite3.Error as exc:
            raise storage_error(exc, path) from exc
        store = cls(path, conn)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "meta" not in tables:
                raise SpbeError(Msg("error.not_workspace", path=str(path)))
            check = conn.execute("PRAGMA quick_check").fetchall()
            if [r[0] for r in check] != ["ok"]:
                detail = "; ".join(" ".join(str(r[0]).split()) for r in check[:3])  # one line each
                raise SpbeError(Msg("error.damaged_workspace", path=str(path), detail=detail))
            store._migrate()
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as exc:
            conn.close()
            raise storage_error(exc, path) from exc
        except SpbeError:
            conn.close()
            raise
        return store

    def _migrate(self) -> None:
        def step(migration, new_version: int) -> None:
            migration(self._conn)
            self._conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(new_version),))

        run_migrations(self, schema.MIGRATIONS, step)

    def close(self) -> None:
        self._conn.close()

    # ------------------------------------------------------------------ units of work
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT (or ROLLBACK on any error): one durable unit of work.

        Storage failures (read-only file or folder, full disk, a lock held too long, damage)
        become an :class:`SpbeError` saying which; nothing of the unit is kept.
        """
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path) from exc
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                raise storage_error(exc, self.path) from exc
            raise

    # ------------------------------------------------------------------ reads
    def meta(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, value FROM meta"))

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        try:
            return pd.read_sql_query(sql, self._conn, params=tuple(params))
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path) from exc

    def has_instance(self, instance: str) -> bool:
        return self._conn.execute("SELECT 1 FROM instances WHERE instance = ?", (instance,)).fetchone() is not None

    def last_submission(self, instance: str) -> tuple[int, str] | None:
        return self._conn.execute(
            "SELECT version, content_hash FROM submissions WHERE instance = ? ORDER BY version DESC LIMIT 1",
            (instance,),
        ).fetchone()

    def self_level(self, instance: str, indicator: str) -> int | None:
        row = self._conn.execute(
            """SELECT sl.level FROM submitted_levels sl
               JOIN submissions s ON s.id = sl.submission_id
               WHERE s.instance = ? AND sl.indicator = ?
               ORDER BY s.version DESC LIMIT 1""",
            (instance, indicator),
        ).fetchone()
        return None if row is None else row[0]

    def last_event(self, instance: str, indicator: str) -> tuple[int, int, str, str, str] | None:
        """(id, level, evaluator, created_at, stage) of the latest event of a cell."""
        return self._conn.execute(
            "SELECT id, level, evaluator, created_at, stage FROM events"
            " WHERE instance = ? AND indicator = ? ORDER BY id DESC LIMIT 1",
            (instance, indicator),
        ).fetchone()

    def counts(self) -> tuple[int, int]:
        n = self._conn.execute("SELECT count(*) FROM instances").fetchone()[0]
        e = self._conn.execute("SELECT count(*) FROM events").fetchone()[0]
        return int(n), int(e)

    def integrity_check(self) -> str:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0]

    # ------------------------------------------------------------------ writes (inside a transaction)
    def add_instance(self, instance: str, now: str) -> None:
        self._conn.execute("INSERT INTO instances (instance, created_at) VALUES (?, ?)", (instance, now))

    def add_submission(self, instance: str, version: int, meta: Mapping[str, Any], file: str, digest: str,
                       now: str, levels: Sequence[Sequence[Any]]) -> int:  # fmt: skip
        cur = self._conn.execute(
            "INSERT INTO submissions (instance, version, instance_type, province, year, contact, file, content_hash,"
            " imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (instance, version, meta["instance_type"], meta["province"], meta["year"], meta["contact"], file, digest,
             now),
        )  # fmt: skip
        sid = cur.lastrowid
        self._conn.executemany(
            "INSERT INTO submitted_levels (submission_id, indicator, level, justification, evidence)"
            " VALUES (?, ?, ?, ?, ?)",
            [(sid, *row) for row in levels],
        )
        return int(sid)

    def add_previous_result(self, instance: str, year: int, framework: str, index: float, predicate: str | None,
                            source: str, now: str) -> None:  # fmt: skip
        self._conn.execute(
            "INSERT INTO previous_results (instance, year, framework, index_value, predicate, source, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (instance, year, framework, index, predicate, source, now),
        )

    def add_assignment(self, instance: str, evaluator: str, team: str, affiliation: str, assigned_by: str,
                       now: str) -> int:  # fmt: skip
        cur = self._conn.execute(
            "INSERT INTO assignments (instance, evaluator, team, affiliation, assigned_by, assigned_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (instance, evaluator, team, affiliation, assigned_by, now),
        )
        return int(cur.lastrowid)

    def add_appeal(self, instance: str, indicator: str, requested_level: int, argument: str, evidence: str,
                   submitted_by: str, now: str) -> int:  # fmt: skip
        cur = self._conn.execute(
            "INSERT INTO appeals (instance, indicator, requested_level, argument, evidence, submitted_by, submitted_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (instance, indicator, requested_level, argument, evidence, submitted_by, now),
        )
        return int(cur.lastrowid)

    def add_appeal_decision(self, appeal: int, accepted: bool, decided_by: str, reason: str, now: str,
                            event: int | None) -> None:  # fmt: skip
        self._conn.execute(
            "INSERT INTO appeal_decisions (appeal, accepted, decided_by, reason, decided_at, event)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (appeal, int(accepted), decided_by, reason, now, event),
        )

    def add_finding(self, row: Mapping[str, Any]) -> int:
        cur = self._conn.execute(insert_sql("findings", FINDING_COLUMNS), [row.get(c) for c in FINDING_COLUMNS])
        return int(cur.lastrowid)

    def add_interview_note(self, row: Mapping[str, Any]) -> int:
        cur = self._conn.execute(insert_sql("interview_notes", INTERVIEW_COLUMNS),
                                 [row.get(c) for c in INTERVIEW_COLUMNS])  # fmt: skip
        return int(cur.lastrowid)

    def add_external_value(self, event: int, index_code: str, raw_value: float, conversion: str, source: str) -> None:
        self._conn.execute(
            insert_sql("external_values", ("event", "index_code", "raw_value", "conversion", "source")),
            (event, index_code, raw_value, conversion, source),
        )

    def add_event(self, instance: str, indicator: str, stage: str, level: int, evaluator: str, note: str,
                  created_at: str, supersedes: int | None, origin: str | None = None,
                  origin_event: int | None = None) -> int:  # fmt: skip
        cur = self._conn.execute(
            "INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at, supersedes, origin,"
            " origin_event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (instance, indicator, stage, level, evaluator, note, created_at, supersedes, origin, origin_event),
        )
        return int(cur.lastrowid)


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


def run_migrations(store: Store, migrations: Mapping[int, Any], apply: Callable[[Any, int], None]) -> None:
    """Upgrade ``store`` one schema version at a time, each step and its new version number in
    one transaction (``apply(migration, new_version)``); a missing step is refused clearly."""
    version = check_schema_version(store.meta(), store.location)
    while version < schema.SCHEMA_VERSION:
        migration = migrations.get(version)
        if migration is None:
            raise SpbeError(
                Msg("error.schema_no_migration", path=store.location, version=version, known=schema.SCHEMA_VERSION)
            )
        with store.transaction():
            apply(migration, version + 1)
        version += 1


_STORAGE_ERRORS = (  # words of SQLite's messages → what people are told
    (("readonly", "read-only"), "error.workspace_readonly"),
    (("disk is full", "database or disk is full"), "error.workspace_full"),
    (("locked", "busy"), "error.workspace_busy"),
    (("malformed", "not a database", "corrupt"), "error.damaged_workspace"),
    (("unable to open",), "error.workspace_cannot_open"),
)


def storage_error(exc: sqlite3.Error, path: Path) -> SpbeError:
    """An SQLite failure as people should read it: read-only, disk full, busy, damaged, or other."""
    text = str(exc).lower()
    for words, key in _STORAGE_ERRORS:
        if any(w in text for w in words):
            return SpbeError(Msg(key, path=str(path), detail=str(exc)))
    return SpbeError(Msg("error.workspace_io", path=str(path), detail=str(exc)))

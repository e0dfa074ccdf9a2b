"""A workspace in one SQLite file: what only SQLite has — the connection and its PRAGMAs (WAL,
``synchronous=FULL``, foreign keys), ``BEGIN IMMEDIATE``, its trigger dialect, ``quick_check``
on open and the words of its error messages. Everything else is :class:`BaseStore`."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.workspace.store import schema
from spbe_toolkit.workspace.store import statements as sql
from spbe_toolkit.workspace.store.base import BaseStore


def _append_only(table: str, keys: tuple[tuple[str, ...], ...]) -> str:
    # A REPLACE (or an upsert) on any unique key deletes the row it collides with without a
    # DELETE trigger: an INSERT that collides with any of them is refused before it happens.
    clash = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE {' AND '.join(f'{k} = NEW.{k}' for k in key)})" for key in keys
    )
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {clash}
BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
"""


# The round's settings (framework, predicate basis, year) never change once written; only
# the schema version moves, and only forward, through a migration.
META_TRIGGERS = """
CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta BEGIN SELECT RAISE(ABORT, 'meta is append-only'); END;
CREATE TRIGGER meta_no_replace BEFORE INSERT ON meta WHEN EXISTS (SELECT 1 FROM meta WHERE key = NEW.key)
BEGIN SELECT RAISE(ABORT, 'meta is append-only'); END;
CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta
WHEN OLD.key != 'schema_version' OR NEW.key != 'schema_version'
  OR CAST(NEW.value AS INTEGER) <= CAST(OLD.value AS INTEGER)
BEGIN SELECT RAISE(ABORT, 'meta is append-only'); END;
"""


def protection(tables, meta: bool = False) -> str:
    """The SQLite triggers protecting ``tables`` (and ``meta``), from :data:`schema.APPEND_ONLY`."""
    return "".join(_append_only(t, schema.APPEND_ONLY[t]) for t in tables) + (META_TRIGGERS if meta else "")


def _decided(select: str) -> str:
    """A subquery of NEW's cell's event of record (as in :func:`statements.decided_events`)."""
    return f"""(SELECT {select} FROM events d WHERE d.instance = NEW.instance AND d.indicator = NEW.indicator
    AND d.id >= COALESCE((SELECT MAX(r.id) FROM events r WHERE r.instance = NEW.instance
                          AND r.indicator = NEW.indicator AND r.reopens IS NOT NULL), 0)
  ORDER BY {sql.stage_rank("d.stage")} DESC, d.id DESC LIMIT 1)"""


# Schema 9: a level written here at a stage below the cell's decided one must say which decision
# it reopens (merged events are history from elsewhere: the level of record sorts them out).
STAGE_ORDER = f"""
CREATE TRIGGER events_stage_order BEFORE INSERT ON events WHEN NEW.origin IS NULL
  AND {_decided(sql.stage_rank("d.stage"))} > {sql.stage_rank("NEW.stage")}
  AND NEW.reopens IS NOT {_decided("d.id")}
BEGIN SELECT RAISE(ABORT, 'spbe:stage_order'); END;
"""


def _record_triggers() -> str:
    """Schema 10: the trigger that keeps ``cell_records`` as events are appended, and the ones
    that refuse any other write to it — an insert or update must be exactly what the newest
    event (the one just appended) makes of the cell's row, a delete never: a row can only be
    what the events say (each check reads a few rows by key, whatever the number of events)."""
    r = sql.stage_rank("NEW.stage")
    moves = f"NEW.reopens IS NOT NULL OR {r} >= record_rank"  # the new event becomes the cell's event of record
    e = sql.stage_rank("e.stage")
    newest = "SELECT 1 FROM events e WHERE e.id = (SELECT MAX(id) FROM events)"
    refuse = "BEGIN SELECT RAISE(ABORT, 'cell_records are kept by the events trigger only'); END;"
    return f"""
CREATE TRIGGER events_record AFTER INSERT ON events BEGIN
UPDATE cell_records SET event = CASE WHEN {moves} THEN NEW.id ELSE event END,
  record_rank = CASE WHEN {moves} THEN {r} ELSE record_rank END, top_rank = MAX(top_rank, {r}),
  since = CASE WHEN NEW.reopens IS NOT NULL THEN NEW.id ELSE since END
WHERE instance = NEW.instance AND indicator = NEW.indicator;
INSERT INTO cell_records (instance, indicator, event, record_rank, top_rank, since)
SELECT NEW.instance, NEW.indicator, NEW.id, {r}, {r}, CASE WHEN NEW.reopens IS NULL THEN 0 ELSE NEW.id END
WHERE NOT EXISTS (SELECT 1 FROM cell_records WHERE instance = NEW.instance AND indicator = NEW.indicator);
END;
CREATE TRIGGER cell_records_no_delete BEFORE DELETE ON cell_records {refuse}
CREATE TRIGGER cell_records_insert BEFORE INSERT ON cell_records
WHEN EXISTS (SELECT 1 FROM cell_records c WHERE c.instance = NEW.instance AND c.indicator = NEW.indicator)
  OR NOT EXISTS ({newest} AND e.id = NEW.event AND e.instance = NEW.instance AND e.indicator = NEW.indicator
    AND NEW.record_rank = {e} AND NEW.top_rank = {e} AND NEW.since = CASE WHEN e.reopens IS NULL THEN 0 ELSE e.id END)
{refuse}
CREATE TRIGGER cell_records_update BEFORE UPDATE ON cell_records
WHEN NOT EXISTS ({newest} AND e.instance = OLD.instance AND e.indicator = OLD.indicator
    AND NEW.instance = OLD.instance AND NEW.indicator = OLD.indicator AND NEW.top_rank = MAX(OLD.top_rank, {e})
    AND NEW.since = CASE WHEN e.reopens IS NULL THEN OLD.since ELSE e.id END
    AND CASE WHEN e.reopens IS NOT NULL OR {e} >= OLD.record_rank THEN NEW.event = e.id AND NEW.record_rank = {e}
             ELSE NEW.event = OLD.event AND NEW.record_rank = OLD.record_rank END)
{refuse}
"""


RECORD_TRIGGERS = _record_triggers()
TRIGGERS = protection(schema.APPEND_ONLY, meta=True) + STAGE_ORDER + RECORD_TRIGGERS
TRIGGER_NAMES = frozenset(re.findall(r"CREATE TRIGGER (\w+)", TRIGGERS))


def statements(script: str | None = None) -> list[str]:
    """The schema and triggers (or ``script``) as single statements (executescript() would
    COMMIT on its own). Triggers end in ``END;``: their inner ``;`` does not split them."""
    script = schema.SCHEMA + TRIGGERS if script is None else script
    out, current = [], []
    for line in script.splitlines():
        current.append(line)
        text = "\n".join(current).strip()
        inside_trigger = text.upper().startswith("CREATE TRIGGER") and not text.endswith("END;")
        if text.endswith(";") and not inside_trigger:
            out.append(text)
            current = []
    if "\n".join(current).strip():
        out.append("\n".join(current).strip())
    return out


def _definitions(script: str) -> dict[str, str]:
    """trigger name → its CREATE statement, as SQLite stores it."""
    out = {}
    for stmt in statements(script):
        m = re.match(r"CREATE TRIGGER (\w+)", stmt)
        if m:
            out[m.group(1)] = stmt.rstrip(";").strip()
    return out


TRIGGER_DEFINITIONS = _definitions(TRIGGERS)
MERGED_TABLES = ("meta", "instances", "submissions", "submitted_levels", "events", "assignments", "findings",
                 "interview_notes", "external_values")  # what a merge reads of the other side  # fmt: skip


class SqliteStore(BaseStore):
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
        path = Path(path)
        if path.exists():
            raise SpbeError(Msg("error.workspace_exists", path=str(path)))
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = cls._connect(path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        store = cls(path, conn)
        with store.transaction():
            for stmt in statements():
                conn.execute(stmt)
            store.add_meta(meta)
        return store

    @classmethod
    def open(cls, path: Path) -> SqliteStore:
        """An existing workspace file, checked (``PRAGMA quick_check``) and its schema upgraded
        when a migration exists. A damaged file is refused with a message saying how to recover."""
        path = Path(path)
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
            protection_check = store.protection_check()
            if protection_check != "ok":
                raise SpbeError(Msg("error.damaged_workspace", path=str(path), detail=protection_check))
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as exc:
            conn.close()
            raise storage_error(exc, path) from exc
        except SpbeError:
            conn.close()
            raise
        return store

    @classmethod
    def open_untrusted(cls, path: Path, max_bytes: int) -> SqliteStore:
        """Another team's file, to be read and never trusted: opened read-only (also when it is
        read-only on disk), ``trusted_schema`` off, nothing run that the file defines. Refused —
        before a row is read — when larger than ``max_bytes``, damaged, or holding a view, a
        trigger, a table or an index this toolkit does not define, or a table lacking a column."""
        path = Path(path)
        if not path.is_file():
            raise SpbeError(Msg("error.no_workspace", path=str(path)))
        size = path.stat().st_size
        if size > max_bytes:
            raise SpbeError(Msg("error.merge_too_large", path=str(path), size=size, limit=max_bytes))
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise SpbeError(Msg("error.not_sqlite", path=str(path)))
        uri = path.resolve().as_uri()
        conn = None
        wal = path.with_name(path.name + "-wal")
        # A file its team closed has no write-ahead log: read it as immutable (no lock, no -shm,
        # nothing written beside it). One still open elsewhere has a log to read: read-only mode.
        modes = ("?mode=ro", "?mode=ro&immutable=1") if wal.exists() and wal.stat().st_size else ("?immutable=1",)
        for mode in modes:
            try:
                conn = sqlite3.connect(
                    uri + mode, uri=True, isolation_level=None, timeout=30.0, check_same_thread=False
                )
                conn.execute("PRAGMA trusted_schema = OFF")
                conn.execute("PRAGMA query_only = ON")
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                break
            except sqlite3.Error as exc:
                if conn is not None:
                    conn.close()
                conn = None
                last = exc
        if conn is None:
            raise storage_error(last, path)
        store = cls(path, conn)
        try:
            problem = store._untrusted_problem()
        except sqlite3.Error as exc:
            conn.close()
            raise storage_error(exc, path) from exc
        if problem:
            conn.close()
            raise SpbeError(Msg("error.merge_bad_file", path=str(path), detail=problem))
        return store

    def _untrusted_problem(self) -> str:
        """What makes a file not a workspace this toolkit wrote (empty when nothing does)."""
        conn = self._conn
        check = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        if check != ["ok"]:
            return "; ".join(" ".join(str(c).split()) for c in check[:3])
        tables = {"meta", *schema.APPEND_ONLY, *schema.RECORD_TABLES}  # a merge never reads cell_records
        indexes = set(re.findall(r"CREATE (?:UNIQUE )?INDEX (\w+)", schema.SCHEMA))
        order = "CASE type WHEN 'view' THEN 0 WHEN 'trigger' THEN 1 WHEN 'table' THEN 2 ELSE 3 END"
        for kind, name, sql_text in conn.execute(f"SELECT type, name, sql FROM sqlite_master ORDER BY {order}, name"):
            if kind == "table" and (name in tables or name in ("sqlite_sequence", "sqlite_stat1", "sqlite_stat4")):
                if (sql_text or "").lstrip().upper().startswith("CREATE VIRTUAL"):
                    return f"virtual table {name!r}"
                continue
            if kind == "index" and (name in indexes or name.startswith("sqlite_autoindex_")):
                continue
            if kind == "trigger" and name in TRIGGER_NAMES:
                continue  # read-only: no trigger of the file ever runs here
            return f"{kind} {name!r}"
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in MERGED_TABLES:
            if table not in have:
                return f"no table {table!r}"
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            wanted = set(re.findall(r"^\s+(\w+) ", schema.table_statement(table), re.M)) - {"PRIMARY", "UNIQUE"}
            wanted -= set(schema.REOPEN_COLUMNS.get(table, ()))  # schema 8 files lack them; read as empty
            missing = sorted(wanted - columns)
            if missing:
                return f"table {table!r} lacks column(s) {', '.join(missing)}"
        return ""

    def close(self) -> None:
        self._conn.close()

    def reopen_location(self) -> str:
        return str(self.path.resolve())

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

    def change_marker(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes when another connection commits."""
        return int(self._rows("PRAGMA data_version")[0][0])

    # ------------------------------------------------------------------ primitives
    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        try:
            return self._conn.execute(statement, tuple(params)).fetchall()
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path) from exc

    def _frame(self, statement: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        try:
            return pd.read_sql_query(statement, self._conn, params=tuple(params))
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path) from exc

    def _run(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._conn.execute(statement, tuple(params))

    def _run_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(statement, [tuple(r) for r in rows])

    def _insert(self, statement: str, params: Sequence[Any]) -> int:
        return int(self._conn.execute(statement, tuple(params)).lastrowid)

    def integrity_check(self) -> str:
        check = self._conn.execute("PRAGMA integrity_check").fetchone()[0]
        return check if check != "ok" else self.protection_check()

    def protection_check(self) -> str:
        """ "ok", or what is wrong with the protection of the one declaration
        (:data:`schema.APPEND_ONLY`): a trigger missing, or defined otherwise than this toolkit
        defines it (a trigger rewritten to let changes through protects nothing)."""
        found = {
            r[0]: (r[1] or "") for r in self._conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        }
        missing = sorted(TRIGGER_NAMES - set(found))
        if missing:
            return "missing protection triggers: " + ", ".join(missing)
        altered = sorted(n for n in TRIGGER_NAMES if _same_text(found[n]) != _same_text(TRIGGER_DEFINITIONS[n]))
        return "ok" if not altered else "protection triggers defined otherwise: " + ", ".join(altered)

    # ------------------------------------------------------------------ migrations
    def _apply(self, step: schema.Step) -> None:
        conn = self._conn
        if step.kind in ("protect", "add_tables"):
            if step.kind == "add_tables":
                for t in step.tables:
                    conn.execute(schema.table_statement(t).replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1))
                for stmt in schema.index_statements(tables=step.tables):
                    conn.execute(stmt.replace("INDEX ", "INDEX IF NOT EXISTS ", 1))
            script = protection(step.tables, meta=step.meta)
            for name in re.findall(r"CREATE TRIGGER (\w+)", script):
                conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            for stmt in statements(script):
                conn.execute(stmt)
        elif step.kind == "add_columns":
            have = {r[1] for r in conn.execute(f"PRAGMA table_info({step.table})")}
            for column in step.columns:
                if column.split()[0] not in have:
                    conn.execute(f"ALTER TABLE {step.table} ADD COLUMN {column}")
        elif step.kind == "add_indexes":
            for stmt in schema.index_statements(names=step.names):
                conn.execute(stmt.replace("INDEX ", "INDEX IF NOT EXISTS ", 1))
        elif step.kind == "meta_default":
            if conn.execute("SELECT 1 FROM meta WHERE key = ?", (step.key,)).fetchone() is None:
                conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (step.key, uuid.uuid4().hex))
        elif step.kind == "stage_order":
            conn.execute("DROP TRIGGER IF EXISTS events_stage_order")
            for stmt in statements(STAGE_ORDER):
                conn.execute(stmt)
        elif step.kind == "cell_records":
            for name in re.findall(r"CREATE TRIGGER (\w+)", RECORD_TRIGGERS):
                conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            conn.execute("DROP TABLE IF EXISTS cell_records")  # derived only: made anew from the events
            conn.execute(schema.table_statement("cell_records"))
            statement, params = sql.record_rows()
            conn.execute(f"INSERT INTO cell_records ({', '.join(sql.RECORD_COLUMNS)}) {statement}", params)
            for stmt in statements(RECORD_TRIGGERS):
                conn.execute(stmt)
        elif step.kind == "guard":
            pass  # one machine, one typed name: who writes is the file's owner (the server guards roles)
        elif step.kind == "numeric":
            pass  # SQLite keeps a non-integral number in a column of INTEGER affinity as REAL
        else:  # a step kind this store does not know is a programming error, named
            raise SpbeError(
                Msg("error.workspace_io", path=self.location, detail=f"unknown migration step {step.kind!r}")
            )


def _same_text(statement: str) -> str:
    return " ".join(statement.rstrip().rstrip(";").split())


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

"""The workspace schema (SQLite), its version, and the migrations between versions.

Append-only is enforced in the database: triggers refuse UPDATE and DELETE on the event
and submission tables, and the CHECK on ``events.stage`` lists the evaluator stages.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from spbe_toolkit.vocab import EVALUATOR_STAGES, VERIFICATION_VALUES

SCHEMA_VERSION = 7
_STAGE_LIST = ", ".join(f"'{s}'" for s in EVALUATOR_STAGES)
_FLAG_LIST = ", ".join(f"'{s}'" for s in VERIFICATION_VALUES)

SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE instances (
    instance TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    version INTEGER NOT NULL,
    instance_type TEXT, province TEXT, year INTEGER, contact TEXT,
    file TEXT,
    content_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (instance, version)
);
CREATE TABLE submitted_levels (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    indicator TEXT NOT NULL,
    level NUMERIC NOT NULL,
    justification TEXT,
    evidence TEXT,
    PRIMARY KEY (submission_id, indicator)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    indicator TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ({_STAGE_LIST})),
    level NUMERIC NOT NULL,
    evaluator TEXT NOT NULL CHECK (length(trim(evaluator)) > 0),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    supersedes INTEGER REFERENCES events(id),
    origin TEXT,
    origin_event INTEGER
);
CREATE UNIQUE INDEX events_by_origin ON events (origin, origin_event, created_at);
CREATE TABLE previous_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    year INTEGER NOT NULL,
    framework TEXT NOT NULL,
    index_value REAL NOT NULL,
    predicate TEXT,
    source TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    indicator TEXT NOT NULL,
    requested_level NUMERIC NOT NULL,
    argument TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL
);
CREATE TABLE appeal_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal INTEGER NOT NULL UNIQUE REFERENCES appeals(id),
    accepted INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    decided_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    event INTEGER REFERENCES events(id)
);
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    evaluator TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    affiliation TEXT NOT NULL DEFAULT '',
    assigned_by TEXT NOT NULL,
    assigned_at TEXT NOT NULL
);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    indicator TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ({_STAGE_LIST})),
    uploaded TEXT CHECK (uploaded IN ({_FLAG_LIST})),
    interviewed TEXT CHECK (interviewed IN ({_FLAG_LIST})),
    approved TEXT CHECK (approved IN ({_FLAG_LIST})),
    no_evidence INTEGER CHECK (no_evidence IN (0, 1)),
    finding TEXT NOT NULL DEFAULT '',
    recommendation TEXT NOT NULL DEFAULT '',
    evaluator TEXT NOT NULL CHECK (length(trim(evaluator)) > 0),
    created_at TEXT NOT NULL,
    origin TEXT,
    origin_event INTEGER
);
CREATE TABLE interview_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    topic TEXT NOT NULL CHECK (length(trim(topic)) > 0),
    note TEXT NOT NULL,
    indicators TEXT NOT NULL DEFAULT '',
    commitment TEXT NOT NULL DEFAULT '',
    evaluator TEXT NOT NULL CHECK (length(trim(evaluator)) > 0),
    created_at TEXT NOT NULL,
    origin TEXT,
    origin_event INTEGER
);
CREATE TABLE external_values (
    event INTEGER PRIMARY KEY REFERENCES events(id),
    index_code TEXT NOT NULL,
    raw_value NUMERIC NOT NULL,
    conversion TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX findings_by_origin ON findings (origin, origin_event, created_at);
CREATE UNIQUE INDEX interview_notes_by_origin ON interview_notes (origin, origin_event, created_at);
CREATE INDEX findings_by_cell ON findings (instance, indicator, id);
CREATE INDEX events_by_cell ON events (instance, indicator, id);
CREATE INDEX submissions_by_instance ON submissions (instance, version);
"""
APPEND_ONLY = {  # table → its key columns (a REPLACE on them would delete a row without a DELETE trigger)
    "instances": ("instance",),
    "submissions": ("id",),
    "submitted_levels": ("submission_id", "indicator"),
    "events": ("id",),
    "previous_results": ("id",),
    "appeals": ("id",),
    "appeal_decisions": ("id",),
    "assignments": ("id",),
    "findings": ("id",),
    "interview_notes": ("id",),
    "external_values": ("event",),
}
PEMDI_TABLES = ("findings", "interview_notes", "external_values")
"""Schema 7: the assessor's verification, finding and recommendation per indicator and stage, the
interview notes by topic, and the national-index value behind an imported event."""
PEMDI_INDEXES = tuple(
    line
    for line in SCHEMA.splitlines()
    if line.startswith("CREATE")
    and " INDEX " in line
    and "ON findings" in line
    or line.startswith("CREATE UNIQUE INDEX interview_notes")
)


def _append_only(table: str, keys: tuple[str, ...]) -> str:
    same = " AND ".join(f"{k} = NEW.{k}" for k in keys)
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN EXISTS (SELECT 1 FROM {table} WHERE {same})
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
TRIGGERS = "".join(_append_only(t, k) for t, k in APPEND_ONLY.items()) + META_TRIGGERS


_V1_TABLES = ("instances", "submissions", "submitted_levels", "events")


def _add_v2_triggers(conn: sqlite3.Connection) -> None:
    """1 → 2: refuse REPLACE on every append-only table of version 1; protect the meta table."""
    script = "".join(_append_only(t, APPEND_ONLY[t]) for t in _V1_TABLES) + META_TRIGGERS
    for name in re.findall(r"CREATE TRIGGER (\w+)", script):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for stmt in statements(script):
        conn.execute(stmt)


# from_version → callable(conn) upgrading the schema by one version, run in one transaction
def _add_previous_results(conn: sqlite3.Connection) -> None:
    """2 → 3: earlier rounds' results of the instances (context for memos), append-only."""
    table = SCHEMA[SCHEMA.index("CREATE TABLE previous_results") :]
    conn.execute(table[: table.index(";") + 1].replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1))
    script = _append_only("previous_results", APPEND_ONLY["previous_results"])
    for name in re.findall(r"CREATE TRIGGER (\w+)", script):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for stmt in statements(script):
        conn.execute(stmt)


def _add_event_origin(conn: sqlite3.Connection) -> None:
    """3 → 4: where an event was first recorded (workspace id and its event id there), so that
    rounds merge without duplicates; each workspace gets an id."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(events)")}
    if "origin" not in columns:
        conn.execute("ALTER TABLE events ADD COLUMN origin TEXT")
        conn.execute("ALTER TABLE events ADD COLUMN origin_event INTEGER")
    conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS events_by_origin ON events (origin, origin_event, created_at)")
    conn.execute(
        "INSERT INTO meta (key, value) SELECT 'workspace_id', lower(hex(randomblob(16)))"
        " WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'workspace_id')"
    )


def _add_appeals(conn: sqlite3.Connection) -> None:
    """4 → 5: appeals (sanggahan) and their decisions, append-only."""
    _add_tables(conn, ("appeals", "appeal_decisions"))


def _add_tables(conn: sqlite3.Connection, tables: tuple[str, ...]) -> None:
    """Create append-only tables of the current schema that an older file lacks (5 → 6: assignments)."""
    for table in tables:
        start = SCHEMA.index(f"CREATE TABLE {table} ")
        conn.execute(
            SCHEMA[start : SCHEMA.index(";", start) + 1].replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1)
        )
        script = _append_only(table, APPEND_ONLY[table])
        for name in re.findall(r"CREATE TRIGGER (\w+)", script):
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        for stmt in statements(script):
            conn.execute(stmt)


def _add_pemdi_tables(conn: sqlite3.Connection) -> None:
    """6 → 7: findings, interview notes and external values (append-only). Values with decimals
    need no change of the level columns: SQLite keeps a non-integral number as REAL."""
    _add_tables(conn, PEMDI_TABLES)
    for stmt in PEMDI_INDEXES:
        conn.execute(stmt.replace("INDEX ", "INDEX IF NOT EXISTS ", 1))


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _add_v2_triggers,
    2: _add_previous_results,
    3: _add_event_origin,
    4: _add_appeals,
    5: lambda conn: _add_tables(conn, ("assignments",)),
    6: _add_pemdi_tables,
}


def statements(script: str | None = None) -> list[str]:
    """The schema and triggers (or ``script``) as single statements (executescript() would
    COMMIT on its own). Triggers end in ``END;``: their inner ``;`` does not split them."""
    script = SCHEMA + TRIGGERS if script is None else script
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

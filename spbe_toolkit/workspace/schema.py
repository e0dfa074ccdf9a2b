"""The workspace schema (SQLite), its version, and the migrations between versions.

Append-only is enforced in the database: triggers refuse UPDATE and DELETE on the event
and submission tables, and the CHECK on ``events.stage`` lists the evaluator stages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from spbe_toolkit.vocab import EVALUATOR_STAGES

SCHEMA_VERSION = 1
_STAGE_LIST = ", ".join(f"'{s}'" for s in EVALUATOR_STAGES)

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
    level INTEGER NOT NULL,
    justification TEXT,
    evidence TEXT,
    PRIMARY KEY (submission_id, indicator)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    indicator TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ({_STAGE_LIST})),
    level INTEGER NOT NULL,
    evaluator TEXT NOT NULL CHECK (length(trim(evaluator)) > 0),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    supersedes INTEGER REFERENCES events(id)
);
CREATE INDEX events_by_cell ON events (instance, indicator, id);
CREATE INDEX submissions_by_instance ON submissions (instance, version);
"""
APPEND_ONLY = ("events", "submissions", "submitted_levels")
TRIGGERS = "".join(
    f"""
CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} BEGIN SELECT RAISE(ABORT, '{t} are append-only'); END;
CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} BEGIN SELECT RAISE(ABORT, '{t} are append-only'); END;
"""
    for t in APPEND_ONLY
)

# from_version → callable(conn) upgrading the schema by one version, run in one transaction
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}


def statements() -> list[str]:
    """The schema and triggers as single statements (executescript() would COMMIT on its own)."""
    return [s for s in (SCHEMA + TRIGGERS).split(";\n") if s.strip()]

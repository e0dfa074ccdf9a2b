"""The workspace schema, declared once for both stores: its tables (in SQLite's dialect, which
the server store translates), its version, what is append-only, and the migrations between
versions as data that each dialect carries out (:class:`Step` kinds below).

Append-only is enforced in the database: each store generates, from :data:`APPEND_ONLY`,
triggers that refuse UPDATE and DELETE (and a REPLACE that would delete a row) on every
history table, and any change of the round's settings (``meta``) but a forward move of
``schema_version``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spbe_toolkit.vocab import EVALUATOR_STAGES, FOLLOW_UP_STATUSES, VERIFICATION_VALUES

SCHEMA_VERSION = 12
_STAGE_LIST = ", ".join(f"'{s}'" for s in EVALUATOR_STAGES)
_FLAG_LIST = ", ".join(f"'{s}'" for s in VERIFICATION_VALUES)
_FOLLOW_LIST = ", ".join(f"'{s}'" for s in FOLLOW_UP_STATUSES)

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
    origin_event INTEGER,
    reopens INTEGER REFERENCES events(id)
);
CREATE UNIQUE INDEX events_by_origin ON events (origin, origin_event, created_at);
CREATE TABLE cell_records (
    instance TEXT NOT NULL,
    indicator TEXT NOT NULL,
    event INTEGER NOT NULL REFERENCES events(id),
    record_rank INTEGER NOT NULL,
    top_rank INTEGER NOT NULL,
    since INTEGER NOT NULL,
    PRIMARY KEY (instance, indicator)
);
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
CREATE TABLE evaluators (
    role TEXT PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    team TEXT NOT NULL DEFAULT '',
    affiliation TEXT NOT NULL DEFAULT '',
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series TEXT NOT NULL CHECK (length(trim(series)) > 0),
    seq INTEGER NOT NULL CHECK (seq > 0),
    number TEXT NOT NULL CHECK (length(trim(number)) > 0),
    instance TEXT NOT NULL REFERENCES instances(instance),
    content_hash TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    UNIQUE (series, seq),
    UNIQUE (number)
);
CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    year INTEGER,
    framework TEXT NOT NULL,
    indicator TEXT NOT NULL,
    from_level NUMERIC NOT NULL,
    to_level NUMERIC NOT NULL,
    advice TEXT NOT NULL CHECK (length(trim(advice)) > 0),
    unit TEXT NOT NULL DEFAULT '',
    target_year INTEGER,
    letter TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recommendation INTEGER NOT NULL REFERENCES recommendations(id),
    status TEXT NOT NULL CHECK (status IN ({_FOLLOW_LIST})),
    statement TEXT NOT NULL CHECK (length(trim(statement)) > 0),
    reported_by TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX findings_by_origin ON findings (origin, origin_event, created_at);
CREATE UNIQUE INDEX interview_notes_by_origin ON interview_notes (origin, origin_event, created_at);
CREATE INDEX findings_by_cell ON findings (instance, indicator, id);
CREATE INDEX events_by_cell ON events (instance, indicator, id);
CREATE INDEX submissions_by_instance ON submissions (instance, version);
"""

APPEND_ONLY = {  # table → every unique key of it (a REPLACE on any of them would delete a row unseen)
    "instances": (("instance",),),
    "submissions": (("id",), ("instance", "version")),
    "submitted_levels": (("submission_id", "indicator"),),
    "events": (("id",), ("origin", "origin_event", "created_at")),
    "previous_results": (("id",),),
    "appeals": (("id",),),
    "appeal_decisions": (("id",), ("appeal",)),
    "assignments": (("id",),),
    "findings": (("id",), ("origin", "origin_event", "created_at")),
    "interview_notes": (("id",), ("origin", "origin_event", "created_at")),
    "external_values": (("event",),),
    "evaluators": (("role",),),
    "letters": (("id",), ("series", "seq"), ("number",)),
    "recommendations": (("id",),),
    "follow_ups": (("id",),),
}
"""Changing how protection is written (a store's trigger text) needs a migration step
``protect``: opening a round compares its triggers' definitions with the current ones."""
PEMDI_TABLES = ("findings", "interview_notes", "external_values")
"""Schema 7: the assessor's verification, finding and recommendation per indicator and stage, the
interview notes by topic, and the national-index value behind an imported event."""
V1_TABLES = ("instances", "submissions", "submitted_levels", "events")
IDENTITY_TABLES = ("evaluators",)
"""Schema 8: who a database role is (name, team, affiliation), written by the team lead only."""
REOPEN_COLUMNS = {"events": ("reopens",)}
"""Schema 9: an event written at a stage below the cell's decided one names the decision it
reopens (``reopens``, the event id); a file of schema 8 lacks the column (nothing reopened)."""
RECORD_TABLES = ("cell_records",)
"""Schema 10: one row per cell with events — its event of record (``event``: since its latest
reopening, the latest event of the highest stage; :func:`statements.decided_events`), that
event's stage rank, the highest stage any of its events reached (``top_rank``) and its latest
reopening (``since``, 0 for none). Kept by a trigger on every event appended, and written by
nothing else (each store refuses any other write), so that the views read one row per cell
instead of every event. Not append-only: a cell's row moves on with its events."""
LETTER_TABLES = ("letters",)
"""Schema 11: the numbers given to letters (memos sent as official letters): per series (the
team's code and the year) a counter that only goes up; a number is never given twice (unique,
and the table is append-only), the same letter again (same instance, same data) keeps its own."""
FOLLOW_UP_TABLES = ("recommendations", "follow_ups")
"""Schema 12: the recommendations a round's letters made (one per step of the roadmap's first
phase: the advice, the unit, the target year, the letter it went with) and, kept by the next
round (``source``: the earlier round it was copied from), the instance's follow-up statements
(tindak lanjut: done, partly, not yet, in its own words)."""
RULE_KEYS = ("indicators", "level_min", "level_max", "decimals")
"""Schema 8: the framework's indicator codes and value scale as round settings, so that the
server itself refuses a value off the scale or an unknown indicator, whoever writes it."""


def rule_meta(fw) -> dict[str, str]:
    """The round settings of :data:`RULE_KEYS` for a framework."""
    codes = [*fw.codes, *fw.subitem_parent]
    return {"indicators": " ".join(dict.fromkeys(str(c) for c in codes)), "level_min": str(fw.level_min),
            "level_max": str(fw.level_max), "decimals": str(fw.decimals)}  # fmt: skip


def table_statement(table: str, ddl: str = SCHEMA) -> str:
    """The ``CREATE TABLE`` statement of ``table`` in ``ddl``."""
    start = ddl.index(f"CREATE TABLE {table} (")
    return ddl[start : ddl.index(";", start) + 1]


def index_statements(tables=None, names=None, ddl: str = SCHEMA) -> list[str]:
    """The ``CREATE [UNIQUE] INDEX`` statements on ``tables`` (or named ``names``) in ``ddl``."""
    out = []
    for line in ddl.splitlines():
        m = re.match(r"CREATE (?:UNIQUE )?INDEX (\w+) ON (\w+) ", line)
        if m and ((tables and m.group(2) in tables) or (names and m.group(1) in names)):
            out.append(line)
    return out


def table_statements(ddl: str = SCHEMA) -> list[str]:
    """Every table and index statement of ``ddl``, one each."""
    out, current = [], []
    for line in ddl.strip().splitlines():
        current.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(current))
            current = []
    return out


# --------------------------------------------------------------------------- migrations, as data
@dataclass(frozen=True)
class Step:
    """One change of a migration. ``kind``:

    * ``protect`` — (re)create the append-only protection of ``tables`` (and of ``meta`` when
      ``meta``);
    * ``add_tables`` — create ``tables`` of the current schema, with their protection and indexes;
    * ``add_columns`` — add ``columns`` (``"name TYPE"``) to ``table`` when absent;
    * ``add_indexes`` — create the indexes ``names`` of the current schema;
    * ``meta_default`` — set the meta key ``key`` to a new random id when absent;
    * ``rules`` — add the round settings of :data:`RULE_KEYS`, from the round's framework;
    * ``guard`` — (server) the write lock and the guards that establish who writes what;
    * ``stage_order`` — the guards of schema 9 (server: the write guard's new text and the
      evaluators' right to the new column; SQLite: the stage-order trigger);
    * ``cell_records`` — the table of :data:`RECORD_TABLES`, filled from the events there are,
      then the trigger that keeps it and the protection that refuses any other write;
    * ``numeric`` — make ``columns`` (``"table.column"``) hold numbers with decimals (SQLite's
      affinity already keeps 1.26 as a number: nothing to do there).
    """

    kind: str
    tables: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    table: str = ""
    names: tuple[str, ...] = ()
    key: str = ""
    meta: bool = False


MIGRATIONS: dict[int, tuple[Step, ...]] = {  # from_version → the steps to the next version, in one transaction
    1: (Step("protect", tables=V1_TABLES, meta=True),),
    2: (Step("add_tables", tables=("previous_results",)),),
    3: (
        Step("add_columns", table="events", columns=("origin TEXT", "origin_event INTEGER")),
        Step("add_indexes", names=("events_by_origin",)),
        Step("meta_default", key="workspace_id"),
    ),
    4: (Step("add_tables", tables=("appeals", "appeal_decisions")),),
    5: (Step("add_tables", tables=("assignments",)),),
    6: (
        Step("numeric", columns=("events.level", "submitted_levels.level", "appeals.requested_level")),
        Step("add_tables", tables=PEMDI_TABLES),
    ),
    7: (
        Step("add_tables", tables=IDENTITY_TABLES),
        Step("protect", tables=tuple(t for t in APPEND_ONLY if t not in IDENTITY_TABLES), meta=True),
        Step("rules"),
        Step("guard"),
    ),
    8: (Step("add_columns", table="events", columns=("reopens INTEGER REFERENCES events(id)",)), Step("stage_order")),
    9: (Step("cell_records"),),
    10: (Step("add_tables", tables=LETTER_TABLES),),
    11: (Step("add_tables", tables=FOLLOW_UP_TABLES),),
}
FIRST_SERVER_VERSION = 6
"""The first schema a server round was created with: the server store runs the steps from there."""

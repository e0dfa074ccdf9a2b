"""Every statement the stores run, once, with ``?`` placeholders (the server store turns them
into ``%s``). Reads that filter by stage or instance are built by the small functions below,
never by concatenating values: values always travel as parameters."""

from __future__ import annotations

from collections.abc import Sequence

from spbe_toolkit.vocab import EVALUATOR_STAGES, STAGE_RANK

# --------------------------------------------------------------------------- single rows
META = "SELECT key, value FROM meta"
META_INSERT = "INSERT INTO meta (key, value) VALUES (?, ?)"
META_VERSION = "UPDATE meta SET value = ? WHERE key = 'schema_version'"
HAS_INSTANCE = "SELECT 1 FROM instances WHERE instance = ?"
INSTANCE_NAMES = "SELECT instance FROM instances"
LAST_SUBMISSION = "SELECT version, content_hash FROM submissions WHERE instance = ? ORDER BY version DESC LIMIT 1"
SELF_LEVEL = """SELECT sl.level FROM submitted_levels sl JOIN submissions s ON s.id = sl.submission_id
WHERE s.instance = ? AND sl.indicator = ? ORDER BY s.version DESC LIMIT 1"""
LAST_EVENT = """SELECT id, level, evaluator, created_at, stage FROM events
WHERE instance = ? AND indicator = ? ORDER BY id DESC LIMIT 1"""
COUNT_INSTANCES = "SELECT count(*) FROM instances"
COUNT_EVENTS = "SELECT count(*) FROM events"
PEOPLE_COUNTS = "SELECT (SELECT count(*) FROM assignments), (SELECT count(*) FROM evaluators)"
EVENT_ID_RANGE = "SELECT count(*), coalesce(max(id), 0) FROM events"
APPEAL = "SELECT * FROM appeals WHERE id = ?"
APPEAL_DECIDED = "SELECT 1 FROM appeal_decisions WHERE appeal = ?"
LAST_FINDING = "SELECT * FROM findings WHERE instance = ? AND indicator = ? AND stage = ? ORDER BY id DESC LIMIT 1"
LAST_EXTERNAL = """SELECT x.raw_value, x.index_code, e.level FROM external_values x JOIN events e ON e.id = x.event
WHERE e.instance = ? AND e.indicator = ? ORDER BY e.id DESC LIMIT 1"""

# --------------------------------------------------------------------------- tables
LATEST_SUBMISSIONS = """SELECT s.instance, s.instance_type, s.province, s.year, s.contact, s.version, s.file, s.imported_at
FROM submissions s
JOIN (SELECT instance, MAX(version) v FROM submissions GROUP BY instance) m ON s.instance = m.instance AND s.version = m.v
ORDER BY s.id"""
SUBMISSIONS_LOG = "SELECT instance, version, file, content_hash, imported_at FROM submissions ORDER BY id"
SUBMISSION_HASHES = "SELECT instance, content_hash FROM submissions"
SUBMITTED_LEVELS = "SELECT indicator, level, justification, evidence FROM submitted_levels WHERE submission_id = ?"
PREVIOUS_RESULTS = """SELECT instance, year, framework, index_value AS "index", predicate, source, recorded_at
FROM previous_results ORDER BY id"""
EXTERNAL_OF_EVENTS = "SELECT event, index_code, raw_value, conversion FROM external_values"
ASSIGNMENTS = "SELECT id, instance, evaluator, team, affiliation, assigned_by, assigned_at FROM assignments ORDER BY id"
ROWS = {  # every row of a history table, oldest first (what a merge reads from the other side)
    "events": "SELECT * FROM events ORDER BY id",
    "submissions": "SELECT * FROM submissions ORDER BY id",
    "findings": "SELECT * FROM findings ORDER BY id",
    "interview_notes": "SELECT * FROM interview_notes ORDER BY id",
    "external_values": "SELECT * FROM external_values ORDER BY event",
}


def _where(instance: str | None, column: str, first: bool = True) -> tuple[str, tuple]:
    if instance is None:
        return "", ()
    return (" WHERE " if first else " AND ") + f"{column} = ?", (instance,)


def self_assessment(instance: str | None) -> tuple[str, tuple]:
    """The latest submitted version's levels (submission order kept through ``rowid``)."""
    where, params = _where(instance, "s.instance")
    return (
        """SELECT s.instance, sl.indicator, sl.level, sl.justification, sl.evidence, s.version
FROM submitted_levels sl JOIN submissions s ON s.id = sl.submission_id
JOIN (SELECT instance, MAX(version) v FROM submissions GROUP BY instance) m ON s.instance = m.instance AND s.version = m.v"""
        + where
        + " ORDER BY s.id, sl.rowid",
        params,
    )


def _latest_per_cell(select: str, table: str, stages: Sequence[str], instance: str | None) -> tuple[str, tuple]:
    """``select`` over the latest row per cell of ``table`` among ``stages`` (aliased ``t``)."""
    where, params = _where(instance, "instance", first=False)
    marks = ",".join("?" * len(stages))
    return (
        f"""SELECT {select} FROM {table} t JOIN (SELECT MAX(id) id FROM {table} WHERE stage IN ({marks}){where}
GROUP BY instance, indicator) m ON t.id = m.id ORDER BY t.id""",
        (*stages, *params),
    )


def stage_rank(column: str) -> str:
    """An SQL expression: the order of the stage in ``column`` (dokumen 1 … final 4)."""
    # in parentheses: PL/pgSQL's IF would otherwise take the CASE's first THEN for its own
    return f"(CASE {column} " + " ".join(f"WHEN '{s}' THEN {r + 1}" for s, r in STAGE_RANK.items()) + " END)"


DECIDED_COLUMNS = "t.id, t.level, t.evaluator, t.created_at, t.stage"  # a cell's decided event, as a tuple
_PICK = 1 << 40  # event ids stay below it: rank * _PICK + id orders by stage, then by id


def decided_events(stages: Sequence[str], instance: str | None, indicator: str | None = None,
                   columns: str = "t.instance, t.indicator, t.level, t.stage AS source_stage, t.evaluator, t.note"
                   ) -> tuple[str, tuple]:  # fmt: skip
    """The event of record per cell among ``stages``: since the cell's latest reopening (an
    event with ``reopens`` set), the latest event of the highest stage reached. An event at a
    lower stage written after a decision (refused since schema 9; a merged or older one may
    exist) is history, not the level of record."""
    marks = ",".join("?" * len(stages))
    where, params = "", ()
    for column, value in (("instance", instance), ("indicator", indicator)):
        if value is not None:
            where, params = where + f" AND {{a}}.{column} = ?", (*params, value)
    return (
        f"""SELECT {columns} FROM events t JOIN (
  SELECT MAX({stage_rank("e.stage")} * {_PICK} + e.id) AS pick FROM events e
  LEFT JOIN (SELECT r.instance, r.indicator, MAX(r.id) AS since FROM events r
             WHERE r.reopens IS NOT NULL AND r.stage IN ({marks}){where.format(a="r")} GROUP BY r.instance, r.indicator) o
    ON o.instance = e.instance AND o.indicator = e.indicator
  WHERE e.stage IN ({marks}) AND e.id >= COALESCE(o.since, 0){where.format(a="e")}
  GROUP BY e.instance, e.indicator) m ON t.id = m.pick - (m.pick / {_PICK}) * {_PICK} ORDER BY t.id""",
        (*stages, *params, *stages, *params),
    )


RECORD = "SELECT {columns} FROM cell_records c JOIN events t ON t.id = c.event"
"""A read of the cells' events of record through the maintained table (schema 10)."""


def cell_state(instance: str, indicator: str) -> tuple[str, tuple]:
    """One statement with what a write to one cell checks (one round trip to a server): the
    cell's self-assessed level, the (assignments, evaluators) row counts, its latest event and
    its event of record — each event as (id, level, evaluator, created_at, stage), or NULLs."""
    decided, _ = decided_event(instance, indicator)
    return (
        f"""SELECT ({SELF_LEVEL}), (SELECT count(*) FROM assignments), (SELECT count(*) FROM evaluators),
       l.id, l.level, l.evaluator, l.created_at, l.stage, d.id, d.level, d.evaluator, d.created_at, d.stage
FROM (SELECT 1 AS one) o
LEFT JOIN ({LAST_EVENT}) l ON 1 = 1
LEFT JOIN ({decided}) d ON 1 = 1""",
        (instance, indicator, instance, indicator, instance, indicator),
    )


def decided_event(instance: str, indicator: str) -> tuple[str, tuple]:
    """A cell's event of record as (id, level, evaluator, created_at, stage), from the kept table."""
    return RECORD.format(columns=DECIDED_COLUMNS) + " WHERE c.instance = ? AND c.indicator = ?", (instance, indicator)


_LEVEL_COLUMNS = "t.instance, t.indicator, t.level, t.stage AS source_stage, t.evaluator, t.note"


def latest_events(stages: Sequence[str], instance: str | None) -> tuple[str, tuple]:
    """The event of record per cell among ``stages`` (:func:`decided_events`): for every stage
    (the current level) one row per cell of the kept table, whatever the number of events."""
    if tuple(stages) != EVALUATOR_STAGES:
        return decided_events(stages, instance)
    where, params = _where(instance, "c.instance")
    return RECORD.format(columns=_LEVEL_COLUMNS) + where + " ORDER BY t.id", params


RECORD_COLUMNS = ("instance", "indicator", "event", "record_rank", "top_rank", "since")


def record_rows() -> tuple[str, tuple]:
    """Every cell's row of ``cell_records`` (:data:`RECORD_COLUMNS`) computed from the events:
    what the migration to schema 10 fills the table with, and what a check compares it with."""
    decided, params = decided_events(EVALUATOR_STAGES, None, None, "t.instance, t.indicator, t.id, t.stage")
    return (
        f"""SELECT d.instance, d.indicator, d.id AS event, {stage_rank("d.stage")} AS record_rank, c.top_rank, c.since
FROM ({decided}) d JOIN (SELECT instance, indicator, MAX({stage_rank("stage")}) AS top_rank,
  COALESCE(MAX(CASE WHEN reopens IS NOT NULL THEN id END), 0) AS since FROM events GROUP BY instance, indicator) c
  ON c.instance = d.instance AND c.indicator = d.indicator""",
        params,
    )


def last_event_ids(instance: str) -> tuple[str, tuple]:
    return "SELECT indicator, MAX(id) AS id FROM events WHERE instance = ? GROUP BY indicator", (instance,)


def history(instance: str | None) -> tuple[str, tuple]:
    where, params = _where(instance, "e.instance")
    return (
        """SELECT e.id, e.instance, e.indicator, e.stage,
       COALESCE(p.level, (SELECT sl.level FROM submitted_levels sl JOIN submissions s ON s.id = sl.submission_id
                          WHERE s.instance = e.instance AND sl.indicator = e.indicator
                          ORDER BY s.version DESC LIMIT 1)) AS from_level,
       e.level, e.evaluator, e.note, e.created_at, e.supersedes
FROM events e LEFT JOIN events p ON p.id = e.supersedes"""
        + where
        + " ORDER BY e.id",
        params,
    )


def event_cells(instance: str | None) -> tuple[str, tuple]:
    """Every event's cell and stage (and author): what progress and harmonisation count."""
    where, params = _where(instance, "instance")
    return "SELECT id, instance, indicator, stage, evaluator FROM events" + where + " ORDER BY id", params


def review_progress(instance: str | None) -> tuple[str, tuple]:
    """Per instance with events: the highest stage reached (1 dokumen … 4 final) and how many
    indicators have any event — one row per cell read (the kept table), one row per instance out."""
    where, params = _where(instance, "instance")
    return (f"SELECT instance, MAX(top_rank) AS reached, COUNT(*) AS reviewed "
            f"FROM cell_records{where} GROUP BY instance", params)  # fmt: skip


def appeals(instance: str | None) -> tuple[str, tuple]:
    where, params = _where(instance, "a.instance")
    return (
        """SELECT a.id, a.instance, a.indicator, a.requested_level, a.argument, a.evidence, a.submitted_by,
       a.submitted_at, d.accepted, d.decided_by, d.reason, d.decided_at, d.event
FROM appeals a LEFT JOIN appeal_decisions d ON d.appeal = a.id"""
        + where
        + " ORDER BY a.id",
        params,
    )


def latest_findings(stages: Sequence[str], instance: str | None) -> tuple[str, tuple]:
    """The latest finding per cell among ``stages``."""
    return _latest_per_cell("t.*", "findings", stages, instance)


def findings(instance: str | None) -> tuple[str, tuple]:
    where, params = _where(instance, "instance")
    return "SELECT * FROM findings" + where + " ORDER BY id", params


def interview_notes(instance: str | None) -> tuple[str, tuple]:
    where, params = _where(instance, "instance")
    return "SELECT * FROM interview_notes" + where + " ORDER BY id", params


def external_values(instance: str | None) -> tuple[str, tuple]:
    where, params = _where(instance, "e.instance")
    return (
        """SELECT x.event, e.instance, e.indicator, x.index_code, x.raw_value, e.level, x.conversion, x.source,
       e.evaluator, e.created_at
FROM external_values x JOIN events e ON e.id = x.event"""
        + where
        + " ORDER BY x.event",
        params,
    )


# --------------------------------------------------------------------------- appends
def insert(table: str, columns: Sequence[str]) -> str:
    """``INSERT INTO table (columns) VALUES (?, …)``."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


SUBMISSION_COLUMNS = ("instance", "version", "instance_type", "province", "year", "contact", "file", "content_hash",
                      "imported_at")  # fmt: skip
LEVEL_COLUMNS = ("submission_id", "indicator", "level", "justification", "evidence")
EVENT_COLUMNS = ("instance", "indicator", "stage", "level", "evaluator", "note", "created_at", "supersedes", "origin",
                 "origin_event", "reopens")  # fmt: skip
PREVIOUS_COLUMNS = ("instance", "year", "framework", "index_value", "predicate", "source", "recorded_at")
APPEAL_COLUMNS = ("instance", "indicator", "requested_level", "argument", "evidence", "submitted_by", "submitted_at")
DECISION_COLUMNS = ("appeal", "accepted", "decided_by", "reason", "decided_at", "event")
ASSIGNMENT_COLUMNS = ("instance", "evaluator", "team", "affiliation", "assigned_by", "assigned_at")
FINDING_COLUMNS = ("instance", "indicator", "stage", "uploaded", "interviewed", "approved", "no_evidence", "finding",
                   "recommendation", "evaluator", "created_at", "origin", "origin_event")  # fmt: skip
INTERVIEW_COLUMNS = ("instance", "topic", "note", "indicators", "commitment", "evaluator", "created_at", "origin",
                     "origin_event")  # fmt: skip
EXTERNAL_COLUMNS = ("event", "index_code", "raw_value", "conversion", "source")
INSTANCE_COLUMNS = ("instance", "created_at")
EVALUATOR_COLUMNS = ("role", "name", "team", "affiliation", "added_by", "added_at")
EVALUATORS = "SELECT role, name, team, affiliation, added_by, added_at FROM evaluators ORDER BY added_at, role"
LETTER_COLUMNS = ("series", "seq", "number", "instance", "content_hash", "issued_by", "issued_at")
LETTERS = "SELECT id, series, seq, number, instance, content_hash, issued_by, issued_at FROM letters ORDER BY id"
LETTER_TOP = "SELECT coalesce(max(seq), 0) FROM letters WHERE series = ?"
RECOMMENDATION_COLUMNS = ("instance", "year", "framework", "indicator", "from_level", "to_level", "advice", "unit",
                          "target_year", "letter", "source", "recorded_by", "recorded_at")  # fmt: skip
RECOMMENDATIONS = f"SELECT id, {', '.join(RECOMMENDATION_COLUMNS)} FROM recommendations ORDER BY id"
FOLLOW_UP_COLUMNS = ("recommendation", "status", "statement", "reported_by", "recorded_by", "recorded_at")
FOLLOW_UPS = f"SELECT id, {', '.join(FOLLOW_UP_COLUMNS)} FROM follow_ups ORDER BY id"

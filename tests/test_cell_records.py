"""The kept level of record (schema 10), on both stores: ``cell_records`` holds, per cell, what
the events say (:func:`statements.record_rows`, the definition the views used to compute from
every event) after any sequence of appends — evaluators' writes, reopenings and events merged
from elsewhere in any stage order — and nothing else can write it."""

from __future__ import annotations

import random
import sqlite3

import pandas as pd
import pytest

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.vocab import EVALUATOR_STAGES
from spbe_toolkit.workspace import Workspace
from spbe_toolkit.workspace.store import schema
from spbe_toolkit.workspace.store import sqlite as sqlite_store
from spbe_toolkit.workspace.store import statements as sql

COLUMNS = ", ".join(sql.RECORD_COLUMNS)


def _kept(ws) -> pd.DataFrame:
    return ws.store._frame(f"SELECT {COLUMNS} FROM cell_records ORDER BY instance, indicator").astype(str)


def _defined(ws) -> pd.DataFrame:
    statement, params = sql.record_rows()
    rows = ws.store._frame(f"SELECT * FROM ({statement}) r ORDER BY instance, indicator", params)
    return rows[list(sql.RECORD_COLUMNS)].astype(str)


def _random_history(ws, rng: random.Random, cells: int, events: int) -> None:
    """``events`` appended to ``cells`` cells of the round, in one transaction: merged events
    (any stage after any other, as another team's file may bring), each fifth one reopening the
    cell's decided event or an older event of it."""
    names = list(ws.instances().index[:4])
    codes = [str(c) for c in ws.framework.codes[:10]]
    chosen = [(rng.choice(names), rng.choice(codes)) for _ in range(cells)]
    origin = f"tim-lain-{rng.randrange(10**9)}"  # each history its own team file
    with ws.store.transaction():
        for i in range(events):
            instance, indicator = rng.choice(chosen)
            reopens = None
            if rng.random() < 0.2:
                decided = ws.store.decided_event(instance, indicator)
                last = ws.store.last_event(instance, indicator)
                pick = rng.choice([x for x in (decided, last) if x is not None] or [None])
                reopens = None if pick is None else int(pick[0])
            ws.store.add_event(instance, indicator, rng.choice(EVALUATOR_STAGES), rng.randint(1, 5), "Tim Lain",
                               "dari berkas tim lain", f"2026-11-{1 + i % 28:02d}T00:00:00+00:00", None,
                               origin=origin, origin_event=i, reopens=reopens)  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_record_is_what_the_events_say_after_any_history(sample_round, seed):
    rng = random.Random(seed)
    assert _kept(sample_round).equals(_defined(sample_round))  # after the bulk import and the final levels
    _random_history(sample_round, rng, cells=12, events=80)
    name = sample_round.instances().index[5]
    for stage, level, reopen in (("final", 4, False), ("interviu", 3, True), ("visitasi", 2, False)):
        sample_round.adjust(name, "3", level, stage=stage, evaluator="Ketua Tim", note="uji", reopen=reopen)
    kept, defined = _kept(sample_round), _defined(sample_round)
    assert len(kept) == len(sample_round.store._frame("SELECT DISTINCT instance, indicator FROM events"))
    pd.testing.assert_frame_equal(kept, defined)
    lv = sample_round.levels("current", name).set_index("indicator")
    assert (lv.at["3", "level"], lv.at["3", "source_stage"]) == (2, "visitasi")  # after the reopening, the higher


def _as_schema_9(ws) -> None:
    """Take the round back to schema 9 as far as the kept table goes: its triggers gone (the
    table, left behind, no longer follows the events) and the version number 9."""
    server = ws.location.startswith("postgresql://")
    store = ws.store
    with store.transaction():
        if server:
            store._run("DROP TRIGGER events_record ON events")
            store._run("ALTER TABLE meta DISABLE TRIGGER meta_guard")
        else:
            for name in ("events_record", "cell_records_no_delete", "cell_records_insert", "cell_records_update"):
                store._run(f"DROP TRIGGER {name}")
            store._run("DROP TRIGGER meta_no_update")
        store._run("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
        if server:
            store._run("ALTER TABLE meta ENABLE TRIGGER meta_guard")
        else:
            store._run(sqlite_store.TRIGGER_DEFINITIONS["meta_no_update"])


def test_a_migrated_round_rebuilds_the_record_from_its_events(sample_round):
    """Opening a round of schema 9 makes the table anew from every event: a table left behind
    that no longer follows the events is replaced (it holds nothing the events do not)."""
    _random_history(sample_round, random.Random(7), cells=8, events=40)
    _as_schema_9(sample_round)
    _random_history(sample_round, random.Random(8), cells=8, events=40)  # the old table misses these
    assert not _kept(sample_round).equals(_defined(sample_round))
    location = sample_round.location
    sample_round.close()
    ws = Workspace.open(location)
    try:
        assert ws.meta["schema_version"] == str(schema.SCHEMA_VERSION) and ws.integrity_check() == "ok"
        pd.testing.assert_frame_equal(_kept(ws), _defined(ws))
        _random_history(ws, random.Random(9), cells=8, events=20)  # and it follows the events again
        pd.testing.assert_frame_equal(_kept(ws), _defined(ws))
    finally:
        ws.close()


def test_nothing_but_the_events_writes_the_record(sample_round):
    """A direct insert, update, delete (or truncate) of the kept table is refused by the
    database itself, whoever sends it — also one that looks right."""
    store = sample_round.store
    row = store._rows(f"SELECT {COLUMNS} FROM cell_records ORDER BY event LIMIT 1")[0]
    attempts = [
        ("UPDATE cell_records SET event = event", ()),
        ("UPDATE cell_records SET record_rank = 1, top_rank = 1 WHERE instance = ?", (row[0],)),
        ("DELETE FROM cell_records WHERE instance = ?", (row[0],)),
        (f"INSERT INTO cell_records ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", (row[0], "99", *row[2:])),
    ]
    if sample_round.location.startswith("postgresql://"):
        attempts.append(("TRUNCATE cell_records", ()))
    else:
        attempts.append((f"INSERT OR REPLACE INTO cell_records ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", row))
    refused: tuple[type[Exception], ...] = (sqlite3.Error, SpbeError)
    if sample_round.location.startswith("postgresql://"):
        import psycopg

        refused += (psycopg.Error,)
    before = _kept(sample_round)
    for statement, params in attempts:
        with pytest.raises(refused, match="kept by the events trigger only"):
            with store.transaction():
                store._run(statement, params)
    assert _kept(sample_round).equals(before)
    assert sample_round.integrity_check() == "ok"

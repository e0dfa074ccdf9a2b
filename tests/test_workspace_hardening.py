"""The workspace under attack: damage, read-only and full storage, SQL that tries to rewrite
history, odd arguments, and the stale view that comes back to the same level (A → B → A).

SQLite only, by nature: damaged pages, read-only or full storage and raw SQL on the file; the
server's own failures (restart, privileges, protection) are in tests/test_pg_concurrency.py."""

from __future__ import annotations

import hashlib
import math
import sqlite3

import pytest

from spbe_toolkit.demo import workspace_from_samples
from spbe_toolkit.errors import ConflictError, SpbeError, ValidationError
from spbe_toolkit.workspace import SCHEMA_VERSION, SqliteStore, Workspace
from spbe_toolkit.workspace.store.sqlite import META_TRIGGERS
from spbe_toolkit.workspace.store.sqlite import statements as sqlite_statements


@pytest.fixture(autouse=True)
def _messages_in_english(english):
    """These tests read the English text of messages."""


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "putaran.sqlite"
    workspace_from_samples(p, with_final=True).close()
    return p


def _first(ws):
    name = ws.instances().index[0]
    own = ws.self_assessment(name).set_index("indicator")["level"]
    return name, own


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_a_damaged_page_is_refused_with_a_way_to_recover(path):
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + page] = bytes((i * 37 + 11) % 256 for i in range(page))
    path.write_bytes(bytes(data))
    before = _sha(path)
    with pytest.raises(SpbeError, match=r"damaged.*Do not delete it.*last export"):
        Workspace.open(path)
    assert _sha(path) == before  # refused without touching the file


def test_read_only_storage_is_named_as_such(path, monkeypatch):
    def read_only(p):
        conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        return conn

    monkeypatch.setattr(SqliteStore, "_connect", staticmethod(read_only))
    ws = Workspace.open(path)
    name, own = _first(ws)
    with pytest.raises(SpbeError, match="read-only.*The file is intact") as exc:
        ws.adjust(name, "1", int(own["1"]), stage="final", evaluator="Budi")
    assert "damaged" not in exc.value.message
    assert "hanya dapat dibaca" in exc.value.pesan


def test_a_full_disk_is_named_and_loses_nothing(path):
    ws = Workspace.open(path)
    name, own = _first(ws)
    n_before = len(ws.history())
    pages = ws._conn.execute("PRAGMA page_count").fetchone()[0]
    ws._conn.execute(f"PRAGMA max_page_count = {pages}")
    note = "x" * 20_000  # needs new pages
    with pytest.raises(SpbeError, match="disk is full"):
        for _ in range(5):
            ws.adjust(name, "1", 1 if own["1"] != 1 else 2, stage="final", evaluator="Budi", note=note)
    ws.close()
    again = Workspace.open(path)
    assert len(again.history()) >= n_before and again.integrity_check() == "ok"
    again.close()


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT OR REPLACE INTO events SELECT * FROM events LIMIT 1",
        "REPLACE INTO events (id, instance, indicator, stage, level, evaluator, note, created_at, supersedes)"
        " SELECT id, instance, indicator, stage, 1, 'penyusup', note, created_at, supersedes FROM events LIMIT 1",
        "INSERT OR REPLACE INTO submissions SELECT * FROM submissions LIMIT 1",
        "INSERT OR REPLACE INTO submitted_levels SELECT * FROM submitted_levels LIMIT 1",
        "INSERT OR REPLACE INTO instances SELECT * FROM instances LIMIT 1",
        "UPDATE events SET level = 1",
        "DELETE FROM events",
        "INSERT OR REPLACE INTO meta VALUES ('predicate_basis', 'rounded')",
        "UPDATE meta SET value = 'rounded' WHERE key = 'predicate_basis'",
        "UPDATE meta SET value = '1' WHERE key = 'schema_version'",
        "DELETE FROM meta WHERE key = 'framework_toml'",
    ],
)
def test_history_and_settings_refuse_every_rewrite(path, sql):
    conn = sqlite3.connect(path)
    before = conn.execute("SELECT count(*), total(level) FROM events").fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(sql)
    conn.rollback()
    assert conn.execute("SELECT count(*), total(level) FROM events").fetchone() == before
    assert conn.execute("SELECT value FROM meta WHERE key = 'predicate_basis'").fetchone() == ("exact",)
    conn.close()


@pytest.mark.parametrize("trigger", ["events_no_update", "findings_no_delete", "meta_no_replace"])
def test_a_file_whose_protection_was_removed_is_refused(path, trigger):
    conn = sqlite3.connect(path)
    conn.execute(f"DROP TRIGGER {trigger}")
    conn.commit()
    conn.close()
    with pytest.raises(SpbeError, match=f"missing protection triggers: {trigger}.*Do not delete it"):
        Workspace.open(path)


def test_a_version_1_workspace_gains_the_protection_on_open(path):
    conn = sqlite3.connect(path)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        if name.endswith("_no_replace") or name.startswith("meta_"):
            conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE previous_results")  # version 1 had none
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('team', 'boleh di versi 1')")  # the hole of version 1
    conn.rollback()
    conn.close()
    ws = Workspace.open(path)
    assert ws.meta["schema_version"] == str(SCHEMA_VERSION)
    ws.close()
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("INSERT OR REPLACE INTO events SELECT * FROM events LIMIT 1")
    conn.close()


def test_a_bad_stored_schema_version_or_framework_is_an_spbe_error(path):
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER meta_no_update")
    conn.execute("UPDATE meta SET value = 'dua' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(SpbeError, match="schema version 'dua' is not valid"):
        Workspace.open(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
    conn.execute("UPDATE meta SET value = 'bukan = [toml' WHERE key = 'framework_toml'")
    conn.commit()
    conn.close()
    with pytest.raises(SpbeError, match="missing protection triggers: meta_no_update"):
        Workspace.open(path)  # a file whose protection was removed is refused first
    conn = sqlite3.connect(path)
    trigger = next(t for t in sqlite_statements(META_TRIGGERS) if "meta_no_update" in t)
    conn.execute(trigger)  # the protection back: what is left wrong is the framework text
    conn.commit()
    conn.close()
    with pytest.raises(SpbeError, match="not valid TOML"):
        Workspace.open(path)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"level": math.nan}, "whole number"),
        ({"level": math.inf}, "whole number"),
        ({"level": 3.7}, "whole number"),
        ({"level": "3"}, "whole number"),
        ({"expected": "abc"}, "expected must be a whole number"),
        ({"expected": 3.7}, "expected must be a whole number"),
        ({"expected_event": math.nan}, "expected_event must be a whole number"),
        ({"note": 5}, "note must be text"),
        ({"evaluator": 5}, "evaluator's name is required"),
    ],
)
def test_odd_arguments_are_validation_errors(path, kwargs, match):
    ws = Workspace.open(path)
    name, own = _first(ws)
    args = {"level": int(own["1"]), "stage": "dokumen", "evaluator": "Budi", "note": "x", **kwargs}
    with pytest.raises(ValidationError, match=match):
        ws.adjust(name, "1", **args)
    ws.close()


def test_expected_event_catches_a_stale_view_that_returns_to_the_same_level(path):
    ws = Workspace.open(path)
    name, own = _first(ws)
    seen_level = int(ws.levels("current", name).set_index("indicator").at["2", "level"])
    seen_event = ws.last_event_ids(name).get("2", 0)
    other = 1 if seen_level != 1 else 2
    ws.adjust(name, "2", other, stage="final", evaluator="Sari", note="turun")
    ws.adjust(name, "2", seen_level, stage="final", evaluator="Sari", note="kembali")  # A → B → A
    n = len(ws.history())
    with pytest.raises(ConflictError, match="changed by Sari"):
        ws.adjust(name, "2", other, stage="final", evaluator="Budi", note="x", expected_event=seen_event)
    assert len(ws.history()) == n
    fresh = ws.last_event_ids(name)["2"]
    ws.adjust(name, "2", other, stage="final", evaluator="Budi", note="x", expected_event=fresh)
    ws.close()


def test_unicode_variants_of_a_name_reach_the_same_instance(path):
    ws = Workspace.open(path)
    name, own = _first(ws)
    variant = name.replace(" ", "\u00a0", 1)
    ws.adjust(variant, "3", int(own["3"]), stage="final", evaluator="Budi")
    assert ws.history(name)["indicator"].iat[-1] == "3"
    ws.close()

"""Crafted team files against ``merge``: each is refused before anything is written, with the
reason and the first offending rows named; a genuine team file still merges, idempotently,
also when it is read-only. (Rules of the server's roles: tests/test_attacks_server.py.)"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from spbe_toolkit.errors import SpbeError, ValidationError
from spbe_toolkit.workspace import Workspace, merge_checks

EVENT = ("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?)")  # fmt: skip


@pytest.fixture(autouse=True)
def _messages_in_english(english):
    """These tests read the English text of messages."""


@pytest.fixture
def lead_file(finished_round_file):
    return finished_round_file


@pytest.fixture
def round_and_team(lead_file, tmp_path):
    """The lead's round and team B's copy of it with one genuine change."""
    here, team = tmp_path / "ketua.sqlite", tmp_path / "tim_b.sqlite"
    shutil.copy(lead_file, here)
    shutil.copy(lead_file, team)
    b = Workspace.open(team)
    name = b.instances().index[0]
    own = b.self_assessment(name).set_index("indicator")["level"]
    b.adjust(name, "2", 1 if own["2"] != 1 else 2, stage="final", evaluator="Budi", note="bukti tidak ada")
    b.close()
    return here, team, name


def _tamper(path, *statements):
    conn = sqlite3.connect(path)
    with conn:
        for sql, params in statements:
            conn.execute(sql, params)
    conn.close()


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _refused(here, team, match):
    before = _digest(here)
    ws = Workspace.open(here)
    n = len(ws.history())
    with pytest.raises((ValidationError, SpbeError), match=match) as info:
        ws.merge(team)
    assert len(ws.history()) == n and ws.integrity_check() == "ok"
    ws.close()
    assert _digest(here) == before or n == len(Workspace.open(here).history())
    return info.value.message


@pytest.mark.parametrize(
    ("row", "match"),
    [
        (("final", 99, "Budi", "x", "2026-11-30T10:00:00+00:00"), "off the framework's scale"),
        (("final", "lima", "Budi", "x", "2026-11-30T10:00:00+00:00"), "off the framework's scale"),
        (("final", 2, "Budi", "x", "2099-01-01T00:00:00+00:00"), "in the future"),
        (("final", 2, "Budi", "x", "not-a-date"), "does not parse"),
    ],
)
def test_an_event_the_rules_would_refuse_is_refused_in_a_merge_too(round_and_team, row, match):
    here, team, name = round_and_team
    stage, level, who, note, when = row
    _tamper(team, (EVENT, (name, "3", stage, level, who, note, when)))
    message = _refused(here, team, match)
    assert "events #" in message and name in message


def test_unknown_indicator_instance_and_a_missing_note_are_named(round_and_team):
    here, team, name = round_and_team
    _tamper(team, ("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at)"
                   " VALUES (?, 'ZZZ', 'final', 2, 'Budi', 'x', '2026-11-30')", (name,)))  # fmt: skip
    _refused(here, team, "not in the framework")
    shutil.copy(here, team)
    _tamper(team, ("PRAGMA foreign_keys = OFF", ()),
            (EVENT, ("Instansi Fiktif", "1", "final", 2, "Budi", "x", "2026-11-30")))  # fmt: skip
    _refused(here, team, "unknown to this round")
    shutil.copy(here, team)
    own = Workspace.open(here).self_assessment(name).set_index("indicator")["level"]
    other = 1 if own["4"] != 1 else 2
    _tamper(team, (EVENT, (name, "4", "final", other, "Budi", "", "2026-11-30")))
    _refused(here, team, "without a note")


def test_a_new_submission_version_from_a_team_file_is_refused(round_and_team):
    here, team, name = round_and_team
    conn = sqlite3.connect(team)
    with conn:
        sid = conn.execute("INSERT INTO submissions (instance, version, file, content_hash, imported_at)"
                           " VALUES (?, 99, 'palsu.xlsx', 'palsu', '2026-11-30')", (name,)).lastrowid  # fmt: skip
        codes = [r[0] for r in conn.execute("SELECT DISTINCT indicator FROM submitted_levels")]
        conn.executemany("INSERT INTO submitted_levels (submission_id, indicator, level) VALUES (?, ?, 5)",
                         [(sid, c) for c in codes])  # fmt: skip
    conn.close()
    _refused(here, team, "new submission version")


def test_a_conflict_of_interest_assignment_is_refused(round_and_team):
    here, team, name = round_and_team
    _tamper(team, ("INSERT INTO assignments (instance, evaluator, team, affiliation, assigned_by, assigned_at)"
                   " VALUES (?, 'Budi', 'Tim B', ?, 'Budi', '2026-11-30')", (name, name + " (Biro Umum)")))  # fmt: skip
    _refused(here, team, "conflict of interest")


@pytest.mark.parametrize(
    ("key", "value"),
    [("predicate_basis", "rounded"), ("framework_toml", None), ("year", "2030")],
)
def test_another_rounds_settings_are_refused(lead_file, tmp_path, key, value):
    here, team = tmp_path / "ketua.sqlite", tmp_path / "lain.sqlite"
    shutil.copy(lead_file, here)
    shutil.copy(lead_file, team)
    conn = sqlite3.connect(team)
    with conn:
        conn.execute("DROP TRIGGER meta_no_update")
        if value is None:
            conn.execute("UPDATE meta SET value = value || '\n# diubah' WHERE key = 'framework_toml'")
        else:
            conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    conn.close()
    _refused(here, team, "Cannot merge different rounds")


def test_an_event_claiming_this_rounds_identity_is_refused(round_and_team, tmp_path):
    """A team file with a workspace id of its own (made by create + merge) carries an event
    that says it was recorded in the lead's round, which has no such event."""
    here, _team, name = round_and_team
    lead = Workspace.open(here)
    my_id, settings = lead.meta["workspace_id"], (lead.framework.name, lead.meta["year"], lead.meta["predicate_basis"])
    lead.close()
    team = tmp_path / "tim_c.sqlite"
    c = Workspace.create(team, framework=settings[0], year=int(settings[1]) if settings[1] else None,
                         predicate_basis=settings[2])  # fmt: skip
    c.merge(here)
    c.close()
    _tamper(team, ("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at, origin,"
                   " origin_event) VALUES (?, '1', 'final', 1, 'Ketua Tim', 'x', '2026-11-30', ?, 99999)",
                   (name, my_id)))  # fmt: skip
    _refused(here, team, "claims to come from this round")


def test_a_forged_copy_of_another_teams_event_does_not_hide_the_genuine_one(lead_file, tmp_path):
    """Team C forges an event with team B's identity (origin, id, time) and other content:
    merged first, it must not make B's genuine event count as present."""
    here, b_path, c_path = tmp_path / "ketua.sqlite", tmp_path / "b.sqlite", tmp_path / "c.sqlite"
    for p in (here, b_path, c_path):
        shutil.copy(lead_file, p)
    b = Workspace.open(b_path)
    name = b.instances().index[0]
    own = b.self_assessment(name).set_index("indicator")["level"]
    genuine = b.adjust(name, "5", 1 if own["5"] != 1 else 2, stage="final", evaluator="Budi", note="asli")
    b_id, b_time = b.meta["workspace_id"], b.history().set_index("id").at[genuine, "created_at"]
    b.close()
    _tamper(c_path, ("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at, origin,"
                     " origin_event) VALUES (?, '5', 'dokumen', 5, 'Budi', 'palsu', ?, ?, ?)",
                     (name, b_time, b_id, genuine)))  # fmt: skip
    ws = Workspace.open(here)
    ws.merge(c_path)
    report = ws.merge(b_path)
    notes = set(ws.history()["note"])
    assert {"asli", "palsu"} <= notes  # both kept
    assert len(report.disputed) == 1 and report.disputed.at[0, "instance"] == name
    assert ws.merge(b_path).added == 0  # and again: nothing more
    ws.close()


@pytest.mark.parametrize(
    ("how", "match"),
    [
        ("view", "view 'events'"),  # reported before the renamed table
        ("trigger", "trigger 'diam_diam'"),
        ("table", "table 'tambahan'"),
        ("column", "lacks column"),
    ],
)
def test_a_file_with_objects_this_toolkit_does_not_make_is_refused_before_reading(round_and_team, how, match):
    here, team, _ = round_and_team
    conn = sqlite3.connect(team)
    conn.execute("PRAGMA foreign_keys = OFF")
    if how == "view":  # the classic: a huge or side-effecting view in place of the table
        for (t,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
        ).fetchall():
            conn.execute(f"DROP TRIGGER {t}")
        conn.execute("ALTER TABLE events RENAME TO events_asli")
        conn.execute("CREATE VIEW events AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                     " WHERE i < 3000000) SELECT e.* FROM n, events_asli e")  # fmt: skip
    elif how == "trigger":
        conn.execute("CREATE TRIGGER diam_diam AFTER INSERT ON events BEGIN SELECT 1; END")
    elif how == "table":
        conn.execute("CREATE TABLE tambahan (x)")
    else:
        conn.execute("ALTER TABLE events DROP COLUMN note")
    conn.commit()
    conn.close()
    _refused(here, team, match)


def test_a_merge_larger_than_the_limit_is_refused(round_and_team, monkeypatch):
    here, team, _ = round_and_team
    monkeypatch.setattr(merge_checks, "MAX_EVENTS", 10)
    _refused(here, team, "more than the limit of 10")
    monkeypatch.setattr(merge_checks, "MAX_BYTES", 1000)
    _refused(here, team, "more than the limit of 1000 bytes")


def test_a_genuine_read_only_team_file_merges_idempotently_and_is_not_touched(round_and_team):
    here, team, name = round_and_team
    folder = team.parent / "baca_saja"
    folder.mkdir()
    ro = folder / team.name
    shutil.move(team, ro)
    before = _digest(ro)
    os.chmod(ro, stat.S_IRUSR | stat.S_IRGRP)
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        ws = Workspace.open(here)
        assert ws.merge(ro).added == 1 and ws.merge(ro).added == 0
        assert "Budi" in set(ws.history()["evaluator"])
        ws.close()
        assert _digest(ro) == before and sorted(p.name for p in folder.iterdir()) == [ro.name]
    finally:
        os.chmod(folder, stat.S_IRWXU)
        os.chmod(ro, stat.S_IRUSR | stat.S_IWUSR)


def test_a_server_round_refuses_a_file_whose_evaluator_wrote_the_final_stage(lead_file, tmp_path, pg_server):
    import uuid

    here = Workspace.open(lead_file)
    settings = {"framework": here.framework.name, "year": int(here.meta["year"]) if here.meta["year"] else None,
                "predicate_basis": here.meta["predicate_basis"]}  # fmt: skip
    url = pg_server.new_database()
    server = Workspace.create(url, **settings)
    server.merge(here)  # the round on the server (a trusted copy by its owner)
    name = here.instances().index[0]
    here.close()
    server.add_evaluator("ani_" + uuid.uuid4().hex[:6], "Ani")
    server.assign(name, "Ani", assigned_by="Ketua Tim")
    team = tmp_path / "ani.sqlite"
    c = Workspace.create(team, **settings)
    c.merge(url)  # Ani's offline copy
    own = c.self_assessment(name).set_index("indicator")["level"]
    c.adjust(name, "1", 1 if own["1"] != 1 else 2, stage="final", evaluator="Ani", note="x")
    c.close()
    n = len(server.history())
    with pytest.raises(ValidationError, match="not the team lead recorded the final stage"):
        server.merge(team)
    assert len(server.history()) == n
    server.close()

"""The workspace on a real PostgreSQL server under stress: many writers on the same cells,
a server restart in the middle of a burst, and a round copied between the two stores.

PostgreSQL only, by nature: many writers on many machines, a server restart, roles and
privileges; the SQLite file's concurrency (two processes, SIGKILL) is in tests/test_workspace.py."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import spbe_toolkit as spbe
from spbe_toolkit.demo import sample_paths
from spbe_toolkit.errors import SpbeError
from spbe_toolkit.workspace import Workspace
from tests.pg import traced

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _messages_in_english(english):
    """These tests read the English text of messages."""


# A writer: loops over a few shared cells, always saying what it saw (expected level and
# event); prints one JSON line per outcome. "ok" lines are acknowledged writes.
WRITER = textwrap.dedent(
    """
    import json, random, sys, time
    from spbe_toolkit.errors import ConflictError, SpbeError
    from spbe_toolkit.workspace import Workspace
    url, who, seconds, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    ws = Workspace.open(url)
    names = list(ws.instances().index)[:3]
    cells = [(n, c) for n in names for c in ws.framework.codes[:4]]
    own = ws.self_assessment().set_index(["instance", "indicator"])["level"]
    def seen(cell):
        last = ws.store.last_event(*cell)
        return (last[1], last[0]) if last else (int(own[cell]), 0)
    view = {cell: seen(cell) for cell in cells}
    stale = False  # the server went away while reading: read everything again before writing
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if stale:
            try:
                view, stale = {c: seen(c) for c in cells}, False
            except SpbeError:
                time.sleep(0.2)
                continue
        cell = rng.choice(cells)
        level, event = view[cell]
        new = rng.choice([lv for lv in range(1, 6) if lv != level])
        try:
            eid = ws.adjust(*cell, new, stage="dokumen", evaluator=who, note=who + " " + str(new),
                            expected=level, expected_event=event)
            view[cell] = (new, eid)
            print(json.dumps({"ok": eid, "cell": cell, "level": new, "after": event}), flush=True)
        except ConflictError:
            print(json.dumps({"conflict": True}), flush=True)
            try:  # a lost connection can strike here too: every read of the writer handles it
                view[cell] = seen(cell)
            except SpbeError as exc:
                print(json.dumps({"error": exc.message}), flush=True)
                stale = True
        except SpbeError as exc:
            print(json.dumps({"error": exc.message}), flush=True)
            time.sleep(0.2)
            stale = True
    """
)


@pytest.fixture
def round_url(pg_server):
    url = pg_server.new_database()
    folder, _ = sample_paths("spbe2020")
    ws = Workspace.create(url, framework="spbe2020", year=2024)
    ws.import_submissions(spbe.read_submissions(sorted(folder.glob("*.xlsx"))[:3], "spbe2020", progress=False))
    ws.close()
    return url


def _writers(url, n, seconds):
    return [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, f"penulis-{i}", str(seconds), str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )  # fmt: skip
        for i in range(n)
    ]


def _outcomes(procs):
    lines = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err[-2000:]
        lines += [json.loads(line) for line in out.splitlines() if line.strip()]
    return lines


def _check_acknowledged(url, acked):
    ws = Workspace.open(url)
    h = ws.history().set_index("id")
    assert ws.integrity_check() == "ok"
    ws.close()
    assert list(h.index) == list(range(1, len(h) + 1)), "event ids have gaps"
    for a in acked:
        assert a["ok"] in h.index, f"acknowledged event {a['ok']} is lost"
        row = h.loc[a["ok"]]
        assert (row["instance"], row["indicator"], int(row["level"])) == (a["cell"][0], a["cell"][1], a["level"])
        # built on what the writer saw: no update was made over a change it had not seen
        assert (0 if row["supersedes"] is pd_na() else int(row["supersedes"])) == a["after"]
    return h


def pd_na():
    import pandas as pd

    return pd.NA


def test_eight_writers_for_thirty_seconds_lose_nothing(round_url):
    lines = _outcomes(_writers(round_url, 8, 30))
    acked = [x for x in lines if "ok" in x]
    conflicts = sum(1 for x in lines if "conflict" in x)
    assert not [x for x in lines if "error" in x]
    assert len(acked) > 200 and conflicts > 0, (len(acked), conflicts)
    h = _check_acknowledged(round_url, acked)
    assert len(h) == len(acked)  # nothing but the acknowledged writes, and all of them
    print(f"8 writers × 30 s: {len(acked)} writes acknowledged, {conflicts} conflicts raised, 0 lost")


def test_a_server_restart_mid_burst_loses_no_acknowledged_write(round_url, pg_server):
    import psycopg

    def started() -> object:
        with psycopg.connect(round_url) as conn:
            return conn.execute("SELECT pg_postmaster_start_time()").fetchone()[0]

    before = started()
    procs = _writers(round_url, 3, 12)
    time.sleep(4)
    pg_server.restart()
    lines = _outcomes(procs)
    assert started() != before  # the server did restart under the writers
    acked = [x for x in lines if "ok" in x]
    # reads and the start of a transaction reconnect by themselves; a write caught mid-way by the
    # restart fails with the clear message (never retried silently)
    errors = [x["error"] for x in lines if "error" in x]
    assert all("cannot be reached or the connection was lost" in e for e in errors), errors[:3]
    # every writer went on after the restart: its last lines are acknowledged writes again
    assert len(acked) > 50
    _check_acknowledged(round_url, acked)


def test_a_round_copied_sqlite_to_postgresql_and_back_is_the_same(tmp_path, pg_server):
    from spbe_toolkit.demo import workspace_from_samples

    original = workspace_from_samples(tmp_path / "asli.sqlite")
    name = original.instances().index[0]
    appeal = original.record_appeal(name, "21", 5, argument="bukti baru", submitted_by="Instansi")
    original.decide_appeal(appeal, accepted=True, decided_by="Ketua", reason="sah")
    original.assign(name, "Ani", team="Tim A", assigned_by="Ketua")
    server = Workspace.create(pg_server.new_database(), framework="spbe2020", year=original.year)
    first = server.merge(original)
    assert first.added == len(original.history()) and server.merge(original).added == 0  # idempotent
    back = Workspace.create(tmp_path / "kembali.sqlite", framework="spbe2020", year=original.year)
    back.merge(server)
    for ws in (server, back):
        for view in ("levels", "scores"):
            got, want = getattr(ws, view)("current"), getattr(original, view)("current")
            assert got.reset_index(drop=True).astype(str).equals(want.reset_index(drop=True).astype(str)), view
        cols = ["instance", "indicator", "stage", "from_level", "level", "evaluator", "note", "created_at"]
        assert ws.history()[cols].astype(str).equals(original.history()[cols].astype(str))
        assert ws.assignments()[["instance", "evaluator", "team"]].equals(
            original.assignments()[["instance", "evaluator", "team"]]
        )
    for ws in (original, server, back):
        ws.close()


def test_the_url_never_shows_a_password_and_errors_are_clear(pg_server, monkeypatch):
    url = pg_server.new_database()
    secret = url.replace("postgres@", "postgres:rahasia-sekali@")
    ws = Workspace.create(secret, framework="spbe2020", year=2024)  # trust auth: the password is not needed
    assert "rahasia" not in ws.location and "rahasia" not in repr(ws) and ws.location.startswith("postgresql://")
    with pytest.raises(SpbeError, match="already exists"):
        Workspace.create(url, framework="spbe2020")
    ws.close()
    dead = f"postgresql://postgres:rahasia-sekali@127.0.0.1:{pg_server.port + 1}/tidak_ada"
    with pytest.raises(SpbeError) as info:
        Workspace.open(dead)
    assert "cannot be reached" in info.value.message and "rahasia" not in info.value.message
    with pytest.raises(SpbeError, match="not a spbe-toolkit workspace"):
        Workspace.open(pg_server.new_database())


def test_evaluator_role_of_the_deployment_notes_can_adjust_but_not_assign(round_url):
    """docs/deploy.md's roles: the team lead registers an evaluator (role → name); the
    evaluator reads the round and appends events for their instances, nothing else."""
    import uuid

    role = "ani_" + uuid.uuid4().hex[:8]
    lead = Workspace.open(round_url)
    name = lead.instances().index[0]
    lead.add_evaluator(role, "Ani", team="Tim A")
    lead.assign(name, "Ani", team="Tim A", assigned_by="Ketua Tim")
    lead.close()
    ws = Workspace.open(round_url.replace("postgres@", f"{role}@"))
    own = ws.self_assessment(name).set_index("indicator")["level"]
    assert ws.adjust(name, "1", int(own["1"]), stage="dokumen", evaluator="Ani") == 1
    with pytest.raises(SpbeError, match="may not do this"):
        ws.assign(name, "Ani", assigned_by="Ani")
    assert len(ws.assignments()) == 1 and len(ws.history()) == 1
    assert ws.history().at[0, "evaluator"] == "Ani"
    ws.close()


def test_one_adjust_is_three_round_trips_and_an_empty_unit_of_work_none(round_url, tmp_path):
    """BEGIN and the round's lock travel with a write's one read (the cell's state), then the
    INSERT, then COMMIT — counted in libpq's own protocol trace, not by statements."""
    ws = Workspace.open(round_url)
    name = list(ws.instances().index)[0]
    ws.adjust(name, "1", 1, stage="final", evaluator="Ketua Tim", note="uji")  # who and the people, read once
    with traced(ws.store, tmp_path) as trips:
        ws.adjust(name, "2", 1, stage="final", evaluator="Ketua Tim", note="uji")
    assert trips == [3]
    with traced(ws.store, tmp_path) as trips, pytest.raises(SpbeError, match="note"):
        ws.adjust(name, "3", 1, stage="final", evaluator="Ketua Tim", note="")  # refused: rolled back
    assert trips == [2]  # BEGIN … the read; ROLLBACK
    with traced(ws.store, tmp_path) as trips:
        with ws.store.transaction():
            pass
    assert trips == [0]
    assert list(ws.history(name)["indicator"]) == ["1", "2"]
    ws.close()

"""Attacks on a shared server round by an evaluator's own database role (docs/deploy.md):
every one is refused by the database itself — through the API and through raw SQL alike —
with a clear message, and nothing is written.

PostgreSQL only: roles, privileges and the server's guard exist only there. The file's side
(a REPLACE on a unique key, triggers rewritten or dropped) is in tests/test_attacks_file.py."""

from __future__ import annotations

import uuid

import pytest

import spbe_toolkit as spbe
from spbe_toolkit.demo import sample_paths
from spbe_toolkit.errors import SpbeError, ValidationError
from spbe_toolkit.workspace import Workspace
from spbe_toolkit.workspace.store import postgres as pgstore

psycopg = pytest.importorskip("psycopg")


@pytest.fixture(autouse=True)
def _messages_in_english(english):
    """These tests read the English text of messages."""


def _as(url: str, role: str) -> str:
    return url.replace("postgres@", f"{role}@")


@pytest.fixture
def team(pg_server):
    """A round owned by the team lead (the server's owner role), with two registered evaluators:
    Ani (assigned to the first instance) and Budi (from the second instance's institution)."""
    url = pg_server.new_database()
    folder, _ = sample_paths("spbe2020")
    lead = Workspace.create(url, framework="spbe2020", year=2024)
    lead.import_submissions(spbe.read_submissions(sorted(folder.glob("*.xlsx"))[:3], "spbe2020", progress=False))
    names = list(lead.instances().index)
    tag = uuid.uuid4().hex[:6]
    ani, budi = f"ani_{tag}", f"budi_{tag}"
    lead.add_evaluator(ani, "Ani", team="Tim A", added_by="Ketua Tim")
    lead.add_evaluator(budi, "Budi", team="Tim B", affiliation=names[1], added_by="Ketua Tim")
    lead.assign(names[0], "Ani", team="Tim A", assigned_by="Ketua Tim")
    own = lead.self_assessment(names[0]).set_index("indicator")["level"]
    yield {"url": url, "lead": lead, "names": names, "ani": ani, "budi": budi, "own": own}
    lead.close()


def _history(team):
    return team["lead"].history()


def _raw(url: str, role: str):
    return psycopg.connect(_as(url, role), autocommit=True)


def test_the_database_records_who_wrote_and_a_name_box_cannot_change_it(team):
    ws = Workspace.open(_as(team["url"], team["ani"]))
    name = team["names"][0]
    assert ws.whoami() == {"role": team["ani"], "name": "Ani", "lead": False}
    eid = ws.adjust(name, "1", int(team["own"]["1"]), stage="dokumen")  # no evaluator=: the server says who
    assert _history(team).set_index("id").at[eid, "evaluator"] == "Ani"
    with pytest.raises(ValidationError, match="This session is Ani"):
        ws.adjust(name, "2", int(team["own"]["2"]), stage="dokumen", evaluator="Ketua Tim")
    with _raw(team["url"], team["ani"]) as conn, pytest.raises(psycopg.errors.RaiseException, match="spbe:identity"):
        conn.execute("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at)"
                     " VALUES (%s, '2', 'dokumen', 1, 'Ketua Tim', 'x', '2026-12-01')", (name,))  # fmt: skip
    # a temporary table named like the identity table does not stand in for it
    with _raw(team["url"], team["ani"]) as conn:
        conn.execute("CREATE TEMP TABLE evaluators (role text, name text)")
        conn.execute("INSERT INTO evaluators VALUES (current_user, 'Ketua Tim')")
        with pytest.raises(psycopg.errors.RaiseException, match="spbe:identity"):
            conn.execute("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at)"
                         " VALUES (%s, '2', 'dokumen', 1, 'Ketua Tim', 'x', '2026-12-01')", (name,))  # fmt: skip
        # written without a name or time, the database fills in both (never the client's 2099)
        row = conn.execute("INSERT INTO events (instance, indicator, stage, level, note, created_at)"
                           " VALUES (%s, '2', 'dokumen', 2, 'raw', '2099-01-01') RETURNING id, evaluator, created_at",
                           (name,)).fetchone()  # fmt: skip
    assert row[1] == "Ani" and row[2].startswith("20") and not row[2].startswith("2099")
    assert len(_history(team)) == 2
    ws.close()


def test_an_evaluator_cannot_choose_an_event_id_or_break_the_round_with_one(team):
    name = team["names"][0]
    with _raw(team["url"], team["ani"]) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO events (id, instance, indicator, stage, level, note, created_at)"
                     " VALUES (1000000, %s, '1', 'dokumen', 2, 'x', 'now')", (name,))  # fmt: skip
    Workspace.open(team["url"]).close()  # everybody can still open the round: no gap was made
    assert team["lead"].integrity_check() == "ok"


@pytest.mark.parametrize(
    ("what", "sql", "match"),
    [
        ("final", "INSERT INTO events (instance, indicator, stage, level, note, created_at) VALUES (%s, '1', 'final', 2, 'x', 'n')", "spbe:final"),
        ("level 99", "INSERT INTO events (instance, indicator, stage, level, note, created_at) VALUES (%s, '1', 'dokumen', 99, 'x', 'n')", "spbe:level"),
        ("level 2.5", "INSERT INTO events (instance, indicator, stage, level, note, created_at) VALUES (%s, '1', 'dokumen', 2.5, 'x', 'n')", "spbe:level"),
        ("indicator ZZZ", "INSERT INTO events (instance, indicator, stage, level, note, created_at) VALUES (%s, 'ZZZ', 'dokumen', 2, 'x', 'n')", "spbe:indicator"),
        ("merged origin", "INSERT INTO events (instance, indicator, stage, level, note, created_at, origin, origin_event) VALUES (%s, '1', 'dokumen', 2, 'x', 'n', 'other', 1)", "spbe:origin"),
        ("finding at final", "INSERT INTO findings (instance, indicator, stage, finding, created_at) VALUES (%s, '1', 'final', 'x', 'n')", "spbe:final"),
    ],
)  # fmt: skip
def test_raw_sql_by_an_evaluator_meets_the_same_guard(team, what, sql, match):
    with _raw(team["url"], team["ani"]) as conn, pytest.raises(psycopg.errors.RaiseException, match=match):
        conn.execute(sql, (team["names"][0],))
    assert _history(team).empty and team["lead"].findings().empty


def test_the_guard_holds_for_the_team_lead_too_where_the_round_would_break(team):
    """Level 99, an unknown indicator or a date in 2099 would make every table of the round
    raise: the server refuses them from anyone, the owner included."""
    name = team["names"][0]
    with psycopg.connect(team["url"], autocommit=True) as conn:
        for sql, match in (
            ("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at) VALUES (%s, '1', 'final', 99, 'K', 'x', '2026-12-01')", "spbe:level"),
            ("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at) VALUES (%s, 'ZZZ', 'final', 2, 'K', 'x', '2026-12-01')", "spbe:indicator"),
            ("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at) VALUES (%s, '1', 'final', 2, 'K', 'x', '2099-01-01')", "spbe:time"),
            ("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at) VALUES (%s, '1', 'final', 2, 'K', 'x', 'not-a-date')", "spbe:time"),
        ):  # fmt: skip
            with pytest.raises(psycopg.errors.RaiseException, match=match):
                conn.execute(sql, (name,))
    assert _history(team).empty
    t = team["lead"]
    t.adjust(name, "1", 2, stage="final", evaluator="Ketua Tim", note="bukti kurang")
    assert t.status().loc[name, "reviewed"] == 1  # the round reads as ever


def test_an_evaluator_writes_only_assigned_instances_and_never_the_final_stage(team):
    ws = Workspace.open(_as(team["url"], team["ani"]))
    first, other = team["names"][0], team["names"][2]
    with pytest.raises(ValidationError, match="final stage is recorded by the team lead"):
        ws.adjust(first, "1", 2, stage="final", note="x")
    with pytest.raises(ValidationError, match="not assigned to you"):
        ws.adjust(other, "1", 2, stage="dokumen", note="x")
    with pytest.raises(ValidationError, match="final stage"):
        ws.accept_remaining(first, stage="final")
    with pytest.raises(ValidationError, match="not assigned"):
        ws.accept_remaining(other, stage="dokumen")
    with pytest.raises(ValidationError, match="final stage"):
        ws.import_levels(pd_table(first), stage="final")
    with pytest.raises(ValidationError, match="not assigned"):
        ws.record_finding(other, "1", stage="dokumen", finding="x")
    with pytest.raises(ValidationError, match="not assigned"):
        ws.record_interview_note(other, "Tata kelola", "x")
    with _raw(team["url"], team["ani"]) as conn, pytest.raises(psycopg.errors.RaiseException, match="not_assigned"):
        conn.execute("INSERT INTO events (instance, indicator, stage, level, note, created_at)"
                     " VALUES (%s, '1', 'dokumen', 2, 'x', 'n')", (other,))  # fmt: skip
    assert _history(team).empty
    assert ws.accept_remaining(first, stage="dokumen") == len(team["own"])  # what is allowed still works
    ws.close()


def pd_table(instance):
    import pandas as pd

    return pd.DataFrame({"instansi": [instance], "indikator": ["1"], "tingkat": [1], "catatan": ["x"]})


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO assignments (instance, evaluator, assigned_by, assigned_at) VALUES (%s, 'Ani', 'Ani', 'n')",
        "INSERT INTO evaluators (role, name, added_by, added_at) VALUES (%s, 'Ketua Tim', 'x', 'n')",
        "INSERT INTO instances (instance, created_at) VALUES (%s || ' palsu', 'n')",
        "INSERT INTO appeals (instance, indicator, requested_level, argument, submitted_by, submitted_at) VALUES (%s, '1', 5, 'x', 'x', 'n')",
        "INSERT INTO external_values (event, index_code, raw_value, conversion) SELECT 1, %s, 1, 'x'",
        "ALTER TABLE events DISABLE TRIGGER events_guard",
        "BEGIN; LOCK TABLE events IN EXCLUSIVE MODE",
        "DELETE FROM meta WHERE key = %s",
    ],
)  # fmt: skip
def test_what_belongs_to_the_team_lead_is_refused_to_an_evaluator(team, sql):
    with _raw(team["url"], team["ani"]) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql, (team["names"][0],) if "%s" in sql else None)
    ws = Workspace.open(team["url"])
    assert ws.integrity_check() == "ok" and len(ws.assignments()) == 1 and len(ws.evaluators()) == 2
    ws.close()


def test_the_api_says_the_same_for_the_team_leads_work(team):
    ws = Workspace.open(_as(team["url"], team["ani"]))
    name = team["names"][0]
    with pytest.raises(SpbeError, match="may not do this"):
        ws.assign(team["names"][2], "Ani")
    with pytest.raises(ValidationError, match="Only the team lead"):
        ws.add_evaluator("mallory", "Mallory")
    appeal = team["lead"].record_appeal(name, "1", 5, argument="bukti ada", submitted_by="Instansi")
    with pytest.raises(ValidationError, match="final stage"):
        ws.decide_appeal(appeal, accepted=True, reason="ok")
    assert team["lead"].appeals().at[0, "decision"] == "pending"
    ws.close()


def test_a_role_not_registered_cannot_write(team, pg_server):
    stranger = "tamu_" + uuid.uuid4().hex[:6]
    db = team["url"].rsplit("/", 1)[1]
    with psycopg.connect(team["url"], autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {stranger} LOGIN")
        conn.execute(f'GRANT CONNECT ON DATABASE "{db}" TO {stranger}')
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {stranger}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {stranger}")
        conn.execute(f"GRANT INSERT ON events TO {stranger}")  # the old deployment notes' grant
    ws = Workspace.open(_as(team["url"], stranger))
    with pytest.raises(ValidationError, match="not registered as an evaluator"):
        ws.adjust(team["names"][0], "1", 2, stage="dokumen", evaluator="Ani", note="x")
    with _raw(team["url"], stranger) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # it may not take the round's lock
            conn.execute("BEGIN; LOCK TABLE write_lock IN EXCLUSIVE MODE")
    with _raw(team["url"], stranger) as conn, pytest.raises(psycopg.Error):
        conn.execute("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at)"
                     " VALUES (%s, '1', 'dokumen', 2, 'Ani', 'x', 'n')", (team["names"][0],))  # fmt: skip
    assert _history(team).empty
    ws.close()


def test_nobody_blocks_the_round_with_an_advisory_lock_and_a_held_lock_is_named(team, monkeypatch):
    name = team["names"][0]
    with _raw(team["url"], team["budi"]) as squatter:
        squatter.execute("SELECT pg_advisory_lock(%s)", (pgstore.ROUND_LOCK,))  # the old lock: no longer used
        team["lead"].adjust(name, "1", 2, stage="final", evaluator="Ketua Tim", note="x")
    monkeypatch.setattr(pgstore, "LOCK_TIMEOUT", "1s")
    with _raw(team["url"], team["ani"]) as holder:  # a writer holding the lock in an open transaction
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE write_lock IN EXCLUSIVE MODE")
        with pytest.raises(SpbeError, match="in use by Ani; try again"):
            team["lead"].adjust(name, "2", 2, stage="final", evaluator="Ketua Tim", note="x")
        holder.execute("ROLLBACK")
    assert len(_history(team)) == 1


def test_a_conflict_of_interest_bars_every_write(team):
    budi = Workspace.open(_as(team["url"], team["budi"]))
    own_institution = team["names"][1]
    with pytest.raises(ValidationError, match="Conflict of interest"):
        team["lead"].assign(own_institution, "Budi", assigned_by="Ketua Tim")
    with pytest.raises(ValidationError, match="Conflict of interest"):
        budi.adjust(own_institution, "1", 2, stage="dokumen", note="x")
    with pytest.raises(ValidationError, match="Conflict of interest"):
        team["lead"].adjust(own_institution, "1", 2, stage="final", evaluator="Budi", note="x")
    budi.close()


def test_spbe_evaluator_add_registers_a_role(team, capsys):
    from spbe_toolkit.cli import main

    role = "citra_" + uuid.uuid4().hex[:6]
    assert main(["evaluator", "add", team["url"], role, "Citra", "--team", "Tim C", "--lang", "en"]) == 0
    assert "Citra" in capsys.readouterr().out
    assert main(["evaluator", "add", team["url"], "Bad Name!", "X", "--lang", "en"]) == 2
    assert "not valid" in capsys.readouterr().err
    ws = Workspace.open(_as(team["url"], role))
    assert ws.whoami()["name"] == "Citra"
    ws.close()


MALFORMED = [
    "postgresql://u:rahasia@host:notaport/db", "postgresql://u:rahasia@[::1/db", "postgresql://u:rahasia@/db?sslmode=bogus",
    "postgresql://u:rahasia@127.0.0.1:1/db", "postgresql://u:rahasia@h/db?connect_timeout=x", "postgres://:rahasia@@/",
    "postgresql://u:rahasia@127.0.0.1:99999/db", "postgresql://u:ra%zzsia@h/db", "postgresql://u:rahasia@h:5432",
    "postgresql://u:rahasia@h/db?application_name=%", "postgresql://u:rahasia@h/db?foo=bar", "postgresql://u:rahasia@h/d b",
    "postgresql://u:rahasia@h/db?host=/nonexist", "postgresql://u:rahasia@", "postgresql://u:rahasia@h/db?password=lain",
    "postgresql://u:rahasia@h/db#frag",
]  # fmt: skip


@pytest.mark.parametrize("url", MALFORMED)
def test_no_password_in_any_error_and_the_real_cause_named(url):
    with pytest.raises(SpbeError) as info:
        Workspace.open(url)
    message = info.value.message
    assert "rahasia" not in message and "zzsia" not in message and "=lain" not in message
    assert "storage failure" not in message and ("not valid" in message or "cannot be reached" in message)

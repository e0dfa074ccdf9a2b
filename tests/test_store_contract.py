"""The store contract on both databases: what a round promises — memos with worker processes,
the memo command, merging between a file and a server (by URL, both ways, and server to
server), export, appeals, assignments and harmonisation — on a SQLite file and on the test
PostgreSQL server alike. (Adjust, conflicts, history, migrations: tests/test_workspace.py; the
widgets: tests/test_widgets.py; the Pemdi round: tests/test_pemdi_assessment.py — all on both.)"""

from __future__ import annotations

import pandas as pd
import pytest

from spbe_toolkit.cli import main
from spbe_toolkit.demo import synthetic_assignments, workspace_from_samples
from spbe_toolkit.render.memo import render_memos
from spbe_toolkit.workspace import Workspace
from spbe_toolkit.workspace.store import PostgresStore, SqliteStore, open_store

FIXED = "29 November 2026"


def test_open_store_tells_a_file_from_a_url(sample_round):
    store = open_store(sample_round.location)
    try:
        assert isinstance(store, PostgresStore if sample_round.location.startswith("postgresql://") else SqliteStore)
        assert store.counts() == sample_round.store.counts()
    finally:
        store.close()


def test_memos_with_two_workers_equal_one_worker(sample_round, tmp_path):
    names = list(sample_round.instances().index[:6])
    one = render_memos(sample_round, tmp_path / "satu", instances=names, workers=1, generated_at=FIXED, progress=False)
    two = render_memos(sample_round, tmp_path / "dua", instances=names, workers=2, generated_at=FIXED, progress=False)
    assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]


def test_the_memo_command_takes_the_round_location(sample_round, tmp_path, capsys):
    code = main(["memo", sample_round.location, "--out", str(tmp_path / "memo"), "--workers", "2", "--date", FIXED,
                 "--instance", sample_round.instances().index[0], "--instance", sample_round.instances().index[1]])  # fmt: skip
    assert code == 0 and len(list((tmp_path / "memo").glob("*.html"))) == 3  # two memos and the index
    assert "password" not in capsys.readouterr().out.lower()


def test_export_appeals_assignments_and_harmonisation(sample_round, tmp_path):
    ws = sample_round
    name = ws.instances().index[2]
    assert ws.import_assignments(synthetic_assignments(ws.instances().index), assigned_by="Ketua") == len(
        ws.instances()
    )
    aid = ws.record_appeal(name, "21", 4, argument="Dokumen manajemen risiko ditetapkan", submitted_by="Instansi")
    event = ws.decide_appeal(aid, accepted=True, decided_by="Ketua Tim", reason="bukti sah")
    assert ws.levels("final", name).set_index("indicator").at["21", "level"] == 4 and event is not None
    assert ws.appeals().set_index("id").at[aid, "decision"] == "accepted"
    assert set(ws.progress(by="team").index) == {"Tim A (sintetis)", "Tim B (sintetis)"}
    assert len(ws.harmonisation()) >= 1
    out = ws.export(tmp_path / "ekspor.xlsx")
    assert out[0].stat().st_size > 10_000


def test_merge_between_a_file_and_a_server_both_ways_and_server_to_server(pg_server, tmp_path):
    team_file = workspace_from_samples(tmp_path / "tim_a.sqlite", with_final=False)
    name = team_file.instances().index[0]
    own = team_file.self_assessment(name).set_index("indicator")["level"]
    team_file.adjust(name, "1", 1 if own["1"] != 1 else 2, stage="dokumen", evaluator="Ani", note="bukti kurang")
    url = pg_server.new_database()
    server = Workspace.create(url, framework="spbe2020", year=team_file.year)
    try:
        first = server.merge(tmp_path / "tim_a.sqlite")  # a file into a server round
        assert first.added == 1 and first.submissions_added == len(team_file.instances())
        assert server.merge(team_file).added == 0  # merging again adds nothing
        server.adjust(name, "2", 1 if own["2"] != 1 else 2, stage="dokumen", evaluator="Budi", note="dari server")
        back = team_file.merge(server.location)  # a server round into a file, by its URL
        assert back.added == 1 and back.present == 1
        other_url = pg_server.new_database()
        second = Workspace.create(other_url, framework="spbe2020", year=team_file.year)
        try:
            assert second.merge(server.location).added == 2  # server to server, by URL
            a = second.history().drop(columns=["id", "supersedes"]).reset_index(drop=True)
            b = team_file.history().drop(columns=["id", "supersedes"]).reset_index(drop=True)
            pd.testing.assert_frame_equal(a, b, check_dtype=False)
            assert (second.scores()["index"] == team_file.scores()["index"]).all()
        finally:
            second.close()
    finally:
        server.close()
        team_file.close()


def test_a_read_after_a_server_restart_reconnects_by_itself(pg_server):
    """An idempotent read is retried once on a new connection; a write is never retried silently."""
    url = pg_server.new_database()
    ws = workspace_from_samples(url, with_final=False)
    try:
        before = ws.instances()
        pg_server.restart()
        pd.testing.assert_frame_equal(ws.instances(), before)  # no error: the read reconnected
        name = before.index[0]
        own = ws.self_assessment(name).set_index("indicator")["level"]
        pg_server.restart()
        ws.adjust(name, "3", 1 if own["3"] != 1 else 2, stage="dokumen", evaluator="Ani", note="setelah mulai ulang")
        assert ws.history(name)["note"].tolist() == ["setelah mulai ulang"]
    finally:
        ws.close()


def test_a_server_round_whose_protection_was_switched_off_is_refused(pg_server):
    import psycopg

    from spbe_toolkit.errors import SpbeError

    url = pg_server.new_database()
    workspace_from_samples(url, with_final=False).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE events DISABLE TRIGGER events_no_change")
    with pytest.raises(SpbeError, match="missing or disabled protection triggers: events_no_change"):
        Workspace.open(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE events ENABLE TRIGGER events_no_change")
    Workspace.open(url).close()

"""Workspace: rules, append-only history, durability under SIGKILL, concurrency, schema versions."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import spbe_toolkit as spbe
from spbe_toolkit import workspace as wsmod
from spbe_toolkit.demo import sample_paths, workspace_from_samples
from spbe_toolkit.errors import ConflictError, SpbeError, ValidationError
from spbe_toolkit.workspace import Workspace


@pytest.fixture(autouse=True)
def _messages_in_english(english):
    """These tests read the English text of messages (``.message``); the Indonesian text is
    tested in test_language.py."""


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def subs():
    folder, _ = sample_paths("spbe2020")
    return spbe.read_submissions(folder, "spbe2020")


@pytest.fixture
def ws(round_location, subs):
    """A round with the sample submissions, once on each store (SQLite file, PostgreSQL server)."""
    w = Workspace.create(round_location, framework="spbe2020", year=2024)
    w.import_submissions(subs)
    yield w
    w.close()


def _first(ws):
    name = ws.instances().index[0]
    own = ws.self_assessment(name).set_index("indicator")["level"]
    return name, own


def test_create_refuses_to_overwrite(ws):
    with pytest.raises(SpbeError, match="already exists"):
        Workspace.create(ws.location, framework="spbe2020")


def test_import_is_idempotent_and_versions_changes(ws, subs, tmp_path):
    again = ws.import_submissions(subs)
    assert set(again["action"]) == {"unchanged"}
    changed = spbe.read_submissions(sample_paths("spbe2020")[0], "spbe2020")
    name = changed.instances["instance"].iat[0]
    mask = (changed.levels["instance"] == name) & (changed.levels["indicator"] == "1")
    old = int(changed.levels.loc[mask, "level"].iat[0])
    changed.levels.loc[mask, "level"] = 1 if old != 1 else 2
    res = ws.import_submissions(changed).set_index("instance")
    assert res.at[name, "action"] == "new_version" and res.at[name, "version"] == 2
    log = ws.submissions_log()
    assert (log["instance"] == name).sum() == 2  # the old version is kept
    assert ws.self_assessment(name).set_index("indicator").at["1", "level"] == changed.levels.loc[mask, "level"].iat[0]


def test_instances_with_errors_are_not_imported_and_say_so(tmp_path):
    bad = Path(__file__).resolve().parent / "data" / "bad"
    subs = spbe.read_submissions([bad / "good_long.csv", bad / "level_decimal.xlsx"], "spbe2020")
    w = Workspace.create(tmp_path / "x.sqlite", framework="spbe2020")
    res = w.import_submissions(subs).set_index("instance")["action"].to_dict()
    assert res == {"Kab. Desimal (Sintetis)": "skipped_errors", "Badan Contoh Baik (Sintetis)": "added"}
    assert list(w.instances().index) == ["Badan Contoh Baik (Sintetis)"]
    w.close()


def test_adjust_rules(ws):
    name, own = _first(ws)
    other = 5 if own["1"] != 5 else 4
    with pytest.raises(
        ValidationError, match=rf"instance '{re.escape(name)}', indicator '1'.*differs from the self-assessment.*note"
    ):
        ws.adjust(name, "1", other, stage="dokumen", evaluator="Budi")
    with pytest.raises(ValidationError, match=r"indicator '1'.*level 6 is outside 1–5"):
        ws.adjust(name, "1", 6, stage="dokumen", evaluator="Budi", note="x")
    with pytest.raises(ValidationError, match="indicator '99'.*unknown indicator"):
        ws.adjust(name, "99", 3, stage="dokumen", evaluator="Budi", note="x")
    with pytest.raises(ValidationError, match="instance 'Tidak Ada'.*not in this workspace"):
        ws.adjust("Tidak Ada", "1", 3, stage="dokumen", evaluator="Budi", note="x")
    with pytest.raises(ValidationError, match="stage must be one of"):
        ws.adjust(name, "1", 3, stage="mandiri", evaluator="Budi", note="x")
    with pytest.raises(ValidationError, match="evaluator's name is required"):
        ws.adjust(name, "1", 3, stage="dokumen", evaluator=" ", note="x")
    with pytest.raises(ValidationError, match="whole number"):
        ws.adjust(name, "1", 2.5, stage="dokumen", evaluator="Budi", note="x")
    assert ws.history().empty  # nothing was written by refused calls
    # confirming the self-assessed level needs no note
    ws.adjust(name, "1", int(own["1"]), stage="dokumen", evaluator="Budi")
    ws.adjust(
        name, "1", other, stage="dokumen", evaluator="Budi", note="Dokumen belum ditetapkan", expected=int(own["1"])
    )
    assert len(ws.history()) == 2


def test_conflict_names_who_and_when_and_changes_nothing(ws):
    name, own = _first(ws)
    seen = int(own["2"])
    new = 1 if seen != 1 else 2
    ws.clock = lambda: "2025-05-01T09:00:00+00:00"
    ws.adjust(name, "2", new, stage="dokumen", evaluator="Sari", note="bukti kurang", expected=seen)
    with pytest.raises(
        ConflictError, match=r"level is now .* not .* changed by Sari on 1 May 2025 16:00 WIB \(stage Document review\)"
    ):
        ws.adjust(name, "2", 4, stage="dokumen", evaluator="Budi", note="lain", expected=seen)
    assert len(ws.history()) == 1


def test_levels_by_stage_history_and_scores(ws):
    name, own = _first(ws)
    a, b = int(own["3"]), int(own["4"])
    ws.adjust(name, "3", 1 if a != 1 else 2, stage="dokumen", evaluator="Budi", note="n1")
    ws.adjust(name, "4", 1 if b != 1 else 2, stage="final", evaluator="Sari", note="n2")
    ws.adjust(name, "3", a, stage="interviu", evaluator="Budi", note="dipulihkan setelah interviu")
    cur = ws.levels("current", name).set_index("indicator")
    doc = ws.levels("dokumen", name).set_index("indicator")
    assert cur.at["3", "level"] == a and cur.at["3", "source_stage"] == "interviu"
    assert doc.at["3", "level"] != a and doc.at["4", "level"] == b  # final not yet applied at dokumen
    h = ws.history(name)
    assert list(h["evaluator"]) == ["Budi", "Sari", "Budi"]
    assert h["from_level"].tolist()[0] == a and h["supersedes"].tolist()[2] == h["id"].tolist()[0]
    assert (h["note"] != "").all() and h["created_at"].notna().all()
    s = ws.scores("current", name)
    assert s["index"].iat[0] < ws.scores("mandiri", name)["index"].iat[0]
    both = ws.score_comparison(name)
    assert list(both.index.get_level_values("stage")) == ["mandiri", "current"]
    assert both.loc[("current", name), "index"] == s["index"].iat[0]


def test_events_are_append_only(ws):
    name, own = _first(ws)
    ws.adjust(name, "5", int(own["5"]), stage="dokumen", evaluator="Budi")
    # a raw connection that bypasses the toolkit: the database itself refuses
    for sql in ("UPDATE events SET level = 1", "DELETE FROM events", "DELETE FROM submitted_levels",
                "UPDATE meta SET value = 'spbe2018' WHERE key = 'framework'"):  # fmt: skip
        with pytest.raises(Exception, match="append-only"):
            _raw_execute(ws.location, sql)
    if ws.location.startswith("postgresql://"):
        with pytest.raises(Exception, match="append-only"):
            _raw_execute(ws.location, "TRUNCATE events CASCADE")
    assert len(ws.history()) == 1


def _raw_execute(location: str, sql: str) -> None:
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute(sql)
    else:
        raw = sqlite3.connect(location)
        try:
            raw.execute(sql)
        finally:
            raw.close()


def test_status_and_export(ws, tmp_path):
    name, own = _first(ws)
    ws.adjust(name, "6", 1 if own["6"] != 1 else 2, stage="interviu", evaluator="Budi", note="x")
    st = ws.status()
    assert st.at[name, "stage_reached"] == "interviu" and st.at[name, "reviewed"] == 1 and st.at[name, "open"] == 46
    assert st.at[name, "changed_from_self"] == 1
    files = ws.export(tmp_path / "ekspor.xlsx", lang="id")
    sheets = pd.read_excel(files[0], sheet_name=None, engine="calamine")
    assert {"Sampul", "Status", "Riwayat Perubahan", "Tingkat Terkini", "Skor Terkini"} <= set(sheets)
    assert len(sheets["Riwayat Perubahan"]) == 1
    csvs = ws.export(tmp_path / "ekspor.csv", lang="id")
    assert any(p.name == "ekspor_riwayat.csv" for p in csvs)


def test_reopen_keeps_everything(ws):
    name, own = _first(ws)
    ws.adjust(name, "7", int(own["7"]), stage="final", evaluator="Budi")
    path = ws.location
    ws.close()
    again = Workspace.open(path)
    assert again.framework.name == "spbe2020" and again.year == 2024
    assert len(again.history()) == 1 and len(again.instances()) == 44
    again.close()


def test_workspace_from_samples(tmp_path):
    ws = workspace_from_samples(tmp_path / "contoh.sqlite")
    st = ws.status()
    assert len(st) == 44 and (st["stage_reached"] == "final").all()
    assert (st["index"] <= st["self_index"] + 1e-9).mean() > 0.8  # self-assessment is optimistic
    ws.close()


# ------------------------------------------------------------------ schema versions
def _fake_workspace(path: Path, version: str) -> None:
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    c.execute("INSERT INTO meta VALUES ('schema_version', ?)", (version,))
    c.commit()
    c.close()


def test_older_schema_without_migration_fails_clearly(tmp_path):
    p = tmp_path / "lama.sqlite"
    _fake_workspace(p, "0")
    with pytest.raises(SpbeError, match=f"schema version 0 cannot be upgraded to {wsmod.SCHEMA_VERSION}.*Re-import"):
        Workspace.open(p)


def test_newer_schema_fails_clearly(tmp_path):
    p = tmp_path / "baru.sqlite"
    _fake_workspace(p, "99")
    with pytest.raises(SpbeError, match="schema version 99 is newer.*upgrade spbe-toolkit"):
        Workspace.open(p)


def test_not_a_workspace(tmp_path):
    (tmp_path / "teks.sqlite").write_text("bukan basis data")
    with pytest.raises(SpbeError, match="not an SQLite database"):
        Workspace.open(tmp_path / "teks.sqlite")
    c = sqlite3.connect(tmp_path / "lain.sqlite")
    c.execute("CREATE TABLE x (a)")
    c.close()
    with pytest.raises(SpbeError, match="no meta table"):
        Workspace.open(tmp_path / "lain.sqlite")


def test_a_new_column_is_one_declared_step_on_both_stores(round_location, monkeypatch, subs):
    """Adding a column to a later schema: one step declared in ``schema.MIGRATIONS`` (data),
    carried out by each store on open, in one transaction with the new version number."""
    w = Workspace.create(round_location, framework="spbe2020")
    w.import_submissions(subs)
    w.close()
    now = wsmod.SCHEMA_VERSION
    monkeypatch.setattr(wsmod.schema, "SCHEMA_VERSION", now + 1)
    monkeypatch.setitem(wsmod.schema.MIGRATIONS, now,
                        (wsmod.schema.Step("add_columns", table="instances", columns=("alias TEXT",)),))  # fmt: skip
    w = Workspace.open(round_location)
    try:
        assert w.meta["schema_version"] == str(now + 1)
        assert "alias" in w.store._frame("SELECT * FROM instances").columns and len(w.instances()) == 44
    finally:
        w.close()
    w = Workspace.open(round_location)  # opening again runs nothing twice
    assert w.meta["schema_version"] == str(now + 1)
    w.close()


# ------------------------------------------------------------------ durability and concurrency
BURST = textwrap.dedent(
    """
    import sys
    from spbe_toolkit.workspace import Workspace
    ws = Workspace.open(sys.argv[1])
    inst = list(ws.instances().index)
    own = ws.self_assessment().set_index(["instance", "indicator"])["level"]
    codes = ws.framework.codes
    n = 0
    while True:
        for name in inst:
            for code in codes:
                lvl = int(own[(name, code)])
                new = lvl - 1 if lvl > 1 else lvl + 1
                eid = ws.adjust(name, code, new, stage="dokumen", evaluator="proses-uji", note=f"uji {n}")
                print(eid, name, code, new, flush=True)
                n += 1
    """
)


def test_sigkill_mid_burst_loses_nothing_that_returned(ws):
    path = ws.location
    ws.close()
    proc = subprocess.Popen([sys.executable, "-c", BURST, str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    returned = []
    deadline = time.monotonic() + 60
    while len(returned) < 200 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        returned.append(line.rstrip("\n"))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert len(returned) >= 200, "the burst did not get going"
    again = Workspace.open(path)
    assert again.integrity_check() == "ok"
    hist = again.history().set_index("id")
    for line in returned:
        eid, rest = line.split(" ", 1)
        name, code, level = rest.rsplit(" ", 2)
        assert int(eid) in hist.index, f"event {eid} returned but was lost"
        row = hist.loc[int(eid)]
        assert (row["instance"], row["indicator"], row["level"]) == (name, code, int(level))
    # events are numbered without gaps: no half-written transaction left a hole
    assert list(hist.index) == list(range(1, len(hist) + 1))
    again.close()


WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from spbe_toolkit.errors import ConflictError
    from spbe_toolkit.workspace import Workspace
    path, mine, shared, who, go = sys.argv[1:6]
    ws = Workspace.open(path)
    own = ws.self_assessment().set_index(["instance", "indicator"])["level"]
    while not Path(go).exists():
        time.sleep(0.005)
    for code in ws.framework.codes:
        lvl = int(own[(mine, code)])
        ws.adjust(mine, code, lvl, stage="dokumen", evaluator=who)
    seen = int(own[(shared, "1")])
    try:
        ws.adjust(shared, "1", 1 if seen != 1 else 2, stage="dokumen", evaluator=who, note="oleh " + who, expected=seen)
        print("saved")
    except ConflictError as exc:
        print("conflict:", exc.message)
    """
)


def test_two_processes_lose_nothing_and_conflict_as_they_should(ws, tmp_path):
    names = list(ws.instances().index)
    path = ws.location
    ws.close()
    go = tmp_path / "mulai"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), names[i], names[2], who, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for i, who in ((0, "Budi"), (1, "Sari"))
    ]
    time.sleep(1.0)
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    results = sorted(o[0].strip().split(":")[0] for o in outs)
    assert results == ["conflict", "saved"]
    loser = next(o[0] for o in outs if o[0].startswith("conflict"))
    assert "changed by Budi" in loser or "changed by Sari" in loser
    again = Workspace.open(path)
    h = again.history()
    assert len(h) == 47 * 2 + 1
    assert set(h.loc[h["instance"] == names[0], "evaluator"]) == {"Budi"}
    assert set(h.loc[h["instance"] == names[1], "evaluator"]) == {"Sari"}
    assert again.integrity_check() == "ok"
    again.close()


def test_previous_results_are_recorded_and_shown_in_memos(tmp_path):
    from spbe_toolkit.demo import workspace_from_samples
    from spbe_toolkit.render.memo import render_memo
    from spbe_toolkit.stats import results_table

    earlier = workspace_from_samples(tmp_path / "2024.sqlite")
    later = Workspace.create(tmp_path / "2025.sqlite", framework="spbe2020", year=2025)
    folder, _ = __import__("spbe_toolkit.demo", fromlist=["sample_paths"]).sample_paths("spbe2020")
    later.import_submissions(spbe.read_submissions(folder, "spbe2020", progress=False))
    table = results_table(earlier)
    table["instance"] = table["instance"].str.upper()  # spelled differently
    matched = later.record_previous_results(table, year=2024, source="ruang kerja 2024")
    assert len(matched) == 44
    prev = later.previous_results()
    name = later.instances().index[0]
    row = prev.set_index("instance").loc[name]
    assert row["year"] == 2024 and row["index"] == pytest.approx(earlier.scores().at[name, "index"])
    html = render_memo(later, name, lang="id", generated_at="1 Juli 2025")
    assert "pada evaluasi 2024" in html and "perubahan" in html
    # a recorded result is said with its own source, never as KemenPANRB's published data
    assert (
        "dicatat dalam ruang kerja ini (sumber: ruang kerja 2024)" in html and "data publikasi KemenPANRB" not in html
    )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        later._conn.execute("UPDATE previous_results SET index_value = 5")
    earlier.close()
    later.close()

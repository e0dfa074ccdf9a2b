"""Stages in their order (dokumen < interviu < visitasi < final), on both stores: a cell's level
of record is the latest event of its highest stage (since its latest reopening); a write at a
lower stage is refused — by the API and by the database itself — naming who decided what at
which stage, unless it reopens that decision, which only someone allowed to write that stage
may do; a refused write changes no level, score or memo."""

from __future__ import annotations

import shutil
import sqlite3
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spbe_toolkit as spbe
from spbe_toolkit.demo import sample_paths, workspace_from_samples
from spbe_toolkit.errors import ValidationError
from spbe_toolkit.render.memo import render_memo
from spbe_toolkit.vocab import EVALUATOR_STAGES
from spbe_toolkit.workspace import Workspace
from spbe_toolkit.workspace.store import schema
from spbe_toolkit.workspace.store.sqlite import protection, statements

FIXED = "1 Desember 2026"


def _cell(ws, stage, name, indicator):
    lv = ws.levels(stage, name)
    return lv.set_index("indicator").loc[indicator]


def test_a_lower_stage_write_after_a_decision_is_refused_and_changes_nothing(sample_round, english):
    ws = sample_round
    name = ws.instances().index[3]
    final = _cell(ws, "final", name, "6")
    before = (ws.levels("final").copy(), ws.scores("final").copy(), len(ws.history()))
    memo = render_memo(ws, name, generated_at=FIXED)
    other = 1 if final["level"] != 1 else 2
    with pytest.raises(ValidationError) as refused:
        ws.adjust(name, "6", other, stage="dokumen", evaluator="Sari", note="dokumen belum lengkap")
    text = str(refused.value)
    assert f"already decided {int(final['level'])} at the Final stage by {final['evaluator']}" in text
    assert "Document review" in text and "reopen" in text
    assert ws.levels("final").equals(before[0]) and ws.scores("final").equals(before[1])
    assert len(ws.history()) == before[2] and render_memo(ws, name, generated_at=FIXED) == memo
    # reopened explicitly, by someone who may write the final stage: recorded as such
    eid = ws.adjust(name, "6", other, stage="dokumen", evaluator="Ketua Tim", note="dibuka kembali", reopen=True)
    decided = ws.store.decided_event(name, "6")
    assert decided[0] == eid and decided[4] == "dokumen"
    reopened = ws.store.rows("events").set_index("id").at[eid, "reopens"]
    assert int(reopened) == int(ws.history(name).query("stage == 'final' and indicator == '6'")["id"].max())
    assert _cell(ws, "final", name, "6")["level"] == other and _cell(ws, "current", name, "6")["level"] == other
    # after the reopening, the stages climb again: interviu over dokumen, and dokumen below it refused
    ws.adjust(name, "6", final["level"], stage="interviu", evaluator="Sari", note="wawancara")
    with pytest.raises(ValidationError, match="at the Interview stage by Sari"):
        ws.adjust(name, "6", other, stage="dokumen", evaluator="Sari", note="lagi")
    assert _cell(ws, "final", name, "6")["level"] == final["level"]


def test_bulk_imports_keep_the_order_too(sample_round, english):
    ws = sample_round
    name = ws.instances().index[0]
    lv = ws.levels("current", name)[["instance", "indicator", "level"]]
    lv["level"], lv["note"] = 1, "impor"
    before = ws.levels("final").copy()
    with pytest.raises(ValidationError, match="already decided"):
        ws.import_levels(lv, evaluator="Sari", stage="dokumen")
    assert ws.levels("final").equals(before)
    assert set(ws.history(name)["stage"]) == {"final"}


def test_an_event_from_elsewhere_below_a_decision_is_history_not_the_level(tmp_path):
    """A merged (or older) event written at a lower stage after a decision — as the toolkit
    before schema 9 allowed — no longer overrides the decision."""
    path = tmp_path / "putaran.sqlite"
    ws = workspace_from_samples(path)
    name = ws.instances().index[1]
    final = _cell(ws, "final", name, "6")
    ws.close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at, origin, origin_event)"
            " VALUES (?, '6', 'dokumen', 1, 'Tim Lama', 'lama', '2026-11-30T10:00:00+00:00', 'lain', 7)",
            (name,),
        )  # fmt: skip
        with pytest.raises(sqlite3.IntegrityError, match="spbe:stage_order"):  # written here: the file refuses it
            conn.execute(
                "INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at)"
                " VALUES (?, '6', 'dokumen', 1, 'Tim Lama', 'lama', '2026-11-30T10:00:00+00:00')",
                (name,),
            )  # fmt: skip
    conn.close()
    ws = Workspace.open(path)
    assert ws.integrity_check() == "ok"
    assert _cell(ws, "final", name, "6")["level"] == final["level"]
    assert _cell(ws, "dokumen", name, "6")["level"] == 1  # the state at the end of the document stage
    ws.close()


def test_a_schema_8_file_gains_the_order_on_open(tmp_path):
    path = tmp_path / "lama.sqlite"
    ws = Workspace.create(tmp_path / "baru.sqlite", framework="spbe2020", year=2024)
    meta = dict(ws.meta)
    ws.close()
    conn = sqlite3.connect(path)
    old = schema.SCHEMA.replace(",\n    reopens INTEGER REFERENCES events(id)", "")
    old = old.replace(schema.table_statement("cell_records") + "\n", "")  # schema 10's
    for stmt in statements(old + protection(schema.APPEND_ONLY, meta=True)):
        conn.execute(stmt)
    meta["schema_version"] = "8"
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    conn.execute("INSERT INTO instances VALUES ('Kota Lama (Sintetis)', '2026-11-01T00:00:00+00:00')")
    conn.execute("INSERT INTO submissions (instance, version, content_hash, imported_at) VALUES"
                 " ('Kota Lama (Sintetis)', 1, 'h', '2026-11-01T00:00:00+00:00')")  # fmt: skip
    conn.execute("INSERT INTO submitted_levels VALUES (1, '1', 3, '', '')")
    for stage, level in (("final", 4), ("dokumen", 2)):  # the old toolkit let the second overwrite the first
        conn.execute("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at)"
                     " VALUES ('Kota Lama (Sintetis)', '1', ?, ?, 'Tim', 'x', '2026-11-02T00:00:00+00:00')",
                     (stage, level))  # fmt: skip
    conn.commit()
    conn.close()
    ws = Workspace.open(path)
    assert ws.meta["schema_version"] == str(schema.SCHEMA_VERSION) and ws.integrity_check() == "ok"
    assert _cell(ws, "final", "Kota Lama (Sintetis)", "1")["level"] == 4
    with pytest.raises(ValidationError):
        ws.adjust("Kota Lama (Sintetis)", "1", 1, stage="visitasi", evaluator="Sari", note="x")
    ws.close()


# ------------------------------------------------------------------ property: random stage sequences
def _model(writes):
    """The level of record by the rule, from the accepted writes (stage, level, reopen)."""
    state = None
    for stage, level, _ in writes:
        state = (stage, level)
    return state


@pytest.fixture(scope="module")
def open_round(tmp_path_factory):
    path = tmp_path_factory.mktemp("urutan") / "terbuka.sqlite"
    workspace_from_samples(path, with_final=False).close()
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EVALUATOR_STAGES), st.integers(1, 5), st.booleans()), min_size=1,
                max_size=10))  # fmt: skip
def test_random_stage_sequences_follow_the_rule(tmp_path_factory, open_round, steps):
    path = tmp_path_factory.mktemp("urutan") / "w.sqlite"
    shutil.copy(open_round, path)
    ws = Workspace.open(path)
    name = ws.instances().index[0]
    rank = {s: i for i, s in enumerate(EVALUATOR_STAGES)}
    accepted, highest = [], None
    for stage, level, reopen in steps:
        before = (ws.levels("final").copy(), len(ws.history()))
        try:
            ws.adjust(name, "1", level, stage=stage, evaluator="Sari", note="n", reopen=reopen)
        except ValidationError:
            assert highest is not None and rank[stage] < rank[highest] and not reopen
            assert ws.levels("final").equals(before[0]) and len(ws.history()) == before[1]
            continue
        assert highest is None or rank[stage] >= rank[highest] or reopen
        accepted.append((stage, level, reopen))
        highest = stage
    state = _model(accepted)
    assert _cell(ws, "final", name, "1")["level"] == state[1]
    assert _cell(ws, "current", name, "1")["source_stage"] == state[0]
    ws.close()


# ------------------------------------------------------------------ the server decides too
psycopg = pytest.importorskip("psycopg")


def test_on_a_server_an_evaluator_cannot_reopen_a_final_decision(pg_server, english):
    url = pg_server.new_database()
    folder, _ = sample_paths("spbe2020")
    lead = Workspace.create(url, framework="spbe2020", year=2024)
    lead.import_submissions(spbe.read_submissions(sorted(folder.glob("*.xlsx"))[:2], "spbe2020", progress=False))
    name = lead.instances().index[0]
    role = f"ani_{uuid.uuid4().hex[:6]}"
    lead.add_evaluator(role, "Ani", team="Tim A", added_by="Ketua Tim")
    lead.assign(name, "Ani", team="Tim A", assigned_by="Ketua Tim")
    me = lead.whoami()["name"] or "Ketua Tim"
    lead.adjust(name, "1", 4, stage="final", evaluator=me, note="final")
    ani = Workspace.open(url.replace("postgres@", f"{role}@"))
    try:
        with pytest.raises(ValidationError, match="already decided 4 at the Final stage"):
            ani.adjust(name, "1", 2, stage="dokumen", note="x")
        with pytest.raises(ValidationError, match="final stage is recorded by the team lead only"):
            ani.adjust(name, "1", 2, stage="dokumen", note="x", reopen=True)
        decided = lead.store.decided_event(name, "1")
        with psycopg.connect(url.replace("postgres@", f"{role}@"), autocommit=True) as conn:
            insert = ("INSERT INTO events (instance, indicator, stage, level, note, created_at, reopens)"
                      " VALUES (%s, '1', 'dokumen', 2, 'x', '2026-12-01', %s)")  # fmt: skip
            with pytest.raises(psycopg.errors.RaiseException, match="spbe:stage_order"):
                conn.execute(insert, (name, None))
            with pytest.raises(psycopg.errors.RaiseException, match="spbe:final"):
                conn.execute(insert, (name, decided[0]))
        assert len(lead.history()) == 1 and lead.levels("final", name).set_index("indicator").at["1", "level"] == 4
        # the team lead reopens it; then Ani works at the document stage again
        lead.adjust(name, "1", 3, stage="dokumen", evaluator=me, note="dibuka kembali", reopen=True)
        ani.adjust(name, "1", 2, stage="dokumen", note="bukti kurang")
        assert lead.levels("final", name).set_index("indicator").at["1", "level"] == 2
        assert lead.integrity_check() == "ok"
    finally:
        ani.close()
        lead.close()


def test_the_panel_shows_the_decided_stage_and_reopens_only_when_asked(finished_round_file, tmp_path):
    from spbe_toolkit.render.widgets import AdjustmentPanel

    path = tmp_path / "putaran.sqlite"
    shutil.copy(finished_round_file, path)
    ws = Workspace.open(path)
    name = ws.instances().index[0]
    panel = AdjustmentPanel(ws, name, "Sari", "dokumen")
    row = panel.rows["1"]
    assert "Sudah diputuskan pada tahap Hasil Akhir" in row.decided_text.value and row.reopen.layout.display == ""
    final = ws.levels("final").copy()
    row.note.value = "dokumen belum lengkap"
    row.level.value = 1 if row.saved_level != 1 else 2
    row.save.click()
    assert "Belum tersimpan" in row.status.value and "sudah diputuskan" in row.status.value
    assert ws.levels("final").equals(final) and row.level.value == row.saved_level
    row.reopen.value = True
    row.note.value = "dibuka kembali: dokumen belum lengkap"
    row.level.value = 1 if row.saved_level != 1 else 2
    row.save.click()
    assert "Tersimpan" in row.status.value and "Penilaian Dokumen (Sari)" in row.decided_text.value
    assert row.reopen.layout.display == "none" and not row.reopen.value
    assert ws.store.decided_event(name, "1")[4] == "dokumen"
    ws.close()

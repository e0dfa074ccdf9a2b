"""Attacks on a round file and on the rules every store shares: a REPLACE through any unique
key, protection triggers rewritten or dropped, a conflict of interest written around
``assign``, appeal decisions raced or given odd values. Each fails with a clear message and
nothing written. (The server's roles: tests/test_attacks_server.py; team files:
tests/test_attacks_merge.py.)"""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from spbe_toolkit.errors import SpbeError, ValidationError
from spbe_toolkit.io.names import same_institution
from spbe_toolkit.workspace import Workspace


@pytest.fixture(autouse=True)
def _messages_in_english(english):
    """These tests read the English text of messages."""


@pytest.fixture
def round_file(finished_round_file, tmp_path):
    import shutil

    path = tmp_path / "putaran.sqlite"
    shutil.copy(finished_round_file, path)
    return path


def test_a_replace_through_any_unique_key_is_refused(round_file):
    ws = Workspace.open(round_file)
    name = ws.instances().index[0]
    appeal = ws.record_appeal(name, "1", 5, argument="bukti", submitted_by="Instansi")
    ws.decide_appeal(appeal, accepted=False, decided_by="Ketua Tim", reason="tidak cukup")
    ws.close()
    conn = sqlite3.connect(round_file)
    first = conn.execute("SELECT id, origin, origin_event, created_at FROM events ORDER BY id LIMIT 1").fetchone()
    with conn:  # an event as a merge records it: origin and its id there
        conn.execute("INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at, origin,"
                     " origin_event) SELECT instance, indicator, stage, level, 'Tim B', note, created_at, 'asal', 7"
                     " FROM events WHERE id = ?", (first[0],))  # fmt: skip
    attacks = [
        # the merge key (origin, origin_event, created_at) of an event
        ("INSERT OR REPLACE INTO events (instance, indicator, stage, level, evaluator, note, created_at, origin,"
         " origin_event) SELECT instance, indicator, stage, 1, 'Pemalsu', 'x', created_at, 'asal', 7 FROM events"
         " WHERE id = ?", (first[0],)),
        # the appeal-decision key: a rejected appeal would read "accepted by forger"
        ("INSERT OR REPLACE INTO appeal_decisions (appeal, accepted, decided_by, reason, decided_at)"
         " VALUES (?, 1, 'Pemalsu', 'x', 'n')", (appeal,)),
        ("INSERT OR REPLACE INTO events SELECT * FROM events WHERE id = ?", (first[0],)),
        ("INSERT INTO appeal_decisions (appeal, accepted, decided_by, reason, decided_at) VALUES (?, 1, 'P', 'x', 'n')"
         " ON CONFLICT (appeal) DO UPDATE SET accepted = 1", (appeal,)),
    ]  # fmt: skip
    for sql, params in attacks:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql, params)
    conn.close()
    ws = Workspace.open(round_file)
    assert ws.appeals().at[0, "decision"] == "rejected" and "Pemalsu" not in set(ws.history()["evaluator"])
    ws.close()


@pytest.mark.parametrize("how", ["dropped", "rewritten", "all dropped"])
def test_a_file_whose_protection_was_rewritten_or_dropped_is_refused(round_file, how):
    conn = sqlite3.connect(round_file)
    if how == "all dropped":
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
    else:
        conn.execute("DROP TRIGGER events_no_update")
        if how == "rewritten":  # the same name, letting every change through
            conn.execute("CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT 1; END")
    conn.commit()
    conn.close()
    with pytest.raises(SpbeError, match="protection triggers") as info:
        Workspace.open(round_file)
    assert "events_no_update" in info.value.message or how == "all dropped"


@pytest.mark.parametrize(
    ("affiliation", "instance"),
    [
        ("Kemenkeu", "Kementerian Keuangan"),
        ("Kementerian Keuangan RI", "Kementerian Keuangan"),
        ("Kementerian Keuangan (Biro Umum)", "Kementerian Keuangan"),
        ("Kementrian Keuangan", "Kementerian Keuangan"),
        ("kementerian keuangan republik indonesia", "Kementerian Keuangan"),
        ("Pemkab Nisbar", "Pemerintah Kabupaten Nias Barat"),
        ("Kementerian Urusan Contoh", "Kementerian Urusan Contoh (Sintetis)"),
    ],
)
def test_an_affiliation_is_matched_however_it_is_written(affiliation, instance):
    assert same_institution(affiliation, instance)


@pytest.mark.parametrize(("affiliation", "instance"), [("Kemenkeu", "Badan Pemeriksa Keuangan"), ("", "X"),
                                                        ("Universitas Gadjah Mada", "Kementerian Keuangan")])  # fmt: skip
def test_other_institutions_are_not_a_conflict(affiliation, instance):
    assert not same_institution(affiliation, instance)


def test_a_conflict_of_interest_once_recorded_bars_every_write(round_file):
    ws = Workspace.open(round_file)
    own, other = ws.instances().index[0], ws.instances().index[1]
    with pytest.raises(ValidationError, match="Conflict of interest"):  # the acronym-less short name
        ws.assign(own, "Dodi", affiliation="Kementerian Urusan Contoh (Biro Umum)", assigned_by="Ketua Tim")
    ws.assign(other, "Dodi", affiliation="Kementrian Urusan Contoh RI", assigned_by="Ketua Tim")  # recorded here
    n = len(ws.history())
    with pytest.raises(ValidationError, match="Conflict of interest"):
        ws.adjust(own, "1", 1, stage="final", evaluator="Dodi", note="x")
    with pytest.raises(ValidationError, match="Conflict of interest"):
        ws.import_levels(pd.DataFrame({"instansi": [own], "indikator": ["1"], "tingkat": [1], "catatan": ["x"]}),
                         evaluator="Dodi", stage="final")  # fmt: skip
    with pytest.raises(ValidationError, match="Conflict of interest"):
        ws.record_finding(own, "1", stage="dokumen", evaluator="Dodi", finding="x")
    with pytest.raises(ValidationError, match="Conflict of interest"):
        ws.record_interview_note(own, "Tata kelola", "x", evaluator="Dodi")
    appeal = ws.record_appeal(own, "1", 5, argument="bukti", submitted_by="Instansi")
    with pytest.raises(ValidationError, match="Conflict of interest"):
        ws.decide_appeal(appeal, accepted=False, decided_by="Dodi", reason="x")
    ws.add_evaluator("eka", "Eka", affiliation="Kementerian Tata Kelola Percontohan")  # by add_evaluator
    with pytest.raises(ValidationError, match="Conflict of interest"):
        ws.adjust(ws.instances().index[1], "1", 1, stage="final", evaluator="Eka", note="x")
    with pytest.raises(ValidationError, match="Conflict of interest"):
        ws.assign(ws.instances().index[1], "Eka", assigned_by="Ketua Tim")
    assert len(ws.history()) == n and ws.appeals().at[0, "decision"] == "pending"
    ws.close()


@pytest.mark.parametrize("accepted", ["no", "maybe", 2, None, 0.5])
def test_an_appeal_decision_is_a_strict_yes_or_no(round_file, accepted):
    ws = Workspace.open(round_file)
    appeal = ws.record_appeal(ws.instances().index[0], "1", 5, argument="bukti", submitted_by="Instansi")
    if accepted == "no":
        assert ws.decide_appeal(appeal, accepted="no", decided_by="Ketua Tim", reason="x") is None
        assert ws.appeals().at[0, "decision"] == "rejected"
    else:
        with pytest.raises(ValidationError, match="must be yes/no"):
            ws.decide_appeal(appeal, accepted=accepted, decided_by="Ketua Tim", reason="x")
        assert ws.appeals().at[0, "decision"] == "pending"
    ws.close()


def test_an_appeal_decided_twice_at_once_is_one_decision_and_a_clear_message(round_file):
    a, b = Workspace.open(round_file), Workspace.open(round_file)
    appeal = a.record_appeal(a.instances().index[0], "1", 5, argument="bukti", submitted_by="Instansi")
    for bad in ("abc", 10**9, True):
        with pytest.raises(ValidationError, match="does not exist"):
            a.decide_appeal(bad, accepted=True, decided_by="Ketua Tim", reason="x")
    a.decide_appeal(str(appeal), accepted=True, decided_by="Ketua Tim", reason="bukti cukup")
    with pytest.raises(ValidationError, match="already decided"):  # b had read the appeal as pending
        b.decide_appeal(appeal, accepted=False, decided_by="Ketua Tim", reason="x")
    assert a.appeals().at[0, "decision"] == "accepted"
    a.close()
    b.close()


def _framework_copy(tmp_path, criteria: str):
    from spbe_toolkit.frameworks import resolve_framework

    text, _ = resolve_framework("spbe2020")
    lines = [line for line in text.splitlines() if not line.startswith("criteria")]
    path = tmp_path / "kerangka.toml"
    path.write_text(f'criteria = "{criteria}"\n' + "\n".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("criteria", ["/dev/zero", "../../etc/passwd", "nol.csv"])
def test_a_framework_cannot_make_the_toolkit_read_without_end(tmp_path, criteria):
    from spbe_toolkit.frameworks import load_framework

    (tmp_path / "nol.csv").symlink_to("/dev/zero")
    with pytest.raises(ValidationError, match="criteria file|larger than") as info:
        load_framework(_framework_copy(tmp_path, criteria))
    assert "\n" not in info.value.message


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("u.toml", "[spbe2020\n", "cannot be used"),
        ("u.toml", "1 = 5\n", "must be a text"),
        ("u.toml", '1 = ["Biro", 3]\n', "must be a text"),
        ("u.toml", "spbe2020 = 5\n", "cannot be used"),
        ("u.csv", "kode,nama\n1,Biro\n", "indicator, unit"),
        ("u.csv", "", "cannot be used"),
        ("u.csv", b"\xff\xfe\x00", "UTF-8"),
        ("tidak_ada.toml", None, "FileNotFoundError"),
        ("nol.toml", "/dev/zero", "20 MiB"),
    ],
)
def test_every_bad_units_file_is_one_clear_line(tmp_path, name, content, match):
    from spbe_toolkit.coaching import responsible_units

    path = tmp_path / name
    if content == "/dev/zero":
        path.symlink_to("/dev/zero")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError, match=match) as info:
        responsible_units("spbe2020", path)
    assert "\n" not in info.value.message

"""Memos as official letters: the letter profile (every key checked), the addressee and copies by
the instance's kind, the round's letter numbers (never given twice, kept by the same letter, in
both stores, written by the team lead only) and the letter's parts in every memo of the demo round."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

import spbe_toolkit as spbe
from spbe_toolkit.demo import sample_paths
from spbe_toolkit.demo.samples import sample_letter_profile
from spbe_toolkit.errors import SpbeError, ValidationError
from spbe_toolkit.render.memo import render_memo, render_memos
from spbe_toolkit.render.memo.letter import (
    LOGO_MAX_BYTES,
    addressee_of,
    check_number_pattern,
    copies_for,
    kind_of_instance,
    load_letter_profile,
)
from spbe_toolkit.workspace import Workspace

BAD = Path(__file__).parent / "data" / "bad_letter_profiles"
LETTER_PARTS = ("Nomor", "Sifat", "Lampiran", "Hal", "Tembusan", "NIDN 0000000000", "Yth. ", "Kota Contoh",
                "Universitas Contoh Nusantara", "data:image/png;base64,", "14 Juli 2025", "Lampiran Surat")  # fmt: skip
"""What every letter of the sample profile prints: its parts, signer, letterhead and deadline."""
SAMPLE = sample_letter_profile()


def _numbers(ws, requests, profile=None):
    profile = profile or load_letter_profile(SAMPLE)
    return ws.number_letters(requests, series=profile.series(2025), issued_by="Ketua Tim",
                             number=lambda seq: profile.number_text(seq, 2025, 7))  # fmt: skip


# --------------------------------------------------------------------------- the profile
def test_the_sample_profile_reads_whole():
    p = load_letter_profile(SAMPLE)
    assert p.team.startswith("Tim Asesor") and p.team_code == "TAE-UCN" and p.signer_id_kind == "NIDN"
    assert p.logo.startswith("data:image/png;base64,") and p.place and p.deadline
    assert p.number_text(7, 2025, 7) == "007/TAE-UCN/VII/2025" and p.series(2025) == "TAE-UCN/2025"
    assert p.copies_always and "sintetis" in p.signer_name


@pytest.mark.parametrize("case", sorted(BAD.glob("*.toml")), ids=lambda p: p.stem)
def test_every_bad_profile_is_refused_naming_the_file_and_key(case):
    """Each file of the corpus says on its first line which key the message must name."""
    expected = case.read_bytes().splitlines()[0].decode("utf-8").removeprefix("# expect:").strip()
    with pytest.raises(ValidationError) as err:
        load_letter_profile(case)
    text = err.value.text("en") if hasattr(err.value, "text") else str(err.value)
    assert case.name in text and expected in text, text


def test_a_missing_profile_and_unusable_logos_are_refused(tmp_path):
    with pytest.raises(ValidationError, match="not found|tidak ditemukan"):
        load_letter_profile(tmp_path / "tidak_ada.toml")
    base = {"letterhead": {"team": "Tim", "logo": "logo.svg"}, "letter": {"team_code": "T"}}
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    profile = tmp_path / "p.toml"
    for logo, data in (("logo.svg", None), ("besar.png", b"\x89PNG\r\n\x1a\n" + b"0" * LOGO_MAX_BYTES),
                       ("tidak_ada.png", None), ("palsu.png", b"GIF89a....")):  # fmt: skip
        if data is not None:
            (tmp_path / logo).write_bytes(data)
        profile.write_text(
            f'[letterhead]\nteam = "Tim"\nlogo = "{logo}"\n[letter]\nteam_code = "T"\n', encoding="utf-8"
        )
        with pytest.raises(ValidationError, match="letterhead.logo"):
            load_letter_profile(profile)
    base["letterhead"].pop("logo")
    assert load_letter_profile(base).logo == ""


@pytest.mark.parametrize("pattern", ["{kode_tim}/{tahun}", "{nomor.__class__}", "{nomor!r}", "{nomor[0]}",
                                     "{nama}/{nomor}", "{tahun:>10}/{nomor}", "{nomor:x}", "{nomor", "{nomor:0100d}"])  # fmt: skip
def test_number_patterns_fill_only_known_fields(pattern):
    with pytest.raises(ValidationError, match="letter.number"):
        check_number_pattern(pattern, "p.toml")


# --------------------------------------------------------------------------- addressee and copies
@pytest.mark.parametrize(
    ("name", "itype", "addressee", "kind"),
    [
        ("Kementerian Keuangan", "Kementerian", "Menteri Keuangan", "kementerian"),
        ("Badan Pusat Statistik", "LPNK", "Kepala Badan Pusat Statistik", "lembaga"),
        ("Komisi Pemilihan Umum", "LNS", "Ketua Komisi Pemilihan Umum", "komisi"),
        ("Ombudsman Republik Indonesia", "LNS", "Ketua Ombudsman Republik Indonesia", "komisi"),
        ("Pemerintah Provinsi Jawa Barat", "Pemerintah Provinsi", "Gubernur Jawa Barat", "pemda"),
        ("Pemerintah Kabupaten Sleman", "Pemerintah Kabupaten", "Bupati Sleman", "pemda"),
        ("Kota Bandung", "Pemerintah Kota", "Wali Kota Bandung", "pemda"),
        ("Kejaksaan Agung", "Instansi Lainnya", "Jaksa Agung", "lainnya"),
    ],
)
def test_the_head_as_the_office_is_named_and_copies_by_kind(name, itype, addressee, kind):
    assert addressee_of(name, itype, "id") == addressee and kind_of_instance(name, itype) == kind
    copies = copies_for(name, itype, "id")
    assert copies and all("Pemerintah Kabupaten" not in c and "Pemerintah Provinsi" not in c for c in copies)
    if kind == "kementerian":
        assert copies == [f"Sekretaris Jenderal {name}", f"Inspektur Jenderal {name}"]
    if kind == "lembaga":
        assert "Deputi" not in " ".join(copies) and f"Inspektur Utama {name}" in copies
    if kind == "pemda":
        region = name.removeprefix("Pemerintah ")
        assert copies == [f"Sekretaris Daerah {region}", f"Inspektur {region}",
                          f"Kepala Dinas Komunikasi dan Informatika {region}"]  # fmt: skip
    en = addressee_of(name, itype, "en")
    assert en.startswith("The ") and not re.search(r"\b(Yth|Menteri|Bupati|Gubernur)\b", en.split(" of ")[0])


def test_every_registry_instance_has_an_addressee_written_whole():
    """The registry's 2024 instances: the addressee from the name (the six named otherwise —
    Presiden, Radio, Televisi … — by their type), never with doubled or trailing spaces, and a
    regency's or city's head named with the region, not "Bupati Kabupaten …"."""
    from spbe_toolkit.io.published import load_published

    names = load_published("instance_registry")["nama_instansi"]
    got = {n: addressee_of(n, None, "id") for n in names}
    assert sum(v is None for v in got.values()) <= 6
    assert all(addressee_of(n, "LNS", "id") for n in got if got[n] is None)
    written = [v for v in got.values() if v]
    assert not [v for v in written if "  " in v or v != v.strip()]
    assert not [v for v in written if re.match(r"(Bupati (Kabupaten|Kab\.) |Wali Kota Kota |Gubernur Provinsi )", v)]


def test_a_profile_replaces_a_kind_and_adds_lines_to_every_letter(tmp_path):
    p = load_letter_profile({"letterhead": {"team": "Tim"}, "letter": {"team_code": "T"},
                             "copies": {"always": ["Menteri PANRB"], "pemda": ["Inspektur {wilayah}"]}})  # fmt: skip
    assert copies_for("Pemerintah Kota Contoh", None, "id", p) == ["Menteri PANRB", "Inspektur Kota Contoh"]
    assert copies_for("Kementerian Contoh", None, "id", p)[0] == "Menteri PANRB"
    q = load_letter_profile({"letterhead": {"team": "Tim"}, "letter": {"team_code": "T"},
                             "copies": {"pemda": ["{instance.__class__} {0}"]}})  # fmt: skip
    assert copies_for("Kota A", None, "id", q) == ["{instance.__class__} {0}"]  # the team's text, never formatted


# --------------------------------------------------------------------------- numbers, both stores
def test_numbers_go_up_are_kept_by_the_same_letter_and_never_given_twice(sample_round):
    ws = sample_round
    names = list(ws.instances().index[:4])
    first = _numbers(ws, {n: f"h-{n}" for n in names[:3]})
    assert list(first["number"]) == ["001/TAE-UCN/VII/2025", "002/TAE-UCN/VII/2025", "003/TAE-UCN/VII/2025"]
    assert first["new"].all()
    again = _numbers(ws, {names[1]: f"h-{names[1]}", names[0]: "changed", names[3]: f"h-{names[3]}"})
    assert list(again["number"]) == ["002/TAE-UCN/VII/2025", "004/TAE-UCN/VII/2025", "005/TAE-UCN/VII/2025"]
    assert list(again["new"]) == [False, True, True]
    kept = ws.letters()
    assert list(kept["seq"]) == [1, 2, 3, 4, 5] and kept["number"].is_unique
    assert (kept["issued_by"] != "").all()
    # another series (next year) starts again, with numbers of its own
    profile = load_letter_profile(SAMPLE)
    other = ws.number_letters({names[0]: "x"}, series=profile.series(2026), issued_by="Ketua Tim",
                              number=lambda seq: profile.number_text(seq, 2026, 1))  # fmt: skip
    assert other["number"].iat[0] == "001/TAE-UCN/I/2026"
    # a pattern that cannot tell numbers apart is refused before anything is written
    with pytest.raises(ValidationError, match="letter_number_taken|sudah pernah|already given"):
        ws.number_letters({names[2]: "y", names[3]: "z"}, series="X/2025", issued_by="K", number=lambda seq: "TETAP")
    assert len(ws.letters()) == 6
    with pytest.raises(SpbeError):
        _numbers(ws, {"Instansi Tak Dikenal": "h"})


def test_letters_are_append_only_in_the_database(sample_round):
    ws = sample_round
    _numbers(ws, {ws.instances().index[0]: "h"})
    for statement in ("UPDATE letters SET number = 'lain'", "DELETE FROM letters",
                      "INSERT INTO letters (series, seq, number, instance, content_hash, issued_by, issued_at) "
                      "SELECT series, seq, number, instance, 'h2', issued_by, issued_at FROM letters"):  # fmt: skip
        with pytest.raises(Exception) as err:  # the database refuses (a trigger, or the unique number)
            with ws.store.transaction():
                ws.store._run(statement)
        assert re.search(r"append-only|UNIQUE|unique|duplicate", str(err.value)), err.value
    assert len(ws.letters()) == 1


def test_a_round_of_schema_10_gets_its_letters_table_on_open(sample_round):
    """A round as schema 10 left it (no letters table) is upgraded on open: the table, its
    protection, and on a server the evaluators' right to read it."""
    from spbe_toolkit.workspace.store import schema
    from spbe_toolkit.workspace.store import sqlite as sqlite_store

    ws, server = sample_round, sample_round.location.startswith("postgresql://")
    with ws.store.transaction():
        if server:
            ws.store._run("DROP TABLE letters")
            ws.store._run("ALTER TABLE meta DISABLE TRIGGER meta_guard")
        else:
            ws.store._run("DROP TABLE letters")  # its triggers go with it
            ws.store._run("DROP TRIGGER meta_no_update")
        ws.store._run("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
        if server:
            ws.store._run("ALTER TABLE meta ENABLE TRIGGER meta_guard")
        else:
            ws.store._run(sqlite_store.TRIGGER_DEFINITIONS["meta_no_update"])
    location = ws.location
    ws.close()
    again = Workspace.open(location)
    try:
        assert again.meta["schema_version"] == str(schema.SCHEMA_VERSION) and again.integrity_check() == "ok"
        assert _numbers(again, {again.instances().index[0]: "h"})["number"].iat[0] == "001/TAE-UCN/VII/2025"
        with pytest.raises(Exception, match="append-only"):
            with again.store.transaction():
                again.store._run("DELETE FROM letters")
    finally:
        again.close()


def test_only_the_team_lead_numbers_letters_on_a_server(pg_server):
    psycopg = pytest.importorskip("psycopg")
    del psycopg
    url = pg_server.new_database()
    folder, _ = sample_paths("spbe2020")
    lead = Workspace.create(url, framework="spbe2020", year=2025)
    try:
        lead.import_submissions(spbe.read_submissions(sorted(folder.glob("*.xlsx"))[:2], "spbe2020", progress=False))
        role = f"ani_{uuid.uuid4().hex[:6]}"
        lead.add_evaluator(role, "Ani", added_by="Ketua Tim")
        name = lead.instances().index[0]
        assert _numbers(lead, {name: "h"})["number"].iat[0] == "001/TAE-UCN/VII/2025"
        ani = Workspace.open(url.replace("postgres@", f"{role}@"))
        try:
            with pytest.raises(ValidationError, match="lead|ketua"):
                _numbers(ani, {name: "h2"})
            with pytest.raises(SpbeError):  # raw SQL meets the server's own refusal
                with ani.store.transaction():
                    ani.store.add_letter("X/2025", 9, "009/X", name, "h", "Ani", "2025-07-01T00:00:00+00:00")
            assert len(ani.letters()) == 1  # the evaluators read them
        finally:
            ani.close()
    finally:
        lead.close()


# --------------------------------------------------------------------------- in the memos
def test_every_demo_memo_is_a_letter_with_its_parts(finished_round_file, tmp_path):
    path = tmp_path / "putaran.sqlite"
    path.write_bytes(finished_round_file.read_bytes())
    with Workspace.open(path) as ws:
        paths = render_memos(ws, tmp_path / "memo", letter=SAMPLE, workers=1, progress=False,
                             generated_at="1 Juli 2025", lang="id")  # fmt: skip
        numbers = ws.letters()
        assert len(numbers) == len(paths) == len(ws.instances())
        again = render_memos(ws, tmp_path / "memo2", letter=SAMPLE, workers=1, progress=False,
                             generated_at="1 Juli 2025", lang="id")  # fmt: skip
        assert len(ws.letters()) == len(paths)  # the same letters again: no new numbers
        assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
        types = ws.instances()["instance_type"].to_dict()
    seen_kinds = set()
    for p in paths:
        html = p.read_text(encoding="utf-8")
        number = re.search(r'<span class="letter-number">([^<]+)</span>', html).group(1)
        assert number in set(numbers["number"]) and re.fullmatch(r"\d{3}/TAE-UCN/[IVX]+/\d{4}", number)
        for part in LETTER_PARTS:
            assert part in html, (p.name, part)
        assert "KONSEP" not in html
        name = next(n for n in types if f"Yth. {addressee_of(n, types[n], 'id')}<br>" in html)
        seen_kinds.add(kind_of_instance(name, types[name]))
        copies = re.search(r'<div class="copies small">(.*?)</div>', html, re.S).group(1)
        for c in copies_for(name, types[name], "id", load_letter_profile(SAMPLE)):
            assert f"<li>{c}</li>" in copies.replace("&amp;", "&")
    assert {"kementerian", "lembaga", "komisi", "pemda"} <= seen_kinds


def test_without_a_profile_the_letter_is_a_draft_and_english_is_whole(sample_round):
    ws = sample_round
    name = ws.instances().index[0]
    html = render_memo(ws, name, lang="id", generated_at="1 Juli 2025")
    assert "KONSEP" in html and "belum bernomor" in html
    en = render_memo(ws, name, lang="en", generated_at="1 July 2025", letter=load_letter_profile(SAMPLE),
                     letter_number="001/TAE-UCN/VII/2025")  # fmt: skip
    assert "To: The " in en and "Yth." not in en and "di Tempat" not in en and "Copies" in en
    assert "001/TAE-UCN/VII/2025" in en and "DRAFT" not in en
    assert "Ordinary" in en and "1 (one) set of documents" in en and "Biasa" not in en and "berkas" not in en


def test_a_snapshot_cannot_number_letters(sample_round, tmp_path):
    with pytest.raises(SpbeError, match="snapshot|potret"):
        render_memos(sample_round.snapshot(), tmp_path / "m", letter=SAMPLE, workers=1, progress=False)


def test_the_pemdi_demo_memos_are_letters_too(tmp_path):
    """The demo's Pemdi memos (a ministry, an agency, a province, a regency) as numbered letters."""
    from spbe_toolkit.demo import workspace_from_samples
    from spbe_toolkit.demo.run import PEMDI_MEMOS

    with workspace_from_samples(tmp_path / "pemdi.sqlite", "pemdi2026") as ws:
        names = list(ws.instances().index[list(PEMDI_MEMOS)])
        types = ws.instances()["instance_type"].to_dict()
        paths = render_memos(ws, tmp_path / "m", instances=names, letter=SAMPLE, workers=1, progress=False, lang="id")
        assert len(ws.letters()) == len(names)
    for name, p in zip(names, paths):
        html = p.read_text(encoding="utf-8")
        for part in (*LETTER_PARTS, f"Yth. {addressee_of(name, types[name], 'id')}<br>"):
            assert part in html, (name, part)

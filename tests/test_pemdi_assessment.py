"""The 2026 Pemdi round as it is assessed (issue 18): decimal values scored exactly, level names
from the value, indicators fed by national indices (provisional until imported), the assessor's
verification, catatan and rekomendasi per indicator, and memos built around them — on both stores."""

from __future__ import annotations

import itertools
import json
import sqlite3
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spbe_toolkit as spbe
from spbe_toolkit.errors import ValidationError
from spbe_toolkit.frameworks import framework_from_text
from spbe_toolkit.workspace import Workspace
from spbe_toolkit.workspace.store import schema as sqlite_schema
from spbe_toolkit.workspace.store.sqlite import statements as sqlite_statements

TESTS = Path(__file__).resolve().parent
FW = spbe.load_framework("pemdi2026")
EXTERNAL = ["5", "6", "7", "18"]


def real_result() -> pd.DataFrame:
    """The real 2026 assessor result as its source wrote it (Indonesian headings, decimal commas)."""
    t = spbe.load_published("pemdi2026_asesor_2026")
    return pd.DataFrame({"indikator": t["indicator"], "nilai": t["level"].map(lambda v: f"{v:.2f}".replace(".", ",")),
                         "level": t["level_name"]})  # fmt: skip


def real_levels(instance: str = "Kabupaten Aceh Tengah") -> pd.DataFrame:
    t = spbe.load_published("pemdi2026_asesor_2026")
    return pd.DataFrame({"instance": instance, "indicator": t["indicator"], "level": t["level"]})


def exact_index(values: dict[str, Fraction]) -> Fraction:
    w = dict(zip(FW.codes, FW.indicators["weight"]))
    return sum(Fraction(int(round(w[c]))) * v for c, v in values.items()) / 100


# --------------------------------------------------------------------------- a real 2026 result
def test_the_real_2026_assessor_result_reproduces_exactly():
    out = spbe.score(real_levels(), FW).iloc[0]
    assert out["index"] == 1.2415  # published 1,24 (Level 1 · Rintisan)
    published = {"A1": 1.75, "A2": 1.28, "A3": 1.00, "A4": 1.17, "A5": 1.08, "A6": 1.40, "A7": 1.18}
    for aspect, value in published.items():
        # the source system prints 1,085 as 1,08 (binary floating point): so does the toolkit
        assert f"{out[aspect]:.2f}" == f"{value:.2f}", aspect
    assert out["predicate"] == "Kurang" and out["provisional"] == ""
    assert FW.index_level_label(out["index"]) == "Tingkat 1 · Rintisan"
    t = real_result()
    for code, value, name in zip(t["indikator"], t["nilai"], t["level"]):
        assert FW.value_label(code, float(value.replace(",", "."))) == f"{value} ({name})"


def test_the_reproduction_is_shown_side_by_side_with_the_published_figures():
    from spbe_toolkit.stats import reproduce_pemdi_result

    r = reproduce_pemdi_result().set_index("measure")
    assert r.at["index", "computed"] == 1.2415 and r.at["A5", "computed"] == 1.085 and r.at["A5", "published"] == 1.08
    assert set(r.drop(index="self_index")["flag"]) == {"match"} and r.at["self_index", "flag"] == "published_only"
    t = spbe.load_published("pemdi2026_asesor_2026")
    assert t.loc[t["external"], "indicator"].tolist() == EXTERNAL
    assert set(t.loc[t["external"], ["uploaded", "interviewed", "approved"]].stack()) == {"na"}


def test_level_names_come_from_framework_data_with_their_status():
    assert FW.level_names("1") == {1: "Rintisan", 2: "Terkelola", 3: "Terdefinisi", 4: "Terpadu dan Terukur",
                                   5: "Optimum"}  # fmt: skip
    status = FW.provenance["level_names_status"]
    assert status["3"].startswith("inference") and status["4"].startswith("inference")
    assert status["1"].startswith("observed") and status["5"].startswith("observed")
    assert FW.value_label("3", 1.26, "en") == "1.26 (Rintisan)" and FW.value_label("17", 2.5) == "2,50 (Terkelola)"
    assert FW.value_label("20", 5.0) == "5,00 (Optimum)" and FW.level_of(4.99) == 4


def test_spbe2020_keeps_whole_levels():
    fw = spbe.load_framework("spbe2020")
    lv = pd.DataFrame({"instance": "A", "indicator": fw.codes, "level": 3.0})
    lv.loc[4, "level"] = 2.5
    with pytest.raises(ValidationError, match="bukan bilangan bulat"):
        spbe.score(lv, fw)
    assert fw.decimals == 0 and not fw.external and "provisional" not in spbe.score(lv.assign(level=3), fw).columns


# --------------------------------------------------------------------------- exact scoring
values_st = st.lists(st.integers(100, 500), min_size=20, max_size=20)


@settings(max_examples=300, deadline=None)
@given(values_st)
def test_pemdi_scores_are_exact_across_the_grid(hundredths):
    values = {c: Fraction(h, 100) for c, h in zip(FW.codes, hundredths)}
    lv = pd.DataFrame({"instance": "x", "indicator": FW.codes, "level": [float(v) for v in values.values()]})
    out = spbe.score(lv, FW).iloc[0]
    exact = exact_index(values)
    assert out["index"] == float(exact)  # the float nearest the exact value, never a noisy neighbour
    band = [b for b in FW.bands if Fraction(b.lower) <= exact][-1]
    assert out["predicate"] == band.predicate
    for aspect in FW.aspect_codes:
        members = FW.indicators[FW.indicators["aspect"] == aspect]
        w = dict(zip(members["indicator"], members["weight"]))
        want = sum(Fraction(int(round(w[c]))) * values[c] for c in w) / sum(int(round(x)) for x in w.values())
        assert out[aspect] == float(want)


@pytest.mark.parametrize("edge", [1.5, 2.5, 3.5, 4.0])
def test_band_edges_are_decided_exactly(edge):
    on = pd.DataFrame({"instance": "x", "indicator": FW.codes, "level": edge})
    assert spbe.score(on, FW)["predicate"].iat[0] == [b for b in FW.bands if b.lower == edge][0].predicate
    # one hundredth less on a weight-1 … weight-3 indicator: 0.0003 below the edge, the band below
    below = on.copy()
    below.loc[below["indicator"] == "6", "level"] = edge - 0.01
    out = spbe.score(below, FW).iloc[0]
    assert out["index"] == pytest.approx(edge - 0.0003, abs=1e-12) and out["index"] < edge
    assert out["predicate"] == [b for b in FW.bands if b.upper == edge][0].predicate


@pytest.mark.parametrize(
    ("value", "problem"),
    [(1.266, "lebih dari 2 desimal"), (0.99, "di luar 1–5"), (5.01, "di luar 1–5"), ("satu koma", "bukan angka")],
)
def test_a_bad_value_is_refused_naming_row_instance_indicator(value, problem):
    lv = real_levels().astype({"level": object})
    lv.loc[2, "level"] = value
    with pytest.raises(ValidationError) as err:
        spbe.score(lv, FW)
    assert problem in str(err.value) and "baris 3" in str(err.value) and "indikator '3'" in str(err.value)


def test_externally_fed_indicators_left_out_count_1_and_are_marked_provisional():
    lv = real_levels()
    out = spbe.score(lv[~lv["indicator"].isin(EXTERNAL)], FW).iloc[0]
    assert out["index"] == 1.2415 and out["provisional"] == "5, 6, 7, 18"
    lv.loc[lv["indicator"] == "5", "level"] = 3.75
    raised = spbe.score(lv[~lv["indicator"].isin(["6", "7", "18"])], FW).iloc[0]
    assert raised["index"] == pytest.approx(1.2415 + 5 * 2.75 / 100, abs=1e-12) and raised["provisional"] == "6, 7, 18"


def test_conversions_are_data_and_reproduce_the_observed_points():
    sdi = FW.external["sdi"]
    assert sdi.indicators == ("5", "18") and sdi.status == "unconfirmed"
    assert [sdi.convert(x) for x, _ in sdi.examples] == [y for _, y in sdi.examples]
    assert FW.external_by_indicator["6"].agency.startswith("Badan Informasi Geospasial")
    assert FW.external_by_indicator["7"].agency.startswith("Badan Pusat Statistik")
    # a team's corrected file is validated: a conversion that contradicts an observed point is refused
    text = (Path(spbe.__file__).parent / "frameworks" / "pemdi2026.toml").read_text(encoding="utf-8")
    broken = text.replace("points = [[0, 1.0], [100, 5.0]]\nexamples", "points = [[0, 1.0], [100, 4.0]]\nexamples", 1)
    with pytest.raises(ValidationError, match="tidak sesuai contoh"):
        framework_from_text(broken, "koreksi.toml", base=Path(spbe.__file__).parent / "frameworks")


# --------------------------------------------------------------------------- every input format
def _write_all_formats(folder: Path) -> list[Path]:
    t = real_result()
    given = t[~t["indikator"].isin(EXTERNAL)]
    inst = {"instance": "Kab. Contoh Desimal (Sintetis)", "instance_type": "Pemerintah Kabupaten", "year": 2026}
    paths = []
    tpl = folder / "isian.xlsx"
    spbe.write_template(tpl, FW, instance=inst,
                        levels={c: {"level": float(v.replace(",", "."))} for c, v in zip(given["indikator"], given["nilai"])})  # fmt: skip
    paths.append(tpl)
    long = pd.DataFrame({"instansi": "Kab. Panjang (Sintetis)", "indikator": t["indikator"],
                         "nilai": [("" if c in EXTERNAL else v) for c, v in zip(t["indikator"], t["nilai"])]})  # fmt: skip
    long.to_csv(folder / "panjang.csv", sep=";", index=False)
    long.assign(instansi="Kab. Panjang Excel (Sintetis)").to_excel(folder / "panjang.xlsx", index=False)
    wide = {"instansi": "Kab. Lebar (Sintetis)", **{f"I{c}": v for c, v in zip(given["indikator"], given["nilai"])}}
    pd.DataFrame([wide]).to_csv(folder / "lebar.csv", index=False)
    pd.DataFrame([{**wide, "instansi": "Kab. Lebar Excel (Sintetis)"}]).to_excel(folder / "lebar.xlsx", index=False)
    doc = {"instance": "Kab. Json (Sintetis)",
           "levels": [{"indicator": c, "level": float(v.replace(",", "."))} for c, v in zip(given["indikator"], given["nilai"])]}  # fmt: skip
    (folder / "kiriman.json").write_text(json.dumps(doc), encoding="utf-8")
    return [*paths, folder / "panjang.csv", folder / "panjang.xlsx", folder / "lebar.csv", folder / "lebar.xlsx",
            folder / "kiriman.json"]  # fmt: skip


def test_the_same_table_loads_in_every_input_format_without_a_problem(tmp_path):
    paths = _write_all_formats(tmp_path)
    subs = spbe.read_submissions(paths, FW)
    problems = subs.problems[subs.problems["severity"] == "error"]
    assert problems.empty, problems.to_string()
    assert not subs.problems["code"].isin(["level_text_decimal", "level_decimal"]).any()  # "1,26" is a number
    assert subs.instances["loaded"].all() and len(subs.instances) == 6
    scores = spbe.score(subs.levels, FW)
    assert (scores["index"] == 1.2415).all() and (scores["provisional"] == "5, 6, 7, 18").all()
    per = subs.levels.pivot_table(index="indicator", columns="instance", values="level")
    assert per.nunique(axis=1).eq(1).all() and per.loc["3"].iloc[0] == 1.26


def test_a_value_with_three_decimals_is_a_problem_naming_file_row_indicator(tmp_path):
    t = real_result()
    t.loc[t["indikator"] == "13", "nilai"] = "1,175"
    t.loc[t["indikator"] == "20", "nilai"] = "5,5"
    pd.DataFrame({"instansi": "Kab. Salah (Sintetis)", "indikator": t["indikator"], "nilai": t["nilai"]}).to_csv(
        tmp_path / "salah.csv", index=False
    )
    subs = spbe.read_submissions(tmp_path / "salah.csv", FW)
    err = subs.problems[subs.problems["severity"] == "error"].set_index("indicator")
    assert set(err["code"]) == {"level_decimals", "level_range"}
    assert err.at["13", "row"] == 14 and err.at["13", "file"].endswith("salah.csv") and "1,175" in err.at["13", "pesan"]
    assert not subs.instances["loaded"].any()


# --------------------------------------------------------------------------- the workspace, on both stores
def _round(location, tmp_path) -> Workspace:
    subs = spbe.read_submissions(_write_all_formats(tmp_path), FW)
    ws = Workspace.create(location, framework="pemdi2026", year=2026)
    ws.import_submissions(subs)
    return ws


def test_workspace_scores_equal_score_on_both_stores(round_location, tmp_path):
    ws = _round(round_location, tmp_path)
    try:
        direct = spbe.score(ws.levels("current")[["instance", "indicator", "level"]], FW)
        mine = ws.scores()
        assert (mine["index"] == 1.2415).all() and (mine["index"] == direct["index"]).all()
        assert (mine["provisional"] == "5, 6, 7, 18").all()
        name = "Kab. Json (Sintetis)"
        ws.adjust(name, "3", 1.42, stage="dokumen", evaluator="Ani", note="Bukti LMS diunggah")
        assert ws.levels("current", name).set_index("indicator").at["3", "level"] == 1.42
        shown = spbe.people_table(ws.levels("current", name)).set_index("Indikator")
        assert (shown.at["3", "Tingkat"], shown.at["3", "Nama tingkat"]) == ("1,42", "Rintisan")
        assert ws.scores().at[name, "index"] == pytest.approx(1.2415 + 5 * 0.16 / 100, abs=1e-12)
        for bad, match in ((1.425, "paling banyak 2 desimal"), (0.5, "di luar rentang"), (5.5, "di luar rentang")):
            with pytest.raises(ValidationError, match=match):
                ws.adjust(name, "3", bad, stage="dokumen", evaluator="Ani", note="x")
        # the externally fed indicator has no self-assessment: it may be set, its default is 1,00
        ws.adjust(name, "7", 3.2, stage="dokumen", evaluator="Ani", note="Nilai EPSS dari BPS")
        h = ws.history(name)
        assert h.loc[h["indicator"] == "7", "from_level"].iat[0] == 1.0 and h["level"].tolist() == [1.42, 3.2]
        ws.close()
        ws = Workspace.open(round_location)
        assert ws.levels("current", name).set_index("indicator").at["3", "level"] == 1.42
        assert ws.scores().at[name, "provisional"] == "5, 6, 18"
    finally:
        ws.close()


def test_national_index_values_import_convert_and_are_kept_with_the_event(round_location, tmp_path):
    ws = _round(round_location, tmp_path)
    try:
        name = "Kab. Lebar (Sintetis)"
        table = pd.DataFrame({"Instansi": [name, name], "Indeks": ["SDI", "Indeks Pembangunan Statistik (EPSS)"],
                              "Nilai": ["68,75", "3,2"]})  # fmt: skip
        before = ws.scores().at[name, "index"]
        got = ws.import_national_index(table, evaluator="Ketua Tim")
        assert got[["indicator", "level"]].values.tolist() == [["5", 3.75], ["18", 3.75], ["7", 3.2]]
        after = ws.scores().loc[name]
        assert after["index"] == pytest.approx(before + (5 * 2.75 + 3 * 2.75 + 3 * 2.2) / 100, abs=1e-12)
        assert after["provisional"] == "6"
        x = ws.external_values(name).set_index("indicator")
        assert x.at["5", "raw_value"] == 68.75 and x.at["5", "conversion"] == "sdi: 0 → 1; 100 → 5"
        h = ws.history(name).set_index("indicator")
        assert h.at["18", "index_code"] == "sdi" and "68,75 → 3,75" in h.at["18", "note"]
        assert ws.import_national_index(table, evaluator="Ketua Tim").empty  # the same values again: nothing new
        n = len(ws.history())
        bad = pd.DataFrame({"instansi": [name, "Kab. Tidak Ada"], "indeks": ["SDI", "SDI"], "nilai": [70, 80]})
        with pytest.raises(ValidationError, match="Baris 2 tabel indeks"):
            ws.import_national_index(bad, evaluator="Ketua Tim")
        with pytest.raises(ValidationError, match="bukan angka dalam rentang"):
            ws.import_national_index(bad.assign(nilai=[120, 80]).head(1), evaluator="Ketua Tim")
        with pytest.raises(ValidationError, match="tidak dikenal"):
            ws.import_national_index(bad.assign(indeks="IKASANDI").head(1), evaluator="Ketua Tim")
        assert len(ws.history()) == n  # a refused table saves nothing
    finally:
        ws.close()


ASSESSOR_TABLE = pd.DataFrame(
    {
        "Instansi": ["Kab. Json (Sintetis)"] * 3,
        "Indikator": ["I3", "I8", "9"],
        "Nilai": ["1,26", "", "1"],
        "Catatan": ["Belum ada bukti <kolaborasi> komunitas belajar & LMS", "Belum ada bukti dukung terkait PDP",
                    "Bukti dukung yang diberikan tidak tepat berupa SK tim asesor internal"],
        "Rekomendasi": ["Perlu pelaksanaan kolaborasi komunitas belajar", "Perlu mulai menyusun tata kelola PDP",
                        "Perlu perencanaan pelaksanaan audit internal pemerintah digital"],
        "Unggah": ["ya", "tidak", "ya"],
        "Interviu": ["tidak", "tidak", "ya"],
        "Disetujui": ["ya", "tidak", "tidak"],
        "Tanpa bukti": ["tidak", "ya", "tidak"],
    }
)  # fmt: skip


def test_an_assessor_table_imports_in_one_transaction_and_survives_merge(round_location, tmp_path):
    ws = _round(round_location, tmp_path)
    try:
        name = "Kab. Json (Sintetis)"
        ws.adjust(name, "9", 2.0, stage="dokumen", evaluator="Ani", note="sementara")
        # 3 reviewed at its self-assessed 1,26, 9 back to 1,00; 8 has a finding only
        assert ws.import_levels(ASSESSOR_TABLE, evaluator="Ani", stage="interviu") == 2
        f = ws.findings(name).set_index("indicator")
        assert f.at["8", "finding"] == "Belum ada bukti dukung terkait PDP" and f.at["8", "no_evidence"] is True
        assert (
            f.at["3", "uploaded"] == "ya" and f.at["3", "interviewed"] == "tidak" and f.at["9", "approved"] == "tidak"
        )
        assert f.at["3", "finding"] == ASSESSOR_TABLE["Catatan"].iat[0]  # word for word
        assert ws.history(name)["note"].iat[-1] == ASSESSOR_TABLE["Catatan"].iat[2]  # the catatan explains the change
        assert ws.import_levels(ASSESSOR_TABLE, evaluator="Ani", stage="interviu") == 0
        assert len(ws.finding_history(name)) == 3  # importing the same table again adds nothing
        # a bad row is named and nothing of the table is saved
        bad = ASSESSOR_TABLE.copy()
        bad.loc[1, "Catatan"] = "berubah"
        bad.loc[2, "Disetujui"] = "mungkin"
        n_events, n_findings = len(ws.history()), len(ws.finding_history())
        with pytest.raises(ValidationError, match="Baris 3, kolom approved"):
            ws.import_levels(bad, evaluator="Ani", stage="interviu")
        bad.loc[2, "Disetujui"] = "ya"
        bad.loc[2, "Nilai"] = "1,005"
        with pytest.raises(ValidationError, match="Baris 3, kolom level"):
            ws.import_levels(bad, evaluator="Ani", stage="interviu")
        bad.loc[2, "Nilai"] = "1,5"
        with pytest.raises(ValidationError, match="Baris 3 tabel: .*catatan alasan wajib"):
            ws.import_levels(bad.assign(Catatan=["a", "b", ""]), evaluator="Ani", stage="interviu")
        assert (len(ws.history()), len(ws.finding_history())) == (n_events, n_findings)
        ws.record_interview_note(name, "Keamanan", "Baru dimulai asesmen IKASANDI internal", indicators="10, 11, 12",
                                 commitment="akan disusulkan", evaluator="Ani")  # fmt: skip
        ws.import_national_index(pd.DataFrame({"instansi": [name], "indeks": ["sdi"], "nilai": [25]}), evaluator="Ani")
        # merge into an empty round: findings, interview notes and national-index values travel; twice adds nothing
        other = Workspace.create(tmp_path / "gabung.sqlite", framework="pemdi2026", year=2026)
        report = other.merge(ws)
        assert report.findings_added == 3 and report.interview_notes_added == 1
        assert other.merge(ws).findings_added == 0 and other.merge(ws).added == 0
        pd.testing.assert_frame_equal(other.findings(name).drop(columns="created_at"),
                                      ws.findings(name).drop(columns="created_at"))  # fmt: skip
        assert other.interview_notes(name)["indicators"].tolist() == ["10, 11, 12"]
        assert other.external_values(name)["raw_value"].tolist() == [25, 25]
        assert other.scores().at[name, "index"] == ws.scores().at[name, "index"]
        other.close()
    finally:
        ws.close()


def test_findings_are_append_only_in_the_file(tmp_path):
    ws = _round(tmp_path / "w.sqlite", tmp_path)
    ws.import_levels(ASSESSOR_TABLE, evaluator="Ani", stage="dokumen")
    ws.record_interview_note("Kab. Json (Sintetis)", "SDM", "catatan", evaluator="Ani")
    ws.import_national_index(pd.DataFrame({"instansi": ["Kab. Json (Sintetis)"], "indeks": ["SDI"], "nilai": [40]}),
                             evaluator="Ani")  # fmt: skip
    ws.close()
    conn = sqlite3.connect(tmp_path / "w.sqlite")
    for sql in ("UPDATE findings SET finding = 'palsu'", "DELETE FROM interview_notes",
                "INSERT OR REPLACE INTO findings SELECT * FROM findings LIMIT 1", "DELETE FROM external_values"):  # fmt: skip
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()


def test_a_schema_6_file_is_migrated_and_takes_decimal_values(tmp_path):
    path = tmp_path / "lama.sqlite"
    conn = sqlite3.connect(path)
    for stmt in sqlite_statements():
        if any(t in stmt for t in (*sqlite_schema.PEMDI_TABLES, *sqlite_schema.RECORD_TABLES)):
            continue
        conn.execute(stmt.replace("level NUMERIC", "level INTEGER"))
    text, source = spbe.frameworks.resolve_framework("pemdi2026")
    meta = {"schema_version": "6", "framework": "pemdi2026", "framework_source": source, "framework_toml": text,
            "framework_criteria": FW.criteria_text, "year": "2026", "predicate_basis": "exact", "workspace_id": "lama"}  # fmt: skip
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    conn.commit()
    conn.close()
    ws = Workspace.open(path)
    assert ws.meta["schema_version"] == str(sqlite_schema.SCHEMA_VERSION)
    ws.import_submissions(spbe.read_submissions(_write_all_formats(tmp_path)[:1], FW))
    name = ws.instances().index[0]
    ws.adjust(name, "3", 1.42, stage="dokumen", evaluator="Ani", note="x")
    ws.record_finding(name, "3", stage="dokumen", evaluator="Ani", finding="ada")
    ws.close()
    ws = Workspace.open(path)
    assert ws.levels("current", name).set_index("indicator").at["3", "level"] == 1.42
    assert ws.findings(name)["finding"].tolist() == ["ada"]
    ws.close()


def test_a_schema_6_server_round_is_migrated(pg_server, tmp_path):
    from spbe_toolkit.workspace.store import postgres as pgstore

    url = pg_server.new_database()
    import psycopg

    later = (*sqlite_schema.PEMDI_TABLES, *sqlite_schema.IDENTITY_TABLES, *sqlite_schema.RECORD_TABLES)  # 7, 8, 10
    old = pgstore.server_tables().replace("level NUMERIC", "level INTEGER")
    for t in later:
        start = old.index(f"CREATE TABLE {t} (")
        old = old[:start] + old[old.index(";", start) + 1 :]
    old = "\n".join(line for line in old.splitlines() if not any(f" ON {t} (" in line for t in later))
    triggers = pgstore.SCHEMA[len(pgstore.server_tables()) :]
    triggers = "\n".join(line for line in triggers.splitlines() if not any(f" ON {t} " in line for t in later))
    text, source = spbe.frameworks.resolve_framework("pemdi2026")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(old + triggers)
        for k, v in {"schema_version": "6", "framework": "pemdi2026", "framework_source": source, "framework_toml": text,
                     "framework_criteria": FW.criteria_text, "year": "2026", "predicate_basis": "exact",
                     "workspace_id": "lama"}.items():  # fmt: skip
            conn.execute("INSERT INTO meta VALUES (%s, %s)", (k, v))
    ws = Workspace.open(url)
    try:
        assert ws.meta["schema_version"] == str(sqlite_schema.SCHEMA_VERSION) and ws.integrity_check() == "ok"
        ws.import_submissions(spbe.read_submissions(_write_all_formats(tmp_path)[:1], FW))
        name = ws.instances().index[0]
        ws.adjust(name, "3", 1.42, stage="dokumen", evaluator="Ani", note="x")
        assert ws.levels("current", name).set_index("indicator").at["3", "level"] == 1.42
        assert ws.scores().at[name, "index"] == pytest.approx(1.2415 + 0.008, abs=1e-12)
    finally:
        ws.close()


# --------------------------------------------------------------------------- the panel
def test_the_panel_takes_decimal_values_and_edits_findings(tmp_path):
    ws = _round(tmp_path / "w.sqlite", tmp_path)
    ws.import_levels(ASSESSOR_TABLE, evaluator="Ani", stage="dokumen")
    name = "Kab. Json (Sintetis)"
    panel = spbe.AdjustmentPanel(ws, name, "Budi", "dokumen")
    assert set(panel.rows) == set(FW.codes)  # the externally fed indicators have rows too
    row = panel.rows["3"]
    assert row.level.value == 1.26 and "Rintisan" in row.level_name.value
    assert row.findings.finding.value == ASSESSOR_TABLE["Catatan"].iat[0] and row.findings.uploaded.value == "ya"
    row.note.value = "Bukti tambahan diunggah"
    row.level.value = 2.05
    assert "Tersimpan" in row.status.value and "Terkelola" in row.level_name.value
    assert ws.levels("current", name).set_index("indicator").at["3", "level"] == 2.05
    assert "2,05" in panel.header.value or "1,28" in panel.header.value
    assert "Tingkat 1 · Rintisan" in panel.header.value
    fed = panel.rows["5"]
    assert "sementara — menunggu nilai Indeks Satu Data Indonesia (SDI)" in fed.provisional.value
    row.findings.recommendation.value = "Perlu LMS"
    assert row.findings.try_save() and ws.findings(name).set_index("indicator").at["3", "recommendation"] == "Perlu LMS"
    row.history_button.value = True
    assert "Riwayat temuan" in row.history.value and "&lt;kolaborasi&gt;" in row.history.value
    ws.close()


# --------------------------------------------------------------------------- roadmap
def test_the_roadmap_raises_values_to_whole_levels_exactly():
    s = real_levels().set_index("indicator")["level"]
    plan = spbe.path_to_target(s, FW)
    assert plan.attrs["reachable"] and plan.attrs["target"] == pytest.approx(1.52)
    first = plan.iloc[0]
    assert float(first["to_level"]).is_integer() and first["from_level"] <= first["to_level"] - 0.01
    # the running index is what scoring gives for the raised values
    raised = s.copy()
    for r in plan.itertuples():
        assert raised[r.indicator] == pytest.approx(r.from_level)
        raised[r.indicator] = r.to_level
        lv = pd.DataFrame({"instance": "x", "indicator": raised.index, "level": raised.to_numpy()})
        assert spbe.score(lv, FW)["index"].iat[0] == pytest.approx(r.index_after, abs=1e-12)
    assert plan.attrs["index_after"] >= 1.52 - 1e-12


TINY = """
name = "mini"
level_min = 1
level_max = 5
[scale]
decimals = 2
[[bands]]
predicate = "Rendah"
lower = 1
upper = 2.5
[[bands]]
predicate = "Tinggi"
lower = 2.5
upper = 5
[[aspects]]
code = "A1"
name = "Satu"
[[indicators]]
code = "1"
aspect = "A1"
weight = 50
[[indicators]]
code = "2"
aspect = "A1"
weight = 30
[[indicators]]
code = "3"
aspect = "A1"
weight = 20
"""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(100, 240), min_size=3, max_size=3))
def test_the_decimal_roadmap_is_the_least_effort_plan(hundredths):
    """Brute force over every prefix of raises per indicator (values to the next whole levels)."""
    fw = framework_from_text(TINY, "mini.toml")
    values = dict(zip(fw.codes, (h / 100 for h in hundredths)))
    plan = spbe.path_to_target(pd.Series(values), fw, max_steps=None, max_raise=4, step_costs=None, margin=0.0)
    weights = dict(zip(fw.codes, fw.indicators["weight"]))

    def options(c):
        v, out, gain, cost = values[c], [(0, 0.0)], 0, 0.0
        start = round(v * 100)
        for to in range(int(v) + 1, 6):
            gain += weights[c] * (to * 100 - start)
            cost += (to * 100 - start) / 100
            out.append((gain, cost))
            start = to * 100
        return out

    base = sum(weights[c] * round(values[c] * 100) for c in fw.codes)
    costs = [
        sum(o[1] for o in combo)
        for combo in itertools.product(*(options(c) for c in fw.codes))
        if base + sum(o[0] for o in combo) >= 250 * 100
    ]
    if not costs:
        assert not plan.attrs["reachable"]
    else:
        assert plan.attrs["reachable"] and plan.attrs["total_cost"] == pytest.approx(min(costs))
        assert plan.attrs["index_after"] >= 2.5 - 1e-12


# --------------------------------------------------------------------------- memo
def test_the_memo_is_built_around_the_assessors_work(tmp_path):
    ws = _round(tmp_path / "w.sqlite", tmp_path)
    name = "Kab. Json (Sintetis)"
    ws.import_levels(ASSESSOR_TABLE, evaluator="Ani", stage="dokumen")
    ws.adjust(name, "20", 1.1, stage="dokumen", evaluator="Ani", note="SKM belum melibatkan kelompok rentan")
    ws.record_interview_note(name, "Aplikasi", "Bukti pengembangan aplikasi", indicators="13",
                             commitment="akan disusulkan bukti pengembangan aplikasi", evaluator="Ani")  # fmt: skip
    html = spbe.render_memo(ws, name)
    import html as h

    for text in ("Belum ada bukti dukung terkait PDP", "Perlu mulai menyusun tata kelola PDP",
                 "akan disusulkan bukti pengembangan aplikasi"):  # fmt: skip
        assert h.escape(text, quote=False) in html
    assert "Belum ada bukti &lt;kolaborasi&gt; komunitas belajar &amp; LMS" in html  # word for word, escaped
    assert "1,30 / 1,10" in html  # self / assessor
    assert "Tingkat 1 · Rintisan" in html and "(Rintisan)" in html and "tanpa bukti" in html
    assert "sementara — menunggu nilai Indeks Satu Data Indonesia (SDI)" in html
    assert "Badan Pusat Statistik (BPS)" in html and "Badan Informasi Geospasial (BIG)" in html
    assert "Linimasa putaran 2026" in html and "21 September 2026" in html
    assert "Profil Domain" not in html and "Profil Aspek" in html
    assert "Tingkat 3 — Tingkat" not in html
    with spbe.use_language("en"):
        en = spbe.render_memo(ws, name, lang="en")
    assert "Index, self / assessor" in en and "1.30 / 1.10" in en and "provisional — awaiting" in en
    ws.close()


def test_the_demo_round_is_a_pemdi_round_as_assessed(tmp_path):
    from spbe_toolkit.demo import workspace_from_samples

    with workspace_from_samples(tmp_path / "pemdi.sqlite", "pemdi2026") as ws:
        lv = ws.levels("current")
        frac = lv["level"] * 100 % 100
        assert (frac != 0).mean() > 0.5  # decimal values, not whole levels
        assert len(ws.findings()) >= 40 * 16 and ws.findings()["recommendation"].str.len().gt(20).all()
        s = ws.scores()
        assert 0 < s["provisional"].ne("").sum() < len(s)  # some national-index values in, some still awaited
        assert len(ws.external_values()) and len(ws.interview_notes())
        assert all("(Sintetis)" in n for n in ws.instances().index)
        # national statistics take the round's results as they take 59/2020 ones
        results = spbe.stats.results_table(ws)
        by_type = spbe.national_summary(results, by="instance_type").set_index("instance_type")
        assert by_type["n"].sum() == len(s) and by_type["mean_index"].between(1, 5).all()


# --------------------------------------------------------------------------- bad Pemdi inputs
BAD_PEMDI = TESTS / "data" / "bad_pemdi"  # written by tests/data/make_bad_corpus.py (pemdi_corpus)
PEMDI_EXPECTED = {  # file → (code, row, indicator) of its one error; None: loads without a problem
    "baik_eksternal_kosong.csv": None,
    "tiga_desimal.csv": ("level_decimals", 4, "3"),
    "di_bawah_satu.csv": ("level_range", 7, "9"),
    "nama_tidak_cocok.csv": ("level_name_mismatch", 15, "17"),
    "wajib_kosong.csv": ("level_empty", 16, "19"),
    "templat_di_atas_lima.xlsx": ("level_range", 38, "20"),
    "nilai_teks.json": ("level_not_number", 13, "13"),
}


def test_the_bad_pemdi_corpus_is_reported_file_by_file():
    assert {p.name for p in BAD_PEMDI.iterdir()} == set(PEMDI_EXPECTED)
    subs = spbe.read_submissions(BAD_PEMDI, FW, progress=False)
    probs = subs.problems.assign(name=subs.problems["file"].map(lambda f: Path(f).name))
    for name, expected in PEMDI_EXPECTED.items():
        mine = probs[probs["name"] == name]
        if expected is None:
            assert mine.empty, mine.to_string()
            continue
        assert len(mine) == 1 and tuple(mine[["code", "row", "indicator"]].iloc[0]) == expected, mine.to_string()
        assert mine["instance"].iat[0].endswith("(Sintetis)") and mine["severity"].iat[0] == "error"
    assert subs.instances.set_index("instance")["loaded"].sum() == 1  # the good file still loads
    assert "Tingkat 5,01 di luar rentang" in probs.loc[probs["name"] == "templat_di_atas_lima.xlsx", "pesan"].iat[0]


def test_spbe_score_reads_a_levels_file_with_decimal_commas(tmp_path):
    from spbe_toolkit.cli import main

    t = real_result()
    (tmp_path / "nilai.csv").write_text(
        "instance;indicator;level\n"
        + "".join(f"Kab. X;{c};{v}\n" for c, v in zip(t["indikator"], t["nilai"]) if c not in EXTERNAL),
        encoding="utf-8",
    )
    assert (
        main(["score", str(tmp_path / "nilai.csv"), "--framework", "pemdi2026", "-o", str(tmp_path / "skor.csv")]) == 0
    )
    text = (tmp_path / "skor.csv").read_text(encoding="utf-8")
    assert "1.2415" in text and "5, 6, 7, 18" in text  # decimals for people in CSV: issue 20

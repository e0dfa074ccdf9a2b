"""Scoring: published results reproduced, and every kind of bad levels table refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import spbe_toolkit as spbe
from spbe_toolkit.errors import ValidationError
from tests.conftest import full_levels


@pytest.fixture(autouse=True)
def _messages_in_english(english):
    """These tests read the English text of messages (``.message``); the Indonesian text is
    tested in test_language.py."""


DENPASAR = Path(__file__).resolve().parents[1] / "data" / "published" / "denpasar_2019_levels.csv"


def _denpasar() -> pd.DataFrame:
    d = pd.read_csv(DENPASAR, dtype={"indicator_no": str})
    return d.rename(columns={"indicator_no": "indicator"})


def test_denpasar_2019_from_subitems():
    d = _denpasar()
    lv = d.rename(columns={"final_level": "level"})[["instance", "indicator", "level"]]
    s = spbe.score(lv, "spbe2018").iloc[0]
    assert spbe.round_half_up(s["index"]) == 3.33
    assert (spbe.round_half_up(s["D1"]), spbe.round_half_up(s["D2"]), spbe.round_half_up(s["D3"])) == (3.0, 3.0, 3.61)
    assert s["predicate"] == "Baik"


def test_denpasar_2019_with_indicator_35_as_mean():
    d = _denpasar()
    lv = d.rename(columns={"final_level": "level"})[["instance", "indicator", "level"]]
    sub = lv["indicator"].str.startswith("35")
    mean35 = lv.loc[sub, "level"].mean()
    # a mean of three services is not an integer: give it as the sub-items' average by
    # entering the three sub-items; entering 35 directly needs an integer level
    whole = pd.concat([lv[~sub], pd.DataFrame([{"instance": lv["instance"].iat[0], "indicator": "35", "level": 4}])])
    assert mean35 == pytest.approx(11 / 3)
    s_sub = spbe.score(lv, "spbe2018").iloc[0]
    s_whole = spbe.score(whole, "spbe2018").iloc[0]
    assert s_sub["index"] == pytest.approx((0.17 * 3 + 0.28 * 3) + 0.55 * (36 + 11 / 3) / 11)
    assert s_whole["index"] > s_sub["index"]


def test_denpasar_self_assessment_scores_too():
    d = _denpasar()
    lv = d.rename(columns={"self_level": "level"})[["instance", "indicator", "level"]]
    assert (
        spbe.score(lv, "spbe2018")["index"].iat[0]
        < spbe.score(d.rename(columns={"final_level": "level"})[["instance", "indicator", "level"]], "spbe2018")[
            "index"
        ].iat[0]
    )


def _results_2024() -> pd.DataFrame:
    r = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "published" / "results_2024.csv")
    return r.rename(columns={"d1_kebijakan": "D1", "d2_tata_kelola": "D2", "d3_manajemen": "D3", "d4_layanan": "D4"})


def test_results_2024_reproduced_from_domains():
    r = _results_2024()
    complete = r.dropna(subset=["D1", "D2", "D3", "D4"])
    assert len(r) == 615 and len(complete) == 612
    s = spbe.score_from_domains(complete, "spbe2020", predicate_basis="exact")
    diff = (s["index"] - complete["index"]).abs()
    assert diff.max() <= 0.01 + 1e-9, complete.loc[diff.idxmax(), "instance"]
    mismatched = complete.loc[s["predicate"].astype(str) != complete["predicate"], "instance"].tolist()
    assert mismatched == []


@pytest.mark.parametrize(
    "name, exact, published",
    [
        ("Pemerintah Kab. Nias Barat", 1.7985, "Kurang"),
        ("Pemerintah Kab. Pacitan", 3.4986, "Baik"),
        ("Pemerintah Kab. Luwu", 2.5968, "Cukup"),
    ],
)
def test_band_edge_cases_2024(name, exact, published):
    r = _results_2024()
    row = r[r["instance"] == name]
    s = spbe.score_from_domains(row, "spbe2020", predicate_basis="exact")
    assert s["index"].iat[0] == pytest.approx(exact, abs=5.1e-5)  # reference rounds to 4 decimals
    assert s["predicate"].iat[0] == published
    # the rounded basis would have given the band of the rounded index instead
    assert spbe.score_from_domains(row, "spbe2020", predicate_basis="rounded")["predicate"].iat[0] != published


def test_damaged_rows_are_refused_not_scored():
    r = _results_2024()
    damaged = r[r[["D1", "D2", "D3", "D4"]].isna().any(axis=1)]
    assert sorted(damaged["instance"]) == [
        "Kementerian Energi dan Sumber Daya Mineral", "Kementerian Pertanian", "Pemerintah Provinsi Jawa Timur",
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="Kementerian Pertanian.*domain D1 is missing"):
        spbe.score_from_domains(r, "spbe2020")
    s = spbe.score_from_domains(r, "spbe2020", allow_missing=True)
    assert s.loc[damaged.index, "index"].isna().all()
    assert s.loc[damaged.index, "predicate"].isna().all()


def test_score_output_shape(fw):
    lv = full_levels(fw.name, instances=("B", "A"), level=fw.level_max)
    out = spbe.score(lv, fw)
    assert list(out.index) == ["B", "A"] and out.index.name == "instance"
    extra = ["provisional"] if fw.external else []  # Pemdi: indicators counted at their default until imported
    assert list(out.columns) == ["index", "predicate", *fw.domain_codes, *fw.aspect_codes, *extra]
    assert (out["index"] == fw.level_max).all()
    assert (out["predicate"] == "Memuaskan").all()
    assert isinstance(out["predicate"].dtype, pd.CategoricalDtype)


def test_score_with_stages():
    a = full_levels("spbe2020", level=4).assign(stage="mandiri")
    b = full_levels("spbe2020", level=2).assign(stage="final")
    out = spbe.score(pd.concat([a, b]), "spbe2020")
    assert out.index.names == ["instance", "stage"]
    assert out.loc[("Instansi A", "mandiri"), "index"] == 4
    assert out.loc[("Instansi A", "final"), "predicate"] == "Cukup"


def test_exact_band_edge_from_levels():
    """An instance whose weighted sum is exactly 2.6 must be Baik, not Cukup by float noise."""
    fw = spbe.load_framework("spbe2020")
    lv = full_levels("spbe2020", level=2).set_index("indicator")
    # from 2.00, raise indicators worth 6 × 3.0 + 10 × 2.5 + 5 × 1.3 + 7 × 1.5 = 60 % → exactly 2.60
    raised = [*map(str, range(42, 48)), *map(str, range(11, 21)), *map(str, range(1, 6)), *map(str, range(21, 28))]
    lv.loc[raised, "level"] = 3
    out = spbe.score(lv.reset_index(), fw)
    assert out["index"].iat[0] == 2.6
    assert out["predicate"].iat[0] == "Baik"
    lv.loc["5", "level"] = 2  # 58.7 % → 2.587
    assert spbe.score(lv.reset_index(), fw)["predicate"].iat[0] == "Cukup"


BAD_TABLES = {
    "unknown indicator": (
        lambda d: d.assign(indicator=d["indicator"].replace("47", "48")),
        r"row 47: instance 'Instansi A', indicator '48', level 3: unknown indicator for spbe2020",
    ),
    "duplicate row": (
        lambda d: pd.concat([d, d.iloc[[3]]]),
        r"rows 4, 48: instance 'Instansi A', indicator '4' given 2 times",
    ),
    "level not a number": (
        lambda d: d.assign(level=d["level"].astype(object).where(d.index != 5, "tiga")),
        r"row 6: .*indicator '6', level 'tiga': level is not a number",
    ),
    "level empty": (
        lambda d: d.assign(level=d["level"].where(d.index != 7)),
        r"row 8: .*indicator '8', level \(empty\): level is empty",
    ),
    "level not integer": (
        lambda d: d.assign(level=d["level"].astype(float).where(d.index != 2, 2.5)),
        r"row 3: .*indicator '3', level 2.5: level is not a whole number",
    ),
    "level out of range": (
        lambda d: d.assign(level=d["level"].where(d.index != 0, 7)),
        r"row 1: .*indicator '1', level 7: level outside 1–5",
    ),
    "level zero in 2020": (lambda d: d.assign(level=d["level"].where(d.index != 0, 0)), r"level 0: level outside 1–5"),
    "missing indicator": (lambda d: d[d["indicator"] != "30"], r"instance 'Instansi A': indicator '30' is missing"),
    "missing instance": (lambda d: d.assign(instance=d["instance"].where(d.index != 9)), r"row 10: .*no instance name"),
}


@pytest.mark.parametrize("case", sorted(BAD_TABLES))
def test_bad_levels_table(case):
    mutate, message = BAD_TABLES[case]
    bad = mutate(full_levels("spbe2020")).reset_index(drop=True)
    with pytest.raises(ValidationError, match=message):
        spbe.score(bad, "spbe2020")


def test_every_problem_listed():
    d = full_levels("spbe2020", instances=("A", "B"))
    d.loc[0, "level"] = 9
    d.loc[50, "level"] = 0
    d = d[d["indicator"] != "12"]
    with pytest.raises(ValidationError) as exc:
        spbe.score(d, "spbe2020")
    probs = exc.value.problems
    assert len(probs) == 4  # two bad levels, indicator 12 missing for A and for B
    assert any("'B'" in p and "'12' is missing" in p for p in probs)


def test_missing_columns():
    with pytest.raises(ValidationError, match="lacks column.*level"):
        spbe.score(pd.DataFrame({"instance": ["A"], "indicator": ["1"]}), "spbe2020")


def test_both_whole_and_subitems_refused():
    d = full_levels("spbe2018")
    extra = pd.DataFrame({"instance": "Instansi A", "indicator": ["35a"], "level": [3]})
    with pytest.raises(ValidationError, match="indicator '35' given both whole and as sub-items"):
        spbe.score(pd.concat([d, extra]), "spbe2018")


def test_allow_missing():
    d = full_levels("spbe2020", level=4)
    d = d[~d["indicator"].isin(["1", "2"])]
    out = spbe.score(d, "spbe2020", allow_missing=True)
    assert np.isnan(out["index"].iat[0]) and pd.isna(out["predicate"].iat[0])
    assert out["D1"].iat[0] == 4 and out["missing"].iat[0] == 2


def test_integer_like_codes_accepted():
    d = full_levels("spbe2020")
    d["indicator"] = d["indicator"].astype(int)
    assert spbe.score(d, "spbe2020")["index"].iat[0] == 3


def test_predicate_scalar_and_series():
    fw = spbe.load_framework("spbe2020")
    assert spbe.predicate(2.6, fw) == "Baik"
    assert spbe.predicate(2.5999, fw) == "Cukup"
    assert spbe.predicate(5.0, fw) == "Memuaskan"
    assert spbe.predicate(1.0, fw) == "Kurang"
    assert spbe.predicate(2.595, fw, basis="rounded") == "Baik"
    assert spbe.predicate(2.5949, fw, basis="rounded") == "Cukup"
    assert spbe.predicate(float("nan"), fw) is None
    s = spbe.predicate(pd.Series([1.8, 4.2], index=["x", "y"]), fw)
    assert s.to_dict() == {"x": "Cukup", "y": "Memuaskan"}
    with pytest.raises(ValidationError, match="outside the level range"):
        spbe.predicate(5.01, fw)
    with pytest.raises(ValidationError, match="predicate basis"):
        spbe.predicate(3, fw, basis="bulat")


def test_domain_values_below_level_one_are_scored_and_flagged():
    """Official 59/2020 results hold domain values below 1 (an unfilled indicator counts as 0):
    a researcher loading a real year gets every row scored, the unusual ones flagged."""
    table = pd.DataFrame(
        {
            "instance": ["Kab. Rendah", "Kab. Biasa"],
            "D1": [0.38, 2.5],
            "D2": [1.2, 2.5],
            "D3": [0.0, 2.5],
            "D4": [0.9, 2.5],
        }
    )
    s = spbe.score_from_domains(table, "spbe2020")
    expected = 0.13 * 0.38 + 0.25 * 1.2 + 0.165 * 0.0 + 0.455 * 0.9
    assert s["index"].iat[0] == pytest.approx(expected) and s["index"].iat[0] < 1
    assert s["predicate"].tolist() == ["Kurang", "Cukup"]
    assert s["below_level_range"].tolist() == [True, False]
    with pytest.raises(ValidationError, match="outside the level range"):
        spbe.score_from_domains(table.assign(D1=[-0.5, 2.5]), "spbe2020")
    summary = spbe.national_summary(table.join(s), by=None)
    assert summary["n"].iat[0] == 2 and summary["n_kurang"].iat[0] == 1

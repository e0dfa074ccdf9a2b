"""National statistics: published figures reproduced side by side, normaliser, sensitivity, charts."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import spbe_toolkit as spbe
from spbe_toolkit.demo import workspace_from_samples
from spbe_toolkit.io.names import compare_rounds, match_names, name_key
from spbe_toolkit.io.published import load_published
from spbe_toolkit.render import plots
from spbe_toolkit.stats import (
    national_index_from_domains,
    national_summary,
    reconcile,
    self_assessment_gap,
    target_progress,
)
from spbe_toolkit.stats.sensitivity import weight_sensitivity
from spbe_toolkit.vocab import INSTANCE_TYPES


@pytest.fixture(scope="module")
def r24():
    return load_published("results_2024")


@pytest.fixture(scope="module")
def groups():
    return load_published("group_averages_2024").set_index("group")


def test_results_2024_typed_and_flagged(r24):
    assert len(r24) == 615
    assert list(r24["predicate"].cat.categories) == ["Kurang", "Cukup", "Baik", "Sangat Baik", "Memuaskan"]
    assert r24["predicate"].cat.ordered
    assert sorted(r24.loc[r24["damaged"], "instance"]) == [
        "Kementerian Energi dan Sumber Daya Mineral", "Kementerian Pertanian", "Pemerintah Provinsi Jawa Timur",
    ]  # fmt: skip
    assert r24.loc[r24["damaged"], "index"].notna().all()  # index and predicate intact
    assert r24["group"].value_counts().to_dict() == {"Pemerintah Daerah": 523, "Instansi Pusat": 92}


def test_group_means_and_predicate_counts_reproduced(r24, groups):
    by_group = national_summary(r24, by="report_group", total=True).set_index("report_group")
    by_pd = national_summary(r24, by="group").set_index("group")
    table = pd.concat([by_group, by_pd]).rename(index={"Semua": "Nasional (all)"})
    for name, row in groups.iterrows():
        got = table.loc[name]
        assert got["n"] == row["n"], name
        # the reference gives 3 decimals: agreement within half a unit of the last decimal
        # (Instansi Pusat D3 is exactly 2.5875, which the reference printed as 2.587)
        assert got["mean_index"] == pytest.approx(row["recomputed_mean_index"], abs=5e-4 + 1e-9), name
        for d in ("d2", "d3", "d4"):
            assert got[f"mean_{d.upper()}"] == pytest.approx(row[f"recomputed_mean_{d}"], abs=5e-4 + 1e-9), (name, d)
        for p in ("memuaskan", "sangat_baik", "baik", "cukup", "kurang"):
            assert got[f"n_{p}"] == row[f"n_{p}"], (name, p)
        assert round(got["share_baik_or_better"], 1) == pytest.approx(row["pct_baik_or_better"], abs=1e-9), name


def test_d1_difference_explained_by_the_damaged_jatim_value(r24, groups):
    """The reference's recomputed D1 means used Jawa Timur's damaged '0,6'; ours leave it out."""
    ours = national_summary(r24, by="report_group").set_index("report_group").at["Pemerintah Provinsi", "mean_D1"]
    ref = groups.at["Pemerintah Provinsi", "recomputed_mean_d1"]
    assert round(ours, 3) != ref
    with_damaged = r24.copy()
    with_damaged.loc[with_damaged["instance"] == "Pemerintah Provinsi Jawa Timur", "D1"] = 0.6
    again = (
        national_summary(with_damaged, by="report_group").set_index("report_group").at["Pemerintah Provinsi", "mean_D1"]
    )
    assert round(again, 3) == ref


def test_published_national_mean_is_not_the_table_mean(r24, groups):
    computed = national_summary(r24, by="group", total=True).set_index("group")
    pub = pd.DataFrame({"group": groups.index, "mean_index": groups["published_mean_index"].to_numpy()})
    comp = pd.DataFrame(
        {
            "group": computed.index.str.replace("Semua", "Nasional (all)"),
            "mean_index": computed["mean_index"].to_numpy(),
        }
    )
    rec = reconcile(pub, comp, on="group", measures=["mean_index"], tolerance=0.005).set_index("group")
    assert rec.at["Nasional (all)", "flag"] == "differs"  # 3.12 published vs 3.169 table mean
    assert rec.at["Nasional (all)", "published"] == 3.12 and rec.at["Nasional (all)", "computed"] == pytest.approx(
        3.169, abs=5e-4
    )
    assert rec.at["Instansi Pusat", "flag"] == "match"
    assert rec.loc["Kementerian":"Pemerintah Kota", "flag"].isin(["published_only"]).all()  # not in `comp`
    # … while Σ W_d × published national domain means gives the published 3.12
    series = load_published("national_series")
    re24 = national_index_from_domains(series).set_index("year").at[2024, "recomputed_index"]
    assert round(re24, 2) == 3.12


def test_national_series_reproduced_from_domain_means():
    series = load_published("national_series")
    rec = national_index_from_domains(series).merge(series[["year", "national_index"]], on="year")
    # domain means are published to 2 decimals, so agreement within 0.01 is what rounding allows
    assert (rec["recomputed_index"] - rec["national_index"]).abs().max() <= 0.01
    assert list(rec["year"]) == list(range(2018, 2025))
    # the 2024 report's restated 2023 domain means do not give the 2023 index any more
    restated = national_index_from_domains(series, restated=True).set_index("year").at[2023, "recomputed_index"]
    assert round(restated, 2) == 2.81 != 2.79


def test_2018_seed_facts():
    series = load_published("national_series").set_index("year")
    s18 = series.loc[2018]
    n, good = int(s18["n_evaluated"]), int(s18["n_baik_or_better"])
    assert (n, good, n - good) == (616, 82, 534)
    assert round(100 * good / n, 2) == 13.31 and round(100 * (n - good) / n, 2) == 86.69
    assert s18["national_index"] == 1.98
    assert (
        round(national_index_from_domains(series.reset_index()).set_index("year").at[2018, "recomputed_index"], 2)
        == 1.98
    )
    tp = target_progress(series.reset_index())
    row = tp[(tp["year"] == 2018)].iloc[0]
    assert row["target"] == 2.60 and row["gap"] == pytest.approx(-0.62) and not row["met"]


def test_target_progress_2024_groups(r24):
    tp = target_progress(load_published("national_series"), r24)
    share = tp[tp["measure"] == "share_good"].set_index("group")
    assert share.at["Instansi Pusat", "actual"] == pytest.approx(100 * 87 / 92)
    assert not share.at["Instansi Pusat", "met"]
    assert share.at["Pemerintah Provinsi", "met"]
    assert tp.loc[tp["target_name"] == "annual_2024", "met"].all()


def test_summary_on_workspace_scores(tmp_path):
    ws = workspace_from_samples(tmp_path / "w.sqlite")
    s = national_summary(ws, by="instance_type")
    assert s["n"].sum() == 44 and set(s["instance_type"]) == set(INSTANCE_TYPES)
    flat = ws.scores().join(ws.instances()).reset_index().drop(columns="predicate")
    s2 = national_summary(flat, by="group")
    assert "computed from index (exact basis" in s2.attrs["predicate_source"].en
    assert "dihitung dari indeks (dasar tanpa pembulatan" in s2.attrs["predicate_source"].id
    assert s2["n"].tolist() == [12, 32]
    overall = national_summary(ws.scores(), by=None)  # bare scores: no metadata needed
    assert len(overall) == 1 and overall["n"].iat[0] == 44
    gap = self_assessment_gap(ws)
    assert (gap["by_domain"]["mean_gap"] < 0).all()  # self-assessment is optimistic in every domain
    assert gap["by_instance"]["gap"].mean() < 0
    ws.close()


def test_summary_columns_are_stable(r24):
    s = national_summary(r24, by=["group", "instance_type"])
    assert list(s.columns[:5]) == ["group", "instance_type", "n", "mean_index", "mean_D1"]
    assert [c for c in s.columns if c.startswith("share_")][:5] == [
        "share_kurang", "share_cukup", "share_baik", "share_sangat_baik", "share_memuaskan",
    ]  # fmt: skip
    with pytest.raises(spbe.ValidationError, match="menurut 'kota'"):
        national_summary(r24, by="kota")


# ------------------------------------------------------------------ names
def test_name_keys():
    assert (
        name_key("Pemerintah Kab. Nias Barat")
        == name_key("Kabupaten Nias Barat")
        == name_key("Kab. Nias Barat")
        == "kabupaten nias barat"
    )
    assert name_key("Pemerintah Kota Bogor") == name_key("Kota Bogor") == name_key("Pemkot Bogor")
    assert name_key("Pemerintah Provinsi Jawa Timur") == name_key("Prov. Jawa Timur")
    assert name_key("Kab. Kep. Meranti") == name_key("Kabupaten Kepulauan Meranti")


def test_match_names_reports_unmatched(r24):
    variants = [re.sub(r"^Pemerintah Kab\. ", "Kabupaten ", n) for n in r24["instance"]]
    variants = [re.sub(r"^Pemerintah Kota ", "Kota ", n) for n in variants]
    m = match_names([*variants, "Pemkab Nisbar", "Kabupaten Antah Berantah"], r24["instance"])
    assert m.unmatched["name"].tolist() == ["Kabupaten Antah Berantah"]
    assert m.mapping["Pemkab Nisbar"] == "Pemerintah Kab. Nias Barat"  # through the registry's acronym
    assert m.mapping["Kabupaten Nias Barat"] == "Pemerintah Kab. Nias Barat"


def test_compare_rounds(r24):
    earlier = r24[["instance", "index"]].copy()
    earlier["instance"] = earlier["instance"].str.replace("Pemerintah Kab. ", "Kabupaten ", regex=False)
    earlier["index"] = earlier["index"] - 0.1
    earlier = pd.concat([earlier, pd.DataFrame({"instance": ["Kabupaten Hilang"], "index": [2.0]})])
    cmp = compare_rounds(earlier, r24, labels=("2023", "2024"))
    assert len(cmp.changes) == 615
    assert cmp.changes["change"].round(9).eq(0.1).all()
    assert cmp.unmatched_earlier["name"].tolist() == ["Kabupaten Hilang"]
    assert cmp.unmatched_later.empty


# ------------------------------------------------------------------ sensitivity
def test_weight_sensitivity(r24):
    s = weight_sensitivity(r24, "spbe2020", n=400, spread=0.2, seed=3)
    assert len(s) == 612 and len(s.attrs["skipped"]) == 3
    again = weight_sensitivity(r24, "spbe2020", n=400, spread=0.2, seed=3)
    pd.testing.assert_frame_equal(s, again)
    flat = weight_sensitivity(r24, "spbe2020", n=50, spread=0.0, seed=3)
    assert (flat["share_predicate_changed"] == 0).all() and (flat["rank_spread"] == 0).all()
    # instances right at an edge change most often; e.g. Kab. Luwu (2.5968) and Kab. Pacitan (3.4986)
    assert (
        s.at["Pemerintah Kab. Luwu", "near_band_edge"] and s.at["Pemerintah Kab. Luwu", "share_predicate_changed"] > 10
    )
    edges = np.array([1.8, 2.6, 3.5, 4.2])
    manual = (np.min(np.abs(s["index"].to_numpy()[:, None] - edges), axis=1) <= 0.05).sum()
    assert s.attrs["summary"]["instances_within_edge"] == manual
    w = s.attrs["weights"]
    assert np.allclose(w.sum(axis=1), 100)


def test_weight_sensitivity_from_levels():
    lv = pd.DataFrame({"instance": "A", "indicator": spbe.load_framework("pemdi2026").codes, "level": 3})
    s = weight_sensitivity(lv, "pemdi2026", n=100, spread=0.3, seed=1)
    assert s.at["A", "index"] == 3 and s.at["A", "share_predicate_changed"] == 0


# ------------------------------------------------------------------ charts
def test_charts_return_labelled_figures(r24):
    series = load_published("national_series")
    figs = {
        "pred": plots.predicate_distribution(r24, "instance_type"),
        "box": plots.index_distribution(r24, "instance_type"),
        "series": plots.national_series(series),
        "prov": plots.province_means(r24),
        "dom": plots.domain_profile(r24, "instance_type"),
    }
    for name, fig in figs.items():
        assert isinstance(fig, Figure), name
        ax = fig.axes[0]
        assert ax.get_title() and (ax.get_xlabel() or ax.get_ylabel()), name
    legend = [t.get_text() for t in figs["pred"].axes[0].get_legend().get_texts()]
    assert legend == ["Kurang", "Cukup", "Baik", "Sangat Baik", "Memuaskan"]
    labels = [t.get_text() for t in figs["series"].axes[0].texts]
    assert "3,12" in labels and any("59/2020" in t for t in labels)

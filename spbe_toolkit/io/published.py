"""Published tables (``data/published/``) as typed DataFrames, damaged rows flagged."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from spbe_toolkit.errors import SpbeError
from spbe_toolkit.frameworks import load_framework
from spbe_toolkit.i18n import Msg
from spbe_toolkit.paths import data_dir
from spbe_toolkit.vocab import GROUPS, PUBLISHED_TYPES, REPORT_GROUPS, group_of_type, report_group_of_category

PUBLISHED_FRAMEWORK = "spbe2020"
"""The framework of the bundled published per-instance results (2024, PermenPANRB 59/2020)."""
DOMAIN_COLUMNS = {"d1_kebijakan": "D1", "d2_tata_kelola": "D2", "d3_manajemen": "D3", "d4_layanan": "D4"}
NAMES = ["results_2024", "national_series", "group_averages_2024", "instance_registry", "denpasar_2019_levels",
         "pemdi2026_asesor_2026", "pemdi2026_asesor_2026_published"]  # fmt: skip


def group_of(instance_type: pd.Series) -> pd.Series:
    """Instansi Pusat / Pemerintah Daerah from the instance type (NaN when unknown)."""
    out = instance_type.astype(object).map(group_of_type)
    return pd.Series(pd.Categorical(out, categories=GROUPS), index=instance_type.index, name="group")


def report_group_of(category: pd.Series) -> pd.Series:
    """The 2024 report's Tabel 6–8 group of each published category."""
    out = category.astype(object).map(report_group_of_category)
    return pd.Series(pd.Categorical(out, categories=REPORT_GROUPS), index=category.index, name="report_group")


def _first_number(v) -> float:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    m = re.search(r"-?\d+(?:[.,]\d+)?", str(v))
    return float(m.group(0).replace(",", ".")) if m else np.nan


def _second_number(v) -> float:
    if not isinstance(v, str) or "/" not in v:
        return np.nan
    return _first_number(v.split("/", 1)[1])


def _results_2024() -> pd.DataFrame:
    raw = pd.read_csv(data_dir("published") / "results_2024.csv", dtype={"province": "string"})
    df = raw.rename(columns=DOMAIN_COLUMNS)
    for c in DOMAIN_COLUMNS.values():
        df[c] = pd.to_numeric(df[c], errors="coerce")
    df["instance_type"] = pd.Categorical(
        df["instance_type"], categories=[t for t in PUBLISHED_TYPES if t in set(df["instance_type"])]
    )
    df["category"] = df["category"].astype("category")
    df["predicate"] = pd.Categorical(
        df["predicate"], categories=load_framework(PUBLISHED_FRAMEWORK).predicates, ordered=True
    )
    df["group"] = group_of(df["instance_type"])
    df["report_group"] = report_group_of(df["category"])
    missing = df[list(DOMAIN_COLUMNS.values())].isna().any(axis=1)
    df["damaged"] = missing
    # a code people read through the catalogue (value.damage.*); the source's own words stay in ``note``
    misprinted = df["note"].fillna("").str.contains("printed as")
    df["damage_note"] = np.where(missing, np.where(misprinted, "domain_misprinted", "domain_missing"), None)
    return df


def _national_series() -> pd.DataFrame:
    raw = pd.read_csv(data_dir("published") / "national_series.csv", dtype=str)
    out = pd.DataFrame({"year": raw["year"].astype(int), "framework": raw["framework"]})
    out["national_index"] = raw["national_index"].map(_first_number)
    for col in ("d_kebijakan", "d_tata_kelola", "d_manajemen", "d_layanan"):
        out[col] = raw[col].map(_first_number)  # the value first published
        out[col + "_restated"] = raw[col].map(_second_number)  # a later restatement, if any
    for col in ("n_evaluated", "n_baik_or_better", "n_memuaskan"):
        out[col] = pd.array(raw[col].map(_first_number), dtype="Int64")
        out[col + "_note"] = raw[col].where(raw[col].fillna("").str.contains(r"[^\d.]", regex=True))
    out["framework_name"] = np.where(out["year"] <= 2020, "spbe2018", "spbe2020")
    out["source"] = raw["source"]
    return out


def _group_averages() -> pd.DataFrame:
    raw = pd.read_csv(data_dir("published") / "group_averages_2024.csv", dtype=str)
    out = raw.copy()
    for c in raw.columns:
        if c.startswith(("published_mean", "recomputed_mean")):
            out[c] = raw[c].astype(float)
        elif c.startswith("n"):
            out[c] = raw[c].astype(int)
    out["year"] = raw["year"].astype(int)
    out["pct_baik_or_better"] = raw["pct_baik_or_better"].map(_first_number)
    out["published_pct_baik_or_better"] = raw["published_pct_baik_or_better"].map(_first_number)
    out["published_pct_note"] = raw["published_pct_baik_or_better"]
    return out


def _pemdi_assessor() -> pd.DataFrame:
    """A real 2026 external-assessor result (one regency): values with decimals, level names as
    printed, the three verification marks, "tanpa bukti" and whether a national index feeds it."""
    raw = pd.read_csv(data_dir("published") / "pemdi2026_asesor_2026.csv", comment="#", dtype=str)
    out = raw.copy()
    out["level"] = raw["level"].str.replace(",", ".").astype(float)
    for col in ("no_evidence", "external"):
        out[col] = raw[col].eq("ya")
    return out


def load_published(name: str) -> pd.DataFrame:
    """A bundled published table: ``results_2024``, ``national_series``, ``group_averages_2024``,
    ``instance_registry``, ``denpasar_2019_levels``, or the real 2026 Pemdi assessor result of
    one regency, ``pemdi2026_asesor_2026`` (per indicator) and ``pemdi2026_asesor_2026_published``
    (its printed index and aspect scores) (see ``data/published/SOURCES.md``).

    ``results_2024`` has domain columns renamed D1–D4, categorical instance type and
    predicate (in band order), derived ``group`` and ``report_group`` columns, and
    ``damaged`` / ``damage_note`` flags for the three rows whose domains the source lost.
    """
    loaders = {
        "results_2024": _results_2024,
        "national_series": _national_series,
        "group_averages_2024": _group_averages,
        "instance_registry": lambda: pd.read_csv(data_dir("published") / "instance_registry.csv", dtype=str),
        "denpasar_2019_levels": lambda: pd.read_csv(
            data_dir("published") / "denpasar_2019_levels.csv", dtype={"indicator_no": str}
        ),
        "pemdi2026_asesor_2026": _pemdi_assessor,
        "pemdi2026_asesor_2026_published": lambda: pd.read_csv(
            data_dir("published") / "pemdi2026_asesor_2026_published.csv", comment="#"
        ),
    }
    if name not in loaders:
        raise SpbeError(Msg("error.unknown_published", name=repr(name), names=", ".join(NAMES)))
    return loaders[name]()

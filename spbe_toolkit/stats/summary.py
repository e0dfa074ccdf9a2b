"""National statistics over published or computed results, side by side with published figures."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from spbe_toolkit.errors import SpbeError, ValidationError
from spbe_toolkit.frameworks import Framework, load_framework
from spbe_toolkit.frameworks.targets import good_predicates, index_targets, share_targets
from spbe_toolkit.i18n import Msg
from spbe_toolkit.io.published import NAMES, group_of, load_published
from spbe_toolkit.io.tables import read_table_file
from spbe_toolkit.scoring import predicate as predicate_of
from spbe_toolkit.scoring import score
from spbe_toolkit.vocab import SELF_STAGE, TARGET_GROUPS
from spbe_toolkit.workspace import Workspace

TOTAL = "Semua"  # the group value of the all-instances row (shown as "All" in English)
NATIONAL = "Nasional (all)"  # the national row of the published group table (group_averages_2024.csv)


def results_table(results) -> pd.DataFrame:
    """A flat results table (column ``instance``) from a published table, a Workspace
    (current scores joined with instance metadata) or ``Workspace.scores()`` output."""
    if isinstance(results, Workspace):
        sc = results.scores("current")
        meta = results.instances()[["instance_type", "province", "year"]]
        df = sc.join(meta).reset_index()
        if df["year"].isna().all() and results.year:
            df["year"] = results.year
        return df
    df = results.copy()
    if "instance" not in df.columns and df.index.name == "instance":
        df = df.reset_index()
    if isinstance(df.index, pd.MultiIndex):
        df = df.reset_index()
    return df


def load_results(source: str | Path) -> pd.DataFrame:
    """Results to summarise: a bundled published table by name, a workspace file (its current
    scores with instance metadata), or a results table in CSV / XLSX."""
    if str(source) in NAMES:
        return load_published(str(source))
    p = Path(source)
    if not p.is_file():
        raise SpbeError(Msg("error.no_results", source=str(source), names=", ".join(NAMES)))
    if p.suffix.lower() in (".sqlite", ".db", ".spbe"):
        with Workspace.open(p) as ws:
            return results_table(ws)
    return read_table_file(p)


def national_summary(
    results,
    by: str | Sequence[str] | None = "instance_type",
    *,
    fw: Framework | str = "spbe2020",
    predicate_basis: str = "exact",
    total: bool = False,
) -> pd.DataFrame:
    """Summary per group: n, mean index, mean of each domain present, count and share per
    predicate (band order), share Baik-or-better, min / median / max index.

    ``results`` is any table with ``instance`` and ``index`` (published tables, or the
    output of ``Workspace.scores()`` joined with instance metadata, or a Workspace itself).
    The predicate column is used when present; otherwise it is computed from ``index``
    with ``predicate_basis`` (stated in ``attrs["predicate_source"]``). ``group`` is derived
    from ``instance_type`` when absent. ``total=True`` appends an all-instances row;
    ``by=None`` gives that row alone (e.g. for bare ``Workspace.scores()`` output).
    """
    df = results_table(results)
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    if "index" not in df.columns:
        raise ValidationError(Msg("error.no_index_column"))
    if "group" in by and "group" not in df.columns:
        if "instance_type" not in df.columns:
            raise ValidationError(Msg("error.no_group_column"))
        df["group"] = group_of(df["instance_type"])
    for b in by:
        if b not in df.columns:
            raise ValidationError(Msg("error.bad_group_by", by=repr(b), have=", ".join(map(str, df.columns))))
    fw = load_framework(fw)
    predicates = fw.predicates
    good = good_predicates(fw)
    if "predicate" in df.columns and df["predicate"].notna().any():
        pred = df["predicate"].astype(object)
        source = Msg("stats.predicates_given")
    else:
        pred = predicate_of(df["index"], fw, basis=predicate_basis).astype(object)
        source = Msg("stats.predicates_computed", basis=Msg(f"value.basis.{predicate_basis}"), fw=fw.name)
    df = df.assign(_pred=pd.Categorical(pred, categories=predicates, ordered=True))
    domains = [c for c in df.columns if isinstance(c, str) and len(c) == 2 and c[0] == "D" and c[1].isdigit()]

    def summarise(g: pd.DataFrame) -> dict:
        n = len(g)
        row = {"n": n, "mean_index": g["index"].mean()}
        for d in domains:
            row[f"mean_{d}"] = g[d].mean()
        counts = g["_pred"].value_counts().reindex(predicates, fill_value=0)
        for p in predicates:
            row[f"n_{predicate_key(p)}"] = int(counts[p])
        for p in predicates:
            row[f"share_{predicate_key(p)}"] = 100.0 * counts[p] / n if n else np.nan
        row["share_baik_or_better"] = 100.0 * counts[good].sum() / n if n else np.nan
        row["min_index"] = g["index"].min()
        row["median_index"] = g["index"].median()
        row["max_index"] = g["index"].max()
        return row

    rows = []
    groups = df.groupby(by, observed=True, sort=True, dropna=False) if by else [((), df)]
    for keys, g in groups:
        keys = keys if isinstance(keys, tuple) else (keys,)
        rows.append({**dict(zip(by, keys)), **summarise(g)})
    if total:
        rows.append({**{b: TOTAL for b in by}, **summarise(df)})
    out = pd.DataFrame(rows)
    out.attrs["predicate_source"] = source
    return out


def predicate_key(name: str) -> str:
    """A predicate as a column-name part: "Sangat Baik" → "sangat_baik"."""
    return name.lower().replace(" ", "_")


def national_index_from_domains(series: pd.DataFrame, *, restated: bool = False) -> pd.DataFrame:
    """Recompute each year's national index as Σ W_d × (published national domain mean) / 100.

    ``series`` is ``load_published("national_series")``. 2018–2020 use the 5/2018 domain
    weights (17/28/55; Manajemen absent), 2021+ the 59/2020 weights (13/25/16.5/45.5).
    ``restated=True`` uses restated domain means where the 2024 report restated them.
    """
    rows = []
    for r in series.itertuples(index=False):
        fw = load_framework(r.framework_name)
        cols = ["d_kebijakan", "d_tata_kelola", "d_manajemen", "d_layanan"]
        vals = {c: getattr(r, c) for c in cols}
        if restated:
            for c in cols:
                alt = getattr(r, c + "_restated")
                if pd.notna(alt):
                    vals[c] = alt
        if fw.name == "spbe2018":
            d = [vals["d_kebijakan"], vals["d_tata_kelola"], vals["d_layanan"]]
        else:
            d = [vals["d_kebijakan"], vals["d_tata_kelola"], vals["d_manajemen"], vals["d_layanan"]]
        w = fw.domain_weights.to_numpy()
        rows.append({"year": r.year, "framework": fw.name, "recomputed_index": float(np.dot(d, w) / 100.0)})
    return pd.DataFrame(rows)


def reconcile(
    published: pd.DataFrame,
    computed: pd.DataFrame,
    *,
    on: str | Sequence[str],
    measures: Sequence[str] | dict[str, str] | None = None,
    tolerance: float = 0.005,
) -> pd.DataFrame:
    """Published and recomputed figures side by side, never overwriting either.

    Long output, one row per key and measure: ``published``, ``computed``, ``difference``
    (computed − published) and ``flag``: ``match`` (|difference| ≤ tolerance), ``differs``,
    ``published_only`` or ``computed_only``. ``measures`` lists the shared column names, or
    maps a published column to a computed one.
    """
    on = [on] if isinstance(on, str) else list(on)
    if measures is None:
        shared = [c for c in published.columns if c in computed.columns and c not in on]
        measures = {c: c for c in shared if pd.api.types.is_numeric_dtype(published[c])}
    elif not isinstance(measures, dict):
        measures = {m: m for m in measures}
    p = published.set_index(on)
    c = computed.set_index(on)
    keys = p.index.union(c.index, sort=False)
    rows = []
    for key in keys:
        for pm, cm in measures.items():
            pv = p.at[key, pm] if key in p.index and pm in p.columns else np.nan
            cv = c.at[key, cm] if key in c.index and cm in c.columns else np.nan
            pv = float(pv) if pd.notna(pv) else np.nan
            cv = float(cv) if pd.notna(cv) else np.nan
            if np.isnan(pv) and np.isnan(cv):
                continue
            if np.isnan(cv):
                flag = "published_only"
            elif np.isnan(pv):
                flag = "computed_only"
            else:
                flag = "match" if abs(cv - pv) <= tolerance + 1e-12 else "differs"
            key_t = key if isinstance(key, tuple) else (key,)
            rows.append(
                {
                    **dict(zip(on, key_t)),
                    "measure": pm,
                    "published": pv,
                    "computed": cv,
                    "difference": cv - pv,
                    "flag": flag,
                }
            )
    return pd.DataFrame(rows, columns=[*on, "measure", "published", "computed", "difference", "flag"])


def target_progress(series: pd.DataFrame, results: pd.DataFrame | None = None) -> pd.DataFrame:
    """Progress against the national targets (``frameworks/reference/targets.toml``): the
    national index against each index target of its year, and, with per-instance results,
    the share Baik-or-better of each target group against its share target.

    Columns: year, measure (``national_index`` / ``share_good``), group, target_name (the
    target's code), target, actual, gap, met.
    """
    rows = []
    targets = index_targets()
    for r in series.itertuples(index=False):
        applying = targets[(targets["first_year"] <= r.year) & (targets["last_year"] >= r.year)]
        for t in applying.itertuples(index=False):
            rows.append({"year": r.year, "measure": "national_index", "group": None, "target_name": t.code,
                         "target": t.value, "actual": r.national_index})  # fmt: skip
    if results is not None:
        df = results_table(results)
        t = df["instance_type"].astype(object)
        pred = df["predicate"].astype(object)
        year = int(df["year"].iloc[0]) if "year" in df else None
        good = good_predicates("spbe2020")
        shares = share_targets()
        for s in shares[shares["year"] == year].itertuples(index=False) if year is not None else ():
            mask = t.isin(TARGET_GROUPS[s.group])
            rows.append({"year": year, "measure": "share_good", "group": s.group, "target_name": s.code,
                         "target": s.value, "actual": 100.0 * pred[mask].isin(good).mean()})  # fmt: skip
    out = pd.DataFrame(rows, columns=["year", "measure", "group", "target_name", "target", "actual"])
    out["gap"] = out["actual"] - out["target"]
    out["met"] = out["gap"] >= -1e-9
    return out


def self_assessment_gap(ws, stage: str = "current") -> dict[str, pd.DataFrame]:
    """Self-assessment optimism in a workspace: final − self, by domain and by indicator.

    Returns ``{"by_domain": …, "by_indicator": …, "by_instance": …}``; negative means the
    evaluators set lower levels than the instances claimed.
    """
    fw = ws.framework
    own = ws.levels(SELF_STAGE)
    cur = ws.levels(stage)
    df = own[["instance", "indicator", "level"]].merge(
        cur[["instance", "indicator", "level"]], on=["instance", "indicator"], suffixes=("_self", "_final")
    )
    df["gap"] = df["level_final"] - df["level_self"]
    parent = fw.subitem_parent
    ind = fw.indicators.set_index("indicator")
    df["base"] = df["indicator"].map(lambda c: parent.get(c, c))
    df["aspect"] = df["base"].map(ind["aspect"])
    group_col = "domain" if fw.has_domains else "aspect"
    if fw.has_domains:
        df["domain"] = df["base"].map(ind["domain"])
    by_ind = df.groupby("indicator", sort=False).agg(
        mean_self=("level_self", "mean"), mean_final=("level_final", "mean"), mean_gap=("gap", "mean"),
        share_lowered=("gap", lambda g: 100.0 * (g < 0).mean()), share_raised=("gap", lambda g: 100.0 * (g > 0).mean()),
    )  # fmt: skip
    by_dom = df.groupby(group_col, sort=False).agg(
        mean_self=("level_self", "mean"), mean_final=("level_final", "mean"), mean_gap=("gap", "mean")
    )
    s_self = ws.scores(SELF_STAGE)["index"]
    s_fin = ws.scores(stage)["index"]
    by_inst = pd.DataFrame({"self_index": s_self, "final_index": s_fin})
    by_inst["gap"] = by_inst["final_index"] - by_inst["self_index"]
    return {"by_domain": by_dom, "by_indicator": by_ind, "by_instance": by_inst}


def reproduce_series() -> pd.DataFrame:
    """Published national index per year beside Σ W_d × published domain means (2018–2024)."""
    series = load_published("national_series")
    rec = national_index_from_domains(series)
    rest = national_index_from_domains(series, restated=True).rename(
        columns={"recomputed_index": "recomputed_restated"}
    )
    out = series[["year", "framework_name", "national_index"]].merge(rec[["year", "recomputed_index"]], on="year")
    out = out.merge(rest[["year", "recomputed_restated"]], on="year")
    out["difference"] = out["recomputed_index"] - out["national_index"]
    out["flag"] = np.where(out["difference"].abs() <= 0.01 + 1e-12, "match_domain_rounding", "differs")
    has_restated = series["d_kebijakan_restated"].notna().to_numpy()
    out["recomputed_restated"] = np.where(has_restated, out["recomputed_restated"], np.nan)
    return out.rename(columns={"national_index": "published_index"})


def reproduce_group_table_2024() -> pd.DataFrame:
    """The 2024 group table (Tabel 6–8): published mean index, mean recomputed from the
    per-instance table, and the predicate counts recomputed, side by side (long format,
    from :func:`reconcile`; published figures are 2 decimals, so tolerance is 0.005)."""
    r = load_published("results_2024")
    ga = load_published("group_averages_2024")
    by_rg = national_summary(r, by="report_group", total=True).rename(columns={"report_group": "group"})
    by_g = national_summary(r, by="group")
    comp = pd.concat([by_rg, by_g], ignore_index=True)
    comp["group"] = comp["group"].astype(str).replace({TOTAL: NATIONAL})
    pub = ga[["group", "published_mean_index", "published_pct_baik_or_better"]].rename(
        columns={"published_mean_index": "mean_index", "published_pct_baik_or_better": "share_baik_or_better"}
    )
    rec = reconcile(pub, comp[["group", "mean_index", "share_baik_or_better"]], on="group", tolerance=0.005)
    share = (rec["measure"] == "share_baik_or_better") & rec["flag"].eq("differs")
    rec.loc[share & (rec["difference"].abs() <= 0.5 + 1e-9), "flag"] = "match_share_rounded"
    rec.loc[share & (rec["difference"].abs() > 0.5 + 1e-9) & (rec["difference"].abs() < 1.0), "flag"] = (
        "count_agrees_rounded_up"
    )
    return rec


def reproduce_pemdi_result() -> pd.DataFrame:
    """The real 2026 Pemdi assessor result (one regency) recomputed from its 20 values with the
    ``pemdi2026`` weights, beside the figures its source printed: measure, published, computed
    (exact), difference, flag. The source prints two decimals (and 1,085 as 1,08 — binary
    rounding), so a match is within 0.005; the self-assessed index cannot be recomputed (its
    values were not published) and says so."""
    levels = load_published("pemdi2026_asesor_2026")
    pub = load_published("pemdi2026_asesor_2026_published")
    computed = score(levels[["instance", "indicator", "level"]], "pemdi2026").iloc[0]
    rows = []
    for r in pub.itertuples(index=False):
        value = float(computed[r.measure]) if r.measure in computed.index else np.nan
        diff = value - r.published
        flag = "published_only" if np.isnan(value) else ("match" if abs(diff) <= 0.005 + 1e-12 else "differs")
        rows.append({"instance": r.instance, "measure": r.measure, "published": r.published, "computed": value,
                     "difference": diff, "flag": flag})  # fmt: skip
    return pd.DataFrame(rows)

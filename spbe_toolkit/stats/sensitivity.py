"""Weight sensitivity of the composite index: how fragile is each instance's predicate?

Composite-index practice (e.g. the OECD/JRC handbook) is to perturb the weights around the
official ones and see how often each unit's classification and rank change. Here domain
weights (or aspect weights, for frameworks without domains) are multiplied by independent
log-normal factors with standard deviation ``spread`` and renormalised to 100, ``n``
times; every instance is rescored under every draw in one matrix product.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.frameworks import Framework, load_framework
from spbe_toolkit.i18n import Msg
from spbe_toolkit.scoring import predicate, round_half_up, score, score_from_domains


def _component_table(data: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Instances × components (domains, or aspects without domains) from domains or levels."""
    comps = fw.domain_codes if fw.has_domains else fw.aspect_codes
    if all(c in data.columns for c in comps):
        table = data.set_index("instance") if "instance" in data.columns else data
        return table[comps].astype(float)
    if {"instance", "indicator", "level"} <= set(data.columns):
        return score(data, fw)[comps]
    raise ValidationError(Msg("error.sensitivity_input", columns=", ".join(comps)))


def weight_sensitivity(
    levels_or_domains: pd.DataFrame,
    fw: Framework | str = "spbe2020",
    n: int = 1000,
    spread: float = 0.2,
    seed: int = 0,
    *,
    predicate_basis: str = "exact",
    edge: float = 0.05,
) -> pd.DataFrame:
    """Per instance: base index and predicate, share of weight draws that change the
    predicate, the predicates reached, rank spread (5th–95th percentile) and the distance to
    the nearest band edge. ``attrs["summary"]`` holds the round-level figures (how many
    instances change predicate at all, how many sit within ``edge`` of a band edge) and
    ``attrs["weights"]`` the drawn weights.

    Rows with a missing component are left out and listed in ``attrs["skipped"]``.
    """
    fw = load_framework(fw)
    table = _component_table(levels_or_domains, fw)
    skipped = list(table.index[table.isna().any(axis=1)])
    table = table.dropna()
    base_w = (fw.domain_weights if fw.has_domains else fw.aspect_weights).to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    factors = np.exp(rng.normal(0.0, spread, size=(n, len(base_w))))
    weights = base_w * factors
    weights = 100.0 * weights / weights.sum(axis=1, keepdims=True)
    values = table.to_numpy()
    if fw.has_domains:  # exact integer arithmetic, so band edges match score_from_domains
        base = score_from_domains(table, fw)["index"].to_numpy()
    else:
        base = values @ base_w / 100.0
    draws = values @ weights.T / 100.0  # instances × draws
    lowers = np.array([b.lower for b in fw.bands])

    def band(x):
        if predicate_basis == "rounded":
            x = round_half_up(x)
        return np.clip(np.searchsorted(lowers, x, side="right") - 1, 0, len(lowers) - 1)

    base_band = band(base)
    draw_band = band(draws)
    changed = (draw_band != base_band[:, None]).mean(axis=1)
    ranks = (-draws).argsort(axis=0).argsort(axis=0) + 1  # 1 = best, per draw
    base_rank = (-base).argsort().argsort() + 1
    inner = lowers[1:]
    dist = np.min(np.abs(base[:, None] - inner[None, :]), axis=1)
    names = fw.predicates
    out = pd.DataFrame(
        {
            "index": base,
            "predicate": predicate(pd.Series(base, index=table.index), fw, basis=predicate_basis),
            "share_predicate_changed": 100.0 * changed,
            "lowest_predicate": [names[b] for b in draw_band.min(axis=1)],
            "highest_predicate": [names[b] for b in draw_band.max(axis=1)],
            "rank": base_rank,
            "rank_p05": np.percentile(ranks, 5, axis=1),
            "rank_p95": np.percentile(ranks, 95, axis=1),
            "distance_to_band_edge": dist,
            "near_band_edge": dist <= edge,
        },
        index=table.index,
    )
    out["rank_spread"] = out["rank_p95"] - out["rank_p05"]
    out.attrs["summary"] = {
        "instances": len(out),
        "draws": n,
        "spread": spread,
        "instances_with_any_change": int((changed > 0).sum()),
        "instances_changing_in_over_10pct": int((changed > 0.10).sum()),
        "instances_within_edge": int(out["near_band_edge"].sum()),
        "edge": edge,
        "median_rank_spread": float(out["rank_spread"].median()) if len(out) else np.nan,
    }
    out.attrs["weights"] = pd.DataFrame(weights, columns=fw.domain_codes if fw.has_domains else fw.aspect_codes)
    out.attrs["skipped"] = skipped
    return out


def summary_table(result: pd.DataFrame) -> pd.DataFrame:
    """The round-level figures of a :func:`weight_sensitivity` result as a one-row table."""
    return pd.DataFrame([result.attrs["summary"]])

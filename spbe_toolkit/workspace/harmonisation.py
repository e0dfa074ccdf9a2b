"""Harmonisation across evaluators: do evaluators judge alike?

Each reviewed cell (instance × indicator) counts for the evaluator of its latest event, with
its change against the self-assessment. Per evaluator: instances and indicators reviewed,
share of levels changed, mean and spread of the change, and how far the evaluator's changes
sit from their peers' on the same indicators — a robust statistic: for each indicator the
median of the evaluators' mean changes; an evaluator's *deviation* is the median over their
indicators of (own mean change − that median), and a robust z-score divides it by 1.4826 ×
the median absolute deviation of all evaluators' deviations (MAD; |z| > 3.5 is flagged, as
Iglewicz and Hoaglin recommend). An evaluator is compared only on *comparable* indicators —
ones at least one other evaluator also reviewed — and a z-score is given (and flagged) only
with at least :data:`MIN_COMPARABLE` of them; below that the row shows the count and no z
(one reviewed indicator once gave z = −153,58), and takes no part in the spread. Mixed into
:class:`Workspace`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from spbe_toolkit.vocab import SELF_STAGE

OUTLIER_Z = 3.5
MIN_COMPARABLE = 10
"""The fewest indicators, shared with at least one other evaluator, for a z-score to be shown."""
EVALUATOR_COLUMNS = ["instances", "indicators_reviewed", "share_changed", "mean_change", "spread_change",
                     "comparable", "deviation", "robust_z", "differs_from_peers"]  # fmt: skip


def _reviewed_cells(ws) -> pd.DataFrame:
    ev = ws.store.event_cells()[["id", "instance", "indicator", "evaluator"]]
    latest = ev.drop_duplicates(["instance", "indicator"], keep="last")
    own = ws.levels(SELF_STAGE)[["instance", "indicator", "level"]].rename(columns={"level": "self_level"})
    cur = ws.levels("current")[["instance", "indicator", "level"]]
    cells = latest.merge(own, on=["instance", "indicator"]).merge(cur, on=["instance", "indicator"])
    cells["change"] = cells["level"] - cells["self_level"]
    evidence = ws.self_assessment()[["instance", "indicator", "evidence"]]
    return cells.merge(evidence, on=["instance", "indicator"], how="left")


def harmonisation(ws, by: str = "evaluator") -> pd.DataFrame:
    """Harmonisation table ``by`` ``"evaluator"`` (one row each, see the module doc),
    ``"indicator"`` (per indicator: evaluators, reviewed, share changed, mean and spread of
    the change, spread between evaluators' means) or ``"evidence"`` (evidence links graded
    differently across instances: link, instances, levels) or ``"matrix"`` (mean change per
    evaluator × indicator, indicators in framework order; empty where not reviewed)."""
    cells = _reviewed_cells(
        ws,
    )
    if by == "matrix":
        m = cells.pivot_table(index="evaluator", columns="indicator", values="change", aggfunc="mean")
        order = [c for c in ws.framework.entry_codes if c in m.columns]
        return m.reindex(columns=order)
    if by == "indicator":
        per = cells.groupby(["indicator", "evaluator"])["change"].mean()
        out = cells.groupby("indicator").agg(
            evaluators=("evaluator", "nunique"), reviewed=("instance", "nunique"),
            share_changed=("change", lambda c: 100.0 * (c != 0).mean()), mean_change=("change", "mean"),
            spread_change=("change", "std"),
        )  # fmt: skip
        out["spread_between_evaluators"] = per.groupby(level="indicator").std()
        order = {c: i for i, c in enumerate(ws.framework.entry_codes)}
        return out.sort_index(key=lambda idx: idx.map(order))
    if by == "evidence":
        linked = cells.dropna(subset=["evidence"])
        grades = linked.groupby("evidence").agg(
            instances=("instance", "nunique"), levels=("level", lambda s: sorted(set(s)))
        )
        return grades[(grades["instances"] > 1) & (grades["levels"].map(len) > 1)]
    if cells.empty:
        return pd.DataFrame(columns=EVALUATOR_COLUMNS)
    per_ind = cells.groupby(["evaluator", "indicator"])["change"].mean()
    reviewers = per_ind.groupby(level="indicator").size()
    shared = per_ind[reviewers.reindex(per_ind.index.get_level_values("indicator")).to_numpy() > 1]
    comparable = shared.groupby(level="evaluator").size()
    peer_median = shared.groupby(level="indicator").median()
    dev = (
        (shared - peer_median.reindex(shared.index.get_level_values("indicator")).to_numpy())
        .groupby(level="evaluator")
        .median()
    )
    enough = dev[comparable.reindex(dev.index).fillna(0) >= MIN_COMPARABLE]
    centred = enough - enough.median() if len(enough) else enough
    mad = float(np.median(np.abs(centred))) if len(centred) else 0.0
    mean_ad = float(np.mean(np.abs(centred))) if len(centred) else 0.0
    if mad > 0:
        robust_z = centred / (1.4826 * mad)
    elif mean_ad > 0:  # more than half agree exactly: the mean absolute deviation (Iglewicz & Hoaglin)
        robust_z = centred / (1.253314 * mean_ad)
    else:
        robust_z = centred * 0.0
    out = cells.groupby("evaluator").agg(
        instances=("instance", "nunique"), indicators_reviewed=("indicator", "size"),
        share_changed=("change", lambda c: 100.0 * (c != 0).mean()), mean_change=("change", "mean"),
        spread_change=("change", "std"),
    )  # fmt: skip
    out["comparable"] = comparable.reindex(out.index).fillna(0).astype(int)
    out["deviation"] = dev.reindex(out.index)
    out["robust_z"] = robust_z.reindex(out.index)  # NaN: too few comparable indicators to say
    out["differs_from_peers"] = out["robust_z"].abs() > OUTLIER_Z
    return out[EVALUATOR_COLUMNS]

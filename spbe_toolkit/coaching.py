"""Coaching logic, usable without any memo: strengths and weaknesses, the cheapest path to a
target index, and who should act on each step.

``path_to_target`` is exact: every weight is a whole number of units (weight × 20 for
59/2020, times the sub-item count for 2018's indicator 35), so the index is an integer
number of units and the least-cost set of one-level raises reaching the target is a small
covering knapsack solved by dynamic programming over those units.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.frameworks import Framework, load_framework
from spbe_toolkit.i18n import Msg, Num
from spbe_toolkit.scoring import predicate, score
from spbe_toolkit.vocab import check_basis, unit_group_of_type

STEP_COLUMNS = ["indicator", "from_level", "to_level", "gain", "cost", "index_after"]
STRENGTH, WEAKNESS = "strength", "weakness"  # values of strengths_weaknesses()["indicators"]["assessment"]


# --------------------------------------------------------------------------- responsible units
@lru_cache(maxsize=1)
def _units_file() -> dict:
    ref = resources.files("spbe_toolkit.frameworks") / "reference" / "coaching_units.toml"
    return tomllib.loads(ref.read_text(encoding="utf-8"))


def default_units(fw: Framework | str, instance_type: str | None = None) -> dict[str, list[str]]:
    """Indicator → the units that usually act on it, for an instance of ``instance_type``
    (``coaching_units.toml``: a ministry is never told of a Bappeda, a regency never of a Biro)."""
    fw = load_framework(fw)
    data = _units_file()
    group = unit_group_of_type(instance_type)
    roles = data["roles"]
    return {str(code): [roles[r][group] for r in role_list] for code, role_list in data.get(fw.name, {}).items()}


def responsible_units(
    fw: Framework | str, units: Mapping[str, object] | str | Path | None = None, instance_type: str | None = None
) -> dict[str, list[str]]:
    """Default units for the instance type, overridden by ``units``: a mapping (code → unit or
    list of units), or a TOML file (``[<framework>]`` table or top-level codes) or CSV file
    (indicator, unit)."""
    fw = load_framework(fw)
    out = default_units(fw, instance_type)
    if units is None:
        return out
    if isinstance(units, (str, Path)):
        path = Path(units)
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            units = data.get(fw.name, data)
        else:
            df = pd.read_csv(path, dtype=str)
            units = {}
            for code, unit in zip(df["indicator"], df["unit"]):
                units.setdefault(code, []).append(unit)
    for code, value in units.items():
        out[str(code)] = [value] if isinstance(value, str) else list(value)
    return out


# --------------------------------------------------------------------------- inputs
def _one_instance_levels(levels, fw: Framework) -> pd.Series:
    """Entry code → level for one instance, validated by the scorer."""
    if isinstance(levels, pd.Series):
        s = levels.copy()
        s.index = s.index.map(str)
    elif isinstance(levels, pd.DataFrame):
        if "instance" in levels.columns and levels["instance"].nunique() > 1:
            raise ValidationError(Msg("error.path_one_instance"))
        s = pd.Series(levels["level"].to_numpy(), index=levels["indicator"].map(str).to_numpy())
    else:
        raise ValidationError(Msg("error.path_levels_shape"))
    score(pd.DataFrame({"instance": "x", "indicator": s.index, "level": s.to_numpy()}), fw)  # raises on any problem
    return s.astype(int)


def _entry_units(fw: Framework) -> tuple[dict[str, int], int]:
    """Entry code → weight in integer units, and the units per index point."""
    lcm = 1
    for subs in fw.indicators["subitems"]:
        if subs:
            lcm = math.lcm(lcm, len(subs))
    scale = fw.weight_scale
    if not scale:
        raise ValidationError(Msg("error.path_weights", fw=fw.name))
    units: dict[str, int] = {}
    for code, w, subs in zip(fw.indicators["indicator"], fw.weight_units, fw.indicators["subitems"]):
        total = int(round(w)) * lcm
        if subs:
            for s in subs:
                units[s] = total // len(subs)
        else:
            units[code] = total
    return units, 100 * scale * lcm


def _costs(fw: Framework, costs, codes: list[str]) -> dict[str, float]:
    parent = fw.subitem_parent
    out = {}
    for c in codes:
        base = parent.get(c, c)
        value = 1.0
        if isinstance(costs, (int, float)):
            value = float(costs)
        elif costs is not None:
            costs_map = dict(costs)
            if c in costs_map:
                value = costs_map[c]
            elif base in costs_map:
                value = costs_map[base]
            elif fw.kind_of(base) in costs_map:
                value = costs_map[fw.kind_of(base)]
        value = float(value)
        if not value > 0 or math.isinf(value):
            raise ValidationError(Msg("error.path_cost", indicator=repr(c), value=repr(value)))
        out[c] = value
    return out


def _target_value(target, current_pred: str | None, fw: Framework) -> float | None:
    if target is None:
        names = fw.predicates
        if current_pred is None or current_pred == names[-1]:
            return None
        return fw.bands[names.index(current_pred) + 1].lower
    if isinstance(target, str):
        if target not in fw.predicates:
            raise ValidationError(Msg("error.path_predicate", value=repr(target), choices=", ".join(fw.predicates)))
        return fw.bands[fw.predicates.index(target)].lower
    t = float(target)
    if not fw.level_min <= t <= fw.level_max:
        raise ValidationError(Msg("error.path_target_range", value=f"{t:g}", lo=fw.level_min, hi=fw.level_max))
    return t


# --------------------------------------------------------------------------- path to target
def path_to_target(
    levels,
    fw: Framework | str,
    target: float | str | None = None,
    max_raise: int = 1,
    costs: Mapping[str, float] | float | None = None,
    *,
    predicate_basis: str = "exact",
    units: Mapping[str, object] | str | Path | None = None,
    instance_type: str | None = None,
) -> pd.DataFrame:
    """The least-cost set of one-level raises reaching ``target``.

    ``levels``: a Series indexed by indicator code, or a long table (indicator, level) of one
    instance. ``target``: an index value, a predicate name, or None for the lower bound of
    the next predicate band. Each indicator rises at most ``max_raise`` levels and never
    beyond the top level. ``costs`` (default 1 per step) may be one number, or a mapping by
    indicator code or by indicator kind (e.g. ``{"layanan": 2}``). With
    ``predicate_basis="rounded"`` the target counts as reached when the index rounded half-up
    to 2 decimals reaches it.

    Returns one row per step (``indicator, from_level, to_level, gain, cost, index_after``,
    plus ``name``, ``to_level_name``, ``units``), largest gain per cost first. ``attrs``
    carry ``reachable``, ``message`` (a :class:`~spbe_toolkit.i18n.Msg`: ``str()`` in the
    configured language, ``.text(lang)`` in either), ``current_index``,
    ``target``, ``index_after``, ``predicate_after`` and ``total_cost``.
    """
    fw = load_framework(fw)
    check_basis(predicate_basis)
    if int(max_raise) != max_raise or max_raise < 1:
        raise ValidationError(Msg("error.path_max_raise", value=repr(max_raise)))
    lv = _one_instance_levels(levels, fw)
    weights, denom = _entry_units(fw)
    codes = [c for c in fw.entry_codes if c in lv.index]
    current_units = sum(weights[c] * int(lv[c]) for c in codes)
    current = current_units / denom
    current_pred = predicate(current, fw, predicate_basis)
    tval = _target_value(target, current_pred, fw)
    cost_of = _costs(fw, costs, codes)
    meta = {"current_index": current, "current_predicate": current_pred, "target": tval, "predicate_basis": predicate_basis,
            "max_raise": int(max_raise)}  # fmt: skip

    def result(rows: list[dict], reachable: bool, msg: Msg) -> pd.DataFrame:
        df = pd.DataFrame(rows, columns=[*STEP_COLUMNS, "name", "to_level_name", "units"])
        after = df["index_after"].iat[-1] if len(df) else current
        df.attrs.update(meta)
        df.attrs.update(
            {"reachable": reachable, "message": msg, "index_after": after,
             "predicate_after": predicate(after, fw, predicate_basis), "total_cost": float(df["cost"].sum()) if len(df) else 0.0}
        )  # fmt: skip
        return df

    if tval is None:
        return result([], True, Msg("coaching.at_top"))
    required = tval - 0.005 if predicate_basis == "rounded" else tval
    need = math.ceil(required * denom - 1e-9) - current_units
    if need <= 0:
        return result([], True, Msg("coaching.reached", target=Num(tval), index=Num(current)))

    # copies: one per possible one-level step
    items: list[tuple[str, int, float]] = []  # code, gain units, cost
    for c in codes:
        room = min(int(max_raise), fw.level_max - int(lv[c]))
        items.extend((c, weights[c], cost_of[c]) for _ in range(room))
    total = sum(g for _, g, _ in items)
    if total < need:
        best = (current_units + total) / denom
        return result([], False, Msg("coaching.unreachable", target=Num(tval), max_raise=max_raise, best=Num(best)))
    dp = np.full(total + 1, np.inf)
    dp[0] = 0.0
    take = np.zeros((len(items), total + 1), dtype=bool)
    for j, (_c, g, cost) in enumerate(items):
        cand = np.full(total + 1, np.inf)
        cand[g:] = dp[: total + 1 - g] + cost
        better = cand < dp - 1e-12
        take[j] = better
        dp = np.where(better, cand, dp)
    feasible = np.arange(total + 1) >= need
    min_cost = dp[feasible].min()
    # among the cheapest sets, the one that raises the index most
    g_best = int(np.flatnonzero(feasible & (dp <= min_cost + 1e-9)).max())
    count: dict[str, int] = {}
    g = g_best
    for j in range(len(items) - 1, -1, -1):
        if take[j, g]:
            c, gain, _ = items[j]
            count[c] = count.get(c, 0) + 1
            g -= gain
    assert g == 0, "reconstruction failed"

    order = {c: i for i, c in enumerate(fw.entry_codes)}
    parent = fw.subitem_parent
    unit_map = responsible_units(fw, units, instance_type)
    chosen = sorted(count, key=lambda c: (-weights[c] / cost_of[c], order[c]))
    rows = []
    running = current_units
    for c in chosen:
        base = parent.get(c, c)
        level_names = fw.level_names(base)
        for k in range(count[c]):
            frm = int(lv[c]) + k
            running += weights[c]
            rows.append(
                {
                    "indicator": c,
                    "from_level": frm,
                    "to_level": frm + 1,
                    "gain": weights[c] / denom,
                    "cost": cost_of[c],
                    "index_after": running / denom,
                    "name": fw.entry_name(c),
                    "to_level_name": level_names.get(frm + 1, ""),
                    "units": ", ".join(unit_map.get(base, [])),
                }
            )
    n = len(rows)
    return result(rows, True, Msg("coaching.path", target=Num(tval), n=n, effort=Num(min_cost, 0 if float(min_cost).is_integer() else 1),
                                  after=Num(running / denom)))  # fmt: skip


# --------------------------------------------------------------------------- strengths and weaknesses
def strengths_weaknesses(
    levels, fw: Framework | str, peer: pd.Series | pd.DataFrame | None = None, *, threshold: float = 1.0
) -> dict[str, pd.DataFrame]:
    """Indicators and aspects far above / below the instance's own index and the peer mean.

    ``peer``: mean level per indicator of comparable instances (a Series), or their long
    levels table. An indicator is a strength when it is at least ``threshold`` levels above
    the instance's own index and not below the peer mean; a weakness when at least
    ``threshold`` below its own index or below the peer mean by ``threshold``. Returns
    ``{"indicators": …, "aspects": …}`` sorted strongest first.
    """
    fw = load_framework(fw)
    lv = _one_instance_levels(levels, fw)
    table = pd.DataFrame({"instance": "x", "indicator": lv.index, "level": lv.to_numpy()})
    sc = score(table, fw).iloc[0]
    own = float(sc["index"])
    parent = fw.subitem_parent
    per_ind = lv.groupby(lambda c: parent.get(c, c)).mean().reindex(fw.codes)
    if isinstance(peer, pd.DataFrame):
        pl = peer.assign(base=peer["indicator"].map(lambda c: parent.get(str(c), str(c))))
        peer = pl.groupby("base")["level"].mean()
    ind = fw.indicators.set_index("indicator")
    out = pd.DataFrame({"name": ind["name"], "aspect": ind["aspect"], "level": per_ind, "vs_own": per_ind - own})
    out["peer_mean"] = peer.reindex(out.index) if peer is not None else np.nan
    out["vs_peer"] = out["level"] - out["peer_mean"]
    strong = (out["vs_own"] >= threshold) & ~(out["vs_peer"] < 0)
    weak = (out["vs_own"] <= -threshold) | (out["vs_peer"] <= -threshold)
    out["assessment"] = np.where(strong, STRENGTH, np.where(weak, WEAKNESS, ""))
    out = out.sort_values(["vs_own", "vs_peer"], ascending=False)
    aspects = pd.DataFrame({"name": fw.aspects.set_index("code")["name"], "value": sc[fw.aspect_codes].astype(float)})
    aspects["vs_own"] = aspects["value"] - own
    if peer is not None:
        w = ind["weight"]
        pm = (peer.reindex(fw.codes) * w).groupby(ind["aspect"]).sum() / w.groupby(ind["aspect"]).sum()
        aspects["peer_mean"] = pm
        aspects["vs_peer"] = aspects["value"] - aspects["peer_mean"]
    return {"indicators": out, "aspects": aspects.sort_values("vs_own", ascending=False)}

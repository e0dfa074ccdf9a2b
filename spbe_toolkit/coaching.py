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
from spbe_toolkit.i18n import Msg, Num, check_lang
from spbe_toolkit.scoring import predicate, score
from spbe_toolkit.vocab import central_kind_of_type, check_basis, unit_group_of_type

STEP_COLUMNS = ["indicator", "from_level", "to_level", "gain", "cost", "index_after"]
PATH_COLUMNS = [*STEP_COLUMNS, "round", "name", "to_level_name", "units", "criterion", "evidence"]
STRENGTH, WEAKNESS = "strength", "weakness"  # values of strengths_weaknesses()["indicators"]["assessment"]


# --------------------------------------------------------------------------- responsible units
@lru_cache(maxsize=1)
def _units_file() -> dict:
    ref = resources.files("spbe_toolkit.frameworks") / "reference" / "coaching_units.toml"
    return tomllib.loads(ref.read_text(encoding="utf-8"))


def default_units(
    fw: Framework | str, instance_type: str | None = None, lang: str | None = None
) -> dict[str, list[str]]:
    """Indicator → the units that usually act on it, for an instance of ``instance_type``
    (``coaching_units.toml``: a ministry is never told of a Bappeda, a regency never of a Biro),
    named in ``lang`` (English: the unit in English with its Indonesian name)."""
    fw = load_framework(fw)
    data = _units_file()
    group = unit_group_of_type(instance_type)
    kind = central_kind_of_type(instance_type)  # a ministry's or an agency's name for the unit, where they differ
    roles = data["roles_en"] if check_lang(lang) == "en" else data["roles"]
    return {
        str(code): [roles[r].get(kind, roles[r][group]) if kind else roles[r][group] for r in role_list]
        for code, role_list in data.get(fw.name, {}).items()
    }


def responsible_units(
    fw: Framework | str, units: Mapping[str, object] | str | Path | None = None, instance_type: str | None = None,
    lang: str | None = None,
) -> dict[str, list[str]]:  # fmt: skip
    """Default units for the instance type (named in ``lang``), overridden by ``units``: a
    mapping (code → unit or list of units), or a TOML file (``[<framework>]`` table or top-level
    codes) or CSV file (indicator, unit) — an override is printed as given."""
    fw = load_framework(fw)
    out = default_units(fw, instance_type, lang)
    if units is None:
        return out
    if isinstance(units, (str, Path)):
        units = _read_units(Path(units), fw)
    if not isinstance(units, Mapping):
        raise ValidationError(Msg("error.units_file", file="units", detail=type(units).__name__))
    for code, value in units.items():
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list | tuple) or not all(isinstance(v, str) and v.strip() for v in names):
            raise ValidationError(Msg("error.units_value", code=str(code), value=repr(value)[:80]))
        out[str(code)] = [v.strip() for v in names]
    return out


def _read_units(path: Path, fw: Framework) -> Mapping:
    """A units-override file (TOML or CSV with columns indicator, unit), every failure one line."""
    from spbe_toolkit.paths import TextTooLarge, read_text_bounded

    def bad(detail: str) -> ValidationError:
        return ValidationError(Msg("error.units_file", file=str(path), detail=detail))

    try:
        text = read_text_bounded(path)
    except TextTooLarge:
        raise bad("> 20 MiB") from None
    except UnicodeDecodeError:
        raise bad("UTF-8") from None
    except OSError as exc:
        raise bad(type(exc).__name__) from None
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError) as exc:
            raise bad(" ".join(str(exc).split())[:120]) from None
        data = data.get(fw.name, data)
        if not isinstance(data, Mapping):
            raise bad(type(data).__name__)
        return data
    import io

    try:
        df = pd.read_csv(io.StringIO(text), dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise bad(" ".join(str(exc).split())[:120]) from None
    missing = [c for c in ("indicator", "unit") if c not in df.columns]
    if missing:
        raise bad(", ".join(missing))
    units: dict[str, list] = {}
    for code, unit in zip(df["indicator"], df["unit"]):
        units.setdefault(str(code), []).append(unit if isinstance(unit, str) else "")
    return units


# --------------------------------------------------------------------------- inputs
def _one_instance_levels(levels, fw: Framework, *, validated: bool = False) -> pd.Series:
    """Entry code → level for one instance, validated by the scorer (unless ``validated``:
    levels a workspace holds, which the scorer has already checked)."""
    if isinstance(levels, pd.Series):
        s = levels.copy()
        s.index = s.index.map(str)
    elif isinstance(levels, pd.DataFrame):
        if "instance" in levels.columns and levels["instance"].nunique() > 1:
            raise ValidationError(Msg("error.path_one_instance"))
        s = pd.Series(levels["level"].to_numpy(), index=levels["indicator"].map(str).to_numpy())
    else:
        raise ValidationError(Msg("error.path_levels_shape"))
    if not validated:
        score(pd.DataFrame({"instance": "x", "indicator": s.index, "level": s.to_numpy()}), fw)  # raises on any problem
    for code in fw.external_by_indicator:  # fed by a national index and not given: its default, as scored
        if code not in s.index:
            s[code] = fw.external_default
    return s.astype(fw.value_dtype)


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


def _target_value(target, current_pred: str | None, fw: Framework) -> tuple[float | None, float | None]:
    """(band edge or explicit target, whether a margin applies) for ``target``."""
    if target is None:
        names = fw.predicates
        if current_pred is None or current_pred == names[-1]:
            return None, False
        return fw.bands[names.index(current_pred) + 1].lower, True
    if isinstance(target, str):
        if target not in fw.predicates:
            raise ValidationError(Msg("error.path_predicate", value=repr(target), choices=", ".join(fw.predicates)))
        return fw.bands[fw.predicates.index(target)].lower, True
    t = float(target)
    if not fw.level_min <= t <= fw.level_max:
        raise ValidationError(Msg("error.path_target_range", value=f"{t:g}", lo=fw.level_min, hi=fw.level_max))
    return t, False


# --------------------------------------------------------------------------- path to target
DEFAULT_STEP_COSTS = {1: 1.0, 2: 1.0, 3: 1.5, 4: 2.0, 5: 4.0}
"""Effort of one step by the level it reaches: reaching level 5 takes four times the effort of
reaching level 2 (an optimum is harder than a first enactment)."""
DEFAULT_MARGIN = 0.02
"""Safety margin above a band edge: a plan that lands exactly on the edge fails on the first
indicator the evaluators set one level lower than hoped."""
DEFAULT_MAX_STEPS = 5
"""One-level raises an instance can carry out in one round (a handful)."""


def _cheapest(dp: np.ndarray, need: int) -> tuple[int, int] | None:
    """The (steps layer, gain) cell of a knapsack table with the least cost reaching ``need``:
    among equally cheap cells the most gain, then the fewest steps; None when none reaches it."""
    costs = np.full_like(dp, np.inf)
    costs[:, need:] = dp[:, need:]
    best = costs.min()
    if not np.isfinite(best):
        return None
    ks, gs = np.nonzero(costs <= best + 1e-9)
    order = np.lexsort((ks, -gs))  # most gain first, then fewest steps
    return int(ks[order[0]]), int(gs[order[0]])


def _dp_plan(items: list[tuple[str, int, float]], need: int, cap: int | None) -> list[int] | None:
    """Indices of the cheapest items whose gains sum to at least ``need`` using at most ``cap``
    items (None: no cap); among the cheapest, the one raising the index most, then the fewest
    steps. Exact: a knapsack over integer gain units (with a step count when capped)."""
    total = sum(g for _, g, _ in items)
    if total < need:
        return None
    k_max = 0 if cap is None else min(cap, len(items))
    # layer k of dp: the least cost of exactly k items per total gain (one layer, any count, when uncapped)
    layers = 1 if cap is None else k_max + 1
    dp = np.full((layers, total + 1), np.inf)
    dp[0, 0] = 0.0
    take = np.zeros((len(items), layers, total + 1), dtype=bool)
    for j, (_c, g, cost) in enumerate(items):
        # taking item j: from layer k−1 and gain x−g to layer k and gain x (the whole candidate
        # table is computed from the table before item j, then written where it is cheaper)
        src, dst = (dp[:1, : total + 1 - g], dp[:1, g:]) if cap is None else (dp[:-1, : total + 1 - g], dp[1:, g:])
        cand = src + cost
        better = cand < dst - 1e-12
        take[j, (slice(0, 1) if cap is None else slice(1, None)), g:] = better
        np.copyto(dst, cand, where=better)
    cell = _cheapest(dp, need)
    if cell is None:
        return None
    k, g = cell
    chosen = []
    for j in range(len(items) - 1, -1, -1):
        if take[j, k, g]:
            chosen.append(j)
            g -= items[j][1]
            if cap is not None:
                k -= 1
    assert g == 0 and k == 0, "reconstruction failed"
    return chosen


def _items(lv: Mapping[str, float], codes, weights, room, step_cost) -> list[tuple[str, int, float]]:
    """One item per possible one-level step: (code, gain units, cost); within an indicator the
    costs grow with the level, so the cheapest plan always takes the lower steps first."""
    out = []
    for c in codes:
        for k in range(room[c]):
            out.append((c, weights[c], step_cost(c, int(lv[c]) + k + 1)))
    return out


def _dp_groups(groups: list[list[tuple[int, float]]], need: int, cap: int | None) -> list[int] | None:
    """Per group (an indicator), how many of its steps to take — the steps of one indicator are
    taken in order, so a group's options are its prefixes ``(gain, cost)`` for k = 1, 2, … —
    for the least total cost reaching at least ``need`` with at most ``cap`` steps (None: any);
    among the cheapest, the most gain, then the fewest steps. Exact: a multiple-choice knapsack
    over integer gain units. Used where a value's first step is a fraction of a level."""
    total = sum(opts[-1][0] for opts in groups if opts)
    if total < need:
        return None
    layers = 1 if cap is None else cap + 1
    dp = np.full((layers, total + 1), np.inf)
    dp[0, 0] = 0.0
    choice = np.zeros((len(groups), layers, total + 1), dtype=np.int8)
    for j, opts in enumerate(groups):
        best = dp.copy()
        for k, (g, cost) in enumerate(opts, start=1):
            cand = np.full_like(dp, np.inf)
            if cap is None:
                cand[0, g:] = dp[0, : total + 1 - g] + cost
            elif k < layers:
                cand[k:, g:] = dp[: layers - k, : total + 1 - g] + cost
            better = cand < best - 1e-12
            choice[j][better] = k
            best = np.where(better, cand, best)
        dp = best
    cell = _cheapest(dp, need)
    if cell is None:
        return None
    layer, g = cell
    taken = [0] * len(groups)
    for j in range(len(groups) - 1, -1, -1):
        k = int(choice[j, layer, g])
        if k:
            taken[j] = k
            g -= groups[j][k - 1][0]
            if cap is not None:
                layer -= k
    assert g == 0 and layer == 0, "reconstruction failed"
    return taken


def _decimal_steps(lv: Mapping[str, float], codes, weights, fw: Framework, need: int, max_steps, max_raise, step_cost):
    """The least-effort plan for a framework with decimal values (Pemdi): each indicator's first
    step takes its value to the next whole level (1,26 → 2,00), a fraction of a level, at that
    fraction of the level's effort; later steps are whole levels. Returns step dicts, or None
    when the target cannot be reached."""
    scale = fw.value_scale

    def options(c: str, room: int) -> list[tuple[int, float, list[tuple[float, int, int, float]]]]:
        value_u = round(float(lv[c]) * scale)
        out, gain, cost, steps = [], 0, 0.0, []
        start = value_u
        for k in range(room):
            to = value_u // scale + k + 1
            if to > fw.level_max:
                break
            part = to * scale - start
            g = weights[c] * part
            stepc = step_cost(c, to) * part / scale
            gain, cost = gain + g, cost + stepc
            steps = [*steps, (start / scale, to, g, stepc)]
            out.append((gain, cost, steps))
            start = to * scale
        return out

    for cap, room in ((max_steps, int(max_raise)), (None, fw.level_max)):
        opts = [options(c, room) for c in codes]
        taken = _dp_groups([[(g, cost) for g, cost, _ in o] for o in opts], need, cap)
        if taken is not None:
            return [(c, opts[j][k - 1][2]) for j, (c, k) in enumerate(zip(codes, taken)) if k]
    return None


def _schedule(steps: list[dict], fw: Framework, max_steps: int | None, max_raise: int) -> None:
    """Assign each step a round: at most ``max_steps`` steps and ``max_raise`` steps of one
    indicator per round, an indicator's lower steps first, a policy no later than the
    indicators it governs."""
    governed_by = {g: p for p, gs in fw.governs.items() for g in gs}
    planned = {s["base"] for s in steps}
    policy_first = sorted(steps, key=lambda s: (s["base"] not in fw.governs, s["from_level"], -s["ratio"], s["order"]))
    size: dict[int, int] = {}
    per_ind: dict[tuple[str, int], int] = {}
    first_round: dict[str, int] = {}
    last_round: dict[str, int] = {}
    for st in policy_first:
        c = st["indicator"]
        r = last_round.get(c, 0)
        policy = governed_by.get(st["base"])
        if policy in planned and policy in first_round:
            r = max(r, first_round[policy])
        while (max_steps is not None and size.get(r, 0) >= max_steps) or per_ind.get((c, r), 0) >= max_raise:
            r += 1
        st["round"] = r + 1
        size[r] = size.get(r, 0) + 1
        per_ind[(c, r)] = per_ind.get((c, r), 0) + 1
        last_round[c] = r
        first_round.setdefault(st["base"], r)


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
    step_costs: Mapping[int, float] | None = DEFAULT_STEP_COSTS,
    margin: float = DEFAULT_MARGIN,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    wording: str = "regulation",
    validated: bool = False,
    lang: str | None = None,
    frame: bool = True,
) -> pd.DataFrame | tuple[list[dict], dict]:
    """The least-effort one-level raises reaching ``target``, as a roadmap of rounds.

    ``levels``: a Series indexed by indicator code, or a long table (indicator, level) of one
    instance. ``target``: an index value, a predicate name, or None for the next predicate
    band; for a band (None or a name) the plan aims ``margin`` above its lower edge.

    Effort of a step = ``step_costs[level reached]`` (default: growing with the level, so
    level 5 takes 4× the effort of level 2; None: 1 per step) × ``costs`` (a factor: one
    number, or a mapping by indicator code or kind, e.g. ``{"layanan": 2}``; default 1).

    One round holds at most ``max_steps`` raises (None: no cap) and ``max_raise`` raises per
    indicator. If the target is reachable in one round, the plan is the least-effort one
    under those limits (exact, by dynamic programming); otherwise it is the least-effort plan
    over several rounds, scheduled round by round, a policy indicator never after the
    indicators it governs (``fw.governs``) — and no governed indicator raised above the level
    its policy reaches in the plan: where it would be, the policy's steps are added (and steps
    they make unneeded dropped). A "round" here is a phase of work (``tahap``), not an
    evaluation year. With ``predicate_basis="rounded"`` the target
    counts as reached when the index rounded half-up to 2 decimals reaches it.

    Returns one row per step (``indicator, from_level, to_level, gain, cost, index_after``,
    plus ``round``, ``name``, ``to_level_name``, ``units``, ``criterion`` and ``evidence`` of
    the level reached) in the order to take them. ``attrs`` carry ``reachable``, ``message``
    (a :class:`~spbe_toolkit.i18n.Msg`), ``current_index``, ``target``, ``band_edge``,
    ``margin``, ``rounds``, ``index_after``, ``predicate_after`` and ``total_cost``.
    ``frame=False``: the same as ``(steps, attrs)`` — a list of row dicts and the attrs dict —
    without building a DataFrame (what a batch of memos reads).
    """
    fw = load_framework(fw)
    check_basis(predicate_basis)
    if int(max_raise) != max_raise or max_raise < 1:
        raise ValidationError(Msg("error.path_max_raise", value=repr(max_raise)))
    if max_steps is not None and (int(max_steps) != max_steps or max_steps < 1):
        raise ValidationError(Msg("error.path_max_raise", value=repr(max_steps)))
    series = _one_instance_levels(levels, fw, validated=validated)
    lv = dict(zip(series.index, series.to_numpy().tolist()))  # code → level: read per step below
    weights, denom = _entry_units(fw)
    codes = [c for c in fw.entry_codes if c in lv]
    scale = fw.value_scale  # values × scale are whole numbers (1 for whole levels)
    denom *= scale
    current_units = sum(weights[c] * round(float(lv[c]) * scale) for c in codes)
    current = current_units / denom
    current_pred = predicate(current, fw, predicate_basis)
    edge, use_margin = _target_value(target, current_pred, fw)
    tval = None if edge is None else min(edge + (margin if use_margin else 0.0), fw.level_max)
    factor = _costs(fw, costs, codes)

    def step_cost(code: str, to_level: int) -> float:
        base = 1.0 if step_costs is None else float(step_costs.get(to_level, max(step_costs.values())))
        return base * factor[code]

    meta = {"current_index": current, "current_predicate": current_pred, "target": tval, "band_edge": edge,
            "margin": margin if use_margin else 0.0, "predicate_basis": predicate_basis, "max_raise": int(max_raise),
            "max_steps": max_steps}  # fmt: skip

    def result(rows: list[dict], reachable: bool, msg: Msg) -> pd.DataFrame | tuple[list[dict], dict]:
        after = rows[-1]["index_after"] if rows else current
        attrs = {**meta, "reachable": reachable, "message": msg, "index_after": after,
                 "rounds": max((int(r["round"]) for r in rows), default=0),
                 "predicate_after": predicate(after, fw, predicate_basis),
                 "total_cost": float(sum(r["cost"] for r in rows))}  # fmt: skip
        if not frame:
            return rows, attrs
        df = pd.DataFrame({c: [r[c] for r in rows] for c in PATH_COLUMNS}, columns=PATH_COLUMNS)
        df.attrs.update(attrs)
        return df

    if tval is None:
        return result([], True, Msg("coaching.at_top"))
    required = tval - 0.005 if predicate_basis == "rounded" else tval
    need = math.ceil(required * denom - 1e-9) - current_units
    if need <= 0:
        return result([], True, Msg("coaching.reached", target=Num(tval), index=Num(current)))

    order = {c: i for i, c in enumerate(fw.entry_codes)}
    unit_map = responsible_units(fw, units, instance_type, lang)
    if fw.decimals:
        planned = _decimal_steps(lv, codes, weights, fw, need, max_steps, max_raise, step_cost)
        if planned is None:
            best = sum(weights[c] * fw.level_max * scale for c in codes) / denom
            return result([], False, Msg("coaching.unreachable", target=Num(tval), max_raise=max_raise, best=Num(best)))
        steps = [
            {"indicator": c, "base": fw.subitem_parent.get(c, c), "from_level": frm, "to_level": float(to),
             "gain": g / denom, "units": g, "cost": cost, "ratio": g / cost, "order": order[c]}
            for c, parts in planned for frm, to, g, cost in parts
        ]  # fmt: skip
        return result(*_rows(steps, fw, max_steps, max_raise, current_units, denom, unit_map, wording, tval))

    one_round = {c: min(int(max_raise), fw.level_max - int(lv[c])) for c in codes}
    items = _items(lv, codes, weights, one_round, step_cost)
    chosen = _dp_plan(items, need, max_steps)
    if chosen is None:  # not within one round: the least-effort plan over as many rounds as it takes
        items = _items(lv, codes, weights, {c: fw.level_max - int(lv[c]) for c in codes}, step_cost)
        chosen = _dp_plan(items, need, None)
    if chosen is None:
        best = (current_units + sum(g for _, g, _ in items)) / denom
        return result([], False, Msg("coaching.unreachable", target=Num(tval), max_raise=max_raise, best=Num(best)))

    count: dict[str, int] = {}
    for j in chosen:
        count[items[j][0]] = count.get(items[j][0], 0) + 1
    count = _policy_first(count, lv, fw, weights, step_cost, need)
    steps = []
    for c, n in count.items():
        base = fw.subitem_parent.get(c, c)
        for k in range(n):
            frm = int(lv[c]) + k
            cost = step_cost(c, frm + 1)
            steps.append({"indicator": c, "base": base, "from_level": frm, "to_level": frm + 1, "gain": weights[c] / denom,
                          "units": weights[c], "cost": cost, "ratio": weights[c] / cost, "order": order[c]})  # fmt: skip
    return result(*_rows(steps, fw, max_steps, max_raise, current_units, denom, unit_map, wording, tval))


def governing_policies(fw: Framework) -> dict[str, tuple[str, ...]]:
    """Indicator code → the policy indicators that govern it (``fw.governs``; one may have two)."""
    out: dict[str, list[str]] = {}
    for policy, governed in fw.governs.items():
        for g in governed:
            out.setdefault(g, []).append(policy)
    return {g: tuple(ps) for g, ps in out.items()}


def _policy_first(
    count: dict[str, int], lv: Mapping[str, float], fw: Framework, weights, step_cost, need: int
) -> dict[str, int]:
    """The plan's raises (code → how many levels) with the policies first: no indicator is
    raised above the level of a policy that governs it unless that policy is raised to at least
    the same level in the plan (policies before the practice they govern). The raises the
    added policy steps make unnecessary are then dropped, dearest per unit of gain first, while
    the target and the rule still hold."""
    governing = governing_policies(fw)
    count = dict(count)

    def final(c: str) -> int:
        return int(lv[c]) + count.get(c, 0)

    def holds(plan: dict[str, int]) -> bool:
        for c, k in plan.items():
            if k <= 0:
                continue
            top = int(lv[c]) + k
            for p in governing.get(fw.subitem_parent.get(c, c), ()):
                if p in lv and int(lv[p]) + plan.get(p, 0) < top:
                    return False
        return True

    for c in [c for c, k in count.items() if k > 0]:
        for p in governing.get(fw.subitem_parent.get(c, c), ()):
            if p in lv and final(p) < final(c):
                count[p] = min(final(c), fw.level_max) - int(lv[p])
    gained = sum(weights[c] * k for c, k in count.items())
    # drop what is no longer needed: the top step of an indicator, dearest per unit of gain first
    while True:
        tops = sorted(
            (c for c, k in count.items() if k > 0),
            key=lambda c: -step_cost(c, int(lv[c]) + count[c]) / weights[c],
        )
        for c in tops:
            trial = {**count, c: count[c] - 1}
            if gained - weights[c] >= need and holds(trial):
                count, gained = trial, gained - weights[c]
                break
        else:
            return {c: k for c, k in count.items() if k > 0}


def _rows(steps, fw: Framework, max_steps, max_raise, current_units: int, denom: int, unit_map, wording, tval):
    """The plan's steps scheduled into rounds and ordered, as table rows, with the message."""
    _schedule(steps, fw, max_steps, int(max_raise))
    steps.sort(key=lambda s: (s["round"], s["base"] not in fw.governs, -s["ratio"], s["order"], s["from_level"]))
    rows = []
    running = current_units
    for st in steps:
        running += st["units"]
        base, to = st["base"], st["to_level"]
        rows.append({
            "indicator": st["indicator"], "from_level": st["from_level"], "to_level": to, "gain": st["gain"],
            "cost": st["cost"], "index_after": running / denom, "round": st["round"], "name": fw.entry_name(st["indicator"]),
            "to_level_name": fw.level_names(base).get(int(to), ""), "units": ", ".join(unit_map.get(base, [])),
            "criterion": fw.criterion(base, int(to), wording) if fw.has_criteria else fw.kinds[fw.kind_of(base)].get("level_descriptions", {}).get(str(int(to))),
            "evidence": fw.evidence(base, int(to)) if fw.has_criteria else None,
        })  # fmt: skip
    rounds = max(st["round"] for st in steps)
    return rows, True, Msg("coaching.path", target=Num(tval), n=len(rows), rounds=rounds, after=Num(running / denom))


# --------------------------------------------------------------------------- strengths and weaknesses
def indicator_standing(
    levels: Mapping[str, float], fw: Framework, own_index: float, peer: Mapping[str, float] | None = None,
    *, threshold: float = 1.0,
) -> list[dict]:  # fmt: skip
    """Each indicator of ``fw`` against the instance's own index and the peer mean, strongest
    first (``vs_own`` then ``vs_peer``, highest first, missing last; ties in framework order):
    dicts with ``code, level, vs_own, peer_mean, vs_peer, assessment`` (:data:`STRENGTH`,
    :data:`WEAKNESS` or ""). ``levels``: entry code → level (sub-items count as their
    indicator's mean). The rule of :func:`strengths_weaknesses`, in plain Python (a memo asks
    it 600 times)."""
    parent = fw.subitem_parent
    sums: dict[str, list[float]] = {}
    for code, value in levels.items():
        sums.setdefault(parent.get(code, code), []).append(float(value))
    nan = float("nan")
    rows = []
    for code in fw.codes:
        vals = sums.get(code)
        level = sum(vals) / len(vals) if vals else nan
        pm = nan
        if peer is not None and code in peer.keys():
            pm = float(peer[code])
        vs_own, vs_peer = level - own_index, level - pm
        strong = vs_own >= threshold and not vs_peer < 0
        weak = vs_own <= -threshold or vs_peer <= -threshold
        rows.append({"code": code, "level": level, "vs_own": vs_own, "peer_mean": pm, "vs_peer": vs_peer,
                     "assessment": STRENGTH if strong else (WEAKNESS if weak else "")})  # fmt: skip

    def first(v: float) -> tuple:  # highest first, missing last
        return (1, 0.0) if math.isnan(v) else (0, -v)

    return sorted(rows, key=lambda r: (first(r["vs_own"]), first(r["vs_peer"])))


def strengths_weaknesses(
    levels,
    fw: Framework | str,
    peer: pd.Series | pd.DataFrame | None = None,
    *,
    threshold: float = 1.0,
    scores: pd.Series | None = None,
    aspects: bool = True,
) -> dict[str, pd.DataFrame]:
    """Indicators and aspects far above / below the instance's own index and the peer mean.

    ``peer``: mean level per indicator of comparable instances (a Series), or their long
    levels table. An indicator is a strength when it is at least ``threshold`` levels above
    the instance's own index and not below the peer mean; a weakness when at least
    ``threshold`` below its own index or below the peer mean by ``threshold``. Returns
    ``{"indicators": …, "aspects": …}`` sorted strongest first. ``scores``: these levels'
    score row (index and aspects) when already computed, e.g. a workspace's — the levels are
    then taken as checked and not scored again. ``aspects=False``: the indicators only (the
    ``"aspects"`` entry is then None).
    """
    fw = load_framework(fw)
    lv = _one_instance_levels(levels, fw, validated=scores is not None)
    if scores is None:
        table = pd.DataFrame({"instance": "x", "indicator": lv.index, "level": lv.to_numpy()})
        sc = score(table, fw).iloc[0]
    else:
        sc = scores
    own = float(sc["index"])
    parent = fw.subitem_parent
    if isinstance(peer, pd.DataFrame):
        pl = peer.assign(base=peer["indicator"].map(lambda c: parent.get(str(c), str(c))))
        peer = pl.groupby("base")["level"].mean()
    rows = indicator_standing(dict(zip(lv.index, lv.to_numpy().tolist())), fw, own, peer, threshold=threshold)
    ind = fw.indicator_frame
    out = pd.DataFrame(
        {k: [r[k] for r in rows] for k in ("level", "vs_own", "peer_mean", "vs_peer", "assessment")},
        index=pd.Index([r["code"] for r in rows], name=ind.index.name),
    )
    out.insert(0, "aspect", ind["aspect"].reindex(out.index))
    out.insert(0, "name", ind["name"].reindex(out.index))
    if not aspects:
        return {"indicators": out, "aspects": None}
    table = pd.DataFrame({"name": fw.aspects.set_index("code")["name"], "value": sc[fw.aspect_codes].astype(float)})
    table["vs_own"] = table["value"] - own
    if peer is not None:
        w = ind["weight"]
        pm = (peer.reindex(fw.codes) * w).groupby(ind["aspect"]).sum() / w.groupby(ind["aspect"]).sum()
        table["peer_mean"] = pm
        table["vs_peer"] = table["value"] - table["peer_mean"]
    return {"indicators": out, "aspects": table.sort_values("vs_own", ascending=False)}

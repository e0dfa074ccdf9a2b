"""National targets as data (``reference/targets.toml``, each with its source and status)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

import pandas as pd

from spbe_toolkit.frameworks.model import Framework, load_framework


@lru_cache(maxsize=1)
def _data() -> dict:
    ref = resources.files("spbe_toolkit.frameworks") / "reference" / "targets.toml"
    return tomllib.loads(ref.read_text(encoding="utf-8"))


def index_targets() -> pd.DataFrame:
    """National index targets: name, frameworks, first_year, last_year, value, status, source."""
    rows = [
        {**{k: v for k, v in t.items() if k != "years"}, "first_year": t["years"][0], "last_year": t["years"][1]}
        for t in _data()["index"]
    ]
    return pd.DataFrame(rows)


def share_targets() -> pd.DataFrame:
    """Targets for the share of instances Baik or better: group, year, value (percent), status, source."""
    return pd.DataFrame(_data()["share"])


def national_target(fw: Framework | str, year: int | None = None) -> dict | None:
    """The national index target that applies to a round: the narrowest target whose years
    include ``year`` (without a year: the latest one) for the framework; None if none exists."""
    name = load_framework(fw).name
    t = index_targets()
    t = t[t["frameworks"].map(lambda f: name in f)]
    if year is not None:
        t = t[(t["first_year"] <= year) & (t["last_year"] >= year)]
    if t.empty:
        return None
    span = t["last_year"] - t["first_year"]
    best = t.assign(_span=span).sort_values(["last_year", "_span"], ascending=[False, True]).iloc[0]
    return best.drop("_span").to_dict()


def good_predicates(fw: Framework | str) -> list[str]:
    """The predicates counted as "Baik ke atas" (Baik or better) in the framework's band order."""
    preds = load_framework(fw).predicates
    return preds[preds.index(_data()["good_from"]) :]


def evaluation_schedule() -> pd.DataFrame:
    """When national rounds take place: framework, first_year, last_year (empty: open), every
    (years between rounds), status (confirmed / unconfirmed), source."""
    return pd.DataFrame(_data()["schedule"]).reindex(
        columns=["framework", "first_year", "last_year", "every", "status", "source"]
    )


def next_round(framework: str, after: int) -> dict | None:
    """The first national round of ``framework`` after the year ``after`` (year, status,
    source), from :func:`evaluation_schedule`; None when the schedule has ended or is unknown."""
    for s in _data()["schedule"]:
        if s["framework"] != framework:
            continue
        year = max(s["first_year"], after + 1)
        year += (s["first_year"] - year) % s["every"]
        if "last_year" in s and year > s["last_year"]:
            return None
        return {"year": year, "status": s["status"], "source": s["source"]}
    return None


def round_timeline(framework: str, year: int) -> pd.DataFrame:
    """The stages of one round with their dates as reported (``[[timeline]]`` in targets.toml):
    stage, start, end, status, source; empty when nothing is known of that round."""
    for t in _data().get("timeline", []):
        if t["framework"] == framework and t["year"] == year:
            rows = [{**step, "status": t["status"], "source": t["source"]} for step in t["steps"]]
            return pd.DataFrame(rows, columns=["stage", "start", "end", "status", "source"])
    return pd.DataFrame(columns=["stage", "start", "end", "status", "source"])


def transition(framework: str) -> dict | None:
    """The next framework ``framework``'s rounds coach towards (``towards``, ``from_year``,
    status, source; ``[[transition]]`` in targets.toml), or None."""
    for t in _data().get("transition", []):
        if t["framework"] == framework:
            return dict(t)
    return None

"""Recommendations followed up round after round.

A numbered letter (:mod:`.letters`) carries recommendations — one per step of its roadmap's
first phase: the advice, the responsible unit, the year of the next evaluation — and the round
keeps them (schema 12, table ``recommendations``, append-only in both stores). The next round
copies them in (:func:`import_recommendations`, instances matched through the registry and the
name normaliser), records what the instance reports back (:func:`record_follow_up`: done,
partly, not yet, in its own words) and its memos open with what became of each: from the
levels reached in this round (:func:`recommendation_status`) beside what the instance said.

Recommendations and follow-ups are written by the team lead (a server round grants evaluators
only reading them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from spbe_toolkit.errors import SpbeError, ValidationError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.io.names import match_names
from spbe_toolkit.vocab import FOLLOW_UP_STATUSES

STATUS_COLUMNS = ["id", "year", "indicator", "from_level", "to_level", "advice", "unit", "target_year", "letter",
                  "level_now", "status", "reported", "statement"]  # fmt: skip


def _lead(ws) -> str:
    me = ws.whoami()
    if me is not None and not me["lead"]:
        raise ValidationError(Msg("error.lead_only", role=me["role"]))
    return (me["name"] if me else None) or (me["role"] if me else "")


def recommendations(ws, instance: str | None = None) -> pd.DataFrame:
    """The recommendations this round keeps (its own letters' and those copied from earlier
    rounds), oldest first; one instance's when ``instance`` is given."""
    df = ws.store.recommendations()
    return df[df["instance"] == instance].reset_index(drop=True) if instance is not None else df


def follow_ups(ws) -> pd.DataFrame:
    """Every follow-up statement recorded (``recommendation`` is the id in this round), oldest first."""
    return ws.store.follow_ups()


def record_recommendations(ws, rows: Iterable[Mapping[str, Any]], *, recorded_by: str | None = None) -> int:
    """Keep the recommendations of this round's letters (``instance, indicator, from_level,
    to_level, advice, unit, target_year, letter``), in one transaction; a recommendation
    already kept for the same letter, indicator and level is not kept twice. Returns how many
    were added."""
    rows = list(rows)
    if not rows:
        return 0
    who = _lead(ws) or (recorded_by or "").strip()
    now = ws.clock()
    added = 0
    with ws.store.transaction():
        have = ws.store.recommendations()
        seen = set(zip(have["instance"], have["letter"], have["indicator"].astype(str), have["to_level"].astype(float)))
        for r in rows:
            key = (r["instance"], r.get("letter") or "", str(r["indicator"]), float(r["to_level"]))
            if key in seen:
                continue
            seen.add(key)
            ws.store.add_recommendation({**r, "indicator": str(r["indicator"]), "letter": r.get("letter") or "",
                                         "year": ws.year, "framework": ws.framework.name, "source": "",
                                         "unit": r.get("unit") or "", "recorded_by": who or "—", "recorded_at": now})  # fmt: skip
            added += 1
    return added


def import_recommendations(ws, previous) -> pd.DataFrame:
    """Copy an earlier round's recommendations into this one (``previous``: its Workspace or
    the path / URL to open), its instances matched to this round's through the registry and
    the name normaliser; what is already here is not copied twice. Returns one row per earlier
    instance with the instance it was copied for (empty where none)."""
    workspace = type(ws)
    source = previous if isinstance(previous, workspace) else workspace.open(previous)
    try:
        theirs = source.recommendations()
        theirs = theirs[theirs["source"] == ""]  # the earlier round's own, not what it copied itself
        origin = source.location if isinstance(source.location, str) else str(Path(source.location))
    finally:
        if source is not previous:
            source.close()
    mine = list(ws.instances().index)
    mapping = match_names(mine, theirs["instance"].drop_duplicates()).mapping  # this round's name → theirs
    back = {theirs_name: name for name, theirs_name in mapping.items()}
    who = _lead(ws)
    now = ws.clock()
    with ws.store.transaction():
        have = ws.store.recommendations()
        seen = set(zip(have["instance"], have["year"].fillna(-1).astype(int), have["letter"], have["indicator"],
                       have["to_level"].astype(float)))  # fmt: skip
        for r in theirs.to_dict("records"):
            name = back.get(r["instance"])
            if name is None:
                continue
            year = -1 if pd.isna(r["year"]) else int(r["year"])
            key = (name, year, r["letter"], r["indicator"], float(r["to_level"]))
            if key in seen:
                continue
            seen.add(key)
            ws.store.add_recommendation({**r, "instance": name, "year": None if year < 0 else year, "source": origin,
                                         "target_year": None if pd.isna(r["target_year"]) else int(r["target_year"]),
                                         "recorded_by": who or "—", "recorded_at": now})  # fmt: skip
    rows = [{"instance": t, "copied_for": back.get(t, "")} for t in theirs["instance"].drop_duplicates()]
    return pd.DataFrame(rows, columns=["instance", "copied_for"])


def record_follow_up(ws, recommendation: int, status: str, statement: str, *, reported_by: str = "") -> int:
    """Record what the instance reports of one recommendation (``status``: "selesai",
    "sebagian" or "belum"; ``statement``: its own words, required). Returns the record's id."""
    if status not in FOLLOW_UP_STATUSES:
        raise ValidationError(Msg("error.follow_up_status", value=repr(status), choices=", ".join(FOLLOW_UP_STATUSES)))
    if not str(statement or "").strip():
        raise ValidationError(Msg("error.follow_up_statement"))
    known = set(ws.store.recommendations()["id"].astype(int))
    if int(recommendation) not in known:
        raise SpbeError(Msg("error.recommendation_unknown", id=int(recommendation)))
    who = _lead(ws)
    with ws.store.transaction():
        return ws.store.add_follow_up({"recommendation": int(recommendation), "status": status,
                                       "statement": str(statement).strip(), "reported_by": (reported_by or "").strip(),
                                       "recorded_by": who or "—", "recorded_at": ws.clock()})  # fmt: skip


def status_of(level_now: float | None, from_level: float, to_level: float) -> str:
    """What the levels reached say of one recommendation: done (the level recommended reached),
    partly (raised, not yet as far), not yet (no higher than it was)."""
    if level_now is None or pd.isna(level_now):
        return FOLLOW_UP_STATUSES[2]
    if float(level_now) >= float(to_level) - 1e-9:
        return FOLLOW_UP_STATUSES[0]
    if float(level_now) > float(from_level) + 1e-9:
        return FOLLOW_UP_STATUSES[1]
    return FOLLOW_UP_STATUSES[2]


def recommendation_status(
    recs: pd.DataFrame, follow: pd.DataFrame, levels: Mapping[str, float], year: int | None, framework: str
) -> pd.DataFrame:
    """Earlier rounds' recommendations of one instance (``recs``, from :func:`recommendations`)
    with what became of each: ``level_now`` (this round's current level; None when the earlier
    round used another framework, whose indicators are not these), ``status`` from the levels
    (:func:`status_of`; "" when not comparable), and the latest follow-up the instance
    ``reported`` with its ``statement``."""
    earlier = recs[(recs["year"].notna()) & (recs["year"] < (year or 10**4))] if len(recs) else recs
    latest = {int(r["recommendation"]): r for r in follow.to_dict("records")} if len(follow) else {}
    out = []
    for r in earlier.to_dict("records"):
        same = r["framework"] == framework
        now = levels.get(str(r["indicator"])) if same else None
        f = latest.get(int(r["id"]))
        out.append({**{k: r[k] for k in STATUS_COLUMNS if k in r}, "level_now": now,
                    "status": status_of(now, r["from_level"], r["to_level"]) if same else "",
                    "reported": f["status"] if f else "", "statement": f["statement"] if f else ""})  # fmt: skip
    return pd.DataFrame(out, columns=STATUS_COLUMNS)

"""A round read once, frozen: what memos (and anything else that renders a whole round) are made
from, without a live workspace or a database connection inside.

:meth:`Workspace.snapshot` reads every table a memo needs in one go; the snapshot pickles, so
memo worker processes receive it instead of reopening the round. Treat its tables as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from spbe_toolkit.frameworks import Framework
from spbe_toolkit.vocab import STAGES


class RoundSettings:
    """What a round's settings (``meta``) say, for a workspace and a snapshot alike."""

    meta: Mapping[str, str]

    @property
    def year(self) -> int | None:
        """The round's year (None when the round has none)."""
        y = self.meta.get("year", "")
        return int(y) if y else None

    @property
    def predicate_basis(self) -> str:
        return self.meta.get("predicate_basis", "exact")


@dataclass(frozen=True)
class RoundSnapshot(RoundSettings):
    """Framework, settings and every table of a round at one moment (see the module doc)."""

    framework: Framework
    meta: MappingProxyType
    location: str
    instances: pd.DataFrame
    self_assessment: pd.DataFrame
    levels_self: pd.DataFrame  # levels at the self-assessment, as scored (externally fed indicators at their default)
    levels_current: pd.DataFrame
    scores_self: pd.DataFrame
    scores_current: pd.DataFrame
    history: pd.DataFrame
    appeals: pd.DataFrame
    previous_results: pd.DataFrame
    assignments: pd.DataFrame
    findings: pd.DataFrame
    interview_notes: pd.DataFrame
    external_values: pd.DataFrame
    recommendations: pd.DataFrame = field(default_factory=pd.DataFrame)  # schema 12: kept and copied in
    follow_ups: pd.DataFrame = field(default_factory=pd.DataFrame)


def take_snapshot(ws: Any) -> RoundSnapshot:
    """Read ``ws`` (a :class:`~spbe_toolkit.workspace.Workspace`) once into a :class:`RoundSnapshot`."""
    pemdi = bool(ws.framework.decimals or ws.framework.external)
    empty = pd.DataFrame()
    return RoundSnapshot(
        framework=ws.framework,
        meta=MappingProxyType(dict(ws.meta)),
        location=ws.location,
        instances=ws.instances(),
        self_assessment=ws.self_assessment(),
        levels_self=ws.levels(STAGES[0]),
        levels_current=ws.levels("current"),
        scores_self=ws.scores(STAGES[0]),
        scores_current=ws.scores("current"),
        history=ws.history(),
        appeals=ws.appeals(),
        previous_results=ws.previous_results(),
        assignments=ws.assignments(),
        findings=ws.findings() if pemdi else empty,
        interview_notes=ws.interview_notes() if pemdi else empty,
        external_values=ws.external_values() if pemdi else empty,
        recommendations=ws.recommendations(),
        follow_ups=ws.follow_ups(),
    )

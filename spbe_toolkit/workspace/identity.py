"""Who writes: the author of every write and what that author may write, in one place.

* On a **server round** the database says who the session is: the name the team lead
  registered for its role (:func:`add_evaluator`). ``evaluator=`` may be left out; given, it
  must be that name. An evaluator (any role but the round's owner) writes only the instances
  assigned to them and never the final stage — the server's guard enforces all of it for raw
  SQL too; the checks here only say it first, in words.
* On a **SQLite file** (one machine) the typed name is the author, as it always was.
* Everywhere, **a conflict of interest** bars a write: an evaluator whose recorded affiliation
  (in any assignment, or by :func:`add_evaluator`) names the instance — by its name, acronym
  or code, spelled any way :func:`~spbe_toolkit.io.names.same_institution` accepts.
"""

from __future__ import annotations

import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.io.names import same_institution
from spbe_toolkit.vocab import EVALUATOR_STAGES

FINAL_STAGE = EVALUATOR_STAGES[-1]


def whoami(ws) -> dict | None:
    """Who the server says this session is (``role``, registered ``name`` or None, ``lead``);
    None on a file. Read once per open round."""
    if not hasattr(ws, "_identity"):
        ws._identity = ws.store.identity()
    return ws._identity


def author(ws, evaluator, where=None) -> str:
    """The name a write is recorded under (see the module doc), or a :class:`ValidationError`."""
    me = whoami(ws)
    given = evaluator.strip() if isinstance(evaluator, str) else ""
    if me is None or me["name"] is None:
        if me is not None and not me["lead"]:
            raise ValidationError(Msg("error.db_not_evaluator", where=ws.location, detail=me["role"]))
        if not given:
            raise ValidationError(Msg("error.adjust_evaluator", where=where or ws.location))
        return given
    if given and given != me["name"]:
        raise ValidationError(Msg("error.identity_mismatch", given=repr(given), name=me["name"], role=me["role"]))
    return me["name"]


def _who_reviews(ws, counts: tuple[int, int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(assignments, evaluators), read again only when either grew (both are append-only, so
    their row counts name their state): a bulk import checks every row without re-reading.
    ``counts``: those row counts, read already in this transaction (a write's cell state)."""
    counts = ws.store.people_counts() if counts is None else counts
    cached = ws.__dict__.get("_who_reviews")
    if cached is None or cached[0] != counts:
        cached = (counts, ws.store.assignments(), ws.store.evaluators())
        ws._who_reviews = cached
    return cached[1], cached[2]


def affiliations(ws, name: str, counts: tuple[int, int] | None = None) -> list[str]:
    """Every affiliation recorded for ``name``: in an assignment, or when added as an evaluator."""
    a, e = _who_reviews(ws, counts)
    found = list(a.loc[a["evaluator"] == name, "affiliation"]) + list(e.loc[e["name"] == name, "affiliation"])
    return [f for f in dict.fromkeys(found) if isinstance(f, str) and f.strip()]


def conflict_of_interest(ws, name: str, instance: str, counts: tuple[int, int] | None = None) -> str | None:
    """The affiliation of ``name`` that names ``instance`` (None when there is none)."""
    for affiliation in affiliations(ws, name, counts):
        if same_institution(affiliation, instance):
            return affiliation
    return None


def check_may_write(ws, name: str, instance: str, stage: str | None, where=None,
                    counts: tuple[int, int] | None = None) -> None:  # fmt: skip
    """Refuse a write by ``name`` on ``instance`` at ``stage`` that the round's rules forbid:
    a conflict of interest anywhere; on a server round, for an evaluator, the final stage or
    an instance not assigned to them. ``counts``: see :func:`_who_reviews`."""
    barred = conflict_of_interest(ws, name, instance, counts)
    if barred:
        raise ValidationError(Msg("error.write_conflict", evaluator=name, instance=instance, affiliation=barred))
    me = whoami(ws)
    if me is None or me["lead"]:
        return
    if stage == FINAL_STAGE:
        raise ValidationError(Msg("error.db_final", where=where or ws.location, detail=""))
    a, _ = _who_reviews(ws, counts)
    if not ((a["evaluator"] == name) & (a["instance"] == instance)).any():
        raise ValidationError(Msg("error.db_not_assigned", where=where or ws.location, detail=instance))


def add_evaluator(
    ws, role: str, name: str, *, team: str = "", affiliation: str = "", added_by: str | None = None
) -> None:
    """(The team lead.) Register an evaluator: on a server round, create the login role
    ``role`` when absent (no password: the site's authentication — ``pg_hba``, ``.pgpass`` or
    certificates — decides how it logs in), grant it what an evaluator may do here (read the
    round; append events, findings and interview notes within the guard) and record that
    ``role`` is ``name`` (of ``team``, from ``affiliation``). On a file, record the name and
    affiliation only. An affiliation naming an instance already assigned to ``name`` is refused."""
    if not isinstance(name, str) or not name.strip() or not isinstance(role, str) or not role.strip():
        raise ValidationError(Msg("error.assign_names"))
    name, role = name.strip(), role.strip()
    me = whoami(ws)
    if me is not None and not me["lead"]:
        raise ValidationError(Msg("error.lead_only", role=me["role"]))
    lead = (me["name"] if me else None) or (added_by or "").strip() or (me["role"] if me else name)
    a = ws.store.assignments()
    for instance in a.loc[a["evaluator"] == name, "instance"]:
        if affiliation and same_institution(affiliation, instance):
            raise ValidationError(Msg("error.assign_conflict", evaluator=name, instance=instance))
    if role in set(ws.store.evaluators()["role"]):
        raise ValidationError(Msg("error.evaluator_exists", role=role))
    with ws.store.transaction():
        ws.store.register_evaluator(role, name, (team or "").strip(), (affiliation or "").strip(), lead, ws.clock())
    ws.__dict__.pop("_identity", None)


def evaluators(ws) -> pd.DataFrame:
    """The registered evaluators: role, name, team, affiliation, added_by, added_at."""
    return ws.store.evaluators()

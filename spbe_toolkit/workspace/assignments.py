"""Assignments: which evaluator (and team) reviews which instance, refusing a conflict of
interest, and progress per evaluator and team. Mixed into :class:`Workspace`."""

from __future__ import annotations

import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.io.names import same_institution
from spbe_toolkit.vocab import ASSIGNMENT_COLUMN_ALIASES, identity_name
from spbe_toolkit.workspace.identity import author, conflict_of_interest, whoami
from spbe_toolkit.workspace.review import table_with_fields


def assign(
    ws, instance: str, evaluator: str, *, team: str = "", affiliation: str = "", assigned_by: str | None = None
) -> int:
    """Assign ``evaluator`` (of ``team``) to review ``instance``. An evaluator who belongs to
    the instance (``affiliation`` names it, spelled any way the name matcher accepts) cannot be
    assigned: a :class:`ValidationError` says so. Returns the assignment id."""
    with ws.store.transaction():
        return _assign_in_tx(ws, instance, evaluator, team, affiliation, assigned_by)


def import_assignments(ws, table, *, assigned_by: str | None = None) -> int:
    """Assign in bulk from the team lead's table: a DataFrame or an ``.xlsx`` / ``.csv`` path,
    headings in Indonesian or English (Instansi / Evaluator / Tim / Afiliasi, or instance,
    evaluator, team, affiliation; the last two optional). One transaction: a row naming an
    unknown instance or a conflict of interest refuses the whole table, saying which row (as
    the spreadsheet numbers it). Blank rows, and rows naming only an instance (the template's
    rows not filled in yet), are skipped. Returns the number of assignments recorded. :meth:`assignment_template` writes the sheet to fill in."""
    df, first = table_with_fields(table, ASSIGNMENT_COLUMN_ALIASES)
    missing = [c for c in ("instance", "evaluator") if c not in df.columns]
    if missing:
        raise ValidationError(Msg("error.assign_columns", columns=", ".join(missing),
                                  have=", ".join(map(str, df.columns))))  # fmt: skip
    n = 0
    with ws.store.transaction():
        for row_no, r in enumerate(df.to_dict("records"), start=first):
            text = {k: ("" if r.get(k) is None or pd.isna(r.get(k)) else str(r.get(k)).strip())
                    for k in ("instance", "evaluator", "team", "affiliation")}  # fmt: skip
            if not any(text[k] for k in ("evaluator", "team", "affiliation")):
                continue  # blank, or a template row not filled in yet (the instance only)
            try:
                _assign_in_tx(ws, text["instance"], text["evaluator"], text["team"], text["affiliation"],
                                   assigned_by)  # fmt: skip
            except ValidationError as exc:
                raise ValidationError(Msg("error.assign_row", row=row_no, reason=exc.msg)) from exc
            n += 1
    return n


def assignment_template(ws, path, lang: str | None = None):
    """Write the assignment sheet to fill in (``.xlsx`` or ``.csv``): one row per instance of
    the round, with the headings :meth:`import_assignments` reads in ``lang``; returns the path."""
    from spbe_toolkit.i18n import check_lang, tr
    from spbe_toolkit.io.writers import write_table

    lang = check_lang(lang)
    names = list(ws.instances().index)
    df = pd.DataFrame({tr(f"column.{c}", lang): (names if c == "instance" else [""] * len(names))
                       for c in ("instance", "evaluator", "team", "affiliation")})  # fmt: skip
    return write_table(df, path, sheet=tr("export.assignments_sheet", lang))


def _assign_in_tx(ws, instance: str, evaluator: str, team: str, affiliation: str, assigned_by: str) -> int:
    instance = identity_name(instance)
    if not ws.store.has_instance(instance):
        raise ValidationError(Msg("error.instance_not_in_workspace", instance=repr(instance)))
    if not evaluator or not str(evaluator).strip():
        raise ValidationError(Msg("error.assign_names"))
    if whoami(ws) is None and (not assigned_by or not str(assigned_by).strip()):
        raise ValidationError(Msg("error.assign_names"))
    assigned_by = author(ws, assigned_by or None)
    evaluator = str(evaluator).strip()
    if same_institution(affiliation, instance) or conflict_of_interest(ws, evaluator, instance):
        raise ValidationError(Msg("error.assign_conflict", evaluator=evaluator, instance=instance))
    return ws.store.add_assignment(instance, evaluator.strip(), team.strip(), affiliation.strip(),
                                     assigned_by.strip(), ws.clock())  # fmt: skip


def assignments(ws) -> pd.DataFrame:
    """instance, evaluator, team, affiliation, assigned_by, assigned_at (latest per pair)."""
    df = ws.store.assignments().drop(columns="id")
    return df.drop_duplicates(["instance", "evaluator"], keep="last").reset_index(drop=True)


def my_instances(ws, evaluator: str) -> list[str]:
    """The instances assigned to ``evaluator`` (the overview's "my instances")."""
    a = ws.assignments()
    return list(a.loc[a["evaluator"] == evaluator, "instance"])


def progress(ws, by: str = "evaluator") -> pd.DataFrame:
    """Review progress per ``"evaluator"`` or ``"team"``: instances assigned, indicators to
    review, reviewed, open, and the share done (percent)."""
    a = ws.assignments()
    if a.empty:
        return pd.DataFrame(columns=["instances", "indicators", "reviewed", "open", "share_done"])
    st = ws.status()[["indicators", "reviewed", "open"]]
    joined = a.join(st, on="instance")
    key = "team" if by == "team" else "evaluator"
    out = joined.groupby(key).agg(instances=("instance", "nunique"), indicators=("indicators", "sum"),
                                  reviewed=("reviewed", "sum"), open=("open", "sum"))  # fmt: skip
    out["share_done"] = 100.0 * out["reviewed"] / out["indicators"].where(out["indicators"] > 0)
    return out

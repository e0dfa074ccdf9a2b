"""Read-only views of a workspace: instances, self-assessment, levels at a stage, scores,
history, submission versions and the round's status. Mixed into :class:`Workspace`."""

from __future__ import annotations

import pandas as pd

from spbe_toolkit.errors import ValidationError
from spbe_toolkit.i18n import Msg
from spbe_toolkit.io.names import search_names
from spbe_toolkit.scoring import score
from spbe_toolkit.vocab import EVALUATOR_STAGES, SELF_STAGE, STAGES


def instances(ws) -> pd.DataFrame:
    """Instances with the metadata of their latest submitted version."""
    df = ws.store.latest_submissions()
    df["year"] = df["year"].astype("Int64")
    return df.set_index("instance")


def find_instances(ws, query: str, aliases: dict[str, str] | None = None) -> list[str]:
    """The round's instances matching ``query`` — part of the name, acronym, registry code or
    word initials — best first (see :func:`spbe_toolkit.io.names.search_names`)."""
    return search_names(query, ws.instances().index, aliases)


def self_assessment(ws, instance: str | None = None) -> pd.DataFrame:
    """Latest submitted ws-assessment: instance, indicator, level, justification, evidence, version."""
    df = ws.store.self_assessment(instance)
    df["level"] = df["level"].astype(ws.framework.value_dtype)
    # framework order (1, 2, …, 10), not text order (1, 10, 2, …); instances keep import order
    order = {c: i for i, c in enumerate(ws.framework.entry_codes)}
    pos = df["indicator"].map(order)
    inst_pos = pd.Series(pd.factorize(df["instance"])[0], index=df.index)
    return (
        df.assign(_i=inst_pos, _p=pos)
        .sort_values(["_i", "_p"], kind="stable")
        .drop(columns=["_i", "_p"])
        .reset_index(drop=True)
    )


def levels(ws, stage: str = "current", instance: str | None = None, *,
           submitted: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """Tidy levels (instance, indicator, level, source_stage, evaluator, note) at a stage.

    ``"mandiri"``: the ws-assessment. ``"current"``: the latest event of any stage.
    A stage name: the latest event at that stage or an earlier one (the state at the
    end of that stage). Indicators never adjusted keep the ws-assessed level.

    A framework with indicators fed by other national indices (Pemdi) adds a column
    ``provisional``: True where such an indicator has no value yet and counts as the
    framework's default (1,00) — at the assessor's stages whatever the ws-assessment
    says, as the round assumes until the index value is imported.
    """
    if stage != "current" and stage not in STAGES:
        raise ValidationError(Msg("error.bad_view_stage", value=repr(stage), choices=", ".join(STAGES)))
    fw = ws.framework
    base = ws.self_assessment(instance) if submitted is None else submitted  # ``submitted``: read already
    base = base.assign(source_stage=SELF_STAGE, evaluator=None, note=None)[
        ["instance", "indicator", "level", "source_stage", "evaluator", "note"]
    ]
    if fw.external:
        base = _with_external_defaults(ws, base, assessor=stage != SELF_STAGE)
    if stage == SELF_STAGE:
        return _named(ws, base)
    allowed = EVALUATOR_STAGES if stage == "current" else EVALUATOR_STAGES[: EVALUATOR_STAGES.index(stage) + 1]
    ev = ws.store.latest_events(allowed, instance)
    if ev.empty:
        return _named(ws, base)
    merged = base.set_index(["instance", "indicator"])
    ev = ev.set_index(["instance", "indicator"])
    ev = ev[ev.index.isin(merged.index)]
    merged.loc[ev.index, ["level", "source_stage", "evaluator", "note"]] = ev[
        ["level", "source_stage", "evaluator", "note"]
    ].to_numpy()
    if "provisional" in merged.columns:
        merged.loc[ev.index, "provisional"] = False
    merged["level"] = merged["level"].astype(fw.value_dtype)
    return _named(ws, merged.reset_index())


def _named(ws, levels: pd.DataFrame) -> pd.DataFrame:
    """For values with decimals (Pemdi): a ``level_name`` column, the name of each value's
    level (1,26 → Rintisan), so that tables print "1,26 (Rintisan)"."""
    fw = ws.framework
    if not fw.decimals or levels.empty:
        return levels
    names = {c: fw.level_names(c) for c in fw.entry_codes}
    levels["level_name"] = [names[c].get(fw.level_of(v), "") for c, v in zip(levels["indicator"], levels["level"])]
    return levels


def _with_external_defaults(ws, base: pd.DataFrame, *, assessor: bool) -> pd.DataFrame:
    """``base`` with every externally fed indicator of every instance present: the framework's
    default where no value was given (and, at the assessor's stages, always until imported)."""
    fw = ws.framework
    ext = list(fw.external_by_indicator)
    insts = list(dict.fromkeys(base["instance"]))
    full = pd.MultiIndex.from_product([insts, ext], names=["instance", "indicator"])
    have = base.set_index(["instance", "indicator"])
    absent = full.difference(have.index, sort=False)
    extra = pd.DataFrame({"instance": absent.get_level_values(0), "indicator": absent.get_level_values(1),
                          "level": fw.external_default, "source_stage": SELF_STAGE, "evaluator": None,
                          "note": None})  # fmt: skip
    out = pd.concat([base, extra], ignore_index=True) if len(extra) else base.copy()
    is_ext = out["indicator"].isin(ext)
    out["provisional"] = is_ext if assessor else out.index.isin(out.index[len(base) :]) & is_ext
    if assessor:
        out.loc[is_ext, "level"] = fw.external_default
    out["level"] = out["level"].astype(fw.value_dtype)
    order = {c: i for i, c in enumerate(fw.entry_codes)}
    pos = out["instance"].map({n: i for i, n in enumerate(insts)})
    return (
        out.assign(_i=pos, _p=out["indicator"].map(order))
        .sort_values(["_i", "_p"], kind="stable")
        .drop(columns=["_i", "_p"])
        .reset_index(drop=True)
    )


def scores(ws, stage: str = "current", instance: str | None = None) -> pd.DataFrame:
    """Scores at a stage (see :meth:`levels`), honouring the round's predicate basis; for
    Pemdi a ``provisional`` column lists the indicators still counted at their default."""
    lv = ws.levels(stage, instance)
    if lv.empty:
        return pd.DataFrame(columns=["index", "predicate"])
    cols = ["instance", "indicator", "level"] + (["provisional"] if "provisional" in lv.columns else [])
    return score(lv[cols], ws.framework, predicate_basis=ws.predicate_basis)


def score_comparison(
    ws, instance: str | None = None, stages: tuple[str, ...] = (SELF_STAGE, "current")
) -> pd.DataFrame:
    """Scores side by side for several stages: rows (stage, instance), columns as :meth:`scores`."""
    return pd.concat({stage: ws.scores(stage, instance) for stage in stages}, names=["stage"])


def last_event_ids(ws, instance: str) -> dict[str, int]:
    """Indicator → id of its latest event (indicators never adjusted are absent): what an
    editor passes back as ``expected_event``."""
    ev = ws.store.last_event_ids(instance)
    return dict(zip(ev["indicator"], ev["id"].astype(int)))


def previous_results(ws) -> pd.DataFrame:
    """Earlier rounds' results recorded for the instances: instance, year, framework, index,
    predicate, source, recorded_at (latest recording of a year wins)."""
    df = ws.store.previous_results()
    return df.drop_duplicates(["instance", "year"], keep="last").reset_index(drop=True)


def history(ws, instance: str | None = None) -> pd.DataFrame:
    """Every adjustment with who, when, why: id, instance, indicator, stage, from_level, level,
    evaluator, note, created_at, supersedes (oldest first)."""
    df = ws.store.history(instance)
    df["supersedes"] = df["supersedes"].astype("Int64")
    fw = ws.framework
    if fw.decimals:  # values with decimals stay decimals (2,00), however the store returns them
        df["level"] = df["level"].astype(float)
        df["from_level"] = pd.to_numeric(df["from_level"]).astype(float)
    if fw.external:  # a value imported from a national index: which index, its raw value, the conversion
        df["from_level"] = df["from_level"].where(
            df["from_level"].notna() | ~df["indicator"].isin(list(fw.external_by_indicator)), fw.external_default
        )
        x = ws.store.external_of_events()
        df = df.merge(x.rename(columns={"event": "id"}), on="id", how="left")
    return df


def submissions_log(ws) -> pd.DataFrame:
    """Every imported submission version: instance, version, file, content_hash, imported_at."""
    return ws.store.submissions_log()


def status(ws, by: str | None = None, *, instance: str | None = None) -> pd.DataFrame:
    """Per instance (or only ``instance``): stage reached, indicators reviewed / adjusted /
    open, ws and current index. ``by="evaluator"`` or ``by="team"``: the review progress of
    each evaluator or team from the assignments (same as :meth:`progress`)."""
    if by is not None:
        return ws.progress(by=by)
    inst = ws.instances()
    if instance is not None:
        inst = inst[inst.index == instance]
    cols = ["stage_reached", "indicators", "reviewed", "changed_from_self", "open"]
    if inst.empty:
        return pd.DataFrame(columns=cols)
    submitted = ws.self_assessment(instance)  # read once for both views below
    own = levels(ws, SELF_STAGE, instance, submitted=submitted).set_index(["instance", "indicator"])["level"]
    cur = levels(ws, "current", instance, submitted=submitted).set_index(["instance", "indicator"])["level"]
    progress = ws.store.review_progress(instance).set_index("instance")  # one row per instance, not per event
    st = pd.DataFrame(index=inst.index)
    reached = progress["reached"].map(lambda r: STAGES[int(r)])
    st["stage_reached"] = reached.reindex(st.index).astype(object).where(lambda x: x.notna(), SELF_STAGE)
    st["indicators"] = own.groupby(level="instance").size().reindex(st.index).fillna(0).astype(int)
    st["reviewed"] = progress["reviewed"].reindex(st.index).fillna(0).astype(int)
    changed = cur.ne(own.reindex(cur.index))
    st["changed_from_self"] = changed.groupby(level="instance").sum().reindex(st.index).fillna(0).astype(int)
    st["open"] = st["indicators"] - st["reviewed"]
    basis = ws.predicate_basis
    s_self = score(own.reset_index(), ws.framework, predicate_basis=basis)
    s_cur = score(cur.reset_index(), ws.framework, predicate_basis=basis)
    st["self_index"] = s_self["index"]
    st["index"] = s_cur["index"]
    st["predicate"] = s_cur["predicate"]
    return st.join(inst[["instance_type", "province"]])

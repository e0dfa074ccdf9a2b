"""What a memo prints for one instance, built section by section from the round's data.

Each ``*_section`` function returns plain data (unescaped; the template escapes) for one part
of the memo; :func:`memo_context` puts them together. Texts come from the catalogue
(``memo.*``) in the memo's language; numbers use that language's decimal mark.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from spbe_toolkit.coaching import (
    DEFAULT_MAX_STEPS,
    STRENGTH,
    WEAKNESS,
    default_units,
    indicator_standing,
    path_to_target,
)
from spbe_toolkit.errors import SpbeError
from spbe_toolkit.frameworks import Band, Framework, crosswalk
from spbe_toolkit.frameworks.targets import national_target as target_of_round
from spbe_toolkit.frameworks.targets import next_round, round_timeline, transition
from spbe_toolkit.i18n import Msg, check_lang, date_text, labels, number, tr
from spbe_toolkit.i18n.tables import value_text
from spbe_toolkit.io.names import match_names
from spbe_toolkit.io.published import PUBLISHED_FRAMEWORK, load_published
from spbe_toolkit.render.memo.chart import ProfileSvg
from spbe_toolkit.render.memo.letter import LetterProfile, addressee_of, copies_for, head_of, load_letter_profile
from spbe_toolkit.version import __version__
from spbe_toolkit.vocab import FOLLOW_UP_STATUSES, STAGES, VERIFICATION_FLAGS, is_synthetic
from spbe_toolkit.workspace import Workspace
from spbe_toolkit.workspace.recommendations import recommendation_status
from spbe_toolkit.workspace.snapshot import RoundSnapshot

_EPS = 1e-12
MIN_PEERS = 3  # fewer instances of a type than this: no peer mean (it would expose one instance)


@dataclass
class RoundData:
    """What every memo of a round shares: scores, metadata and peer aggregates (computed once)."""

    snap: RoundSnapshot
    self_scores: pd.DataFrame
    final_scores: pd.DataFrame
    instances: pd.DataFrame
    own_levels: pd.DataFrame
    current_levels: pd.DataFrame
    peer_indicator: dict[str, pd.Series]
    peer_scores: dict[str, pd.Series]
    evaluators: dict[str, str]
    peer_counts: dict[str, int] = field(default_factory=dict)
    published: dict[str, dict] = field(default_factory=dict)  # instance → its latest earlier result
    peer_group: dict[str, tuple[str, str]] = field(default_factory=dict)  # instance → (type, province or "")
    charts: dict = field(default_factory=dict)  # reusable profile charts per (lang, with_peer)
    findings: dict[str, pd.DataFrame] = field(default_factory=dict)  # instance → latest finding per indicator
    interview: dict[str, pd.DataFrame] = field(default_factory=dict)  # instance → interview notes
    external: dict[str, pd.DataFrame] = field(default_factory=dict)  # instance → national-index values
    _parts: dict = field(default_factory=dict, repr=False)  # table → {instance → its rows}, split once

    def part(self, table: str, instance: str) -> pd.DataFrame:
        """``instance``'s rows of one of the round's long tables (``own_levels``,
        ``current_levels``, ``appeals``), split by instance once for the whole batch on first
        use — so a memo's cost does not grow with the number of instances in the round."""
        split = self._parts.get(table)
        if split is None:
            df = {"own_levels": self.own_levels, "current_levels": self.current_levels,
                  "appeals": self.snap.appeals}[table]  # fmt: skip
            split = {} if "instance" not in df.columns else dict(iter(df.groupby("instance", sort=False)))
            split[None] = df.iloc[0:0]
            self._parts[table] = split
        return split.get(instance, split[None])

    @classmethod
    def build(cls, source: Workspace | RoundSnapshot) -> RoundData:
        """The shared part of every memo of a round, from a workspace (read once into a
        snapshot) or a snapshot already taken — never a live connection afterwards."""
        snap = source if isinstance(source, RoundSnapshot) else source.snapshot()
        inst, own, cur = snap.instances, snap.self_assessment, snap.levels_current
        s_self, s_fin = snap.scores_self, snap.scores_current
        groups = _peer_groups(inst)  # instance → (type, province or "") of its peers
        types, provinces = inst["instance_type"].fillna(""), inst["province"].fillna("")
        members = {g: inst.index[(types == g[0]) & ((provinces == g[1]) if g[1] else True)] for g in set(groups)}
        parent = snap.framework.subitem_parent
        cur_b = cur.assign(base=cur["indicator"].map(lambda c: parent.get(c, c)))
        peer_ind = {g: cur_b[cur_b["instance"].isin(m)].groupby("base")["level"].mean() for g, m in members.items()}
        numeric = s_fin.drop(columns=[c for c in ("predicate", "provisional") if c in s_fin.columns])
        peer_sc = {g: numeric.loc[numeric.index.isin(m)].mean() for g, m in members.items()}
        hist = snap.history
        evaluators = {k: ", ".join(sorted(set(g["evaluator"]))) for k, g in hist.groupby("instance")}
        counts = {g: len(m) for g, m in members.items()}
        earlier = {**_published(inst.index, snap.year), **_recorded(snap)}
        rd = cls(snap, s_self, s_fin, inst, own, cur, peer_ind, peer_sc, evaluators, counts, earlier, groups.to_dict())
        if len(snap.findings):  # the assessor's work beside the values (Pemdi)
            rd.findings = {k: g for k, g in snap.findings.groupby("instance")}
        if len(snap.interview_notes):
            rd.interview = {k: g for k, g in snap.interview_notes.groupby("instance")}
        if len(snap.external_values):
            rd.external = {k: g for k, g in snap.external_values.groupby("instance")}
        return rd


def _peer_groups(inst: pd.DataFrame) -> pd.Series:
    """Each instance's peers: the same type in the same province when there are at least
    MIN_PEERS of them, otherwise the same type everywhere."""
    types = inst["instance_type"].fillna("")
    provinces = inst["province"].fillna("")
    both = pd.Series(list(zip(types, provinces)), index=inst.index)
    enough = (both.map(both.value_counts()) >= MIN_PEERS) & provinces.ne("")
    return both.where(enough, pd.Series([(t, "") for t in types], index=inst.index))


def _recorded(snap: RoundSnapshot) -> dict[str, dict]:
    """Each instance's latest earlier result recorded in the workspace (``record_previous_results``)."""
    prev = snap.previous_results.drop_duplicates(["instance", "year"], keep="last")
    if snap.year is not None:
        prev = prev[prev["year"] < snap.year]
    latest = prev.sort_values("year").drop_duplicates("instance", keep="last")
    return {
        r["instance"]: {"year": int(r["year"]), "index": float(r["index"]), "predicate": r["predicate"] or "—",
                        "framework": r["framework"], "origin": "recorded", "source": r["source"] or ""}
        for r in latest.to_dict("records")
    }  # fmt: skip


def _published(names, year: int | None) -> dict[str, dict]:
    """Each instance's result in the bundled published tables (matched through the instance
    registry and the name normaliser), for rounds after the published year."""
    table = load_published("results_2024")
    if year is not None and year <= 2024:
        return {}
    mapping = match_names(list(names), table["instance"]).mapping
    rows = table.set_index("instance")
    return {
        name: {"year": 2024, "index": float(rows.at[match, "index"]), "predicate": str(rows.at[match, "predicate"]),
               "framework": PUBLISHED_FRAMEWORK, "origin": "published", "source": ""}
        for name, match in mapping.items()
    }  # fmt: skip


def earlier_result(rd: RoundData, instance: str, given: Mapping[str, float] | None) -> dict | None:
    """The one previous result a memo shows: an index given to ``memo_context(previous=…)``,
    else one recorded in the workspace, else the bundled published one — with where it came from
    (``origin``: given / recorded / published) so the memo never attributes it to the wrong source."""
    if given is not None and instance in given:
        return {"year": None, "index": float(given[instance]), "predicate": None, "framework": rd.snap.framework.name,
                "origin": "given", "source": ""}  # fmt: skip
    return rd.published.get(instance)


@dataclass
class _Instance:
    """One instance's slice of the round, shared by the sections."""

    name: str
    meta: pd.Series
    own: pd.DataFrame
    cur: pd.DataFrame
    final: pd.Series
    self_: pd.Series
    peer_ind: pd.Series | None
    peer_sc: pd.Series | None
    peer_n: int = 0
    peer_group: tuple[str, str] = ("", "")

    @cached_property
    def own_map(self) -> dict[str, int]:
        return dict(zip(self.own["indicator"], self.own["level"]))

    @cached_property
    def cur_map(self) -> dict[str, int]:
        return dict(zip(self.cur["indicator"], self.cur["level"]))

    @cached_property
    def cur_series(self) -> pd.Series:
        return pd.Series(self.cur["level"].to_numpy(), index=self.cur["indicator"].to_numpy())


def _direction(a: float, b: float) -> str:
    return "down" if a < b - _EPS else ("up" if a > b + _EPS else "")


def _next_band(fw: Framework, pred: str) -> Band | None:
    pos = fw.predicates.index(pred)
    return fw.bands[pos + 1] if pos + 1 < len(fw.bands) else None


# --------------------------------------------------------------------------- sections
def summary_section(rd: RoundData, it: _Instance, lang: str, previous: Mapping[str, float] | None,
                    target: float | None, target_confirmed: bool = True) -> dict:  # fmt: skip
    """The standing: final and self index, change since the previous round, target (said to be
    unconfirmed when ``targets.toml`` marks it so), next band."""
    t = labels("memo", lang)
    fw = rd.snap.framework
    fin, slf = float(it.final["index"]), float(it.self_["index"])
    nxt = _next_band(fw, it.final["predicate"])
    earlier = earlier_result(rd, it.name, previous)
    prev = earlier["index"] if earlier and earlier["origin"] == "given" else None
    published = earlier if earlier and earlier["origin"] != "given" else None
    n_changed = sum(1 for c, lv in it.cur_map.items() if lv != it.own_map.get(c))
    s = {
        "final_level": fw.index_level_label(fin, lang) if fw.decimals else "",
        "self_level": fw.index_level_label(slf, lang) if fw.decimals else "",
        "pair": f"{number(slf, lang)} / {number(fin, lang)}" if fw.decimals else "",
        "provisional": _provisional_note(fw, it, lang),
        "final_index": index_text(fin, fw, lang),
        "final_pred": it.final["predicate"],
        "final_pred_css": (it.final["predicate"] or "").replace(" ", "-"),
        "self_index": index_text(slf, fw, lang),
        "self_pred": it.self_["predicate"],
        "diff_self": number(fin - slf, lang, sign=True),
        "diff_self_css": _direction(fin, slf),
        "n_changed": n_changed,
        "previous": number(prev, lang)
        if prev is not None
        else (number(published["index"], lang) if published else "—"),
        "previous_note": (t["change_since"] + " " + number(fin - prev, lang, sign=True))
        if prev is not None
        else (_published_note(published, fin, fw, lang) if published else t["no_previous"]),
        "target": number(target, lang) if target is not None else "—",
        "target_note": (t["above_target"] if fin >= target else t["below_target"]).format(
            d=number(abs(fin - target), lang)
        )
        if target is not None
        else t["no_target"],
        "next_lower": number(nxt.lower, lang) if nxt else "—",
        "next_note": t["to_next"].format(
            d=number(max(nxt.lower - fin, 0), lang, 3 if nxt.lower - fin < 0.005 else 2), p=nxt.predicate
        )
        if nxt
        else t["top_predicate"],
    }
    if target is not None and not target_confirmed:
        s["target_note"] = t["target_unconfirmed"].format(note=s["target_note"])
    direction = {"down": t["lower"], "up": t["higher"], "": t["equal"]}[_direction(fin, slf)]
    text = t["summary"].format(instance=it.name, index=index_text(fin, fw, lang, bare=True), pred=it.final["predicate"],
                               direction=direction, diff=number(abs(fin - slf), lang),
                               self_index=index_text(slf, fw, lang, bare=True),
                               n=n_changed)  # fmt: skip
    subject = t["subject"].format(p=nxt.predicate) if nxt else t["subject_top"]
    return {"s": s, "summary_text": text, "subject": subject}


def _provisional_note(fw: Framework, it: _Instance, lang: str) -> str:
    """ "Sementara — menunggu nilai …" for the indicators still counted at their default."""
    if "provisional" not in it.cur.columns:
        return ""
    waiting = it.cur.loc[it.cur["provisional"].astype(bool), "indicator"].tolist()
    if not waiting:
        return ""
    by_index: dict[str, list[str]] = {}
    for code in waiting:
        by_index.setdefault(fw.external_by_indicator[code].label(lang), []).append(code)
    parts = [f"{', '.join(codes)}: {tr('review.provisional', lang, index=name)}" for name, codes in by_index.items()]
    return labels("memo", lang)["provisional_note"].format(
        value=fw.format_value(fw.external_default, lang), list="; ".join(parts)
    )


def profile_section(rd: RoundData, it: _Instance, lang: str) -> dict:
    """Domains and aspects: self, final and peer values, as a table and a chart."""
    fw = rd.snap.framework
    rows: list[tuple[str, str, bool, float]] = []
    if fw.has_domains:
        for d, dname, dw in zip(fw.domains["code"], fw.domains["name"], fw.domains["weight"]):
            rows.append((d, dname, True, dw))
            a = fw.aspects[fw.aspects["domain"] == d]
            rows.extend((ac, an, False, aw) for ac, an, aw in zip(a["code"], a["name"], a["weight"]))
    else:
        rows = [(ac, an, False, aw) for ac, an, aw in zip(fw.aspects["code"], fw.aspects["name"], fw.aspects["weight"])]
    peer = it.peer_sc if it.peer_n >= MIN_PEERS else None
    table = [
        {
            "code": c, "name": n, "is_domain": isd, "weight": number(w, lang, 1 if w % 1 else 0) + "%",
            "self": number(float(it.self_[c]), lang), "final": number(float(it.final[c]), lang),
            "peer": number(float(peer[c]), lang) if peer is not None else "—",
        }
        for c, n, isd, w in rows
    ]  # fmt: skip
    key = (lang, peer is not None)
    chart = rd.charts.get(key)
    if chart is None:  # axes, ticks, row labels and legend: once per batch (see render.memo.chart)
        chart = rd.charts[key] = ProfileSvg([f"{c} {n}" for c, n, _isd, _w in rows], with_peer=peer is not None,
                                            level_max=fw.level_max, lang=lang,
                                            emphasis=[isd for _c, _n, isd, _w in rows])  # fmt: skip
    svg = chart.svg(
        [float(it.self_[c]) for c, *_ in rows],
        [float(it.final[c]) for c, *_ in rows],
        [float(peer[c]) for c, *_ in rows] if peer is not None else None,
    )
    t = labels("memo", lang)
    itype, province = it.peer_group
    group = t["peer_group_province"].format(type=itype, province=province) if province else (itype or "—")
    note = (t["peer_note"].format(n=it.peer_n, group=group) if peer is not None
            else t["no_peers"].format(n=it.peer_n, group=group, min=MIN_PEERS))  # fmt: skip
    return {"profile_rows": table, "chart_svg": Markup(svg), "peer_note": note}


def indicator_section(rd: RoundData, it: _Instance) -> dict:
    """Every indicator: self and final level, the change, and the note of the final level."""
    fw = rd.snap.framework
    if fw.decimals:  # values with decimals: the assessment section prints them (with the assessor's work)
        return {"indicator_rows": []}
    ind = fw.indicator_frame
    dom_names = fw.domains.set_index("code")["name"] if fw.has_domains else {}
    asp_names = fw.aspects.set_index("code")["name"]
    notes = dict(zip(it.cur["indicator"], it.cur["note"]))
    own_map, cur_map = it.own_map, it.cur_map
    rows = []
    last_d = last_a = None
    for code in fw.entry_codes:
        if code not in own_map:
            continue
        base = fw.subitem_parent.get(code, code)
        d, a = ind.at[base, "domain"], ind.at[base, "aspect"]
        if fw.has_domains and d != last_d:
            rows.append({"kind": "domain", "label": f"{d} — {dom_names[d]}"})
            last_d = d
        if a != last_a:
            rows.append({"kind": "aspect", "label": f"{a} — {asp_names[a]}"})
            last_a = a
        o, f = int(own_map[code]), int(cur_map.get(code, own_map[code]))
        rows.append({"kind": "indicator", "code": code, "name": fw.entry_name(code), "self": o, "final": f,
                     "change": "—" if f == o else f"{f - o:+d}", "css": _direction(f, o),
                     "note": notes.get(code) or ""})  # fmt: skip
    return {"indicator_rows": rows}


_MARKS = {"ya": "✓", "tidak": "–", "na": "◆", None: "○"}


def assessment_section(rd: RoundData, it: _Instance, lang: str) -> dict:
    """Per indicator of a framework with decimal values (Pemdi): the self-assessed and the
    assessor's value with its level name ("1,42 / 1,24"), the three verification marks,
    "tanpa bukti", the assessor's catatan and rekomendasi in their own words, and for an
    indicator fed by a national index which index and agency move it (and "sementara" while
    it counts its default)."""
    fw = rd.snap.framework
    if not fw.decimals:
        return {"assessment_rows": []}
    t = labels("memo", lang)
    asp_names = fw.aspects.set_index("code")["name"]
    ind = fw.indicator_frame
    found = rd.findings.get(it.name, pd.DataFrame(columns=["indicator"])).set_index("indicator")
    ext_values = rd.external.get(it.name, pd.DataFrame(columns=["indicator"])).drop_duplicates("indicator", keep="last")
    ext_values = ext_values.set_index("indicator")
    own_map, cur_map = it.own_map, it.cur_map
    prov = dict(zip(it.cur["indicator"], it.cur["provisional"])) if "provisional" in it.cur.columns else {}
    notes = dict(zip(it.cur["indicator"], it.cur["note"]))
    rows, last_a = [], None
    for code in fw.codes:
        a = ind.at[code, "aspect"]
        if a != last_a:
            rows.append({"kind": "aspect", "label": f"{a} — {asp_names[a]}"})
            last_a = a
        o, f = own_map.get(code, fw.external_default), cur_map.get(code, own_map.get(code))
        fnd = found.loc[code].to_dict() if code in found.index else {}
        ext = fw.external_by_indicator.get(code)
        marks = [(t[f"mark_{k}"], _MARKS.get(fnd.get(k) or ("na" if ext else None), "○")) for k in VERIFICATION_FLAGS]
        source = ""
        if ext is not None:
            source = t["fed_by"].format(index=ext.label(lang), agency=ext.agency_label(lang))
            if code in ext_values.index:
                x = ext_values.loc[code]
                source += " " + t["fed_value"].format(raw=number(x["raw_value"], lang), value=fw.format_value(f, lang))
            if prov.get(code):
                source += " — " + tr("review.provisional", lang, index=ext.label(lang))
        rows.append({
            "kind": "indicator", "code": code, "name": fw.entry_name(code),
            "self": fw.level_names(code).get(fw.level_of(o), ""), "final": fw.level_names(code).get(fw.level_of(f), ""),
            "pair": f"{fw.format_value(o, lang)} / {fw.format_value(f, lang)}", "css": _direction(f, o),
            "marks": marks, "no_evidence": bool(fnd.get("no_evidence")),
            "finding": fnd.get("finding") or "", "recommendation": fnd.get("recommendation") or "",
            "note": notes.get(code) or "", "source": source, "weight": number(ind.at[code, "weight"], lang, 0) + "%",
        })  # fmt: skip
    talk = rd.interview.get(it.name)
    interview = [] if talk is None else [
        {"topic": r["topic"], "note": r["note"], "indicators": r["indicators"], "commitment": r["commitment"]}
        for r in talk.to_dict("records")
    ]  # fmt: skip
    return {"assessment_rows": rows, "interview_notes": interview}


def appeals_section(rd: RoundData, it: _Instance, lang: str) -> dict:
    """The instance's appeals and their decisions."""
    t = labels("memo", lang)
    rows = []
    for a in rd.part("appeals", it.name).to_dict("records"):
        line = t["appeal_line"].format(indicator=a["indicator"], level=a["requested_level"],
                                       decision=value_text("decision", a["decision"], lang))  # fmt: skip
        rows.append({"line": line, "reason": a["reason"] if isinstance(a["reason"], str) else ""})
    return {"appeals": rows}


def strengths_section(rd: RoundData, it: _Instance, lang: str) -> dict:
    """Indicators far above or below the instance's own index and its peers (the five most
    marked of each; the memo prints indicators only)."""
    t = labels("memo", lang)
    fw = rd.snap.framework
    levels = {**{c: fw.external_default for c in fw.external_by_indicator}, **it.cur_map}  # as scored
    standing = indicator_standing(levels, fw, float(it.final["index"]), it.peer_ind)
    names = fw.indicator_frame["name"]

    def rows(kind: str) -> list[dict]:
        part = [r for r in standing if r["assessment"] == kind]
        if kind == WEAKNESS:  # the weakest first, the furthest below the peers among equals
            part.sort(key=lambda r: (r["vs_own"], r["vs_peer"] if r["vs_peer"] == r["vs_peer"] else math.inf))
        out = []
        for r in part[:5]:
            detail = t["vs_own"].format(d=number(r["vs_own"], lang, sign=True))
            if r["peer_mean"] == r["peer_mean"]:  # not NaN: peers known
                detail += "; " + t["vs_peer"].format(d=number(r["vs_peer"], lang, sign=True))
            level = number(r["level"], lang, 0 if float(r["level"]).is_integer() else 2)
            out.append({"code": r["code"], "name": names[r["code"]], "level": level, "detail": detail})
        return out

    return {"strengths": rows(STRENGTH), "weaknesses": rows(WEAKNESS)}


def path_section(rd: RoundData, it: _Instance, lang: str, units, max_raise: int, wording: str = "regulation") -> dict:
    """The roadmap to the next predicate, round by round and grouped by responsible unit, each
    step with the criterion and the evidence of the level to reach; for a top-predicate
    instance, the weakest aspects and what would lift them."""
    t = labels("memo", lang)
    fw = rd.snap.framework
    itype = it.meta["instance_type"] if pd.notna(it.meta["instance_type"]) else None
    path, attrs = path_to_target(
        it.cur_series,
        fw,
        predicate_basis=rd.snap.predicate_basis,
        units=units,
        max_raise=max_raise,
        instance_type=itype,
        wording=wording,
        validated=True,
        lang=lang,
        frame=False,
    )  # fmt: skip  (the steps as plain rows: no DataFrame per memo)
    weights = dict(zip(fw.indicators["indicator"], fw.indicators["weight"]))
    rounds: list[dict] = []
    running = float(attrs["current_index"])
    by_round: dict[int, list] = {}
    for r in path:
        by_round.setdefault(int(r["round"]), []).append(r)
    for rnd in sorted(by_round):
        groups: dict[str, list[dict]] = {}
        by_unit: dict[str, list] = {}
        for r in by_round[rnd]:  # the steps in the order they are printed: by responsible unit
            by_unit.setdefault((r["units"] or "—").split(", ")[0], []).append(r)
        for unit, r in ((unit, r) for unit, unit_steps in by_unit.items() for r in unit_steps):
            running += r["gain"]  # the index after each step, as printed: it never goes backwards
            code = r["indicator"]
            base = fw.subitem_parent.get(code, code)
            ext = fw.external_by_indicator.get(base)
            frm, to = fw.value_label(base, r["from_level"], lang), fw.value_label(base, r["to_level"], lang)
            step = {
                "code": code, "name": r["name"], "line": t["step_line"].format(frm=frm, to=to), "frm": frm, "to": to,
                "from_level": r["from_level"], "to_level": r["to_level"],
                "gain": number(r["gain"], lang, 3), "after": number(running, lang),
                **_criterion_parts(r["criterion"], t), "evidence": r["evidence"],
                "weight": number(weights[base], lang, 0) + "%" if fw.decimals else "",
                "moved_by": t["moved_by"].format(index=ext.label(lang), agency=ext.agency_label(lang)) if ext else "",
            }  # fmt: skip
            groups.setdefault(unit, []).append({**step, "units": r["units"] or "—"})
        rounds.append({"title": t["round_heading"].format(n=int(rnd)), "n": int(rnd), "groups": groups})
    nxt = _next_band(fw, it.final["predicate"])
    margin = ""
    if nxt is not None and attrs.get("margin") and path:
        # what the reserve above the band's edge does, said as it is: does the plan still reach the
        # band if its heaviest step lands one level short?
        heaviest = max(path, key=lambda r: r["gain"])  # the first of the heaviest
        short = float(attrs["index_after"]) - float(heaviest["gain"])
        key = "margin_absorbs" if short >= nxt.lower - 1e-9 else "margin_reserve"
        margin = t[key].format(target=number(attrs["target"], lang), predicate=nxt.predicate,
                               edge=number(nxt.lower, lang), margin=number(attrs["margin"], lang),
                               code=heaviest["indicator"], gain=number(float(heaviest["gain"]), lang, 3),
                               short=number(short, lang, 3))  # fmt: skip
    title = t["path_title"].format(p=nxt.predicate) if nxt else t["keep_title"]
    return {"rounds": rounds, "path_title": title, "path_message": attrs["message"].text(lang),
            "margin_note": margin, "keep": _keep_section(it, fw, lang, wording) if nxt is None else []}  # fmt: skip


_CONDITION = " Kondisi: "
_SHORTFALL = re.compile(r"\b(belum|tidak|tanpa|sebagian)\b", re.IGNORECASE)


def _criterion_parts(text: str | None, t: Mapping[str, str]) -> dict[str, str]:
    """A level's criterion as the memo quotes it: what the level requires, and apart — labelled as
    the state the regulation describes at that level, not as a target — a "Kondisi:" clause that
    tells what is still missing there ("… belum memuat secara lengkap …"). Both word for word."""
    if not text:
        return {"criterion": t["criterion_missing"], "condition": ""}
    head, sep, condition = text.partition(_CONDITION)
    if sep and _SHORTFALL.search(condition):
        return {"criterion": head.strip(), "condition": "Kondisi: " + condition.strip()}
    return {"criterion": text, "condition": ""}


def _keep_section(it: _Instance, fw: Framework, lang: str, wording: str) -> list[dict]:
    """The three weakest aspects of a top-predicate instance and the lowest indicator of each."""
    out = []
    levels = it.cur_series.groupby(lambda c: fw.subitem_parent.get(c, c)).mean()
    ind = fw.indicator_frame
    for code in sorted(fw.aspect_codes, key=lambda a: float(it.final[a]))[:3]:
        members = levels[ind.loc[levels.index, "aspect"] == code]
        low = members.idxmin()
        lvl = fw.level_of(members.min())
        nxt = min(lvl + 1, fw.level_max)
        out.append({
            "aspect": f"{code} — {fw.aspects.set_index('code').at[code, 'name']}", "value": number(float(it.final[code]), lang),
            "code": low, "indicator": f"{low} {fw.entry_name(low)}", "level": fw.level_label(low, lvl, lang),
            "next": fw.level_label(low, nxt, lang), "from_level": lvl, "to_level": nxt,
            **(_criterion_parts(fw.criterion(low, nxt, wording), labels("memo", lang)) if fw.has_criteria
               else {"criterion": None, "condition": ""}),
        })  # fmt: skip
    return out


def _published_note(published: dict, final: float, fw: Framework, lang: str) -> str:
    t = labels("memo", lang)
    change = ""
    if published["framework"] == fw.name:
        change = "; " + t["change_since"] + " " + number(final - published["index"], lang, sign=True)
    else:
        change = t["framework_changed"].format(old=published["framework"])
    if (
        published.get("origin") == "recorded"
    ):  # recorded in the workspace: said with its own source, never as KemenPANRB's
        return t["previous_recorded"].format(index=number(published["index"], lang), predicate=published["predicate"],
                                             year=published["year"], source=published["source"] or "—", change=change)  # fmt: skip
    return t["previous_published"].format(index=number(published["index"], lang), predicate=published["predicate"],
                                          year=published["year"], change=change)  # fmt: skip


def pemdi_section(fw: Framework, year: int | None, codes: list[str], lang: str, show: bool | None = None) -> dict:
    """ "Dalam Indeks Pemdi": where the indicators of the recommended steps (``codes``) will count
    in the framework this one's rounds coach towards (``targets.toml``, ``[[transition]]``),
    through the crosswalk, with its confidence; and the indicators there with no counterpart.
    Shown by default for rounds from the transition's first year."""
    move = transition(fw.name)
    if move is None:
        return {"pemdi": None}
    if show is None:
        show = year is not None and year >= move["from_year"]
    if not show:
        return {"pemdi": None}
    t = labels("memo", lang)
    links = _crosswalk_rows(fw.name, move["towards"], lang)
    rows = []
    for code in dict.fromkeys(fw.subitem_parent.get(c, c) for c in codes):
        targets, confidence, basis = links[code]
        rows.append({
            "code": code, "name": fw.entry_name(code), "targets": "; ".join(targets) or t["pemdi_none"],
            "confidence": tr(f"value.confidence.{confidence}", lang), "basis": basis,
        })  # fmt: skip
    new = _crosswalk(move["towards"], fw.name, lang)
    new = new[new["counterpart"].isna()]
    upcoming = next_round(move["towards"], year or move["from_year"])
    when = (
        ""
        if upcoming is None
        else t["pemdi_next"].format(year=upcoming["year"], status=tr(f"value.target_status.{upcoming['status']}", lang))
    )
    return {"pemdi": {
        "intro": t["pemdi_intro"], "next": when, "rows": rows,
        "new": t["pemdi_new"].format(list="; ".join(f"{c} {n}" for c, n in zip(new["indicator"], new["name"]))),
        "note": t["pemdi_note"],
    }}  # fmt: skip


def _in_pemdi_terms(path: dict, fw: Framework, lang: str, pemdi: dict) -> dict:
    """The roadmap said in the terms of the evaluations to come when they are Pemdi's: each step
    names the Pemdi indicators it serves (the crosswalk, with its confidence), and the phases
    are said to be an order of work, not 59/2020 rounds that will not happen."""
    if not pemdi.get("pemdi") or not path["rounds"]:
        return {**path, "path_pemdi": ""}
    t = labels("memo", lang)
    served = {r["code"]: r for r in pemdi["pemdi"]["rows"]}
    rounds = []
    for rnd in path["rounds"]:
        groups = {}
        for unit, steps in rnd["groups"].items():
            out = []
            for step in steps:
                row = served.get(fw.subitem_parent.get(step["code"], step["code"]))
                line = (
                    "" if row is None else t["step_pemdi"].format(targets=row["targets"], confidence=row["confidence"])
                )
                out.append({**step, "pemdi": line})
            groups[unit] = out
        rounds.append({**rnd, "groups": groups})
    return {**path, "rounds": rounds, "path_pemdi": t["path_pemdi"]}


@lru_cache(maxsize=16)
def _national_target(fw: Framework, year: int | None) -> dict | None:
    """The round's national target (``targets.toml``), read once per framework and year."""
    return target_of_round(fw, year)


@lru_cache(maxsize=16)
def _crosswalk(source: str, target: str, lang: str) -> pd.DataFrame:
    """:func:`crosswalk` once per process for each pair and language (memos only read it)."""
    return crosswalk(source, target, lang=lang)


@lru_cache(maxsize=16)
def _crosswalk_rows(source: str, target: str, lang: str) -> dict[str, tuple[list[str], str, str]]:
    """Per ``source`` indicator: its counterparts ("code name"), the confidence and the basis."""
    out = {}
    for code, part in _crosswalk(source, target, lang).groupby("indicator", sort=False):
        targets = [f"{c} {n}" for c, n in zip(part["counterpart"], part["counterpart_name"]) if isinstance(c, str)]
        out[code] = (targets, part["confidence"].iat[0], part["basis"].iat[0])
    return out


def next_evaluation_year(fw: Framework, year: int | None) -> int | None:
    """The year of the next national evaluation after ``year`` (``targets.toml``'s schedule; the
    framework the round moves to when this one's schedule has ended), None when unknown."""
    if year is None:
        return None
    found = next_round(fw.name, year)
    if found is None and (move := transition(fw.name)) is not None:
        found = next_round(move["towards"], year)
    return found["year"] if found else None


def recommendations_section(rd: RoundData, it: _Instance, path: Mapping, lang: str) -> dict:
    """The letter's recommendations: one per step of the roadmap's first phase, worded as
    advice, with the responsible unit, the target year (the next evaluation) and a column for
    the instance's follow-up; ``recommendation_rows`` are the same as data, for the round to
    keep (:meth:`Workspace.record_recommendations`)."""
    t = labels("memo", lang)
    fw = rd.snap.framework
    target = next_evaluation_year(fw, rd.snap.year)
    rows, data = [], []
    steps = [(unit, r["code"], r["name"], r["frm"], r["to"], r["from_level"], r["to_level"])
             for rnd in path["rounds"][:1] for unit, group in rnd["groups"].items() for r in group]  # fmt: skip
    if not steps and path["keep"]:  # a top-predicate instance: what keeps it, the weakest aspects' lowest indicators
        itype = it.meta["instance_type"] if pd.notna(it.meta["instance_type"]) else None
        units = default_units(fw, itype, lang)
        steps = [(units.get(fw.subitem_parent.get(k["code"], k["code"]), ["—"])[0], k["code"], fw.entry_name(k["code"]),
                  k["level"], k["next"], k["from_level"], k["to_level"])
                 for k in path["keep"] if k["to_level"] > k["from_level"]]  # fmt: skip
    for unit, code, name, frm, to, from_level, to_level in steps:
        advice = t["advice"].format(code=code, name=name, frm=frm, to=to)
        rows.append({"advice": advice, "unit": unit, "target": str(target) if target else "—"})
        data.append({"instance": it.name, "indicator": code, "from_level": from_level, "to_level": to_level,
                     "advice": advice, "unit": unit, "target_year": target})  # fmt: skip
    return {"recommendations": rows, "recommendation_rows": data}


def followup_section(rd: RoundData, it: _Instance, lang: str) -> dict:
    """What became of earlier rounds' recommendations to this instance (copied in with
    :meth:`Workspace.import_recommendations`): the level then, recommended and now, the status
    the levels give, and what the instance reported (tindak lanjut)."""
    t = labels("memo", lang)
    fw = rd.snap.framework
    recs = rd.snap.recommendations
    if not len(recs):
        return {"followups": [], "followup_summary": ""}
    mine = recs[recs["instance"] == it.name]
    table = recommendation_status(mine, rd.snap.follow_ups, it.cur_map, rd.snap.year, fw.name)
    rows, counts = [], {s: 0 for s in FOLLOW_UP_STATUSES}
    for r in table.to_dict("records"):
        if r["status"]:
            counts[r["status"]] += 1
        rows.append({
            "year": int(r["year"]), "advice": r["advice"], "unit": r["unit"] or "—",
            "now": fw.format_value(r["level_now"], lang) if r["level_now"] is not None else "—",
            "status": value_text("follow_up", r["status"], lang) if r["status"] else t["followup_other_framework"],
            "reported": (value_text("follow_up", r["reported"], lang) + ": " if r["reported"] else "") + r["statement"],
        })  # fmt: skip
    if not rows:
        return {"followups": [], "followup_summary": ""}
    years = sorted({r["year"] for r in rows})
    summary = t["followup_summary"].format(n=len(rows), years=", ".join(map(str, years)),
                                           done=counts["selesai"], partly=counts["sebagian"], not_yet=counts["belum"])  # fmt: skip
    return {"followups": rows, "followup_summary": summary}


def timeline_section(fw: Framework, year: int | None, lang: str) -> dict:
    """The round's timeline as reported (``targets.toml``), marked with its status."""
    steps = round_timeline(fw.name, year) if year is not None else None
    if steps is None or steps.empty:
        return {"timeline": None}
    lines = []
    for r in steps.to_dict("records"):
        start, end = date_text(r["start"], lang), date_text(r["end"], lang)
        name = tr("value.timeline." + r["stage"], lang)
        lines.append(f"{name}: {start if start == end else start + ' – ' + end}")
    status = tr(f"value.target_status.{steps['status'].iat[0]}", lang)
    return {"timeline": {"title": labels("memo", lang)["timeline_title"].format(year=year), "lines": lines,
                         "status": status}}  # fmt: skip


def index_text(value: float, fw: Framework, lang: str, *, bare: bool = False) -> str:
    """An index as people should read it: two decimals, or three with "belum mencapai" when two
    would round it up to a predicate boundary it has not reached ("2,598 — belum mencapai 2,60")."""
    for band in fw.bands[1:]:
        if 0 < band.lower - value < 0.005:
            shown = number(value, lang, 3)
            return (
                shown if bare else labels("memo", lang)["near_edge"].format(value=shown, edge=number(band.lower, lang))
            )
    return number(value, lang)


def method_section(rd: RoundData, it: _Instance, lang: str) -> dict:
    """How the numbers were made: framework, predicate basis, stages, input fingerprint."""
    ws = rd.snap
    t = labels("memo", lang)
    stages = sorted(set(it.cur["source_stage"]), key=STAGES.index)
    own_df = it.own[["indicator", "level", "justification", "evidence"]]
    cur_df = it.cur[["indicator", "level", "source_stage", "evaluator", "note"]]
    return {
        "basis_text": t["basis_exact"] if ws.predicate_basis == "exact" else t["basis_rounded"],
        "method_text": t["method_formula_decimal" if ws.framework.decimals else "method_formula"].format(
            cap=DEFAULT_MAX_STEPS, d=ws.framework.decimals
        ),
        "stage_text": ", ".join(tr(f"value.stage.{x}", lang) for x in stages),
        "input_hash": input_hash(ws, it.name, own_df, cur_df),
    }


def input_hash(ws: RoundSnapshot, instance: str, own: pd.DataFrame, cur: pd.DataFrame) -> str:
    """SHA-256 of everything a memo is computed from (framework, basis, the instance's levels and notes)."""
    payload = {
        "framework": ws.framework.name,
        "framework_toml_sha256": hashlib.sha256(ws.meta.get("framework_toml", "").encode()).hexdigest(),
        "predicate_basis": ws.predicate_basis,
        "instance": instance,
        "self": [
            [r.indicator, ws.framework.as_value(r.level), r.justification, r.evidence]
            for r in own.itertuples(index=False)
        ],
        "current": [
            [r.indicator, ws.framework.as_value(r.level), r.source_stage, r.evaluator, r.note]
            for r in cur.itertuples(index=False)
        ],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def letter_section(rd: RoundData, it: _Instance, lang: str, sender: Mapping[str, str] | None,
                   profile: LetterProfile | None = None, number_text: str | None = None) -> dict:  # fmt: skip
    """The letter's parts (tata naskah dinas): letterhead, Nomor / Sifat / Lampiran / Hal, the
    addressee — the head of the instance as its office is named (:func:`~.letter.addressee_of`:
    Menteri Keuangan, Kepala Badan …, Ketua Komisi …, Gubernur, Bupati, Wali Kota …, from
    data) — for the attention of the SPBE coordinator (named as the instance's kind names it),
    the signer (name, NIP/NIDN, position, contact) and the copies (tembusan). Without a letter
    ``profile`` (or without a number) the letter says it is a draft (konsep)."""
    t = labels("memo", lang)
    fw = rd.snap.framework
    itype = it.meta["instance_type"] if pd.notna(it.meta["instance_type"]) else None
    coordinator = default_units(fw, itype, lang).get(fw.coordination_indicator or "", [None])[0]
    sender = dict(sender or {})
    team = (profile.team if profile else "") or sender.get("team") or rd.snap.meta.get("team") \
        or t["sender_default"].format(system=fw.system)  # fmt: skip
    lp = profile or LetterProfile(team=team, team_code="")
    signer_id = f"{lp.signer_id_kind} {lp.signer_id}" if lp.signer_id else ""
    addressee = addressee_of(it.name, itype, lang) or t["addressed_general"].format(instance=it.name)
    attention = t["attention"].format(unit=coordinator) if coordinator else ""
    to_lines = [x for x in t["letter_to"].format(addressee=addressee, attention=attention).split("|") if x.strip()]
    return {
        "addressee": head_of(it.name, itype, lang) or t["addressee_umum"],
        "to_lines": to_lines,
        "sender_team": team,
        "sender_chair": lp.signer_name or sender.get("chair") or "",
        "sender_place": lp.place or sender.get("place") or "",
        "letter": {
            "team": team,
            "institution": lp.institution,
            "address": lp.address,
            "contact": lp.contact,
            "logo": lp.logo,
            "number": number_text or t["number_draft"],
            "draft": not number_text,
            "classification": value_text("classification", lp.classification, lang)
            if profile
            else t["classification_default"],  # the usual words (Biasa, Segera …) in the letter's language
            "attachment": lp.attachment or t["attachment_default"],
            "subject": lp.subject,
            "signer_position": lp.signer_position or t["chair"],
            "signer_id": signer_id,
            "signer_contact": lp.signer_contact,
            "deadline": lp.deadline,
            "decree": lp.decree,
            "appeal": lp.appeal or t["appeal_default"],
            "copies": copies_for(it.name, itype, lang, profile),
        },  # fmt: skip
    }


def letter_body(ctx: Mapping, rd: RoundData, it: _Instance, lang: str) -> dict:
    """The one page for the head of the instance: the standing (index, predicate, the change
    since the last round), the three to five things that matter most (the roadmap's first
    steps, policies first; for a top-predicate instance what keeps it), the deadline and the
    appeal route. Built from the sections already computed (``ctx``)."""
    t = labels("memo", lang)
    fw = rd.snap.framework
    s = ctx["s"]
    change = ""
    if s["previous"] != "—":
        change = t["letter_change"].format(previous=s["previous"], note=s["previous_note"])
    standing = t["letter_standing"].format(system=fw.system, instance=it.name, year=ctx["m"]["year"] or "",
                                           index=s["final_index"], pred=s["final_pred"], change=change)  # fmt: skip
    points = []
    for rnd in ctx["rounds"]:
        for unit, steps in rnd["groups"].items():
            points.extend(t["letter_point"].format(code=r["code"], name=r["name"], line=r["line"], unit=unit)
                          for r in steps)  # fmt: skip
    for k in ctx["keep"]:
        points.append(t["letter_keep"].format(aspect=k["aspect"], indicator=k["indicator"], next=k["next"]))
    if not points:
        points = [t["letter_weak"].format(code=r["code"], name=r["name"], level=r["level"]) for r in ctx["weaknesses"]]
    lead = t["letter_points_path"].format(p=_next_band(fw, it.final["predicate"]).predicate) \
        if ctx["rounds"] else t["letter_points_keep"]  # fmt: skip
    letter = ctx["letter"]
    deadline = t["letter_deadline"].format(date=letter["deadline"]) if letter["deadline"] else ""
    decree = t["letter_decree"].format(decree=letter["decree"]) if letter["decree"] else ""
    if ctx.get("followup_summary"):
        standing += " " + ctx["followup_summary"]
    return {"letter_standing": standing, "letter_points": points[:5], "letter_points_lead": lead,
            "letter_deadline": deadline, "letter_decree": decree}  # fmt: skip


# --------------------------------------------------------------------------- the whole memo
def memo_context(
    rd: RoundData,
    instance: str,
    lang: str | None = None,
    *,
    previous: Mapping[str, float] | None = None,
    national_target: float | None = None,
    generated_at: str | None = None,
    units: Mapping[str, object] | None = None,
    max_raise: int = 1,
    wording: str = "regulation",
    sender: Mapping[str, str] | None = None,
    pemdi: bool | None = None,
    letter: LetterProfile | str | Path | None = None,
    letter_number: str | None = None,
    roadmap_detail: str = "first",
) -> dict:
    """Everything the memo template prints for one instance (plain data, unescaped).

    ``wording``: the criteria as the regulation words them (default) or as the evaluation
    guide does (``"guide"``). ``sender``: the signing team — ``team``, ``chair``, ``place``
    (defaults: the workspace's team, no chair name). ``pemdi``: add the section "Dalam Indeks
    Pemdi" (default: for SPBE rounds from 2025). ``letter``: the team's
    :class:`~.letter.LetterProfile` (letterhead, signer, copies …) and ``letter_number`` the
    number the round gave this letter (:meth:`Workspace.number_letters`); without them the letter
    is printed as a draft. ``roadmap_detail``: ``"first"`` (default) quotes the criteria and
    evidence of the first phase's steps and lists the later phases in a table (the attachment
    of a regency stays within a few pages); ``"all"`` quotes them for every phase.

    ``generated_at``: the date printed (text as given, e.g. "30 Juni 2025"; default today in
    WIB, written as in a government letter).
    """
    lang = check_lang(lang)
    if roadmap_detail not in ("first", "all"):
        raise SpbeError(Msg("error.roadmap_detail", value=repr(roadmap_detail)))
    if letter is not None:
        letter = load_letter_profile(letter)  # a path is read (and checked) here; a profile passes as it is
    ws, fw = rd.snap, rd.snap.framework
    if instance not in rd.instances.index:
        raise SpbeError(Msg("error.instance_not_in_workspace", instance=repr(instance)))
    meta = rd.instances.loc[instance]
    itype = meta["instance_type"] if pd.notna(meta["instance_type"]) else ""
    group = rd.peer_group.get(instance, (itype, ""))
    it = _Instance(
        name=instance,
        meta=meta,
        own=rd.part("own_levels", instance),
        cur=rd.part("current_levels", instance),
        final=rd.final_scores.loc[instance],
        self_=rd.self_scores.loc[instance],
        peer_ind=rd.peer_indicator.get(group) if rd.peer_counts.get(group, 0) >= MIN_PEERS else None,
        peer_sc=rd.peer_scores.get(group),
        peer_n=rd.peer_counts.get(group, 0),
        peer_group=group,
    )
    path = path_section(rd, it, lang, units, max_raise, wording)
    steps = [r["code"] for rnd in path["rounds"] for g in rnd["groups"].values() for r in g]
    pemdi_sec = pemdi_section(fw, ws.year, steps + [k["code"] for k in path["keep"]], lang, pemdi)
    target_confirmed = True  # a target given by the caller is theirs to vouch for
    if national_target is None:
        found = _national_target(fw, ws.year)
        national_target = None if found is None else found["value"]
        target_confirmed = found is None or found.get("status") != "unconfirmed"
    ctx = {
        "lang": lang,
        "t": labels("memo", lang),
        "version": __version__,
        "m": {
            "instance": instance,
            "instance_type": itype or None,
            "province": meta["province"] if pd.notna(meta["province"]) else None,
            "year": ws.year or (int(meta["year"]) if pd.notna(meta["year"]) else None),
            "team": rd.evaluators.get(instance) or ws.meta.get("team") or None,
        },
        "synthetic": is_synthetic(instance),
        "fw_title": fw.title_in(lang),
        "fw_name": fw.name,
        "fw_regulation": fw.regulation,
        # a framework whose level criteria are all still unknown (Pemdi 2026) says so up front
        "criteria_note": labels("memo", lang)["criteria_unavailable_named" if fw.decimals else "criteria_unavailable"]
        if fw.has_criteria and not any(cell["regulation"] or cell["guide"] for cell in fw.criteria.values())
        else "",
        "profile_title": labels("memo", lang)["s_profile" if fw.has_domains else "s_profile_aspects"],
        "detail_rounds": 1 if roadmap_detail == "first" else 10**6,
        "generated_at": generated_at or date_text(None, lang),
        **letter_section(rd, it, lang, sender, letter, letter_number),
        **summary_section(rd, it, lang, previous, national_target, target_confirmed),
        **profile_section(rd, it, lang),
        **indicator_section(rd, it),
        **assessment_section(rd, it, lang),
        **strengths_section(rd, it, lang),
        **appeals_section(rd, it, lang),
        **_in_pemdi_terms(path, fw, lang, pemdi_sec),
        **pemdi_sec,
        **method_section(rd, it, lang),
        **timeline_section(fw, ws.year, lang),
        **recommendations_section(rd, it, path, lang),
        **followup_section(rd, it, lang),
    }
    ctx.update(letter_body(ctx, rd, it, lang))
    return ctx

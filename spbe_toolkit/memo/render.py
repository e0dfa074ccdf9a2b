"""Coaching memos: one self-contained HTML file per instance (inline CSS, inline SVG chart,
no external requests), rendered with Jinja2 (autoescaping on), in bulk across processes.

A memo holds only its own instance's levels and notes plus aggregates (peer means per
instance type, national target). Everything printed from outside is escaped; files are
written only inside the chosen folder, under names derived safely from the instance.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from spbe_toolkit import plots
from spbe_toolkit.coaching import path_to_target, strengths_weaknesses
from spbe_toolkit.errors import SpbeError
from spbe_toolkit.memo.i18n import LABELS
from spbe_toolkit.workspace import STAGE_LABELS, Workspace

NATIONAL_TARGETS = {"spbe2018": 2.60, "spbe2020": 2.60}  # RPJMN 2020–2024; no official Pemdi target yet
_ENV = Environment(
    loader=PackageLoader("spbe_toolkit.memo", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=False,
)


def _num(v, lang: str, digits: int = 2, sign: bool = False) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    s = f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"
    return s.replace(".", ",") if lang == "id" else s


def safe_filename(instance: str) -> str:
    """A file name for an instance's memo: ASCII slug + short hash (no traversal, no collisions)."""
    ascii_ = unicodedata.normalize("NFKD", str(instance)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60].strip("-") or "instansi"
    digest = hashlib.sha256(str(instance).encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}.html"


@dataclass
class RoundData:
    """What every memo of a round shares: scores, metadata and peer aggregates (computed once)."""

    ws: Workspace
    self_scores: pd.DataFrame
    final_scores: pd.DataFrame
    instances: pd.DataFrame
    own_levels: pd.DataFrame
    current_levels: pd.DataFrame
    peer_indicator: dict[str, pd.Series]
    peer_scores: dict[str, pd.Series]
    evaluators: dict[str, str]
    charts: dict = field(default_factory=dict)  # reusable profile charts per (lang, with_peer)

    @classmethod
    def build(cls, ws: Workspace) -> RoundData:
        inst = ws.instances()
        own = ws.self_assessment()
        cur = ws.levels("current")
        s_self = ws.scores("mandiri")
        s_fin = ws.scores("current")
        types = inst["instance_type"].fillna("(tanpa jenis)")
        parent = ws.framework.subitem_parent
        cur_t = cur.assign(base=cur["indicator"].map(lambda c: parent.get(c, c)), type=cur["instance"].map(types))
        peer_ind = {t: g.groupby("base")["level"].mean() for t, g in cur_t.groupby("type")}
        peer_sc = {
            t: s_fin.loc[s_fin.index.isin(types[types == t].index)].drop(columns="predicate").mean()
            for t in types.unique()
        }
        hist = ws.history()
        evaluators = {k: ", ".join(sorted(set(g["evaluator"]))) for k, g in hist.groupby("instance")}
        return cls(ws, s_self, s_fin, inst, own, cur, peer_ind, peer_sc, evaluators)


def _input_hash(ws: Workspace, instance: str, own: pd.DataFrame, cur: pd.DataFrame) -> str:
    payload = {
        "framework": ws.framework.name,
        "framework_toml_sha256": hashlib.sha256(ws.meta.get("framework_toml", "").encode()).hexdigest(),
        "predicate_basis": ws.predicate_basis,
        "instance": instance,
        "self": [[r.indicator, int(r.level), r.justification, r.evidence] for r in own.itertuples(index=False)],
        "current": [
            [r.indicator, int(r.level), r.source_stage, r.evaluator, r.note] for r in cur.itertuples(index=False)
        ],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _css(pred: str | None) -> str:
    return (pred or "").replace(" ", "-")


def memo_context(
    rd: RoundData,
    instance: str,
    lang: str = "id",
    *,
    previous: Mapping[str, float] | None = None,
    national_target: float | None = None,
    generated_at: str | None = None,
    units: Mapping[str, object] | None = None,
    max_raise: int = 1,
) -> dict:
    """Everything the memo template prints for one instance (plain data, unescaped)."""
    if lang not in LABELS:
        raise SpbeError(f"lang must be one of {', '.join(LABELS)}, got {lang!r}")
    t = LABELS[lang]
    ws, fw = rd.ws, rd.ws.framework
    if instance not in rd.instances.index:
        raise SpbeError(
            f"instance {instance!r} is not in this workspace",
            pesan=f"Instansi {instance!r} tidak ada di ruang kerja ini.",
        )
    meta = rd.instances.loc[instance]
    own = rd.own_levels[rd.own_levels["instance"] == instance]
    cur = rd.current_levels[rd.current_levels["instance"] == instance]
    fin = rd.final_scores.loc[instance]
    slf = rd.self_scores.loc[instance]
    itype = meta["instance_type"] if pd.notna(meta["instance_type"]) else "(tanpa jenis)"
    peer_ind = rd.peer_indicator.get(itype)
    peer_sc = rd.peer_scores.get(itype)
    basis = ws.predicate_basis
    target = NATIONAL_TARGETS.get(fw.name) if national_target is None else national_target

    # ---- summary
    final_index, self_index = float(fin["index"]), float(slf["index"])
    own_map = dict(zip(own["indicator"], own["level"]))
    cur_map = dict(zip(cur["indicator"], cur["level"]))
    n_changed = sum(1 for c in cur_map if cur_map[c] != own_map.get(c))
    names = fw.predicates
    pos = names.index(fin["predicate"])
    nxt = fw.bands[pos + 1] if pos + 1 < len(names) else None
    prev = None if previous is None else previous.get(instance)
    s = {
        "final_index": _num(final_index, lang),
        "final_pred": fin["predicate"],
        "final_pred_css": _css(fin["predicate"]),
        "self_index": _num(self_index, lang),
        "self_pred": slf["predicate"],
        "diff_self": _num(final_index - self_index, lang, sign=True),
        "diff_self_css": "down"
        if final_index < self_index - 1e-12
        else ("up" if final_index > self_index + 1e-12 else ""),
        "n_changed": n_changed,
        "previous": _num(prev, lang) if prev is not None else "—",
        "previous_note": (t["change_since"] + " " + _num(final_index - prev, lang, sign=True))
        if prev is not None
        else t["no_previous"],
        "target": _num(target, lang) if target is not None else "—",
        "target_note": (t["above_target"] if final_index >= target else t["below_target"]).format(
            d=_num(abs(final_index - target), lang)
        )
        if target is not None
        else t["no_target"],
        "next_lower": _num(nxt.lower, lang) if nxt else "—",
        "next_note": t["to_next"].format(d=_num(max(nxt.lower - final_index, 0), lang), p=nxt.predicate)
        if nxt
        else t["top_predicate"],
    }
    stages = sorted(set(cur["source_stage"]), key=lambda x: list(STAGE_LABELS).index(x))
    stage_text = ", ".join(STAGE_LABELS[x] for x in stages)
    direction = (
        t["lower"]
        if final_index < self_index - 1e-12
        else (t["higher"] if final_index > self_index + 1e-12 else t["equal"])
    )
    summary_text = t["summary"].format(
        instance=instance, index=s["final_index"], pred=fin["predicate"], direction=direction,
        diff=_num(abs(final_index - self_index), lang), self_index=s["self_index"], n=n_changed,
    )  # fmt: skip

    # ---- profile (domains then aspects) and chart
    prof_codes: list[tuple[str, str, bool, float]] = []
    if fw.has_domains:
        for d, dname, dw in zip(fw.domains["code"], fw.domains["name"], fw.domains["weight"]):
            prof_codes.append((d, dname, True, dw))
            a = fw.aspects[fw.aspects["domain"] == d]
            prof_codes.extend((ac, an, False, aw) for ac, an, aw in zip(a["code"], a["name"], a["weight"]))
    else:
        prof_codes = [
            (ac, an, False, aw) for ac, an, aw in zip(fw.aspects["code"], fw.aspects["name"], fw.aspects["weight"])
        ]
    profile_rows = [
        {
            "code": c, "name": n, "is_domain": isd, "weight": _num(w, lang, 1 if w % 1 else 0) + "%",
            "self": _num(float(slf[c]), lang), "final": _num(float(fin[c]), lang),
            "peer": _num(float(peer_sc[c]), lang) if peer_sc is not None else "—",
        }
        for c, n, isd, w in prof_codes
    ]  # fmt: skip
    labels = [
        f"{c} {n[:34] + ('…' if len(n) > 34 else '')}"
        if isd or not fw.has_domains
        else f"   {c} {n[:32] + ('…' if len(n) > 32 else '')}"
        for c, n, isd, _ in prof_codes
    ]
    key = (lang, peer_sc is not None)
    chart = rd.charts.get(key)
    if chart is None:
        chart = rd.charts[key] = plots.ProfileChart(
            labels,
            with_peer=peer_sc is not None,
            level_range=(fw.level_min, fw.level_max),
            decimal_comma=(lang == "id"),
            legend=(t["self"], t["final"], t["peer"]),
            emphasis=[isd for _c, _n, isd, _w in prof_codes],
        )
    fig = chart.update(
        [float(slf[c]) for c, *_ in prof_codes],
        [float(fin[c]) for c, *_ in prof_codes],
        [float(peer_sc[c]) for c, *_ in prof_codes] if peer_sc is not None else None,
    )
    with matplotlib.rc_context({"svg.hashsalt": "spbe-toolkit", "svg.fonttype": "none"}):
        chart_svg = plots.to_svg(fig)

    # ---- indicator table
    ind = fw.indicators.set_index("indicator")
    parent = fw.subitem_parent
    notes = dict(zip(cur["indicator"], cur["note"]))
    rows = []
    last_d = last_a = None
    for code in fw.entry_codes:
        if code not in own_map:
            continue
        base = parent.get(code, code)
        d, a = ind.at[base, "domain"], ind.at[base, "aspect"]
        if fw.has_domains and d != last_d:
            rows.append({"kind": "domain", "label": f"{d} — {fw.domains.set_index('code').at[d, 'name']}"})
            last_d = d
        if a != last_a:
            rows.append({"kind": "aspect", "label": f"{a} — {fw.aspects.set_index('code').at[a, 'name']}"})
            last_a = a
        o, f = int(own_map[code]), int(cur_map.get(code, own_map[code]))
        rows.append(
            {
                "kind": "indicator", "code": code, "name": ind.at[base, "name"] + (f" ({code})" if code != base else ""),
                "self": o, "final": f, "change": "—" if f == o else f"{f - o:+d}", "css": "down" if f < o else ("up" if f > o else ""),
                "note": notes.get(code) or "",
            }
        )  # fmt: skip

    # ---- strengths and weaknesses
    cur_series = pd.Series(cur["level"].to_numpy(), index=cur["indicator"].to_numpy())
    sw = strengths_weaknesses(cur_series, fw, peer=peer_ind)["indicators"]

    def sw_rows(kind: str) -> list[dict]:
        part = sw[sw["assessment"] == kind]
        part = part.sort_values("vs_own", ascending=(kind == "kelemahan")).head(5)
        out = []
        for code, r in part.iterrows():
            detail = t["vs_own"].format(d=_num(r["vs_own"], lang, sign=True))
            if pd.notna(r["peer_mean"]):
                detail += "; " + t["vs_peer"].format(d=_num(r["vs_peer"], lang, sign=True))
            out.append(
                {
                    "code": code,
                    "name": r["name"],
                    "level": _num(r["level"], lang, 0 if float(r["level"]).is_integer() else 2),
                    "detail": detail,
                }
            )
        return out

    # ---- path to the next predicate
    path = path_to_target(cur_series, fw, predicate_basis=basis, units=units, max_raise=max_raise)
    steps = []
    for r in path.itertuples(index=False):
        base = parent.get(r.indicator, r.indicator)
        kind = fw.kinds[ind.at[base, "kind"]]
        steps.append(
            {
                "code": r.indicator, "name": r.name,
                "from_label": fw.level_label(base, r.from_level), "to_label": fw.level_label(base, r.to_level),
                "gain": _num(r.gain, lang, 3), "after": _num(r.index_after, lang),
                "criterion": kind.get("level_descriptions", {}).get(str(r.to_level), ""), "units": r.units or "—",
            }
        )  # fmt: skip
    path_title = t["path_title"].format(p=path.attrs.get("predicate_after") if nxt is None else nxt.predicate)
    if nxt is None:
        path_title = t["path_title_top"]
    own_df = own[["indicator", "level", "justification", "evidence"]]
    cur_df = cur[["indicator", "level", "source_stage", "evaluator", "note"]]
    prov = [*fw.provenance.get("confirmed", []), *fw.provenance.get("derived", [])]
    return {
        "lang": lang,
        "t": t,
        "version": _version(),
        "m": {
            "instance": instance,
            "instance_type": meta["instance_type"] if pd.notna(meta["instance_type"]) else None,
            "province": meta["province"] if pd.notna(meta["province"]) else None,
            "year": ws.year or (int(meta["year"]) if pd.notna(meta["year"]) else None),
            "team": rd.evaluators.get(instance) or ws.meta.get("team") or None,
        },
        "synthetic": "(Sintetis)" in instance,
        "fw_title": fw.title,
        "fw_name": fw.name,
        "fw_regulation": fw.regulation,
        "generated_at": generated_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "subject": t["subject"].format(p=nxt.predicate) if nxt else t["subject_top"],
        "s": s,
        "summary_text": summary_text,
        "chart_svg": Markup(chart_svg),
        "profile_rows": profile_rows,
        "indicator_rows": rows,
        "strengths": sw_rows("kekuatan"),
        "weaknesses": sw_rows("kelemahan"),
        "path_title": path_title,
        "path_message": path.attrs["message"] if lang == "id" else path.attrs["message_en"],
        "steps": steps,
        "basis_text": t["basis_exact"] if basis == "exact" else t["basis_rounded"],
        "provenance": prov,
        "stage_text": stage_text,
        "input_hash": _input_hash(ws, instance, own_df, cur_df),
    }


def _version() -> str:
    from spbe_toolkit import __version__

    return __version__


def render_memo(
    ws: Workspace, instance: str, lang: str = "id", *, round_data: RoundData | None = None, **options
) -> str:
    """One instance's coaching memo as a self-contained HTML string.

    ``lang``: ``"id"`` (default) or ``"en"``. ``options`` are those of :func:`memo_context`:
    ``previous`` (instance → index of the previous round, shown as the change since then),
    ``national_target``, ``generated_at`` (fixes the printed date, for byte-identical
    output), ``units`` (overrides the responsible units) and ``max_raise``.
    """
    rd = round_data or RoundData.build(ws)
    return _ENV.get_template("memo.html.j2").render(**memo_context(rd, instance, lang, **options))


# --------------------------------------------------------------------------- batch
_WORKER: dict = {}


def _init_worker(path: str) -> None:
    matplotlib.use("Agg")
    ws = Workspace.open(path)
    _WORKER["ws"] = ws
    _WORKER["rd"] = RoundData.build(ws)


def _render_chunk(names: list[str], out_dir: str, lang: str, opts: dict) -> list[dict]:
    ws, rd = _WORKER["ws"], _WORKER["rd"]
    return [_render_one(ws, rd, name, Path(out_dir), lang, opts) for name in names]


def _render_one(ws: Workspace, rd: RoundData, name: str, out_dir: Path, lang: str, opts: dict) -> dict:
    html = render_memo(ws, name, lang, round_data=rd, **opts)
    target = (out_dir / safe_filename(name)).resolve()
    if target.parent != out_dir.resolve():  # never write outside the chosen folder
        raise SpbeError(f"refusing to write {target} outside {out_dir}")
    target.write_text(html, encoding="utf-8")
    fin = rd.final_scores.loc[name]
    return {"instance": name, "file": target.name, "index": float(fin["index"]), "predicate": fin["predicate"],
            "instance_type": rd.instances.at[name, "instance_type"]}  # fmt: skip


def render_memos(
    ws: Workspace,
    out_dir: str | Path,
    instances: Iterable[str] | None = None,
    lang: str = "id",
    workers: int | None = None,
    *,
    previous: Mapping[str, float] | None = None,
    national_target: float | None = None,
    generated_at: str | None = None,
    units: Mapping[str, object] | None = None,
    progress: bool = True,
) -> list[Path]:
    """Render one memo file per instance into ``out_dir`` plus an ``index.html``; returns the memo paths.

    ``workers``: processes to use (default: all cores; 1 renders in this process). The
    output is deterministic: the same workspace and ``generated_at`` give the same bytes.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = list(ws.instances().index) if instances is None else list(instances)
    known = set(ws.instances().index)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SpbeError(f"not in this workspace: {', '.join(map(repr, unknown[:5]))}")
    files = [safe_filename(n) for n in names]
    if len(set(files)) != len(files):
        raise SpbeError("two instances map to the same memo file name")
    generated_at = generated_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    opts = {"previous": dict(previous) if previous else None, "national_target": national_target, "generated_at": generated_at,
            "units": dict(units) if units else None}  # fmt: skip
    workers = workers or os.cpu_count() or 1
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(names), desc="Menyusun memo", unit="memo")
    results: list[dict] = []
    if workers <= 1 or len(names) < 4:
        rd = RoundData.build(ws)
        for n in names:
            results.append(_render_one(ws, rd, n, out, lang, opts))
            if bar is not None:
                bar.update(1)
    else:
        size = max(1, min(25, len(names) // (workers * 4) or 1))
        chunks = [names[i : i + size] for i in range(0, len(names), size)]
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(str(ws.path),)) as pool:
            futures = [pool.submit(_render_chunk, c, str(out), lang, opts) for c in chunks]
            for fut in as_completed(futures):
                part = fut.result()
                results.extend(part)
                if bar is not None:
                    bar.update(len(part))
    if bar is not None:
        bar.close()
    order = {n: i for i, n in enumerate(names)}
    results.sort(key=lambda r: order[r["instance"]])
    fw = ws.framework
    rows = [
        {
            **r,
            "index": _num(r["index"], lang),
            "instance_type": r["instance_type"] if pd.notna(r["instance_type"]) else "—",
        }
        for r in results
    ]
    index_html = _ENV.get_template("index.html.j2").render(
        lang=lang, t=LABELS[lang], rows=rows, fw_title=fw.title, year=ws.year, generated_at=generated_at
    )
    (out / "index.html").write_text(index_html, encoding="utf-8")
    return [out / r["file"] for r in results]


class MemoView:
    """Shows a memo inside a notebook cell in a sandboxed iframe (its styles stay inside)."""

    def __init__(self, html: str, height: int = 700) -> None:
        self.html = html
        self.height = height

    def _repr_html_(self) -> str:
        import html as _html

        return (
            f'<iframe srcdoc="{_html.escape(self.html, quote=True)}" sandbox="" '
            f'style="width:100%;height:{int(self.height)}px;border:1px solid #ccc"></iframe>'
        )


def show_memo(ws: Workspace, instance: str, lang: str = "id", **kwargs) -> MemoView:
    """Render a memo and return an object that displays it in a notebook cell."""
    return MemoView(render_memo(ws, instance, lang, **kwargs))

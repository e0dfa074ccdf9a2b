"""Matplotlib charts shared by memos, notebooks and statistics.

Every function returns a :class:`Chart` — a :class:`matplotlib.figure.Figure` built without
pyplot (safe in worker processes and headless runs) that Jupyter shows as an image — for
further styling. Labels are in ``lang`` (default: the configured language), with the
language's decimal mark. Names from outside (groups, provinces, aspects) are drawn as plain
text: a ``$`` never starts mathtext.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from spbe_toolkit.frameworks import load_framework
from spbe_toolkit.frameworks.targets import national_target
from spbe_toolkit.i18n import check_lang, number, tr
from spbe_toolkit.io.published import PUBLISHED_FRAMEWORK
from spbe_toolkit.render.palette import SERIES_COLOURS
from spbe_toolkit.vocab import PUBLISHED_TYPES

# colours of the predicate bands, lowest band first (ColorBrewer RdBu-like)
BAND_COLOURS = ("#b2182b", "#ef8a62", "#f7d55a", "#67a9cf", "#2166ac")
DARK_BANDS = (0, 3, 4)  # bands whose colour needs white text


class Chart(Figure):
    """A figure that shows itself in Jupyter (PNG) without pyplot or an inline backend."""

    def _repr_png_(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100)
        return buf.getvalue()

    def png(self, dpi: int = 110) -> bytes:
        """The chart as PNG bytes (for reports)."""
        import io

        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()


def plain(text) -> str:
    """Text drawn as it is: ``$`` escaped so names never reach mathtext."""
    return str(text).replace("$", r"\$")


def _fmt(lang: str | None, digits: int = 2):
    def f(x, _pos=None):
        return number(x, lang, digits)

    return FuncFormatter(f)


def _order(values: Sequence[str]) -> list[str]:
    known = [t for t in PUBLISHED_TYPES if t in set(values)]
    return known + sorted(set(values) - set(known))


def predicate_distribution(
    results: pd.DataFrame, by: str = "instance_type", *, lang: str | None = None, title: str | None = None
) -> Chart:
    """Stacked horizontal bars: share of each predicate per group, in band order."""
    lang = check_lang(lang)
    predicates = load_framework(PUBLISHED_FRAMEWORK).predicates
    df = results.copy()
    df["predicate"] = pd.Categorical(df["predicate"].astype(object), categories=predicates, ordered=True)
    counts = (
        df.groupby(by, observed=True)["predicate"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=predicates, fill_value=0)
    )
    counts = (
        counts.loc[_order(list(counts.index.astype(str)))[::-1]] if by in ("instance_type", "report_group") else counts
    )
    shares = 100.0 * counts.div(counts.sum(axis=1), axis=0)
    fig = Chart(figsize=(8.5, 0.45 * len(shares) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    left = np.zeros(len(shares))
    groups = [plain(g) for g in shares.index.astype(str)]
    for k, p in enumerate(predicates):
        vals = shares[p].to_numpy()
        ax.barh(groups, vals, left=left, color=BAND_COLOURS[k], label=p, edgecolor="white", linewidth=0.6)
        for y, (v, lft) in enumerate(zip(vals, left)):
            if v >= 7:
                ax.text(lft + v / 2, y, f"{v:.0f}%", ha="center", va="center", fontsize=8,
                        color="white" if k in DARK_BANDS else "black")  # fmt: skip
        left += vals
    for y, n in enumerate(counts.sum(axis=1)):
        ax.text(101, y, f"n={n}", va="center", fontsize=8)
    ax.set_xlim(0, 112)
    ax.set_xlabel(tr("chart.share_axis", lang))
    ax.set_title(title or tr("chart.predicate_title", lang), pad=24)
    ax.legend(ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def index_distribution(
    results: pd.DataFrame, by: str = "instance_type", *, fw: str = PUBLISHED_FRAMEWORK, lang: str | None = None,
    title: str | None = None,
) -> Chart:  # fmt: skip
    """Box plot with every instance as a dot, per group; band edges as faint lines."""
    lang = check_lang(lang)
    bands = load_framework(fw).bands
    groups = _order([str(g) for g in results[by].dropna().unique()])
    data = [results.loc[results[by].astype(str) == g, "index"].dropna().to_numpy() for g in groups]
    fig = Chart(figsize=(8.5, 0.55 * len(groups) + 1.6), layout="constrained")
    ax = fig.add_subplot()
    ax.boxplot(data, orientation="horizontal", tick_labels=[plain(g) for g in groups], widths=0.55,
               showfliers=False, medianprops={"color": "#1f5fa6"})  # fmt: skip
    rng = np.random.default_rng(0)
    for i, d in enumerate(data, start=1):
        ax.scatter(d, i + rng.uniform(-0.18, 0.18, len(d)), s=6, alpha=0.45, color="#444444", linewidths=0)
    for band in bands[1:]:
        ax.axvline(band.lower, color="#bbbbbb", lw=0.8, ls=":")
        ax.text(band.lower + 0.02, len(groups) + 0.45, f"{band.predicate} ≥", fontsize=7, color="#777777", va="bottom")
    ax.xaxis.set_major_formatter(_fmt(lang, 1))
    ax.set_xlabel(tr("chart.index", lang))
    ax.set_title(title or tr("chart.index_title", lang), pad=14)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def national_series(series: pd.DataFrame, *, lang: str | None = None, title: str | None = None) -> Chart:
    """National index per year with the national targets of those years (from the targets data)
    and the change of framework between 2020 and 2021 marked."""
    lang = check_lang(lang)
    fmt = _fmt(lang)
    fig = Chart(figsize=(8, 4.2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(
        series["year"],
        series["national_index"],
        marker="o",
        color="#1f5fa6",
        lw=2,
        label=tr("chart.national_index", lang),
    )
    for x, y in zip(series["year"], series["national_index"]):
        ax.annotate(fmt(y), (x, y), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=9)
    years = [int(y) for y in series["year"]]
    long_term = national_target(PUBLISHED_FRAMEWORK, min(years))
    if long_term is not None:
        name = tr("value.target." + long_term["code"], lang)
        ax.axhline(long_term["value"], color="#b2182b", ls="--", lw=1.2, label=f"{name} ({fmt(long_term['value'])})")
    for year in years:
        t = national_target(PUBLISHED_FRAMEWORK, year)
        if t is not None and long_term is not None and t["code"] != long_term["code"]:
            name = tr("value.target." + t["code"], lang)
            ax.scatter([year], [t["value"]], marker="_", s=300, color="#ef8a62", zorder=3,
                       label=f"{name} ({fmt(t['value'])})")  # fmt: skip
    ax.axvline(2020.5, color="#777777", ls=":", lw=1)
    bottom = ax.get_ylim()[0] + 0.05
    for x, key, ha in ((2020.55, "chart.framework_2020", "left"), (2020.45, "chart.framework_2018", "right")):
        ax.text(x, bottom, tr(key, lang), fontsize=8, color="#555555", va="bottom", ha=ha)
    ax.yaxis.set_major_formatter(_fmt(lang, 1))
    ax.set_xticks(series["year"])
    ax.set_xlabel(tr("chart.year", lang))
    ax.set_ylabel(tr("chart.index", lang))
    ax.set_title(title or tr("chart.series_title", lang, first=min(years), last=max(years)))
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def province_means(
    results: pd.DataFrame, *, lang: str | None = None, national: float | None = None, title: str | None = None
) -> Chart:
    """Mean index by province (regional instances), sorted, with the national mean line."""
    lang = check_lang(lang)
    fmt = _fmt(lang)
    df = results.dropna(subset=["province"])
    means = df.groupby("province", observed=True)["index"].agg(["mean", "size"]).sort_values("mean")
    fig = Chart(figsize=(8, 0.22 * len(means) + 1.5), layout="constrained")
    ax = fig.add_subplot()
    ax.barh([plain(p) for p in means.index.astype(str)], means["mean"], color="#67a9cf")
    for y, (m, n) in enumerate(zip(means["mean"], means["size"])):
        ax.text(m + 0.02, y, f"{fmt(m)} (n={n})", va="center", fontsize=7)
    ref = national if national is not None else df["index"].mean()
    ax.axvline(ref, color="#b2182b", ls="--", lw=1, label=tr("chart.mean_line", lang, value=fmt(ref)))
    ax.set_xlim(0, max(5.0, means["mean"].max() + 0.6))
    ax.tick_params(axis="y", labelsize=7)
    ax.xaxis.set_major_formatter(_fmt(lang, 1))
    ax.set_xlabel(tr("chart.province_axis", lang))
    ax.set_title(title or tr("chart.province_title", lang))
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def harmonisation(table: pd.DataFrame, matrix: pd.DataFrame | None = None, *, lang: str | None = None,
                  title: str | None = None) -> Chart:  # fmt: skip
    """Do evaluators judge alike? Left: each evaluator's mean change against the
    self-assessment (bar) with its spread (line), evaluators whose changes differ markedly
    from their peers' in red. Right (when ``matrix`` is given): mean change per evaluator ×
    indicator. ``table`` and ``matrix`` are ``ws.harmonisation()`` and
    ``ws.harmonisation("matrix")``."""
    lang = check_lang(lang)
    fmt = _fmt(lang, 2)
    t = table.sort_values("mean_change")
    wide = matrix is not None and not matrix.empty
    fig = Chart(figsize=(11 if wide else 7, 0.45 * len(t) + 2.2), layout="constrained")
    ax = fig.add_subplot(1, 2, 1) if wide else fig.add_subplot()
    names = [plain(e) for e in t.index.astype(str)]
    colours = ["#b2182b" if flag else "#1f5fa6" for flag in t["differs_from_peers"]]
    ax.barh(names, t["mean_change"], color=colours, height=0.6)
    ax.errorbar(t["mean_change"], names, xerr=t["spread_change"].fillna(0), fmt="none", ecolor="#444", lw=1)
    for y, (n, z) in enumerate(zip(t["indicators_reviewed"], t["robust_z"])):
        ax.text(1.01, y, tr("chart.harmonisation_label", lang, n=n, z=fmt(z)), va="center", ha="left",
                fontsize=7, transform=ax.get_yaxis_transform(), clip_on=False)  # fmt: skip
    ax.axvline(0, color="#888", lw=0.8)
    ax.xaxis.set_major_formatter(_fmt(lang, 1))
    ax.set_xlabel(tr("chart.harmonisation_axis", lang))
    ax.set_title(tr("chart.harmonisation_evaluators", lang), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    if wide:
        hx = fig.add_subplot(1, 2, 2)
        m = matrix.reindex(t.index[::-1])  # rows in the order of the bars, top to bottom
        limit = max(1.0, float(np.nanmax(np.abs(m.to_numpy(dtype=float)))))
        image = hx.imshow(m.to_numpy(dtype=float), cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
        hx.set_yticks(range(len(m.index)), [plain(e) for e in m.index.astype(str)], fontsize=7)
        hx.set_xticks(range(len(m.columns)), [plain(c) for c in m.columns], fontsize=6, rotation=90)
        hx.set_xlabel(tr("chart.harmonisation_indicator", lang))
        hx.set_title(tr("chart.harmonisation_matrix", lang), fontsize=10)
        bar = fig.colorbar(image, ax=hx, shrink=0.8)
        bar.ax.yaxis.set_major_formatter(_fmt(lang, 1))
        bar.set_label(tr("chart.harmonisation_axis", lang), fontsize=8)
    fig.suptitle(title or tr("chart.harmonisation_title", lang))
    return fig


def domain_profile(
    results: pd.DataFrame, by: str = "instance_type", *, fw: str = PUBLISHED_FRAMEWORK, lang: str | None = None,
    title: str | None = None,
) -> Chart:  # fmt: skip
    """Mean of each domain per group, as grouped bars (domains and their names from the framework)."""
    lang = check_lang(lang)
    framework = load_framework(fw)
    domains = framework.domain_codes
    means = results.groupby(by, observed=True)[domains].mean()
    means = means.loc[_order(list(means.index.astype(str)))]
    fig = Chart(figsize=(9, 4.4), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(means)
    x = np.arange(len(domains))
    cmap = ["#1f5fa6", "#67a9cf", "#a6cee3", "#ef8a62", "#f7d55a", "#b2182b", "#7b3294", "#4d9221"]
    for i, (g, row) in enumerate(means.iterrows()):
        ax.bar(x + i * width - 0.4 + width / 2, row.to_numpy(), width, label=plain(g), color=cmap[i % len(cmap)])
    ax.set_xticks(x, [f"{d}\n{plain(n)}" for d, n in zip(domains, framework.domains["name"])])
    ax.set_ylim(0, framework.level_max)
    ax.yaxis.set_major_formatter(_fmt(lang, 1))
    ax.set_ylabel(tr("chart.domain_axis", lang))
    ax.set_title(title or tr("chart.domain_title", lang))
    ax.legend(ncols=3, fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def instance_profile(labels: Sequence[str], mandiri: Sequence[float], final: Sequence[float], peer: Sequence[float] | None = None,
                     *, level_range: tuple[int, int] = (1, 5), lang: str | None = None, title: str = "",
                     legend: tuple[str, str, str] | None = None, emphasis: Sequence[bool] | None = None) -> Chart:  # fmt: skip
    """One instance's domain or aspect values: self-assessment, final and peer mean
    (``emphasis`` marks rows, e.g. domains, whose labels are set in bold).

    Laid out with fixed margins (no constrained layout): memos render hundreds of these,
    and the fixed layout halves the drawing time.
    """
    lang = check_lang(lang)
    legend = legend or (tr("memo.self", lang), tr("memo.final", lang), tr("memo.peer", lang))
    n = len(labels)
    height = 0.3 * n + 1.0
    fig = Chart(figsize=(7.2, height))
    fig.subplots_adjust(left=0.36, right=0.97, top=1 - 0.25 / height, bottom=0.75 / height)
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    series = [(mandiri, legend[0], SERIES_COLOURS["self"]), (final, legend[1], SERIES_COLOURS["final"])]
    if peer is not None:
        series.append((peer, legend[2], SERIES_COLOURS["peer"]))
    h = 0.8 / len(series)
    for i, (vals, name, colour) in enumerate(series):
        ax.barh(y + 0.4 - h / 2 - i * h, vals, h, label=name, color=colour)
    fmt = _fmt(lang)
    for yy, v in zip(y, final):
        ax.text(v + 0.04, yy + 0.4 - h * 1.5, fmt(v), va="center", fontsize=7)
    ax.set_yticks(y, [plain(label) for label in labels], fontsize=8)
    for label, bold in zip(ax.get_yticklabels(), emphasis or []):
        if bold:
            label.set_fontweight("bold")
    ax.set_xlim(0, level_range[1] + 0.3)
    ax.set_xticks(range(0, level_range[1] + 1))
    ax.xaxis.set_major_formatter(_fmt(lang, 0))
    if title:
        ax.set_title(plain(title), fontsize=10)
    ax.legend(
        ncols=len(series), fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.45 / (height - 1.0))
    )
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def to_svg(fig: Figure) -> str:
    """The figure as an inline SVG string (text kept as text)."""
    import io

    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    start = svg.find("<svg")
    return svg[start:]

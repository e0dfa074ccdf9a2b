"""Matplotlib charts shared by memos, notebooks and statistics.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (safe in
worker processes and headless runs) for further styling. Labels are Bahasa Indonesia;
``decimal_comma=True`` writes 3,12 instead of 3.12.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from spbe_toolkit.published import INSTANCE_TYPES as TYPE_ORDER
from spbe_toolkit.published import PREDICATES

BAND_COLOURS = {
    "Kurang": "#b2182b",
    "Cukup": "#ef8a62",
    "Baik": "#f7d55a",
    "Sangat Baik": "#67a9cf",
    "Memuaskan": "#2166ac",
}
SERIES_COLOURS = {"mandiri": "#9e9e9e", "final": "#1f5fa6", "peer": "#e08a2c"}


def _fmt(decimal_comma: bool, digits: int = 2):
    def f(x, _pos=None):
        s = f"{x:.{digits}f}"
        return s.replace(".", ",") if decimal_comma else s

    return FuncFormatter(f)


def _order(values: Sequence[str]) -> list[str]:
    known = [t for t in TYPE_ORDER if t in set(values)]
    return known + sorted(set(values) - set(known))


def predicate_distribution(
    results: pd.DataFrame, by: str = "instance_type", *, decimal_comma: bool = False, title: str | None = None
) -> Figure:
    """Stacked horizontal bars: share of each predicate per group, in band order."""
    df = results.copy()
    df["predicate"] = pd.Categorical(df["predicate"].astype(object), categories=PREDICATES, ordered=True)
    counts = (
        df.groupby(by, observed=True)["predicate"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=PREDICATES, fill_value=0)
    )
    counts = (
        counts.loc[_order(list(counts.index.astype(str)))[::-1]] if by in ("instance_type", "report_group") else counts
    )
    shares = 100.0 * counts.div(counts.sum(axis=1), axis=0)
    fig = Figure(figsize=(8.5, 0.45 * len(shares) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    left = np.zeros(len(shares))
    for p in PREDICATES:
        vals = shares[p].to_numpy()
        ax.barh(
            shares.index.astype(str), vals, left=left, color=BAND_COLOURS[p], label=p, edgecolor="white", linewidth=0.6
        )
        for y, (v, lft) in enumerate(zip(vals, left)):
            if v >= 7:
                txt = f"{v:.0f}%"
                ax.text(
                    lft + v / 2,
                    y,
                    txt,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if p in ("Kurang", "Memuaskan", "Sangat Baik") else "black",
                )
        left += vals
    for y, n in enumerate(counts.sum(axis=1)):
        ax.text(101, y, f"n={n}", va="center", fontsize=8)
    ax.set_xlim(0, 112)
    ax.set_xlabel("Persentase instansi (%)")
    ax.set_title(title or "Sebaran predikat menurut jenis instansi", pad=24)
    ax.legend(ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def index_distribution(
    results: pd.DataFrame,
    by: str = "instance_type",
    *,
    fw_bands: Sequence[float] = (1.8, 2.6, 3.5, 4.2),
    decimal_comma: bool = False,
    title: str | None = None,
) -> Figure:
    """Box plot with every instance as a dot, per group; band edges as faint lines."""
    groups = _order([str(g) for g in results[by].dropna().unique()])
    data = [results.loc[results[by].astype(str) == g, "index"].dropna().to_numpy() for g in groups]
    fig = Figure(figsize=(8.5, 0.55 * len(groups) + 1.6), layout="constrained")
    ax = fig.add_subplot()
    ax.boxplot(
        data,
        orientation="horizontal",
        tick_labels=groups,
        widths=0.55,
        showfliers=False,
        medianprops={"color": "#1f5fa6"},
    )
    rng = np.random.default_rng(0)
    for i, d in enumerate(data, start=1):
        ax.scatter(d, i + rng.uniform(-0.18, 0.18, len(d)), s=6, alpha=0.45, color="#444444", linewidths=0)
    names = PREDICATES[1:]
    for edge, name in zip(fw_bands, names):
        ax.axvline(edge, color="#bbbbbb", lw=0.8, ls=":")
        ax.text(edge + 0.02, len(groups) + 0.45, f"{name} ≥", fontsize=7, color="#777777", va="bottom")
    ax.xaxis.set_major_formatter(_fmt(decimal_comma, 1))
    ax.set_xlabel("Indeks")
    ax.set_title(title or "Sebaran indeks menurut jenis instansi", pad=14)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def national_series(
    series: pd.DataFrame, *, target: float = 2.60, decimal_comma: bool = False, title: str | None = None
) -> Figure:
    """National index 2018–2024 with the 2.60 target line and the 2021 framework change marked."""
    fig = Figure(figsize=(8, 4.2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(series["year"], series["national_index"], marker="o", color="#1f5fa6", lw=2, label="Indeks SPBE nasional")
    for x, y in zip(series["year"], series["national_index"]):
        ax.annotate(_fmt(decimal_comma)(y), (x, y), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=9)
    ax.axhline(
        target, color="#b2182b", ls="--", lw=1.2, label=f"Target RPJMN 2020–2024 ({_fmt(decimal_comma)(target)})"
    )
    if (series["year"] == 2024).any():
        ax.scatter(
            [2024],
            [2.85],
            marker="_",
            s=300,
            color="#ef8a62",
            zorder=3,
            label="Target 2024 (2,85)" if decimal_comma else "Target 2024 (2.85)",
        )
    ax.axvline(2020.5, color="#777777", ls=":", lw=1)
    bottom = ax.get_ylim()[0] + 0.05
    for x, text, ha in (
        (2020.55, "PermenPANRB 59/2020\n(47 indikator, 4 domain)", "left"),
        (2020.45, "PermenPANRB 5/2018\n(35 indikator)", "right"),
    ):
        ax.text(x, bottom, text, fontsize=8, color="#555555", va="bottom", ha=ha)
    ax.yaxis.set_major_formatter(_fmt(decimal_comma, 1))
    ax.set_xticks(series["year"])
    ax.set_xlabel("Tahun evaluasi")
    ax.set_ylabel("Indeks")
    ax.set_title(title or "Indeks SPBE nasional 2018–2024")
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def province_means(
    results: pd.DataFrame, *, decimal_comma: bool = False, national: float | None = None, title: str | None = None
) -> Figure:
    """Mean index by province (regional instances), sorted, with the national mean line."""
    df = results.dropna(subset=["province"])
    means = df.groupby("province", observed=True)["index"].agg(["mean", "size"]).sort_values("mean")
    fig = Figure(figsize=(8, 0.22 * len(means) + 1.5), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(means.index.astype(str), means["mean"], color="#67a9cf")
    for y, (m, n) in enumerate(zip(means["mean"], means["size"])):
        ax.text(m + 0.02, y, f"{_fmt(decimal_comma)(m)} (n={n})", va="center", fontsize=7)
    ref = national if national is not None else df["index"].mean()
    ax.axvline(ref, color="#b2182b", ls="--", lw=1, label=f"Rata-rata {_fmt(decimal_comma)(ref)}")
    ax.set_xlim(0, max(5.0, means["mean"].max() + 0.6))
    ax.tick_params(axis="y", labelsize=7)
    ax.xaxis.set_major_formatter(_fmt(decimal_comma, 1))
    ax.set_xlabel("Rata-rata indeks pemerintah daerah")
    ax.set_title(title or "Rata-rata indeks menurut provinsi")
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def domain_profile(results: pd.DataFrame, by: str = "instance_type", *, domains: Sequence[str] = ("D1", "D2", "D3", "D4"),
                   domain_names: Sequence[str] = ("Kebijakan", "Tata Kelola", "Manajemen", "Layanan"), decimal_comma: bool = False,
                   title: str | None = None) -> Figure:  # fmt: skip
    """Mean of each domain per group, as grouped bars."""
    means = results.groupby(by, observed=True)[list(domains)].mean()
    means = means.loc[_order(list(means.index.astype(str)))]
    fig = Figure(figsize=(9, 4.4), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(means)
    x = np.arange(len(domains))
    cmap = ["#1f5fa6", "#67a9cf", "#a6cee3", "#ef8a62", "#f7d55a", "#b2182b", "#7b3294", "#4d9221"]
    for i, (g, row) in enumerate(means.iterrows()):
        ax.bar(x + i * width - 0.4 + width / 2, row.to_numpy(), width, label=str(g), color=cmap[i % len(cmap)])
    ax.set_xticks(x, [f"{d}\n{n}" for d, n in zip(domains, domain_names)])
    ax.set_ylim(0, 5)
    ax.yaxis.set_major_formatter(_fmt(decimal_comma, 1))
    ax.set_ylabel("Rata-rata indeks domain")
    ax.set_title(title or "Profil domain menurut jenis instansi")
    ax.legend(ncols=3, fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def instance_profile(labels: Sequence[str], mandiri: Sequence[float], final: Sequence[float], peer: Sequence[float] | None = None,
                     *, level_range: tuple[int, int] = (1, 5), decimal_comma: bool = False, title: str = "",
                     legend: tuple[str, str, str] = ("Penilaian mandiri", "Hasil akhir", "Rata-rata sejenis"),
                     emphasis: Sequence[bool] | None = None) -> Figure:  # fmt: skip
    """One instance's domain or aspect values: self-assessment, final and peer mean
    (``emphasis`` marks rows, e.g. domains, whose labels are set in bold).

    Laid out with fixed margins (no constrained layout): memos render hundreds of these,
    and the fixed layout halves the drawing time.
    """
    n = len(labels)
    height = 0.3 * n + 1.0
    fig = Figure(figsize=(7.2, height))
    fig.subplots_adjust(left=0.36, right=0.97, top=1 - 0.25 / height, bottom=0.75 / height)
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    series = [(mandiri, legend[0], SERIES_COLOURS["mandiri"]), (final, legend[1], SERIES_COLOURS["final"])]
    if peer is not None:
        series.append((peer, legend[2], SERIES_COLOURS["peer"]))
    h = 0.8 / len(series)
    for i, (vals, name, colour) in enumerate(series):
        ax.barh(y + 0.4 - h / 2 - i * h, vals, h, label=name, color=colour)
    fmt = _fmt(decimal_comma)
    for yy, v in zip(y, final):
        ax.text(v + 0.04, yy + 0.4 - h * 1.5, fmt(v), va="center", fontsize=7)
    ax.set_yticks(y, labels, fontsize=8)
    for label, bold in zip(ax.get_yticklabels(), emphasis or []):
        if bold:
            label.set_fontweight("bold")
    ax.set_xlim(0, level_range[1] + 0.3)
    ax.set_xticks(range(0, level_range[1] + 1))
    ax.xaxis.set_major_formatter(_fmt(decimal_comma, 0))
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(
        ncols=len(series), fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.45 / (height - 1.0))
    )
    ax.spines[["top", "right"]].set_visible(False)
    return fig


class ProfileChart:
    """A reusable :func:`instance_profile` figure: built once, then updated per instance.

    Batch memo rendering draws hundreds of charts with the same rows; updating bar widths
    and labels of one figure avoids rebuilding axes, ticks and legend every time.
    """

    def __init__(self, labels: Sequence[str], *, with_peer: bool, **kwargs) -> None:
        n = len(labels)
        zeros = [0.0] * n
        self.fig = instance_profile(labels, zeros, zeros, zeros if with_peer else None, **kwargs)
        ax = self.fig.axes[0]
        self.bars = [list(c) for c in ax.containers]
        self.texts = list(ax.texts)
        self.fmt = _fmt(kwargs.get("decimal_comma", False))

    def update(self, mandiri: Sequence[float], final: Sequence[float], peer: Sequence[float] | None = None) -> Figure:
        series = [mandiri, final] + ([peer] if peer is not None and len(self.bars) == 3 else [])
        for bars, values in zip(self.bars, series):
            for bar, v in zip(bars, values):
                bar.set_width(v)
        for text, v in zip(self.texts, final):
            text.set_x(v + 0.04)
            text.set_text(self.fmt(v))
        return self.fig


def to_svg(fig: Figure) -> str:
    """The figure as an inline SVG string (fonts as paths? no: text kept as text, deterministic ids)."""
    import io

    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    start = svg.find("<svg")
    return svg[start:]

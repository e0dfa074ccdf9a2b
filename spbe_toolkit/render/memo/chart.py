"""The memo's profile chart as an SVG template: the same figure as
:func:`spbe_toolkit.render.plots.instance_profile` (7.2 in wide, 0.3 in per row, the same axes,
ticks, colours, value labels and legend below), drawn from the numbers without matplotlib.

Everything that is the same in every memo of a batch — the axes, the ticks, the row labels and
the legend — is built once per (rows, peers or not, language) by :class:`ProfileSvg`; a memo only
fills in its bars and value labels. Row labels are never cut: a long one is set on two lines
(the full text is also the element's ``<title>``). Text is escaped; numbers are written in the
memo's language.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from html import escape

from spbe_toolkit.i18n import check_lang, number, tr
from spbe_toolkit.render.palette import SERIES_COLOURS

FONT = "DejaVu Sans, Bitstream Vera Sans, Arial, Helvetica, sans-serif"
INCH = 72.0  # the SVG's unit is the point, as matplotlib's
WIDTH_IN, ROW_IN, EXTRA_IN = 7.2, 0.3, 1.0
LEFT, RIGHT = 0.36, 0.97  # of the width, as instance_profile's subplots_adjust
LABEL_CHARS = 40  # a row label longer than this is set on two lines


def _f(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


class ProfileSvg:
    """The chart for one batch's rows: ``labels`` (row texts, top first), ``emphasis`` (rows
    set in bold, e.g. domains), three series or two (``with_peer``) on a 0…``level_max`` axis."""

    def __init__(self, labels: Sequence[str], *, with_peer: bool, level_max: int = 5, lang: str | None = None,
                 emphasis: Sequence[bool] | None = None) -> None:  # fmt: skip
        self.lang = lang = check_lang(lang)
        self.n = n = len(labels)
        self.with_peer = with_peer
        self.k = 3 if with_peer else 2
        self.h = 0.8 / self.k
        self.width = WIDTH_IN * INCH
        self.height = (ROW_IN * n + EXTRA_IN) * INCH
        self.x0, self.x1 = LEFT * self.width, RIGHT * self.width
        self.y_top, self.y_bottom = 0.25 * INCH, self.height - 0.75 * INCH
        self.xmax = level_max + 0.3
        span = n - 0.2  # the bars reach from -0.4 to n - 0.6; matplotlib adds 5 % on each side
        self.ymin, self.ymax = -0.4 - 0.05 * span, n - 0.6 + 0.05 * span
        self.level_max = level_max
        self._static = self._frame(labels, emphasis or [False] * n)

    def x(self, value: float) -> float:
        return self.x0 + value / self.xmax * (self.x1 - self.x0)

    def y(self, value: float) -> float:
        return self.y_bottom - (value - self.ymin) / (self.ymax - self.ymin) * (self.y_bottom - self.y_top)

    def _frame(self, labels: Sequence[str], emphasis: Sequence[bool]) -> str:
        parts = [f'<line x1="{_f(self.x0)}" y1="{_f(self.y_top)}" x2="{_f(self.x0)}" y2="{_f(self.y_bottom)}" '
                 f'stroke="#000" stroke-width="0.8"/>',
                 f'<line x1="{_f(self.x0)}" y1="{_f(self.y_bottom)}" x2="{_f(self.x1)}" y2="{_f(self.y_bottom)}" '
                 f'stroke="#000" stroke-width="0.8"/>']  # fmt: skip
        for t in range(self.level_max + 1):  # x ticks below the axis, labelled 0 … level_max
            xx = self.x(t)
            parts.append(f'<line x1="{_f(xx)}" y1="{_f(self.y_bottom)}" x2="{_f(xx)}" y2="{_f(self.y_bottom + 3.5)}" '
                         f'stroke="#000" stroke-width="0.8"/>')  # fmt: skip
            parts.append(f'<text x="{_f(xx)}" y="{_f(self.y_bottom + 14.5)}" font-size="10" text-anchor="middle">'
                         f"{escape(number(t, self.lang, 0))}</text>")  # fmt: skip
        for i, (label, bold) in enumerate(zip(labels, emphasis)):
            yy = self.y(self.n - 1 - i)
            parts.append(f'<line x1="{_f(self.x0 - 3.5)}" y1="{_f(yy)}" x2="{_f(self.x0)}" y2="{_f(yy)}" '
                         f'stroke="#000" stroke-width="0.8"/>')  # fmt: skip
            lines = textwrap.wrap(label.strip(), LABEL_CHARS, break_long_words=False) or [""]
            if len(lines) > 2:
                lines = [lines[0], " ".join(lines[1:])]
            weight = ' font-weight="bold"' if bold else ""
            first = yy - (len(lines) - 1) * 4.6
            tspans = "".join(f'<tspan x="{_f(self.x0 - 7)}" y="{_f(first + j * 9.2)}">{escape(t)}</tspan>'
                             for j, t in enumerate(lines))  # fmt: skip
            parts.append(f'<text font-size="8" text-anchor="end" dominant-baseline="central"{weight}>'
                         f"<title>{escape(label.strip())}</title>{tspans}</text>")  # fmt: skip
        names = [tr("memo.self", self.lang), tr("memo.final", self.lang)] + (
            [tr("memo.peer", self.lang)] if self.with_peer else []
        )
        colours = [SERIES_COLOURS["self"], SERIES_COLOURS["final"], SERIES_COLOURS["peer"]][: self.k]
        entry = [16 + 6.4 + 4.5 * len(name) + 16 for name in names]  # handle, gap, text, spacing
        xx = (self.x0 + self.x1) / 2 - sum(entry) / 2
        yy = self.y_bottom + 0.45 * INCH + 8
        for name, colour, w in zip(names, colours, entry):
            parts.append(f'<rect x="{_f(xx)}" y="{_f(yy - 2.8)}" width="16" height="5.6" fill="{colour}"/>')
            parts.append(f'<text x="{_f(xx + 22.4)}" y="{_f(yy)}" font-size="8" dominant-baseline="central">'
                         f"{escape(name)}</text>")  # fmt: skip
            xx += w
        return "".join(parts)

    def svg(self, mandiri: Sequence[float], final: Sequence[float], peer: Sequence[float] | None = None) -> str:
        """The whole chart for one instance's values (rows in the order of the labels)."""
        series = [(mandiri, SERIES_COLOURS["self"]), (final, SERIES_COLOURS["final"])]
        if self.with_peer:
            series.append((peer if peer is not None else [0.0] * self.n, SERIES_COLOURS["peer"]))
        bars, h = [], self.h
        for j, (values, colour) in enumerate(series):
            for i, v in enumerate(values):
                centre = (self.n - 1 - i) + 0.4 - h / 2 - j * h
                top, bottom = self.y(centre + h / 2), self.y(centre - h / 2)
                bars.append(f'<rect x="{_f(self.x0)}" y="{_f(top)}" width="{_f(self.x(max(v, 0.0)) - self.x0)}" '
                            f'height="{_f(bottom - top)}" fill="{colour}"/>')  # fmt: skip
        for i, v in enumerate(final):
            yy = self.y((self.n - 1 - i) + 0.4 - h * 1.5)
            bars.append(f'<text x="{_f(self.x(v + 0.04))}" y="{_f(yy)}" font-size="7" dominant-baseline="central">'
                        f"{escape(number(v, self.lang, 2))}</text>")  # fmt: skip
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(self.width)}pt" height="{_f(self.height)}pt" '
                f'viewBox="0 0 {_f(self.width)} {_f(self.height)}" font-family="{FONT}" role="img">'
                f'<rect width="100%" height="100%" fill="#fff"/>{"".join(bars)}{self._static}</svg>')  # fmt: skip

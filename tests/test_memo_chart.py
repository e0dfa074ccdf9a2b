"""The memo's profile chart as an SVG template: labels whole and escaped, bars as long as their
values on the axis, numbers and legend in the memo's language, the same axes for every memo."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from spbe_toolkit.render.memo.chart import ProfileSvg

NS = {"s": "http://www.w3.org/2000/svg"}
LABELS = ["D1 Kebijakan Internal SPBE", "A7 Layanan Administrasi Pemerintahan Berbasis Elektronik",
          "A9 <Nama> & \"kutipan\""]  # fmt: skip


def _chart(lang="id", with_peer=True):
    return ProfileSvg(LABELS, with_peer=with_peer, level_max=5, lang=lang, emphasis=[True, False, False])


def test_labels_are_whole_escaped_and_long_ones_wrap():
    svg = _chart().svg([3.9, 2.5, 1.0], [3.6, 2.45, 1.2], [3.4, 2.0, 1.1])
    root = ET.fromstring(svg)  # well-formed: the label's <, & and quotes are escaped
    titles = [t.text for t in root.iterfind(".//s:text/s:title", NS)]
    assert titles == [label for label in LABELS]
    long = next(t for t in root.iterfind(".//s:text", NS) if t.find("s:title", NS) is not None
                and t.find("s:title", NS).text.startswith("A7"))  # fmt: skip
    lines = [span.text for span in long.iterfind("s:tspan", NS)]
    assert len(lines) == 2 and " ".join(lines) == LABELS[1]  # two lines, nothing cut
    bold = [t.get("font-weight") for t in root.iterfind(".//s:text", NS) if t.find("s:title", NS) is not None]
    assert bold == ["bold", None, None]


def test_bars_are_as_long_as_their_values():
    chart = _chart()
    svg = chart.svg([5.0, 2.5, 0.0], [4.0, 1.0, 3.0], [2.0, 2.0, 2.0])
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    unit = (chart.x1 - chart.x0) / chart.xmax
    assert widths[:9] == pytest.approx([v * unit for v in (5.0, 2.5, 0.0, 4.0, 1.0, 3.0, 2.0, 2.0, 2.0)], abs=0.01)
    assert widths[9:] == [16.0, 16.0, 16.0]  # the legend's keys
    other = chart.svg([1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    assert svg.split("</text>")[-2:] == other.split("</text>")[-2:]  # axes, labels, legend: the same frame


@pytest.mark.parametrize(
    ("lang", "value", "legend"), [("id", "2,45", "Penilaian mandiri"), ("en", "2.45", "Self-assessment")]
)
def test_numbers_and_legend_in_the_memos_language(lang, value, legend):
    svg = _chart(lang).svg([3.0, 2.0, 1.0], [3.0, 2.45, 1.0], [1.0, 1.0, 1.0])
    assert f">{value}</text>" in svg and f">{legend}</text>" in svg
    two = _chart(lang, with_peer=False).svg([3.0, 2.0, 1.0], [3.0, 2.45, 1.0])
    assert svg.count("<rect") == 1 + 9 + 3 and two.count("<rect") == 1 + 6 + 2  # background, bars, legend keys

"""The memo's profile chart two ways, side by side in Chromium: matplotlib (the notebooks' chart,
:func:`spbe_toolkit.render.plots.instance_profile`) and the memo's SVG template
(:class:`spbe_toolkit.render.memo.chart.ProfileSvg`), for one instance of the synthetic sample
round, with peers, in Indonesian. Writes ``docs/chart_matplotlib.png``, ``docs/chart_template.png``
and times both (ms per chart, after the first).

Run:  .venv/bin/python benchmarks/compare_profile_chart.py [--runs 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from spbe_toolkit.demo import workspace_from_samples  # noqa: E402
from spbe_toolkit.render import plots  # noqa: E402
from spbe_toolkit.render.memo.chart import ProfileSvg  # noqa: E402
from tests.browser import chromium_page  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = workspace_from_samples(Path(tmp) / "putaran.sqlite")
        fw = ws.framework
        name = ws.instances().index[0]
        s_self, s_cur = ws.scores("mandiri").loc[name], ws.scores("current").loc[name]
        peer = ws.scores("current").drop(columns=["predicate"], errors="ignore").mean(numeric_only=True)
        ws.close()
    rows = []
    for d, dname in zip(fw.domains["code"], fw.domains["name"]):
        rows.append((d, dname, True))
        a = fw.aspects[fw.aspects["domain"] == d]
        rows.extend((ac, an, False) for ac, an in zip(a["code"], a["name"]))
    values = (
        [float(s_self[c]) for c, *_ in rows],
        [float(s_cur[c]) for c, *_ in rows],
        [float(peer[c]) for c, *_ in rows],
    )
    emphasis = [isd for _c, _n, isd in rows]
    old_labels = [f"{c} {n[:34] + ('…' if len(n) > 34 else '')}" if isd else f"   {c} {n[:32] + ('…' if len(n) > 32 else '')}"
                  for c, n, isd in rows]  # fmt: skip
    with matplotlib.rc_context({"svg.hashsalt": "spbe-toolkit", "svg.fonttype": "none"}):

        def drawn() -> str:  # as the notebooks draw it, and as memos did before the template
            fig = plots.instance_profile(old_labels, *values, level_range=(fw.level_min, fw.level_max), lang="id",
                                         emphasis=emphasis)  # fmt: skip
            return plots.to_svg(fig)

        old = drawn()
        start = time.perf_counter()
        for _ in range(args.runs):
            drawn()
        old_ms = (time.perf_counter() - start) / args.runs * 1000
    template = ProfileSvg([f"{c} {n}" for c, n, _ in rows], with_peer=True, level_max=fw.level_max, lang="id",
                          emphasis=emphasis)  # fmt: skip
    new = template.svg(*values)
    start = time.perf_counter()
    for _ in range(args.runs):
        template.svg(*values)
    new_ms = (time.perf_counter() - start) / args.runs * 1000
    print(f"profile chart, {args.runs} runs: matplotlib {old_ms:.2f} ms, template {new_ms:.3f} ms "
          f"({old_ms / new_ms:.0f}× faster)")  # fmt: skip
    with chromium_page() as page:
        for label, svg in (("matplotlib", old), ("template", new)):
            page.set_content(f"<html><body style='margin:8px;background:#fff'>{svg}</body></html>")
            page.locator("svg").first.screenshot(path=str(ROOT / "docs" / f"chart_{label}.png"))
    print("written: docs/chart_matplotlib.png, docs/chart_template.png")


if __name__ == "__main__":
    main()

"""Benchmark: latency of one level change in the AdjustmentPanel (save + rescore + header update).

Builds a workspace with 616 synthetic instances (spbe2020), opens a panel for one of them
and changes levels through the widget, as an evaluator would, timing each change from the
value being set to the header being updated. Also times the parts.

Run:  .venv/bin/python benchmarks/bench_widget_latency.py [--changes 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from national_round import national_workspace

from spbe_toolkit.render.widgets import AdjustmentPanel


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = national_workspace(Path(tmp))
        n_inst = len(ws.instances())
        name = ws.instances().index[n_inst // 2]
        t0 = time.perf_counter()
        panel = AdjustmentPanel(ws, name, "Evaluator Uji", "dokumen")
        build = time.perf_counter() - t0
        codes = list(panel.rows)
        times = []
        for i in range(args.changes):
            row = panel.rows[codes[i % len(codes)]]
            new = row.saved_level - 1 if row.saved_level > 1 else row.saved_level + 1
            row.note.value = f"uji latensi {i}"
            before = panel.header.value
            t0 = time.perf_counter()
            row.level.value = new
            dt = time.perf_counter() - t0
            assert "Tersimpan" in row.status.value and panel.header.value != before
            times.append(dt)
        t_adjust, t_score = [], []
        for i in range(50):
            code = codes[i % len(codes)]
            lvl = ws.levels("current", name).set_index("indicator").at[code, "level"]
            t0 = time.perf_counter()
            ws.adjust(name, code, int(lvl), stage="dokumen", evaluator="x", note="y")
            t_adjust.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            panel.refresh_header()
            t_score.append(time.perf_counter() - t0)
        ms = sorted(t * 1000 for t in times)
        print(f"workspace: {n_inst} instances; panel for one instance built in {build * 1000:.0f} ms")
        print(
            f"one level change via the widget ({args.changes} changes): median {statistics.median(ms):.1f} ms, "
            f"p95 {ms[int(0.95 * len(ms)) - 1]:.1f} ms, max {ms[-1]:.1f} ms"
        )
        print(
            f"  parts: Workspace.adjust median {statistics.median(t_adjust) * 1000:.1f} ms; "
            f"rescore + header median {statistics.median(t_score) * 1000:.1f} ms"
        )
        ws.close()


if __name__ == "__main__":
    main()

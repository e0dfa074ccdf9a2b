"""Benchmark: ``status()`` (what the overview and each refresh show) as a round's events grow.

The synthetic national round (616 instances, spbe2020, self-assessment only), then events added
in bulk — every cell gets its share, at the document stage, recorded as merged history so the
write rules do not slow the set-up — until the round holds each requested count. Per count:
``ws.status()`` timed (median of ``--runs``, after one warm-up).

Run:  .venv/bin/python benchmarks/bench_status.py [--events 10000 100000 1000000] [--runs 3]
Old code beside new: run it once per checkout (``cd <worktree> && PYTHONPATH=. …``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national_round import national_workspace  # noqa: E402


def add_events(ws, upto: int) -> None:
    cells = ws.self_assessment()[["instance", "indicator", "level"]].to_numpy().tolist()
    have = ws.store.counts()[1]
    rows = []
    for i in range(have, upto):
        instance, indicator, level = cells[i % len(cells)]
        new = 1 + (int(level) + i) % 5
        rows.append((instance, indicator, "dokumen", new, "Tim (sintetis)", "catatan sintetis",
                     "2026-11-01T00:00:00+00:00", None, "bench", i + 1, None))  # fmt: skip
    with ws.store.transaction():
        ws.store.add_events(rows, ws.store.next_event_id())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = national_workspace(Path(tmp))
        first = None
        for n in sorted(args.events):
            add_events(ws, n)
            ws.status()  # warm-up
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                ws.status()
                times.append(time.perf_counter() - start)
            med = statistics.median(times)
            first = first or med
            print(f"status() with {n:>9,} events, 616 instances: median {med:.3f} s ({med / first:.2f}× the first)",
                  flush=True)  # fmt: skip
        ws.close()


if __name__ == "__main__":
    main()

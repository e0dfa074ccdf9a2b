"""Benchmark: opening a workspace of a national round, with the integrity check it now runs.

Builds a workspace with 616 synthetic instances (spbe2020, 28,952 self-assessed levels) and
2,000 evaluator events, then times ``Workspace.open`` (connect, ``PRAGMA quick_check``,
schema check) and ``PRAGMA quick_check`` alone, each in a fresh connection.

Run:  .venv/bin/python benchmarks/bench_workspace_open.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from national_round import national_workspace

from spbe_toolkit.workspace import Workspace


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = national_workspace(Path(tmp))
        path = ws.path
        levels = ws.levels("current")
        for r in levels.head(2000).itertuples(index=False):
            ws.adjust(r.instance, r.indicator, int(r.level), stage="dokumen", evaluator="Tim", note="uji")
        ws.close()
        size = path.stat().st_size / 2**20
        opens, checks = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            Workspace.open(path).close()
            opens.append(time.perf_counter() - t0)
            conn = sqlite3.connect(path)
            t0 = time.perf_counter()
            conn.execute("PRAGMA quick_check").fetchall()
            checks.append(time.perf_counter() - t0)
            conn.close()
        print(f"workspace: 616 instances, 2,000 events, {size:.1f} MB")
        print(f"Workspace.open (with quick_check): median {1000 * statistics.median(opens):.1f} ms, "
              f"max {1000 * max(opens):.1f} ms")  # fmt: skip
        print(f"PRAGMA quick_check alone:          median {1000 * statistics.median(checks):.1f} ms")


if __name__ == "__main__":
    main()

"""How long the final export of a round takes as it grows (the writer must stay linear):
44 × n_scale synthetic instances with their self-assessment and final levels.

    .venv/bin/python benchmarks/bench_export.py [n_scale ...]   (default 2 7 14: 88, 308, 616 instances)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import spbe_toolkit as spbe  # noqa: E402
from spbe_toolkit.demo import synthetic_round  # noqa: E402
from spbe_toolkit.workspace import Workspace  # noqa: E402


def run(n_scale: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    _insts, own, final = synthetic_round("spbe2020", n_scale=n_scale)
    own.to_csv(folder / "mandiri.csv", index=False)
    ws = Workspace.create(folder / "putaran.sqlite", framework="spbe2020", year=2025)
    ws.import_submissions(spbe.read_submissions(folder / "mandiri.csv", "spbe2020", progress=False))
    ws.import_levels(final[["instance", "indicator", "level", "note"]], evaluator="Tim (sintetis)", stage="final")
    n, e = ws.store.counts()
    start = time.perf_counter()
    ws.export(folder / "ekspor.xlsx", lang="id")
    xlsx = time.perf_counter() - start
    start = time.perf_counter()
    ws.export(folder / "ekspor.csv", lang="id")
    csv = time.perf_counter() - start
    print(f"{n} instances, {e:,} events: xlsx {xlsx:.1f} s, csv {csv:.1f} s")
    ws.close()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    for scale in [int(a) for a in sys.argv[1:]] or [2, 7, 14]:
        run(scale)

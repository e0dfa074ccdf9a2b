"""Benchmark: the workspace on SQLite vs PostgreSQL on this machine.

1. ``adjust`` latency (one committed transaction each), median and p95, one writer.
2. Throughput with 1, 2, 4 and 8 writer processes, each adjusting its own instance for a few
   seconds (every writing transaction holds the round's lock, so writers take turns).

Starts its own PostgreSQL server (Debian's package, as the tests do).
Run:  .venv/bin/python benchmarks/bench_stores.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import spbe_toolkit as spbe  # noqa: E402
from spbe_toolkit.demo import sample_paths  # noqa: E402
from spbe_toolkit.workspace import Workspace  # noqa: E402
from tests.pg import PgServer  # noqa: E402

WRITER = textwrap.dedent(
    """
    import sys, time
    from spbe_toolkit.workspace import Workspace
    loc, k, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    ws = Workspace.open(loc)
    name = list(ws.instances().index)[k]
    codes = ws.framework.codes
    own = ws.self_assessment(name).set_index("indicator")["level"]
    n, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        code = codes[n % len(codes)]
        lvl = int(own[code])
        ws.adjust(name, code, lvl - 1 if (n // len(codes)) % 2 == 0 and lvl > 1 else lvl, stage="dokumen",
                  evaluator="bench", note="b")
        n += 1
    print(n)
    """
)


def make_round(location: str) -> str:
    folder, _ = sample_paths("spbe2020")
    ws = Workspace.create(location, framework="spbe2020", year=2024)
    ws.import_submissions(spbe.read_submissions(sorted(folder.glob("*.xlsx"))[:8], "spbe2020", progress=False))
    ws.close()
    return location


def latency(location: str, n: int = 300) -> tuple[float, float]:
    ws = Workspace.open(location)
    name = ws.instances().index[0]
    own = ws.self_assessment(name).set_index("indicator")["level"]
    times = []
    for i in range(n):
        code = ws.framework.codes[i % 47]
        lvl = int(own[code])
        t0 = time.perf_counter()
        ws.adjust(
            name, code, lvl - 1 if lvl > 1 and (i // 47) % 2 == 0 else lvl, stage="dokumen", evaluator="b", note="b"
        )
        times.append((time.perf_counter() - t0) * 1000)
    ws.close()
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1]


def throughput(location: str, writers: int, seconds: float) -> float:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, location, str(k), str(seconds)], stdout=subprocess.PIPE,
                              text=True, cwd=ROOT) for k in range(writers)]  # fmt: skip
    total = sum(int(p.communicate()[0].strip()) for p in procs)
    return total / seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5)
    args = ap.parse_args()
    server = PgServer()
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            stores = {"SQLite": lambda: make_round(str(Path(tmp) / f"{time.monotonic_ns()}.sqlite")),
                      "PostgreSQL": lambda: make_round(server.new_database())}  # fmt: skip
            print("| measure | SQLite | PostgreSQL | PostgreSQL ÷ SQLite |\n|---|---|---|---|")
            lat = {name: latency(make()) for name, make in stores.items()}
            for i, label in enumerate(("adjust latency, median (ms)", "adjust latency, p95 (ms)")):
                a, b = lat["SQLite"][i], lat["PostgreSQL"][i]
                print(f"| {label} | {a:.2f} | {b:.2f} | {b / a:.1f} |")
            for writers in (1, 2, 4, 8):
                a, b = (throughput(make(), writers, args.seconds) for make in stores.values())
                print(f"| throughput, {writers} writer(s) (adjusts/s) | {a:.0f} | {b:.0f} | {b / a:.2f} |")
    finally:
        server.stop()


if __name__ == "__main__":
    main()

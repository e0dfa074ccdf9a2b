"""Run every benchmark in this folder, one after another, each in its own process.

Run:  make bench   (or .venv/bin/python benchmarks/run_all.py [--only scoring memos …])

Each benchmark prints its own table; copy the figures with the command into
docs/benchmarks.md. The machines are noisy: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these benchmarks")
    args = ap.parse_args()
    failed = []
    for name in args.only or BENCHMARKS:
        print(f"\n=== {name} ({HERE / f'bench_{name}.py'})", flush=True)
        t0 = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / f"bench_{name}.py")])
        print(f"=== {name}: exit {code}, {time.perf_counter() - t0:.1f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

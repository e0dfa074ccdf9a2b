"""Benchmark: load 600 filled template files with calamine and with openpyxl, beside the floor.

Writes 600 synthetic filled templates (spbe2020) to a temporary folder, then reads them
with each engine in a fresh subprocess — and, as the floor ("raw"), python-calamine reading
every sheet of every file and nothing else — reporting wall time and peak resident memory
(ru_maxrss of that subprocess, so memory held by the Rust reader counts too).

Run:  .venv/bin/python benchmarks/bench_loading.py [--files 600] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import spbe_toolkit as spbe
folder, engine = sys.argv[1], sys.argv[2]
spbe.load_framework("spbe2020")
if engine == "raw":  # the floor: python-calamine reading every sheet of every file, nothing else
    from python_calamine import CalamineWorkbook
    t0 = time.perf_counter()
    rows = 0
    for p in sorted(Path(folder).glob("*.xlsx")):
        wb = CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            rows += len(wb.get_sheet_by_name(name).to_python())
    dt = time.perf_counter() - t0
else:
    t0 = time.perf_counter()
    subs = spbe.read_submissions(folder, "spbe2020", engine=engine, progress=False)
    dt = time.perf_counter() - t0
    assert subs.ok and len(subs.instances) == int(sys.argv[3]), subs
    rows = len(subs.levels)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": dt, "peak_rss_mb": rss, "rows": rows}))
"""


def write_files(folder: Path, n: int) -> None:
    from spbe_toolkit.demo import synthetic_round
    from spbe_toolkit.io.templates import write_template

    scale = -(-n // 44)
    insts, own, _ = synthetic_round("spbe2020", n_scale=scale)
    groups = dict(tuple(own.groupby("instance", sort=False)))
    for i, inst in enumerate(insts.head(n).itertuples(index=False)):
        g = groups[inst.instance]
        lv = {
            r.indicator: {"level": r.level, "justification": r.justification, "evidence": r.evidence}
            for r in g.itertuples()
        }
        meta = {"instance": inst.instance, "instance_type": inst.instance_type, "province": inst.province, "year": 2025}
        write_template(folder / f"SINTETIS_{i:04d}.xlsx", "spbe2020", instance=meta, levels=lv)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        write_files(folder, args.files)
        print(f"wrote {args.files} filled templates in {time.perf_counter() - t0:.1f} s (openpyxl writer)")
        results = {}
        for engine in ("raw", "calamine", "openpyxl"):
            runs = []
            for _ in range(args.repeat):
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, str(folder), engine, str(args.files)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            results[engine] = runs
        base = min(r["seconds"] for r in results["raw"])
        print(f"{'engine':<10} {'best s':>8} {'median s':>9} {'per file ms':>12} {'peak RSS MB':>12} {'÷ raw':>11}")
        for engine, runs in results.items():
            secs = sorted(r["seconds"] for r in runs)
            best, med = secs[0], secs[len(secs) // 2]
            rss = max(r["peak_rss_mb"] for r in runs)
            print(
                f"{engine:<10} {best:8.2f} {med:9.2f} {best / args.files * 1000:12.1f} {rss:12.0f} {best / base:11.2f}"
            )


if __name__ == "__main__":
    main()

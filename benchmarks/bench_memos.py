"""Benchmark: render 600 coaching memos, one worker and all cores, beside papermill.

Builds a synthetic round of 616 instances (spbe2020: self-assessment plus final levels),
renders 600 memos with ``render_memos`` (workers=1 and workers=all cores), and executes the
parameterised notebook ``benchmarks/memo_per_instance.ipynb`` with papermill for 10
instances (the notebook-per-instance route).

Run:  .venv/bin/python benchmarks/bench_memos.py [--memos 600] [--papermill 10]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import spbe_toolkit as spbe
from spbe_toolkit.demo import synthetic_round
from spbe_toolkit.render.memo import render_memos
from spbe_toolkit.workspace import Workspace

HERE = Path(__file__).resolve().parent


def build_round(folder: Path) -> Workspace:
    insts, own, final = synthetic_round("spbe2020", n_scale=14)
    own_csv = folder / "mandiri.csv"
    own.merge(insts, on="instance").assign(year=2025).to_csv(own_csv, index=False)
    ws = Workspace.create(folder / "putaran.sqlite", framework="spbe2020", year=2025, team="Tim Asesor (sintetis)")
    ws.import_submissions(spbe.read_submissions(own_csv, "spbe2020"))
    ws.import_levels(final)
    return ws


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--memos", type=int, default=600)
    ap.add_argument("--papermill", type=int, default=10)
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        ws = build_round(folder)
        print(f"round: {len(ws.instances())} instances built in {time.perf_counter() - t0:.1f} s")
        names = list(ws.instances().index[: args.memos])
        results = {}
        for workers in (1, cores):
            t0 = time.perf_counter()
            paths = render_memos(
                ws,
                folder / f"memo_{workers}",
                instances=names,
                workers=workers,
                generated_at="2025-01-01",
                progress=False,
            )
            dt = time.perf_counter() - t0
            assert len(paths) == len(names)
            results[workers] = dt
            print(f"render_memos workers={workers}: {dt:.1f} s total, {dt / len(names) * 1000:.0f} ms per memo")
        same = all((folder / "memo_1" / p.name).read_bytes() == p.read_bytes() for p in paths)
        print(f"outputs of workers=1 and workers={cores} byte-identical: {same}")
        ws.close()
        if args.papermill:
            import papermill as pm

            t0 = time.perf_counter()
            for name in names[: args.papermill]:
                pm.execute_notebook(
                    str(HERE / "memo_per_instance.ipynb"),
                    str(folder / "out.ipynb"),
                    parameters={
                        "workspace": str(folder / "putaran.sqlite"),
                        "instance": name,
                        "out": str(folder / "pm.html"),
                    },
                    progress_bar=False,
                    log_output=False,
                )
            pm_per = (time.perf_counter() - t0) / args.papermill
            one = results[1] / len(names)
            many = results[cores] / len(names)
            print(f"papermill, one notebook per instance ({args.papermill} instances): {pm_per:.2f} s per memo")
            print(
                f"per-memo ratio papermill ÷ render_memos: {pm_per / one:.0f}× (1 worker), {pm_per / many:.0f}× ({cores} workers)"
            )
            print(f"600 memos via papermill would take ≈ {pm_per * 600 / 60:.0f} min")


if __name__ == "__main__":
    main()

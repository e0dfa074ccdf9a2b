"""Benchmark: one memo's cost as the round grows (616 → 6,160 → 61,600 instances).

Builds the synthetic national round (616 instances, spbe2020, self-assessment plus final
levels), reads it once into a snapshot, and makes bigger rounds from that snapshot by copying
every instance ×10 and ×100 under new names ("… ·k") — the same framework, the same kinds of
rows, only more of them. For each size: the batch's shared part once (``RoundData.build``),
then the same ``--memos`` instances rendered one after the other (``render_memo`` with the
shared part, as ``render_memos`` does on one worker); the figure is ms per memo. The first
memo of a batch also pays for splitting the round's tables by instance (reported apart).

Run:  .venv/bin/python benchmarks/bench_memo_scaling.py [--factors 1 10 100] [--memos 30]
Old code beside new: run it once per checkout (``cd <worktree> && PYTHONPATH=. …``).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_memos import build_round  # noqa: E402

from spbe_toolkit.render.memo import render_memo  # noqa: E402
from spbe_toolkit.render.memo.context import RoundData  # noqa: E402


def inflate(snap, factor: int):
    """``snap`` with every instance present ``factor`` times (copies renamed "name ·k")."""
    if factor == 1:
        return snap

    def rename(k: int):
        return (lambda n: n) if k == 0 else (lambda n: f"{n} ·{k}")

    changes = {}
    for f in dataclasses.fields(snap):
        df = getattr(snap, f.name)
        if not isinstance(df, pd.DataFrame) or df.empty:
            continue
        if "instance" in df.columns:
            changes[f.name] = pd.concat([df.assign(instance=df["instance"].map(rename(k))) for k in range(factor)],
                                        ignore_index=True)  # fmt: skip
        elif df.index.name == "instance":
            changes[f.name] = pd.concat([df.rename(index=rename(k)) for k in range(factor)])
    return dataclasses.replace(snap, **changes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--memos", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = build_round(Path(tmp))
        base = ws.snapshot()
        ws.close()
    names = list(base.instances.index[: args.memos])
    rows = []
    for factor in args.factors:
        snap = inflate(base, factor)
        start = time.perf_counter()
        rd = RoundData.build(snap)
        build_s = time.perf_counter() - start
        times = []
        for name in names:
            start = time.perf_counter()
            render_memo(snap, name, "id", round_data=rd, generated_at="1 Desember 2026")
            times.append(time.perf_counter() - start)
        rest = times[1:] or times
        rows.append((len(snap.instances), build_s, times[0], statistics.median(rest) * 1000))
        print(f"{len(snap.instances):>7,} instances: shared part {build_s:6.2f} s, first memo {times[0] * 1000:7.0f} ms, "
              f"then median {statistics.median(rest) * 1000:6.1f} ms/memo ({len(rest)} memos)", flush=True)  # fmt: skip
    first = rows[0][3]
    for n, _b, _f, ms in rows[1:]:
        print(f"{n:,} vs {rows[0][0]:,} instances: {ms / first:.2f}× the time per memo")


if __name__ == "__main__":
    main()

"""Benchmark: score 100,000 instance-stages × 47 indicators (4.7 M rows), and 100,000 Pemdi
instance-stages × 20 indicators with decimal values (2.0 M rows) beside the same table with
whole levels.

Compares spbe.score with
  * the floor: factorise instance and indicator codes, scatter levels into a numpy matrix,
    one matmul (no validation, no predicates),
  * DataFrame.pivot + matmul,
  * a naive per-instance Python loop (timed on a subset and scaled linearly).

Run:  .venv/bin/python benchmarks/bench_scoring.py [--instances 100000] [--repeat 3] [--pemdi-only]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

import spbe_toolkit as spbe


def make_table(n_instances: int, fw, seed: int = 0, decimals: bool = False) -> pd.DataFrame:
    """Levels of ``n_instances`` instances: whole levels, or (``decimals``) values 1,00–5,00 with two decimals."""
    rng = np.random.default_rng(seed)
    codes = np.array(fw.codes, dtype=object)
    n = n_instances * len(codes)
    inst = np.repeat(np.array([f"Instansi {i:06d}" for i in range(n_instances)], dtype=object), len(codes))
    if decimals:
        level = rng.integers(fw.level_min * 100, fw.level_max * 100 + 1, size=n) / 100
    else:
        level = rng.integers(fw.level_min, fw.level_max + 1, size=n)
    return pd.DataFrame({"instance": inst, "indicator": np.tile(codes, n_instances), "level": level})


def floor(df: pd.DataFrame, fw) -> np.ndarray:
    r, _ = pd.factorize(df["instance"])
    c, uniq = pd.factorize(df["indicator"])
    pos = np.array([fw.codes.index(u) for u in uniq])
    m = np.zeros((r.max() + 1, len(fw.codes)))
    m[r, pos[c]] = df["level"].to_numpy()
    return m @ fw.indicators["weight"].to_numpy() / 100


def pivot_matmul(df: pd.DataFrame, fw) -> np.ndarray:
    m = df.pivot(index="instance", columns="indicator", values="level")[fw.codes]
    return m.to_numpy(dtype=float) @ fw.indicators["weight"].to_numpy() / 100


def naive_loop(df: pd.DataFrame, fw) -> dict:
    weights = dict(zip(fw.indicators["indicator"], fw.indicators["weight"]))
    out = {}
    for inst, grp in df.groupby("instance", sort=False):
        total = 0.0
        for ind, lvl in zip(grp["indicator"], grp["level"]):
            total += weights[ind] * lvl
        out[inst] = total / 100
    return out


def timeit(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--naive-subset", type=int, default=5_000)
    ap.add_argument("--pemdi-only", action="store_true", help="only the Pemdi tables (decimal and whole values)")
    args = ap.parse_args()
    pemdi(args)
    if args.pemdi_only:
        return
    fw = spbe.load_framework("spbe2020")
    df = make_table(args.instances, fw)
    print(f"table: {len(df):,} rows ({args.instances:,} instance-stages × {len(fw.codes)} indicators)")

    ours = spbe.score(df, fw)
    check = floor(df, fw)
    assert np.allclose(ours["index"].to_numpy(), check), "score() disagrees with the floor"

    results = {}
    results["spbe.score (validated, exact, predicates)"] = timeit(lambda: spbe.score(df, fw), args.repeat)
    results["floor: factorise + scatter + matmul"] = timeit(lambda: floor(df, fw), args.repeat)
    results["DataFrame.pivot + matmul"] = timeit(lambda: pivot_matmul(df, fw), args.repeat)
    sub = df.iloc[: args.naive_subset * len(fw.codes)]
    best, med = timeit(lambda: naive_loop(sub, fw), 1)
    scale = args.instances / args.naive_subset
    results[f"naive per-instance loop (timed on {args.naive_subset:,}, ×{scale:g})"] = (best * scale, med * scale)

    base = results["spbe.score (validated, exact, predicates)"][0]
    fl = results["floor: factorise + scatter + matmul"][0]
    print(f"{'method':<60} {'best s':>8} {'median s':>9} {'÷ floor':>8} {'÷ score':>8}")
    for name, (b, m) in results.items():
        print(f"{name:<60} {b:8.3f} {m:9.3f} {b / fl:8.2f} {b / base:8.2f}")


def pemdi(args) -> None:
    """Pemdi 2026: the same 100,000 instance-stages with decimal values and with whole levels,
    each beside its floor (factorise + scatter + matmul)."""
    fw = spbe.load_framework("pemdi2026")
    rows = {}
    for label, decimals in (("decimal values (1,26 …)", True), ("whole levels", False)):
        df = make_table(args.instances, fw, decimals=decimals)
        ours = spbe.score(df, fw)
        assert np.allclose(ours["index"].to_numpy(), floor(df, fw)), "score() disagrees with the floor"
        rows[label] = (
            timeit(lambda df=df: spbe.score(df, fw), args.repeat),
            timeit(lambda df=df: floor(df, fw), args.repeat),
        )
    print(f"pemdi2026: {args.instances:,} instance-stages × {len(fw.codes)} indicators each")
    print(f"{'table':<28} {'score best s':>12} {'median s':>9} {'floor best s':>12} {'÷ floor':>8}")
    for label, ((b, m), (fb, _fm)) in rows.items():
        print(f"{label:<28} {b:12.3f} {m:9.3f} {fb:12.3f} {b / fb:8.2f}")
    (dec, _), (whole, _) = rows["decimal values (1,26 …)"][0], rows["whole levels"][0]
    print(f"decimal ÷ whole (spbe.score): {dec / whole:.2f}")


if __name__ == "__main__":
    main()

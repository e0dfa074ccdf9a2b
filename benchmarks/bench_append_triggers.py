"""What the kept level of record (schema 10) costs appends: 15,000 merged events appended in one
``executemany`` to copies of the synthetic sample round (SQLite), with every trigger, without the
record's checks, and without the record's triggers at all.

Run:  .venv/bin/python benchmarks/bench_append_triggers.py [--events 15000]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from spbe_toolkit.demo import workspace_from_samples  # noqa: E402

RECORD = ["events_record", "cell_records_insert", "cell_records_update", "cell_records_no_delete"]
CHECKS = ["cell_records_insert", "cell_records_update"]


def append(base: Path, folder: Path, label: str, drop: list[str], n: int, cells: list) -> float:
    path = folder / f"{label}.sqlite"
    shutil.copy(base, path)
    conn = sqlite3.connect(path, isolation_level=None)
    for trigger in drop:
        conn.execute(f"DROP TRIGGER {trigger}")
    top = conn.execute("SELECT max(id) FROM events").fetchone()[0]
    rows = [(top + 1 + i, *cells[i % len(cells)], "final", 1 + i % 5, "Budi", f"catatan {i}",
             f"2026-11-30T10:00:00.{i:06d}+00:00", "tim", i) for i in range(n)]  # fmt: skip
    conn.execute("BEGIN")
    start = time.perf_counter()
    conn.executemany("INSERT INTO events (id, instance, indicator, stage, level, evaluator, note, created_at, origin,"
                     " origin_event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)  # fmt: skip
    elapsed = time.perf_counter() - start
    conn.execute("COMMIT")
    conn.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=15_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ws = workspace_from_samples(folder / "contoh.sqlite")
        cells = list(ws.self_assessment()[["instance", "indicator"]].itertuples(index=False, name=None))
        ws.close()
        for label, drop in (("without the record's triggers", RECORD), ("the upkeep, no checks", CHECKS),
                            ("every trigger (as shipped)", [])):  # fmt: skip
            t = append(folder / "contoh.sqlite", folder, label.split()[0], drop, args.events, cells)
            print(f"{args.events:,} events appended, {label}: {t:.3f} s")


if __name__ == "__main__":
    main()

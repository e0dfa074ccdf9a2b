"""How long a merge of a big team file takes, and how much of it holds the round's write lock
(while it is held, every evaluator's save waits). The checks of the untrusted file run before
the lock; only the inserts run under it.

    .venv/bin/python benchmarks/bench_merge_untrusted.py [events] [--postgres]   (default 200000)

On a file round it also times the floor: the same events in one ``INSERT … SELECT`` from the
attached team file into a copy of the round (no checks), and prints merge ÷ floor.

With ``--postgres`` the target (the lead's round) is on a PostgreSQL server started for the run
(every appended event then goes through the server's write guard).
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from spbe_toolkit.demo import workspace_from_samples  # noqa: E402
from spbe_toolkit.workspace import Workspace  # noqa: E402


def main(n: int, postgres: bool = False) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-merge-"))
    server = None
    if postgres:
        from tests.pg import PgServer

        server = PgServer()
        server.start()
    try:
        lead = workspace_from_samples(server.new_database() if server else folder / "ketua.sqlite")
        run(lead, folder, n)
        lead.close()
    finally:
        if server:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def run(lead, folder: Path, n: int) -> None:
    settings = {"framework": lead.framework.name, "year": int(lead.meta["year"]) if lead.meta["year"] else None,
                "predicate_basis": lead.meta["predicate_basis"]}  # fmt: skip
    team_path = folder / "tim.sqlite"
    team = Workspace.create(team_path, **settings)
    team.merge(lead)
    cells = list(team.self_assessment()[["instance", "indicator"]].itertuples(index=False, name=None))
    team.close()
    conn = sqlite3.connect(team_path)
    with conn:
        conn.executemany(
            "INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(*cells[i % len(cells)], "final", 1 + i % 5, "Budi", f"catatan {i}", f"2026-11-30T10:00:00.{i % 999999:06d}+00:00")
             for i in range(n)],
        )  # fmt: skip
    conn.close()
    held = []
    store = lead.store
    original = store.transaction

    @contextmanager
    def timed():
        start = time.perf_counter()
        with original():
            yield
        held.append(time.perf_counter() - start)

    store.transaction = timed
    floor_copy = None
    if isinstance(lead.location, str) and lead.location.endswith(".sqlite"):  # the floor beside it (SQLite)
        floor_copy = folder / "floor.sqlite"
        src = sqlite3.connect(lead.location)
        dst = sqlite3.connect(floor_copy)
        src.backup(dst)
        src.close()
        dst.close()
    start = time.perf_counter()
    report = lead.merge(team_path)
    total = time.perf_counter() - start
    print(f"target {type(store).__name__}; events in the team file: {n:,}; added {report.added:,}")
    print(f"merge total {total:.2f} s; write lock held {sum(held):.2f} s ({100 * sum(held) / total:.0f} %)")
    if floor_copy is not None:
        # the floor: the same rows in one INSERT … SELECT from the attached file (the target's
        # triggers firing; marked as merged, as the merge marks them), no checks of the file
        conn = sqlite3.connect(floor_copy, isolation_level=None)
        conn.execute("ATTACH DATABASE ? AS t", (str(team_path),))
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at, origin, origin_event) "
            "SELECT instance, indicator, stage, level, evaluator, note, created_at, 'floor', id FROM t.events"
        )
        conn.execute("COMMIT")
        floor = time.perf_counter() - start
        conn.close()
        print(
            f"floor (one INSERT … SELECT of the file's {n:,}+ events): {floor:.2f} s; merge / floor {total / floor:.1f}×"
        )


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(numbers[0]) if numbers else 200_000, "--postgres" in sys.argv)

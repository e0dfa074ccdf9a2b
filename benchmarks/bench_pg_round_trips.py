"""Count the round trips one ``adjust`` makes to a PostgreSQL round (and time it beside SQLite).

Starts a private PostgreSQL server (as the tests do), builds the synthetic sample round on it
and in a file, then makes ``--adjusts`` adjustments on each and reports, per adjust, the
statements sent to the server (every cursor ``execute``/``executemany`` of the driver, plus
the connection's own commands: BEGIN, COMMIT, SAVEPOINT), the **round trips** — read from
libpq's own protocol trace (``PQtrace``): each run of messages the client sends ("F") that
is answered by the server ("B") before the client sends again is one — and the median time.

Run:  .venv/bin/python benchmarks/bench_pg_round_trips.py [--adjusts 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import psycopg  # noqa: E402

from spbe_toolkit.demo import workspace_from_samples  # noqa: E402
from tests.pg import PgServer, traced  # noqa: E402

CALLS: list[str] = []


def _counting(cls, names=("execute", "executemany")):
    for name in names:
        original = getattr(cls, name, None)
        if original is None:
            continue

        def wrapper(self, query, *args, _original=original, **kwargs):
            CALLS.append(str(query)[:60])
            return _original(self, query, *args, **kwargs)

        setattr(cls, name, wrapper)


def run(ws, n: int, trace_dir: Path | None = None) -> tuple[float, float, float]:
    names = list(ws.instances().index)
    own = ws.self_assessment()
    times, trips, turns = [], [], []
    for i in range(n):
        name = names[i % len(names)]
        code = str(1 + (i // len(names)) % 40)
        level = int(own[(own["instance"] == name) & (own["indicator"] == code)]["level"].iat[0])
        CALLS.clear()
        with traced(ws.store, trace_dir) if trace_dir else nullcontext([]) as counted:  # libpq's own trace
            start = time.perf_counter()
            ws.adjust(name, code, 1 if level != 1 else 2, stage="final", evaluator="Ketua Tim", note="uji")
            times.append(time.perf_counter() - start)
        turns.extend(counted)
        trips.append(len(CALLS))
    return statistics.median(times) * 1000, statistics.median(trips), statistics.median(turns) if turns else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--adjusts", type=int, default=50)
    args = ap.parse_args()
    _counting(psycopg.Cursor)  # every statement (Connection.execute goes through a cursor)
    _counting(psycopg.Connection, ("_exec_command",))  # BEGIN, COMMIT, SAVEPOINT … of transaction()
    server = PgServer()
    server.start()
    try:
        pg = workspace_from_samples(server.new_database(), with_final=False)
        with tempfile.TemporaryDirectory() as traces:
            ms, trips, _ = run(pg, args.adjusts)
            _, _, turns = run(pg, args.adjusts, Path(traces))
        pg.close()
        print(
            f"PostgreSQL adjust: median {ms:.2f} ms, {trips:.0f} statements sent in {turns:.0f} round trips"
            " per adjust; the last one's statements:"
        )
        for call in CALLS:
            print("   ", " ".join(call.split()))
    finally:
        server.stop()
    with tempfile.TemporaryDirectory() as tmp:
        lite = workspace_from_samples(Path(tmp) / "p.sqlite", with_final=False)
        ms, _, _ = run(lite, args.adjusts)
        lite.close()
        print(f"SQLite adjust: median {ms:.2f} ms")


if __name__ == "__main__":
    main()

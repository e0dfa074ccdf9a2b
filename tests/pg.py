"""A real PostgreSQL server for the tests: Debian's ``postgresql`` package, started in a
temporary folder on a free local port (``initdb`` + ``pg_ctl``, as the ``postgres`` user
when the tests run as root) and stopped afterwards. Tests that need it skip with a message
when no server can be started; ``.ci/run`` installs the package so CI runs them."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser import free_port


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PgServer:
    """One server; :meth:`new_database` gives each test a fresh database URL."""

    def __init__(self) -> None:
        self.bin = _bin()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="spbe-pg-"))
        self.data = self.root / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions")
        self._pg_ctl("start")

    def _pg_ctl(self, action: str) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} -c fsync=on"
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-o", opts, "-l", str(self.root / "log"), action)

    def restart(self) -> None:
        """``pg_ctl restart`` (fast shutdown: open transactions are rolled back)."""
        self._pg_ctl("restart")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        import psycopg

        name = "putaran_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def round_trips(trace: Path) -> int:
    """The client → server turns in a libpq protocol trace (``PQtrace``): each run of messages
    the client sends ("F") that the server answers ("B") before the client sends again."""
    turns, last = 0, "B"
    for line in trace.read_text(errors="replace").splitlines():
        direction = next((p for p in line.split("\t") if p in ("F", "B")), None)
        if direction == "F" and last == "B":
            turns += 1
        last = direction or last
    return turns


@contextmanager
def traced(store, folder: Path) -> Iterator[list[int]]:
    """Trace the PostgreSQL store's connection while the block runs; the list it gives holds,
    afterwards, the number of round trips the block made."""
    trace = Path(tempfile.mkstemp(suffix=".trace", dir=folder)[1])
    pgconn = store._connection().pgconn
    result: list[int] = []
    with trace.open("w") as handle:
        pgconn.trace(handle.fileno())
        try:
            yield result
        finally:
            pgconn.untrace()
    result.append(round_trips(trace))


def start_server() -> PgServer:
    """A started server, or a pytest skip saying why there is none."""
    if _bin() is None:
        pytest.skip(
            "PostgreSQL tests skipped: no /usr/lib/postgresql/*/bin/initdb (install Debian's 'postgresql'; .ci/run does)"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests skipped: the 'psycopg' package is not installed (make test installs it)")
    server = PgServer()
    try:
        server.start()
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        server.stop()
        pytest.skip(f"PostgreSQL tests skipped: the server did not start ({detail.strip()[:300]})")
    return server

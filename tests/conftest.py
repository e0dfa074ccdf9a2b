"""Shared fixtures: paths to the reference data and small level tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import spbe_toolkit as spbe

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"


def full_levels(fw_name: str, instances=("Instansi A",), level=3) -> pd.DataFrame:
    """A complete, valid levels table: every indicator of the framework at one level."""
    fw = spbe.load_framework(fw_name)
    rows = [(i, c, level) for i in instances for c in fw.codes]
    return pd.DataFrame(rows, columns=["instance", "indicator", "level"])


@pytest.fixture(params=["spbe2018", "spbe2020", "pemdi2026"])
def fw(request):
    return spbe.load_framework(request.param)


@pytest.fixture
def english():
    """Messages in English for the duration of a test (the default language is Indonesian)."""
    with spbe.use_language("en"):
        yield


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for the whole session (skips with a message when none starts)."""
    from tests.pg import start_server

    server = start_server()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def round_location(request, tmp_path):
    """Where a new round lives, once per store: a file, and a fresh database on the server."""
    if request.param == "sqlite":
        return str(tmp_path / "putaran.sqlite")
    return request.getfixturevalue("pg_server").new_database()


@pytest.fixture
def sample_round(round_location):
    """The synthetic sample round with its final levels, once per store."""
    from spbe_toolkit.demo import workspace_from_samples

    ws = workspace_from_samples(round_location)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def finished_round_file(tmp_path_factory):
    """The synthetic sample round file with its final levels, made once per session: copy it
    before writing to it."""
    from spbe_toolkit.demo import workspace_from_samples

    path = tmp_path_factory.mktemp("putaran_selesai") / "putaran.sqlite"
    workspace_from_samples(path).close()
    return path

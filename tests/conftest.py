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

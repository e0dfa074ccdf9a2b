"""A workspace the size of a national round (616 synthetic instances, spbe2020), shared by
the benchmarks that need one."""

from __future__ import annotations

from pathlib import Path

import spbe_toolkit as spbe
from spbe_toolkit.demo import synthetic_round
from spbe_toolkit.workspace import Workspace


def national_workspace(folder: Path, name: str = "putaran.sqlite") -> Workspace:
    """Create ``folder/name`` holding the self-assessments of 616 synthetic instances."""
    _insts, own, _ = synthetic_round("spbe2020", n_scale=14)
    csv = folder / "mandiri.csv"
    own.to_csv(csv, index=False)
    ws = Workspace.create(folder / name, framework="spbe2020", year=2025)
    ws.import_submissions(spbe.read_submissions(csv, "spbe2020", progress=False))
    return ws

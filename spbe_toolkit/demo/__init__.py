"""Synthetic sample data and the ``spbe demo`` job. Nothing else in the package imports from here."""

from spbe_toolkit.demo.samples import (
    broken_example_path,
    generate_samples,
    read_final_levels,
    sample_paths,
    synthetic_round,
    workspace_from_samples,
)

__all__ = [
    "broken_example_path",
    "generate_samples",
    "read_final_levels",
    "sample_paths",
    "synthetic_round",
    "workspace_from_samples",
]

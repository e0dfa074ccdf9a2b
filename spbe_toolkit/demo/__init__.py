"""Synthetic sample data and the ``spbe demo`` job. Nothing else in the package imports from here."""

from spbe_toolkit.demo.samples import (
    SAMPLE_TEAMS,
    broken_example_path,
    generate_samples,
    read_final_levels,
    sample_paths,
    synthetic_assignments,
    synthetic_reviews,
    synthetic_round,
    workspace_from_samples,
)

__all__ = [
    "SAMPLE_TEAMS",
    "broken_example_path",
    "generate_samples",
    "read_final_levels",
    "sample_paths",
    "synthetic_assignments",
    "synthetic_reviews",
    "synthetic_round",
    "workspace_from_samples",
]

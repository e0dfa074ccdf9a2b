"""National statistics: summaries and reconciliation (``summary``), weight sensitivity
(``sensitivity``); instance-name matching (``io.names``) is re-exported here."""

from spbe_toolkit.io.names import compare_rounds, match_names, name_key
from spbe_toolkit.stats.sensitivity import summary_table, weight_sensitivity
from spbe_toolkit.stats.summary import (
    load_results,
    national_index_from_domains,
    national_summary,
    reconcile,
    reproduce_group_table_2024,
    reproduce_pemdi_result,
    reproduce_series,
    results_table,
    self_assessment_gap,
    target_progress,
)

__all__ = [
    "compare_rounds",
    "load_results",
    "match_names",
    "name_key",
    "national_index_from_domains",
    "national_summary",
    "reconcile",
    "reproduce_group_table_2024",
    "reproduce_pemdi_result",
    "reproduce_series",
    "results_table",
    "self_assessment_gap",
    "summary_table",
    "target_progress",
    "weight_sensitivity",
]

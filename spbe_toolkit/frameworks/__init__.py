"""Evaluation frameworks as validated data (one TOML file per framework), and crosswalks between them."""

from spbe_toolkit.frameworks.crosswalks import carry_levels, crosswalk, crosswalk_sources
from spbe_toolkit.frameworks.model import (
    Band,
    Framework,
    framework_base,
    framework_from_text,
    framework_of_round,
    framework_table,
    list_frameworks,
    load_framework,
    resolve_framework,
)

__all__ = [
    "Band",
    "Framework",
    "carry_levels",
    "crosswalk",
    "crosswalk_sources",
    "framework_base",
    "framework_of_round",
    "framework_from_text",
    "framework_table",
    "list_frameworks",
    "load_framework",
    "resolve_framework",
]

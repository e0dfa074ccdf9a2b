"""Evaluation frameworks as validated data (one TOML file per framework)."""

from spbe_toolkit.frameworks.model import (
    Band,
    Framework,
    framework_base,
    framework_from_text,
    framework_table,
    list_frameworks,
    load_framework,
    resolve_framework,
)

__all__ = [
    "Band",
    "Framework",
    "framework_base",
    "framework_from_text",
    "framework_table",
    "list_frameworks",
    "load_framework",
    "resolve_framework",
]

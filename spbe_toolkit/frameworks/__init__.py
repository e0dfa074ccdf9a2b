"""Evaluation frameworks as validated data (one TOML file per framework)."""

from spbe_toolkit.frameworks.model import Band, Framework, list_frameworks, load_framework

__all__ = ["Band", "Framework", "list_frameworks", "load_framework"]

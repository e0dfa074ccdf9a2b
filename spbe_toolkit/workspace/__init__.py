"""The evaluation workspace: rules (``workspace``), store (``store``: the interface and SQLite),
schema and migrations (``schema``), read-only views (``views``) and export (``export``)."""

from spbe_toolkit.workspace.merge import MergeReport
from spbe_toolkit.workspace.schema import MIGRATIONS, SCHEMA_VERSION
from spbe_toolkit.workspace.store import SqliteStore, Store
from spbe_toolkit.workspace.workspace import Workspace

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "MergeReport", "SqliteStore", "Store", "Workspace"]

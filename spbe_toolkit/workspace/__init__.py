"""The evaluation workspace: rules (``workspace``) over one store contract for two databases
(``store``: SQLite file or PostgreSQL server; schema, statements and migrations declared once),
read-only views (``views``), the assessor's findings (``review``) and export (``export``)."""

from spbe_toolkit.workspace.merge import MergeReport
from spbe_toolkit.workspace.store import SqliteStore, Store, schema
from spbe_toolkit.workspace.store.schema import MIGRATIONS, SCHEMA_VERSION
from spbe_toolkit.workspace.workspace import Workspace

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "MergeReport", "SqliteStore", "Store", "Workspace", "schema"]

"""Where a workspace keeps its data: one contract (:class:`Store`, named reads and appends),
two databases — a SQLite file (:mod:`.sqlite`) or a PostgreSQL server (:mod:`.postgres`).

:func:`open_store` / :func:`create_store` are the one place a file is told from a server URL;
every caller (the workspace, the CLI, memo workers, merge) goes through them. The schema, its
version and its migrations are declared once (:mod:`.schema`), every statement once
(:mod:`.statements`), and every read and append once (:mod:`.base`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spbe_toolkit.workspace.store import schema
from spbe_toolkit.workspace.store.base import BaseStore, Store
from spbe_toolkit.workspace.store.postgres import PostgresStore, is_url, redacted
from spbe_toolkit.workspace.store.sqlite import SqliteStore


def location_of(location: Any) -> str | Path:
    """A server URL as given, or a file as a :class:`Path`: how a location is told apart."""
    return location if is_url(location) else Path(location)


def open_store(location: str | Path) -> BaseStore:
    """The store of an existing round: a SQLite file, or a ``postgresql://`` URL."""
    where = location_of(location)
    return PostgresStore.open(where) if isinstance(where, str) else SqliteStore.open(where)


def create_store(location: str | Path, meta: Mapping[str, str]) -> BaseStore:
    """A new round's store with ``meta``; refuses an existing file or a database holding a round."""
    where = location_of(location)
    return PostgresStore.create(where, meta) if isinstance(where, str) else SqliteStore.create(where, meta)


__all__ = [
    "BaseStore",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "create_store",
    "is_url",
    "location_of",
    "open_store",
    "redacted",
    "schema",
]

"""Storage: SQLAlchemy 2 schema, engine, bulk writes, snapshots, Alembic migrations.

Imports only retour.domain. The public names below are loaded on first use, so a command
that only reads does not pay for the write path.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retour.store.engine import HEAD_REVISION, Database, open_database, upgrade_database
    from retour.store.read import (
        counts,
        existing_cases,
        existing_detentions,
        holds_simulated,
        imports,
        read_dataset,
    )
    from retour.store.write import ImportResult, TableResult, write_dataset

_WHERE = {
    "HEAD_REVISION": "engine",
    "Database": "engine",
    "open_database": "engine",
    "upgrade_database": "engine",
    "counts": "read",
    "existing_cases": "read",
    "existing_detentions": "read",
    "holds_simulated": "read",
    "imports": "read",
    "read_dataset": "read",
    "ImportResult": "write",
    "TableResult": "write",
    "write_dataset": "write",
}

__all__ = [
    "HEAD_REVISION",
    "Database",
    "ImportResult",
    "TableResult",
    "counts",
    "existing_cases",
    "existing_detentions",
    "holds_simulated",
    "imports",
    "open_database",
    "read_dataset",
    "upgrade_database",
    "write_dataset",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'retour.store' has no attribute {name!r}")
    return getattr(importlib.import_module(f"retour.store.{module}"), name)

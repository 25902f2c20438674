"""Storage: SQLAlchemy 2 schema, engine, bulk writes, snapshots, Alembic migrations.

Imports only retour.domain.
"""

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

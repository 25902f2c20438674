"""An import through a mapping keeps the mapping: its SHA-256 and its text.

``imports.mapping_sha256`` and ``imports.mapping`` are empty for an import of the exchange
format itself; for one through a mapping (docs/mapping.md) they say exactly how the source
was read, so the import history can show it and the same mapping can be used again.

Frozen history: the columns are spelled out here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("imports") as batch:
        batch.add_column(sa.Column("mapping_sha256", sa.Text(), nullable=True))
        batch.add_column(sa.Column("mapping", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imports") as batch:
        batch.drop_column("mapping")
        batch.drop_column("mapping_sha256")

"""Mappings saved under a name, so the web import can use one again.

``saved_mappings`` keeps a mapping file (docs/mapping.md) an administrator saved on the
import page: its name (letters, digits, ``.``, ``_``, ``-``), its text and SHA-256, who
saved it and when. Saving under a name that exists replaces that mapping; every save and
removal is in the audit log.

Frozen history: the columns are spelled out here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_mappings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved_mappings"),
        sa.UniqueConstraint("name", name="uq_saved_mappings_name"),
    )


def downgrade() -> None:
    op.drop_table("saved_mappings")

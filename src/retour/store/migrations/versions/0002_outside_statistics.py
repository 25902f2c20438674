"""Outside statistics: Eurostat's return statistics (migr_eiord, migr_eirtn), one row a value.

A dimension a file does not have is stored as '' (not NULL), so that the primary key is one
row per observation on SQLite and PostgreSQL alike (a unique constraint treats NULLs as
distinct). `value` is NULL when Eurostat has no figure (which is not zero); `flag` holds
Eurostat's flags ('p', 'ep', ...) or NULL.

Frozen history: the columns are spelled out here.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = ("dataset", "geo", "citizen", "age", "sex", "unit", "c_dest", "indic", "period")


def upgrade() -> None:
    op.create_table(
        "outside_statistics",
        *(sa.Column(name, sa.String(), nullable=False) for name in _KEY),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.Column("flag", sa.String(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, name="pk_outside_statistics"),
    )
    op.create_index(
        "ix_outside_statistics_citizen_dataset", "outside_statistics", ["citizen", "dataset"]
    )


def downgrade() -> None:
    op.drop_index("ix_outside_statistics_citizen_dataset", table_name="outside_statistics")
    op.drop_table("outside_statistics")

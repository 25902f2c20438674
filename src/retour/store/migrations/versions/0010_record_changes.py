"""Recording in retour: what each recording or correction changed, per column.

``record_changes`` holds one row per changed column of a row recorded or corrected through
the API or the case page: the write it belongs to (``import_id``: a recording is written
like a small import, so the data fingerprint changes), when and by whom, the table, the
row's id (conditions: ``case_id:observed_on:condition``), the column and its old and new
value -- codes and dates only; free text is recorded as ``changed``. Rows are never
changed or removed.

Frozen history: the columns are spelled out here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("role", sa.String(), nullable=True),
        sa.Column("via", sa.String(), nullable=False),
        sa.Column("table_name", sa.String(), nullable=False),
        sa.Column("row_id", sa.Text(), nullable=False),
        sa.Column("column_name", sa.String(), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name="fk_record_changes_import_id_imports"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_record_changes"),
    )
    op.create_index(
        "ix_record_changes_table_name_row_id", "record_changes", ["table_name", "row_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_record_changes_table_name_row_id", table_name="record_changes")
    op.drop_table("record_changes")

"""The exchange format retour/2: agreed time limits (terms) and country statuses.

``terms`` holds the time limits an agreement or working arrangement sets for one kind of
request (reply within so many calendar or working days, a travel document so many days
after a positive answer, whether no answer counts as acceptance); ``country_status`` the
circumstances that limit what can be asked of a country (forced return suspended, no
document process, no diplomatic relations). Both carry the bookkeeping columns of every
contract table (``extracted_on``, ``import_id``).

Frozen history: the columns are spelled out here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _bookkeeping(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("extracted_on", sa.Date(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=f"fk_{table}_import_id_imports"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "terms",
        sa.Column("term_id", sa.Text(), nullable=False),
        sa.Column("instrument_id", sa.Text(), nullable=False),
        sa.Column("request_kind", sa.String(), nullable=False),
        sa.Column("reply_days", sa.Integer(), nullable=False),
        sa.Column("day_count", sa.String(), nullable=False),
        sa.Column("deemed_accepted", sa.String(), nullable=False),
        sa.Column("document_days", sa.Integer(), nullable=True),
        *_bookkeeping("terms"),
        sa.PrimaryKeyConstraint("term_id", name="pk_terms"),
    )
    op.create_table(
        "country_status",
        sa.Column("country", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("request_kind", sa.String(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        *_bookkeeping("country_status"),
        sa.PrimaryKeyConstraint("country", "status", "start_on", name="pk_country_status"),
    )


def downgrade() -> None:
    op.drop_table("country_status")
    op.drop_table("terms")

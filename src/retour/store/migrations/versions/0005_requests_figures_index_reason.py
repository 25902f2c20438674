"""The covering index for counting requests takes the reason of a refusal as well.

The press workbook counts requests by kind, outcome, country, reason and year of
submission in one pass; with ``reason`` in the index, SQLite reads the index alone. The
index of revision 0004 is its prefix, so it goes.

Frozen history: the columns are spelled out here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "ix_requests_kind_outcome_country_submitted_on"
NEW = "ix_requests_kind_outcome_country_submitted_on_reason"


def upgrade() -> None:
    op.drop_index(OLD, table_name="requests")
    op.create_index(NEW, "requests", ["kind", "outcome", "country", "submitted_on", "reason"])


def downgrade() -> None:
    op.drop_index(NEW, table_name="requests")
    op.create_index(OLD, "requests", ["kind", "outcome", "country", "submitted_on"])

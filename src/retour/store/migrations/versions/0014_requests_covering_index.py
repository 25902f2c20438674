"""A covering index on requests for the time limits and the Article 25a counts.

`retour overdue`, `retour figures terms` and the Article 25a indicators join staged due
dates to the requests on (country, submitted_on, kind) and read outcome, outcome_on,
document_on, reason, case_id and request_id: with every one of these in the index the
database reads the index alone, not a table row per request (on SQLite a third of the
time at a million requests). It replaces the index on (country, submitted_on), which is its
prefix and so serves every query that one served.

Frozen history: the columns are spelled out here.

Revision ID: 0014
Revises: 0011 (0012 and 0013 are numbered for revisions that may come between; this one
    then revises the newest of them, so the chain stays one line)
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_requests_country_submitted_on_covering"
COLUMNS = ["country", "submitted_on", "kind", "outcome", "outcome_on", "document_on",
           "reason", "case_id", "request_id"]  # fmt: skip
REPLACED = "ix_requests_country_submitted_on"


def upgrade() -> None:
    op.create_index(NAME, "requests", COLUMNS)
    op.drop_index(REPLACED, table_name="requests")


def downgrade() -> None:
    op.create_index(REPLACED, "requests", ["country", "submitted_on"])
    op.drop_index(NAME, table_name="requests")

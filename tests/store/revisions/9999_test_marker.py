"""A harmless revision after the shipped head, for tests only: a table nobody uses.

The engine tests add this folder to retour.store.engine.VERSION_LOCATIONS to play a retour
whose head is newer than a database's schema (an older database), and then remove it again
to play a retour older than the database (a database made by a newer retour).

It follows whatever revision the shipped migrations end with, so it stays the newest one
as migrations are added.

Revision ID: 9999
Revises: the shipped head
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retour.store.engine import HEAD_REVISION

revision: str = "9999"
down_revision: str | None = HEAD_REVISION
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("test_marker", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("test_marker")

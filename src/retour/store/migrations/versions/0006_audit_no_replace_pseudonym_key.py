"""The audit log cannot be rewritten by REPLACE; the database remembers its pseudonym key.

- SQLite: a trigger refuses any INSERT whose id exists. ``REPLACE INTO`` and ``INSERT OR
  REPLACE`` delete the old row without firing a DELETE trigger; this one fires first.
  (``INSERT ... ON CONFLICT DO UPDATE`` fires the UPDATE trigger of revision 0003.)
- ``pseudonym_key``: one row, the fingerprint of the key the alien numbers of this
  database were pseudonymised with -- an HMAC of a fixed label under the key, never the key
  -- so an import under another key is refused instead of duplicating every person.

Frozen history: the columns are spelled out here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSAL = "audit_log is append-only: rows cannot be changed or removed"

_SQLITE_NO_REPLACE = f"""CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
    WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_SQLITE_NO_REPLACE)
    op.create_table(
        "pseudonym_key",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_pseudonym_key_one_row"),
        sa.PrimaryKeyConstraint("id", name="pk_pseudonym_key"),
    )


def downgrade() -> None:
    op.drop_table("pseudonym_key")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_replace")

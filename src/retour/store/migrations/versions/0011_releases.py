"""The register of releases: every output made under ``parliament`` or ``public``, kept.

``releases`` holds one row per output that went out (who, when, what and its parameters,
the profile and its rules, the data's fingerprint and extraction date, the format, the
bytes and their SHA-256); ``release_cells`` every published cell of it (part, dimensions,
value shown, status). See docs/releases.md. Like the audit log, both are append-only:
triggers refuse UPDATE and DELETE (SQLite also a REPLACE of an existing id; PostgreSQL also
TRUNCATE).

Frozen history: the columns are spelled out here.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("releases", "release_cells")
_REFUSAL = "the register of releases is append-only: releases cannot be changed or removed"


def _sqlite_triggers(table: str) -> list[str]:
    key = "id = NEW.id" if table == "releases" else "release_id = NEW.release_id AND seq = NEW.seq"
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
        f"""CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
        WHEN EXISTS (SELECT 1 FROM {table} WHERE {key})
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
    ]


def _postgres_triggers(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION releases_append_only()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION releases_append_only()""",
    ]


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("role", sa.String(), nullable=True),
        sa.Column("via", sa.String(), nullable=False),
        sa.Column("what", sa.String(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("profile", sa.String(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=True),
        sa.Column("extracted_on", sa.Date(), nullable=True),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_releases"),
    )
    op.create_index("ix_releases_what_made_at", "releases", ["what", "made_at"])
    op.create_table(
        "release_cells",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("dims", sa.Text(), nullable=False),
        sa.Column("shown", sa.Text(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name="fk_release_cells_release_id_releases"
        ),
        sa.PrimaryKeyConstraint("release_id", "seq", name="pk_release_cells"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for table in _TABLES:
            for statement in _sqlite_triggers(table):
                op.execute(statement)
        return
    op.execute(
        f"""CREATE FUNCTION releases_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$"""
    )
    for table in _TABLES:
        for statement in _postgres_triggers(table):
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in _TABLES:
        names = ("no_update", "no_delete", "no_replace") if sqlite else ("no_change", "no_truncate")
        for name in names:
            op.execute(f"DROP TRIGGER {table}_{name}" + ("" if sqlite else f" ON {table}"))
    if not sqlite:
        op.execute("DROP FUNCTION releases_append_only()")
    op.drop_table("release_cells")
    op.drop_index("ix_releases_what_made_at", table_name="releases")
    op.drop_table("releases")

"""The initial schema: the import history and the seven tables of exchange format retour/1.

Frozen history: the columns are spelled out here, not read from SPECS, so that this revision
builds the same tables whatever later versions of retour change.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _bookkeeping(table: str) -> list[sa.schema.SchemaItem]:
    """The extraction date and import that last wrote a row, on every contract table."""
    return [
        sa.Column("extracted_on", sa.Date(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=f"fk_{table}_import_id_imports"
        ),
    ]


def _case_ref(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name=f"fk_{table}_case_id_cases")


def _imports() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("extracted_on", sa.Date(), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("format", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("container", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_imports"),
    )


def _cases() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("nationality", sa.String(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.String(), nullable=True),
        *_bookkeeping("cases"),
        sa.PrimaryKeyConstraint("case_id", name="pk_cases"),
    )
    op.create_index("ix_cases_nationality", "cases", ["nationality"])


def _requests() -> None:
    op.create_table(
        "requests",
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("id_evidence", sa.String(), nullable=False),
        sa.Column("alien_cooperates", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("document_on", sa.Date(), nullable=True),
        *_bookkeeping("requests"),
        _case_ref("requests"),
        sa.PrimaryKeyConstraint("request_id", name="pk_requests"),
    )
    op.create_index("ix_requests_country_submitted_on", "requests", ["country", "submitted_on"])
    op.create_index("ix_requests_case_id", "requests", ["case_id"])


def _detentions() -> None:
    op.create_table(
        "detentions",
        sa.Column("detention_id", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(), nullable=True),
        *_bookkeeping("detentions"),
        _case_ref("detentions"),
        sa.PrimaryKeyConstraint("detention_id", name="pk_detentions"),
    )
    op.create_index("ix_detentions_case_id", "detentions", ["case_id"])


def _departures() -> None:
    op.create_table(
        "departures",
        sa.Column("departure_id", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("departed_on", sa.Date(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("destination", sa.String(), nullable=True),
        sa.Column("assisted", sa.String(), nullable=True),
        *_bookkeeping("departures"),
        _case_ref("departures"),
        sa.PrimaryKeyConstraint("departure_id", name="pk_departures"),
    )
    op.create_index("ix_departures_case_id", "departures", ["case_id"])


def _conditions() -> None:
    op.create_table(
        "conditions",
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("condition", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        *_bookkeeping("conditions"),
        _case_ref("conditions"),
        sa.PrimaryKeyConstraint("case_id", "condition", "observed_on", name="pk_conditions"),
    )


def _instruments() -> None:
    op.create_table(
        "instruments",
        sa.Column("instrument_id", sa.Text(), nullable=False),
        sa.Column("country", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        *_bookkeeping("instruments"),
        sa.PrimaryKeyConstraint("instrument_id", name="pk_instruments"),
    )


def _assessments() -> None:
    op.create_table(
        "assessments",
        sa.Column("country", sa.String(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_bookkeeping("assessments"),
        sa.PrimaryKeyConstraint("country", "assessed_on", name="pk_assessments"),
    )


def upgrade() -> None:
    for create in (
        _imports,
        _cases,
        _requests,
        _detentions,
        _departures,
        _conditions,
        _instruments,
        _assessments,
    ):
        create()


def downgrade() -> None:
    for name in (
        "assessments",
        "instruments",
        "conditions",
        "departures",
        "detentions",
        "requests",
        "cases",
        "imports",
    ):
        op.drop_table(name)

"""Fixtures of the store tests: small typed datasets built in code, and full database dumps.

Every id is synthetic; no personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from retour.domain import codes
from retour.domain.codes import Table
from retour.domain.dataset import Dataset, DatasetMeta, polars_schema
from retour.domain.tables import SPECS
from retour.store import Database, open_database, schema

EXTRACTED = dt.date(2024, 6, 30)
Rows = Sequence[Mapping[str, object]]


def frame(table: Table, rows: Rows) -> pl.DataFrame:
    """A typed frame of `table`; columns missing from a row are null."""
    spec = SPECS[table]
    full = [{c: row.get(c) for c in spec.column_names} for row in rows]
    return pl.DataFrame(full, schema=polars_schema(spec), orient="row")


def small_tables() -> dict[Table, Rows]:
    """A few rows of every table, with empty (null) cells and every kind of column."""
    return {
        Table.CASES: [
            {
                "case_id": "c1",
                "nationality": "MA",
                "opened_on": dt.date(2023, 1, 10),
                "sex": codes.Sex.MALE,
                "birth_year": 1990,
            },
            {
                "case_id": "c2",
                "nationality": "NG",
                "opened_on": dt.date(2023, 2, 1),
                "closed_on": dt.date(2024, 1, 5),
                "close_reason": codes.CloseReason.DEPARTED,
            },
            {"case_id": "c3", "nationality": "UNK", "opened_on": dt.date(2023, 3, 3)},
        ],
        Table.REQUESTS: [
            {
                "request_id": "r1",
                "case_id": "c1",
                "kind": codes.RequestKind.LP,
                "country": "MA",
                "submitted_on": dt.date(2023, 2, 1),
                "id_evidence": codes.IdEvidence.DOCUMENT,
                "alien_cooperates": codes.Cooperates.YES,
                "outcome": codes.Outcome.PENDING,
            },
            {
                "request_id": "r2",
                "case_id": "c2",
                "kind": codes.RequestKind.TO,
                "country": "NG",
                "submitted_on": dt.date(2023, 3, 1),
                "id_evidence": codes.IdEvidence.NONE,
                "alien_cooperates": codes.Cooperates.NO,
                "outcome": codes.Outcome.NEGATIVE,
                "outcome_on": dt.date(2023, 6, 1),
                "reason": codes.RequestReason.NATIONALITY_NOT_CONFIRMED,
            },
        ],
        Table.DETENTIONS: [
            {
                "detention_id": "d1",
                "case_id": "c2",
                "started_on": dt.date(2023, 10, 1),
                "ended_on": dt.date(2024, 1, 5),
                "end_reason": codes.DetentionEndReason.REMOVED,
            },
            {"detention_id": "d2", "case_id": "c1", "started_on": dt.date(2024, 5, 1)},
        ],
        Table.DEPARTURES: [
            {
                "departure_id": "p1",
                "case_id": "c2",
                "departed_on": dt.date(2024, 1, 5),
                "type": codes.DepartureType.FORCED,
                "destination": "NG",
                "assisted": codes.YesNo.NO,
            }
        ],
        Table.CONDITIONS: [
            {
                "case_id": "c1",
                "observed_on": dt.date(2023, 2, 1),
                "condition": codes.Condition.IDENTITY,
                "state": codes.ConditionState.RED,
            },
            {
                "case_id": "c1",
                "observed_on": dt.date(2023, 2, 1),
                "condition": codes.Condition.REMOVABLE,
                "state": codes.ConditionState.GREEN,
            },
        ],
        Table.INSTRUMENTS: [
            {
                "instrument_id": "i1",
                "country": "MA",
                "kind": codes.InstrumentKind.WORKING_ARRANGEMENT,
                "level": codes.InstrumentLevel.EU,
                "status": codes.InstrumentStatus.IN_FORCE,
                "start_on": dt.date(2023, 6, 1),
                "title": 'Joint Way Forward, with a comma, and "quotes"',
            }
        ],
        Table.ASSESSMENTS: [
            {"country": "MA", "assessed_on": dt.date(2024, 1, 1), "level": 3},
            {"country": "NG", "assessed_on": dt.date(2024, 1, 1), "level": 2, "note": "talks"},
        ],
        Table.TERMS: [
            {
                "term_id": "t1",
                "instrument_id": "i1",
                "request_kind": codes.RequestKind.TO,
                "reply_days": 30,
                "day_count": codes.DayCount.WORKING,
                "deemed_accepted": codes.YesNo.YES,
            }
        ],
        Table.COUNTRY_STATUS: [
            {
                "country": "SY",
                "status": codes.CountryStatusKind.FORCED_RETURN_SUSPENDED,
                "start_on": dt.date(2012, 1, 1),
                "source": "letter, 26 January 2024",
            }
        ],
    }


def make_dataset(
    tables: Mapping[Table, Rows] | None = None,
    *,
    extracted_on: dt.date | None = EXTRACTED,
    source: str | None = "unit test",
) -> Dataset:
    rows = small_tables() if tables is None else tables
    return Dataset(
        {t: frame(t, r) for t, r in rows.items()},
        DatasetMeta(source=source, extracted_on=extracted_on),
    )


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every retour table, bookkeeping and import history included, in key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            query = sa.select(table).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(row) for row in conn.execute(query)]
    return out


FINGERPRINT = "ab" * 32


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """An open, fresh database of the backend under test."""
    with open_database(database_url) as database:
        yield database


@pytest.fixture
def dataset() -> Dataset:
    return make_dataset()


@pytest.fixture
def build() -> Callable[..., Dataset]:
    """make_dataset, for tests that need variants."""
    return make_dataset

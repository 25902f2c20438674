"""What the time-limit analyses read: instruments, terms and statuses (small tables, whole),
and the requests (with their cases' closing dates) of the countries that have terms.

Requests are read only for the countries an applicable term names, in one snapshot, so
`retour overdue` on a million requests reads the third it needs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import polars as pl
import sqlalchemy as sa

from retour.domain.codes import Table
from retour.domain.dataset import polars_schema
from retour.domain.tables import SPECS
from retour.store import bulk, schema
from retour.store.engine import Database

REQUEST_COLUMNS: Final = (
    "request_id",
    "case_id",
    "kind",
    "country",
    "submitted_on",
    "outcome",
    "outcome_on",
    "document_on",
)


@dataclass(frozen=True, slots=True)
class TermsSnapshot:
    """One snapshot of what the time-limit analyses need."""

    instruments: pl.DataFrame
    terms: pl.DataFrame
    statuses: pl.DataFrame
    requests: pl.DataFrame  # REQUEST_COLUMNS plus closed_on (the case's), of `countries`
    extracted_on: dt.date | None


def _whole(conn: sa.Connection, t: Table) -> pl.DataFrame:
    spec = SPECS[t]
    query = sa.select(*(schema.table(t).c[c] for c in spec.column_names))
    return bulk.fetch(conn, query, polars_schema(spec))


def terms_snapshot(db: Database, countries_of: list[str] | None = None) -> TermsSnapshot:
    """Instruments, terms, statuses and the requests of the countries that have a term on an
    instrument (or of `countries_of` only, where given, among those)."""
    with db.begin(snapshot=True) as conn:
        instruments = _whole(conn, Table.INSTRUMENTS)
        terms = _whole(conn, Table.TERMS)
        statuses = _whole(conn, Table.COUNTRY_STATUS)
        with_terms = instruments.join(terms.select("instrument_id"), on="instrument_id")
        countries = sorted(set(with_terms.get_column("country").to_list()))
        if countries_of is not None:
            countries = [c for c in countries if c in set(countries_of)]
        requests = _requests(conn, countries)
        newest = conn.execute(sa.select(sa.func.max(schema.imports.c.extracted_on))).scalar()
    extracted = newest if newest is None or isinstance(newest, dt.date) else None
    if newest is not None and extracted is None:
        extracted = dt.date.fromisoformat(str(newest))
    return TermsSnapshot(instruments, terms, statuses, requests, extracted)


def _requests(conn: sa.Connection, countries: list[str]) -> pl.DataFrame:
    requests, cases = schema.table(Table.REQUESTS), schema.table(Table.CASES)
    typed = polars_schema(SPECS[Table.REQUESTS])
    frame_schema = pl.Schema({**{c: typed[c] for c in REQUEST_COLUMNS}, "closed_on": pl.Date()})
    if not countries:
        return pl.DataFrame(schema=frame_schema)
    query = (
        sa.select(*(requests.c[c] for c in REQUEST_COLUMNS), cases.c.closed_on)
        .join(cases, cases.c.case_id == requests.c.case_id)
        .where(requests.c.country.in_(countries))
    )
    return bulk.fetch(conn, query, frame_schema)

"""Counting queries for published figures: one SQL GROUP BY each, small frames back.

Figures for Parliament and the press count hundreds of thousands of rows into a few
hundred cells, so the database does the counting and only the counts cross into Python.
The queries are portable SQL (SQLite and PostgreSQL): years come from
``EXTRACT(year FROM ...)``, date arithmetic from a per-dialect helper.

Every function returns a frame with a ``year`` column (Int64), the grouping columns asked
for (String, null where the stored value is null) and Int64 count columns. Years are not
filtered here: callers need the span of the data as well as the years they publish, and a
count over all years costs the same single scan as a count over some.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import polars as pl
import sqlalchemy as sa

from retour.domain.codes import DepartureType, Table
from retour.store import bulk, schema
from retour.store.engine import Database

YEAR: Final = "year"
N: Final = "n"
#: Count column of detention_counts: released detentions followed by an unsupervised departure.
UNSUPERVISED: Final = "unsupervised"
NATIONALITY: Final = "nationality"

#: Columns of requests that request_counts may group by.
REQUEST_COLUMNS: Final = ("kind", "country", "outcome", "reason")
#: Date columns of requests whose year request_counts may count by.
REQUEST_DATES: Final = ("submitted_on", "outcome_on")
DETENTION_COLUMNS: Final = ("end_reason", NATIONALITY)
DEPARTURE_COLUMNS: Final = ("type", NATIONALITY, "destination", "assisted")


def request_counts(
    db: Database,
    *,
    by: Sequence[str],
    year_of: str = "submitted_on",
    kinds: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Requests per year of ``year_of`` and the columns ``by``: ``year, *by, n``.

    Requests whose ``year_of`` is empty (``outcome_on`` of a pending request) are not
    counted. ``kinds`` restricts the count to these request kinds.
    """
    _check(by, REQUEST_COLUMNS, "request")
    _check([year_of], REQUEST_DATES, "request date")
    requests = schema.table(Table.REQUESTS)
    year = _year(requests.c[year_of])
    columns = [requests.c[name] for name in by]
    query = (
        sa.select(year, *columns, sa.func.count().label(N))
        .where(requests.c[year_of].is_not(None))
        .group_by(year, *columns)
    )
    if kinds is not None:
        query = query.where(requests.c.kind.in_(list(kinds)))
    return _fetch(db, query, [YEAR, *by], [N])


def detention_counts(db: Database, *, by: Sequence[str], within_days: int = 30) -> pl.DataFrame:
    """Ended detentions per year of ending and ``by``: ``year, *by, n, unsupervised``.

    ``unsupervised`` counts those of the ``n`` detentions after which the case has a
    departure of type ``unsupervised`` on the day the detention ended or within
    ``within_days`` days after it (whatever the end reason: callers pick the releases).
    ``by`` holds ``end_reason`` and/or ``nationality`` (the case's).
    """
    _check(by, DETENTION_COLUMNS, "detention")
    detentions = schema.table(Table.DETENTIONS)
    departures = schema.table(Table.DEPARTURES)
    cases = schema.table(Table.CASES)
    ended = detentions.c.ended_on
    followed = (
        sa.exists()
        .where(departures.c.case_id == detentions.c.case_id)
        .where(departures.c.type == DepartureType.UNSUPERVISED.value)
        .where(departures.c.departed_on >= ended)
        .where(departures.c.departed_on <= _plus_days(db, ended, within_days))
    )
    year = _year(ended)
    columns = [cases.c[c] if c == NATIONALITY else detentions.c[c] for c in by]
    source: sa.FromClause = detentions
    if NATIONALITY in by:
        source = detentions.join(cases, cases.c.case_id == detentions.c.case_id)
    query = (
        sa.select(
            year,
            *columns,
            sa.func.count().label(N),
            sa.func.sum(sa.case((followed, 1), else_=0)).label(UNSUPERVISED),
        )
        .select_from(source)
        .where(ended.is_not(None))
        .group_by(year, *columns)
    )
    return _fetch(db, query, [YEAR, *by], [N, UNSUPERVISED])


def departure_counts(db: Database, *, by: Sequence[str]) -> pl.DataFrame:
    """Departures per year of departure and ``by``: ``year, *by, n``.

    ``nationality`` is the case's presumed nationality; the other columns are the
    departure's own.
    """
    _check(by, DEPARTURE_COLUMNS, "departure")
    departures = schema.table(Table.DEPARTURES)
    cases = schema.table(Table.CASES)
    columns = [cases.c[c] if c == NATIONALITY else departures.c[c] for c in by]
    source: sa.FromClause = departures
    if NATIONALITY in by:
        source = departures.join(cases, cases.c.case_id == departures.c.case_id)
    year = _year(departures.c.departed_on)
    query = (
        sa.select(year, *columns, sa.func.count().label(N))
        .select_from(source)
        .group_by(year, *columns)
    )
    return _fetch(db, query, [YEAR, *by], [N])


def _check(names: Sequence[str], allowed: Sequence[str], what: str) -> None:
    unknown = [n for n in names if n not in allowed]
    if unknown or len(set(names)) != len(names):
        raise ValueError(f"{what} counts: cannot group by {list(names)}; allowed: {allowed}")


def _year(column: sa.ColumnElement[Any]) -> sa.Label[int]:
    """The calendar year of a date column, as an integer (SQLite and PostgreSQL)."""
    return sa.cast(sa.extract("year", column), sa.Integer).label(YEAR)


def _plus_days(db: Database, column: sa.ColumnElement[Any], days: int) -> sa.ColumnElement[Any]:
    """``column`` + ``days`` days, comparable with other date columns of the same dialect."""
    if db.is_sqlite:
        # SQLite keeps dates as ISO text; date() gives ISO text back, which compares right.
        return sa.func.date(column, f"+{int(days)} days")
    return column + int(days)


def _fetch(
    db: Database, query: sa.Select[Any], dims: Sequence[str], counts: Sequence[str]
) -> pl.DataFrame:
    frame_schema = pl.Schema(
        {YEAR: pl.Int64(), **{d: pl.String() for d in dims if d != YEAR}}
        | {c: pl.Int64() for c in counts}
    )
    with db.begin(snapshot=True) as conn:
        return bulk.fetch(conn, query, frame_schema)

"""What the Article 25a indicators count in the database: one year's cases opened, returns
and requests submitted, grouped, so only a few thousand rows come back.

Every function takes the calendar year and returns Int64 counts ``n`` with String codes:

- :func:`opened_cases`: ``country`` (the case's presumed nationality), ``n``;
- :func:`returns`: ``country`` (the case's nationality), ``type`` (forced or independent), ``n``;
- :func:`submitted_requests`: ``country`` (addressed), ``outcome``, ``reason``, ``days`` (calendar
  days from submission to a positive or negative answer, else null), ``n``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import polars as pl
import sqlalchemy as sa

from retour.domain.codes import DepartureType, Outcome, Table
from retour.store import bulk, schema
from retour.store.engine import Database

#: The departures that count as returns.
RETURN_TYPES: Final = (DepartureType.FORCED.value, DepartureType.INDEPENDENT.value)

_CASES: Final = pl.Schema({"country": pl.String(), "n": pl.Int64()})
_RETURNS: Final = pl.Schema({"country": pl.String(), "type": pl.String(), "n": pl.Int64()})
_REQUESTS: Final = pl.Schema(
    {"country": pl.String(), "outcome": pl.String(), "reason": pl.String(),
     "days": pl.Int64(), "n": pl.Int64()}
)  # fmt: skip


def _in_year(column: sa.ColumnElement[Any], year: int) -> sa.ColumnElement[bool]:
    first = sa.literal(dt.date(year, 1, 1), sa.Date())
    last = sa.literal(dt.date(year, 12, 31), sa.Date())
    return sa.and_(column >= first, column <= last)


def _grouped(
    db: Database, keys: list[Any], source: Any, where: Any, frame: pl.Schema
) -> pl.DataFrame:
    query = (
        sa.select(*keys, sa.func.count().label("n"))
        .select_from(source)
        .where(where)
        .group_by(*keys)
    )
    with db.begin(snapshot=True) as conn:
        return bulk.fetch(conn, query, frame)


def opened_cases(db: Database, year: int) -> pl.DataFrame:
    """Cases opened in `year` per presumed nationality."""
    cases = schema.table(Table.CASES)
    keys = [cases.c.nationality.label("country")]
    return _grouped(db, keys, cases, _in_year(cases.c.opened_on, year), _CASES)


def returns(db: Database, year: int) -> pl.DataFrame:
    """Forced and independent departures in `year` per the case's nationality and type."""
    departures, cases = schema.table(Table.DEPARTURES), schema.table(Table.CASES)
    source = departures.join(cases, cases.c.case_id == departures.c.case_id)
    keys = [cases.c.nationality.label("country"), departures.c.type.label("type")]
    where = sa.and_(
        _in_year(departures.c.departed_on, year), departures.c.type.in_(list(RETURN_TYPES))
    )
    return _grouped(db, keys, source, where, _RETURNS)


def submitted_requests(db: Database, year: int) -> pl.DataFrame:
    """Requests submitted in `year` per country addressed, answer, reason and days to a
    positive or negative answer."""
    requests = schema.table(Table.REQUESTS)
    r = requests.c
    if db.is_sqlite:
        span: Any = sa.cast(sa.func.julianday(r.outcome_on) - sa.func.julianday(r.submitted_on),
                            sa.Integer)  # fmt: skip
    else:
        span = r.outcome_on - r.submitted_on
    answered = r.outcome.in_([Outcome.POSITIVE.value, Outcome.NEGATIVE.value])
    days = sa.case((sa.and_(answered, r.outcome_on.is_not(None)), span), else_=sa.null())
    keys = [r.country, r.outcome, r.reason, days.label("days")]
    return _grouped(db, keys, requests, _in_year(r.submitted_on, year), _REQUESTS)


def span(db: Database) -> tuple[int, int] | None:
    """The first and last year of the cases opened and requests submitted, or None."""
    cases, requests = schema.table(Table.CASES), schema.table(Table.REQUESTS)
    query = sa.select(
        sa.func.min(cases.c.opened_on), sa.func.max(cases.c.opened_on),
        sa.select(sa.func.min(requests.c.submitted_on)).scalar_subquery(),
        sa.select(sa.func.max(requests.c.submitted_on)).scalar_subquery(),
    )  # fmt: skip
    with db.begin(snapshot=True) as conn:
        found = [v for v in conn.execute(query).one() if v is not None]
    if not found:
        return None
    years = [int(str(v)[:4]) for v in found]
    return min(years), max(years)

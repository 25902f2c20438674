"""Counting queries for published figures: set-based SQL, small frames back.

Figures for Parliament and the press count a million rows into a few hundred cells, so the
database does the counting and only the counts cross into Python. The queries are portable
SQL (SQLite and PostgreSQL) with small per-dialect helpers for years and date arithmetic.

How the counting runs differs per backend, the result does not:

- PostgreSQL: ``SELECT dims, SUM(...) ... GROUP BY dims`` (a hash aggregate).
- SQLite: its GROUP BY sorts every row first, which at a million rows costs about twice as
  much as the scan. Instead the rows are upserted into a small temporary table keyed by
  the dimensions (``INSERT ... SELECT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``):
  one B-tree probe per row into a table of a few hundred keys, still one statement and no
  row crossing into Python. The temporary table lives in the connection's temp database;
  the stored data are only read.

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
#: Count column of detention_counts: detentions followed by an unsupervised departure.
UNSUPERVISED: Final = "unsupervised"
NATIONALITY: Final = "nationality"

#: Columns of requests that request_counts may group by.
REQUEST_COLUMNS: Final = ("kind", "country", "outcome", "reason")
#: Date columns of requests whose year request_counts may count by.
REQUEST_DATES: Final = ("submitted_on", "outcome_on")
DETENTION_COLUMNS: Final = ("end_reason", NATIONALITY)
DEPARTURE_COLUMNS: Final = ("type", NATIONALITY, "destination", "assisted")

#: The temporary table SQLite counts into.
_COUNTS_TABLE: Final = "retour_figure_counts"
#: Stands for NULL in the temporary table's key (a key column cannot hold NULL there);
#: never a stored value, since an empty cell is stored as NULL.
_NULL_KEY: Final = ""

Expression = sa.ColumnElement[Any]


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
    dated = requests.c[year_of]
    where = [dated.is_not(None)]
    if kinds is not None:
        where.append(requests.c.kind.in_(list(kinds)))
    dims = {YEAR: _year(db, dated), **{name: requests.c[name] for name in by}}
    return _count(db, dims, {N: sa.literal(1)}, requests, where)


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
    source: sa.FromClause = detentions
    if NATIONALITY in by:
        source = detentions.join(cases, cases.c.case_id == detentions.c.case_id)
    dims = {YEAR: _year(db, ended)}
    dims |= {c: cases.c[c] if c == NATIONALITY else detentions.c[c] for c in by}
    counts = {N: sa.literal(1), UNSUPERVISED: sa.case((followed, 1), else_=0)}
    return _count(db, dims, counts, source, [ended.is_not(None)])


def departure_counts(db: Database, *, by: Sequence[str]) -> pl.DataFrame:
    """Departures per year of departure and ``by``: ``year, *by, n``.

    ``nationality`` is the case's presumed nationality; the other columns are the
    departure's own.
    """
    _check(by, DEPARTURE_COLUMNS, "departure")
    departures = schema.table(Table.DEPARTURES)
    cases = schema.table(Table.CASES)
    source: sa.FromClause = departures
    if NATIONALITY in by:
        source = departures.join(cases, cases.c.case_id == departures.c.case_id)
    dims = {YEAR: _year(db, departures.c.departed_on)}
    dims |= {c: cases.c[c] if c == NATIONALITY else departures.c[c] for c in by}
    return _count(db, dims, {N: sa.literal(1)}, source, [])


def case_counts(db: Database, *, nationality: str) -> pl.DataFrame:
    """Cases of one presumed nationality per year opened and how they closed:
    ``year, close_reason, n`` (``close_reason`` null while the case is open)."""
    cases = schema.table(Table.CASES)
    dims = {YEAR: _year(db, cases.c.opened_on), "close_reason": cases.c.close_reason}
    where = [cases.c.nationality == nationality]
    return _count(db, dims, {N: sa.literal(1)}, cases, where)


def case_years(db: Database) -> pl.DataFrame:
    """Cases per presumed nationality and year opened: ``year, nationality, n``."""
    cases = schema.table(Table.CASES)
    dims = {YEAR: _year(db, cases.c.opened_on), "nationality": cases.c.nationality}
    return _count(db, dims, {N: sa.literal(1)}, cases, [cases.c.nationality.is_not(None)])


def national_departures(db: Database, *, nationality: str) -> pl.DataFrame:
    """Departures of cases of one presumed nationality per year and type: ``year, type, n``."""
    departures = schema.table(Table.DEPARTURES)
    cases = schema.table(Table.CASES)
    source = departures.join(cases, cases.c.case_id == departures.c.case_id)
    dims = {YEAR: _year(db, departures.c.departed_on), "type": departures.c.type}
    where = [cases.c.nationality == nationality]
    return _count(db, dims, {N: sa.literal(1)}, source, where)


def _check(names: Sequence[str], allowed: Sequence[str], what: str) -> None:
    unknown = [n for n in names if n not in allowed]
    if unknown or len(set(names)) != len(names):
        raise ValueError(f"{what} counts: cannot group by {list(names)}; allowed: {allowed}")


def _year(db: Database, column: Expression) -> Expression:
    """The calendar year of a date column, as an integer (SQLite and PostgreSQL)."""
    if db.is_sqlite:
        # SQLite keeps dates as ISO text (YYYY-MM-DD): the first four characters are the
        # year, read about a fifth faster than EXTRACT's strftime().
        return sa.cast(sa.func.substr(column, 1, 4), sa.Integer)
    return sa.cast(sa.extract("year", column), sa.Integer)


def _plus_days(db: Database, column: Expression, days: int) -> Expression:
    """``column`` + ``days`` days, comparable with other date columns of the same dialect."""
    if db.is_sqlite:
        # SQLite keeps dates as ISO text; date() gives ISO text back, which compares right.
        return sa.func.date(column, f"+{int(days)} days")
    return column + int(days)


def _count(
    db: Database,
    dims: dict[str, Expression],
    counts: dict[str, Expression],
    source: sa.FromClause,
    where: Sequence[Expression],
) -> pl.DataFrame:
    """Sum each of ``counts`` (a value per row) over the rows of ``source`` that meet
    ``where``, per combination of ``dims``: a frame ``*dims, *counts``."""
    frame_schema = pl.Schema(
        {YEAR: pl.Int64()}
        | {d: pl.String() for d in dims if d != YEAR}
        | {c: pl.Int64() for c in counts}
    )
    with db.begin(snapshot=True) as conn:
        if db.is_sqlite:
            return _count_sqlite(conn, dims, counts, source, where, frame_schema)
        keys = [expr.label(name) for name, expr in dims.items()]
        sums = [sa.func.sum(expr).label(name) for name, expr in counts.items()]
        query = sa.select(*keys, *sums).select_from(source).where(*where).group_by(*keys)
        return bulk.fetch(conn, query, frame_schema)


def _count_sqlite(
    conn: sa.Connection,
    dims: dict[str, Expression],
    counts: dict[str, Expression],
    source: sa.FromClause,
    where: Sequence[Expression],
    frame_schema: pl.Schema,
) -> pl.DataFrame:
    """SQLite: upsert every row into a temporary table keyed by the dimensions."""
    keys = [
        (expr if name == YEAR else sa.func.coalesce(expr, _NULL_KEY)).label(name)
        for name, expr in dims.items()
    ]
    values = [expr.label(name) for name, expr in counts.items()]
    # "WHERE true" always: SQLite needs a WHERE before an upsert's ON CONFLICT.
    rows = sa.select(*keys, *values).select_from(source).where(sa.true(), *where)
    select_sql = str(rows.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    names = [*dims, *counts]
    column_list = ", ".join(f'"{n}"' for n in names)
    key_list = ", ".join(f'"{d}"' for d in dims)
    table = f"temp.{_COUNTS_TABLE}"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    conn.exec_driver_sql(
        f"CREATE TABLE {table} ({column_list}, PRIMARY KEY ({key_list})) WITHOUT ROWID"
    )
    updates = ", ".join(f'"{c}" = "{c}" + excluded."{c}"' for c in counts)
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({column_list}) {select_sql} "
        f"ON CONFLICT ({key_list}) DO UPDATE SET {updates}"
    )
    # "*": the table's columns in their order, the dimensions and then the counts
    result: sa.Select[Any] = sa.select(sa.literal_column("*")).select_from(sa.table(_COUNTS_TABLE))
    frame = bulk.fetch(conn, result, frame_schema)
    conn.exec_driver_sql(f"DROP TABLE {table}")
    strings = [d for d in dims if d != YEAR]
    return frame.with_columns(
        pl.when(pl.col(d) == _NULL_KEY).then(None).otherwise(pl.col(d)).alias(d) for d in strings
    )

"""Bulk transfer between Polars frames and the database, without a Python loop over rows.

`load` puts a frame into a temporary staging table, to be joined with set-based SQL. SQLite:
one `executemany` over the frame's rows, dates as ISO strings (as SQLAlchemy stores them);
PostgreSQL: `COPY ... FROM STDIN (FORMAT csv)` fed by Polars' CSV writer. A staging table
lives in the current transaction's connection; drop it with `drop` (PostgreSQL drops it at
commit in any case).

`fetch` runs a SELECT into a typed frame. SQLite: the driver's cursor, dates read as their
ISO text and parsed by Polars; PostgreSQL: `COPY (...) TO STDOUT (FORMAT csv)` read by Polars.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, cast

import polars as pl
import sqlalchemy as sa

if TYPE_CHECKING:  # loaded by SQLAlchemy on PostgreSQL only; SQLite never needs it
    import psycopg

#: Rows per COPY chunk, so a large frame is not held twice in memory as CSV.
COPY_CHUNK: Final = 200_000
ISO_DATE: Final = "%Y-%m-%d"
#: Rows per fetch from SQLite.
FETCH_BATCH: Final = 100_000


def load(
    conn: sa.Connection, name: str, columns: Sequence[sa.Column[Any]], frame: pl.DataFrame
) -> sa.Table:
    """Create the temporary table `name` with `columns` (all nullable) and load `frame` into it.

    The frame must have exactly these columns, in this order.
    """
    table = sa.Table(
        name,
        sa.MetaData(),
        *(sa.Column(c.name, c.type, nullable=True) for c in columns),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )
    table.drop(conn, checkfirst=True)
    table.create(conn)
    if not frame.is_empty():
        if conn.dialect.name == "sqlite":
            _load_sqlite(conn, table, frame)
        else:
            _load_postgresql(conn, table, frame)
    return table


def drop(conn: sa.Connection, table: sa.Table) -> None:
    table.drop(conn)


def _load_sqlite(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    dates = [name for name, dtype in frame.schema.items() if dtype == pl.Date]
    rows = frame.with_columns(pl.col(dates).dt.to_string(ISO_DATE)).iter_rows()
    marks = ", ".join("?" * len(table.columns))
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    driver.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})', rows)


def _load_postgresql(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    driver = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT csv)') as copy,
    ):
        for chunk in frame.iter_slices(COPY_CHUNK):
            buffer = io.BytesIO()
            # An unquoted empty field is NULL to COPY; Polars quotes empty strings ("").
            chunk.write_csv(buffer, include_header=False, date_format=ISO_DATE, null_value="")
            copy.write(buffer.getbuffer())


def fetch(conn: sa.Connection, query: sa.Select[Any], schema: pl.Schema) -> pl.DataFrame:
    """The rows of `query` (without bound parameters) as a frame of `schema`, in its order."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "sqlite":
        return _fetch_sqlite(conn, sql, schema)
    return _fetch_postgresql(conn, sql, schema)


def _fetch_sqlite(conn: sa.Connection, sql: str, schema: pl.Schema) -> pl.DataFrame:
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    dates = [name for name, dtype in schema.items() if dtype == pl.Date]
    raw = pl.Schema({n: pl.String() if n in dates else dtype for n, dtype in schema.items()})
    cursor = driver.execute(sql)
    # In batches, so that only one batch of rows is ever held as Python objects.
    parts = [pl.DataFrame(schema=raw)]
    while rows := cursor.fetchmany(FETCH_BATCH):
        parts.append(pl.DataFrame(rows, schema=raw, orient="row"))
    cursor.close()
    frame = pl.concat(parts, rechunk=True)
    return frame.with_columns(pl.col(dates).str.to_date(ISO_DATE))


def _fetch_postgresql(conn: sa.Connection, sql: str, schema: pl.Schema) -> pl.DataFrame:
    driver = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
    buffer = io.BytesIO()
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy,
    ):
        for block in copy:
            buffer.write(block)
    if not buffer.getbuffer().nbytes:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    # COPY writes NULL as an empty field and an empty string as "".
    return pl.read_csv(buffer, has_header=False, schema=schema)

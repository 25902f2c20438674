"""Outside statistics (Eurostat's migr_eiord and migr_eirtn): upsert a file's values, read them.

One row per value, keyed by (dataset, geo, citizen, age, sex, unit, c_dest, indic, period).
A dimension the file does not have is stored as '' so that the key has no NULL (PostgreSQL's
unique constraints treat NULLs as distinct); :func:`read_outside` gives it back as null.

:func:`write_outside` writes one file's values in one transaction, set-based: the frame is
loaded into a staging table, counted with one join, and applied with one
``INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE ... WHERE value or flag changed``. (The
first values of a dataset are all new: they go straight into the table, with one
``executemany`` on SQLite and ``COPY`` on PostgreSQL.) Per value of the file:

- a new key is *inserted*;
- an existing key whose value or flag differs is *updated* (value, flag, source file and
  line, imported_at);
- an existing key with the same value and flag is *unchanged* and left untouched, its
  source and imported_at too: importing the same file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from retour.domain.errors import DatabaseBusy, DatabaseError, StorageError
from retour.store import bulk
from retour.store.engine import Database, database_error, driver_errors
from retour.store.schema import OUTSIDE_KEY, outside_statistics

if TYPE_CHECKING:  # loaded by SQLAlchemy on PostgreSQL only
    import psycopg

TABLE: Final = outside_statistics
VALUES: Final = ("value", "flag")
SOURCE: Final = ("source_file", "source_line")
#: The columns of a frame to write: the key, the value and flag, where it came from.
WRITE_COLUMNS: Final = (*OUTSIDE_KEY, *VALUES, *SOURCE)
#: One file holds one dataset: these are not staged but written as constants.
CONSTANT: Final = ("dataset", "source_file")
STAGED: Final = tuple(c for c in WRITE_COLUMNS if c not in CONSTANT)
IMPORTED_AT: Final = "imported_at"
DIMENSIONS: Final = tuple(c for c in OUTSIDE_KEY if c not in {"dataset", "period"})

#: What :func:`read_outside` returns (``imported_at`` in UTC, to the second).
READ_SCHEMA: Final = pl.Schema(
    {
        **{c: pl.String() for c in OUTSIDE_KEY},
        "value": pl.Int64(),
        "flag": pl.String(),
        "source_file": pl.String(),
        "source_line": pl.Int64(),
        IMPORTED_AT: pl.Datetime("us", "UTC"),
    }
)
_STAGE: Final = "stage_outside_statistics"


@dataclass(frozen=True, slots=True)
class OutsideResult:
    """What writing one file did to its values."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def rows(self) -> int:
        return self.inserted + self.updated + self.unchanged


def write_outside(db: Database, frame: pl.DataFrame, *, imported_at: dt.datetime) -> OutsideResult:
    """Upsert the values of one file, ``frame`` (columns :data:`WRITE_COLUMNS`, one dataset
    and one source file; null dimensions allowed), in one transaction: all of them or, on
    any error, none."""
    if imported_at.tzinfo is None:
        raise ValueError("imported_at must be timezone-aware")
    staged, constants = _prepare(frame)
    stamp = imported_at.astimezone(dt.UTC)
    with db.begin(write=True) as conn:
        try:
            if not _holds(conn, constants["dataset"]):
                _insert_all(conn, staged, constants, stamp)
                return OutsideResult(inserted=staged.height)
            stage = bulk.load(conn, _STAGE, [TABLE.c[c] for c in STAGED], staged)
            result = _classify(conn, stage, constants["dataset"])
            if result.inserted or result.updated:
                conn.execute(_upsert(db, stage, constants, stamp))
            bulk.drop(conn, stage)
        except driver_errors() as exc:
            error = database_error(db, exc)
            if isinstance(error, DatabaseBusy | StorageError):  # a lock or the disk
                raise error from None
            raise DatabaseError(
                f"Writing the outside statistics failed, so nothing was written: {error.text}"
            ) from None
    return result


def _prepare(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str]]:
    """The staged columns, sorted by key, and the constants (dataset, source file)."""
    missing = [c for c in WRITE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"write_outside: the frame lacks {missing}")
    constants: dict[str, str] = {}
    for name in CONSTANT:
        distinct = frame[name].unique().to_list()
        if len(distinct) != 1 or not distinct[0]:
            raise ValueError(f"write_outside: the frame must hold one {name}, not {distinct}")
        constants[name] = str(distinct[0])
    keys = [c for c in OUTSIDE_KEY if c not in CONSTANT]
    keyed = frame.select(STAGED).with_columns(
        pl.col(keys).cast(pl.String).fill_null(""),
        pl.col("value").cast(pl.Int64),
        pl.col("flag").cast(pl.String),
        pl.col("source_line").cast(pl.Int64),
    )
    blank = pl.any_horizontal(pl.col(c) == "" for c in ("geo", "citizen", "period"))
    if keyed.select(blank.any()).item():
        raise ValueError("write_outside: geo, citizen and period must be given")
    if keyed.select(keys).is_duplicated().any():
        raise ValueError("write_outside: values share a key; read the file with read_eurostat")
    # In key order, so the key index grows at its end.
    return keyed.sort(keys), constants


def _holds(conn: sa.Connection, dataset: str) -> bool:
    """Whether any value of the dataset is stored (the key's first column: one index probe)."""
    query = sa.select(sa.literal(1)).where(TABLE.c.dataset == dataset).limit(1)
    return conn.execute(query).first() is not None


def _insert_all(
    conn: sa.Connection, staged: pl.DataFrame, constants: dict[str, str], stamp: dt.datetime
) -> None:
    """The first values of a dataset: every key is new, so insert them straight into the
    table, without staging, classifying and upserting (SQLite: one executemany; PostgreSQL:
    COPY). The stamp is written as SQLAlchemy writes a DateTime on each backend."""
    sqlite_stamp = stamp.strftime("%Y-%m-%d %H:%M:%S.%f")
    rows = staged.with_columns(
        pl.lit(constants["dataset"]).alias("dataset"),
        pl.lit(constants["source_file"]).alias("source_file"),
        pl.lit(sqlite_stamp if conn.dialect.name == "sqlite" else stamp.isoformat()).alias(
            IMPORTED_AT
        ),
    ).select(*WRITE_COLUMNS, IMPORTED_AT)
    names = ", ".join(f'"{c}"' for c in rows.columns)
    driver = conn.connection.driver_connection
    if isinstance(driver, sqlite3.Connection):
        marks = ", ".join("?" * rows.width)
        driver.executemany(
            f'INSERT INTO "{TABLE.name}" ({names}) VALUES ({marks})', rows.iter_rows()
        )
        return
    pg = cast("psycopg.Connection[Any]", driver)  # on PostgreSQL
    with (
        pg.cursor() as cursor,
        cursor.copy(f'COPY "{TABLE.name}" ({names}) FROM STDIN (FORMAT csv)') as copy,
    ):
        for chunk in rows.iter_slices(bulk.COPY_CHUNK):
            buffer = io.BytesIO()
            # An unquoted empty field is NULL to COPY; Polars quotes empty strings ("").
            chunk.write_csv(buffer, include_header=False, null_value="")
            copy.write(buffer.getbuffer())


def _on_key(stage: sa.Table, dataset: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        TABLE.c.dataset == dataset,
        *(stage.c[k] == TABLE.c[k] for k in OUTSIDE_KEY if k not in CONSTANT),
    )


def _changed(
    new: sa.ColumnCollection[str, sa.ColumnElement[object]],
    old: sa.ColumnCollection[str, sa.ColumnElement[object]],
) -> sa.ColumnElement[bool]:
    """Null-safe: the value or the flag differs (IS NOT on SQLite, IS DISTINCT FROM on PG)."""
    return sa.or_(*(new[c].is_distinct_from(old[c]) for c in VALUES))


def _classify(conn: sa.Connection, stage: sa.Table, dataset: str) -> OutsideResult:
    joined = stage.outerjoin(TABLE, _on_key(stage, dataset))
    exists = TABLE.c.dataset.is_not(None)
    changed = _changed(stage.c, TABLE.c)

    def count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    row = conn.execute(
        sa.select(
            count(~exists), count(sa.and_(exists, changed)), count(sa.and_(exists, ~changed))
        ).select_from(joined)
    ).one()
    return OutsideResult(*(int(n) for n in row))


def _upsert(
    db: Database, stage: sa.Table, constants: dict[str, str], imported_at: dt.datetime
) -> sa.Executable:
    def column(name: str) -> sa.ColumnElement[object]:
        if name in constants:
            return sa.literal(constants[name], TABLE.c[name].type).label(name)
        return stage.c[name]

    rows = sa.select(
        *(column(c) for c in WRITE_COLUMNS),
        sa.literal(imported_at, sa.DateTime(timezone=True)).label(IMPORTED_AT),
    ).where(sa.true())  # SQLite: WHERE keeps ON CONFLICT from parsing as a join's ON
    insert = (sqlite.insert if db.is_sqlite else postgresql.insert)(TABLE)
    stmt = insert.from_select([*WRITE_COLUMNS, IMPORTED_AT], rows)
    return stmt.on_conflict_do_update(
        index_elements=list(OUTSIDE_KEY),
        set_={c: stmt.excluded[c] for c in (*VALUES, *SOURCE, IMPORTED_AT)},
        where=_changed(stmt.excluded, TABLE.c),
    )


def read_outside(
    db: Database, *, citizen: str | None = None, datasets: Sequence[str] = ()
) -> pl.DataFrame:
    """The stored values (of one citizenship, of some datasets), '' dimensions as null."""
    imported = TABLE.c.imported_at
    # Read as text in UTC; whole seconds parse the same from SQLite and PostgreSQL.
    stamp = imported if db.is_sqlite else sa.func.timezone("UTC", imported)
    query = sa.select(
        *(TABLE.c[c] for c in (*OUTSIDE_KEY, *VALUES, *SOURCE)),
        sa.cast(stamp, sa.String).label(IMPORTED_AT),
    )
    if citizen is not None:
        query = query.where(TABLE.c.citizen == citizen)
    if datasets:
        query = query.where(TABLE.c.dataset.in_(list(datasets)))
    query = query.order_by(*(TABLE.c[k] for k in OUTSIDE_KEY))
    text_schema = pl.Schema({**READ_SCHEMA, IMPORTED_AT: pl.String()})
    with db.begin() as conn:
        frame = bulk.fetch(conn, query, text_schema)
    return frame.with_columns(
        pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in DIMENSIONS
    ).with_columns(
        pl.col(IMPORTED_AT)
        .str.slice(0, 19)
        .str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us", time_zone="UTC")
    )


def citizens(db: Database) -> list[str]:
    """The citizenships the table of outside statistics holds values for."""
    with db.begin() as conn:
        found = conn.execute(sa.select(TABLE.c.citizen).distinct()).scalars()
        return sorted(str(c) for c in found)


def count_outside(db: Database) -> int:
    """How many values the table of outside statistics holds."""
    with db.begin() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(TABLE)).scalar_one())


def outside_version(db: Database) -> tuple[int, str | None]:
    """How many values the table holds and when it last changed (ISO text, UTC, or None):
    together they change with every import that inserts or updates a value."""
    with db.begin() as conn:
        count, latest = conn.execute(
            sa.select(sa.func.count(), sa.func.max(TABLE.c.imported_at)).select_from(TABLE)
        ).one()
    if latest is None:
        return int(count), None
    stamp = latest if isinstance(latest, dt.datetime) else dt.datetime.fromisoformat(str(latest))
    stamp = stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)
    return int(count), stamp.isoformat()

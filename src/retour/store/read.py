"""Read the store back: the dataset as typed frames, counts, the import history, and the
stored rows that import validation needs. Bulk reads into Polars; no ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Final

import polars as pl
import sqlalchemy as sa

from retour.domain.codes import FORMAT_VERSION, Table
from retour.domain.dataset import Dataset, DatasetMeta, polars_schema
from retour.domain.tables import SPECS
from retour.store import bulk, schema
from retour.store.engine import Database

SOURCE_SEPARATOR: Final = ", "

#: The import history as imports() returns it.
IMPORTS_SCHEMA: Final = pl.Schema(
    {
        "id": pl.Int64(),
        "imported_at": pl.Datetime("us", "UTC"),
        "source": pl.String(),
        "extracted_on": pl.Date(),
        "simulated": pl.Boolean(),
        "format": pl.String(),
        "fingerprint": pl.String(),
        "container": pl.String(),
        "counts": pl.String(),
        "mapping_sha256": pl.String(),  # an import through a mapping; its text: import_mapping
    }
)


def read_dataset(db: Database, tables: Iterable[Table] | None = None) -> Dataset:
    """The stored tables (all, or those named; the others empty) and the imports' metadata.

    Frames are typed, in contract column order, sorted by key. meta.extracted_on is the
    newest extraction date imported; meta.source the one source of every import, or their
    distinct sources in import order joined by ", "; both None while the database is empty.
    All tables are read in one snapshot.
    """
    wanted = list(Table) if tables is None else list(dict.fromkeys(tables))
    with db.begin(snapshot=True) as conn:
        frames = {t: _read_table(conn, t) for t in wanted}
        meta = _meta(conn)
    return Dataset(frames, meta)


def _read_table(conn: sa.Connection, t: Table) -> pl.DataFrame:
    spec = SPECS[t]
    target = schema.table(t)
    query = sa.select(*(target.c[c] for c in spec.column_names))
    return bulk.fetch(conn, query, polars_schema(spec)).sort(spec.key, maintain_order=True)


def _meta(conn: sa.Connection) -> DatasetMeta:
    imports = schema.imports
    newest = conn.execute(sa.select(sa.func.max(imports.c.extracted_on))).scalar_one()
    first_id = sa.func.min(imports.c.id)
    sources = conn.execute(
        sa.select(imports.c.source)
        .where(imports.c.source.is_not(None))
        .group_by(imports.c.source)
        .order_by(first_id)
    ).scalars()
    source = SOURCE_SEPARATOR.join(sources) or None
    return DatasetMeta(source=source, extracted_on=_as_date(newest), format=FORMAT_VERSION)


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def counts(db: Database) -> dict[Table, int]:
    """Stored rows per table, every table present."""
    with db.begin(snapshot=True) as conn:
        return {t: _count(conn, schema.table(t)) for t in Table}


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def holds_simulated(db: Database) -> bool | None:
    """Whether the database holds simulated data; None before the first import."""
    imports = schema.imports
    query = sa.select(
        sa.func.count(), sa.func.max(sa.case((imports.c.simulated, 1), else_=0))
    ).select_from(imports)
    with db.begin() as conn:
        n, simulated = conn.execute(query).one()
    return None if not n else bool(simulated)


def imports(db: Database) -> pl.DataFrame:
    """The import history, oldest first (see IMPORTS_SCHEMA); counts is a JSON text."""
    table = schema.imports
    query = sa.select(*(table.c[name] for name in IMPORTS_SCHEMA.names())).order_by(table.c.id)
    with db.begin() as conn:
        rows = conn.execute(query).all()
    raw = {**IMPORTS_SCHEMA, "imported_at": pl.Datetime("us")}
    frame = pl.DataFrame([_naive_utc(row) for row in rows], schema=raw, orient="row")
    return frame.with_columns(pl.col("imported_at").dt.replace_time_zone("UTC"))


def import_mapping(db: Database, import_id: int) -> str | None:
    """The text of the mapping an import was read through (None: the exchange format)."""
    query = sa.select(schema.imports.c.mapping).where(schema.imports.c.id == import_id)
    with db.begin() as conn:
        return conn.execute(query).scalar()


def _naive_utc(row: Sequence[Any]) -> tuple[Any, ...]:
    """SQLite gives back the naive UTC time it stored, PostgreSQL an aware one."""
    at = row[1]
    if isinstance(at, dt.datetime) and at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return (row[0], at, *row[2:])


def existing_cases(db: Database, case_ids: pl.Series) -> pl.DataFrame:
    """case_id, opened_on of those of `case_ids` that are stored (each once)."""
    cases = schema.table(Table.CASES)
    columns = ("case_id", "opened_on")
    return _lookup(db, case_ids, cases, columns)


def existing_detentions(db: Database, case_ids: pl.Series) -> pl.DataFrame:
    """detention_id, case_id, started_on, ended_on of the stored detentions of `case_ids`."""
    detentions = schema.table(Table.DETENTIONS)
    columns = ("detention_id", "case_id", "started_on", "ended_on")
    return _lookup(db, case_ids, detentions, columns)


def _lookup(
    db: Database, case_ids: pl.Series, table: sa.Table, columns: Sequence[str]
) -> pl.DataFrame:
    """Rows of `table` whose case_id is among `case_ids`, joined via a staging table."""
    spec = SPECS[Table(table.name)]
    frame_schema = pl.Schema({c: polars_schema(spec)[c] for c in columns})
    ids = case_ids.cast(pl.String).drop_nulls().unique().to_frame(schema.CASE_ID)
    if ids.is_empty():
        return pl.DataFrame(schema=frame_schema)
    with db.begin() as conn:
        stage = bulk.load(conn, "lookup_case_ids", [sa.Column(schema.CASE_ID, sa.Text)], ids)
        query = sa.select(*(table.c[c] for c in columns)).join(
            stage, stage.c[schema.CASE_ID] == table.c[schema.CASE_ID]
        )
        found = bulk.fetch(conn, query, frame_schema)
        bulk.drop(conn, stage)
    return found.sort(list(columns[:1]), maintain_order=True)

"""A dataset in memory: one typed Polars frame per table, and its metadata."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from retour.domain.codes import FORMAT_VERSION, DatasetSource, Table
from retour.domain.tables import SPECS, ColumnType, TableSpec

_DTYPES: dict[ColumnType, pl.DataType] = {
    ColumnType.TEXT: pl.String(),
    ColumnType.COUNTRY: pl.String(),
    ColumnType.CODE: pl.String(),
    ColumnType.DATE: pl.Date(),
    ColumnType.INT: pl.Int64(),
}


def polars_schema(spec: TableSpec) -> pl.Schema:
    """The typed schema of a table: dates as Date, integers as Int64, everything else String."""
    return pl.Schema({c.name: _DTYPES[c.type] for c in spec.columns})


def empty_frame(table: Table) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(SPECS[table]))


@dataclass(frozen=True, slots=True)
class DatasetMeta:
    """The contents of dataset.json."""

    source: str | None = None
    extracted_on: dt.date | None = None
    format: str = FORMAT_VERSION

    @property
    def simulated(self) -> bool:
        return self.source == DatasetSource.SIMULATED


@dataclass(slots=True)
class Dataset:
    """Validated, typed tables in the column order of the contract.

    A table that the source did not provide is an empty frame, never missing.
    """

    tables: dict[Table, pl.DataFrame] = field(default_factory=dict)
    meta: DatasetMeta = field(default_factory=DatasetMeta)

    def __post_init__(self) -> None:
        for table in Table:
            frame = self.tables.get(table)
            self.tables[table] = empty_frame(table) if frame is None else frame

    def __getitem__(self, table: Table) -> pl.DataFrame:
        return self.tables[table]

    def counts(self) -> dict[Table, int]:
        return {t: self.tables[t].height for t in Table}

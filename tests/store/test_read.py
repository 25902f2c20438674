"""Reading back: the dataset's metadata, counts, and the stored rows validation asks for."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from retour.domain.codes import FORMAT_VERSION, Table
from retour.domain.dataset import polars_schema
from retour.domain.tables import SPECS
from retour.store import (
    Database,
    bulk,
    counts,
    existing_cases,
    existing_detentions,
    holds_simulated,
    imports,
    read_dataset,
    write_dataset,
)
from retour.store.read import IMPORTS_SCHEMA

from .conftest import EXTRACTED, FINGERPRINT, make_dataset, small_tables


def put(db: Database, *, source: str | None, extracted_on: dt.date) -> None:
    dataset = make_dataset(source=source, extracted_on=extracted_on)
    write_dataset(db, dataset, fingerprint=FINGERPRINT, container="export.zip")


def test_an_empty_database(db: Database) -> None:
    dataset = read_dataset(db)
    assert dataset.meta.source is None
    assert dataset.meta.extracted_on is None
    assert dataset.meta.format == FORMAT_VERSION
    assert dataset.counts() == dict.fromkeys(Table, 0)
    for table in Table:
        assert dataset[table].schema == polars_schema(SPECS[table])
    assert counts(db) == dict.fromkeys(Table, 0)
    assert holds_simulated(db) is None
    assert imports(db).schema == IMPORTS_SCHEMA
    assert imports(db).is_empty()


def test_frames_are_typed_in_contract_order(db: Database) -> None:
    put(db, source="a", extracted_on=EXTRACTED)
    dataset = read_dataset(db)
    for table in Table:
        assert dataset[table].schema == polars_schema(SPECS[table]), table


def test_meta_one_source(db: Database) -> None:
    put(db, source="case system", extracted_on=EXTRACTED)
    put(db, source="case system", extracted_on=EXTRACTED + dt.timedelta(days=1))
    meta = read_dataset(db, tables=()).meta
    assert meta.source == "case system"
    assert meta.extracted_on == EXTRACTED + dt.timedelta(days=1)


def test_meta_several_sources_in_import_order_and_the_newest_extract(db: Database) -> None:
    # The same rows each time: only a newer extract leaves a trace in the history.
    put(db, source="zeta", extracted_on=EXTRACTED)
    put(db, source=None, extracted_on=EXTRACTED + dt.timedelta(days=9))
    put(db, source="alpha", extracted_on=EXTRACTED + dt.timedelta(days=10))
    put(db, source="zeta", extracted_on=EXTRACTED + dt.timedelta(days=11))
    put(db, source="omega", extracted_on=EXTRACTED)  # older and nothing new: no trace
    meta = read_dataset(db, tables=()).meta
    assert meta.source == "zeta, alpha"
    assert meta.extracted_on == EXTRACTED + dt.timedelta(days=11)


def test_reads_in_several_batches(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "FETCH_BATCH", 2)
    dataset = make_dataset()
    write_dataset(db, dataset, fingerprint=FINGERPRINT, container="export.zip")
    back = read_dataset(db)
    for table in Table:
        assert back[table].equals(dataset[table].sort(SPECS[table].key)), table


def test_some_tables_only(db: Database) -> None:
    put(db, source="a", extracted_on=EXTRACTED)
    dataset = read_dataset(db, [Table.DETENTIONS, Table.DETENTIONS])
    assert dataset.counts() == {**dict.fromkeys(Table, 0), Table.DETENTIONS: 2}
    assert read_dataset(db, tables=()).counts() == dict.fromkeys(Table, 0)


def test_counts(db: Database) -> None:
    put(db, source="a", extracted_on=EXTRACTED)
    assert counts(db) == {t: len(rows) for t, rows in small_tables().items()}


def test_existing_cases_of_some_ids(db: Database) -> None:
    put(db, source="a", extracted_on=EXTRACTED)
    asked = pl.Series(["c2", "unknown", "c2", None, "c1"], dtype=pl.String)
    found = existing_cases(db, asked)
    assert found.schema == pl.Schema({"case_id": pl.String(), "opened_on": pl.Date()})
    assert found.rows() == [("c1", dt.date(2023, 1, 10)), ("c2", dt.date(2023, 2, 1))]


def test_existing_detentions_of_some_cases(db: Database) -> None:
    put(db, source="a", extracted_on=EXTRACTED)
    found = existing_detentions(db, pl.Series(["c2", "c3"]))
    assert found.columns == ["detention_id", "case_id", "started_on", "ended_on"]
    assert found.rows() == [("d1", "c2", dt.date(2023, 10, 1), dt.date(2024, 1, 5))]
    assert found.schema["ended_on"] == pl.Date


def test_lookups_of_nothing_and_of_many(db: Database) -> None:
    put(db, source="a", extracted_on=EXTRACTED)
    nothing = existing_cases(db, pl.Series([], dtype=pl.String))
    assert nothing.is_empty()
    assert nothing.columns == ["case_id", "opened_on"]
    assert existing_detentions(db, pl.Series([None], dtype=pl.String)).is_empty()
    many = pl.Series([f"x{i}" for i in range(50_000)] + ["c3"])  # a staging join, no IN list
    assert existing_cases(db, many)["case_id"].to_list() == ["c3"]


def test_the_import_history(db: Database) -> None:
    put(db, source="a", extracted_on=EXTRACTED)
    put(db, source=None, extracted_on=EXTRACTED + dt.timedelta(days=1))
    history = imports(db)
    assert history.schema == IMPORTS_SCHEMA
    assert history["source"].to_list() == ["a", None]
    assert history["imported_at"].is_sorted()
    assert history["imported_at"].dtype == pl.Datetime("us", "UTC")

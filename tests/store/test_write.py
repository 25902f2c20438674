"""write_dataset: keyed upserts by extraction date, all or nothing, and a faithful round trip."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict

import polars as pl
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from retour.domain import codes
from retour.domain.codes import DatasetSource, Table
from retour.domain.dataset import Dataset
from retour.domain.errors import DatabaseError
from retour.domain.tables import SPECS
from retour.store import (
    Database,
    TableResult,
    counts,
    holds_simulated,
    imports,
    read_dataset,
    schema,
    write,
    write_dataset,
)

from .conftest import EXTRACTED, FINGERPRINT, Rows, dump, make_dataset, small_tables

LATER = EXTRACTED + dt.timedelta(days=31)
EARLIER = EXTRACTED - dt.timedelta(days=31)


def put(db: Database, dataset: Dataset, container: str = "export.zip") -> write.ImportResult:
    return write_dataset(db, dataset, fingerprint=FINGERPRINT, container=container)


def contract_dump(db: Database) -> dict[str, list[tuple[object, ...]]]:
    return {name: rows for name, rows in dump(db).items() if name != schema.IMPORTS}


def sorted_frame(dataset: Dataset, table: Table) -> pl.DataFrame:
    return dataset[table].sort(SPECS[table].key, maintain_order=True)


def with_row(
    tables: Mapping[Table, Rows], table: Table, key: str, **values: object
) -> dict[Table, Rows]:
    """The tables with one row (by its id column) changed."""
    id_column = SPECS[table].column_names[0]
    changed = {t: [dict(r) for r in rows] for t, rows in tables.items()}
    for row in changed[table]:
        if row[id_column] == key:
            row.update(values)
    return changed


def stored(db: Database, table: Table, key: str) -> dict[str, object]:
    target = schema.table(table)
    id_column = target.c[SPECS[table].column_names[0]]
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(target).where(id_column == key)).one()
    return dict(row._mapping)


# -- round trip ------------------------------------------------------------------------------


def test_write_then_read_gives_the_dataset_back(db: Database, dataset: Dataset) -> None:
    result = put(db, dataset)
    assert {t: r.inserted for t, r in result.tables.items()} == dataset.counts()
    back = read_dataset(db)
    for table in Table:
        assert back[table].equals(sorted_frame(dataset, table)), table
        assert back[table].columns == list(SPECS[table].column_names)


def test_text_survives_exactly(db: Database) -> None:
    """Quotes, commas, line breaks, non-ASCII, and an empty string distinct from empty."""
    tables = small_tables()
    tables[Table.INSTRUMENTS] = [
        {
            **tables[Table.INSTRUMENTS][0],
            "instrument_id": "i1",
            "title": 'a "b", c\nd',
            "source": "",
        },
        {
            **tables[Table.INSTRUMENTS][0],
            "instrument_id": "i2",
            "title": "Überéén ✓",
            "source": None,
        },
        {
            **tables[Table.INSTRUMENTS][0],
            "instrument_id": "i3",
            "title": r"back\slash,\N",
            "source": "NULL",
        },
    ]
    dataset = make_dataset(tables)
    put(db, dataset)
    assert read_dataset(db)[Table.INSTRUMENTS].equals(sorted_frame(dataset, Table.INSTRUMENTS))


def test_a_large_dataset_round_trips_through_the_bulk_path(db: Database) -> None:
    n = write.BULK_ROWS + 1_000
    nationalities = ("MA", "NG", "STLS", "SO")
    rows = [
        {
            "case_id": f"c{i:06d}",
            "nationality": nationalities[i % 4],
            "opened_on": dt.date(2020, 1, 1) + dt.timedelta(days=i % 1500),
            "birth_year": 1950 + i % 60 if i % 7 else None,
        }
        for i in range(n)
    ]
    dataset = make_dataset({Table.CASES: rows})
    result = put(db, dataset)
    assert result[Table.CASES] == TableResult(inserted=n)
    assert read_dataset(db, [Table.CASES])[Table.CASES].equals(sorted_frame(dataset, Table.CASES))
    _assert_schema_intact(db)


# -- re-imports and extraction dates ---------------------------------------------------------


def test_importing_the_same_data_again_changes_nothing(db: Database, dataset: Dataset) -> None:
    first = put(db, dataset)
    before = contract_dump(db)
    before_counts = counts(db)

    again = put(db, make_dataset(), container="same-again.zip")

    assert not again.changed
    assert again.tables == {t: TableResult(unchanged=n) for t, n in dataset.counts().items()}
    assert counts(db) == before_counts
    assert contract_dump(db) == before  # extracted_on and import_id of every row included
    assert again.import_id is None
    assert imports(db)["id"].to_list() == [first.import_id]  # no trace of the no-op import


def test_a_newer_extract_replaces_changed_rows(db: Database) -> None:
    first = put(db, make_dataset())
    tables = with_row(
        small_tables(),
        Table.REQUESTS,
        "r1",
        outcome=codes.Outcome.POSITIVE,
        outcome_on=dt.date(2023, 5, 1),
    )
    second = put(db, make_dataset(tables, extracted_on=LATER))

    assert second[Table.REQUESTS] == TableResult(replaced=1, unchanged=1)
    assert second[Table.CASES] == TableResult(unchanged=3)
    r1, r2 = stored(db, Table.REQUESTS, "r1"), stored(db, Table.REQUESTS, "r2")
    assert (r1["outcome"], r1["outcome_on"]) == (codes.Outcome.POSITIVE, dt.date(2023, 5, 1))
    assert (r1["extracted_on"], r1["import_id"]) == (LATER, second.import_id)
    assert (r2["extracted_on"], r2["import_id"]) == (EXTRACTED, first.import_id)


def test_an_extract_of_the_same_date_replaces(db: Database) -> None:
    put(db, make_dataset())
    tables = with_row(small_tables(), Table.DETENTIONS, "d2", ended_on=dt.date(2024, 6, 1))
    tables = with_row(tables, Table.DETENTIONS, "d2", end_reason=codes.DetentionEndReason.OTHER)
    result = put(db, make_dataset(tables, extracted_on=EXTRACTED))
    assert result[Table.DETENTIONS] == TableResult(replaced=1, unchanged=1)
    assert stored(db, Table.DETENTIONS, "d2")["ended_on"] == dt.date(2024, 6, 1)


def test_an_older_extract_keeps_the_newer_stored_row(db: Database) -> None:
    newer = with_row(small_tables(), Table.CASES, "c3", sex=codes.Sex.FEMALE)
    put(db, make_dataset(newer, extracted_on=LATER))
    before = stored(db, Table.CASES, "c3")

    older = small_tables()  # c3 without a sex, as an earlier extract had it
    older[Table.CASES] = [*older[Table.CASES], {**older[Table.CASES][0], "case_id": "c4"}]
    result = put(db, make_dataset(older, extracted_on=EARLIER))

    assert result[Table.CASES] == TableResult(inserted=1, unchanged=2, kept_newer=1)
    assert stored(db, Table.CASES, "c3") == before
    assert stored(db, Table.CASES, "c4")["extracted_on"] == EARLIER


def test_changes_to_and_from_empty_cells_count_as_changes(db: Database) -> None:
    put(db, make_dataset())
    tables = with_row(small_tables(), Table.CASES, "c1", birth_year=None)  # value -> empty
    tables = with_row(tables, Table.CASES, "c3", closed_on=dt.date(2024, 2, 2))  # empty -> value
    tables = with_row(tables, Table.CASES, "c3", close_reason=codes.CloseReason.OTHER)
    result = put(db, make_dataset(tables, extracted_on=LATER))
    assert result[Table.CASES] == TableResult(replaced=2, unchanged=1)
    assert stored(db, Table.CASES, "c1")["birth_year"] is None


def test_tables_keyed_by_several_columns(db: Database) -> None:
    put(db, make_dataset())
    tables = small_tables()
    tables[Table.ASSESSMENTS] = [
        {**tables[Table.ASSESSMENTS][0], "level": 4},  # same country and day: a new judgement
        {**tables[Table.ASSESSMENTS][1], "assessed_on": dt.date(2024, 2, 1)},  # another day
    ]
    result = put(db, make_dataset(tables, extracted_on=LATER))
    assert result[Table.ASSESSMENTS] == TableResult(inserted=1, replaced=1)
    assert counts(db)[Table.ASSESSMENTS] == 3


# -- all or nothing --------------------------------------------------------------------------


def test_a_failure_midway_writes_nothing(db: Database) -> None:
    put(db, make_dataset())
    before = dump(db)
    tables = small_tables()
    tables[Table.CASES] = [*tables[Table.CASES], {**tables[Table.CASES][0], "case_id": "c9"}]
    tables[Table.DEPARTURES] = [{**tables[Table.DEPARTURES][0], "case_id": "nobody"}]
    unchecked = make_dataset(tables, extracted_on=LATER)  # validation skipped: a dangling case_id

    with pytest.raises(DatabaseError) as failed:
        put(db, unchecked)

    assert "departures" in str(failed.value)
    assert "\n" not in str(failed.value)
    assert dump(db) == before  # c9 (written before the failure) and the import row are gone


def test_a_failure_in_a_bulk_load_writes_nothing_and_keeps_the_schema(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(write, "BULK_ROWS", 1)  # every table goes through the bulk path
    before = dump(db)
    tables = small_tables()
    tables[Table.REQUESTS] = [
        *tables[Table.REQUESTS],
        {**tables[Table.REQUESTS][0], "request_id": "r9", "case_id": "nobody"},
    ]
    with pytest.raises(DatabaseError, match="requests"):
        put(db, make_dataset(tables))
    assert dump(db) == before
    _assert_schema_intact(db)

    put(db, make_dataset())  # the bulk path succeeds with valid data, indexes rebuilt
    _assert_schema_intact(db)
    assert read_dataset(db)[Table.REQUESTS].equals(sorted_frame(make_dataset(), Table.REQUESTS))


def test_duplicate_keys_are_refused_before_writing(db: Database) -> None:
    tables = small_tables()
    tables[Table.REQUESTS] = [*tables[Table.REQUESTS], tables[Table.REQUESTS][0]]
    before = dump(db)
    with pytest.raises(ValueError, match="requests: 2 rows share a key"):
        put(db, make_dataset(tables))
    assert dump(db) == before


@pytest.mark.parametrize("fingerprint", ["", "AB" * 32, "ab" * 31, "/home/someone/x.zip"])
def test_the_fingerprint_must_be_a_sha256(db: Database, fingerprint: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        write_dataset(db, make_dataset(), fingerprint=fingerprint, container="x.zip")


def test_the_extraction_date_must_be_set(db: Database) -> None:
    with pytest.raises(ValueError, match="extracted_on"):
        put(db, make_dataset(extracted_on=None))


# -- the import history ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("container", "kept"),
    [
        ("export.zip", "export.zip"),
        ("/srv/exports/2024/export.zip", "export.zip"),
        ("C:\\Users\\someone\\Desktop\\export.xlsx", "export.xlsx"),
        ("folder/with/tables/", "tables"),
    ],
    ids=["name", "posix-path", "windows-path", "folder"],
)
def test_each_import_is_recorded(db: Database, container: str, kept: str) -> None:
    started = dt.datetime.now(dt.UTC)
    result = put(db, make_dataset(), container=container)
    row = imports(db).row(0, named=True)
    assert row["id"] == result.import_id
    assert started - dt.timedelta(seconds=5) <= row["imported_at"] <= dt.datetime.now(dt.UTC)
    assert (row["source"], row["extracted_on"], row["simulated"]) == ("unit test", EXTRACTED, False)
    assert (row["format"], row["fingerprint"], row["container"]) == ("retour/1", FINGERPRINT, kept)
    recorded = json.loads(row["counts"])
    assert recorded == {t.value: asdict(r) for t, r in result.tables.items()}


def test_simulated_data_is_marked(db: Database) -> None:
    assert holds_simulated(db) is None
    put(db, make_dataset(source=DatasetSource.SIMULATED))
    assert holds_simulated(db) is True
    assert imports(db)["simulated"].to_list() == [True]


def test_an_empty_dataset_records_only_its_extraction_date(db: Database) -> None:
    first = put(db, make_dataset({}))
    assert first.tables == {t: TableResult() for t in Table}
    assert counts(db) == dict.fromkeys(Table, 0)
    assert imports(db)["id"].to_list() == [first.import_id]
    again = put(db, make_dataset({}))
    assert again.import_id is None
    assert imports(db).height == 1


def _assert_schema_intact(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, schema.metadata) == []

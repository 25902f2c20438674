"""The table of outside statistics: schema, upsert, empty dimensions, all or nothing."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from alembic import command

from retour.domain.errors import DatabaseError
from retour.store import Database, engine, open_database, schema
from retour.store import outside as store

from .conftest import frame

T0 = dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2024, 6, 1, 12, 0, 30, tzinfo=dt.UTC)


def values(rows: list[tuple[str, str, str, int | None, str | None]], **dims: str) -> pl.DataFrame:
    """(geo, citizen, period, value, flag) rows of migr_eirtn, line numbers from 2."""
    return frame(
        [
            {
                "dataset": "migr_eirtn",
                "geo": geo,
                "citizen": citizen,
                "period": period,
                "value": value,
                "flag": flag,
                "line": i + 2,
                **dims,
            }
            for i, (geo, citizen, period, value, flag) in enumerate(rows)
        ]
    ).rename({"line": "source_line"})


def stored(db: Database) -> pl.DataFrame:
    return store.read_outside(db).sort("geo", "citizen", "period")


def test_the_table_has_its_key_and_index(db: Database) -> None:
    with db.engine.connect() as conn:
        inspector = sa.inspect(conn)
        key = inspector.get_pk_constraint(schema.OUTSIDE_STATISTICS)
        indexes = inspector.get_indexes(schema.OUTSIDE_STATISTICS)
        columns = {c["name"]: c for c in inspector.get_columns(schema.OUTSIDE_STATISTICS)}
    assert tuple(key["constrained_columns"]) == schema.OUTSIDE_KEY
    assert [tuple(ix["column_names"]) for ix in indexes] == [("citizen", "dataset")]
    assert all(not columns[c]["nullable"] for c in schema.OUTSIDE_KEY)
    assert columns["value"]["nullable"] and columns["flag"]["nullable"]


def test_revision_0002_downgrades_and_upgrades(db: Database) -> None:
    with db.begin(write=True) as conn:
        command.downgrade(engine._alembic_config(conn), "0001")
        assert schema.OUTSIDE_STATISTICS not in sa.inspect(conn).get_table_names()
    with db.begin(write=True) as conn:
        command.upgrade(engine._alembic_config(conn), "head")
        assert schema.OUTSIDE_STATISTICS in sa.inspect(conn).get_table_names()


def test_insert_then_unchanged_then_updated(db: Database) -> None:
    first = values([("NL", "MA", "2012", 300, None), ("NL", "SO", "2012", 215, "d")])
    assert store.write_outside(db, first, imported_at=T0) == store.OutsideResult(2, 0, 0)
    assert store.write_outside(db, first, imported_at=T1) == store.OutsideResult(0, 0, 2)
    revised = values(
        [
            ("NL", "MA", "2012", 300, "p"),
            ("NL", "SO", "2012", 220, "d"),
            ("BE", "MA", "2012", 1, None),
        ]
    ).with_columns(pl.lit("revised.tsv").alias("source_file"))
    assert store.write_outside(db, revised, imported_at=T1) == store.OutsideResult(1, 2, 0)
    got = stored(db)
    assert got.select("geo", "citizen", "value", "flag", "source_file").rows() == [
        ("BE", "MA", 1, None, "revised.tsv"),
        ("NL", "MA", 300, "p", "revised.tsv"),
        ("NL", "SO", 220, "d", "revised.tsv"),
    ]
    assert set(got["imported_at"].to_list()) == {T1}


def test_the_version_changes_with_revised_figures_not_with_a_reimport(db: Database) -> None:
    assert store.outside_version(db) == (0, None)
    data = values([("NL", "MA", "2012", 300, None)])
    store.write_outside(db, data, imported_at=T0)
    first = store.outside_version(db)
    assert first == (1, T0.isoformat())
    store.write_outside(db, data, imported_at=T1)
    assert store.outside_version(db) == first
    revised = data.with_columns(pl.lit(305).alias("value"))
    store.write_outside(db, revised, imported_at=T1)
    assert store.outside_version(db) == (1, T1.isoformat())


def test_unchanged_rows_keep_their_source_and_time(db: Database) -> None:
    data = values([("NL", "MA", "2012", 300, None)])
    store.write_outside(db, data, imported_at=T0)
    again = data.with_columns(
        pl.lit("copy.tsv").alias("source_file"), pl.lit(9).alias("source_line")
    )
    store.write_outside(db, again, imported_at=T1)
    got = stored(db).row(0, named=True)
    assert (got["source_file"], got["source_line"], got["imported_at"]) == ("test.tsv", 2, T0)


def test_not_available_is_not_zero_and_a_flag_alone_survives(db: Database) -> None:
    data = values([("NL", "MA", "2019", None, "c"), ("NL", "DZ", "2019", 0, None)])
    store.write_outside(db, data, imported_at=T0)
    got = stored(db).select("citizen", "value", "flag").rows()
    assert got == [("DZ", 0, None), ("MA", None, "c")]
    # a value that becomes available is an update; so is a flag that goes away
    later = values([("NL", "MA", "2019", 15, None), ("NL", "DZ", "2019", 0, None)])
    assert store.write_outside(db, later, imported_at=T1) == store.OutsideResult(0, 1, 1)


def test_absent_dimensions_are_one_key_and_read_back_as_null(db: Database) -> None:
    """'' in the key: a second import of a file without age or sex matches its rows
    (PostgreSQL would treat NULL keys as distinct and insert them again)."""
    data = values([("NL", "MA", "2012", 300, None)], indic="RTN_TOTAL", unit="PER")
    store.write_outside(db, data, imported_at=T0)
    assert store.write_outside(db, data, imported_at=T1) == store.OutsideResult(0, 0, 1)
    got = stored(db).row(0, named=True)
    assert (got["age"], got["sex"], got["c_dest"]) == (None, None, None)
    assert (got["indic"], got["unit"]) == ("RTN_TOTAL", "PER")
    with db.engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT age, sex, c_dest FROM outside_statistics")).one()
    assert tuple(raw) == ("", "", "")


def test_a_breakdown_is_its_own_row(db: Database) -> None:
    total = values([("NL", "MA", "2019", 250, None)], c_dest="TOTAL", age="TOTAL", sex="T")
    third = values([("NL", "MA", "2019", 240, None)], c_dest="THRD", age="TOTAL", sex="T")
    store.write_outside(db, total, imported_at=T0)
    assert store.write_outside(db, third, imported_at=T0) == store.OutsideResult(1, 0, 0)
    assert store.count_outside(db) == 2


def test_read_one_citizenship_and_dataset(db: Database) -> None:
    store.write_outside(
        db, values([("NL", "MA", "2012", 1, None), ("NL", "SO", "2012", 2, None)]), imported_at=T0
    )
    assert store.read_outside(db, citizen="SO")["value"].to_list() == [2]
    assert store.read_outside(db, citizen="MA", datasets=["migr_eiord"]).is_empty()
    assert store.read_outside(db).schema == store.READ_SCHEMA


def test_a_failed_write_leaves_nothing(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    store.write_outside(db, values([("NL", "MA", "2012", 1, None)]), imported_at=T0)

    def broken(*_: object) -> sa.Executable:
        return sa.text("INSERT INTO outside_statistics (dataset) VALUES (NULL)")

    monkeypatch.setattr(store, "_upsert", broken)
    more = values([("NL", "MA", "2012", 5, None), ("BE", "MA", "2012", 7, None)])
    with pytest.raises(DatabaseError, match="nothing was written"):
        store.write_outside(db, more, imported_at=T1)
    assert stored(db).select("geo", "value").rows() == [("NL", 1)]


def test_the_first_load_and_the_upsert_store_the_same(db: Database, database_url: str) -> None:
    """A dataset's first values go straight in (executemany / COPY); later ones through the
    staging table. Both give the same rows."""
    data = values(
        [
            ("NL", "MA", "2012", 300, "p"),
            ("EL", "GR", "2013", None, "c"),
            ("UK", "XK", "2014", 0, None),
        ],
        age="TOTAL",
        c_dest="",
    )
    assert store.write_outside(db, data, imported_at=T1) == store.OutsideResult(3, 0, 0)
    direct = stored(db)
    other = open_database(database_url.replace("retour.sqlite", "other.sqlite"))
    if not other.is_sqlite:  # one scratch database on PostgreSQL: use this one again
        other.close()
        with db.begin(write=True) as conn:
            conn.execute(sa.delete(schema.outside_statistics))
        other = db
    seed = values([("BE", "MA", "2000", 1, None)]).with_columns(
        pl.lit("seed.tsv").alias("source_file")
    )
    store.write_outside(other, seed, imported_at=T0)
    assert store.write_outside(other, data, imported_at=T1) == store.OutsideResult(3, 0, 0)
    staged = stored(other).filter(pl.col("source_file") != "seed.tsv")
    if other is not db:
        other.close()
    assert staged.equals(direct)
    assert direct["imported_at"].to_list() == [T1] * 3


def test_a_failed_first_load_leaves_nothing(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    original = store._insert_all

    def then_fail(*args: object) -> None:
        original(*args)  # type: ignore[arg-type]
        raise sa.exc.DBAPIError("INSERT", None, Exception("disk full"))

    monkeypatch.setattr(store, "_insert_all", then_fail)
    with pytest.raises(DatabaseError, match="nothing was written"):
        store.write_outside(db, values([("NL", "MA", "2012", 1, None)]), imported_at=T0)
    assert store.count_outside(db) == 0


def test_refuses_frames_that_are_not_one_file(db: Database) -> None:
    two = pl.concat(
        [
            values([("NL", "MA", "2012", 1, None)]),
            values([("NL", "MA", "2013", 1, None)]).with_columns(
                pl.lit("other.tsv").alias("source_file")
            ),
        ]
    )
    with pytest.raises(ValueError, match="one source_file"):
        store.write_outside(db, two, imported_at=T0)
    twice = values([("NL", "MA", "2012", 1, None), ("NL", "MA", "2012", 2, None)])
    with pytest.raises(ValueError, match="share a key"):
        store.write_outside(db, twice, imported_at=T0)
    with pytest.raises(ValueError, match="timezone"):
        store.write_outside(db, values([]), imported_at=dt.datetime(2024, 1, 1))
    assert store.count_outside(db) == 0

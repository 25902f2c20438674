"""Opening databases: schema versions, SQLite settings, and one-line errors users can act on."""

from __future__ import annotations

import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from retour.domain.codes import Table
from retour.domain.errors import ConfigError, DatabaseError, RetourError
from retour.store import (
    HEAD_REVISION,
    Database,
    counts,
    engine,
    open_database,
    upgrade_database,
    write_dataset,
)

from .conftest import FINGERPRINT, dump, make_dataset

TEST_REVISIONS = Path(__file__).resolve().parent / "revisions"
TEST_REVISION = "9999"
SECRET = "s3cr3t-pw"


def one_line(error: RetourError) -> str:
    text = str(error)
    assert "\n" not in text
    return text


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# -- schema versions -------------------------------------------------------------------------


@pytest.fixture
def newer_retour(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Play a retour whose head is the test-only revision 9999 (undo: monkeypatch.undo())."""
    locations = (*engine.VERSION_LOCATIONS, TEST_REVISIONS)
    monkeypatch.setattr(engine, "VERSION_LOCATIONS", locations)
    assert engine.head_revision() == TEST_REVISION
    return monkeypatch


def test_upgrade_database_reports_revisions(database_url: str) -> None:
    assert upgrade_database(database_url) == (None, HEAD_REVISION)
    assert upgrade_database(database_url) == (HEAD_REVISION, HEAD_REVISION)


def test_an_older_schema_is_refused_until_upgraded(
    database_url: str, newer_retour: pytest.MonkeyPatch
) -> None:
    with pytest.MonkeyPatch.context() as shipped:
        shipped.setattr(engine, "VERSION_LOCATIONS", (engine.MIGRATIONS_DIR / "versions",))
        open_database(database_url).close()  # a database of the shipped retour: 0001

    with pytest.raises(DatabaseError) as refused:
        open_database(database_url)
    message = one_line(refused.value)
    assert f"schema version {HEAD_REVISION}" in message
    assert f"needs {TEST_REVISION}" in message
    assert "retour db upgrade" in message
    assert refused.value.exit_code == 3
    assert _tables(database_url) >= {"cases"}
    assert "test_marker" not in _tables(database_url)  # refused means untouched

    assert upgrade_database(database_url) == (HEAD_REVISION, TEST_REVISION)
    assert "test_marker" in _tables(database_url)
    with open_database(database_url) as db:
        assert db.schema_version == TEST_REVISION


def test_open_with_upgrade_migrates(database_url: str, newer_retour: pytest.MonkeyPatch) -> None:
    with pytest.MonkeyPatch.context() as shipped:
        shipped.setattr(engine, "VERSION_LOCATIONS", (engine.MIGRATIONS_DIR / "versions",))
        with open_database(database_url) as db:
            write_dataset(db, make_dataset(), fingerprint=FINGERPRINT, container="a.zip")
    with open_database(database_url, upgrade=True) as db:
        assert db.schema_version == TEST_REVISION
        assert counts(db)[Table.CASES] == 3  # the data came along


def test_a_schema_from_a_newer_retour_is_refused(
    database_url: str, newer_retour: pytest.MonkeyPatch
) -> None:
    open_database(database_url).close()  # built up to the test revision
    newer_retour.undo()  # back to the shipped retour, which knows only 0001
    assert engine.head_revision() == HEAD_REVISION
    for upgrade in (False, True):
        with pytest.raises(DatabaseError) as refused:
            open_database(database_url, upgrade=upgrade)
        message = one_line(refused.value)
        assert f"schema version {TEST_REVISION}" in message
        assert "newer retour" in message


def test_an_unknown_revision_is_refused(database_url: str) -> None:
    open_database(database_url).close()
    _execute(database_url, "UPDATE alembic_version SET version_num = 'f00dfeed'")
    with pytest.raises(DatabaseError, match="f00dfeed, made by a newer retour"):
        open_database(database_url, upgrade=True)


def test_a_database_of_something_else_is_refused_and_left_alone(database_url: str) -> None:
    _execute(database_url, "CREATE TABLE cases (id INTEGER PRIMARY KEY, note TEXT)")
    for upgrade in (False, True):
        with pytest.raises(DatabaseError) as refused:
            open_database(database_url, upgrade=upgrade)
        assert "not a retour database" in one_line(refused.value)
    assert _tables(database_url) == {"cases"}


def test_a_version_table_without_a_version_is_refused(database_url: str) -> None:
    open_database(database_url).close()
    _execute(database_url, "DELETE FROM alembic_version")
    with pytest.raises(DatabaseError, match="not a retour database"):
        open_database(database_url, upgrade=True)


def test_concurrent_first_opens_migrate_once(database_url: str) -> None:
    def opened(_: int) -> str:
        with open_database(database_url) as db:
            return db.schema_version

    with ThreadPoolExecutor(max_workers=4) as pool:
        versions = list(pool.map(opened, range(4)))
    assert versions == [HEAD_REVISION] * 4


# -- the database object ---------------------------------------------------------------------


def test_database_describes_itself_without_secrets(db: Database, on_postgres: bool) -> None:
    assert db.dialect_name == ("postgresql" if on_postgres else "sqlite")
    assert db.url == db.engine.url.render_as_string(hide_password=True)
    if db.engine.url.password:
        written = f":{db.engine.url.password}@"
        assert written not in db.url
        assert written not in repr(db)
        assert ":***@" in db.url


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "a" / "b" / "retour.sqlite")
    with open_database(url) as db, db.begin() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) > 0
    assert (tmp_path / "a" / "b" / "retour.sqlite").is_file()  # directories were created


def test_a_plain_postgresql_url_uses_psycopg() -> None:
    assert engine.parse_url("postgresql://u@h/d").drivername == "postgresql+psycopg"


# -- errors users can cause ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("foo://x", "foo://, which retour does not support"),
        (f"mysql://u:{SECRET}@h/d", "mysql://, which retour does not support"),
        (f"postgresql+asyncpg://u:{SECRET}@h/d", "postgresql+asyncpg://"),
        ("not a url", "cannot be parsed"),
        (f"postgresql://u:{SECRET}@h:port/d", "starting with postgresql:// cannot be parsed"),
        (f"sqlite://u:{SECRET}@host/x.sqlite", "names a file, not a host"),
    ],
    ids=["unknown-scheme", "mysql", "other-driver", "no-scheme", "bad-port", "sqlite-host"],
)
def test_bad_urls_are_config_errors_without_secrets(url: str, expected: str) -> None:
    with pytest.raises(ConfigError) as refused:
        open_database(url)
    message = one_line(refused.value)
    assert expected in message
    assert SECRET not in message
    assert "RETOUR_DB" in message


def test_a_refused_postgresql_connection(unused_port: int) -> None:
    url = f"postgresql+psycopg://retour:{SECRET}@127.0.0.1:{unused_port}/retour"
    started = time.monotonic()
    with pytest.raises(DatabaseError) as refused:
        open_database(url)
    message = one_line(refused.value)
    assert message.startswith("Cannot connect to the PostgreSQL database")
    assert "refused" in message.lower()
    assert SECRET not in message
    assert refused.value.exit_code == 3
    assert time.monotonic() - started < engine.CONNECT_TIMEOUT


def test_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not the tables you are looking for\n" * 100)
    with pytest.raises(DatabaseError, match="is not an SQLite database") as refused:
        open_database(sqlite_url(path))
    one_line(refused.value)
    assert path.read_text().startswith("these are not")


def test_a_directory_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("x")
    with pytest.raises(DatabaseError, match="Cannot create the directory") as refused:
        open_database(sqlite_url(tmp_path / "plain-file" / "sub" / "retour.sqlite"))
    one_line(refused.value)


def test_a_directory_as_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="is a directory"):
        open_database(sqlite_url(tmp_path))


def test_a_directory_that_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root may write anywhere: let the check see what a user would
        real_access = os.access

        def access(path: object, mode: int) -> bool:
            return (
                False if Path(str(path)) == folder and mode & os.W_OK else real_access(path, mode)
            )  # type: ignore[arg-type]

        monkeypatch.setattr(os, "access", access)
    try:
        with pytest.raises(DatabaseError, match="not writable"):
            open_database(sqlite_url(folder / "retour.sqlite"))
    finally:
        folder.chmod(0o755)


def test_a_database_locked_by_another_process_cannot_be_opened(tmp_path: Path) -> None:
    path = tmp_path / "retour.sqlite"
    open_database(sqlite_url(path)).close()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        with pytest.raises(DatabaseError, match="locked by another process") as refused:
            open_database(sqlite_url(path), busy_timeout=0.2)
        assert time.monotonic() - started < 5
        assert refused.value.exit_code == 3
        one_line(refused.value)
    finally:
        other.close()
    open_database(sqlite_url(path)).close()  # usable again once the other is gone


def test_a_write_while_another_process_writes_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "retour.sqlite"
    with open_database(sqlite_url(path), busy_timeout=0.2) as db:
        before = dump(db)
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # holds the write lock
            with pytest.raises(DatabaseError, match="locked by another process"):
                write_dataset(db, make_dataset(), fingerprint=FINGERPRINT, container="a.zip")
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert dump(db) == before
        write_dataset(db, make_dataset(), fingerprint=FINGERPRINT, container="a.zip")


# -- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def unused_port() -> int:
    """A local TCP port with nothing listening (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tables(url: str) -> set[str]:
    raw = sa.create_engine(url)
    try:
        with raw.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        raw.dispose()


def _execute(url: str, sql: str) -> None:
    raw = sa.create_engine(url)
    try:
        with raw.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        raw.dispose()

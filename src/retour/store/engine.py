"""Open a retour database: SQLite (WAL) or PostgreSQL (psycopg 3), at the schema this retour needs.

A brand-new empty database is migrated to the head revision. A database at an older revision
is migrated only when asked (`retour db upgrade`); one made by a newer retour, or one that
holds tables but no schema version, is refused. Every failure a user can cause becomes one
`DatabaseError` or `ConfigError` that says what went wrong and what to do, without secrets.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from retour.domain.errors import N_, ConfigError, DatabaseBusy, DatabaseError, StorageError

if TYPE_CHECKING:  # Alembic is imported only when a schema is checked against the scripts
    from alembic.config import Config
    from alembic.script import ScriptDirectory

#: The schema revision this retour builds and needs.
HEAD_REVISION: Final = "0014"

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
#: Where revisions are looked for. A module attribute so tests can add a test-only revision.
SHIPPED_LOCATIONS: Final = (MIGRATIONS_DIR / "versions",)
VERSION_LOCATIONS: tuple[Path, ...] = SHIPPED_LOCATIONS

#: Seconds to wait for another process's lock on an SQLite database before giving up.
DEFAULT_BUSY_TIMEOUT: Final = 10.0
#: Seconds to wait for a PostgreSQL server to accept a connection.
CONNECT_TIMEOUT: Final = 10
#: Page cache per SQLite connection (KiB), an upper bound: bulk imports touch many pages.
SQLITE_CACHE_KIB: Final = 64 * 1024
#: Execution option: begin the SQLite transaction with BEGIN IMMEDIATE (take the write lock).
WRITE_OPTION: Final = "retour_write"

SQLITE: Final = "sqlite"
POSTGRESQL: Final = "postgresql"
_DRIVERS: Final = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}
_VERSION_TABLE: Final = "alembic_version"
#: Serialises concurrent migrations of one PostgreSQL database (an arbitrary constant).
_PG_MIGRATION_LOCK: Final = 0x7265746F7572
_URL_HINT: Final = N_(
    "Set RETOUR_DB or --db to an SQLite file path, sqlite:///path/to/retour.sqlite "
    "or postgresql+psycopg://user:password@host:port/database."
)


class Database:
    """An open retour database at the head schema revision. Close it (or use `with`)."""

    def __init__(self, engine: sa.Engine, schema_version: str, busy_timeout: float) -> None:
        self.engine = engine
        self.schema_version = schema_version
        self.busy_timeout = busy_timeout

    @property
    def url(self) -> str:
        """The URL with its password hidden: safe to show and log."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect_name(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect_name == SQLITE

    @contextmanager
    def begin(self, *, write: bool = False, snapshot: bool = False) -> Iterator[sa.Connection]:
        """One transaction, committed when the block ends and rolled back on any error.

        write: take SQLite's write lock at once, so a long write never deadlocks with another.
        snapshot: on PostgreSQL, every read in the block sees the same committed state
        (SQLite transactions always do).
        """
        options: dict[str, Any] = {WRITE_OPTION: write}
        if snapshot and not self.is_sqlite:
            options["isolation_level"] = "REPEATABLE READ"
        with (
            translate_errors(self),
            self.engine.connect().execution_options(**options) as conn,
            conn.begin(),
        ):
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self.url!r}, schema_version={self.schema_version!r})"


def open_database(
    url: str, *, upgrade: bool = False, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
) -> Database:
    """Open the database at `url`, creating or (with upgrade=True) migrating its schema.

    busy_timeout: seconds an SQLite operation waits for another process's lock.
    """
    return _open(url, upgrade=upgrade, busy_timeout=busy_timeout)[0]


def upgrade_database(url: str) -> tuple[str | None, str]:
    """Migrate the database to the head revision: (revision before or None, revision after)."""
    db, before = _open(url, upgrade=True, busy_timeout=DEFAULT_BUSY_TIMEOUT)
    db.close()
    return before, db.schema_version


def head_revision() -> str:
    """The newest revision among VERSION_LOCATIONS (HEAD_REVISION for the shipped ones:
    a test pins the two together, so opening a database need not read the scripts)."""
    if VERSION_LOCATIONS == SHIPPED_LOCATIONS:
        return HEAD_REVISION
    return scripts_head(VERSION_LOCATIONS)


def scripts_head(locations: tuple[Path, ...]) -> str:
    """The newest revision the migration scripts in `locations` define."""
    return _script_directory(locations).get_current_head() or ""


def _open(url: str, *, upgrade: bool, busy_timeout: float) -> tuple[Database, str | None]:
    parsed = parse_url(url)
    if parsed.get_backend_name() == SQLITE:
        _prepare_sqlite_file(parsed)
    engine = _create_engine(parsed, busy_timeout)
    db = Database(engine, "", busy_timeout)
    try:
        before = _ensure_schema(db, upgrade=upgrade)
    except BaseException:
        engine.dispose()
        raise
    db.schema_version = head_revision()
    return db, before


# -- URLs and engines ------------------------------------------------------------------------


def parse_url(url: str) -> sa.URL:
    """The SQLAlchemy URL of a supported backend; a ConfigError (without secrets) otherwise."""
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        scheme = url.split("://", 1)[0] if "://" in url else None
        message = (
            N_("The database URL starting with {scheme}:// cannot be parsed.")
            if scheme
            else N_("The database URL (no scheme:// in it) cannot be parsed.")
        )
        raise ConfigError(message, cli_hint=_URL_HINT, scheme=scheme) from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ConfigError(
            N_("The database URL uses {driver}://, which retour does not support."),
            cli_hint=_URL_HINT,
            driver=parsed.drivername,
        )
    if driver == SQLITE and (parsed.host or parsed.username or parsed.password or parsed.port):
        raise ConfigError(
            N_("An SQLite database URL names a file, not a host or user."), cli_hint=_URL_HINT
        )
    return parsed.set(drivername=driver)


def _prepare_sqlite_file(url: sa.URL) -> None:
    """Create the database's directory; refuse a path SQLite could not use."""
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)  # as SQLite will open it: no ~ expansion (config does that for paths)
    if path.is_dir():
        raise DatabaseError(
            N_("The database path {path} is a directory."),
            hint=N_("Name a file, e.g. retour.sqlite."),
            path=path,
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            N_("Cannot create the directory {folder} for the database: {reason}."),
            cli_hint=N_("Choose another place with RETOUR_DB or --db."),
            folder=path.parent,
            reason=exc.strerror,
        ) from None
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise DatabaseError(
            N_(
                "The directory {folder} is not writable; SQLite keeps its journal next "
                "to the database."
            ),
            cli_hint=N_("Make it writable, or choose another place with RETOUR_DB or --db."),
            folder=path.parent,
        )


def _create_engine(url: sa.URL, busy_timeout: float) -> sa.Engine:
    if url.get_backend_name() == SQLITE:
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout})
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    # A lock held by another session is waited for as long as SQLite's busy timeout, then
    # refused (LockNotAvailable -> DatabaseBusy), never waited for without end.
    options = f"-c lock_timeout={max(1, round(busy_timeout * 1000))}"
    given = url.query.get("options")  # the URL's own ?options=... come first
    if isinstance(given, str) and given.strip():
        options = f"{given} {options}"
    args = {"connect_timeout": CONNECT_TIMEOUT, "application_name": "retour", "options": options}
    return sa.create_engine(url, connect_args=args)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # retour emits BEGIN itself (_on_sqlite_begin), so that DDL and reads are transactional.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # With WAL this never corrupts the file; a power cut may undo the latest commits.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: sa.Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# -- errors ----------------------------------------------------------------------------------


def _psycopg() -> ModuleType | None:
    """psycopg once it is loaded, else None. SQLAlchemy loads it to connect to PostgreSQL,
    so none of its errors can be raised before; on SQLite retour never loads it."""
    return sys.modules.get("psycopg")


def _pg_errors(*names: str) -> tuple[type[BaseException], ...]:
    """The named classes of ``psycopg.errors`` (or ``Error``), none while psycopg is not loaded."""
    pg = _psycopg()
    if pg is None:
        return ()
    return tuple(pg.Error if n == "Error" else getattr(pg.errors, n) for n in names)


def driver_errors() -> tuple[type[BaseException], ...]:
    """Errors of the drivers themselves, raised where retour uses them directly (bulk
    transfer): SQLAlchemy's wrapper, sqlite3's, and psycopg's once it is loaded."""
    return (sa.exc.DBAPIError, sqlite3.Error, *_pg_errors("Error"))


@contextmanager
def translate_errors(db: Database) -> Iterator[None]:
    """Turn a driver error into one DatabaseError that says what and what to do."""
    try:
        yield
    except driver_errors() as exc:
        raise database_error(db, exc) from None


def database_error(db: Database, error: BaseException) -> DatabaseError | StorageError:
    """One line for a driver error (SQLAlchemy's wrapper or the driver's own): a held lock is
    a DatabaseBusy (the web answers 503 with Retry-After), a full or failing disk a
    StorageError, anything else a DatabaseError."""
    exc = (error.orig or error) if isinstance(error, sa.exc.DBAPIError) else error
    detail = _first_line(db, exc)
    lowered = detail.lower()
    disk = _disk_error(db, exc, lowered)
    if disk is not None:
        return disk
    if db.is_sqlite:
        return _sqlite_error(db, detail, lowered)
    if isinstance(exc, _pg_errors("OperationalError")) and "connection" in lowered:
        return DatabaseError(
            N_("Cannot connect to the PostgreSQL database {where}: {detail}."),
            hint=N_("Check that the server runs and accepts connections."),
            cli_hint=N_(
                "Check that the server runs and accepts connections, and the host, port, "
                "user, password and database name in RETOUR_DB or --db."
            ),
            where=db.url,
            detail=detail,
        )
    if isinstance(exc, _pg_errors(*_PG_BUSY)):
        return DatabaseBusy(
            N_("The database {where} is locked by another process."),
            hint=N_("Wait until the other retour (or program using it) is done, then try again."),
            where=db.url,
        )
    return DatabaseError(
        N_("The database {where} reported an error: {detail}."), where=db.url, detail=detail
    )


def _sqlite_error(db: Database, detail: str, lowered: str) -> DatabaseError:
    where = db.engine.url.database or "(in memory)"
    if "locked" in lowered or "busy" in lowered:
        return DatabaseBusy(
            N_("The database {where} is locked by another process (waited {seconds} s)."),
            hint=N_("Wait until the other retour (or program using it) is done, then try again."),
            where=where,
            seconds=f"{db.busy_timeout:g}",
        )
    if "not a database" in lowered or "encrypted" in lowered or "malformed" in lowered:
        return DatabaseError(
            N_("The file {where} is not an SQLite database (or is damaged)."),
            cli_hint=N_("Point RETOUR_DB or --db at a retour database or at a new file name."),
            where=where,
        )
    if "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
        return DatabaseError(
            N_("Cannot open the database {where} for writing: {detail}."),
            hint=N_("Check that the file and its directory exist and are writable."),
            where=where,
            detail=detail,
        )
    return DatabaseError(
        N_("The database {where} reported an error: {detail}."), where=where, detail=detail
    )


#: PostgreSQL's answers to a lock held too long (lock_timeout, a deadlock broken by the
#: server, a serialization conflict): the same request may succeed a moment later.
_PG_BUSY: Final = ("LockNotAvailable", "DeadlockDetected", "SerializationFailure")
#: Errors of the disk under the database: full (SQLITE_FULL, PostgreSQL's class 53100), or
#: failing (SQLITE_IOERR, 58030).
_PG_FULL: Final = ("DiskFull",)
_PG_IO: Final = ("IoError",)


def _disk_error(db: Database, exc: BaseException, lowered: str) -> StorageError | None:
    """A StorageError when the disk under the database is full or failing, else None: such
    a write fails whatever the data, so it must not read as a rule the data break."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    where = (db.engine.url.database or "(in memory)") if db.is_sqlite else db.url
    if (
        isinstance(exc, _pg_errors(*_PG_FULL))
        or name.startswith("SQLITE_FULL")
        or "disk is full" in lowered
    ):
        return StorageError(
            N_("The disk of the database {where} is full, so nothing was written."),
            hint=N_(
                "Free space on that disk (or raise its quota), then try again; the data "
                "are not at fault."
            ),
            where=where,
        )
    if (
        isinstance(exc, _pg_errors(*_PG_IO))
        or name.startswith("SQLITE_IOERR")
        or "disk i/o" in lowered
    ):
        return StorageError(
            N_(
                "The disk of the database {where} reported an input/output error, so nothing "
                "was written."
            ),
            hint=N_(
                "Check that disk (or the network share the database is on), then try "
                "again; the data are not at fault."
            ),
            where=where,
        )
    return None


def _first_line(db: Database, exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0].strip().rstrip(".") if lines else type(exc).__name__
    password = db.engine.url.password
    return text.replace(password, "***") if password else text


# -- schema versions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SchemaState:
    tables: frozenset[str]
    revisions: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.tables - {_VERSION_TABLE}) and not self.revisions

    @property
    def revision(self) -> str | None:
        return self.revisions[0] if len(self.revisions) == 1 else None


def _ensure_schema(db: Database, *, upgrade: bool) -> str | None:
    """Check (and if allowed, migrate) the schema; return the revision found (None: new)."""
    head = head_revision()
    with db.begin() as conn:
        state = _schema_state(conn)
    if state.revision == head:
        return head
    _check(db, state, upgrade=upgrade)
    with db.begin(write=True) as conn:
        if not db.is_sqlite:
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
        state = _schema_state(conn)  # another process may have migrated meanwhile
        if state.revision != head:
            _check(db, state, upgrade=upgrade)
            from alembic import command

            command.upgrade(_alembic_config(conn), "head")
    return None if state.empty else state.revision


def _schema_state(conn: sa.Connection) -> _SchemaState:
    tables = frozenset(sa.inspect(conn).get_table_names())
    revisions: tuple[str, ...] = ()
    if _VERSION_TABLE in tables:
        rows = conn.execute(sa.text(f"SELECT version_num FROM {_VERSION_TABLE}"))
        revisions = tuple(sorted(str(r[0]) for r in rows))
    return _SchemaState(tables, revisions)


def _check(db: Database, state: _SchemaState, *, upgrade: bool) -> None:
    """Raise unless the schema may be migrated to head: empty, or older and upgrade asked."""
    if state.empty:
        return
    head = head_revision()
    revision = state.revision
    if revision is None:
        raise DatabaseError(
            N_(
                "The database {where} holds tables but is not a retour database "
                "(it has no retour schema version)."
            ),
            cli_hint=N_(
                "Point RETOUR_DB or --db at a retour database, a new file or an empty schema."
            ),
            where=db.url,
        )
    if revision not in _known_revisions(VERSION_LOCATIONS):
        raise DatabaseError(
            N_(
                "The database {where} has schema version {revision}, made by a newer retour "
                "(this retour knows versions up to {head})."
            ),
            hint=N_("Upgrade retour to use it."),
            where=db.url,
            revision=revision,
            head=head,
        )
    if not upgrade:
        raise DatabaseError(
            N_("The database {where} has schema version {revision}; this retour needs {head}."),
            hint=N_("An administrator can migrate it."),
            cli_hint=N_("Run `retour db upgrade` (after a backup) to migrate it."),
            where=db.url,
            revision=revision,
            head=head,
        )


def _alembic_config(conn: sa.Connection) -> Config:
    config = _config(VERSION_LOCATIONS)
    config.attributes["connection"] = conn
    return config


def _config(locations: tuple[Path, ...]) -> Config:
    """An Alembic configuration in code: retour users need no alembic.ini."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(map(str, locations)))
    return config


@cache
def _script_directory(locations: tuple[Path, ...]) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(locations))


@cache
def _known_revisions(locations: tuple[Path, ...]) -> frozenset[str]:
    return frozenset(s.revision for s in _script_directory(locations).walk_revisions())

"""Write a validated Dataset: all or nothing, in one transaction, bulk and set-based.

Rows are keyed by their table's key. Per row of the dataset:

- a new key is *inserted*;
- an existing key with different values is *replaced* when this extract is as new as or
  newer than the one that wrote the stored row, and otherwise the stored row is
  *kept_newer*;
- an existing key with the same values is *unchanged*, and left untouched (its
  extracted_on and import_id too), so importing the same data again changes no row;
- an existing key with different values whose stored row was last *recorded in retour* on
  or after this extract's date (a conflict: the extract cannot have seen it) is, as the
  import's :class:`OnConflict` says, *kept_recorded* or *replaced_recorded* (a file's import
  lists and refuses them first, see :meth:`ImportTransaction.conflicts`; a recording's own
  write has no such rule).

Each table is loaded into a staging table, counted with one join and applied with one
`INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE ... WHERE changed AND newer`. A table of
at most SMALL_ROWS rows (a recording's one row) is not staged: the same two statements
select its rows from bound parameters, so their compiled SQL is reused from write to write,
and validation's lookups of the stored rows of a few cases are indexed point queries. A
table without rows is not touched.

An import runs in one :class:`ImportTransaction`, held from validation to commit: what
validation reads of the stored rows (case ids, detentions, real or simulated, the pseudonym
key), the rows it writes and the import's audit entry are one transaction, and only one
import runs at a time (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped
advisory lock), so two imports at once cannot both pass a rule that only one may.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import Any, Final

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from retour.domain.codes import Table
from retour.domain.conflicts import OnConflict
from retour.domain.dataset import Dataset, DatasetMeta, polars_schema
from retour.domain.errors import DatabaseBusy, DatabaseError, StorageError
from retour.domain.tables import SPECS, TableSpec
from retour.store import bulk, schema
from retour.store.engine import (
    WRITE_OPTION,
    Database,
    database_error,
    driver_errors,
    translate_errors,
)
from retour.store.records import record_changes

_SHA256: Final = re.compile(r"[0-9a-f]{64}")
#: New rows from which a table's indexes (and PostgreSQL's foreign keys) are built after the
#: insert rather than maintained row by row; see _bulk.
BULK_ROWS: Final = 20_000
#: At most this many rows (or case ids) go to the database as bound parameters of one
#: statement instead of through a staging table (a recording; a small import).
SMALL_ROWS: Final = 64
#: Seconds after which a waiting import says so (through `on_wait`).
WAIT_NOTICE: Final = 2.0
#: PostgreSQL: the advisory lock (per database) held by the import that runs.
_PG_IMPORT_LOCK: Final = 0x72657430494D50
#: The column of a conflict frame that holds the row's line in its file (None: unknown).
SOURCE_LINE: Final = "source_line"
#: The key of the import's counts (JSON) that holds its choice on conflicts.
ON_CONFLICT: Final = "on_conflict"
#: Columns of a conflict frame beside the row's key, its old and new values.
RECORDED_ON, ROLE, ACTOR, CREATED = "recorded_on", "role", "actor", "created"


@dataclass(frozen=True, slots=True)
class TableResult:
    """What an import did to the rows of one table."""

    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    kept_newer: int = 0
    #: conflicts (rows recorded in retour on or after the extract's date) kept, or replaced
    kept_recorded: int = 0
    replaced_recorded: int = 0

    @property
    def rows(self) -> int:
        """Rows of the dataset: every one is counted in exactly one of the six."""
        return (
            self.inserted
            + self.replaced
            + self.unchanged
            + self.kept_newer
            + self.kept_recorded
            + self.replaced_recorded
        )


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did, per table; import_id is its row in the import history (None when
    the import changed nothing and so left no trace)."""

    import_id: int | None
    tables: Mapping[Table, TableResult]

    def __getitem__(self, table: Table) -> TableResult:
        return self.tables[table]

    @property
    def changed(self) -> bool:
        """Whether any row was inserted or replaced."""
        return any(r.inserted or r.replaced or r.replaced_recorded for r in self.tables.values())


def write_dataset(
    db: Database,
    dataset: Dataset,
    *,
    fingerprint: str,
    container: str,
    on_table: Callable[[Table], None] | None = None,
) -> ImportResult:
    """Write every table of the dataset in one import transaction and record the import.

    fingerprint: the SHA-256 (hex) of the container; container: its file name (a path is
    cut to its last part). dataset.meta.extracted_on must be set (the caller puts today's
    date there when the source gave none). on_table is told of each table before it is
    written (for a progress bar). On any error nothing is written.
    """
    with import_transaction(db) as transaction:
        return transaction.write(
            dataset, fingerprint=fingerprint, container=container, on_table=on_table
        )


class ImportTransaction:
    """The one transaction of an import, from validation to commit (see import_transaction).

    It is validation's window on the stored rows (ExistingData: `cases`, `detentions`), and
    it reads and records what an import must agree with (real or simulated, the pseudonym
    key); `connection` lets the import's audit entry commit with its rows.
    """

    def __init__(self, db: Database, connection: sa.Connection) -> None:
        self.db = db
        self.connection = connection

    def cases(self, case_ids: pl.Series) -> pl.DataFrame:
        """case_id, opened_on of those of `case_ids` that are stored (each once)."""
        return self._lookup(case_ids, Table.CASES, ("case_id", "opened_on"))

    def detentions(self, case_ids: pl.Series) -> pl.DataFrame:
        """detention_id, case_id, started_on, ended_on of the stored detentions of `case_ids`."""
        columns = ("detention_id", "case_id", "started_on", "ended_on")
        return self._lookup(case_ids, Table.DETENTIONS, columns)

    def stored(self, t: Table) -> pl.DataFrame:
        """Every stored row of a small table (instruments, terms), typed (ExistingData)."""
        spec = SPECS[t]
        query = sa.select(*(schema.table(t).c[c] for c in spec.column_names))
        return bulk.fetch(self.connection, query, polars_schema(spec))

    def _lookup(self, case_ids: pl.Series, t: Table, columns: Sequence[str]) -> pl.DataFrame:
        table, spec = schema.table(t), SPECS[t]
        frame_schema = pl.Schema({c: polars_schema(spec)[c] for c in columns})
        ids = case_ids.cast(pl.String).drop_nulls().unique().to_frame(schema.CASE_ID)
        if ids.is_empty():
            return pl.DataFrame(schema=frame_schema)
        conn = self.connection
        if ids.height <= SMALL_ROWS:
            wanted = ids.get_column(schema.CASE_ID).sort().to_list()
            query = sa.select(*(table.c[c] for c in columns))
            query = query.where(table.c[schema.CASE_ID].in_(wanted))
            return _small_fetch(conn, query, frame_schema).sort(columns[0], maintain_order=True)
        stage = bulk.load(conn, "lookup_case_ids", [sa.Column(schema.CASE_ID, sa.Text)], ids)
        query = sa.select(*(table.c[c] for c in columns)).join(
            stage, stage.c[schema.CASE_ID] == table.c[schema.CASE_ID]
        )
        found = bulk.fetch(conn, query, frame_schema)
        bulk.drop(conn, stage)
        return found.sort(list(columns[:1]), maintain_order=True)

    def holds_simulated(self) -> bool | None:
        """Whether the database holds simulated data; None before the first import."""
        imports = schema.imports
        query = sa.select(
            sa.func.count(), sa.func.max(sa.case((imports.c.simulated, 1), else_=0))
        ).select_from(imports)
        n, simulated = self.connection.execute(query).one()
        return None if not n else bool(simulated)

    def pseudonym_key(self) -> str | None:
        """The fingerprint of the key this database's alien numbers were pseudonymised with."""
        query = sa.select(schema.pseudonym_key.c.fingerprint)
        found = self.connection.execute(query).scalar()
        return None if found is None else str(found)

    def record_pseudonym_key(self, fingerprint: str) -> None:
        """Remember the key's fingerprint (once: a database has one key)."""
        if self.pseudonym_key() is not None:
            return
        at = dt.datetime.now(dt.UTC)
        values = {
            "id": 1,
            "fingerprint": fingerprint,
            "recorded_at": at.replace(tzinfo=None) if self.db.is_sqlite else at,
        }
        self.connection.execute(sa.insert(schema.pseudonym_key).values(values))

    def write(
        self,
        dataset: Dataset,
        *,
        fingerprint: str,
        container: str,
        on_table: Callable[[Table], None] | None = None,
        mapping: str | None = None,
        on_conflict: OnConflict | None = None,
    ) -> ImportResult:
        """Write every table of the dataset and record the import (see write_dataset),
        with the text of the mapping it was read through, if any.

        on_conflict: what becomes of rows recorded in retour on or after the extract's
        date that the dataset would change (None: a recording, which corrects such rows
        as any newer write does). REFUSE expects none (the caller listed and refused them,
        :meth:`conflicts`) and raises ValueError if there are any.
        """
        extracted_on = _extracted_on(dataset.meta)
        if not _SHA256.fullmatch(fingerprint):
            raise ValueError("fingerprint must be a SHA-256 digest in lower-case hex")
        frames = {t: _frame(dataset, SPECS[t]) for t in Table if not dataset[t].is_empty()}
        db, conn = self.db, self.connection
        import_id = _record_import(
            conn, dataset.meta, extracted_on, fingerprint, container, mapping
        )
        recorded = set() if on_conflict is None else recorded_tables(conn, extracted_on)
        results: dict[Table, TableResult] = {}
        for t in Table:
            if on_table is not None:
                on_table(t)
            rule = _Rule(extracted_on, on_conflict if t in recorded else None)
            frame = frames.get(t)
            results[t] = (
                TableResult()
                if frame is None
                else _write_table(db, conn, SPECS[t], frame, rule, import_id)
            )
        result = ImportResult(import_id, results)
        if not result.changed and _not_newer(conn, import_id, extracted_on):
            # Importing the same data again leaves the database as it was (CONTRACT.md),
            # the import history included. The same data in a newer extract is recorded:
            # it says the data hold as of a later date (pending requests still pending).
            conn.execute(sa.delete(schema.imports).where(schema.imports.c.id == import_id))
            return ImportResult(None, results)
        _record_counts(conn, import_id, results, on_conflict)
        return result

    def conflicts(
        self, dataset: Dataset, lines: Mapping[Table, pl.Series]
    ) -> dict[Table, pl.DataFrame]:
        """The rows of the dataset that would change a row last recorded or corrected in
        retour on or after the dataset's extracted_on, per table (tables without any: left
        out). Per table one query reads the stored rows such recordings wrote, joined with
        the dataset's rows by key in Polars (a table with no recording since that day is
        not read at all).

        Each frame holds the key columns, SOURCE_LINE (from ``lines``, the rows' lines in
        the dataset's order; null where not given), the recording's day (RECORDED_ON), ROLE
        and ACTOR, CREATED (1: the recording added the row, 0: corrected it), and per
        other column ``old.<column>`` (retour's value) and ``new.<column>`` (the extract's).
        """
        extracted_on = _extracted_on(dataset.meta)
        found: dict[Table, pl.DataFrame] = {}
        for t in sorted(recorded_tables(self.connection, extracted_on) & set(dataset.tables)):
            frame = dataset[t]
            if frame.is_empty():
                continue
            given = lines.get(t)
            line = (
                given.cast(pl.Int64).alias(SOURCE_LINE)
                if given is not None and given.len() == frame.height
                else pl.lit(None, pl.Int64).alias(SOURCE_LINE)
            )
            typed = frame.select(SPECS[t].column_names).cast(polars_schema(SPECS[t]))
            rows = _conflicts(self.connection, SPECS[t], typed.with_columns(line), extracted_on)
            if not rows.is_empty():
                found[t] = rows
        return found


@contextmanager
def import_transaction(
    db: Database, *, wait: float | None = None, on_wait: Callable[[], None] | None = None
) -> Iterator[ImportTransaction]:
    """The import's transaction: committed when the block ends, rolled back on any error.

    Only one import runs at a time. Another waits up to `wait` seconds (default: the
    database's busy timeout, as every write does), on_wait is told once after WAIT_NOTICE
    seconds, and it is then refused with "another import is running".
    """
    locked = _sqlite_import_lock if db.is_sqlite else _postgresql_import_lock
    seconds = db.busy_timeout if wait is None else wait
    tell = on_wait or (lambda: None)
    start = time.monotonic()
    with _in_process(db, seconds, tell):
        left = max(seconds - (time.monotonic() - start), 0.0)
        with locked(db, left, tell) as conn:
            yield ImportTransaction(db, conn)


#: One lock per database (by URL) for the imports and recordings of this process.
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


@contextmanager
def _in_process(db: Database, wait: float, on_wait: Callable[[], None]) -> Iterator[None]:
    """The database's import lock within this process, taken before the database's own.

    The writers of one process (a server's recordings) then queue here, each taking the
    database's lock the moment the one before lets it go, instead of each polling it
    (SQLite's busy handler sleeps up to 100 ms between tries, the PostgreSQL advisory lock
    is asked for every 0.1 s): those sleeps, not the writes, made a busy server slow.
    """
    with _PROCESS_LOCKS_GUARD:
        lock = _PROCESS_LOCKS.setdefault(db.url, threading.Lock())
    if not lock.acquire(timeout=min(WAIT_NOTICE, wait)):
        on_wait()
        if not lock.acquire(timeout=max(wait - WAIT_NOTICE, 0.0)):
            raise _another_import(db, wait)
    try:
        yield
    finally:
        lock.release()


def _another_import(db: Database, wait: float) -> DatabaseError:
    if db.is_sqlite:  # SQLite cannot say who holds its write lock
        where = db.engine.url.database or "(in memory)"
        what = (
            f"The database {where} is locked by another process: another import is running, "
            "or another program writes to it"
        )
    else:
        what = f"The database {db.url} is busy: another import is running"
    return DatabaseBusy(f"{what} (waited {wait:g} s).", hint="Try again when it has finished.")


@contextmanager
def _sqlite_import_lock(
    db: Database, wait: float, on_wait: Callable[[], None]
) -> Iterator[sa.Connection]:
    """BEGIN IMMEDIATE (SQLite's one write lock), waiting WAIT_NOTICE s, then the rest."""
    phases = (min(WAIT_NOTICE, wait), max(wait - WAIT_NOTICE, 0.0))
    with translate_errors(db), db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        try:
            for phase, seconds in enumerate(phases):
                raw.execute(f"PRAGMA busy_timeout = {round(seconds * 1000)}")
                try:
                    transaction = conn.execution_options(**{WRITE_OPTION: True}).begin()
                    break
                except sa.exc.OperationalError as exc:
                    if "locked" not in str(exc.orig).lower():
                        raise
                    if phase == len(phases) - 1:
                        raise _another_import(db, wait) from None
                    on_wait()
            with transaction:
                yield conn
        finally:
            raw.execute(f"PRAGMA busy_timeout = {round(db.busy_timeout * 1000)}")


@contextmanager
def _postgresql_import_lock(
    db: Database, wait: float, on_wait: Callable[[], None]
) -> Iterator[sa.Connection]:
    """A transaction holding the database's import advisory lock (asked for every 0.1 s:
    a failed pg_advisory_xact_lock under a lock_timeout would abort the transaction)."""
    start = time.monotonic()
    told = False
    with db.begin(write=True) as conn:
        take = sa.select(sa.func.pg_try_advisory_xact_lock(_PG_IMPORT_LOCK))
        while not conn.execute(take).scalar_one():
            waited = time.monotonic() - start
            if waited >= wait:
                raise _another_import(db, wait)
            if not told and waited >= WAIT_NOTICE:
                told = True
                on_wait()
            time.sleep(0.1)
        yield conn


def _not_newer(conn: sa.Connection, import_id: int, extracted_on: dt.date) -> bool:
    """Whether an earlier import's extract is as new as ``extracted_on`` (asked only of an
    import that changed nothing, so a write that changes rows makes no extra query)."""
    imports = schema.imports.c
    query = sa.select(sa.func.max(imports.extracted_on)).where(imports.id != import_id)
    latest = conn.execute(query).scalar()
    return latest is not None and extracted_on <= _as_date(latest)


def _as_date(value: object) -> dt.date:
    """A date read back from the database (SQLite gives ISO text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _extracted_on(meta: DatasetMeta) -> dt.date:
    if meta.extracted_on is None:
        raise ValueError("dataset.meta.extracted_on must be set (today when the source has none)")
    return meta.extracted_on


def _frame(dataset: Dataset, spec: TableSpec) -> pl.DataFrame:
    """The table's contract columns, typed and sorted by key (so the key index grows at its
    end); refuse duplicate keys, which validation forbids."""
    frame, typed = dataset[spec.table], polars_schema(spec)
    if frame.schema != typed:  # a validated dataset's tables are typed already
        frame = frame.select(spec.column_names).cast(typed)
    if frame.height < 2:
        return frame
    frame = frame.sort(spec.key, maintain_order=True)
    duplicates = frame.select(spec.key).is_duplicated().sum()
    if duplicates:
        raise ValueError(f"{spec.name}: {duplicates} rows share a key; validate the dataset first")
    return frame


def _record_import(
    conn: sa.Connection,
    meta: DatasetMeta,
    extracted_on: dt.date,
    fingerprint: str,
    container: str,
    mapping: str | None = None,
) -> int:
    values = {
        "imported_at": dt.datetime.now(dt.UTC),
        "source": meta.source,
        "extracted_on": extracted_on,
        "simulated": meta.simulated,
        "format": meta.format,
        "fingerprint": fingerprint,
        "container": base_name(container),
        "counts": "{}",
        "mapping_sha256": None if mapping is None else hashlib.sha256(mapping.encode()).hexdigest(),
        "mapping": mapping,
    }
    stmt = sa.insert(schema.imports).values(values).returning(schema.imports.c.id)
    return int(conn.execute(stmt).scalar_one())


def base_name(container: str) -> str:
    """The last part of a path, whichever separator it uses: never store a local directory."""
    return re.split(r"[\\/]", container.rstrip("\\/"))[-1]


def _record_counts(
    conn: sa.Connection,
    import_id: int,
    results: Mapping[Table, TableResult],
    on_conflict: OnConflict | None = None,
) -> None:
    """The counts per table, and the import's choice on conflicts (``on_conflict``; not a
    table's name, so readers of the counts by table pass it by)."""
    found: dict[str, object] = {t.value: asdict(r) for t, r in results.items()}
    if on_conflict is not None:
        found[ON_CONFLICT] = on_conflict.value
    counts = json.dumps(found)
    imports = schema.imports
    conn.execute(sa.update(imports).where(imports.c.id == import_id).values(counts=counts))


def _write_table(
    db: Database,
    conn: sa.Connection,
    spec: TableSpec,
    frame: pl.DataFrame,
    rule: _Rule,
    import_id: int,
) -> TableResult:
    if frame.is_empty():
        return TableResult()
    small = frame.height <= SMALL_ROWS
    try:
        if frame.height == 1 and rule.on_conflict is None:  # a recording
            return _write_row(db, conn, spec, frame, rule, import_id)
        stage = _parameters(spec, frame) if small else _staged(conn, spec, frame)
        result = _classify(conn, spec, stage, rule)
        with _bulk(db, conn, spec, result):
            conn.execute(_upsert(db, spec, stage, rule, import_id))
        if isinstance(stage, sa.Table):
            bulk.drop(conn, stage)
    except driver_errors() as exc:
        error = database_error(db, exc)
        if isinstance(error, DatabaseBusy | StorageError):  # a lock or the disk, not the data
            raise error from None
        raise DatabaseError(
            f"Writing table {spec.name} failed, so nothing was written: {error.text}",
            hint="The data break a rule the import validation checks; import through "
            "`retour import` (or validate first) rather than writing unchecked data.",
        ) from None
    return result


def _write_row(
    db: Database,
    conn: sa.Connection,
    spec: TableSpec,
    frame: pl.DataFrame,
    rule: _Rule,
    import_id: int,
) -> TableResult:
    """One row by the table's two statements, built and compiled once (_one_row) and run
    with the row's values, the extract's date and the import's id as parameters."""
    classify, upsert = _one_row(db.is_sqlite, spec.table)
    values = {f"{_VALUE}{c}": v for c, v in frame.row(0, named=True).items()}
    values |= {schema.EXTRACTED_ON: rule.extracted_on, schema.IMPORT_ID: import_id}
    result = _classified(spec, rule, conn.execute(classify, values).one())
    conn.execute(upsert, values)
    return result


#: The classifying query: inserted, replaced, unchanged, kept_newer, conflicts.
_Counts = sa.Select[int, int, int, int, int]
#: The prefix of a one-row statement's parameter that holds a column's value.
_VALUE: Final = "value_"


@functools.cache
def _one_row(is_sqlite: bool, t: Table) -> tuple[_Counts, sa.Executable]:
    """The classifying query and the upsert of one row of table ``t`` (no choice on
    conflicts: a recording), over a stage of bound parameters; the same statements as a
    larger write's, so the same rules."""
    spec = SPECS[t]
    stage = sa.select(
        *(sa.bindparam(f"{_VALUE}{c.name}", type_=c.type).label(c.name)
          for c in schema.contract_columns(spec))
    ).subquery(f"stage_{spec.name}")  # fmt: skip
    extracted_on = sa.bindparam(schema.EXTRACTED_ON, type_=sa.Date)
    import_id = sa.bindparam(schema.IMPORT_ID, type_=sa.Integer)
    rule = _Rule(dt.date.min)  # its date is the parameter; on_conflict None
    classify = _classify_query(spec, stage, extracted_on, rule.recorded(spec, schema.table(t)))
    return classify, _upsert_statement(is_sqlite, spec, stage, rule, extracted_on, import_id)


def _staged(conn: sa.Connection, spec: TableSpec, frame: pl.DataFrame) -> sa.Table:
    """The rows in a temporary staging table (bulk.load)."""
    return bulk.load(conn, f"stage_{spec.name}", schema.contract_columns(spec), frame)


def _parameters(spec: TableSpec, frame: pl.DataFrame) -> sa.Subquery:
    """The rows as bound parameters, ``SELECT :a AS a, ... [UNION ALL ...]``: the staging
    table of a few rows, whose statements compile once per shape and are then reused."""
    columns = schema.contract_columns(spec)
    selects = [
        sa.select(*(sa.literal(row[c.name], c.type).label(c.name) for c in columns))
        for row in frame.iter_rows(named=True)
    ]
    rows = selects[0] if len(selects) == 1 else sa.union_all(*selects)
    return rows.subquery(f"stage_{spec.name}")


def _small_fetch(conn: sa.Connection, query: sa.Select[Any], frame: pl.Schema) -> pl.DataFrame:
    """The rows of a query of a few rows (bound parameters, compiled once) as a typed frame."""
    rows = [tuple(r) for r in conn.execute(query)]
    return pl.DataFrame(rows, schema=frame, orient="row")


@contextmanager
def _bulk(
    db: Database, conn: sa.Connection, spec: TableSpec, result: TableResult
) -> Iterator[None]:
    """Around a bulk insert: drop the table's secondary indexes (and on PostgreSQL its foreign
    keys), and build them again after, inside the transaction.

    Building an index over all rows at once is much faster than inserting many rows into it
    in random order, and PostgreSQL checks a re-added foreign key with one join instead of a
    trigger per row; a violation still fails the import. Only when the new rows outnumber
    the stored ones (a first load): on PostgreSQL it locks the table until commit.
    """
    target = schema.table(spec.table)
    if result.inserted < BULK_ROWS or result.inserted < _stored(conn, target):
        yield
        return
    indexes = sorted(target.indexes, key=lambda ix: str(ix.name))
    keys = [] if db.is_sqlite else sorted(target.foreign_key_constraints, key=lambda f: str(f.name))
    for fk in keys:
        conn.execute(sa.schema.DropConstraint(fk))
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)
    for fk in keys:
        conn.execute(sa.schema.AddConstraint(fk))


def _stored(conn: sa.Connection, target: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(target)).scalar_one())


def _changed(
    spec: TableSpec,
    new: sa.ColumnCollection[str, sa.ColumnElement[object]],
    old: sa.ColumnCollection[str, sa.ColumnElement[object]],
) -> sa.ColumnElement[bool]:
    """Null-safe: some non-key column differs (IS NOT on SQLite, IS DISTINCT FROM on PG)."""
    values = [c for c in spec.column_names if c not in spec.key]
    if not values:
        return sa.false()
    return sa.or_(*(new[c].is_distinct_from(old[c]) for c in values))


@dataclass(frozen=True, slots=True)
class _Rule:
    """How an import treats a stored row: by extraction date, and (``on_conflict`` not
    None) rows recorded in retour on or after its own date as that choice says."""

    extracted_on: dt.date
    on_conflict: OnConflict | None = None

    def recorded(self, spec: TableSpec, target: sa.Table) -> sa.ColumnElement[bool]:
        """The stored row was last written by a recording on or after the extract's date."""
        if self.on_conflict is None:
            return sa.false()
        return sa.and_(
            target.c[schema.EXTRACTED_ON] >= sa.literal(self.extracted_on, sa.Date),
            target.c[schema.IMPORT_ID].in_(_recordings(spec.table, self.extracted_on)),
        )


def recorded_tables(conn: sa.Connection, since: dt.date) -> set[Table]:
    """The tables with a row recorded or corrected in retour on or after ``since``."""
    rc, imports = record_changes.c, schema.imports.c
    query = (
        sa.select(rc.table_name)
        .distinct()
        .join_from(record_changes, schema.imports, imports.id == rc.import_id)
        .where(imports.extracted_on >= sa.literal(since, sa.Date))
    )
    return {Table(name) for name in conn.execute(query).scalars()}


def _recordings(t: Table, since: dt.date) -> sa.Select[Any]:
    """The ids of the recordings of table ``t`` made on or after ``since``."""
    rc, imports = record_changes.c, schema.imports.c
    return (
        sa.select(rc.import_id)
        .where(rc.table_name == t.value)
        .where(rc.import_id.in_(sa.select(imports.id).where(imports.extracted_on >= since)))
    )


def _conflicts(
    conn: sa.Connection, spec: TableSpec, frame: pl.DataFrame, extracted_on: dt.date
) -> pl.DataFrame:
    """The rows of ``frame`` (the table's columns and SOURCE_LINE) that would change a row
    recorded on or after ``extracted_on`` (see ImportTransaction.conflicts).

    The stored rows such recordings wrote are read in one query (a few, however large the
    table), joined with the import's rows by key in Polars and kept where a value differs;
    who made each recording is joined on from ``record_changes``. The import's rows are
    not staged in the database for this (the write stages them once).
    """
    target = schema.table(spec.table)
    values = [c for c in spec.column_names if c not in spec.key]
    types = polars_schema(spec)
    query = sa.select(
        *(target.c[c] for c in spec.column_names),
        target.c[schema.IMPORT_ID],
        target.c[schema.EXTRACTED_ON].label(RECORDED_ON),
    ).where(_Rule(extracted_on, OnConflict.REFUSE).recorded(spec, target))
    stored_schema = pl.Schema({**types, schema.IMPORT_ID: pl.Int64(), RECORDED_ON: pl.Date()})
    stored = bulk.fetch(conn, query, stored_schema).rename({c: f"old.{c}" for c in values})
    joined = frame.rename({c: f"new.{c}" for c in values}).join(stored, on=list(spec.key))
    differs = [pl.col(f"old.{c}").ne_missing(pl.col(f"new.{c}")) for c in values]
    found = joined.filter(pl.any_horizontal(differs)) if differs else joined.clear()
    who = _recorders(conn, spec, extracted_on)
    found = found.join(who, on=schema.IMPORT_ID, how="left").drop(schema.IMPORT_ID)
    ordered = [*spec.key, SOURCE_LINE, RECORDED_ON, ROLE, ACTOR, CREATED]
    ordered += [f"{side}.{c}" for side in ("old", "new") for c in values]
    return found.select(ordered).sort([SOURCE_LINE, *spec.key], nulls_last=True)


def _recorders(conn: sa.Connection, spec: TableSpec, since: dt.date) -> pl.DataFrame:
    """Per recording of the table made on or after ``since``: its role, actor, and whether
    it added the row (CREATED 1: a change of the key column from nothing) or corrected it."""
    rc = record_changes.c
    created = sa.case((sa.and_(rc.column_name == spec.key[0], rc.old.is_(None)), 1), else_=0)
    query = (
        sa.select(
            rc.import_id,
            sa.func.max(rc.role),
            sa.func.max(rc.actor),
            sa.func.max(created),
        )
        .where(rc.import_id.in_(_recordings(spec.table, since)))
        .group_by(rc.import_id)
    )
    rows = conn.execute(query).all()
    names = (schema.IMPORT_ID, ROLE, ACTOR, CREATED)
    types = (pl.Int64(), pl.String(), pl.String(), pl.Int64())
    return pl.DataFrame(
        [tuple(r) for r in rows], schema=dict(zip(names, types, strict=True)), orient="row"
    )


def _classify(
    conn: sa.Connection, spec: TableSpec, stage: sa.FromClause, rule: _Rule
) -> TableResult:
    target = schema.table(spec.table)
    on = sa.literal(rule.extracted_on, sa.Date)
    query = _classify_query(spec, stage, on, rule.recorded(spec, target))
    return _classified(spec, rule, conn.execute(query).one())


def _classify_query(
    spec: TableSpec,
    stage: sa.FromClause,
    extracted_on: sa.ColumnElement[Any],
    recorded: sa.ColumnElement[bool],
) -> _Counts:
    """Counts of the stage's rows: new, replacing, unchanged, kept (an older extract) and
    conflicting (``recorded``: stored rows recorded on or after the extract's date)."""
    target = schema.table(spec.table)
    joined = stage.outerjoin(target, sa.and_(*(stage.c[k] == target.c[k] for k in spec.key)))
    exists = target.c[spec.key[0]].is_not(None)
    changed = _changed(spec, stage.c, target.c)
    newer = target.c[schema.EXTRACTED_ON] <= extracted_on

    def count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    return sa.select(
        count(~exists),
        count(sa.and_(exists, changed, newer, sa.not_(recorded))),
        count(sa.and_(exists, ~changed)),
        count(sa.and_(exists, changed, ~newer, sa.not_(recorded))),
        count(sa.and_(exists, changed, recorded)),
    ).select_from(joined)


def _classified(spec: TableSpec, rule: _Rule, row: Sequence[Any]) -> TableResult:
    inserted, replaced, unchanged, kept_newer, conflicts = (int(n) for n in row)
    result = TableResult(inserted, replaced, unchanged, kept_newer)
    if not conflicts:
        return result
    if rule.on_conflict is OnConflict.KEEP:
        return replace(result, kept_recorded=conflicts)
    if rule.on_conflict is OnConflict.REPLACE:
        return replace(result, replaced_recorded=conflicts)
    raise ValueError(f"{spec.name}: {conflicts} rows conflict with recordings; list them first")


def _upsert(
    db: Database, spec: TableSpec, stage: sa.FromClause, rule: _Rule, import_id: int
) -> sa.Executable:
    on = sa.literal(rule.extracted_on, sa.Date)
    written_by = sa.literal(import_id, sa.Integer)
    return _upsert_statement(db.is_sqlite, spec, stage, rule, on, written_by)


def _upsert_statement(
    is_sqlite: bool,
    spec: TableSpec,
    stage: sa.FromClause,
    rule: _Rule,
    extracted_on: sa.ColumnElement[Any],
    import_id: sa.ColumnElement[Any],
) -> sa.Executable:
    """INSERT the stage's rows ... ON CONFLICT (key) DO UPDATE where changed and taken."""
    target = schema.table(spec.table)
    rows = sa.select(
        *(stage.c[c] for c in spec.column_names),
        extracted_on.label(schema.EXTRACTED_ON),
        import_id.label(schema.IMPORT_ID),
    ).where(sa.true())  # SQLite: WHERE keeps ON CONFLICT from parsing as a join's ON
    insert = (sqlite.insert if is_sqlite else postgresql.insert)(target)
    stmt = insert.from_select([*spec.column_names, *schema.BOOKKEEPING], rows)
    updated = [c for c in spec.column_names if c not in spec.key] + list(schema.BOOKKEEPING)
    return stmt.on_conflict_do_update(
        index_elements=list(spec.key),
        set_={c: stmt.excluded[c] for c in updated},
        where=sa.and_(
            _changed(spec, stmt.excluded, target.c), _takes(rule, spec, stmt.excluded, target)
        ),
    )


def _takes(
    rule: _Rule,
    spec: TableSpec,
    excluded: sa.ColumnCollection[str, sa.ColumnElement[object]],
    target: sa.Table,
) -> sa.ColumnElement[bool]:
    """Whether a changed row replaces the stored one: a newer extract, unless the stored row
    is a conflict (then as the rule's choice says)."""
    newer = target.c[schema.EXTRACTED_ON] <= excluded[schema.EXTRACTED_ON]
    if rule.on_conflict is None:
        return newer
    recorded = rule.recorded(spec, target)
    if rule.on_conflict is OnConflict.REPLACE:
        return sa.or_(recorded, newer)
    return sa.and_(newer, sa.not_(recorded))

"""Recording in retour: the rows of one table read by key, and what each recording changed.

``record_changes`` (revision 0010) holds one row per changed column of a recorded or
corrected row: the write it belongs to (``import_id``; a recording is written like a small
import), when, by whom, the table, the row's id, the column and its old and new value as
text. Rows are appended in the transaction of the recording and never changed. The policy
-- what a value may say, how an id is written -- lives in :mod:`retour.service.records`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from retour.domain.codes import Table
from retour.domain.tables import SPECS, ColumnType
from retour.store import schema
from retour.store.accounts import utc
from retour.store.engine import Database
from retour.store.schema import metadata

RECORD_CHANGES: Final = "record_changes"

record_changes = sa.Table(
    RECORD_CHANGES,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey(schema.imports.c.id), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("role", sa.String, nullable=True),
    sa.Column("via", sa.String, nullable=False),
    sa.Column("table_name", sa.String, nullable=False),
    sa.Column("row_id", sa.Text, nullable=False),
    sa.Column("column_name", sa.String, nullable=False),
    sa.Column("old", sa.Text, nullable=True),
    sa.Column("new", sa.Text, nullable=True),
    sa.Index(None, "table_name", "row_id"),
)


@dataclass(frozen=True, slots=True)
class StoredRow:
    """A stored row: its contract columns, and the import (or recording) that wrote it."""

    values: dict[str, Any]
    import_id: int
    extracted_on: dt.date


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One changed column of one recording."""

    id: int
    import_id: int
    at: dt.datetime
    actor: str
    role: str | None
    via: str
    table: Table
    row_id: str
    column: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Written:
    """Who recorded a change, when, through which face."""

    import_id: int
    at: dt.datetime
    actor: str
    role: str | None
    via: str


def stored_row(conn: sa.Connection, t: Table, key: Mapping[str, object]) -> StoredRow | None:
    """The row of table ``t`` with this key (every key column given), or None."""
    spec, target = SPECS[t], schema.table(t)
    columns = [target.c[c] for c in spec.column_names]
    query = sa.select(*columns, target.c[schema.IMPORT_ID], target.c[schema.EXTRACTED_ON]).where(
        *(target.c[k] == key[k] for k in spec.key)
    )
    found = conn.execute(query).one_or_none()
    if found is None:
        return None
    values = dict(zip(spec.column_names, found[: len(columns)], strict=True))
    extracted = found[-1]
    return StoredRow(
        {c: _date(v) if spec.column(c).type is ColumnType.DATE else v for c, v in values.items()},
        int(found[-2]),
        _date(extracted) if extracted is not None else dt.date.min,
    )


def _date(value: Any) -> Any:
    """A date read back from the database (SQLite may give ISO text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def append(
    conn: sa.Connection,
    written: Written,
    t: Table,
    row_id: str,
    changes: Sequence[tuple[str, str | None, str | None]],
    *,
    sqlite: bool,
) -> None:
    """Append one row per (column, old, new) of a recording, in its transaction."""
    if not changes:
        return
    moment = written.at.astimezone(dt.UTC)
    at = moment.replace(tzinfo=None) if sqlite else moment
    rows = [
        {
            "import_id": written.import_id,
            "at": at,
            "actor": written.actor,
            "role": written.role,
            "via": written.via,
            "table_name": t.value,
            "row_id": row_id,
            "column_name": column,
            "old": old,
            "new": new,
        }
        for column, old, new in changes
    ]
    conn.execute(sa.insert(record_changes), rows)


def changes(
    db: Database, row_id: str, *, table: Table | None = None, after_import: int | None = None
) -> list[ChangeRow]:
    """The recorded changes of the row ``row_id`` (of ``table``, or of any table), oldest
    first; only those written after the write ``after_import`` when it is given."""
    c = record_changes.c
    query = sa.select(record_changes).where(c.row_id == row_id)
    if table is not None:
        query = query.where(c.table_name == table.value)
    if after_import is not None:
        query = query.where(c.import_id > after_import)
    with db.begin() as conn:
        rows = conn.execute(query.order_by(c.id)).all()
    return [
        ChangeRow(
            id=int(r.id),
            import_id=int(r.import_id),
            at=utc(r.at),
            actor=r.actor,
            role=r.role,
            via=r.via,
            table=Table(r.table_name),
            row_id=r.row_id,
            column=r.column_name,
            old=r.old,
            new=r.new,
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Origin:
    """The write a row's current value came from: an import of a file, or a recording."""

    import_id: int
    container: str  # the file's name, or RECORDING for a recording
    extracted_on: dt.date
    at: dt.datetime  # when it was written
    actor: str | None  # who recorded it (None: an import; its actor is in the audit log)


def origin(conn: sa.Connection, import_id: int) -> Origin | None:
    """Where the write ``import_id`` came from (None: no such write)."""
    imports, c = schema.imports, record_changes.c
    query = sa.select(imports.c.container, imports.c.extracted_on, imports.c.imported_at).where(
        imports.c.id == import_id
    )
    found = conn.execute(query).one_or_none()
    if found is None:
        return None
    actor = conn.execute(
        sa.select(c.actor).where(c.import_id == import_id).order_by(c.id).limit(1)
    ).scalar()
    return Origin(import_id, found[0], _date(found[1]), utc(found[2]), actor)


def append_rows(
    conn: sa.Connection,
    written: Written,
    t: Table,
    rows: Sequence[tuple[str, str, str | None, str | None]],
    *,
    sqlite: bool,
) -> None:
    """Append (row_id, column, old, new) of many rows of one write at once, in its
    transaction (an import that replaced rows recorded in retour)."""
    if not rows:
        return
    moment = written.at.astimezone(dt.UTC)
    at = moment.replace(tzinfo=None) if sqlite else moment
    common = {"import_id": written.import_id, "at": at, "actor": written.actor}
    common |= {"role": written.role, "via": written.via, "table_name": t.value}
    values = [
        {**common, "row_id": row_id, "column_name": column, "old": old, "new": new}
        for row_id, column, old, new in rows
    ]
    conn.execute(sa.insert(record_changes), values)

"""The import history: every stored import, newest first, with who imported it.

Who comes from the import's own audit entry (``import_dataset`` with the import's id as
subject, written in the import's transaction); an import from before the audit log has
none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from retour.store import schema
from retour.store.accounts import utc
from retour.store.engine import Database

IMPORT_DATASET = "import_dataset"  # the audit action of a stored import


@dataclass(frozen=True, slots=True)
class ImportRow:
    id: int
    imported_at: dt.datetime
    actor: str | None
    via: str | None
    source: str | None
    container: str
    extracted_on: dt.date
    simulated: bool
    counts: str  # JSON: table -> {inserted, replaced, unchanged, kept_newer}
    mapping_sha256: str | None


def _query() -> sa.Select[Any]:
    imports, log = schema.imports, schema.audit_log
    entry = (
        sa.select(log.c.subject, sa.func.min(log.c.id).label("entry"))
        .where(log.c.action == IMPORT_DATASET)
        .group_by(log.c.subject)
        .subquery()
    )
    return (
        sa.select(
            *(imports.c[n] for n in ("id", "imported_at", "source", "container", "extracted_on")),
            imports.c.simulated,
            imports.c.counts,
            imports.c.mapping_sha256,
            log.c.actor,
            log.c.via,
        )
        .outerjoin(entry, entry.c.subject == sa.cast(imports.c.id, sa.Text))
        .outerjoin(log, log.c.id == entry.c.entry)
        .order_by(imports.c.id.desc())
    )


def _row(row: Any) -> ImportRow:
    return ImportRow(
        id=int(row.id),
        imported_at=utc(row.imported_at),
        actor=row.actor,
        via=row.via,
        source=row.source,
        container=str(row.container),
        extracted_on=row.extracted_on,
        simulated=bool(row.simulated),
        counts=str(row.counts),
        mapping_sha256=row.mapping_sha256,
    )


def history(
    db: Database, *, limit: int | None = None, without: tuple[str, str] | None = None
) -> list[ImportRow]:
    """The imports, newest first (at most `limit`); ``without`` (source, container): not
    the writes of that source and container (recordings)."""
    query = _query() if without is None else _query().where(sa.not_(_written_by(without)))
    query = query if limit is None else query.limit(limit)
    with db.begin() as conn:
        return [_row(r) for r in conn.execute(query).all()]


def _written_by(which: tuple[str, str]) -> sa.ColumnElement[bool]:
    source, container = which
    imports = schema.imports.c
    return sa.and_(imports.source == source, imports.container == container)


def count_since(
    db: Database, which: tuple[str, str], *, after: int
) -> tuple[int, dt.datetime | None]:
    """How many writes of that source and container came after the write ``after`` (0:
    all of them), and when the last was made."""
    imports = schema.imports.c
    query = sa.select(sa.func.count(), sa.func.max(imports.imported_at)).where(
        _written_by(which), imports.id > after
    )
    with db.begin() as conn:
        n, last = conn.execute(query).one()
    return int(n), None if last is None else utc(last)


def one(db: Database, import_id: int) -> tuple[ImportRow, str | None] | None:
    """An import and the text of its mapping (None: the exchange format itself)."""
    query = _query().where(schema.imports.c.id == import_id)
    with db.begin() as conn:
        row = conn.execute(query).first()
        if row is None:
            return None
        text = conn.execute(
            sa.select(schema.imports.c.mapping).where(schema.imports.c.id == import_id)
        ).scalar()
    return _row(row), text

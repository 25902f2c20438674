"""Mappings saved under a name (revision 0008): plain reads and writes, no policy.

The policy -- which names are allowed, who may save, the audit entries -- lives in
:mod:`retour.service.mappings`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from retour.store import schema
from retour.store.accounts import utc
from retour.store.engine import Database

_saved = schema.saved_mappings


@dataclass(frozen=True, slots=True)
class SavedMappingRow:
    name: str
    sha256: str
    text: str
    saved_by: str
    saved_at: dt.datetime


def _row(row: Any) -> SavedMappingRow:
    return SavedMappingRow(
        name=str(row.name),
        sha256=str(row.sha256),
        text=str(row.text),
        saved_by=str(row.saved_by),
        saved_at=utc(row.saved_at),
    )


def save(db: Database, *, name: str, sha256: str, text: str, saved_by: str) -> bool:
    """Store the mapping under `name`, replacing one of that name; whether it replaced one."""
    now = dt.datetime.now(dt.UTC)
    values = {
        "sha256": sha256,
        "text": text,
        "saved_by": saved_by,
        "saved_at": now.replace(tzinfo=None) if db.is_sqlite else now,
    }
    with db.begin(write=True) as conn:
        found = conn.execute(sa.select(_saved.c.id).where(_saved.c.name == name)).scalar()
        if found is None:
            conn.execute(sa.insert(_saved).values(name=name, **values))
            return False
        conn.execute(sa.update(_saved).where(_saved.c.id == found).values(**values))
        return True


def listed(db: Database) -> list[SavedMappingRow]:
    """Every saved mapping, by name."""
    with db.begin() as conn:
        rows = conn.execute(sa.select(_saved).order_by(_saved.c.name)).all()
    return [_row(r) for r in rows]


def get(db: Database, name: str) -> SavedMappingRow | None:
    with db.begin() as conn:
        row = conn.execute(sa.select(_saved).where(_saved.c.name == name)).first()
    return None if row is None else _row(row)


def delete(db: Database, name: str) -> bool:
    """Remove the mapping of that name; whether there was one."""
    with db.begin(write=True) as conn:
        gone = conn.execute(sa.delete(_saved).where(_saved.c.name == name))
    return bool(gone.rowcount)

"""The audit log: append a row, read rows. There is no function that changes or removes one.

The table is append-only by design and by trigger (revisions 0003 and 0006; on PostgreSQL
also by its owner role, see docs/web.md and :func:`owner_warning`). The policy -- which
actions exist, what a row may say -- lives in :mod:`retour.service.audit`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from retour.store import schema
from retour.store.accounts import utc
from retour.store.engine import Database

_log = schema.audit_log
#: An open transaction an entry can be appended in (see append).
Transaction = sa.Connection


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: dt.datetime
    actor: str
    role: str | None
    action: str
    profile: str | None
    subject: str | None
    via: str
    detail: str | None


def append(
    db: Database,
    *,
    at: dt.datetime,
    actor: str,
    role: str | None,
    action: str,
    profile: str | None,
    subject: str | None,
    via: str,
    detail: str | None,
    within: sa.Connection | None = None,
) -> int:
    """Append one row in a transaction of its own, or in `within` (so that it commits, or
    not, with what it records: an import and its rows); its id."""
    moment = at.astimezone(dt.UTC)
    stmt = (
        sa.insert(_log)
        .values(
            at=moment.replace(tzinfo=None) if db.is_sqlite else moment,
            actor=actor,
            role=role,
            action=action,
            profile=profile,
            subject=subject,
            via=via,
            detail=detail,
        )
        .returning(_log.c.id)
    )
    if within is not None:
        return int(within.execute(stmt).scalar_one())
    with db.begin(write=True) as conn:
        return int(conn.execute(stmt).scalar_one())


def read(
    db: Database,
    *,
    limit: int,
    before_id: int | None = None,
    action: str | None = None,
    actor: str | None = None,
) -> list[AuditRow]:
    """The newest rows first, at most `limit`, older than `before_id` when given."""
    query = sa.select(_log).order_by(_log.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(_log.c.id < before_id)
    if action is not None:
        query = query.where(_log.c.action == action)
    if actor is not None:
        query = query.where(_log.c.actor == actor)
    with db.begin() as conn:
        rows = conn.execute(query).all()
    return [
        AuditRow(
            id=int(r.id),
            at=utc(r.at),
            actor=str(r.actor),
            role=r.role,
            action=str(r.action),
            profile=r.profile,
            subject=r.subject,
            via=str(r.via),
            detail=r.detail,
        )
        for r in rows
    ]


#: PostgreSQL: who the connected role is, and whether it owns (or is) what guards the log.
_GUARDS = sa.text(
    """SELECT current_user AS role,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
       pg_has_role(current_user, c.relowner, 'MEMBER') AS owns_table,
       COALESCE((SELECT bool_or(pg_has_role(current_user, p.proowner, 'MEMBER'))
                 FROM pg_proc p WHERE p.proname = 'audit_log_append_only'), false)
           AS owns_function
    FROM pg_class c WHERE c.oid = to_regclass('audit_log')"""
)


def owner_warning(db: Database) -> str | None:
    """PostgreSQL: one line when the connected role could lift the log's triggers (it owns
    audit_log or its trigger function, or is a superuser); None when it cannot, or on
    SQLite (whoever can write the file can change it: there, keep backups elsewhere)."""
    if db.is_sqlite:
        return None
    with db.begin() as conn:
        row = conn.execute(_GUARDS).first()
    if row is None or not (row.superuser or row.owns_table or row.owns_function):
        return None
    what = "is a superuser" if row.superuser else "owns audit_log"
    return (
        f"warning: the database role {row.role} {what}, so it could switch off the audit "
        "log's append-only triggers; give audit_log and its trigger function an owner role "
        f"of their own and grant {row.role} only INSERT and SELECT (docs/web.md, "
        '"The audit log\'s owner").'
    )

"""Users, web sessions, API tokens and failed logins: plain reads and writes, no policy.

The policy (who may log in, when a name is locked, how secrets are hashed) lives in
:mod:`retour.service.accounts`. Secrets never reach this module: sessions and tokens are
stored as the SHA-256 of a random value, passwords as an argon2 hash, names tried at a
failed login as a hash.

Times are stored in UTC. SQLite gives them back without a time zone; every read here
returns them aware (UTC).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from retour.store import schema
from retour.store.engine import Database

_users = schema.users
_sessions = schema.web_sessions
_tokens = schema.api_tokens
_failures = schema.login_failures
#: PostgreSQL: the first key of the advisory lock that serialises the attempts on one name.
_PG_LOGIN_LOCK: Final = 0x726C6F67


def utc(value: Any) -> dt.datetime:
    """A stored time as an aware UTC datetime (SQLite returns naive ones, or text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"not a time: {value!r}")
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _param(db: Database, value: dt.datetime) -> dt.datetime:
    """UTC for the database: naive on SQLite (stored as text, compared as text)."""
    at = value.astimezone(dt.UTC)
    return at.replace(tzinfo=None) if db.is_sqlite else at


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    name: str
    role: str
    password_hash: str
    disabled: bool
    created_at: dt.datetime


def _user(row: Any) -> UserRow:
    return UserRow(
        id=int(row.id),
        name=str(row.name),
        role=str(row.role),
        password_hash=str(row.password_hash),
        disabled=bool(row.disabled),
        created_at=utc(row.created_at),
    )


_USER_COLUMNS = (
    _users.c.id,
    _users.c.name,
    _users.c.role,
    _users.c.password_hash,
    _users.c.disabled,
    _users.c.created_at,
)


# -- users ------------------------------------------------------------------------------------


def insert_user(db: Database, name: str, role: str, password_hash: str, at: dt.datetime) -> int:
    """Add a user; a name already taken raises LookupError (nothing is written)."""
    with db.begin(write=True) as conn:
        taken = conn.execute(sa.select(_users.c.id).where(_users.c.name == name)).first()
        if taken is not None:
            raise LookupError(name)
        stmt = (
            sa.insert(_users)
            .values(
                name=name,
                role=role,
                password_hash=password_hash,
                disabled=False,
                created_at=_param(db, at),
            )
            .returning(_users.c.id)
        )
        return int(conn.execute(stmt).scalar_one())


def find_user(db: Database, name: str) -> UserRow | None:
    with db.begin() as conn:
        row = conn.execute(sa.select(*_USER_COLUMNS).where(_users.c.name == name)).first()
    return None if row is None else _user(row)


def get_user(db: Database, user_id: int) -> UserRow | None:
    with db.begin() as conn:
        row = conn.execute(sa.select(*_USER_COLUMNS).where(_users.c.id == user_id)).first()
    return None if row is None else _user(row)


def list_users(db: Database) -> list[UserRow]:
    with db.begin() as conn:
        rows = conn.execute(sa.select(*_USER_COLUMNS).order_by(_users.c.name)).all()
    return [_user(r) for r in rows]


def set_disabled(db: Database, user_id: int, disabled: bool, at: dt.datetime) -> None:
    """Disable (or enable) a user; disabling ends their web sessions and revokes tokens."""
    when = _param(db, at)
    with db.begin(write=True) as conn:
        conn.execute(sa.update(_users).where(_users.c.id == user_id).values(disabled=disabled))
        if disabled:
            conn.execute(
                sa.update(_sessions)
                .where(_sessions.c.user_id == user_id, _sessions.c.ended_at.is_(None))
                .values(ended_at=when)
            )
            conn.execute(
                sa.update(_tokens)
                .where(_tokens.c.user_id == user_id, _tokens.c.revoked_at.is_(None))
                .values(revoked_at=when)
            )


def set_password_hash(db: Database, user_id: int, password_hash: str) -> None:
    with db.begin(write=True) as conn:
        conn.execute(
            sa.update(_users).where(_users.c.id == user_id).values(password_hash=password_hash)
        )


# -- web sessions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    user: UserRow
    created_at: dt.datetime
    expires_at: dt.datetime


def insert_session(
    db: Database, user_id: int, token_hash: str, at: dt.datetime, expires_at: dt.datetime
) -> None:
    with db.begin(write=True) as conn:
        conn.execute(
            sa.insert(_sessions).values(
                user_id=user_id,
                token_hash=token_hash,
                created_at=_param(db, at),
                expires_at=_param(db, expires_at),
                ended_at=None,
            )
        )


def find_live_session(db: Database, token_hash: str, now: dt.datetime) -> SessionRow | None:
    """The session with this hash if it has not ended or expired, with its user."""
    query = (
        sa.select(
            _sessions.c.id.label("session_id"),
            _sessions.c.created_at.label("session_created_at"),
            _sessions.c.expires_at,
            *_USER_COLUMNS,
        )
        .join(_users, _users.c.id == _sessions.c.user_id)
        .where(
            _sessions.c.token_hash == token_hash,
            _sessions.c.ended_at.is_(None),
            _sessions.c.expires_at > _param(db, now),
        )
    )
    with db.begin() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return SessionRow(
        id=int(row.session_id),
        user=_user(row),
        created_at=utc(row.session_created_at),
        expires_at=utc(row.expires_at),
    )


def end_session(db: Database, token_hash: str, at: dt.datetime) -> bool:
    """End a live session; whether there was one."""
    with db.begin(write=True) as conn:
        result = conn.execute(
            sa.update(_sessions)
            .where(_sessions.c.token_hash == token_hash, _sessions.c.ended_at.is_(None))
            .values(ended_at=_param(db, at))
        )
    return bool(result.rowcount)


def forget_sessions(db: Database, before: dt.datetime) -> int:
    """Remove sessions that ended or expired before `before` (they can never be used)."""
    when = _param(db, before)
    with db.begin(write=True) as conn:
        result = conn.execute(
            sa.delete(_sessions).where(
                sa.or_(_sessions.c.expires_at < when, _sessions.c.ended_at < when)
            )
        )
    return int(result.rowcount or 0)


# -- API tokens -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: int
    user_name: str
    label: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


def insert_token(
    db: Database,
    user_id: int,
    token_hash: str,
    label: str | None,
    at: dt.datetime,
    expires_at: dt.datetime | None,
) -> int:
    stmt = (
        sa.insert(_tokens)
        .values(
            user_id=user_id,
            token_hash=token_hash,
            label=label,
            created_at=_param(db, at),
            expires_at=None if expires_at is None else _param(db, expires_at),
            revoked_at=None,
        )
        .returning(_tokens.c.id)
    )
    with db.begin(write=True) as conn:
        return int(conn.execute(stmt).scalar_one())


def find_live_token(db: Database, token_hash: str, now: dt.datetime) -> UserRow | None:
    """The user of a token that is neither revoked nor expired."""
    moment = _param(db, now)
    query = (
        sa.select(*_USER_COLUMNS)
        .join(_tokens, _tokens.c.user_id == _users.c.id)
        .where(
            _tokens.c.token_hash == token_hash,
            _tokens.c.revoked_at.is_(None),
            sa.or_(_tokens.c.expires_at.is_(None), _tokens.c.expires_at > moment),
        )
    )
    with db.begin() as conn:
        row = conn.execute(query).first()
    return None if row is None else _user(row)


def list_tokens(db: Database) -> list[TokenRow]:
    query = (
        sa.select(
            _tokens.c.id,
            _users.c.name,
            _tokens.c.label,
            _tokens.c.created_at,
            _tokens.c.expires_at,
            _tokens.c.revoked_at,
        )
        .join(_users, _users.c.id == _tokens.c.user_id)
        .order_by(_tokens.c.id)
    )
    with db.begin() as conn:
        rows = conn.execute(query).all()
    return [
        TokenRow(
            id=int(r.id),
            user_name=str(r.name),
            label=r.label,
            created_at=utc(r.created_at),
            expires_at=None if r.expires_at is None else utc(r.expires_at),
            revoked_at=None if r.revoked_at is None else utc(r.revoked_at),
        )
        for r in rows
    ]


def revoke_token(db: Database, token_id: int, at: dt.datetime) -> bool:
    with db.begin(write=True) as conn:
        result = conn.execute(
            sa.update(_tokens)
            .where(_tokens.c.id == token_id, _tokens.c.revoked_at.is_(None))
            .values(revoked_at=_param(db, at))
        )
    return bool(result.rowcount)


# -- failed logins ----------------------------------------------------------------------------


def reserve_attempt(
    db: Database, name_hash: str, at: dt.datetime, *, since: dt.datetime, threshold: int
) -> dt.datetime | None:
    """Count one login attempt of `name_hash` as a failure *before* its password is
    checked, unless `threshold` failures since `since` are counted already: then nothing
    is written, and the latest failure's time comes back (the name is locked).

    Counting and adding are one transaction that holds the name's lock (SQLite's write
    lock; on PostgreSQL an advisory lock on the name), so parallel attempts are counted
    one after the other and no more than `threshold` passwords are ever checked. A
    successful login clears the count (clear_failures). Failures older than `since` go.
    """
    with db.begin(write=True) as conn:
        if not db.is_sqlite:
            key = sa.func.hashtext(name_hash)
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOGIN_LOCK, key)))
        n, latest = conn.execute(
            sa.select(sa.func.count(), sa.func.max(_failures.c.failed_at)).where(
                _failures.c.name_hash == name_hash, _failures.c.failed_at >= _param(db, since)
            )
        ).one()
        if int(n) >= threshold and latest is not None:
            return utc(latest)
        conn.execute(sa.insert(_failures).values(name_hash=name_hash, failed_at=_param(db, at)))
        conn.execute(sa.delete(_failures).where(_failures.c.failed_at < _param(db, since)))
    return None


def failures_since(
    db: Database, name_hash: str, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """How many failures of `name_hash` since `since`, and the latest one."""
    query = sa.select(sa.func.count(), sa.func.max(_failures.c.failed_at)).where(
        _failures.c.name_hash == name_hash, _failures.c.failed_at >= _param(db, since)
    )
    with db.begin() as conn:
        n, latest = conn.execute(query).one()
    return int(n), None if latest is None else utc(latest)


def clear_failures(db: Database, name_hash: str) -> None:
    with db.begin(write=True) as conn:
        conn.execute(sa.delete(_failures).where(_failures.c.name_hash == name_hash))

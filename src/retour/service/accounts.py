"""Users and how they prove who they are: passwords, web sessions, API tokens, lockout.

- Passwords are hashed with argon2id (argon2-cffi's defaults) and re-hashed when those
  defaults change. A login with an unknown or disabled name costs the same as one with a
  wrong password, and says the same ("name or password wrong").
- After ``lockout_threshold`` failed logins of one name within ``lockout_minutes``, that
  name is locked for ``lockout_minutes`` after the last failure; a locked name is refused
  without its password being checked. An attempt is counted as a failure *before* its
  password is checked, atomically in the database, so parallel attempts -- from any
  number of web processes -- never check more than ``lockout_threshold`` passwords; a
  success clears the count. Failures are kept by a keyed hash of the name tried, so a
  password typed into the name field is never stored.
- A web session and an API token are random values; the database keeps their SHA-256 only.
  Disabling a user ends their sessions and revokes their tokens.

What each role may do is written down in one place, :mod:`retour.web.permissions`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from retour.domain.errors import N_, Field, UsageError
from retour.service import audit
from retour.service.audit import AuditAction, Via
from retour.service.context import Retour
from retour.store import accounts as store


class Role(StrEnum):
    """A user's role; see :mod:`retour.web.permissions` for what each may do."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    CASEWORKER = "caseworker"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(r.value for r in cls)
            raise UsageError(
                N_("Unknown role {value!r}."),
                hint=N_("Choose one of: {choices}."),
                field=Field.ROLE,
                value=text,
                choices=choices,
            ) from None


NAME_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 1024
#: API tokens start with this, so a leaked one is easy to recognise (and to search for).
TOKEN_PREFIX: Final = "rt_"

_hasher = PasswordHasher()
#: Checked against when the name is unknown, so that the answer takes as long.
_DUMMY_HASH: Final = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    disabled: bool = False
    created_at: dt.datetime | None = None


class LoginRefused(Exception):  # noqa: N818 - a refusal, not a program error
    """A login that did not succeed. `locked_until` is set when the name is locked."""

    def __init__(self, locked_until: dt.datetime | None = None) -> None:
        super().__init__("locked" if locked_until else "invalid")
        self.locked_until = locked_until


def _user(row: store.UserRow) -> User:
    return User(row.id, row.name, Role(row.role), row.disabled, row.created_at)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_name(name: str) -> str:
    return name.strip().lower()


def check_name(name: str) -> str:
    clean = normalise_name(name)
    if not NAME_PATTERN.fullmatch(clean):
        raise UsageError(
            N_("{name!r} cannot be a user name."),
            hint=N_(
                "Use 2-64 lower-case letters, digits, '.', '_' or '-', starting with a "
                "letter or digit."
            ),
            name=name,
        )
    return clean


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError(
            N_("The password is too short: at least {n} characters."),
            hint=N_("A passphrase of several words is easy to type and hard to guess."),
            n=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UsageError(
            N_("The password is too long: at most {n} characters."), n=MAX_PASSWORD_LENGTH
        )
    return password


# -- users ------------------------------------------------------------------------------------


def _actor(given: str | None) -> str:
    """The actor an account change is recorded under: as given, else the command line's."""
    return given if given is not None else audit.command_line_actor()


def add_user(
    context: Retour, name: str, role: Role | str, password: str, *, actor: str | None = None
) -> User:
    """Add a user with an argon2 hash of `password`."""
    clean = check_name(name)
    chosen = role if isinstance(role, Role) else Role.parse(role)
    digest = _hasher.hash(check_password(password))
    try:
        user_id = store.insert_user(context.database(), clean, chosen.value, digest, _now())
    except LookupError:
        raise UsageError(N_("A user named {name!r} exists already."), name=clean) from None
    audit.record(
        context, AuditAction.USER_ADDED, actor=_actor(actor), via=Via.CLI, subject=str(user_id)
    )
    return User(user_id, clean, chosen)


def list_users(context: Retour) -> list[User]:
    return [_user(row) for row in store.list_users(context.database())]


def get_user(context: Retour, name: str) -> User:
    row = store.find_user(context.database(), normalise_name(name))
    if row is None:
        raise UsageError(
            N_("There is no user named {name!r}."),
            cli_hint=N_("See `retour user list`."),
            name=name,
        )
    return _user(row)


def set_disabled(
    context: Retour, name: str, disabled: bool = True, *, actor: str | None = None
) -> User:
    """Disable a user (their sessions end, their tokens are revoked at once), or enable."""
    user = get_user(context, name)
    store.set_disabled(context.database(), user.id, disabled, _now())
    action = AuditAction.USER_DISABLED if disabled else AuditAction.USER_ENABLED
    audit.record(context, action, actor=_actor(actor), via=Via.CLI, subject=str(user.id))
    return User(user.id, user.name, user.role, disabled, user.created_at)


# -- logging in -------------------------------------------------------------------------------


def _name_key(context: Retour, name: str) -> str:
    """A keyed hash of the name tried: failures are counted by name, the name is not kept."""
    key = context.settings.session_key()
    return hmac.new(key, b"login:" + normalise_name(name).encode("utf-8"), "sha256").hexdigest()


def locked_until(context: Retour, name: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the name's lock ends, or None when it is not locked."""
    moment = now or _now()
    window = dt.timedelta(minutes=context.settings.lockout_minutes)
    failures, latest = store.failures_since(
        context.database(), _name_key(context, name), moment - window
    )
    if failures < context.settings.lockout_threshold or latest is None:
        return None
    return latest + window


def authenticate(
    context: Retour, name: str, password: str, *, via: Via = Via.WEB, now: dt.datetime | None = None
) -> User:
    """The user whose name and password these are; LoginRefused otherwise. Audited."""
    moment = now or _now()
    db = context.database()
    key = _name_key(context, name)
    window = dt.timedelta(minutes=context.settings.lockout_minutes)
    row = store.find_user(db, normalise_name(name)) if len(name) <= 64 else None
    actor = row.name if row is not None else audit.UNKNOWN_ACTOR
    threshold = context.settings.lockout_threshold
    latest = store.reserve_attempt(db, key, moment, since=moment - window, threshold=threshold)
    if latest is not None:
        audit.record(context, AuditAction.LOCKED_OUT, actor=actor, via=via, at=moment)
        raise LoginRefused(latest + window)
    if _verified(row, password[:MAX_PASSWORD_LENGTH]):
        assert row is not None
        store.clear_failures(db, key)
        if _hasher.check_needs_rehash(row.password_hash):
            store.set_password_hash(db, row.id, _hasher.hash(password))
        user = _user(row)
        audit.record(
            context, AuditAction.LOGIN, actor=user.name, role=user.role, via=via, at=moment
        )
        return user
    audit.record(context, AuditAction.LOGIN_FAILED, actor=actor, via=via, at=moment)
    raise LoginRefused(locked_until(context, name, moment))


def _verified(row: store.UserRow | None, password: str) -> bool:
    digest = row.password_hash if row is not None and not row.disabled else _DUMMY_HASH
    try:
        ok = _hasher.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and row is not None and not row.disabled


# -- web sessions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Session:
    """A live web session: the user, and when the session was made and ends."""

    user: User
    created_at: dt.datetime
    expires_at: dt.datetime


def start_session(
    context: Retour, user: User, *, now: dt.datetime | None = None
) -> tuple[str, dt.datetime]:
    """A new session for `user`: its secret id (for the signed cookie) and its end."""
    moment = now or _now()
    expires = moment + dt.timedelta(minutes=context.settings.session_minutes)
    token = secrets.token_urlsafe(32)
    db = context.database()
    store.forget_sessions(db, moment - dt.timedelta(days=1))
    store.insert_session(db, user.id, _sha256(token), moment, expires)
    return token, expires


def session(context: Retour, token: str, *, now: dt.datetime | None = None) -> Session | None:
    """The live session of this id, if its user is still enabled."""
    found = store.find_live_session(context.database(), _sha256(token), now or _now())
    if found is None or found.user.disabled:
        return None
    return Session(_user(found.user), found.created_at, found.expires_at)


def end_session(context: Retour, token: str, *, now: dt.datetime | None = None) -> bool:
    return store.end_session(context.database(), _sha256(token), now or _now())


# -- API tokens -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    user: str
    label: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


def create_token(
    context: Retour,
    name: str,
    *,
    label: str | None = None,
    days: int | None = 90,
    actor: str | None = None,
) -> tuple[str, TokenInfo]:
    """A new bearer token for user `name`; the token is shown once and stored hashed."""
    user = get_user(context, name)
    if user.disabled:
        raise UsageError(
            N_("The user {name!r} is disabled."), hint=N_("Enable them first."), name=user.name
        )
    if days is not None and days < 1:
        raise UsageError(
            N_("A token lasts at least one day."),
            hint=N_("Give {field} 1 or more."),
            field=Field.DAYS,
        )
    moment = _now()
    expires = moment + dt.timedelta(days=days) if days is not None else None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    clean_label = label.strip()[:200] if label and label.strip() else None
    token_id = store.insert_token(
        context.database(), user.id, _sha256(token), clean_label, moment, expires
    )
    audit.record(
        context, AuditAction.TOKEN_CREATED, actor=_actor(actor), via=Via.CLI, subject=str(token_id)
    )
    return token, TokenInfo(token_id, user.name, clean_label, moment, expires, None)


def token_user(context: Retour, token: str, *, now: dt.datetime | None = None) -> User | None:
    """The enabled user of a live token, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = store.find_live_token(context.database(), _sha256(token), now or _now())
    if row is None or row.disabled:
        return None
    return _user(row)


def list_tokens(context: Retour) -> list[TokenInfo]:
    return [
        TokenInfo(t.id, t.user_name, t.label, t.created_at, t.expires_at, t.revoked_at)
        for t in store.list_tokens(context.database())
    ]


def revoke_token(context: Retour, token_id: int, *, actor: str | None = None) -> None:
    if not store.revoke_token(context.database(), token_id, _now()):
        raise UsageError(
            N_("There is no live token {token}."),
            cli_hint=N_("See `retour token list`."),
            token=token_id,
        )
    audit.record(
        context, AuditAction.TOKEN_REVOKED, actor=_actor(actor), via=Via.CLI, subject=str(token_id)
    )

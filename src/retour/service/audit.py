"""The audit log: who did what, when, under which profile. A closed set of actions.

Every view of a case and every export (workbook, API answer) is recorded, as are logins,
imports, instrument changes and changes to users and tokens. A row holds the actor's user
name and role, the action, the publication profile, a *subject* -- an id or a code (a
case_id, a country code, an instrument id, an import id), never free text -- and a few
parameters (years, kind, ...). Nothing else: no names of people, no titles, no file names,
no passwords typed as user names.

The log is append-only: :func:`record` appends, :func:`read_log` reads, and nothing
changes or removes a row (the database refuses it too).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from retour.service.context import Retour
from retour.store import audit as store_audit
from retour.store.audit import Transaction


class AuditAction(StrEnum):
    """Everything the audit log can say happened."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKED_OUT = "locked_out"
    LOGOUT = "logout"
    VIEW_CASE = "view_case"
    ACCESS_REFUSED = "access_refused"
    EXPORT_WORKBOOK = "export_workbook"
    EXPORT_FIGURES = "export_figures"
    EXPORT_REPORT = "export_report"
    EXPORT_API = "export_api"
    EXPORT_DATASET = "export_dataset"
    IMPORT_DATASET = "import_dataset"
    IMPORT_REFUSED = "import_refused"
    INSTRUMENT_ADDED = "instrument_added"
    INSTRUMENT_ENDED = "instrument_ended"
    TERM_ADDED = "term_added"  # an agreement's time limits entered on the web
    VIEW_AUDIT = "view_audit"
    USER_ADDED = "user_added"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    MAPPING_SAVED = "mapping_saved"
    MAPPING_DELETED = "mapping_deleted"
    REPRODUCE_RELEASE = "reproduce_release"
    RECORD_ADDED = "record_added"  # a row recorded in retour (API or case page)
    RECORD_CORRECTED = "record_corrected"  # a stored row corrected in retour


class Via(StrEnum):
    """Which face the action came through."""

    WEB = "web"
    API = "api"
    CLI = "cli"


#: The actor of a failed login with a name that is no user (the name itself is not kept).
UNKNOWN_ACTOR: Final = "-"
#: A subject or parameter value: ids, codes, dates, years, lists of codes. No spaces.
_TOKEN: Final = re.compile(r"^[A-Za-z0-9._:,+-]{0,64}$")
_KEY: Final = re.compile(r"^[a-z_]{1,32}$")

Detail = Mapping[str, str | int | None]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    role: str | None
    action: str
    profile: str | None
    subject: str | None
    via: str
    detail: dict[str, str | int | None]


def command_line_actor() -> str:
    """Who runs a command: the operating-system user (``uid-N`` when the uid has no name,
    as in some containers). The audit log names this actor for everything done on the
    command line."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something, and through which face. A service that exports or changes data
    takes one and records itself in the log, so every face is audited the same way."""

    name: str
    via: Via
    role: str | None = None

    @classmethod
    def command_line(cls) -> Actor:
        """The operating-system user running a command."""
        return cls(command_line_actor(), Via.CLI)


def record_by(
    context: Retour,
    actor: Actor,
    action: AuditAction,
    *,
    profile: str | None = None,
    subject: str | None = None,
    detail: Detail | None = None,
) -> int:
    """:func:`record` for an :class:`Actor`."""
    return record(
        context,
        action,
        actor=actor.name,
        role=actor.role,
        via=actor.via,
        profile=profile,
        subject=subject,
        detail=detail,
    )


def is_token(value: str) -> bool:
    """Whether ``value`` may be a subject or a parameter value (an id or a code)."""
    return bool(_TOKEN.fullmatch(value))


def _checked(value: str | None, what: str) -> str | None:
    if value is not None and not _TOKEN.fullmatch(value):
        raise ValueError(f"audit {what} must be an id or a code, not free text")
    return value


def _detail(detail: Detail | None) -> str | None:
    if not detail:
        return None
    clean: dict[str, str | int | None] = {}
    for key, value in detail.items():
        if not _KEY.fullmatch(key):
            raise ValueError("audit detail keys are short lower-case names")
        clean[key] = value if value is None or isinstance(value, int) else _checked(value, key)
    return json.dumps(clean, sort_keys=True, separators=(",", ":"))


def record(
    context: Retour,
    action: AuditAction,
    *,
    actor: str,
    via: Via,
    role: str | None = None,
    profile: str | None = None,
    subject: str | None = None,
    detail: Detail | None = None,
    at: dt.datetime | None = None,
    within: Transaction | None = None,
) -> int:
    """Append one row to the audit log (its own transaction, or `within` one); its id.

    `subject` and the values of `detail` must be ids or codes (letters, digits, ``.``,
    ``_``, ``:``, ``,``, ``+``, ``-``; at most 64): anything else raises ValueError, so
    free text cannot slip into the log.
    """
    return store_audit.append(
        context.database(),
        at=at or dt.datetime.now(dt.UTC),
        actor=actor,
        role=role,
        action=AuditAction(action).value,
        profile=profile,
        subject=_checked(subject, "subject"),
        via=Via(via).value,
        detail=_detail(detail),
        within=within,
    )


def owner_warning(context: Retour) -> str | None:
    """One line when retour's own database role could rewrite the log (PostgreSQL: it owns
    audit_log, or is a superuser); ``retour db upgrade`` shows it."""
    return store_audit.owner_warning(context.database())


def read_log(
    context: Retour,
    *,
    limit: int = 100,
    before_id: int | None = None,
    action: AuditAction | None = None,
    actor: str | None = None,
) -> list[AuditEntry]:
    """The newest entries first; `before_id` pages back."""
    rows = store_audit.read(
        context.database(),
        limit=max(1, min(limit, 1000)),
        before_id=before_id,
        action=action.value if action is not None else None,
        actor=actor,
    )
    return [
        AuditEntry(
            id=r.id,
            at=r.at,
            actor=r.actor,
            role=r.role,
            action=r.action,
            profile=r.profile,
            subject=r.subject,
            via=r.via,
            detail=json.loads(r.detail) if r.detail else {},
        )
        for r in rows
    ]

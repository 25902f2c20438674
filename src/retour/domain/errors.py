"""retour's exception hierarchy. Each error carries the exit status the CLI gives it and the
HTTP status the web answers it with, as class variables (click's pattern): each face has one
handler that reads them, and no face maps errors by hand or by their text.

An error's message is a text of the message catalog, in English with ``{fields}``, marked
``N_`` where it is raised, and its values apart: ``UsageError(N_("{field} {value!r} is not a
year or a quarter."), field=Field.PERIOD, value=text)``. Each face translates it with
``_(exc.message, lang, **values)``, filling ``{field}`` with its own name for the value the user
gave: the CLI its option (``--period``), the web its form field ("Periode"/"Period"). A
``hint`` (what to do) is shown by every face; a ``cli_hint`` replaces it on the command line
where the advice names a command or an option. ``str(exc)`` is the CLI's English.

Messages say what went wrong, where, and what to do; they never carry personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import ClassVar, Final


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, translate later"
    """Mark an error's ``message`` for the catalog (the same mark as
    :func:`retour.reports.messages.N_`; ``domain`` imports nothing of ours)."""
    return message


class Field(StrEnum):
    """A value a user gave, by the name of its option: the CLI shows ``--years``, the web
    the form field's name in the reader's language (``retour.web.i18n``)."""

    BY = "by"
    CONFIDENTIAL = "confidential"
    COUNTRY = "country"
    DATE = "on"
    DAYS = "days"
    END_ON = "end-on"
    EXTRACTED_ON = "extracted-on"
    FORMAT = "format"
    GEO = "geo"
    GRANULARITY = "granularity"
    KIND = "kind"
    LANGUAGE = "lang"
    MONTHLY = "monthly"
    OUT = "out"
    OUTCOME = "outcome"
    PERIOD = "period"
    PROFILE = "profile"
    ROLE = "role"
    SEED = "seed"
    WHAT = "what"
    SINCE = "since"
    YEAR = "year"
    YEARS = "years"

    @property
    def option(self) -> str:
        """The field as the command line names it: ``--years``."""
        return f"--{self.value}"


@dataclass(frozen=True, slots=True)
class CountryName:
    """A country as a message's value: each face writes its name in the reader's language;
    in English it is ``english``."""

    code: str
    english: str

    def __str__(self) -> str:
        return self.english


class Text(str):
    """A value that is itself a text of the catalog (``Text(N_("departures"))``): each face
    translates it as it translates the message."""

    __slots__ = ()


def cli_value(value: object) -> object:
    """A value as the command line shows it: a field by its option, a code by its value."""
    if isinstance(value, Field):
        return value.option
    if isinstance(value, RetourError):
        return value.text
    if isinstance(value, Enum):
        return value.value
    return value


class RetourError(Exception):
    """An error a user can act on. Shown as one line; no traceback unless --debug."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 400

    def __init__(
        self,
        message: str,
        /,
        *,
        hint: str | None = None,
        cli_hint: str | None = None,
        field: Field | None = None,
        **values: object,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.cli_hint = cli_hint
        self.field = field
        self.values: Mapping[str, object] = values

    def fields(self) -> dict[str, object]:
        """The values of the message's and the hint's ``{fields}``, ``field`` among them."""
        return dict(self.values) if self.field is None else {**self.values, "field": self.field}

    def said(
        self,
        translate: Callable[..., str],
        shown: Callable[[object], object],
        *,
        cli: bool,
    ) -> str:
        """The message and hint through ``translate(text, **values)`` (a face's ``_`` with its
        language bound), each value as ``shown`` gives it; the CLI's hint where ``cli``."""
        values = {name: shown(value) for name, value in self.fields().items()}
        hint = (self.cli_hint or self.hint) if cli else self.hint
        text = translate(self.message, **values)
        return text if hint is None else f"{text} {translate(hint, **values)}"

    @property
    def text(self) -> str:
        """The message in English as the command line says it, without the hint."""
        values = {name: cli_value(value) for name, value in self.fields().items()}
        return self.message.format(**values) if values else self.message

    def __str__(self) -> str:
        return self.said(_english, cli_value, cli=True)


def _english(text: str, /, **values: object) -> str:
    return text.format(**values) if values else text


class UsageError(RetourError):
    """Wrong options or arguments."""

    exit_code = 2
    http_status = 400


class NotFoundError(UsageError):
    """Something asked for by its id (a case, a country's figures) is not in the database.

    A usage error on the command line; the web answers it with 404.
    """

    http_status = 404


class InputError(RetourError):
    """A file that cannot be read as asked: missing, unreadable, wrong encoding, wrong shape."""

    exit_code = 2
    http_status = 422


class ConfigError(RetourError):
    """A setting is missing or wrong (secret, database URL, settings file)."""

    exit_code = 2
    http_status = 500


class DatabaseError(RetourError):
    """The database cannot be opened, is locked, or has a schema this version cannot use."""

    exit_code = 3
    http_status = 503


class DatabaseBusy(DatabaseError):  # noqa: N818 - a state of the database, not a mistake
    """Another process holds the database's write lock (SQLite "database is locked",
    PostgreSQL's lock timeout, another import): nothing is wrong, try again shortly. The web
    answers 503 with ``Retry-After``."""

    http_status = 503
    #: Seconds the web's ``Retry-After`` asks a client to wait before it tries again.
    retry_after: ClassVar[int] = 5


class StorageError(RetourError):
    """A file or the database cannot be written because of the disk: full (or over quota),
    or an input/output error. Neither the data nor the command is wrong: free space or
    repair the disk, then try again. HTTP 507 (Insufficient Storage)."""

    exit_code = 3
    http_status = 507


#: The server's trouble, not the request's: a face that shows a RetourError beside what was
#: asked (a form, a page's part) lets these pass to its one handler (503, 507), never saying
#: "400" to a mistake the user did not make.
SERVER_FAULTS: Final = (DatabaseError, StorageError)

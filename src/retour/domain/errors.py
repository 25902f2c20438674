"""retour's exception hierarchy. Each error carries the exit status the CLI gives it and the
HTTP status the web answers it with, as class variables (click's pattern): each face has one
handler that reads them, and no face maps errors by hand or by their text.

Messages say what went wrong, where, and what to do; they never carry personal data.
"""

from __future__ import annotations

from typing import ClassVar


class RetourError(Exception):
    """An error a user can act on. Shown as one line; no traceback unless --debug."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message} {self.hint}"


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

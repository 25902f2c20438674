"""The application object the faces share: settings and the database, opened on demand.

A database named by the user (``--db``, ``RETOUR_DB`` or ``db`` in the settings file) whose
file does not exist in a folder that does not exist either is refused: a typo must not
quietly make folders and an empty database. ``retour db upgrade`` (:meth:`Retour.upgrade`)
creates such a database on purpose; a new file in an existing folder is created on first
use, as is the default database under the data directory.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from retour.config import Settings, database_url, load_settings
from retour.domain.errors import N_, ConfigError

if TYPE_CHECKING:
    from retour.store.engine import Database


@dataclass(slots=True)
class Retour:
    """One user's view of retour: their settings and database."""

    settings: Settings
    db_override: str | None = None
    _database: Database | None = field(default=None, init=False)

    @classmethod
    def from_environment(cls, db: str | None = None) -> Retour:
        return cls(settings=load_settings(), db_override=db)

    @property
    def database_url(self) -> str:
        if self.db_override:
            return database_url(self.db_override, self.settings.data_dir)
        return self.settings.database_url

    def database(self) -> Database:
        if self._database is None:
            from retour.store.engine import open_database  # the CLI starts faster without it

            self._refuse_a_missing_folder()
            self._database = open_database(self.database_url)
        return self._database

    def upgrade(self) -> tuple[str | None, str]:
        """Migrate the schema to this retour's (``retour db upgrade``), creating the
        database, and its folder, when there is none: (revision before or None, after)."""
        from retour.store.engine import upgrade_database

        self.close()
        return upgrade_database(self.database_url)

    @property
    def named_database(self) -> bool:
        """Whether the user named the database (rather than taking the default)."""
        return bool(self.db_override or self.settings.db)

    def sqlite_file(self) -> Path | None:
        """The SQLite file of the database, or None (PostgreSQL, in memory)."""
        from retour.store.engine import SQLITE, parse_url

        url = parse_url(self.database_url)
        name = url.database
        if url.get_backend_name() != SQLITE or not name or name == ":memory:":
            return None
        return None if name.startswith("file:") else Path(name)

    def _refuse_a_missing_folder(self) -> None:
        path = self.sqlite_file() if self.named_database else None
        if path is None or path.exists() or path.parent.is_dir():
            return
        raise ConfigError(
            N_("No database at {path}: the folder {folder} does not exist."),
            cli_hint=N_(
                "Check --db or RETOUR_DB, or create a new database with "
                "`retour --db {quoted} db upgrade`."
            ),
            path=path,
            folder=path.parent,
            quoted=shlex.quote(str(path)),
        )

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
            self._database = None

    def __enter__(self) -> Retour:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

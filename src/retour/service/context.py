"""The application object the faces share: settings and the database, opened on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retour.config import Settings, database_url, load_settings

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

            self._database = open_database(self.database_url)
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
            self._database = None

    def __enter__(self) -> Retour:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Loading a dataset into a database of the backend under test, for session-wide fixtures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from retour.config import load_settings
from retour.service import datasets
from retour.service.context import Retour

from .conftest import empty_postgres, worker_postgres_url

TODAY = dt.date(2024, 6, 1)


@dataclass(frozen=True)
class Loaded:
    url: str
    exported: Path  # the database exported in the exchange format: the oracle's input


def own_postgres_database(suffix: str) -> str:
    """An empty PostgreSQL database of this worker's own, kept apart from `database_url`."""
    return empty_postgres(worker_postgres_url(suffix))


def load(url: str, folder: Path, exported: Path) -> Loaded:
    """Import ``folder`` into ``url`` as `retour import` does, then export it."""
    with Retour(settings=load_settings(), db_override=url) as app:
        datasets.import_dataset(app, folder, today=TODAY)
        datasets.export_dataset(app, exported)
    return Loaded(url, exported)

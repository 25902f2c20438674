"""Loading a dataset into a database of the backend under test, for session-wide fixtures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from retour.config import load_settings
from retour.service import datasets
from retour.service.context import Retour
from retour.simulate.run import simulate_dataset, write_simulation
from retour.simulate.scenario import build_scenario

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


def simulated_nl_sqlite(root: Path) -> str:
    """The NL scenario at scale 0.2, 2019-2023 (seed 3), imported into a new SQLite database
    under ``root`` as `retour import` does: its URL."""
    simulation = simulate_dataset(
        build_scenario("nl", scale=0.2), (2019, 2023), 3, dt.date(2024, 1, 1)
    )
    write_simulation(simulation, root / "data")
    url = f"sqlite:///{root / 'retour.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RETOUR_SETTINGS", str(root / "settings.toml"))
        with Retour(settings=load_settings(db=url, data_dir=root)) as app:
            datasets.import_dataset(app, root / "data", today=dt.date(2024, 1, 2))
    return url

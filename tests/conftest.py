"""Shared fixtures. Every test that touches a database takes `database_url`.

The suite runs on SQLite by default; with RETOUR_TEST_DATABASE set to a PostgreSQL URL it
runs on PostgreSQL, each xdist worker in a database of its own, each test on an empty schema.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

# Speed is measured by benchmarks/, not by tests: no per-example deadline, whatever the load.
# In CI the examples are derandomised: the same examples every run, so a run is repeatable
# (locally hypothesis keeps exploring, and its database replays what once failed).
settings.register_profile("retour", deadline=None)
settings.register_profile("retour-ci", deadline=None, derandomize=True)
settings.load_profile("retour-ci" if os.environ.get("CI") else "retour")

POSTGRES_URL = os.environ.get("RETOUR_TEST_DATABASE", "")
TEST_SECRET = "test-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the developer's own settings, database or secret."""
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith("RETOUR_") and name not in {"RETOUR_TEST_DATABASE"}:
            monkeypatch.delenv(name)
    monkeypatch.setenv("RETOUR_SETTINGS", str(home / "settings.toml"))
    monkeypatch.setenv("RETOUR_DATA_DIR", str(home / "data"))


def worker_postgres_url(suffix: str = "") -> str:
    """A database of this xdist worker's own on the test server (created when missing).

    `suffix` names a further database for fixtures that keep data across tests.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    base = sa.make_url(POSTGRES_URL)
    name = "_".join(part for part in (base.database, suffix, worker) if part)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _postgres_worker_url() -> str:
    return worker_postgres_url()


def empty_postgres(url: str) -> str:
    """Drop everything in the database at `url`; return the URL."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a fresh, empty database of the backend under test."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'retour.sqlite'}"
        return
    yield empty_postgres(request.getfixturevalue("_postgres_worker_url"))


@pytest.fixture
def fresh_database(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[[], str]:
    """A maker of fresh, empty databases of the backend under test (for property tests)."""

    def make() -> str:
        if not POSTGRES_URL:
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'retour.sqlite'}"
        return empty_postgres(request.getfixturevalue("_postgres_worker_url"))

    return make


@pytest.fixture
def on_postgres() -> bool:
    return bool(POSTGRES_URL)

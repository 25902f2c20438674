"""Shared fixtures. Every test that touches a database takes `database_url`.

The suite runs on SQLite by default; with RETOUR_TEST_DATABASE set to a PostgreSQL URL it
runs on PostgreSQL, each xdist worker in a database of its own, each test on an empty schema.
"""

from __future__ import annotations

import inspect
import os
import types
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
TESTS = Path(__file__).resolve().parent

#: The names through which a test reaches the backend under test: a fixture below, or the
#: PostgreSQL helpers (tests/loading.py) that session-wide fixtures call.
BACKEND_NAMES = frozenset(
    {
        "database_url",
        "fresh_database",
        "on_postgres",
        "_postgres_worker_url",
        "worker_postgres_url",
        "empty_postgres",
        "own_postgres_database",
        "POSTGRES_URL",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests that reach the database under test run again.

    A test whose fixtures and code never name :data:`BACKEND_NAMES` (a statistical test, a
    renderer, a report printed from its own SQLite database) does exactly what it did in
    the SQLite run; running it twice would only double the suite's time.
    """
    if not POSTGRES_URL:
        return
    kept = [item for item in items if _reaches_backend(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in set(kept)])
        items[:] = kept


def _reaches_backend(item: pytest.Item) -> bool:
    if set(getattr(item, "fixturenames", ())) & BACKEND_NAMES:
        return True
    functions = [getattr(item, "obj", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info else ():
        functions += [d.func for d in defs]
    seen: set[types.CodeType] = set()
    return any(_names_backend(f, seen) for f in functions if f is not None)


def _names_backend(func: object, seen: set[types.CodeType]) -> bool:
    """Whether ``func`` or a function of the tests it calls names the backend."""
    func = inspect.unwrap(func)  # type: ignore[arg-type]
    code = getattr(func, "__code__", None)
    if not isinstance(code, types.CodeType) or code in seen:
        return False
    seen.add(code)
    names = _code_names(code)
    if names & BACKEND_NAMES:
        return True
    scope = getattr(func, "__globals__", {})
    called = (scope.get(n) for n in names)
    return any(
        _names_backend(f, seen)
        for f in called
        if isinstance(f, types.FunctionType) and Path(f.__code__.co_filename).is_relative_to(TESTS)
    )


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names) | set(code.co_varnames)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


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
        # a connection an earlier test left open (a server's pool) could hold a lock that the
        # drop below waits on while it waits on the drop: a deadlock under load
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
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

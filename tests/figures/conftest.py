"""Fixtures: the test dataset imported once per session into a database of the backend
under test, and exported back out for the oracle.

The shared database is read-only for the tests; tests that need an empty or a simulated
database take ``database_url`` instead. On PostgreSQL it lives in a database of its own
(per xdist worker), so the per-test emptying of ``database_url`` never touches it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retour.cli import main
from retour.exchange import write_dataset

from ..conftest import POSTGRES_URL
from ..loading import Loaded, load, own_postgres_database
from . import data


@pytest.fixture(scope="session")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    root = tmp_path_factory.mktemp("figures")
    folder = root / "dataset"
    write_dataset(data.make(), folder)
    url = (
        own_postgres_database("figures") if POSTGRES_URL else f"sqlite:///{root / 'figures.sqlite'}"
    )
    return load(url, folder, root / "exported")


@pytest.fixture
def on_loaded(loaded: Loaded, monkeypatch: pytest.MonkeyPatch) -> Loaded:
    """The shared database as RETOUR_DB, for the command line."""
    monkeypatch.setenv("RETOUR_DB", loaded.url)
    return loaded


@pytest.fixture
def simulated_db(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Loaded]:
    """A small database of simulated data, as RETOUR_DB."""
    folder = tmp_path / "simulated"
    write_dataset(data.make(300, seed=5, simulated=True), folder)
    monkeypatch.setenv("RETOUR_DB", database_url)
    yield load(database_url, folder, tmp_path / "exported")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`retour --lang en ARGS...` in this process (errors in English; a command's own --lang
    still chooses its output's): (exit status, stdout, stderr)."""
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err

"""Fixtures: the edge dataset imported once per session into a database of the backend under
test (and exported back out for the oracle); the tiny dataset per test; a simulated run.

On PostgreSQL the shared database lives in a database of its own (per xdist worker), so
the per-test emptying of ``database_url`` never touches it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from retour.analysis.prospect import History, features
from retour.cli import main
from retour.domain.codes import Table
from retour.domain.dataset import Dataset
from retour.exchange import write_dataset
from retour.service import cases as case_service
from retour.simulate.run import simulate_dataset
from retour.simulate.scenario import build_scenario

from ..conftest import POSTGRES_URL
from ..loading import Loaded, load, own_postgres_database
from . import data


@pytest.fixture(autouse=True)
def _fresh_models() -> Iterator[None]:
    """No fitted prospect model crosses from one test (and database) to another."""
    case_service.clear_models()
    yield
    case_service.clear_models()


@pytest.fixture(scope="session")
def edges_db(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    root = tmp_path_factory.mktemp("conditions")
    folder = root / "dataset"
    write_dataset(data.edges(), folder)
    url = (
        own_postgres_database("conditions")
        if POSTGRES_URL
        else f"sqlite:///{root / 'conditions.sqlite'}"
    )
    return load(url, folder, root / "exported")


@pytest.fixture
def on_edges(edges_db: Loaded, monkeypatch: pytest.MonkeyPatch) -> Loaded:
    monkeypatch.setenv("RETOUR_DB", edges_db.url)
    return edges_db


def import_into(url: str, dataset: Dataset, folder: Path) -> Loaded:
    write_dataset(dataset, folder / "dataset")
    return load(url, folder / "dataset", folder / "exported")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`retour --lang en ARGS...` in this process (errors in English; a command's own --lang
    still chooses its output's): (exit status, stdout, stderr)."""
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


# -- a simulated run, in memory ----------------------------------------------------------------

SIMULATED_YEARS = (2019, 2023)
SIMULATED_EXTRACTED = dt.date(2024, 1, 1)


@pytest.fixture(scope="session")
def simulated() -> Dataset:
    """The nl scenario at a quarter of its volume (about 23,000 cases), seed 11."""
    scenario = build_scenario("nl", scale=0.25)
    return simulate_dataset(scenario, SIMULATED_YEARS, 11, SIMULATED_EXTRACTED).dataset


def history_of(dataset: Dataset) -> History:
    """The dataset's rows in the shape the prospect reads, built without the store."""
    cases = (
        dataset[Table.CASES]
        .sort("case_id")
        .with_row_index("case")
        .select(pl.col("case").cast(pl.UInt32), "case_id", "nationality", "opened_on", "closed_on")
    )
    keys = cases.select("case_id", "case")

    def keyed(table: Table, *columns: str) -> pl.DataFrame:
        return dataset[table].join(keys, on="case_id").select("case", *columns)

    from retour.analysis.conditions import CONDITION_ENUM, STATE_ENUM

    observations = keyed(Table.CONDITIONS, "observed_on", "condition", "state").with_columns(
        pl.col("condition").cast(CONDITION_ENUM), pl.col("state").cast(STATE_ENUM)
    )
    return History(
        cases=cases,
        observations=observations,
        requests=keyed(Table.REQUESTS, "submitted_on", "id_evidence", "alien_cooperates"),
        departures=keyed(Table.DEPARTURES, "departed_on", "type"),
    )


@pytest.fixture(scope="session")
def simulated_history(simulated: Dataset) -> History:
    return history_of(simulated)


def open_inputs(history: History, on: dt.date, limit: int) -> pl.DataFrame:
    """The prospect's inputs of the first ``limit`` cases open on ``on``."""
    at = (
        history.cases.filter(
            (pl.col("opened_on") <= on)
            & (pl.col("closed_on").is_null() | (pl.col("closed_on") > on))
        )
        .select("case", at=pl.lit(on))
        .head(limit)
    )
    return features.covariates(features.known_on(history, on), at).select(features.INPUTS)

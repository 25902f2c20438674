"""Simulations shared by the simulator's tests: each is drawn once per session, small."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from retour.simulate.run import Simulation, simulate_dataset, write_simulation
from retour.simulate.scenario import build_scenario

YEARS = (2019, 2023)
EXTRACTED = dt.date(2024, 1, 1)


def run(scale: float, seed: int, *, confound: bool = False, scenario: str = "nl") -> Simulation:
    spec = build_scenario(scenario, scale=scale, confound=confound)
    return simulate_dataset(spec, YEARS, seed, EXTRACTED)


@pytest.fixture(scope="session")
def small() -> Simulation:
    """nl at a quarter of its volume, 2019-2023."""
    return run(0.25, 11)


@pytest.fixture(scope="session")
def small_folder(small: Simulation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    write_simulation(small, folder)
    return folder


@pytest.fixture(scope="session")
def full() -> Simulation:
    """nl at its full volume, 2019-2023: enough standard-case requests to test the index."""
    return run(1.0, 7)


@pytest.fixture(scope="session")
def confounded() -> Simulation:
    return run(0.5, 5, confound=True)

"""The attacker of tests/disclosure/attacker.py against the real command line, on simulated
data: under ``public`` no row of the assessment, over seven years and two quarters, and no
row of the answer times pins a count of 1-4; under ``internal`` (exact, on purpose) many do,
so the attacker is not blind."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from retour.analysis.answer_times import DAYS_REPORTED, answered_column
from retour.config import load_settings
from retour.service.context import Retour
from retour.service.datasets import import_dataset
from retour.simulate.run import simulate_dataset, write_simulation
from retour.simulate.scenario import build_scenario

from ..conftest import TEST_SECRET
from .attacker import ASSESSMENT_SHARES, EXACT, PERCENT, pinned_rows

pytestmark = pytest.mark.slow

YEARS = ("2017", "2018", "2019", "2020", "2021", "2022", "2023")
QUARTERS = ("2022Q4", "2023Q3")
RATES = (*(answered_column(d) for d in DAYS_REPORTED), "withdrawn_365d")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Seven simulated years of the nl scenario at half its volume, imported once."""
    root = tmp_path_factory.mktemp("estimates")
    simulation = simulate_dataset(
        build_scenario("nl", scale=0.5), (2017, 2023), 3, dt.date(2024, 1, 1)
    )
    write_simulation(simulation, root / "data")
    url = f"sqlite:///{root / 'retour.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RETOUR_SETTINGS", str(root / "settings.toml"))
        patch.setenv("RETOUR_SECRET", TEST_SECRET)
        with Retour(settings=load_settings(db=url, data_dir=root)) as app:
            import_dataset(app, root / "data", today=dt.date(2024, 1, 2))
    yield url, root


def retour(database: tuple[str, Path], *args: str) -> dict[str, Any]:
    url, root = database
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RETOUR_")},
        "RETOUR_SETTINGS": str(root / "settings.toml"),
        "RETOUR_DATA_DIR": str(root),
        "RETOUR_SECRET": TEST_SECRET,
    }
    done = subprocess.run(
        [sys.executable, "-m", "retour", "--db", url, *args, "--format", "json"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def assessed(database: tuple[str, Path], periods: tuple[str, ...], *profile: str) -> list[Any]:
    rows: list[Any] = []
    for period in periods:
        answer = retour(database, "assess", "--period", period, *profile)
        rows += answer["rows"]
    return rows


def test_no_public_assessment_row_pins_a_small_count(database: tuple[str, Path]) -> None:
    years, quarters = assessed(database, YEARS), assessed(database, QUARTERS)
    assert len(years) > 300 and len(quarters) > 150
    for rows, part in ((years, 0.5), (quarters, 0.3)):
        indexed = [r for r in rows if r["index"] is not None]
        shown = [r for r in indexed if r["naive_positive_share"] is not None]
        assert len(shown) > part * len(indexed), "shares are still published where they can be"
        assert all(r["n_requests"] % 10 == 0 for r in rows)
        for tolerance in (EXACT, PERCENT):  # as JSON numbers, and as whole percentages
            hits = pinned_rows(rows, tolerance=tolerance)
            assert hits == [], hits[:3]


def test_the_attacker_finds_small_counts_in_exact_figures(database: tuple[str, Path]) -> None:
    rows = assessed(database, YEARS[-1:], "--profile", "internal")
    # the internal figures are exact: read with their own exact numbers of requests
    hits = pinned_rows(rows, shares=ASSESSMENT_SHARES, round_to=1)
    assert len(hits) > len(rows) / 10


def test_no_public_answer_time_pins_a_small_count(database: tuple[str, Path]) -> None:
    rows = retour(database, "answer-times")["rows"]
    assert len(rows) > 300
    assert any(r["answered_90d"] is not None for r in rows)
    assert pinned_rows(rows, shares=RATES) == []
    assert pinned_rows(rows, shares=RATES, tolerance=PERCENT) == []


def test_public_effects_round_their_requests_and_points(database: tuple[str, Path]) -> None:
    rows = retour(database, "effects")["rows"]
    assert rows
    for row in rows:
        for count in ("n_before", "n_after"):
            assert row[count] is None or row[count] % 10 == 0, row
        for points in ("effect", "lower", "upper", "index_before", "index_after"):
            assert row[points] is None or float(row[points]).is_integer(), row
        for quarter in row.get("event_study") or []:  # the quarters as the effect itself
            for points in ("effect", "lower", "upper"):
                assert quarter[points] is None or float(quarter[points]).is_integer(), quarter
            for logit in ("effect_logit", "lower_logit", "upper_logit"):
                assert quarter[logit] is None or round(quarter[logit], 2) == quarter[logit]

"""The attacker of tests/disclosure/attacker.py against the real command line, on simulated
data: under ``public`` no row of the assessment, over seven years and two quarters, and no
row of the answer times pins a count of 1-4; under ``internal`` (exact, on purpose) many do,
so the attacker is not blind."""

from __future__ import annotations

import datetime as dt
import json
import math
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


def table_of(database: tuple[str, Path], *args: str) -> str:
    """A command's table as piped at COLUMNS=80."""
    url, root = database
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RETOUR_")},
        "RETOUR_SETTINGS": str(root / "settings.toml"),
        "RETOUR_DATA_DIR": str(root),
        "RETOUR_SECRET": TEST_SECRET,
        "COLUMNS": "80",
    }
    done = subprocess.run(
        [sys.executable, "-m", "retour", "--db", url, *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


CHECK = ("check", "check_lower", "check_upper")


def _on(points: float, steps: int) -> bool:
    """Whether ``points`` is a grid share j / steps in whole points (half up)."""
    return any(math.floor(100 * j / steps + 0.5) == points for j in range(steps + 1))


def test_the_public_check_is_no_more_exact_than_the_index(database: tuple[str, Path]) -> None:
    periods = YEARS[-4:-1]
    public = {(r["country"], r["period"]): r for r in assessed(database, periods)}
    internal = {
        (r["country"], r["period"]): r for r in assessed(database, periods, "--profile", "internal")
    }
    shown = [r for r in public.values() if r["check"] is not None]
    assert len(shown) >= 10, "the check is published where the standard cases allow it"
    exact = [internal[key] for key in public if internal[key]["check"] is not None]
    assert any(not float(r["check"]).is_integer() for r in exact), "internal is exact"
    assert len(exact) > len(shown), "some checks are withheld under public"
    for key, row in public.items():
        mine = internal[key]
        if row["check"] is None:  # withheld: its interval and the comparison with it too
            assert row["check_lower"] is None and row["check_upper"] is None, row
            assert row["disagrees"] is None, row
            continue
        assert all(row[c] is None or float(row[c]).is_integer() for c in CHECK), row
        steps = [m for m in range(1, 1 + row["n_requests"] // 10) if _on(row["check"], m)]
        assert steps, ("on the grid of some rounded number of standard cases", row)
        if row["check_lower"] is not None:  # outwards: holds the exact interval
            assert row["check_lower"] <= mine["check_lower"] + 1e-9, (row, mine)
            assert row["check_upper"] >= mine["check_upper"] - 1e-9, (row, mine)
        if row["index"] is None:
            assert row["disagrees"] is None
        else:
            assert row["disagrees"] == mine["disagrees"]


@pytest.mark.parametrize(
    ("lang", "headers", "yes_no"),
    [
        (
            "nl",
            ["Controle (alleen de gegevens)", "Interval van de controle", "Wijkt af"],
            {"ja", "nee"},
        ),
        ("en", ["Check (data alone)", "Check interval", "Disagrees"], {"yes", "no"}),
    ],
)
def test_the_check_in_the_table_in_both_languages(
    database: tuple[str, Path], lang: str, headers: list[str], yes_no: set[str]
) -> None:
    table = table_of(database, "assess", "--period", "2021", "--lang", lang)
    lines = table.splitlines()
    (at,) = [i for i, line in enumerate(lines) if "┃" in line]
    names = [h.strip() for h in lines[at].split("┃")]
    assert set(headers) <= set(names)
    other = {"ja", "nee"} if lang == "en" else {"yes", "no"}
    said = {line.split("│")[names.index(headers[2])].strip() for line in lines if "│" in line} - {
        ""
    }
    assert said and said <= yes_no and not said & other, said
    checks = [line.split("│")[names.index(headers[0])].strip() for line in lines if "│" in line]
    assert any(c.isdigit() for c in checks)

"""The hard world (`--world hard`): its features are in the data, its truth is exact and is
what the requests show, and the same seed gives the same bytes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from retour.domain.codes import Outcome, RequestReason, Table
from retour.service.simulation import simulate
from retour.simulate.hard import (
    HardWorld,
    Reaction,
    answered_in_time,
    draw_delay,
    draw_wait,
    observed_worst_quarter_ends,
)
from retour.simulate.run import Simulation, simulate_dataset
from retour.simulate.scenario import build_scenario

from .conftest import EXTRACTED, YEARS
from .estimate import cumulative_incidence, standard_requests

MIN_REQUESTS = 10


@pytest.fixture(scope="module")
def hard() -> Simulation:
    """eu at a tenth of its volume (about twice nl), 2019-2023, the hard world."""
    return simulate_dataset(build_scenario("eu", scale=0.1, world="hard"), YEARS, 5, EXTRACTED)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_and_not_the_easy_world(tmp_path: Path) -> None:
    args = ("nl", (2021, 2023), 21)
    simulate(*args, tmp_path / "a", scale=0.05, world="hard")
    simulate(*args, tmp_path / "b", scale=0.05, world="hard")
    simulate(*args, tmp_path / "easy", scale=0.05)
    a, b, easy = (_files(tmp_path / x) for x in ("a", "b", "easy"))
    assert a == b
    assert a["requests.csv"] != easy["requests.csv"]
    truth = json.loads(a["truth.json"])
    assert truth["options"]["world"] == "hard" and "hard_world" in truth["model"]
    assert json.loads(easy["truth.json"])["options"]["world"] == "easy"


def test_cli_writes_the_hard_world_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "retour", "simulate", "--scenario", "nl", "--years",
            "2022-2023", "--scale", "0.05"]  # fmt: skip
    done = subprocess.run([*base, "--out", str(tmp_path / "h"), "--world", "hard"],
                          check=False, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    truth = json.loads((tmp_path / "h" / "truth.json").read_text(encoding="utf-8"))
    assert truth["options"]["world"] == "hard"
    bad = subprocess.run([*base, "--out", str(tmp_path / "x"), "--world", "harder"],
                         check=False, capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 2
    assert "unknown world 'harder'" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "x" / "requests.csv").exists()


def test_exact_answer_probability_matches_a_monte_carlo_of_the_draws() -> None:
    """The truth's formula against the draws the chain makes (10^6 requests)."""
    hw, rng = HardWorld(), np.random.default_rng(3)
    for median, never in ((20.0, 0.03), (60.0, 0.15), (160.0, 0.5)):
        n = 1_000_000
        log_median = np.full(n, np.log(median))
        day = np.ceil(draw_delay(hw, log_median, rng))
        wait = draw_wait(hw, n, rng)
        answered = (rng.random(n) >= never) & (day <= wait) & (day <= hw.horizon_days)
        exact = float(answered_in_time(hw, np.array(np.log(median)), np.array(never)))
        assert answered.mean() == pytest.approx(exact, abs=0.002), median


def test_the_hard_features_are_in_the_data(hard: Simulation) -> None:
    requests = hard.dataset[Table.REQUESTS]
    truth = hard.truth
    agreement = {c for c, v in truth["countries"].items() if v["readmission_agreement_from"]}
    kinds = requests.group_by("country").agg(
        (pl.col("kind") == "TO").mean().alias("to"), pl.len().alias("n")
    )
    to_countries = set(kinds.filter(pl.col("to") > 0)["country"])
    assert to_countries and to_countries <= agreement  # T&O only where an agreement exists
    mixed = kinds.filter((pl.col("to") > 0.2) & (pl.col("to") < 0.95) & (pl.col("n") > 100))
    assert mixed.height >= 5  # countries that get both kinds
    answered = requests.filter(pl.col("outcome").is_in([Outcome.POSITIVE, Outcome.NEGATIVE]))
    days = answered.with_columns(d=(pl.col("outcome_on") - pl.col("submitted_on")).dt.total_days())
    median = days.group_by("kind").agg(pl.col("d").median()).sort("kind")["d"].to_list()
    assert median[1] < median[0] / 2  # T&O answered much faster than LP
    # a heavy tail, even cut short by the withdrawals (log-normal with sd 0.7: about 5x)
    assert days["d"].quantile(0.99) > 7 * days["d"].median()
    withdrawn = requests.filter(pl.col("reason") == RequestReason.NO_RESPONSE.value)
    waited = (withdrawn["outcome_on"] - withdrawn["submitted_on"]).dt.total_days()
    assert waited.min() >= 30 and (waited < 180).mean() > 0.3  # competing from day 30
    instruments = truth["instruments"].values()
    assert sum(1 for i in instruments if i["reactive"]) == 6
    assert sum(1 for i in instruments if i["delay_days"] >= 182) >= 2
    real = [i for i in instruments if i["effect_logit"] and not i["placebo"]]
    assert {i["start_on"][5:] for i in real} - {"01-01"}  # not all on 1 January
    for i in instruments:
        if i["reactive"]:  # the day after a quarter
            assert i["start_on"][5:] in {"01-01", "04-01", "07-01", "10-01"}


def _quarter_rates(requests: pl.DataFrame) -> pl.DataFrame:
    """Per country and quarter (its first day): requests and the share answered positive
    within 90 days, read from the rows as a desk would."""
    positive = (pl.col("outcome") == Outcome.POSITIVE.value) & (
        (pl.col("outcome_on") - pl.col("submitted_on")).dt.total_days() <= 90
    )
    return (
        requests.with_columns(quarter=pl.col("submitted_on").dt.truncate("1q"))
        .group_by("country", "quarter")
        .agg(pl.len().alias("n"), positive.mean().alias("rate"))
    )


def test_reactive_placebos_follow_the_worst_quarter_the_requests_show(hard: Simulation) -> None:
    rates = _quarter_rates(hard.dataset[Table.REQUESTS])
    reactive = [i for i in hard.truth["instruments"].values() if i["reactive"]]
    assert len(reactive) == 6
    checked = 0
    for i in reactive:
        start = dt.date.fromisoformat(i["start_on"])
        own = rates.filter(
            (pl.col("country") == i["country"])
            & pl.col("quarter").is_between(dt.date(2020, 1, 1), dt.date(2023, 1, 1))
            & (pl.col("n") >= 10)
        )
        if own.is_empty():  # no quarter a desk would read: the latent worst quarter
            continue
        checked += 1
        worst = own.sort("rate", "quarter").row(0, named=True)
        before = own.filter(pl.col("quarter") < start).sort("quarter").row(-1, named=True)
        assert before == worst, i  # the quarter just before the start is the worst one
        assert start.day == 1 and start.month in (1, 4, 7, 10)
    assert checked >= 3


def test_reactive_placebos_can_follow_the_latent_worst_quarter_instead() -> None:
    """reactive_to latent: the unseen cooperation's worst quarter; the same seed gives
    the same starts, and the observed rule moves at least one of them."""
    base = build_scenario("eu", scale=0.03, world="hard")
    latent = replace(base, hard=replace(base.hard, reactive_to=Reaction.LATENT))
    runs = [simulate_dataset(s, YEARS, 7, EXTRACTED).truth for s in (latent, latent, base)]
    starts = [{k: v["start_on"] for k, v in t["instruments"].items() if v["reactive"]}
              for t in runs]  # fmt: skip
    assert starts[0] == starts[1] and len(starts[0]) == 6
    assert sorted(starts[0].values()) != sorted(starts[2].values())
    for i in runs[0]["instruments"].values():
        if not i["reactive"]:
            continue
        start = dt.date.fromisoformat(i["start_on"])
        before = f"{(start - dt.timedelta(days=1)).year}Q{(start.month - 2) % 12 // 3 + 1}"
        latent_z = {k: v["latent_cooperation"]
                    for k, v in runs[0]["index"][i["country"]].items() if "Q" in k}  # fmt: skip
        assert latent_z[before] <= np.percentile(list(latent_z.values()), 15)


def test_the_observed_worst_quarter_by_hand() -> None:
    """Two countries, three quarters of 2020: rates 1/2 (too few requests), 1/10, 3/10 for
    row 0 and 5/10, 4/10, 2/10 for row 1; row 2 has no requests, so no figure to react to."""
    origin = dt.date(2020, 1, 1)
    q = [0, 91, 182]  # a day in each quarter
    country, submitted, positive = [], [], []
    for row, counts in ((0, [(2, 1), (10, 1), (10, 3)]), (1, [(10, 5), (10, 4), (10, 2)])):
        for day, (n, hits) in zip(q, counts, strict=True):
            country += [row] * n
            submitted += [day] * n
            positive += [True] * hits + [False] * (n - hits)
    ends = observed_worst_quarter_ends(
        np.array(country), np.array(submitted), np.array(positive), origin,
        (dt.date(2020, 1, 1), dt.date(2020, 10, 1)), np.array([0, 1, 2]), 10,
    )  # fmt: skip
    assert ends == {0: dt.date(2020, 7, 1), 1: dt.date(2020, 10, 1)}


@pytest.mark.parametrize("kind", ["all", "LP", "TO"])
def test_truth_is_what_the_standard_case_requests_show(hard: Simulation, kind: str) -> None:
    """Aalen-Johansen on the standard-case requests alone (positive answers the event;
    negatives and withdrawals for want of an answer competing; the case's own withdrawals
    and pending requests censored), per country and year, against truth.json."""
    requests = standard_requests(hard.dataset[Table.REQUESTS], EXTRACTED)
    requests = requests.filter(pl.col("year").is_between(*YEARS))
    key = "index" if kind == "all" else f"index_{kind}"
    if kind != "all":
        requests = requests.filter(pl.col("kind") == kind)
    index = hard.truth["index"]
    z = []
    for (country, _year), cell in requests.group_by(["country", "year"], maintain_order=True):
        estimate = cumulative_incidence(cell["time"].to_numpy(), cell["status"].to_numpy())
        if estimate.n < MIN_REQUESTS:
            continue
        truth = np.mean([index[country][q][key] for q in cell["quarter"]]) / 100
        z.append(estimate.z(float(np.clip(truth, 0.001, 0.999))))
    scores = np.array(z)
    assert scores.size >= (60 if kind != "TO" else 8)
    assert abs(scores.sum() / np.sqrt(scores.size)) < 3.5  # pooled: no bias
    assert np.mean(scores**2) < 1.6  # no systematic misfit

"""truth.json is right and consistent: the index it states is what the requests show; the
instruments' effects are as stated (placebos zero); the confounding option misleads the
naive share and not a case-mix-adjusted estimate."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from scipy.stats import chi2

from retour.domain.codes import Table
from retour.simulate.run import simulate_dataset
from retour.simulate.scenario import CONFOUND_PAIRS, build_scenario
from retour.simulate.truth import truth_json

from .conftest import EXTRACTED, YEARS
from .estimate import cumulative_incidence, standard_requests

MIN_REQUESTS = 10


def index_z_scores(sim, shift: float = 0.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Per country and year with enough standard-case requests: (estimate - truth) / se."""
    requests = standard_requests(sim.dataset[Table.REQUESTS], EXTRACTED)
    requests = requests.filter(pl.col("year").is_between(*YEARS))
    index = sim.truth["index"]
    scores = []
    for (country, _year), cell in requests.group_by(["country", "year"], maintain_order=True):
        estimate = cumulative_incidence(cell["time"].to_numpy(), cell["status"].to_numpy())
        if estimate.n < MIN_REQUESTS:
            continue
        # the truth of each request's quarter, averaged over the cell's requests
        truth = np.mean([index[country][q]["index"] for q in cell["quarter"]]) / 100 + shift
        scores.append(estimate.z(float(np.clip(truth, 0.001, 0.999))))
    return np.array(scores)


def test_index_recomputed_from_the_requests_matches_truth(full) -> None:  # type: ignore[no-untyped-def]
    z = index_z_scores(full)
    assert z.size >= 80  # country-years with enough standard-case requests
    assert abs(z.sum() / np.sqrt(z.size)) < 3.5  # pooled: no bias
    assert chi2.sf(float((z**2).sum()), z.size) > 1e-3  # no cell far off
    # the same test has real power: a truth 5 index points off is caught either way
    for shift in (0.05, -0.05):
        off = index_z_scores(full, shift)
        assert abs(off.sum() / np.sqrt(off.size)) > 4


def test_estimator_agrees_with_lifelines(full) -> None:  # type: ignore[no-untyped-def]
    lifelines = pytest.importorskip("lifelines")
    requests = standard_requests(full.dataset[Table.REQUESTS], EXTRACTED)
    cell = requests.filter(pl.col("country") == "TR")
    time, status = cell["time"].to_numpy(), cell["status"].to_numpy()
    # distinct times, answers before censorings on a day: the convention of our estimator
    order = np.lexsort((status == 0, time))
    distinct = np.empty(time.size)
    distinct[order] = time[order] + np.arange(time.size) * 1e-6
    fitter = lifelines.AalenJohansenFitter(calculate_variance=False)
    fitter.fit(distinct, status, event_of_interest=1)
    curve = fitter.cumulative_density_
    theirs = float(curve[curve.index <= 90.5].iloc[-1, 0])
    assert cumulative_incidence(time, status).index == pytest.approx(theirs, abs=1e-9)


def test_periods_are_consistent(small) -> None:  # type: ignore[no-untyped-def]
    for country, periods in small.truth["index"].items():
        for year in range(YEARS[0], YEARS[1] + 1):
            cell = periods[str(year)]
            quarters = [periods[f"{year}Q{q}"] for q in range(1, 5)]
            if cell["index"] is None:
                assert all(q["index"] is None for q in quarters), country
                continue
            if cell["possible_share"] < 1:
                continue
            days = [90 + (year % 4 == 0), 91, 92, 92]
            mean = sum(q["index"] * d for q, d in zip(quarters, days, strict=True)) / sum(days)
            assert cell["index"] == pytest.approx(mean, abs=1e-4)
            assert cell["error"] == 0.0
            assert 0 <= cell["index"] <= 100
            assert cell["index"] <= 100 * cell["answered_within_90_days"] + 1e-6


def test_truth_json_is_deterministic_text(small) -> None:  # type: ignore[no-untyped-def]
    text = truth_json(small.truth)
    assert text == truth_json(small.truth)
    assert '"format": "retour-truth/1"' in text
    assert "NaN" not in text and "Infinity" not in text


def test_placebos_have_no_effect_and_real_instruments_do(small) -> None:  # type: ignore[no-untyped-def]
    instruments = small.truth["instruments"]
    placebos = [i for i in instruments.values() if i["placebo"]]
    assert len(placebos) == 3
    for p in placebos:
        assert p["effect_logit"] == 0.0 and p["effect_index_points"] == 0.0
        assert all(v == 0.0 for v in p["by_year"].values())
        assert p["in_dataset"]
    listed = set(small.dataset[Table.INSTRUMENTS]["instrument_id"])
    assert {k for k, v in instruments.items() if v["in_dataset"]} == listed
    gambia = next(i for i in instruments.values()
                  if i["country"] == "GM" and i["kind"] == "visa_measure")  # fmt: skip
    assert gambia["start_on"] == "2021-10-07" and gambia["effect_index_points"] > 5
    mongolia = next(i for i in instruments.values() if i["country"] == "MN")
    assert mongolia["start_on"] == "2024-01-09" and not mongolia["in_dataset"]
    named = {(i["country"], i["kind"]) for i in instruments.values()}
    assert {("MA", "partnership"), ("NG", "partnership"), ("AF", "working_arrangement"),
            ("BD", "visa_measure"), ("ET", "visa_measure"), ("IQ", "visa_measure"),
            ("SN", "visa_measure")} <= named  # fmt: skip


def test_mongolia_agreement_turns_requests_into_readmission_requests() -> None:
    spec = build_scenario("nl", scale=0.5, placebos=0)
    sim = simulate_dataset(spec, (2023, 2024), 2, dt.date(2025, 1, 1))
    requests = sim.dataset[Table.REQUESTS].filter(pl.col("country") == "MN")
    before = requests.filter(pl.col("submitted_on") < dt.date(2024, 1, 9))
    after = requests.filter(pl.col("submitted_on") >= dt.date(2024, 1, 9))
    assert set(before["kind"]) == {"LP"} and set(after["kind"]) == {"TO"}
    effect = next(i for i in sim.truth["instruments"].values() if i["country"] == "MN")
    assert effect["in_dataset"] and effect["effect_index_points"] > 0


def _adjusted_country_effects(requests: pl.DataFrame) -> dict[str, float]:
    """Logistic regression of positive among answers on country, evidence, cooperation, kind."""
    answered = requests.filter(pl.col("outcome").is_in(["positive", "negative"]))
    countries = sorted(set(answered["country"]))
    design = (
        pl.concat(
            [
                answered.select((pl.col("country") == c).alias(c) for c in countries),
                answered.select(
                    (pl.col("id_evidence") == "indirect").alias("indirect"),
                    (pl.col("id_evidence") == "none").alias("none"),
                    (pl.col("alien_cooperates") == "no").alias("no"),
                    (pl.col("alien_cooperates") == "unknown").alias("unknown"),
                    (pl.col("kind") == "TO").alias("to"),
                ),
            ],
            how="horizontal",
        )
        .to_numpy()
        .astype(float)
    )
    y = (answered["outcome"] == "positive").to_numpy().astype(float)
    beta = np.zeros(design.shape[1])
    for _ in range(12):  # Newton steps, with a little ridge for sparse countries
        p = 1 / (1 + np.exp(-design @ beta))
        gradient = design.T @ (y - p) - 1e-3 * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + 1e-3 * np.eye(beta.size)
        beta += np.linalg.solve(hessian, gradient)
    return dict(zip(countries, beta[: len(countries)], strict=True))


def _naive(requests: pl.DataFrame) -> dict[str, float]:
    decided = requests.filter(pl.col("outcome") != "pending")
    share = decided.group_by("country").agg((pl.col("outcome") == "positive").mean())
    return dict(share.iter_rows())


def test_confounding_misranks_the_naive_share_not_the_index(confounded, small) -> None:  # type: ignore[no-untyped-def]
    assert [tuple(p.values()) for p in confounded.truth["confounded"]] == list(CONFOUND_PAIRS)
    requests = confounded.dataset[Table.REQUESTS]
    naive, adjusted = _naive(requests), _adjusted_country_effects(requests)
    plain = _naive(small.dataset[Table.REQUESTS])
    for good, bad in CONFOUND_PAIRS:
        truth_good = confounded.truth["index"][good]["2021"]["index"]
        truth_bad = confounded.truth["index"][bad]["2021"]["index"]
        assert truth_good > truth_bad + 20
        assert naive[good] < naive[bad], (good, bad)  # the raw share misleads
        assert adjusted[good] > adjusted[bad] + 0.3, (good, bad)  # the adjusted one does not
        assert plain[good] > plain[bad]  # without the option the raw share agrees

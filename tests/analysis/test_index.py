"""The cooperation index on synthetic requests with a known truth."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from scipy.special import logit
from scipy.stats import spearmanr

from retour.analysis.index import Status, Trend, assess
from retour.analysis.periods import Granularity
from retour.domain.codes import Outcome, RequestKind

from .synthetic import Country, Synthetic, generate

YEARS = (2021, 2022, 2023)
AS_OF = dt.date(2024, 1, 1)
HIDDEN = (0.05, 0.15, 0.80)  # nationals who bring no documents
OPEN = (0.85, 0.10, 0.05)  # nationals who bring documents


def _countries() -> list[Country]:
    # z, median days, never answers, requests a year, evidence mix: the confounded pairs
    # (good cooperation but hidden identities, poor cooperation but documents) make the
    # naive share rank them the wrong way round.
    specs = [
        ("AA", 2.4, 20, 0.03, 400, HIDDEN),
        ("BB", 0.3, 30, 0.05, 400, OPEN),
        ("CC", 1.6, 35, 0.07, 300, OPEN),
        ("DD", 0.9, 60, 0.15, 250, HIDDEN),
        ("EE", 0.2, 100, 0.3, 300, (0.4, 0.3, 0.3)),
        ("FF", 1.2, 45, 0.1, 200, (0.4, 0.3, 0.3)),
        ("GG", -0.2, 120, 0.4, 150, (0.4, 0.3, 0.3)),
        ("HH", 2.0, 25, 0.05, 120, (0.4, 0.3, 0.3)),
        ("II", 0.5, 80, 0.2, 500, OPEN),
        ("JJ", 1.8, 30, 0.05, 90, HIDDEN),
    ]
    return [Country(c, z, m, nv, n, ev) for c, z, m, nv, n, ev in specs]


@pytest.fixture(scope="module")
def synthetic() -> Synthetic:
    return generate(_countries(), YEARS, AS_OF, seed=3)


@pytest.fixture(scope="module")
def yearly(synthetic: Synthetic) -> pl.DataFrame:
    result = assess(synthetic.requests, AS_OF, Granularity.YEAR)
    return result.table.join(synthetic.truth(), on=["country", "period"])


def test_index_is_close_to_the_truth_where_the_naive_share_is_not(yearly: pl.DataFrame) -> None:
    estimate, truth = yearly["estimate"].to_numpy(), yearly["truth"].to_numpy()
    naive = yearly["naive_positive_share"].to_numpy() * 100
    assert np.mean(np.abs(estimate - truth)) <= 5.0
    assert spearmanr(estimate, truth)[0] >= 0.9
    covered = (yearly["estimate_lower"] <= yearly["truth"]) & (
        yearly["truth"] <= yearly["estimate_upper"]
    )
    assert covered.mean() >= 0.8
    assert np.mean(np.abs(naive - truth)) > 15.0
    # the confounded pair: AA cooperates far better than BB, the raw shares say otherwise
    y2023 = yearly.filter(pl.col("period") == "2023")
    value = dict(zip(y2023["country"], y2023["estimate"], strict=True))
    raw = dict(zip(y2023["country"], y2023["naive_positive_share"], strict=True))
    assert value["AA"] > value["BB"] + 30
    assert raw["AA"] < raw["BB"]


def test_table_has_the_contract_columns(yearly: pl.DataFrame) -> None:
    for column in (
        "country", "period", "kind", "n_requests", "index", "lower", "upper",
        "answer_rate_90d", "median_days_to_answer", "confirmation_observed",
        "confirmation_expected", "naive_positive_share", "document_within_30d", "trend",
    ):  # fmt: skip
        assert column in yearly.columns
    assert set(yearly["kind"]) == {"all"}
    ok = yearly.filter(pl.col("status") == Status.OK)
    assert (ok["lower"] <= ok["index"]).all() and (ok["index"] <= ok["upper"]).all()
    assert ((ok["index"] >= 0) & (ok["index"] <= 100)).all()


def test_case_mix_explains_the_observed_confirmation(yearly: pl.DataFrame) -> None:
    """Hidden identities: low confirmation observed, and low expected for that case mix."""
    aa = yearly.filter((pl.col("country") == "AA") & (pl.col("period") == "2022")).row(
        0, named=True
    )
    bb = yearly.filter((pl.col("country") == "BB") & (pl.col("period") == "2022")).row(
        0, named=True
    )
    assert aa["confirmation_expected"] < bb["confirmation_expected"]
    assert aa["confirmation_observed"] > aa["confirmation_expected"]
    assert bb["confirmation_observed"] < bb["confirmation_expected"]


def test_pending_requests_are_censored_not_dropped() -> None:
    """An early extraction leaves the last months pending. Dropping pending requests would
    keep only the quick answers (mostly positive) and bias the index upwards; counting them
    as failures would bias it downwards. Censored, the estimate stays near the truth."""
    countries = _countries()
    as_of = dt.date(2023, 11, 15)
    data = generate(countries, (2023,), as_of, seed=9)
    truth = data.truth().filter(pl.col("period") == "2023")
    pending = pl.col("outcome") == Outcome.PENDING.value
    assert data.requests.filter(pending).height > 0.15 * data.requests.height

    def mean_error(requests: pl.DataFrame) -> float:
        table = assess(requests, as_of, Granularity.YEAR).table.join(
            truth, on=["country", "period"]
        )
        return float((table["estimate"] - table["truth"]).mean())  # type: ignore[operator]

    honest = mean_error(data.requests)
    dropped = mean_error(data.requests.filter(~pending))
    assert abs(honest) < 3.0
    assert dropped > honest + 3.0


def test_too_little_data_instead_of_a_number() -> None:
    countries = [*_countries()[:6], Country("ZZ", 1.0, 50, 0.1, 4)]
    data = generate(countries, YEARS, AS_OF, seed=4)
    table = assess(data.requests, AS_OF, Granularity.YEAR).table
    small = table.filter(pl.col("country") == "ZZ")
    assert (small["status"] == Status.TOO_LITTLE_DATA).all()
    assert small["index"].is_null().all() and small["lower"].is_null().all()
    assert small["estimate"].is_not_null().all()  # kept for the band in charts


def test_a_small_country_is_shrunk_towards_the_average_with_a_wide_interval() -> None:
    """A dozen requests a year, all answered positively within days: the raw figures say
    100; the estimate stays below that, towards the other countries, and says how unsure it
    is."""
    countries = [*_countries(), Country("SS", 6.0, 10, 0.0, 12, OPEN)]
    data = generate(countries, YEARS, AS_OF, seed=5)
    table = assess(data.requests, AS_OF, Granularity.YEAR).table
    small = table.filter((pl.col("country") == "SS") & (pl.col("period") != "2024"))
    large = table.filter((pl.col("country") == "II") & (pl.col("period") != "2024"))
    truth = countries[-1].index(2022)
    assert (logit(small["estimate"].to_numpy() / 100) < logit(truth / 100) - 0.5).all()

    def width(rows: pl.DataFrame) -> float:  # on the logit scale, where shrinkage works
        upper, lower = rows["estimate_upper"].to_numpy(), rows["estimate_lower"].to_numpy()
        return float(np.mean(logit(upper / 100) - logit(lower / 100)))

    assert width(small) > 1.5 * width(large)


def test_a_clear_rise_is_an_upward_trend() -> None:
    """Countries drift a little from year to year; one rises sharply in 2023."""
    rng = np.random.default_rng(12)
    countries = [
        replace(c, z_by_year={y: c.z + float(rng.normal(0, 0.3)) for y in YEARS})
        for c in _countries()
    ]
    countries[8] = Country("II", 0.5, 80, 0.2, 500, OPEN, z_by_year={2023: 2.5})
    data = generate(countries, YEARS, AS_OF, seed=6)
    table = assess(data.requests, AS_OF, Granularity.YEAR).table
    rising = table.filter((pl.col("country") == "II") & (pl.col("period") == "2023"))
    assert rising["trend"].item() == Trend.UP
    assert rising["change"].item() > 8  # truth: 15 points
    first = table.filter(pl.col("period") == "2021")
    assert first["trend"].is_null().all()  # nothing to compare with
    trends = table.filter(pl.col("period") == "2022")["trend"].to_list()
    assert trends.count(Trend.UP) + trends.count(Trend.DOWN) <= 3


def test_quarters_and_kinds(synthetic: Synthetic) -> None:
    quarterly = assess(synthetic.requests, AS_OF, Granularity.QUARTER)
    assert set(quarterly.table["period"]) >= {"2021Q1", "2023Q4"}
    assert quarterly.table["ordinal"].n_unique() == 13  # 2021Q1 .. 2024Q1 (the extraction)
    lp = assess(synthetic.requests, AS_OF, Granularity.YEAR, kind=RequestKind.LP)
    assert set(lp.table["kind"]) == {"LP"}
    to = assess(synthetic.requests, AS_OF, Granularity.YEAR, kind=RequestKind.TO)
    assert to.table.is_empty()


def test_same_data_same_numbers(synthetic: Synthetic) -> None:
    first = assess(synthetic.requests, AS_OF, Granularity.YEAR).table
    second = assess(synthetic.requests.sample(fraction=1.0, shuffle=True, seed=1), AS_OF,
                    Granularity.YEAR).table  # fmt: skip
    np.testing.assert_allclose(
        first["estimate"].to_numpy(), second["estimate"].to_numpy(), rtol=1e-9
    )

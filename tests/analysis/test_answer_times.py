"""Answer times per country, kind and period: Aalen-Johansen by day 30 ... 365."""

from __future__ import annotations

import datetime as dt
import itertools
import warnings

import numpy as np
import polars as pl
import pytest
from lifelines import AalenJohansenFitter

from retour.analysis.answer_times import DAYS_REPORTED, answer_curves, answer_times
from retour.analysis.periods import Granularity

from .synthetic import Country, generate

AS_OF = dt.date(2024, 3, 1)


@pytest.fixture(scope="module")
def requests() -> pl.DataFrame:
    countries = [Country("AA", 1.0, 30, 0.1, 300), Country("BB", 0.0, 120, 0.4, 200)]
    return generate(countries, (2022, 2023), AS_OF, seed=2).requests


def test_table_per_country_kind_and_period(requests: pl.DataFrame) -> None:
    table = answer_times(requests, AS_OF, Granularity.YEAR).table
    assert set(table["kind"]) == {"LP", "all"}
    assert set(table["period"]) == {"2022", "2023"}
    row = table.filter(
        (pl.col("country") == "AA") & (pl.col("period") == "2022") & (pl.col("kind") == "all")
    )
    values = [row[f"answered_{d}d"].item() for d in DAYS_REPORTED]
    assert all(b >= a for a, b in itertools.pairwise(values))
    assert row["median_days_to_answer"].item() == pytest.approx(30, abs=8)
    slow = table.filter(
        (pl.col("country") == "BB") & (pl.col("period") == "2022") & (pl.col("kind") == "all")
    )
    assert slow["median_days_to_answer"].item() is None or slow["median_days_to_answer"].item() > 90
    # requests of 2023Q4 have at most five months of follow-up: later days are not known yet
    quarters = answer_times(requests, AS_OF, Granularity.QUARTER).table
    recent = quarters.filter((pl.col("period") == "2023Q4") & (pl.col("kind") == "all"))
    assert recent["answered_90d"].is_not_null().all()
    assert recent["answered_180d"].is_null().all()
    assert recent["answered_365d"].is_null().all()


def test_each_figure_equals_lifelines(requests: pl.DataFrame) -> None:
    table = answer_times(requests, AS_OF, Granularity.YEAR).table
    sub = requests.filter(
        (pl.col("country") == "BB") & (pl.col("submitted_on").dt.year() == 2023)
    ).with_columns(
        pl.when(pl.col("outcome") == "pending")
        .then(pl.lit(AS_OF))
        .otherwise(pl.col("outcome_on"))
        .sub(pl.col("submitted_on"))
        .dt.total_days()
        .alias("t"),
        pl.col("outcome")
        .replace_strict({"pending": 0, "positive": 1, "negative": 1, "withdrawn": 2})
        .alias("e"),
    )
    # lifelines jitters events of different causes at one time; placing withdrawals a
    # quarter day and censorings half a day after the answers of their day gives it the
    # same risk sets without ties, and the same estimate from there on
    shift = pl.col("e").replace_strict({0: 0.5, 1: 0.0, 2: 0.25}, return_dtype=pl.Float64)
    sub = sub.with_columns((pl.col("t") + shift).alias("t"))
    fitter = AalenJohansenFitter(calculate_variance=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitter.fit(sub["t"].to_numpy(), sub["e"].to_numpy(), event_of_interest=1)
    want = fitter.predict([d + 0.75 for d in DAYS_REPORTED])
    row = table.filter(
        (pl.col("country") == "BB") & (pl.col("period") == "2023") & (pl.col("kind") == "LP")
    )
    got = [row[f"answered_{d}d"].item() for d in DAYS_REPORTED]
    for g, w in zip(got, np.asarray(want), strict=True):
        if g is not None:
            assert g == pytest.approx(w, abs=1e-9)


def test_curves_of_one_country(requests: pl.DataFrame) -> None:
    curves = answer_curves(requests, AS_OF, Granularity.YEAR, "AA")
    first = curves.filter((pl.col("period") == "2022") & (pl.col("kind") == "all"))
    assert first["day"][0] == 0.0 and first["answered"][0] == 0.0
    assert first["answered"].is_sorted()
    assert answer_curves(requests, AS_OF, Granularity.YEAR, "ZZ").is_empty()

"""Kind `all` is the kind-share-weighted average of the per-kind indices, and its interval
is theirs combined on the probability scale (delta method, independent fits)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from scipy.special import logit

from retour.analysis.index import assess
from retour.analysis.periods import Granularity
from retour.domain.codes import RequestKind, Table
from retour.simulate.run import simulate_dataset
from retour.simulate.scenario import build_scenario

EXTRACTED = dt.date(2024, 1, 1)
KEY = ["country", "period"]


@pytest.fixture(scope="module")
def requests() -> pl.DataFrame:
    """The hard world (T&O for a share of an agreement country's requests), small."""
    spec = build_scenario("eu", scale=0.05, world="hard", placebos=0)
    return simulate_dataset(spec, (2021, 2023), 4, EXTRACTED).dataset[Table.REQUESTS]


def _kind(requests: pl.DataFrame, kind: RequestKind) -> pl.DataFrame:
    table = assess(requests, EXTRACTED, Granularity.YEAR, kind=kind).table
    return table.select(
        *KEY,
        pl.col("estimate").alias(f"p_{kind.value}"),
        pl.col("estimate_lower").alias(f"lo_{kind.value}"),
        pl.col("estimate_upper").alias(f"hi_{kind.value}"),
        pl.col("answered_90d").alias(f"a_{kind.value}"),
    )


def test_all_is_the_mix_of_the_kinds_and_its_interval_theirs(requests: pl.DataFrame) -> None:
    result = assess(requests, EXTRACTED, Granularity.YEAR)
    share = requests.group_by(
        "country", pl.col("submitted_on").dt.year().cast(pl.String).alias("period")
    ).agg((pl.col("kind") == "TO").mean().alias("s"))
    rows = (
        result.table.join(share, on=KEY)
        .join(_kind(requests, RequestKind.LP), on=KEY)
        .join(_kind(requests, RequestKind.TO), on=KEY)
        .filter(pl.col("s").is_between(0.05, 0.95))
    )
    assert rows.height >= 10  # country-years with both kinds
    s = rows["s"].to_numpy()
    p_lp, p_to = rows["p_LP"].to_numpy() / 100, rows["p_TO"].to_numpy() / 100
    mix = s * p_to + (1 - s) * p_lp
    np.testing.assert_allclose(rows["estimate"].to_numpy() / 100, mix, rtol=1e-6)
    answered = s * rows["a_TO"].to_numpy() + (1 - s) * rows["a_LP"].to_numpy()
    np.testing.assert_allclose(rows["answered_90d"].to_numpy(), answered, rtol=1e-6)
    np.testing.assert_allclose(rows["confirmed"].to_numpy() * answered, mix, rtol=1e-6)
    z = result.options.z

    def sd(lo: str, hi: str) -> np.ndarray:
        return (logit(rows[hi].to_numpy() / 100) - logit(rows[lo].to_numpy() / 100)) / (2 * z)

    var_p = (s * p_to * (1 - p_to) * sd("lo_TO", "hi_TO")) ** 2 + (
        (1 - s) * p_lp * (1 - p_lp) * sd("lo_LP", "hi_LP")
    ) ** 2
    expected = np.sqrt(var_p) / (mix * (1 - mix))
    np.testing.assert_allclose(sd("estimate_lower", "estimate_upper"), expected, rtol=1e-6)
    # the mix lies between its kinds, and is not either of them
    assert np.all((mix >= np.minimum(p_lp, p_to) - 1e-12) & (mix <= np.maximum(p_lp, p_to) + 1e-12))


def test_one_kind_only_is_that_kinds_index(requests: pl.DataFrame) -> None:
    lp = requests.filter(pl.col("kind") == RequestKind.LP.value)
    mixed = assess(lp, EXTRACTED, Granularity.YEAR).table
    only = assess(lp, EXTRACTED, Granularity.YEAR, kind=RequestKind.LP).table
    np.testing.assert_allclose(mixed["estimate"].to_numpy(), only["estimate"].to_numpy())
    assert set(mixed["kind"]) == {"all"} and set(only["kind"]) == {"LP"}

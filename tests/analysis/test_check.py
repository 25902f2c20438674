"""The model-free check: Aalen-Johansen on the standard cases alone, against lifelines'
AalenJohansenFitter (estimate, Greenwood-type variance, log(-log) interval), and the
``disagrees`` flag in the index table."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import polars as pl
import pytest
from lifelines import AalenJohansenFitter

from retour.analysis.check import CHECK_COLUMNS, POSITIVE, disagreement, standard_case_check
from retour.analysis.followup import DAYS, END, End
from retour.analysis.index import COLUMNS, assess
from retour.analysis.periods import Granularity
from retour.domain.codes import Cooperates, IdEvidence, RequestKind, Table
from retour.simulate.run import simulate_dataset
from retour.simulate.scenario import build_scenario

HORIZON = 90


def _coded(seed: int, cells: int, n: int) -> pl.DataFrame:
    """Requests of ``cells`` cells, distinct days within a cell (no ties lifelines would
    jitter), every way a request ends, some not standard cases."""
    rng = np.random.default_rng(seed)
    days = np.concatenate([rng.choice(np.arange(1, 160), n, replace=False) for _ in range(cells)])
    end = rng.choice([e.value for e in End], cells * n, p=[0.15, 0.35, 0.25, 0.15, 0.1])
    evidence = rng.choice([IdEvidence.DOCUMENT.value, IdEvidence.NONE.value], cells * n,
                          p=[0.8, 0.2])  # fmt: skip
    return pl.DataFrame(
        {
            "cell": np.repeat(np.arange(cells), n).astype(np.int64),
            "id_evidence": evidence,
            "alien_cooperates": Cooperates.YES.value,
            END: end,
            DAYS: days.astype(np.int64),
        }
    )


def _lifelines(rows: pl.DataFrame) -> tuple[float, float, float, float]:
    """(F(90), its variance, lower, upper) from lifelines, times as the check sets them."""
    days, end = rows[DAYS].to_numpy().astype(float), rows[END].to_numpy()
    event_time = days - 0.5
    time = np.where(end == End.CENSORED, days, event_time)
    cause = np.select([end == End.POSITIVE, end == End.NEGATIVE, end == End.WITHDRAWN_COUNTRY],
                      [1, 2, 3], 0)  # fmt: skip
    cause = np.where(time > HORIZON, 0, cause)
    time = np.minimum(time, HORIZON)
    fitter = AalenJohansenFitter(alpha=0.1, calculate_variance=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # lifelines warns when it jitters: it must not
        fitter.fit(time, cause, event_of_interest=1)
    at = fitter.cumulative_density_.index[fitter.cumulative_density_.index <= HORIZON].max()
    # lifelines names its log(-log) bounds the other way round: take them as a pair
    lower, upper = sorted(float(v) for v in fitter.confidence_interval_.loc[at])
    return (
        float(fitter.cumulative_density_.loc[at].iloc[0]),
        float(fitter.variance_.loc[at]),
        lower,
        upper,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_check_equals_lifelines(seed: int) -> None:
    coded = _coded(seed, cells=4, n=60)
    check = standard_case_check(coded, HORIZON, 0.9, 10).sort("cell")
    standard = coded.filter(pl.col("id_evidence") == IdEvidence.DOCUMENT.value)
    for row in check.iter_rows(named=True):
        estimate, variance, lower, upper = _lifelines(
            standard.filter(pl.col("cell") == row["cell"])
        )
        assert row["n_standard"] == standard.filter(pl.col("cell") == row["cell"]).height
        assert row["check"] == pytest.approx(estimate * 100, abs=1e-9)
        assert row["check_var"] == pytest.approx(variance, rel=1e-9)
        assert row["check_lower"] == pytest.approx(lower * 100, abs=1e-7)
        assert row["check_upper"] == pytest.approx(upper * 100, abs=1e-7)


def test_few_standard_cases_give_no_check() -> None:
    coded = _coded(4, cells=2, n=12).with_columns(
        pl.when(pl.col("cell") == 1)
        .then(pl.lit(IdEvidence.NONE.value))
        .otherwise(pl.col("id_evidence"))
        .alias("id_evidence")
    )
    check = standard_case_check(coded, HORIZON, 0.9, 10)
    assert 1 not in check["cell"].to_list()  # no standard case at all
    kept = check.filter(pl.col("cell") == 0)
    assert kept["n_standard"][0] < 12
    if kept["n_standard"][0] < 10:
        assert kept["check"][0] is None and kept["check_lower"][0] is None


def test_a_check_needs_90_days_of_follow_up() -> None:
    """Every standard case still pending before day 90: the check cannot be given."""
    coded = _coded(5, cells=1, n=30).with_columns(
        pl.lit(End.CENSORED.value).alias(END), (pl.col(DAYS) % 80 + 1).alias(DAYS)
    )
    check = standard_case_check(coded, HORIZON, 0.9, 10)
    assert check["check"].null_count() == check.height


@pytest.fixture(scope="module")
def hard_requests() -> pl.DataFrame:
    spec = build_scenario("eu", scale=0.05, world="hard", placebos=0)
    return simulate_dataset(spec, (2021, 2023), 4, dt.date(2024, 1, 1)).dataset[Table.REQUESTS]


@pytest.mark.parametrize("kind", [None, RequestKind.LP], ids=["all", "LP"])
def test_the_index_table_carries_the_check(
    hard_requests: pl.DataFrame, kind: RequestKind | None
) -> None:
    table = assess(hard_requests, dt.date(2024, 1, 1), Granularity.YEAR, kind=kind).table
    assert list(table.columns) == list(COLUMNS)
    assert set(CHECK_COLUMNS) <= set(table.columns)
    checked = table.filter(pl.col("check").is_not_null() & pl.col("check_lower").is_not_null())
    assert checked.height >= 20
    assert (checked["check_lower"] <= checked["check"]).all()
    assert (checked["check"] <= checked["check_upper"]).all()
    assert (checked["n_standard"] <= checked["n_requests"]).all()
    # a disagreement beyond chance at 95% is rare where the model fits
    assert checked["disagrees"].null_count() == 0
    assert checked["disagrees"].mean() <= 0.1
    # an index and a check within a quarter of the check's width never disagree
    close = checked.filter(
        (pl.col("check") - pl.col("estimate")).abs()
        < 0.25 * (pl.col("check_upper") - pl.col("check_lower"))
    )
    assert close.height > 0 and not close["disagrees"].any()


def test_a_country_whose_standard_cases_fare_otherwise_disagrees() -> None:
    """One cell's standard cases all refused, its other cases answered as elsewhere: the
    model, which borrows from the other cases, cannot follow; the check says so."""
    coded = _coded(6, cells=1, n=60)
    check = standard_case_check(coded, HORIZON, 0.9, 10)
    center = np.array([3.0])  # the model's logit: about 95 points
    flagged = disagreement(check, center, np.array([0.01]))
    assert flagged.to_list() == [True]
    at_check = np.array([np.log(check["check"][0] / (100 - check["check"][0]))])
    assert disagreement(check, at_check, np.array([0.01])).to_list() == [False]
    assert POSITIVE == 1

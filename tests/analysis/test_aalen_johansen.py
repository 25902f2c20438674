"""The Aalen-Johansen estimator against lifelines' AalenJohansenFitter (the test oracle)."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest
from lifelines import AalenJohansenFitter

from retour.analysis.aalen_johansen import aalen_johansen

TOLERANCE = 1e-9


def _data(seed: int, n: int, groups: int, *, cross_ties: bool) -> pl.DataFrame:
    """Integer times (many ties), censoring tied with events, two competing causes.

    Without ``cross_ties`` events of cause 1 fall on even days and of cause 2 on odd days,
    so no two causes share a time and lifelines needs no jittering.
    """
    rng = np.random.default_rng(seed)
    time = rng.integers(1, 60, n).astype(float)
    event = rng.choice([0, 1, 2], n, p=[0.3, 0.45, 0.25])
    if not cross_ties:
        time = np.where(
            event == 1,
            2 * np.ceil(time / 2),
            np.where(event == 2, 2 * np.floor(time / 2) + 1, time),
        )
    return pl.DataFrame({"time": time, "event": event, "group": rng.integers(0, groups, n)})


def _lifelines(sub: pl.DataFrame, cause: int, **kwargs: float) -> dict[float, float]:
    fitter = AalenJohansenFitter(calculate_variance=False, **kwargs)
    fitter.fit(sub["time"].to_numpy(), sub["event"].to_numpy(), event_of_interest=cause)
    cif = fitter.cumulative_density_.iloc[:, 0]
    return {float(t): float(v) for t, v in cif.items()}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("cause", [1, 2])
def test_equals_lifelines_at_every_time(seed: int, cause: int) -> None:
    data = _data(seed, 400, 3, cross_ties=False)
    aj = aalen_johansen(data, time="time", event="event", by=["group"], causes=(1, 2))
    for group in range(3):
        sub = data.filter(pl.col("group") == group)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # lifelines warns when it jitters: it must not
            reference = _lifelines(sub, cause)
        mine = aj.table.filter(pl.col("group") == group)
        ours = dict(zip(mine["time"].to_list(), mine[f"cif_{cause}"].to_list(), strict=True))
        compared = [t for t in reference if t in ours]
        assert len(compared) >= len(ours) - 1
        assert max(abs(ours[t] - reference[t]) for t in compared) < TOLERANCE


def test_ties_between_causes_agree_with_jittered_lifelines_after_each_tie() -> None:
    """Where causes share a time, lifelines jitters them apart; the estimate after the tie
    does not depend on the order within it, so both agree there (no censoring at ties)."""
    rng = np.random.default_rng(11)
    n = 300
    time = rng.integers(1, 40, n).astype(float)
    event = rng.choice([1, 2], n, p=[0.6, 0.4])
    censored = rng.random(n) < 0.3
    data = pl.DataFrame(
        {"time": np.where(censored, time + 0.5, time), "event": np.where(censored, 0, event)}
    )
    aj = aalen_johansen(data, time="time", event="event", causes=(1,))
    probe = [float(t) + 0.75 for t in range(0, 40)]
    ours = aj.at(probe, 1).row(0)
    fitter = AalenJohansenFitter(calculate_variance=False, jitter_level=1e-6, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(data["time"].to_numpy(), data["event"].to_numpy(), event_of_interest=1)
    reference = fitter.predict(probe)
    for got, want, t in zip(ours, reference, probe, strict=True):
        if got is not None:
            assert abs(got - want) < TOLERANCE, t


def test_values_at_times_and_beyond_follow_up() -> None:
    data = pl.DataFrame(
        {"time": [1.0, 2, 2, 3, 5, 8], "event": [1, 2, 0, 1, 0, 1], "group": ["a"] * 6}
    )
    aj = aalen_johansen(data, time="time", event="event", by=["group"], causes=(1, 2))
    at = aj.at([0, 1, 2, 4, 8, 9], 1).row(0, named=True)
    # by hand: n=6; t=1 one cause-1 event: F1 = 1/6, S = 5/6; t=2: a cause-2 event and a
    # censoring, n=5: F1 unchanged, S = 5/6 * 4/5 = 2/3; t=3: n=3, F1 += 2/3 * 1/3
    assert at["t0"] == 0.0
    assert at["t1"] == pytest.approx(1 / 6)
    assert at["t2"] == pytest.approx(1 / 6)
    assert at["t4"] == pytest.approx(1 / 6 + 2 / 9)
    # t=8: n=1 (the 5 censored before), S(8-) = 2/3 * 2/3 = 4/9, F1 += 4/9
    assert at["t8"] == pytest.approx(1 / 6 + 2 / 9 + 4 / 9)
    assert at["t9"] == pytest.approx(at["t8"])  # everyone has had an event: final


def test_beyond_the_follow_up_of_a_group_still_at_risk_is_unknown() -> None:
    data = pl.DataFrame({"time": [1.0, 2, 4], "event": [1, 0, 0], "group": ["b"] * 3})
    aj = aalen_johansen(data, time="time", event="event", by=["group"])
    at = aj.at([3, 4, 5], 1).row(0, named=True)
    assert at["t3"] == pytest.approx(1 / 3) and at["t4"] == pytest.approx(1 / 3)
    assert at["t5"] is None  # beyond the last follow-up: not estimable, never carried


def test_first_time_reaching_a_level_is_the_median() -> None:
    data = pl.DataFrame(
        {
            "time": [1.0, 2, 3, 4, 5, 6, 1, 2],
            "event": [1, 1, 1, 1, 0, 0, 0, 0],
            "g": [1, 1, 1, 1, 1, 1, 2, 2],
        }
    )
    aj = aalen_johansen(data, time="time", event="event", by=["g"])
    median = dict(aj.first_time_reaching(0.5, 1).iter_rows())
    assert median == {1: 3.0, 2: None}  # group 2 never has an event


def test_empty_groups_and_single_group() -> None:
    data = _data(7, 50, 1, cross_ties=False)
    whole = aalen_johansen(data, time="time", event="event", causes=(1,))
    by = aalen_johansen(data, time="time", event="event", by=["group"], causes=(1,))
    assert whole.table["cif_1"].to_list() == pytest.approx(by.table["cif_1"].to_list())

"""The index against the truth of the hard world, whose countries each have their own case
mix effects (on positivity and on speed): the interval keeps its promise there too.

A seed the calibration benchmark does not use (benchmarks/bench_calibration.py uses 1 and
2), so the estimator is not held to the run it was tuned on. Thresholds for one seed of
about 350 country-years with at least 50 requests: 90% coverage within 0.82-0.97 (the
issue's band 0.85-0.95, widened by the sampling error of one run), Spearman at least 0.975,
MAE at most 3.2 points (before the country-specific effects: 0.72, 0.977 and 3.8 on the
benchmark's seeds). And the fitted spread of the countries' own effects of missing
documents on positivity is of the simulator's size (sd 0.3-0.8 drawn per country).
"""

from __future__ import annotations

import datetime as dt

import pytest

from retour.analysis.index import assess
from retour.analysis.periods import Granularity
from retour.domain.codes import RequestKind, Table
from retour.simulate.run import Simulation, simulate_dataset
from retour.simulate.scenario import build_scenario

from .test_accuracy import scores, with_truth

pytestmark = pytest.mark.slow

YEARS = (2019, 2023)
EXTRACTED = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def hard() -> Simulation:
    spec = build_scenario("eu", scale=0.25, world="hard", placebos=0)
    return simulate_dataset(spec, YEARS, 5, EXTRACTED)


def test_the_hard_worlds_index_keeps_its_promise(hard: Simulation) -> None:
    table = assess(hard.dataset[Table.REQUESTS], EXTRACTED, Granularity.YEAR).table
    s = scores(with_truth(table, hard.truth))
    assert s.countries >= 300
    assert 0.82 <= s.coverage <= 0.97
    assert s.spearman >= 0.975
    assert s.mae <= 3.2


def test_each_country_has_its_own_effect_of_missing_documents(hard: Simulation) -> None:
    result = assess(hard.dataset[Table.REQUESTS], EXTRACTED, Granularity.YEAR, kind=RequestKind.LP)
    confirm = next(m for m in result.models if m.name == "positive if answered")
    assert set(confirm.slope_sd) == {
        "id_evidence=indirect",
        "id_evidence=none",
        "alien_cooperates=no",
        "alien_cooperates=unknown",
    }  # no kind: one kind is fitted
    for name in ("id_evidence=indirect", "id_evidence=none"):
        assert 0.25 <= confirm.slope_sd[name] <= 0.9, name

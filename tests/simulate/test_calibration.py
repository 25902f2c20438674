"""Calibration on the real figures: DT&V's yearly departures, the press answer's detention figures,
the Eurostat nationality mix; the shipped calibration table is faithful to the real files."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from retour.domain.codes import Table
from retour.simulate import calibration
from retour.simulate.run import Simulation, simulate_dataset
from retour.simulate.scenario import build_scenario

from .conftest import YEARS

TOLERANCE = 0.30
#: the press answer on what followed detention: in 2018 about 790 left without
#: supervision after release from detention, about 440 of them after a balancing of
#: interests (no_prospect)
RELEASED_2018, NO_PROSPECT_2018 = 790, 440
DTV_FORCED_2018 = 2650


def departures_by_year(sim: Simulation) -> pl.DataFrame:
    return (
        sim.dataset[Table.DEPARTURES]
        .group_by(pl.col("departed_on").dt.year().alias("year"), "type")
        .len()
    )


def test_packaged_table_is_faithful_to_the_real_files() -> None:
    if not (calibration.REAL_DIR / calibration.ORDERS_FILE).is_file():
        pytest.skip("the real files are not beside this checkout")
    derived, packaged = calibration.derive(), calibration.load_packaged()
    assert calibration.same_figures(derived, packaged)
    assert packaged.year(2018) == calibration.YearFigures(2018, 19010, 3610, 2650, 8620)
    assert packaged.year(2022) == calibration.YearFigures(2022, 12620, 2450, 1850, 4310)
    assert len(packaged.orders) >= 60


def test_yearly_departures_follow_dtv(small: Simulation) -> None:
    scale = 0.25
    counts = departures_by_year(small)
    real = calibration.load()
    published = 0
    for year in range(YEARS[0], YEARS[1] + 1):
        figures = small.truth["targets"][str(year)]
        if not figures["published"]:
            continue
        published += 1
        for kind in ("independent", "forced", "unsupervised"):
            got = counts.filter((pl.col("year") == year) & (pl.col("type") == kind))["len"].sum()
            want = figures[kind]
            dtv = getattr(real.year(year), kind) * scale
            assert want == pytest.approx(dtv)
            assert abs(got / want - 1) <= TOLERANCE, (year, kind, got, want)
    assert published == 5


def released_then_unsupervised(sim: Simulation) -> pl.DataFrame:
    """Unsupervised departures within 60 days of a release (not a removal) from detention."""
    released = sim.dataset[Table.DETENTIONS].filter(
        pl.col("end_reason").is_not_null() & (pl.col("end_reason") != "removed")
    )
    left = sim.dataset[Table.DEPARTURES].filter(pl.col("type") == "unsupervised")
    pairs = left.join(released, on="case_id").filter(
        pl.col("departed_on").is_between(
            pl.col("ended_on"), pl.col("ended_on") + pl.duration(days=60)
        )
    )
    return pairs.sort("ended_on").unique("departure_id", keep="last", maintain_order=True)


def test_detention_releases_have_the_shape_of_seed_002() -> None:
    scale = 0.5
    sim = simulate_dataset(build_scenario("nl", scale=scale), (2018, 2019), 4, dt.date(2020, 1, 1))
    year = released_then_unsupervised(sim).filter(pl.col("departed_on").dt.year() == 2018)
    assert abs(year.height / (RELEASED_2018 * scale) - 1) <= TOLERANCE
    share = (year["end_reason"] == "no_prospect").mean()
    assert abs(share / (NO_PROSPECT_2018 / RELEASED_2018) - 1) <= 0.2
    # and the other releases come from the other reasons
    assert set(year["end_reason"]) == {"no_prospect", "court_order", "max_term", "other"}


def test_release_shape_holds_in_other_years(small: Simulation) -> None:
    pairs = released_then_unsupervised(small)
    for year in range(YEARS[0], YEARS[1] + 1):
        forced = small.truth["targets"][str(year)]["forced"]
        expected = RELEASED_2018 / DTV_FORCED_2018 * forced
        got = pairs.filter(pl.col("departed_on").dt.year() == year).height
        assert abs(got / expected - 1) <= TOLERANCE, (year, got, expected)


def test_nationality_mix_follows_eurostat(small: Simulation) -> None:
    cases = small.dataset[Table.CASES].filter(pl.col("opened_on") >= dt.date(2019, 1, 1))
    share = cases.group_by("nationality").len().with_columns(pl.col("len") / cases.height)
    got = dict(share.iter_rows())
    weights = {code: c["weight"] for code, c in small.truth["countries"].items()}
    assert len(weights) >= 60
    assert max(abs(got.get(code, 0.0) - w) for code, w in weights.items()) < 0.01
    top = sorted(weights, key=weights.__getitem__, reverse=True)[:3]
    assert top == ["TR", "CN", "IN"]  # the Netherlands' largest orders to leave, 2012-2016


def test_eu_is_twenty_times_nl_with_an_eu_mix() -> None:
    nl, eu = build_scenario("nl"), build_scenario("eu")
    assert eu.volume_factor == 20 * nl.volume_factor
    weights = {c.code: c.weight for c in eu.countries}
    assert sorted(weights, key=weights.__getitem__, reverse=True)[:2] == ["MA", "AL"]
    sim = simulate_dataset(build_scenario("eu", scale=0.01), (2022, 2022), 1, dt.date(2023, 1, 1))
    opened = sim.dataset[Table.CASES].filter(pl.col("opened_on").dt.year() == 2022).height
    assert opened == round(12620 * 20 * 0.01)

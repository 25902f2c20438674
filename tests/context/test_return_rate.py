"""The return rate, pure: which figure is the total, the rate, the rank."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from retour.analysis import return_rate as rr

from .conftest import frame

EARLIER = dt.datetime(2024, 1, 1, 12, 0)
LATER = dt.datetime(2024, 6, 1, 12, 0)
ORD = "migr_eiord"
RTN = "migr_eirtn"


def row(
    dataset: str, geo: str, period: str, value: int | None, flag: str | None = None, **dims: str
) -> dict[str, object]:
    return {
        "dataset": dataset,
        "geo": geo,
        "citizen": dims.pop("citizen", "MA"),
        "period": period,
        "value": value,
        "flag": flag,
        **dims,
    }


def rates(rows: list[dict[str, object]], **kwargs: object) -> pl.DataFrame:
    data = frame(rows, imported_at=EARLIER)
    return rr.return_rates(data, "MA", **kwargs).rows  # type: ignore[arg-type]


def one(result: pl.DataFrame, geo: str, year: int) -> dict[str, object]:
    found = result.filter(pl.col("geo") == geo, pl.col("year") == year)
    assert found.height == 1, found
    return found.row(0, named=True)


def test_the_rate_is_returned_over_ordered_with_flags_kept() -> None:
    result = rates([row(ORD, "NL", "2012", 950, "d"), row(RTN, "NL", "2012", 300, "p")])
    got = one(result, "NL", 2012)
    assert (got["ordered"], got["returned"]) == (950, 300)
    assert (got["ordered_flag"], got["returned_flag"]) == ("d", "p")
    assert got["return_rate"] == pytest.approx(300 / 950)
    assert result.schema == rr.RATE_SCHEMA


def test_only_totals_count_never_a_breakdown_added() -> None:
    result = rates(
        [
            row(ORD, "NL", "2019", 1000, age="TOTAL", sex="T", unit="PER"),
            row(ORD, "NL", "2019", 900, age="TOTAL", sex="M", unit="PER"),
            row(ORD, "NL", "2019", 80, age="Y_LT18", sex="T", unit="PER"),
            row(RTN, "NL", "2019", 250, c_dest="TOTAL", age="TOTAL", sex="T", unit="PER"),
            row(RTN, "NL", "2019", 240, c_dest="THRD", age="TOTAL", sex="T", unit="PER"),
            # the old export: an indicator instead of a destination
            row(RTN, "BE", "2019", 500, indic="RTN_TOTAL", unit="PER"),
            row(RTN, "BE", "2019", 450, indic="RTN_THRD", unit="PER"),
            row(ORD, "BE", "2019", 1000, unit="PER"),
        ]
    )
    assert (one(result, "NL", 2019)["ordered"], one(result, "NL", 2019)["returned"]) == (1000, 250)
    assert one(result, "BE", 2019)["returned"] == 500


def test_quarterly_figures_are_not_used() -> None:
    result = rates([row(ORD, "NL", "2019-Q1", 10), row(RTN, "NL", "2019-Q1", 5)])
    assert result.is_empty()


def test_a_figure_in_two_forms_is_taken_once_the_latest_import() -> None:
    data = pl.concat(
        [
            frame([row(RTN, "NL", "2012", 300)], imported_at=EARLIER),
            frame(
                [row(RTN, "NL", "2012", 305, "p", age="TOTAL", sex="T", unit="PER")],
                imported_at=LATER,
            ),
            frame([row(ORD, "NL", "2012", 950)], imported_at=EARLIER),
        ]
    )
    result = rr.return_rates(data, "MA")
    got = one(result.rows, "NL", 2012)
    assert (got["returned"], got["returned_flag"]) == (305, "p")
    assert result.duplicates == 1


def test_same_import_time_prefers_the_explicit_dimensions() -> None:
    result = rates(
        [
            row(ORD, "NL", "2012", 950),
            row(ORD, "NL", "2012", 955, age="TOTAL", sex="T", unit="PER"),
        ]
    )
    assert one(result, "NL", 2012)["ordered"] == 955


@pytest.mark.parametrize(
    ("ordered", "returned", "expected"),
    [
        pytest.param(None, 300, None, id="ordered-not-available"),
        pytest.param(950, None, None, id="returned-not-available"),
        pytest.param(0, 0, None, id="nobody-ordered"),
        pytest.param(0, 5, None, id="returns-without-orders"),
        pytest.param(10, 0, 0.0, id="none-returned"),
        pytest.param(5, 10, 2.0, id="more-than-100-percent"),
    ],
)
def test_rate_edges(ordered: int | None, returned: int | None, expected: float | None) -> None:
    result = rates([row(ORD, "NL", "2016", ordered), row(RTN, "NL", "2016", returned)])
    got = one(result, "NL", 2016)
    assert got["return_rate"] == expected
    assert (got["ordered"], got["returned"]) == (ordered, returned)


def test_a_state_with_only_one_dataset_is_kept_without_rate() -> None:
    result = rates([row(ORD, "NL", "2016", 100), row(RTN, "BE", "2016", 40)])
    assert one(result, "NL", 2016)["returned"] is None
    assert one(result, "BE", 2016)["ordered"] is None


def test_rank_among_states_excludes_aggregates_and_shares_ties() -> None:
    figures = {"EU28": (1000, 900), "NL": (100, 50), "BE": (100, 80), "FR": (100, 50)}
    figures |= {"DE": (100, None), "IT": (0, 0), "ES": (10, 30)}
    data: list[dict[str, object]] = []
    for geo, (ordered, returned) in figures.items():
        data += [row(ORD, geo, "2016", ordered), row(RTN, geo, "2016", returned)]
    result = rates(data)
    ranks = {r["geo"]: (r["rank"], r["ranked"]) for r in result.iter_rows(named=True)}
    assert ranks == {
        "EU28": (None, None),  # 90% would be first: aggregates are not ranked
        "ES": (1, 4),
        "BE": (2, 4),
        "NL": (3, 4),
        "FR": (3, 4),
        "DE": (None, 4),
        "IT": (None, 4),
    }
    assert one(result, "EU28", 2016)["aggregate"] is True
    assert result["geo"].to_list()[0] == "EU28"  # aggregates first in each year


def test_ranks_are_per_year_and_the_years_can_be_chosen() -> None:
    data = [
        row(ORD, "NL", "2015", 100),
        row(RTN, "NL", "2015", 90),
        row(ORD, "BE", "2015", 100),
        row(RTN, "BE", "2015", 10),
        row(ORD, "NL", "2016", 100),
        row(RTN, "NL", "2016", 10),
        row(ORD, "BE", "2016", 100),
        row(RTN, "BE", "2016", 90),
    ]
    result = rates(data)
    assert (one(result, "NL", 2015)["rank"], one(result, "NL", 2016)["rank"]) == (1, 2)
    only = rr.return_rates(frame(data, imported_at=EARLIER), "MA", years=[2016])
    assert only.years == (2016,)
    assert set(only.rows["year"]) == {2016}


def test_other_citizenships_are_ignored() -> None:
    result = rates([row(ORD, "NL", "2016", 100), row(ORD, "NL", "2016", 7, citizen="DZ")])
    assert result["citizen"].to_list() == ["MA"]


def test_narrow_keeps_the_state_and_the_aggregates_and_the_ranks() -> None:
    data = []
    for geo, ret in (("NL", 10), ("BE", 90), ("EU27_2020", 50)):
        data += [row(ORD, geo, "2016", 100), row(RTN, geo, "2016", ret)]
    full = rr.return_rates(frame(data, imported_at=EARLIER), "MA")
    narrowed = rr.narrow(full, "NL")
    assert narrowed.focus == "NL"
    assert set(narrowed.rows["geo"]) == {"NL", "EU27_2020"}
    assert one(narrowed.rows, "NL", 2016)["rank"] == 2


def test_preferred_eu_aggregate_is_the_newest_with_figures() -> None:
    data = [
        row(ORD, "EU28", "2016", 1000),
        row(RTN, "EU28", "2016", 400),
        row(ORD, "EU27_2020", "2016", 900),
        row(RTN, "EU27_2020", "2016", 360),
        row(ORD, "EU27_2007", "2012", 800),
        row(RTN, "EU27_2007", "2012", 100),
    ]
    result = rr.return_rates(frame(data, imported_at=EARLIER), "MA")
    eu = result.eu_rows()
    assert eu.select("year", "geo").rows() == [(2012, "EU27_2007"), (2016, "EU27_2020")]


def test_flags_splits_combined_flags() -> None:
    result = rr.return_rates(
        frame([row(ORD, "NL", "2016", 1, "ep"), row(RTN, "NL", "2016", 1, "d")], imported_at=LATER),
        "MA",
    )
    assert result.flags() == ["d", "e", "p"]

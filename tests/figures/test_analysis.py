"""The pure shaping functions of retour.analysis.figures, on tiny frames."""

from __future__ import annotations

import datetime as dt

import polars as pl

from retour.analysis import figures as shape


def counts(rows: list[tuple[object, ...]], columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=columns, orient="row").with_columns(
        pl.col(c).cast(pl.Int64) for c in columns if c in {"year", "n", "unsupervised"}
    )


def test_complete_fills_zeros_for_the_listed_levels_only() -> None:
    frame = counts([(2020, "MA", 3), (2022, "NG", 1)], ["year", "country", "n"])
    full = shape.complete(frame, {"year": [2020, 2021, 2022]}, ["n"])
    assert full.height == 6  # every year for each country that occurs, no new countries
    assert full.filter(pl.col("country") == "MA")["n"].to_list() == [3, 0, 0]
    assert full["n"].sum() == 4


def test_request_table_selects_years_kinds_and_fills_outcomes() -> None:
    frame = counts(
        [
            (2019, "LP", "positive", 5),
            (2020, "LP", "negative", 2),
            (2020, "TO", "negative", 7),
            (2024, "LP", "pending", 9),
        ],
        ["year", "kind", "outcome", "n"],
    )
    table = shape.request_table(frame, ["year", "outcome"], [2019, 2020, 2021], ["LP"])
    assert table.height == 3 * 4
    assert table["n"].sum() == 7
    assert table.filter(pl.col("year") == 2021)["n"].to_list() == [0, 0, 0, 0]


def test_reason_not_applicable_is_a_value() -> None:
    frame = counts(
        [(2020, "LP", "positive", None, 4), (2020, "LP", "negative", "other", 1)],
        ["year", "kind", "outcome", "reason", "n"],
    )
    table = shape.request_table(frame, ["outcome", "reason"], [2020], ["LP"])
    assert set(table["reason"]) == {shape.NOT_APPLICABLE, "other"}


def test_detentions_leave_removals_out_of_the_follow_up() -> None:
    frame = counts(
        [(2021, "removed", 10, 0), (2021, "no_prospect", 6, 4), (2022, "court_order", 3, 1)],
        ["year", "end_reason", "n", "unsupervised"],
    )
    ended, followed = shape.detention_tables(frame, ["year", "end_reason"], [2021, 2022])
    assert ended["n"].sum() == 19
    assert "removed" not in set(followed["end_reason"])
    assert followed["n"].sum() == 5
    assert followed.height == 2 * 4  # every release reason in every year


def test_year_span_reaches_the_extraction_year() -> None:
    frame = counts([(2018, 1), (2020, 2)], ["year", "n"])
    assert shape.year_span(frame, dt.date(2024, 3, 1)) == (2018, 2024)
    assert shape.year_span(frame, None) == (2018, 2020)
    assert shape.year_span(frame.clear(), dt.date(2024, 3, 1)) is None


def test_refusals_by_country_keeps_both_answers_for_each_country() -> None:
    frame = counts(
        [(2020, "TO", "MA", "withdrawn", 2), (2021, "TO", "NG", "positive", 5)],
        ["year", "kind", "country", "outcome", "n"],
    )
    table = shape.refusals_by_country(frame, "TO", [2020, 2021])
    assert set(table["country"]) == {"MA"}
    assert table.height == 2 * 2
    assert set(table["outcome"]) == {"negative", "withdrawn"}

"""disclose_table on hand-made tables: layout, display strings, notes, errors."""

from __future__ import annotations

import polars as pl
import pytest

from retour.disclosure import (
    IS_TOTAL,
    OTHER_COUNTRIES,
    TOTAL,
    CellStatus,
    DisclosedTable,
    DisclosureRules,
    Profile,
    disclose_table,
    round_counts,
)

# Shaped like the press workbook's sheets: per country, LP outcomes over five years.
PRESS = pl.DataFrame(
    {
        "country": ["MA", "MA", "DZ", "DZ", "NG", "NG", "NG", "SO", "ET", "ET"],
        "outcome": [
            "positive", "negative", "positive", "withdrawn", "positive",
            "negative", "withdrawn", "negative", "positive", "withdrawn",
        ],
        "n": [5, 215, 3, 140, 120, 33, 61, 2, 48, 17],
    }
)  # fmt: skip


def rules(profile: Profile, confidential: str = "") -> DisclosureRules:
    return DisclosureRules.from_settings(profile, confidential)


def cell(table: DisclosedTable, frame: pl.DataFrame, row: str | None, column: str) -> object:
    where = pl.col(IS_TOTAL) if row is None else pl.col(table.row_dims[0]) == row
    return frame.filter(where)[column].item()


def test_internal_is_exact_with_totals() -> None:
    table = disclose_table(
        PRESS, rows=["country"], column="outcome", rules=rules(Profile.INTERNAL, "MA")
    )
    assert table.value_columns == ("negative", "positive", "withdrawn", TOTAL)
    assert table.shown.equals(table.audit_exact())
    assert table.shown[TOTAL].to_list() == [143, 65, 220, 214, 2, 644]
    assert table.shown["country"].to_list() == ["DZ", "ET", "MA", "NG", "SO", None]
    assert cell(table, table.shown, "DZ", "negative") == 0  # missing combination
    assert table.notes == ()


def test_parliament_pools_and_keeps_exact_figures() -> None:
    table = disclose_table(
        PRESS, rows=["country"], column="outcome", rules=rules(Profile.PARLIAMENT, "MA,DZ")
    )
    assert table.shown["country"].to_list() == ["ET", "NG", "SO", OTHER_COUNTRIES, None]
    assert cell(table, table.shown, OTHER_COUNTRIES, "positive") == 8
    assert cell(table, table.shown, OTHER_COUNTRIES, TOTAL) == 363
    assert cell(table, table.shown, None, TOTAL) == 644
    display = table.to_display_frame("nl")
    assert display["country"].to_list()[-2:] == ["overige landen", "Totaal"]
    assert display.columns[-1] == "Totaal"
    assert table.to_display_frame("en")["country"].to_list()[-2:] == ["other countries", "Total"]
    assert table.notes_in("nl") == ["Een aantal landen is samengevoegd tot 'overige landen'."]


def test_public_rounds_suppresses_and_explains() -> None:
    table = disclose_table(
        PRESS, rows=["country"], column="outcome", rules=rules(Profile.PUBLIC, "MA,DZ")
    )
    display = table.to_display_frame("en")
    assert display.rows() == [
        ("ET", "0", "50", "x", "x"),
        ("NG", "x", "120", "x", "210"),
        ("SO", "<5", "0", "0", "<5"),  # SO's single count of 2 is protected by a cycle
        ("other countries", "220", "10", "140", "360"),
        ("Total", "250", "180", "220", "640"),  # 644 rounded; cells need not add up
    ]
    status = table.status.filter(pl.col("country") == "SO")
    assert status["negative"].item() == CellStatus.SUPPRESSED_PRIMARY.value
    assert status["positive"].item() == CellStatus.EXACT.value  # a true zero
    assert table.status.filter(pl.col("country") == "NG")["positive"].item() == "rounded"
    assert cell(table, table.shown, "NG", "negative") is None
    assert table.notes_in("nl") == [
        "Een aantal landen is samengevoegd tot 'overige landen'.",
        "Aantallen afgerond op tientallen; aantallen onder 5 niet getoond (<5).",
        "x: niet getoond, omdat anders een ander aantal te berekenen is.",
        "Totalen zijn berekend uit de exacte aantallen en daarna afgerond; de afgeronde "
        "aantallen tellen daardoor niet altijd op tot het totaal.",
    ]
    assert all(dtype == pl.String for dtype in display.dtypes)


def test_a_list_with_one_small_count_gets_a_complement() -> None:
    years = pl.DataFrame({"year": [2014, 2015, 2016, 2017], "n": [3, 40, 52, 61]})
    table = disclose_table(years, rows=["year"], column=None, rules=rules(Profile.PUBLIC))
    assert table.value_columns == ("n",)
    assert table.to_display_frame("nl")["n"].to_list() == ["<5", "x", "50", "60", "160"]
    assert table.to_display_frame("nl")["year"].to_list() == [
        "2014",
        "2015",
        "2016",
        "2017",
        "Totaal",
    ]


def test_four_small_counts_under_a_small_total_drop_the_total_label() -> None:
    # Four "<5" adding up to a "<5" total would all be 1: the total is shown as x.
    ones = pl.DataFrame({"year": [2014, 2015, 2016, 2017], "n": [1, 1, 1, 1]})
    table = disclose_table(ones, rows=["year"], column=None, rules=rules(Profile.PUBLIC))
    assert table.to_display_frame("en")["n"].to_list() == ["<5", "<5", "<5", "<5", "x"]


def test_several_row_dimensions_and_integer_column_values() -> None:
    frame = pl.DataFrame(
        {
            "kind": ["LP", "LP", "TO"],
            "country": ["MA", "NG", "MA"],
            "year": [2018, 2019, 2019],
            "n": [7, 9, 30],
        }
    )
    table = disclose_table(
        frame, rows=["kind", "country"], column="year", rules=rules(Profile.INTERNAL)
    )
    assert table.value_columns == ("2018", "2019", TOTAL)
    display = table.to_display_frame("en")
    assert display.columns == ["kind", "country", "2018", "2019", "Total"]
    assert display.row(-1) == ("Total", "", "7", "39", "46")


def test_other_columns_are_summed_over() -> None:
    table = disclose_table(PRESS, rows=["country"], column=None, rules=rules(Profile.INTERNAL))
    assert table.shown["n"].to_list() == [143, 65, 220, 214, 2, 644]


def test_empty_input_gives_a_zero_total() -> None:
    empty = PRESS.head(0)
    table = disclose_table(empty, rows=["country"], column="outcome", rules=rules(Profile.PUBLIC))
    assert table.to_display_frame("nl").rows() == [("Totaal", "0")]


def test_rounding_half_up_never_to_zero() -> None:
    values = pl.Series([0, 1, 4, 5, 14, 15, 24, 25, 1234]).to_numpy()
    assert round_counts(values, 10).tolist() == [0, 10, 10, 10, 10, 20, 20, 30, 1230]
    assert round_counts(values, 5).tolist() == [0, 5, 5, 5, 15, 15, 25, 25, 1235]
    assert round_counts(values, 1).tolist() == values.tolist()


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (pl.DataFrame({"country": ["MA"], "n": [-1]}), "negative"),
        (pl.DataFrame({"country": ["MA", None], "n": [1, 2]}), "nulls"),
        (pl.DataFrame({"country": ["MA"], "n": [1.5]}), "integer"),
        (pl.DataFrame({"land": ["MA"], "n": [1]}), "country"),
    ],
    ids=["negative", "null", "float", "missing"],
)
def test_bad_input_is_a_programming_error(frame: pl.DataFrame, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        disclose_table(frame, rows=["country"], column=None, rules=rules(Profile.PUBLIC))


def test_column_values_that_clash_with_names_are_refused() -> None:
    frame = pl.DataFrame({"country": ["MA"], "kind": [TOTAL], "n": [1]})
    with pytest.raises(ValueError, match="clash"):
        disclose_table(frame, rows=["country"], column="kind", rules=rules(Profile.PUBLIC))


def test_long_format_has_one_row_per_cell() -> None:
    table = disclose_table(PRESS, rows=["country"], column="outcome", rules=rules(Profile.PUBLIC))
    long = table.to_long()
    assert long.columns == ["country", IS_TOTAL, "column", "shown", "status"]
    assert long.height == table.shown.height * len(table.value_columns)
    so = long.filter((pl.col("country") == "SO") & (pl.col("column") == "negative")).row(0)
    assert so == ("SO", False, "negative", None, CellStatus.SUPPRESSED_PRIMARY.value)
    grand = long.filter(pl.col(IS_TOTAL) & (pl.col("column") == TOTAL))
    assert grand["shown"].item() == 640

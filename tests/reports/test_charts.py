"""The index chart says where there is too little data, instead of drawing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from retour.disclosure import DisclosureRules, Language, disclose_table
from retour.reports import charts

QUARTERS = ("2023Q1", "2023Q2", "2023Q3", "2023Q4")


def index_rows(values: list[float | None]) -> pl.DataFrame:
    """An index table of one country over the quarters of 2023."""
    return pl.DataFrame(
        {
            "period": QUARTERS[: len(values)],
            "n_requests": [3 if v is None else 40 for v in values],
            "index": values,
            "lower": [None if v is None else v - 10 for v in values],
            "upper": [None if v is None else v + 10 for v in values],
            "status": ["too_little_data" if v is None else "ok" for v in values],
        },
        schema_overrides={
            "period": pl.String,
            "n_requests": pl.Int64,
            "index": pl.Float64,
            "lower": pl.Float64,
            "upper": pl.Float64,
            "status": pl.String,
        },
    )


NO_EFFECTS = pl.DataFrame(
    schema={
        "instrument_id": pl.String,
        "start_on": pl.Date,
        "title": pl.String,
        "verdict": pl.String,
    }
)


def mark(layer: dict[str, Any]) -> str:
    kind = layer["mark"]
    return str(kind if isinstance(kind, str) else kind["type"])


def marks(spec: dict[str, Any]) -> list[str]:
    return [mark(layer) for layer in spec["layer"]]


def rows_of(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    """The data a layer draws: inline, or by name from the spec's datasets."""
    data = layer.get("data", spec.get("data"))
    assert data is not None
    rows = data["values"] if "values" in data else spec["datasets"][data["name"]]
    return list(rows)


def texts(spec: dict[str, Any]) -> list[str]:
    """The literal texts the chart's own layers carry."""
    return [
        str(row["text"]) for layer in spec["layer"] for row in rows_of(spec, layer) if "text" in row
    ]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("nl", "Te weinig gegevens voor een index in elk kwartaal"),
        ("en", "Too little data for an index in every quarter"),
    ],
)
def test_no_quarter_with_an_index_says_so(lang: Language, message: str) -> None:
    spec = charts.index_chart(index_rows([None, None, None]), NO_EFFECTS, lang, country="X")
    assert message in texts(spec)
    assert marks(spec).count("rect") == 1  # the three quarters shaded
    assert message in charts.svg(spec)  # and drawn


def test_quarters_without_an_index_are_marked_and_the_rest_drawn() -> None:
    spec = charts.index_chart(index_rows([50.0, None, 60.0, 55.0]), NO_EFFECTS, "en")
    assert "Too little data for an index in every quarter" not in texts(spec)
    (rect,) = [layer for layer in spec["layer"] if mark(layer) == "rect"]
    short = rows_of(spec, rect)
    assert [row["period"] for row in short] == ["2023Q2"]
    assert short[0]["why"] == "too little data"


def test_every_quarter_with_an_index_has_no_marks_for_missing_data() -> None:
    spec = charts.index_chart(index_rows([50.0, 52.0]), NO_EFFECTS, "nl")
    assert "rect" not in marks(spec)
    assert not any("Te weinig" in text for text in texts(spec))


def test_a_country_without_any_period_gets_the_message() -> None:
    spec = charts.index_chart(index_rows([]), NO_EFFECTS, "en")
    assert "Too little data for an index in every quarter" in texts(spec)


def test_instruments_are_drawn_from_the_first_period_on() -> None:
    effects = pl.DataFrame(
        {
            "instrument_id": ["early", "visa"],
            "start_on": [dt.date(2020, 1, 1), dt.date(2023, 5, 1)],
            "title": ["before the chart", "visa measure"],
            "verdict": ["no_clear_change", "increase"],
        }
    )
    spec = charts.index_chart(index_rows([50.0, 52.0, 54.0]), effects, "en")
    (rule,) = [layer for layer in spec["layer"] if mark(layer) == "rule"]
    rows = rows_of(spec, rule)
    assert [row["instrument_id"] for row in rows] == ["visa"]


def test_dutch_charts_have_dutch_months_and_decimal_commas() -> None:
    rows = index_rows([50.5, 52.0, 54.0, 55.0])
    dutch = charts.svg(charts.index_chart(rows, NO_EFFECTS, "nl"))
    english = charts.svg(charts.index_chart(rows, NO_EFFECTS, "en"))
    assert ">oktober<" in dutch and ">October<" not in dutch
    assert ">October<" in english


def test_the_outcomes_legend_names_only_answers_with_requests() -> None:
    frame = pl.DataFrame(
        {
            "answer": ["positive"] * 2 + ["negative: no_response"] * 2 + ["pending"] * 2,
            "year": [2022, 2023] * 3,
            "n": [12, 15, 0, 0, 3, 0],
        }
    )
    rules = DisclosureRules.from_settings("internal")
    table = disclose_table(frame, rows=["answer"], column="year", rules=rules)
    spec = charts.outcomes_chart(table, "en")
    legend = {row["label"] for row in rows_of(spec, spec)}
    assert legend == {"positive", "pending"}  # nothing shown for "negative: no response"
    assert spec["encoding"]["color"]["scale"]["scheme"] == "tableau20"

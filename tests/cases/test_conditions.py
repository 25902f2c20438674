"""The state of each condition on a date: its latest observation on or before it; no
observation means unknown; only open cases count. By hand, against a plain-Python oracle,
through the store (SQLite and PostgreSQL), and the month-end series against the one-date
counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from retour.analysis import conditions as lights
from retour.config import load_settings
from retour.domain.codes import Table
from retour.service.context import Retour
from retour.store import cases as store_cases

from . import data, oracle
from .conftest import Loaded, history_of, import_into

D = dt.date


def _tiny_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    history = history_of(data.tiny())
    return history.cases, history.observations


def _as_dict(frame: pl.DataFrame) -> dict[str, dict[str, int]]:
    return {row.pop("country"): row for row in frame.iter_rows(named=True)}


def test_tiny_by_hand() -> None:
    cases, observations = _tiny_frames()
    on = lights.condition_counts(cases, observations, D(2023, 6, 30), by_country=True)
    counts = _as_dict(on)
    # MA: A open (removable red that very day); B closed that day -> not open
    assert counts["MA"]["open_cases"] == 1
    assert counts["MA"]["all_green"] == 0
    assert counts["MA"]["removable_not_green"] == 1
    assert counts["MA"]["only_removable"] == 1
    # DZ: C opened that day, never observed (five unknown); D identity never observed
    assert counts["DZ"]["open_cases"] == 2
    assert counts["DZ"]["all_green"] == 0
    assert counts["DZ"]["identity_not_green"] == 2
    assert counts["DZ"]["removable_not_green"] == 1
    assert counts["DZ"]["only_identity"] == 1
    assert counts["DZ"]["only_removable"] == 0
    before = _as_dict(lights.condition_counts(cases, observations, D(2023, 6, 29), by_country=True))
    assert before["MA"]["open_cases"] == 2 and before["MA"]["all_green"] == 2
    assert "DZ" in before and before["DZ"]["open_cases"] == 1  # C is not open yet
    total = lights.condition_counts(cases, observations, D(2023, 6, 30), by_country=False)
    assert total.row(0, named=True)["open_cases"] == 3


def test_tiny_states_at_per_row() -> None:
    cases, observations = _tiny_frames()
    key = dict(zip(cases["case_id"], cases["case"], strict=True))
    at = pl.DataFrame(
        {
            "case": [key["A"], key["A"], key["D"]],
            "at": [D(2023, 6, 29), D(2023, 6, 30), D(2022, 1, 1)],
        },
        schema={"case": pl.UInt32, "at": pl.Date},
    )
    states = lights.states_at(at, observations)
    assert states["removable"].to_list() == ["green", "red", "unknown"]
    assert states["identity"].to_list() == ["green", "green", "unknown"]


def test_tiny_monthly() -> None:
    cases, observations = _tiny_frames()
    ends = lights.month_ends(2023, 2023)
    series = lights.monthly_counts(cases, observations, ends, by_country=True)
    ma = series.filter(pl.col("country") == "MA").sort("month_end")
    # A and B all green from 2023-01-31 to 2023-05-31; on 2023-06-30 A is red, B closed
    assert ma["all_green"].to_list() == [2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0]
    assert ma["open_cases"].to_list() == [2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    dz = series.filter(pl.col("country") == "DZ").sort("month_end")
    assert dz["all_green"].sum() == 0
    assert dz["open_cases"].to_list() == [0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]


def test_lights_of_one_case() -> None:
    observations = pl.DataFrame(
        {
            "observed_on": [D(2023, 1, 1), D(2023, 2, 1), D(2023, 3, 1), D(2023, 4, 1)],
            "condition": ["identity", "identity", "identity", "removable"],
            "state": ["red", "green", "green", "unknown"],
        },
        schema={"observed_on": pl.Date, "condition": pl.String, "state": pl.String},
    )
    lit = lights.lights(observations, D(2023, 3, 15))
    row = {r["condition"]: r for r in lit.iter_rows(named=True)}
    assert row["identity"]["state"] == "green"
    assert row["identity"]["since"] == D(2023, 2, 1)  # the run of green began then
    assert row["identity"]["observed_on"] == D(2023, 3, 1)
    assert row["removable"]["state"] == "unknown" and row["removable"]["since"] is None
    assert [c.value for c in lights.blockers(lit)] == [
        "removable", "country_cooperates", "available", "alien_cooperates",
    ]  # fmt: skip
    later = {
        r["condition"]: r for r in lights.lights(observations, D(2023, 4, 1)).iter_rows(named=True)
    }
    assert later["removable"]["state"] == "unknown" and later["removable"]["since"] == D(2023, 4, 1)


def test_month_ends() -> None:
    ends = lights.month_ends(2023, 2024, until=D(2024, 3, 1))
    assert ends[0] == D(2023, 1, 31) and ends[1] == D(2023, 2, 28)
    assert D(2024, 2, 29) in ends and ends[-1] == D(2024, 2, 29)


def test_tiny_through_the_store(database_url: str, tmp_path: Path) -> None:
    import_into(database_url, data.tiny(), tmp_path)
    with Retour(settings=load_settings(), db_override=database_url) as app:
        history = store_cases.condition_history(
            app.database(), first=D(2023, 6, 30), last=D(2023, 6, 30)
        )
        assert sorted(history.cases["case_id"]) == ["A", "C", "D"]
        counts = _as_dict(
            lights.condition_counts(
                history.cases, history.observations, D(2023, 6, 30), by_country=True
            )
        )
        assert counts["MA"]["only_removable"] == 1 and counts["DZ"]["only_identity"] == 1
        span = store_cases.condition_history(
            app.database(), first=D(2023, 1, 1), last=D(2023, 12, 31)
        )
        assert span.observations.height == 5 + 1 + 5 + 4
        dated = span.observations.join(span.cases.select("case", "case_id"), on="case")
        assert dated.filter(pl.col("case_id") == "A")["observed_on"].max() == D(2023, 6, 30)
        assert set(dated["state"].cast(pl.String)) == {"green", "red"}


# -- against the oracle --------------------------------------------------------------------------

DATES = [data.ON, data.ON + dt.timedelta(days=1), data.ON - dt.timedelta(days=1), D(2021, 1, 1),
         D(2022, 2, 28), D(2023, 12, 31)]  # fmt: skip


@pytest.mark.parametrize("on", DATES, ids=str)
def test_counts_match_the_oracle(edges_db: Loaded, on: dt.date) -> None:
    expected = oracle.counts(edges_db.exported, on)
    with Retour(settings=load_settings(), db_override=edges_db.url) as app:
        history = store_cases.condition_history(app.database(), first=on, last=on)
        got = lights.condition_counts(history.cases, history.observations, on, by_country=True)
        total = lights.condition_counts(history.cases, history.observations, on, by_country=False)
    assert got.height == max(len(expected) - 1, 0)
    for row in got.iter_rows(named=True):
        want = expected[row["country"]]
        for column, value in row.items():
            if column != "country":
                assert value == want[column], (row["country"], column)
    for column, value in total.row(0, named=True).items():
        assert value == expected.get("total", {}).get(column, 0), column


def test_monthly_matches_the_oracle(edges_db: Loaded) -> None:
    expected = oracle.monthly(edges_db.exported, 2021, 2023)
    ends = lights.month_ends(2021, 2023)
    with Retour(settings=load_settings(), db_override=edges_db.url) as app:
        history = store_cases.condition_history(app.database(), first=ends[0], last=ends[-1])
    series = lights.monthly_counts(history.cases, history.observations, ends, by_country=True)
    for row in series.iter_rows(named=True):
        assert row["all_green"] == expected.get((row["month_end"].isoformat(), row["country"]), 0)
    totals = lights.monthly_counts(history.cases, history.observations, ends, by_country=False)
    assert totals.height == len(ends)
    for row in totals.iter_rows(named=True):
        assert row["all_green"] == expected.get((row["month_end"].isoformat(), "total"), 0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sweep_agrees_with_the_as_of_join(seed: int) -> None:
    """Two algorithms, one answer: month-end counts from the all-green spans equal the
    one-date counts from the as-of join, for every month end."""
    history = history_of(data.edges(300, seed=seed))
    ends = lights.month_ends(2021, 2023)
    series = lights.monthly_counts(history.cases, history.observations, ends, by_country=True)
    for end in ends[::5]:
        one = lights.condition_counts(history.cases, history.observations, end, by_country=True)
        got = series.filter(pl.col("month_end") == end).filter(pl.col("open_cases") > 0)
        assert dict(zip(got["country"], got["all_green"], strict=True)) == dict(
            zip(one["country"], one["all_green"], strict=True)
        )
        assert dict(zip(got["country"], got["open_cases"], strict=True)) == dict(
            zip(one["country"], one["open_cases"], strict=True)
        )


def test_the_store_reads_no_personal_attributes(edges_db: Loaded) -> None:
    with Retour(settings=load_settings(), db_override=edges_db.url) as app:
        history = store_cases.case_history(
            app.database(), first=D(2021, 1, 1), last=D(2023, 12, 31)
        )
        record = store_cases.case_record(app.database(), "K00001")
    for frame in (history.cases, history.observations, history.requests, history.departures):
        assert not {"sex", "birth_year"} & set(frame.columns)
    assert record is not None and set(record.case) == set(store_cases.CASE_COLUMNS)
    assert not {"sex", "birth_year"} & set(store_cases.CASE_COLUMNS)


def test_history_from_the_store_equals_the_dataset(edges_db: Loaded) -> None:
    from retour.exchange import load as load_folder

    dataset = load_folder(edges_db.exported)
    direct = history_of(dataset)
    with Retour(settings=load_settings(), db_override=edges_db.url) as app:
        stored = store_cases.condition_history(
            app.database(), first=D(2000, 1, 1), last=D(2030, 1, 1)
        )
    left = stored.observations.join(stored.cases.select("case", "case_id"), on="case").drop("case")
    right = direct.observations.join(direct.cases.select("case", "case_id"), on="case").drop("case")
    order = ["case_id", "condition", "observed_on"]
    assert left.sort(order).equals(right.select(left.columns).sort(order))
    assert dataset[Table.CASES].height == stored.cases.height


def test_the_span_of_the_data(database_url: str, tmp_path: Path) -> None:
    with Retour(settings=load_settings(), db_override=database_url) as app:
        assert store_cases.first_opened(app.database()) is None
        assert store_cases.last_date(app.database()) is None
    import_into(database_url, data.tiny(), tmp_path)
    with Retour(settings=load_settings(), db_override=database_url) as app:
        assert store_cases.first_opened(app.database()) == D(2023, 1, 1)
        assert store_cases.last_date(app.database()) == D(2023, 6, 30)

"""The simulator's statuses and terms: the letter's countries, limits kept less often by
countries that cooperate less, and truth.json's in-time probabilities near what happened."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from retour.domain.codes import Table
from retour.exchange import load
from retour.service.simulation import simulate

from . import reference


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("sim")
    simulate("nl", (2019, 2023), 5, folder, scale=0.5)
    return folder, json.loads((folder / "truth.json").read_text())


def test_statuses_name_syria_and_somalia(simulated: tuple[Path, dict[str, object]]) -> None:
    folder, _truth = simulated
    statuses = load(folder, today=dt.date(2024, 1, 2))[Table.COUNTRY_STATUS]
    assert statuses.select("country", "status", "request_kind").rows() == [
        ("SO", "no_document_process", "LP"),
        ("SY", "forced_return_suspended", None),
    ]


def test_terms_are_calendar_and_working_some_deemed_accepted(
    simulated: tuple[Path, dict[str, object]],
) -> None:
    folder, _truth = simulated
    terms = load(folder, today=dt.date(2024, 1, 2))[Table.TERMS]
    assert set(terms["day_count"]) == {"calendar", "working"}
    assert set(terms["deemed_accepted"]) == {"yes", "no"}
    assert terms["document_days"].null_count() < terms.height


def test_truth_states_in_time_probabilities_near_the_observed_shares(
    simulated: tuple[Path, dict[str, object]],
) -> None:
    folder, truth = simulated
    data = load(folder, today=dt.date(2024, 1, 2))
    requests = data[Table.REQUESTS].join(
        data[Table.CASES].select("case_id", "closed_on"), on="case_id"
    )
    due = reference.with_due_dates(requests, data[Table.INSTRUMENTS], data[Table.TERMS])
    observed = (
        due.filter(pl.col("answer_due_on") <= dt.date(2024, 1, 1))
        .group_by("term_id")
        .agg(
            pl.len().alias("n"),
            (
                pl.col("outcome").is_in(["positive", "negative"])
                & (pl.col("outcome_on") <= pl.col("answer_due_on"))
            )
            .mean()
            .alias("share"),
        )
        .filter(pl.col("n") >= 100)
    )
    terms = truth["terms"]
    assert isinstance(terms, dict)
    stated = [np.mean(list(terms[t]["answer_in_time"].values())) for t in observed["term_id"]]
    shares = observed["share"].to_numpy()
    assert observed.height >= 5
    # the limits are missed more where cooperation is lower: the stated probabilities
    # order the terms as what happened does, and lie near it
    assert np.corrcoef(stated, shares)[0, 1] > 0.8
    assert np.abs(np.array(stated) - shares).mean() < 0.12

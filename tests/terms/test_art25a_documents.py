"""The simulator's travel documents after a positive answer follow each country's latent
cooperation (issue 13 item 7): truth.json states per term and year the probability of a
document within its limit, those probabilities differ between countries with the same
limit, and they lie near what the simulated data show."""

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

EXTRACTED = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("sim-documents")
    simulate("nl", (2019, 2023), 5, folder, scale=0.5)
    return folder, json.loads((folder / "truth.json").read_text())


def _observed(folder: Path) -> pl.DataFrame:
    data = load(folder, today=dt.date(2024, 1, 2))
    requests = data[Table.REQUESTS].join(
        data[Table.CASES].select("case_id", "closed_on"), on="case_id"
    )
    due = reference.with_due_dates(requests, data[Table.INSTRUMENTS], data[Table.TERMS])
    return (
        due.filter(pl.col("document_due_on").is_not_null()
                   & (pl.col("document_due_on") <= EXTRACTED))
        .group_by("term_id")
        .agg(
            pl.len().alias("n"),
            (pl.col("document_on").is_not_null()
             & (pl.col("document_on") <= pl.col("document_due_on"))).mean().alias("share"),
        )
        .filter(pl.col("n") >= 60)
    )  # fmt: skip


def test_document_probabilities_follow_cooperation(
    simulated: tuple[Path, dict[str, object]],
) -> None:
    _folder, truth = simulated
    terms = truth["terms"]
    assert isinstance(terms, dict)
    with_documents = {t: v for t, v in terms.items() if v["document_days"] is not None}
    assert with_documents
    for term in with_documents.values():
        stated = term["document_in_time"]
        assert isinstance(stated, dict) and stated, term
        assert all(0.0 < p <= 1.0 for p in stated.values())
    # the same limit gives different probabilities where cooperation differs
    by_limit: dict[tuple[int, str], set[float]] = {}
    for term in with_documents.values():
        mean = round(float(np.mean(list(term["document_in_time"].values()))), 3)
        by_limit.setdefault((term["document_days"], term["day_count"]), set()).add(mean)
    assert any(len(found) > 1 for found in by_limit.values()), by_limit


def test_stated_document_probabilities_lie_near_the_observed_shares(
    simulated: tuple[Path, dict[str, object]],
) -> None:
    folder, truth = simulated
    observed = _observed(folder)
    terms = truth["terms"]
    assert isinstance(terms, dict)
    assert observed.height >= 3
    stated = np.array(
        [np.mean(list(terms[t]["document_in_time"].values())) for t in observed["term_id"]]
    )
    shares = observed["share"].to_numpy()
    # a few positives never get a document (a new procedure blocks it): observed a little lower
    assert np.abs(stated - shares).mean() < 0.12, (stated, shares)

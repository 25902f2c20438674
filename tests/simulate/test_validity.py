"""The simulator writes datasets valid under every rule of CONTRACT.md."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from retour.domain.codes import Table
from retour.simulate.run import Simulation, simulate_dataset, write_simulation
from retour.simulate.scenario import build_scenario

from .contract import read, violations


def _broken(folder: Path) -> dict[str, int]:
    return {rule: n for rule, n in violations(folder).items() if n}


def test_small_run_breaks_no_rule(small_folder: Path) -> None:
    assert _broken(small_folder) == {}


def test_all_nine_tables_and_metadata_are_written(small_folder: Path) -> None:
    names = {p.name for p in small_folder.iterdir()}
    assert names == {f"{t.value}.csv" for t in Table} | {"dataset.json", "truth.json"}
    meta = json.loads((small_folder / "dataset.json").read_text())
    assert meta == {"format": "retour/2", "source": "simulated", "extracted_on": "2024-01-01"}
    tables = read(small_folder)
    assert all(tables[t.value].height > 0 for t in Table)


def test_the_exchange_validator_finds_no_violation(small_folder: Path) -> None:
    exchange = pytest.importorskip("retour.exchange")
    dataset = exchange.load(small_folder, today=dt.date(2024, 1, 1))
    assert dataset.meta.simulated
    assert dataset.counts()[Table.CASES] == read(small_folder)["cases"].height


def test_a_mid_year_extract_is_censored_consistently(tmp_path: Path) -> None:
    cut = dt.date(2022, 6, 30)
    spec = build_scenario("nl", scale=0.1, confound=True, placebos=6)
    write_simulation(simulate_dataset(spec, (2020, 2022), 3, cut), tmp_path)
    assert _broken(tmp_path) == {}
    tables = read(tmp_path)
    requests = tables["requests"]
    assert requests.filter(pl.col("outcome") == "pending").height > 0
    # what is pending at the cut was submitted before it and is decided in the latent life
    assert requests["submitted_on"].max() <= cut
    assert tables["detentions"].filter(pl.col("ended_on").is_null()).height > 0
    instruments = tables["instruments"]
    assert instruments["start_on"].max() <= cut


def test_case_ids_look_pseudonymous_and_say_nothing_of_the_order(small: Simulation) -> None:
    cases = small.dataset[Table.CASES]
    assert cases["case_id"].str.contains(r"^C\d{7}$").all()
    by_id = cases.sort("case_id")["opened_on"]
    assert not by_id.is_sorted()


def test_somalia_gets_no_laissez_passer(small: Simulation) -> None:
    requests = small.dataset[Table.REQUESTS]
    cases = small.dataset[Table.CASES]
    assert cases.filter(pl.col("nationality") == "SO").height > 100
    assert requests.filter(pl.col("country") == "SO").height == 0
    assert requests.filter(pl.col("country") == "SY").height == 0
    assert small.truth["index"]["SO"]["2021"]["index"] is None


def test_the_process_shows_every_kind_of_event(small: Simulation) -> None:
    """All codes the model claims to produce appear: outcomes, reasons, ends, departures."""
    d = small.dataset
    assert set(d[Table.REQUESTS]["outcome"]) == {"pending", "positive", "negative", "withdrawn"}
    assert set(d[Table.REQUESTS]["kind"]) == {"LP", "TO"}
    reasons = set(d[Table.REQUESTS]["reason"].drop_nulls())
    assert reasons == {
        "insufficient_information", "nationality_not_confirmed", "no_response",
        "alien_absconded", "procedure_pending", "departed_otherwise", "other",
    }  # fmt: skip
    ends = set(d[Table.DETENTIONS]["end_reason"].drop_nulls())
    assert ends == {"removed", "no_prospect", "court_order", "max_term", "other"}
    assert set(d[Table.DEPARTURES]["type"]) == {"forced", "independent", "unsupervised"}
    states = d[Table.CONDITIONS].group_by("condition").agg(pl.col("state").unique())
    assert states.height == 5
    positive = d[Table.REQUESTS].filter(pl.col("outcome") == "positive")
    with_document = positive["document_on"].is_not_null().mean()
    assert 0.6 < with_document < 0.98  # most positive answers, not all, get a document
    no_response = d[Table.REQUESTS].filter(pl.col("reason") == "no_response")
    months = (no_response["outcome_on"] - no_response["submitted_on"]).dt.total_days() / 30.44
    assert months.min() >= 5.9 and months.max() <= 12.1

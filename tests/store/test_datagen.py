"""benchmarks/datagen.py writes a valid dataset at every size, whatever value comes first."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl
import pytest

from retour.domain.codes import Table
from retour.exchange import load, write_dataset

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from datagen import make


@pytest.mark.parametrize(("requests", "seed"), [(0, 7), (1, 7), (2, 1), (7, 3), (250, 7)])
def test_the_benchmark_dataset_is_valid_at_every_size(
    tmp_path: Path, requests: int, seed: int
) -> None:
    dataset = make(requests, seed)
    write_dataset(dataset, tmp_path / "data")
    loaded = load(tmp_path / "data", today=dt.date(2024, 1, 2))
    assert loaded.counts()[Table.REQUESTS] == requests
    assert loaded.counts()[Table.CASES] == max(1, requests * 2 // 5)


def test_the_reason_column_is_built_when_its_first_value_is_empty() -> None:
    """The failure datagen had: a reason column whose first value is null (and one whose
    first value is not), with a reason exactly where the outcome needs one."""
    firsts = {make(3, seed)[Table.REQUESTS]["reason"][0] for seed in range(12)}
    assert firsts == {None, "no_response"}
    requests = make(2_000, 5)[Table.REQUESTS]
    assert requests["reason"].dtype == pl.String
    has_reason = requests["reason"].is_not_null()
    assert (has_reason == requests["outcome"].is_in(["negative", "withdrawn"])).all()

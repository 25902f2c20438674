"""Write a large valid dataset in the exchange format, fast, for benchmarks.

Not a simulation of anything: uniform random but valid values, a fixed seed, numpy and
Polars over whole columns. `python benchmarks/datagen.py OUT --requests 1000000`.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from retour.domain import codes
from retour.domain.codes import Table
from retour.domain.dataset import Dataset, DatasetMeta
from retour.exchange import write_dataset

EXTRACTED = dt.date(2024, 1, 1)
START = dt.date(2018, 1, 1)
COUNTRIES = ["MA", "NG", "DZ", "TN", "IQ", "AF", "ER", "SO", "GM", "GN", "ET", "SN", "BD", "MN"]


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(np.datetime64(START, "D") + days.astype("timedelta64[D]"))


def _codes(rng: np.random.Generator, values: list[str], n: int) -> pl.Series:
    return pl.Series(
        np.asarray(values, dtype=object)[rng.integers(0, len(values), n)], dtype=pl.String
    )


def _ids(prefix: str, n: int, width: int) -> pl.Series:
    digits = pl.Series(np.arange(n)).cast(pl.String).str.zfill(width)
    return pl.select(pl.lit(prefix) + pl.lit(digits)).to_series().alias("id")


def make(requests: int, seed: int = 7) -> Dataset:
    rng = np.random.default_rng(seed)
    span = (EXTRACTED - START).days - 400
    n_cases = max(1, requests * 2 // 5)
    opened = rng.integers(0, span, n_cases)
    case_ids = _ids("C", n_cases, 8)
    cases = pl.DataFrame(
        {
            "case_id": case_ids,
            "nationality": _codes(rng, COUNTRIES, n_cases),
            "opened_on": _dates(opened),
            "sex": _codes(rng, ["F", "M"], n_cases),
            "birth_year": pl.Series(rng.integers(1960, 2005, n_cases)),
            "closed_on": pl.Series([None] * n_cases, dtype=pl.Date),
            "close_reason": pl.Series([None] * n_cases, dtype=pl.String),
        }
    )
    owner = rng.integers(0, n_cases, requests)
    submitted = opened[owner] + rng.integers(0, 300, requests)
    outcome_idx = rng.integers(0, 4, requests)
    outcomes = np.asarray([o.value for o in codes.Outcome], dtype=object)[outcome_idx]
    answered = outcome_idx != 0
    outcome_on = np.where(answered, submitted + rng.integers(1, 90, requests), -1)
    # A string column with nulls built by Polars itself: a NumPy object array whose first
    # value is None is not cast to a string column by Polars 2, whatever the size.
    reasons = pl.select(
        pl.when(pl.Series(outcome_idx >= 2, dtype=pl.Boolean)).then(pl.lit("no_response"))
    ).to_series()
    positive = outcome_idx == 1
    doc = np.where(positive, outcome_on + rng.integers(0, 10, requests), -1)
    req = pl.DataFrame(
        {
            "request_id": _ids("R", requests, 9),
            "case_id": case_ids.gather(owner),
            "kind": _codes(rng, ["LP", "TO"], requests),
            "country": cases["nationality"].gather(owner),
            "submitted_on": _dates(submitted),
            "id_evidence": _codes(rng, [e.value for e in codes.IdEvidence], requests),
            "alien_cooperates": _codes(rng, [c.value for c in codes.Cooperates], requests),
            "outcome": pl.Series(outcomes, dtype=pl.String),
            "outcome_on": _dates(outcome_on).set(pl.Series(~answered), None),
            "reason": reasons.cast(pl.String),
            "document_on": _dates(doc).set(pl.Series(~positive), None),
        }
    )
    per_case = 5
    cond_case = np.repeat(np.arange(n_cases), per_case)
    cond = pl.DataFrame(
        {
            "case_id": case_ids.gather(cond_case),
            "observed_on": _dates(opened[cond_case] + np.tile(np.arange(per_case) * 30, n_cases)),
            "condition": pl.Series(
                np.tile([c.value for c in codes.Condition], n_cases), dtype=pl.String
            ),
            "state": _codes(rng, [s.value for s in codes.ConditionState], n_cases * per_case),
        }
    )
    meta = DatasetMeta(source="benchmark", extracted_on=EXTRACTED)
    return Dataset({Table.CASES: cases, Table.REQUESTS: req, Table.CONDITIONS: cond}, meta)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    dataset = make(args.requests, args.seed)
    write_dataset(dataset, args.out)
    print({t.value: n for t, n in dataset.counts().items() if n})


if __name__ == "__main__":
    main()

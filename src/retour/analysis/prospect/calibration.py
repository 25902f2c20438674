"""Checking the prospect against what happened: calibration by decile and Brier scores.

For a date ``on`` (whose horizon has passed in the data), the model is fitted on what was
known on ``on``; every case open on ``on`` gets its predicted probabilities; what happened
in the months after ``on`` is read from the full data. The **baseline** predicts from the
country alone: the share of the landmark cases of that country that departed within the
horizon, drawn towards the overall share by :data:`BASELINE_PRIOR` pseudo-cases.

Used by the benchmark (benchmarks/bench_prospect.py) and the tests; never by the case view.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from retour.analysis import conditions as lights
from retour.analysis.prospect.features import (
    CASE,
    DEPARTED,
    INPUTS,
    History,
    covariates,
    known_on,
    outcomes_after,
)
from retour.analysis.prospect.model import ProspectModel

#: Pseudo-cases of the overall share in the country-only baseline.
BASELINE_PRIOR: Final = 20.0
DECILES: Final = 10


def baseline(model: ProspectModel, countries: pl.Series, months: int) -> pl.Series:
    """The country-only prediction for each of ``countries``."""
    table = model.baseline
    column = f"departed_{months}"
    overall = float(table[column].sum()) / max(float(table["cases"].sum()), 1.0)
    shares = table.select(
        "country",
        share=(pl.col(column) + BASELINE_PRIOR * overall) / (pl.col("cases") + BASELINE_PRIOR),
    )
    return (
        countries.to_frame("country")
        .join(shares, on="country", how="left", maintain_order="left")["share"]
        .fill_null(overall)
        .alias("baseline")
    )


def evaluate(model: ProspectModel, history: History, on: dt.date) -> pl.DataFrame:
    """Per case open on ``on``: its inputs, ``p_{h}``, ``baseline_{h}`` and ``departed_{h}``
    (what happened, from all of ``history``) for each horizon h of the model."""
    known = known_on(history, on)
    at = known.cases.filter(lights.is_open(on)).select(CASE, at=pl.lit(on))
    inputs = covariates(known, at)
    predicted = model.predict(inputs.select(INPUTS), intervals=False)
    horizon = model.options.horizon
    happened = outcomes_after(history, on, horizon=horizon)
    frame = pl.concat([inputs, predicted], how="horizontal").join(
        happened.drop("at"), on=CASE, how="left", maintain_order="left"
    )
    columns: list[pl.Series | pl.Expr] = []
    for h in model.options.horizons:
        columns.append(baseline(model, frame["country"], h).alias(f"baseline_{h}"))
        columns.append(
            ((pl.col("outcome") == DEPARTED) & (pl.col("month") <= h))
            .cast(pl.Int8)
            .alias(f"departed_{h}")
        )
    return frame.with_columns(columns)


def by_decile(evaluated: pl.DataFrame, months: int) -> pl.DataFrame:
    """Cases by decile of the predicted probability: ``decile`` (1..10), ``cases``,
    ``predicted`` (mean), ``observed`` (share that departed) within ``months``."""
    p = pl.col(f"p_{months}")
    ranked = evaluated.with_columns(
        decile=((p.rank("ordinal") - 1) * DECILES // pl.len() + 1).cast(pl.Int64)
    )
    return (
        ranked.group_by("decile")
        .agg(
            cases=pl.len().cast(pl.Int64),
            predicted=p.mean(),
            observed=pl.col(f"departed_{months}").cast(pl.Float64).mean(),
        )
        .sort("decile")
    )


def brier(evaluated: pl.DataFrame, months: int) -> tuple[float, float]:
    """The Brier score of the model and of the country-only baseline within ``months``."""
    y = pl.col(f"departed_{months}").cast(pl.Float64)
    scores = evaluated.select(
        model=((pl.col(f"p_{months}") - y) ** 2).mean(),
        baseline=((pl.col(f"baseline_{months}") - y) ** 2).mean(),
    ).row(0)
    return float(scores[0]), float(scores[1])

"""The prospect of removal of an open case: decision support, never the decision.

The probability that a case open on a date ends in a *demonstrable* departure (forced
return or demonstrable independent departure) within 3 and within 6 months, with an
interval and the number of comparable past cases it rests on. Its inputs are named in
:mod:`retour.analysis.prospect.features` (country, identity evidence, the person's
cooperation, the five conditions, time open) and nothing else; the model is in
:mod:`retour.analysis.prospect.model`; method, model card and the draft entry for the
algorithm register in docs/prospect.md.

- :func:`prospect_model` -- fit on the landmark sample of past cases as known on a date;
- :func:`case_prospect` -- one case's prospect on that date, with its inputs shown;
- :mod:`retour.analysis.prospect.calibration` -- checks against what happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import polars as pl

from retour.analysis.conditions import is_open
from retour.analysis.prospect.features import (
    CASE,
    INPUTS,
    History,
    blocker_pattern,
    covariates,
    known_on,
    landmark_dates,
    landmark_sample,
)
from retour.analysis.prospect.model import (
    MODEL_VERSION,
    ProspectModel,
    ProspectOptions,
    fit_prospect,
)

__all__ = [
    "MODEL_VERSION",
    "Comparable",
    "Estimate",
    "History",
    "Prospect",
    "ProspectModel",
    "ProspectNote",
    "ProspectOptions",
    "ProspectStatus",
    "case_prospect",
    "first_landmark",
    "prospect_model",
]


class ProspectStatus(StrEnum):
    ESTIMATED = "estimated"
    TOO_LITTLE_DATA = "too_little_data"  # too few past cases or departures to learn from
    NOT_OPEN = "not_open"  # the case is not open on the date


class ProspectNote(StrEnum):
    """What a reader must know about one estimate."""

    FEW_COMPARABLE = "few_comparable"  # few past cases like this one: the model fills in
    UNSEEN_COUNTRY = "unseen_country"  # no past case of this nationality in the sample
    WIDE_INTERVAL = "wide_interval"  # the interval spans more than 30 points


#: An interval wider than this (probability points) is flagged.
WIDE: Final = 0.30


@dataclass(frozen=True, slots=True)
class Estimate:
    months: int
    probability: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Comparable:
    """Past landmark cases with the same country, evidence, cooperation and blocker
    pattern, and how many of them departed demonstrably within each horizon."""

    pattern: str
    cases: int
    departed: dict[int, int]


@dataclass(frozen=True, slots=True)
class Prospect:
    """One case's prospect on ``on``, or why there is none (``status``)."""

    on: dt.date
    status: ProspectStatus
    inputs: dict[str, str]
    estimates: tuple[Estimate, ...] = ()
    comparable: Comparable | None = None
    notes: tuple[ProspectNote, ...] = ()
    model: ProspectModel | None = None
    version: str = MODEL_VERSION


def first_landmark(as_of: dt.date, options: ProspectOptions) -> dt.date:
    """The earliest landmark the model on ``as_of`` uses (cases open from then on matter)."""
    return landmark_dates(as_of, horizon=options.horizon, window=options.window)[0]


def prospect_model(
    history: History, as_of: dt.date, options: ProspectOptions | None = None
) -> ProspectModel | None:
    """The model fitted on what was known on ``as_of`` (None: too little data)."""
    chosen = options or ProspectOptions()
    sample = landmark_sample(history, as_of, horizon=chosen.horizon, window=chosen.window)
    return fit_prospect(sample, as_of, chosen)


def case_inputs(history: History, case: int, on: dt.date) -> pl.DataFrame:
    """The inputs of ``case`` (its ``case`` key in ``history``) on ``on``: one row."""
    at = pl.DataFrame({CASE: [case], "at": [on]}, schema={CASE: pl.UInt32(), "at": pl.Date()})
    return covariates(known_on(history, on), at)


def case_prospect(
    model: ProspectModel | None, history: History, case: int, on: dt.date
) -> Prospect:
    """The prospect of ``case`` on ``on`` under ``model`` (fitted on the same date)."""
    inputs = case_inputs(history, case, on)
    shown = {name: str(inputs[name][0]) for name in INPUTS}
    row = history.cases.filter((pl.col(CASE) == case) & is_open(on))
    if row.is_empty():
        return Prospect(on, ProspectStatus.NOT_OPEN, shown)
    if model is None:
        return Prospect(on, ProspectStatus.TOO_LITTLE_DATA, shown)
    predicted = model.predict(inputs.select(INPUTS)).row(0, named=True)
    estimates = tuple(
        Estimate(h, predicted[f"p_{h}"], predicted[f"low_{h}"], predicted[f"high_{h}"])
        for h in model.options.horizons
    )
    pattern = str(inputs.select(blocker_pattern()).item())
    like = model.comparable.filter(
        (pl.col("country") == shown["country"])
        & (pl.col("evidence") == shown["evidence"])
        & (pl.col("cooperation") == shown["cooperation"])
        & (pl.col("pattern") == pattern)
    )
    cases = int(like["cases"].sum()) if like.height else 0
    departed = {
        h: int(like[f"departed_{h}"].sum()) if like.height else 0 for h in model.options.horizons
    }
    notes = []
    if cases < model.options.few_comparable:
        notes.append(ProspectNote.FEW_COMPARABLE)
    if shown["country"] not in model.countries:
        notes.append(ProspectNote.UNSEEN_COUNTRY)
    if any(e.high - e.low > WIDE for e in estimates):
        notes.append(ProspectNote.WIDE_INTERVAL)
    return Prospect(
        on,
        ProspectStatus.ESTIMATED,
        shown,
        estimates,
        Comparable(pattern, cases, departed),
        tuple(notes),
        model,
    )

"""What the prospect of removal may look at, as it stood on a date, and the landmark sample.

The inputs of a case on a date ``t`` (and nothing else -- no sex, no age, no detention):

- ``country``: the case's presumed nationality;
- ``evidence``: the identity evidence (``id_evidence``) of its latest request submitted on
  or before ``t`` -- ``document``, ``indirect``, ``none`` -- or ``no_request``;
- ``cooperation``: whether the person cooperated at that request (``alien_cooperates``:
  ``yes``, ``no``, ``unknown``) or ``no_request``;
- the five conditions' states on ``t`` (:func:`retour.analysis.conditions.states_at`);
- ``time_open``: how long the case has been open on ``t``, in five bands.

The **landmark sample** (:func:`landmark_sample`) is how past cases teach the model without
looking into the future. Landmarks are the month ends ``L`` whose six-month horizon has
passed by the as-of date (the last 24 of them). Every case is assigned to *one* landmark in
advance -- a fixed pseudo-random pick that depends on nothing about the case -- and enters
the sample if it is open on that landmark, with its inputs on ``L`` and what happened in
the six months after ``L``: a demonstrable departure (forced or independent), another end
(a departure without supervision, or the case closed for another reason), or neither.

So each landmark's share of the sample is a random part of the cases open on it -- the same
kind of population as the cases open on the date a prospect is asked for -- and no case
appears twice (the cases are independent, which the intervals assume). Picking a landmark
among the months a case was *open* would not do: a case that stayed long has many such
months, one that left soon has few, so the pick would depend on the future and bias the
sample towards early leavers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import polars as pl

from retour.analysis import conditions as lights
from retour.domain.codes import Cooperates, DepartureType, IdEvidence

CASE: Final = lights.CASE
NO_REQUEST: Final = "no_request"
EVIDENCE_LEVELS: Final = (*(e.value for e in IdEvidence), NO_REQUEST)
COOPERATION_LEVELS: Final = (*(c.value for c in Cooperates), NO_REQUEST)
EVIDENCE_ENUM: Final = pl.Enum(list(EVIDENCE_LEVELS))
COOPERATION_ENUM: Final = pl.Enum(list(COOPERATION_LEVELS))
#: Bands of time open (days from, label): the last one runs on.
TIME_BANDS: Final = ((0, "0-3m"), (91, "3-6m"), (182, "6-12m"), (365, "12-24m"), (730, "24m+"))
TIME_ENUM: Final = pl.Enum([label for _, label in TIME_BANDS])
#: Departures that count: forced return and demonstrable independent departure.
DEMONSTRABLE: Final = (DepartureType.FORCED.value, DepartureType.INDEPENDENT.value)
#: The outcome codes of a landmark: what ended the six months first.
STAYED, DEPARTED, OTHER_END = 0, 1, 2
#: The fractional part of multiples of the golden ratio spreads the landmark picks evenly.
_GOLDEN: Final = 0.6180339887498949

#: The columns of :func:`covariates`, beside ``case`` and ``at``.
INPUTS: Final = ("country", "evidence", "cooperation", *lights.STATE_COLUMNS, "time_open")


@dataclass(frozen=True, slots=True)
class History:
    """Cases and their rows (the store's ``History``; see :mod:`retour.store.cases`).

    - ``cases``: ``case`` (UInt32), ``case_id``, ``nationality``, ``opened_on``,
      ``closed_on``;
    - ``observations``: ``case``, ``observed_on``, ``condition``, ``state`` (enums);
    - ``requests``: ``case``, ``submitted_on``, ``id_evidence``, ``alien_cooperates``;
    - ``departures``: ``case``, ``departed_on``, ``type``.
    """

    cases: pl.DataFrame
    observations: pl.DataFrame
    requests: pl.DataFrame
    departures: pl.DataFrame


def known_on(history: History, on: dt.date) -> History:
    """The history as it could be known on ``on``: later rows gone, later closures open."""
    closed = pl.col("closed_on")
    return History(
        cases=history.cases.filter(pl.col("opened_on") <= on).with_columns(
            pl.when(closed <= on).then(closed).otherwise(None).alias("closed_on")
        ),
        observations=history.observations.filter(pl.col("observed_on") <= on),
        requests=history.requests.filter(pl.col("submitted_on") <= on),
        departures=history.departures.filter(pl.col("departed_on") <= on),
    )


def covariates(history: History, at: pl.DataFrame) -> pl.DataFrame:
    """The inputs (:data:`INPUTS`) of each row of ``at`` (``case``, ``at``) on its date.

    Only rows of ``history`` dated on or before each row's ``at`` are used.
    """
    keyed = at.select(CASE, "at").with_row_index("_row")
    states = lights.states_at(keyed.select(CASE, "at"), history.observations).drop(CASE, "at")
    latest = (
        keyed.sort("at")
        .join_asof(
            history.requests.sort("submitted_on").with_columns(
                pl.col("submitted_on").alias("_submitted")
            ),
            left_on="at",
            right_on="_submitted",
            by=CASE,
            strategy="backward",
            check_sortedness=False,
        )
        .sort("_row")
    )
    cases = history.cases.select(CASE, "nationality", "opened_on")
    base = keyed.join(cases, on=CASE, how="left", maintain_order="left")
    days = (pl.col("at") - pl.col("opened_on")).dt.total_days()
    band = pl.lit(TIME_BANDS[0][1])
    for start, label in TIME_BANDS[1:]:
        band = pl.when(days >= start).then(pl.lit(label)).otherwise(band)
    return pl.concat(
        [
            base.select(
                CASE,
                "at",
                pl.col("nationality").alias("country"),
                time_open=band.cast(TIME_ENUM),
            ),
            latest.select(
                evidence=pl.col("id_evidence").fill_null(NO_REQUEST).cast(EVIDENCE_ENUM),
                cooperation=pl.col("alien_cooperates").fill_null(NO_REQUEST).cast(COOPERATION_ENUM),
            ),
            states,
        ],
        how="horizontal",
    ).select(CASE, "at", *INPUTS)


def blocker_pattern() -> pl.Expr:
    """The conditions not green, as text in seed 002's order (``-`` when all are green)."""
    parts = [
        pl.when(pl.col(c) != lights.GREEN).then(pl.lit(c)).otherwise(None)
        for c in lights.STATE_COLUMNS
    ]
    joined = pl.concat_str(parts, separator="+", ignore_nulls=True)
    return pl.when(joined == "").then(pl.lit("-")).otherwise(joined).alias("pattern")


# -- landmarks -----------------------------------------------------------------------------


def shift_month_end(day: dt.date, months: int) -> dt.date:
    """The last day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return lights.month_ends(index // 12, index // 12)[index % 12]


def landmark_dates(as_of: dt.date, *, horizon: int, window: int) -> list[dt.date]:
    """The month ends ``L`` with ``L`` + ``horizon`` months on or before ``as_of``, the last
    ``window`` of them, oldest first."""
    last = shift_month_end(as_of, -horizon)
    if shift_month_end(last, horizon) > as_of:
        last = shift_month_end(last, -1)
    return [shift_month_end(last, -back) for back in range(window - 1, -1, -1)]


def _month_index(column: pl.Expr) -> pl.Expr:
    return column.dt.year().cast(pl.Int64) * 12 + column.dt.month().cast(pl.Int64)


def landmark_sample(history: History, as_of: dt.date, *, horizon: int, window: int) -> pl.DataFrame:
    """One landmark per past case, with its inputs and what followed within ``horizon``
    months: ``case``, ``at``, :data:`INPUTS`, ``outcome`` (:data:`STAYED`,
    :data:`DEPARTED`, :data:`OTHER_END`) and ``month`` (1..horizon, the month after the
    landmark in which it happened; ``horizon`` when the case stayed).

    Uses only what was known on ``as_of`` (:func:`known_on`); every landmark's horizon ends
    on or before ``as_of``, so nothing is censored.
    """
    known = known_on(history, as_of)
    dates = landmark_dates(as_of, horizon=horizon, window=window)
    marks = pl.Series("marks", dates, dtype=pl.Date)
    spread = (pl.int_range(1, pl.len() + 1, dtype=pl.Int64) * _GOLDEN).mod(1.0)
    assigned = known.cases.sort("case_id").with_columns(
        k=(spread * len(dates)).floor().cast(pl.Int64).clip(0, len(dates) - 1)
    )
    at = assigned.with_columns(at=marks.gather(assigned["k"])).filter(lights.is_open(pl.col("at")))
    at = at.select(CASE, "at")
    inputs = covariates(known, at)
    return inputs.join(_outcomes(known, at, horizon), on=[CASE, "at"], how="left")


def _outcomes(history: History, at: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """What ended each landmark's horizon first, and in which month."""
    departures = history.departures.join(at, on=CASE, how="inner").filter(
        pl.col("departed_on") > pl.col("at")
    )
    demonstrable = pl.col("type").is_in(DEMONSTRABLE)
    first = departures.group_by(CASE).agg(
        departed=pl.col("departed_on").filter(demonstrable).min(),
        unsupervised=pl.col("departed_on").filter(~demonstrable).min(),
    )
    closed = history.cases.select(CASE, "closed_on")
    ends = (
        at.join(first, on=CASE, how="left")
        .join(closed, on=CASE, how="left")
        .with_columns(
            other=pl.min_horizontal(
                pl.when(pl.col("closed_on") > pl.col("at")).then(pl.col("closed_on")),
                "unsupervised",
            )
        )
    )
    start = _month_index(pl.col("at"))
    dep_month = _month_index(pl.col("departed")) - start
    other_month = _month_index(pl.col("other")) - start
    departed = pl.col("departed").is_not_null() & (dep_month <= horizon)
    departed_first = departed & (
        pl.col("other").is_null() | (pl.col("departed") <= pl.col("other"))
    )
    other = pl.col("other").is_not_null() & (other_month <= horizon)
    return ends.select(
        CASE,
        "at",
        outcome=pl.when(departed_first)
        .then(DEPARTED)
        .when(other)
        .then(OTHER_END)
        .otherwise(STAYED)
        .cast(pl.Int8),
        month=pl.when(departed_first)
        .then(dep_month)
        .when(other)
        .then(other_month)
        .otherwise(horizon)
        .clip(1, horizon)
        .cast(pl.Int8),
    )


def outcomes_after(history: History, on: dt.date, *, horizon: int) -> pl.DataFrame:
    """For the cases open on ``on``: what ended the ``horizon`` months after it first
    (``outcome``, ``month``), from *all* of ``history`` -- for checking predictions made on
    ``on`` against what happened, never for making them."""
    open_cases = history.cases.filter(lights.is_open(on)).select(CASE, at=pl.lit(on))
    return _outcomes(history, open_cases, horizon)

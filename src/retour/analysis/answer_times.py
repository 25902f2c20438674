"""How quickly countries answer: cumulative incidence of an answer, per country, kind and period.

For the requests submitted in a period, the Aalen-Johansen estimator gives the share
answered (positively or negatively) by day 30, 60, 90, 180 and 365 after submission, with
withdrawal (for any reason) as a competing event and pending requests censored at the
extraction date; and the median days to an answer -- the day by which half of them were
answered, null when fewer than half are answered within the follow-up. A share for a day
beyond the period's follow-up is null: not yet known, never carried forward.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import polars as pl

from retour.analysis.aalen_johansen import TIME, AalenJohansen, aalen_johansen, cif_column
from retour.analysis.components import answer_events
from retour.analysis.followup import DAYS, follow_up
from retour.analysis.index import ALL_KINDS
from retour.analysis.periods import Granularity, label_expr, ordinal_expr

#: Days at which the cumulative incidence of an answer is reported.
DAYS_REPORTED: Final = (30, 60, 90, 180, 365)
ANSWERED, WITHDRAWN = 1, 2


def answered_column(days: int) -> str:
    return f"answered_{days}d"


@dataclass(frozen=True, slots=True)
class AnswerTimes:
    """``table``: country, period, ordinal, kind (LP, TO or all), n_requests,
    answered_<d>d for each of :data:`DAYS_REPORTED` (0-1), withdrawn_365d (0-1) and
    median_days_to_answer."""

    table: pl.DataFrame
    granularity: Granularity
    as_of: dt.date


def _with_all_kinds(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([frame, frame.with_columns(pl.lit(ALL_KINDS).alias("kind"))])


def _prepared(requests: pl.DataFrame, as_of: dt.date, granularity: Granularity) -> pl.DataFrame:
    fu = answer_events(follow_up(requests, as_of))
    return _with_all_kinds(
        fu.select(
            "country",
            "kind",
            ordinal_expr(pl.col("submitted_on"), granularity).alias("ordinal"),
            DAYS,
            "event",
        )
    )


def answer_times(requests: pl.DataFrame, as_of: dt.date, granularity: Granularity) -> AnswerTimes:
    """The answer-time table of every country, kind and period in ``requests``."""
    keys = ["country", "ordinal", "kind"]
    prepared = _prepared(requests, as_of, granularity)
    aj = aalen_johansen(prepared, time=DAYS, event="event", by=keys, causes=(ANSWERED, WITHDRAWN))
    answered = aj.at(DAYS_REPORTED, ANSWERED, prefix="_a")
    answered = answered.rename({f"_a{d}": answered_column(d) for d in DAYS_REPORTED})
    withdrawn = aj.at([365], WITHDRAWN, prefix="_w").rename({"_w365": "withdrawn_365d"})
    median = aj.first_time_reaching(0.5, ANSWERED, name="median_days_to_answer")
    table = (
        aj.last.select(*keys, pl.col("n").cast(pl.Int64).alias("n_requests"))
        .join(answered, on=keys, how="left")
        .join(withdrawn, on=keys, how="left")
        .join(median, on=keys, how="left")
        .with_columns(
            label_expr(pl.col("ordinal"), granularity).alias("period"),
            pl.col("median_days_to_answer").cast(pl.Float64),
        )
        .sort(["country", "ordinal", "kind"])
    )
    columns = [
        "country",
        "period",
        "ordinal",
        "kind",
        "n_requests",
        *(answered_column(d) for d in DAYS_REPORTED),
        "withdrawn_365d",
        "median_days_to_answer",
    ]
    return AnswerTimes(table.select(columns), granularity, as_of)


def answer_curves(
    requests: pl.DataFrame, as_of: dt.date, granularity: Granularity, country: str
) -> pl.DataFrame:
    """The step functions of one country, for charts: per period and kind (all kinds
    together as ``all``), each day with an event: ``answered`` and ``withdrawn``
    (cumulative incidence, 0-1), and ``at_risk``; starting at day 0."""
    keys = ["period", "kind"]
    prepared = _prepared(requests.filter(pl.col("country") == country), as_of, granularity)
    prepared = prepared.with_columns(label_expr(pl.col("ordinal"), granularity).alias("period"))
    if prepared.is_empty():
        schema = {"period": pl.String, "kind": pl.String, "day": pl.Float64,
                  "answered": pl.Float64, "withdrawn": pl.Float64, "at_risk": pl.Int64}  # fmt: skip
        return pl.DataFrame(schema=schema)
    aj: AalenJohansen = aalen_johansen(
        prepared, time=DAYS, event="event", by=keys, causes=(ANSWERED, WITHDRAWN)
    )
    steps = aj.table.select(
        *keys,
        pl.col(TIME).cast(pl.Float64).alias("day"),
        pl.col(cif_column(ANSWERED)).alias("answered"),
        pl.col(cif_column(WITHDRAWN)).alias("withdrawn"),
        pl.col("at_risk").cast(pl.Int64),
    )
    origin = aj.last.select(
        *keys,
        pl.lit(0.0).alias("day"),
        pl.lit(0.0).alias("answered"),
        pl.lit(0.0).alias("withdrawn"),
        pl.col("n").cast(pl.Int64).alias("at_risk"),
    )
    return pl.concat([origin, steps]).sort([*keys, "day"], maintain_order=True)

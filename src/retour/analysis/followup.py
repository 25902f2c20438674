"""Requests as survival data: how long each was followed, and how its follow-up ended.

A request is followed from the day it was submitted (bekendstelling) until its outcome, or,
while it is pending, until the extraction date (``as_of``): a pending request is *censored*
there, never dropped and never counted as a failure. Times are whole days.

Two readings of a withdrawal:

- For the **answer times** (Aalen-Johansen component), every withdrawal is a competing
  event: the request ended without an answer.
- For the **cooperation index**, a withdrawal for a reason of the case -- the person
  absconded, departed otherwise, a procedure is pending, or another reason on the Dutch
  side -- says nothing about the country: the request is censored on that day, as if it had
  been followed until then. A withdrawal for want of an answer (``no_response``) or for a
  reason the country gave is a failure of the country and stays a competing event.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from typing import Final

import polars as pl

from retour.domain.codes import Outcome, RequestReason

#: The index counts positive answers within this many days of submission.
HORIZON_DAYS: Final = 90

#: Withdrawal reasons that lie with the case, not with the country (censoring for the index).
CASE_REASONS: Final = (
    RequestReason.ALIEN_ABSCONDED,
    RequestReason.DEPARTED_OTHERWISE,
    RequestReason.PROCEDURE_PENDING,
    RequestReason.OTHER,
)


class End(IntEnum):
    """How the follow-up of a request ended (the codes of the ``end`` column)."""

    CENSORED = 0  # pending at the extraction date
    POSITIVE = 1
    NEGATIVE = 2
    WITHDRAWN_COUNTRY = 3  # no response, or a reason of the country
    WITHDRAWN_CASE = 4  # absconded, departed otherwise, procedure pending, other


#: The columns :func:`follow_up` adds.
DAYS: Final = "days"
END: Final = "end"
FOLLOW_UP: Final = "follow_up_days"
DOCUMENT_DAYS: Final = "document_days"
SINCE_ANSWER: Final = "days_since_answer"


def follow_up(requests: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """``requests`` (contract columns) submitted on or before ``as_of``, with:

    - ``days``: submission to outcome, or to ``as_of`` while pending (Int64, >= 0);
    - ``end``: an :class:`End` code (Int8);
    - ``follow_up_days``: submission to ``as_of``, the longest follow-up possible;
    - ``document_days``: answer to document, where a document was issued;
    - ``days_since_answer``: answer to ``as_of``, where there is an answer.
    """
    outcome = pl.col("outcome")
    ended_on = pl.when(outcome == Outcome.PENDING.value).then(pl.lit(as_of)).otherwise("outcome_on")
    case_reason = pl.col("reason").is_in([r.value for r in CASE_REASONS]).fill_null(False)
    end = (
        pl.when(outcome == Outcome.POSITIVE.value)
        .then(End.POSITIVE)
        .when(outcome == Outcome.NEGATIVE.value)
        .then(End.NEGATIVE)
        .when((outcome == Outcome.WITHDRAWN.value) & case_reason)
        .then(End.WITHDRAWN_CASE)
        .when(outcome == Outcome.WITHDRAWN.value)
        .then(End.WITHDRAWN_COUNTRY)
        .otherwise(End.CENSORED)
    )
    answered = outcome.is_in([Outcome.POSITIVE.value, Outcome.NEGATIVE.value])
    return requests.filter(pl.col("submitted_on") <= as_of).with_columns(
        _days(pl.col("submitted_on"), ended_on).clip(lower_bound=0).alias(DAYS),
        end.cast(pl.Int8).alias(END),
        _days(pl.col("submitted_on"), pl.lit(as_of)).alias(FOLLOW_UP),
        _days(pl.col("outcome_on"), pl.col("document_on")).alias(DOCUMENT_DAYS),
        pl.when(answered)
        .then(_days(pl.col("outcome_on"), pl.lit(as_of)))
        .otherwise(None)
        .alias(SINCE_ANSWER),
    )


def _days(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    return (end - start).dt.total_days().cast(pl.Int64)


def latest_date(requests: pl.DataFrame) -> dt.date | None:
    """The newest date in the requests: the extraction date to use when none is recorded."""
    if requests.is_empty():
        return None
    dates = requests.select(
        pl.max_horizontal(
            pl.col("submitted_on").max(), pl.col("outcome_on").max(), pl.col("document_on").max()
        )
    ).item()
    return dates if isinstance(dates, dt.date) else None

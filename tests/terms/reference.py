"""The request-by-request reference for the time limits, which the tests hold the database's
answers against: every request with its term and due dates (:func:`with_due_dates`), and
what is overdue on a date (:func:`overdue`), in Polars over the requests themselves, as
retour computed them before the due dates were staged and joined in the database. Not
retour's code path: its due dates per term and day are ``retour.analysis.terms.due_tables``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from retour.analysis.terms import Overdue, applicable_terms, statuses_on, without_statuses
from retour.domain.codes import DayCount, Outcome
from retour.domain.terms import due_dates


def with_due_dates(
    requests: pl.DataFrame, instruments: pl.DataFrame, terms: pl.DataFrame
) -> pl.DataFrame:
    """The requests that a term applies to, with the term's columns, answer_due_on and
    document_due_on (null unless positive with a document limit)."""
    applied = applicable_terms(instruments, terms).rename({"request_kind": "kind"})
    joined = requests.join(applied, on=["country", "kind"], how="inner").filter(
        (pl.col("submitted_on") >= pl.col("applies_from"))
        & (pl.col("submitted_on") < pl.col("applies_until"))
    )
    limits = joined.select(
        pl.col("reply_days").fill_null(0),
        pl.when(pl.col("outcome") == Outcome.POSITIVE.value)
        .then(pl.col("document_days"))
        .fill_null(0)
        .alias("document_days"),
        (pl.col("day_count") == DayCount.WORKING.value).alias("working"),
    )
    working = limits.get_column("working").to_numpy()
    answer_due = due_dates(
        joined.get_column("submitted_on").to_numpy(),
        limits.get_column("reply_days").to_numpy(),
        working,
    )
    document_due = due_dates(
        joined.get_column("outcome_on").to_numpy(),
        limits.get_column("document_days").to_numpy(),
        working,
    )
    return joined.with_columns(
        pl.Series("answer_due_on", answer_due, pl.Date),
        pl.Series("document_due_on", document_due, pl.Date),
    )


def overdue(due: pl.DataFrame, statuses: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """What is overdue on `on`, one row per request and what it waits for, in
    OVERDUE_COLUMNS, sorted by country, then days over (most first), then request_id.

    `due` is :func:`with_due_dates` of requests that carry their case's ``closed_on``. A
    request of a case closed on or before `on`, or of a country and kind with a status
    that holds on `on`, is not listed.
    """
    closed = (pl.col("closed_on") <= on).fill_null(False)
    live = due.filter((pl.col("submitted_on") <= on) & ~closed)
    live = without_statuses(live, statuses_on(statuses, on))
    not_yet = pl.col("outcome_on").is_null() | (pl.col("outcome_on") > on)
    no_document = pl.col("document_on").is_null() | (pl.col("document_on") > on)
    answer = live.filter(not_yet & (pl.col("answer_due_on") < on)).select(
        *_listed("answer_due_on", Overdue.ANSWER, on), pl.col("deemed_accepted")
    )
    document = live.filter(
        (pl.col("outcome") == Outcome.POSITIVE.value)
        & (pl.col("outcome_on") <= on)
        & no_document
        & (pl.col("document_due_on") < on)
    ).select(
        *_listed("document_due_on", Overdue.DOCUMENT, on),
        pl.lit(None, pl.String).alias("deemed_accepted"),
    )
    return pl.concat([answer, document]).sort(
        ["country", "days_over", "request_id", "what"], descending=[False, True, False, False]
    )


def _listed(due_column: str, what: Overdue, on: dt.date) -> list[pl.Expr]:
    return [
        pl.col("request_id"),
        pl.col("case_id"),
        pl.col("country"),
        pl.col("kind"),
        pl.col("submitted_on"),
        pl.col(due_column).alias("due_on"),
        (pl.lit(on) - pl.col(due_column)).dt.total_days().cast(pl.Int64).alias("days_over"),
        pl.lit(what.value).alias("what"),
    ]

"""Agreed time limits: the due dates per term and day, what is overdue on a date, and how
often a country kept its word (retour/2 terms and country statuses).

Pure functions over frames in the exchange format's columns; no I/O, no disclosure. The due
dates are computed for all rows at once (:func:`retour.domain.terms.due_dates`), per term
and day (:func:`due_tables`) for the database to join to the requests; the request-by-request
reference the tests hold these against is tests/terms/reference.py.

Definitions (docs/overdue.md):

- A term applies to the requests of its kind to its instrument's country submitted on or
  after the instrument's ``start_on`` and before its ``end_on`` (if any), while the
  instrument is ``in_force`` or ``ended``.
- ``answer_due_on`` is the last day of the reply limit counted from ``submitted_on``;
  ``document_due_on`` the last day of ``document_days`` counted from a positive answer's
  ``outcome_on``, in the term's day count.
- A country status holds from its ``start_on`` to its ``end_on`` inclusive; empty
  ``request_kind`` means both kinds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Final

import polars as pl

from retour.domain.codes import DayCount, Outcome
from retour.domain.terms import TERM_KINDS, TERM_STATUSES, due_dates

_OPEN_END: Final = dt.date(9999, 12, 31)
ANSWERED: Final = (Outcome.POSITIVE.value, Outcome.NEGATIVE.value)


class Overdue(StrEnum):
    """What a request waits for past its due date (the `what` column of retour overdue)."""

    ANSWER = "answer"
    DOCUMENT = "document"


#: The columns of `retour overdue --format csv`, exactly.
OVERDUE_COLUMNS: Final = (
    "request_id",
    "case_id",
    "country",
    "kind",
    "submitted_on",
    "due_on",
    "days_over",
    "what",
    "deemed_accepted",
)

#: Bands of days over, for counts instead of a list: (label, first day, last day).
DAY_BANDS: Final = (
    ("1-30", 1, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("366+", 366, None),
)
BAND: Final = "days_over_band"

#: The counts of `retour figures terms`, in order.
COMPLIANCE_COUNTS: Final = (
    "with_terms",
    "answered_in_time",
    "answered_late",
    "not_answered",
    "withdrawn_before_due",
    "documents_in_time",
    "documents_late",
    "documents_missing",
)
COMPLIANCE_DIMENSIONS: Final = ("country", "kind", "year")


def applicable_terms(instruments: pl.DataFrame, terms: pl.DataFrame) -> pl.DataFrame:
    """Each term with the country, kind and days it applies to: term_id, country,
    request_kind, applies_from, applies_until (exclusive), reply_days, day_count,
    deemed_accepted, document_days."""
    usable = instruments.filter(
        pl.col("kind").is_in(TERM_KINDS) & pl.col("status").is_in(TERM_STATUSES)
    ).select(
        "instrument_id",
        "country",
        pl.col("start_on").alias("applies_from"),
        pl.col("end_on").fill_null(_OPEN_END).alias("applies_until"),
    )
    return terms.join(usable, on="instrument_id", how="inner").select(
        "term_id",
        "country",
        "request_kind",
        "applies_from",
        "applies_until",
        "reply_days",
        "day_count",
        "deemed_accepted",
        "document_days",
    )


def statuses_on(statuses: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """country, kind (null: both), status, start_on of the country statuses that hold on a
    date (start_on to end_on inclusive)."""
    holds = (pl.col("start_on") <= on) & (pl.col("end_on").is_null() | (pl.col("end_on") >= on))
    return statuses.filter(holds).select(
        "country", pl.col("request_kind").alias("kind"), "status", "start_on"
    )


def without_statuses(frame: pl.DataFrame, held: pl.DataFrame) -> pl.DataFrame:
    """The rows of `frame` (country, kind) whose country has no status that holds for the
    kind; a status with no kind holds for both."""
    both = held.filter(pl.col("kind").is_null()).select("country").unique()
    one = held.filter(pl.col("kind").is_not_null()).select("country", "kind").unique()
    return frame.join(both, on="country", how="anti").join(one, on=["country", "kind"], how="anti")


def band_of(days_over: pl.Expr) -> pl.Expr:
    """The DAY_BANDS label of a number of days over."""
    expr: pl.Expr = pl.lit(DAY_BANDS[-1][0])
    for label, _first, last in reversed(DAY_BANDS[:-1]):
        assert last is not None
        expr = pl.when(days_over <= last).then(pl.lit(label)).otherwise(expr)
    return expr


def overdue_counts(listed: pl.DataFrame) -> pl.DataFrame:
    """Counts (n) per country, kind, what and band of days over, of an :func:`overdue` list."""
    return (
        listed.with_columns(band_of(pl.col("days_over")).alias(BAND))
        .group_by("country", "kind", "what", BAND)
        .agg(pl.len().cast(pl.Int64).alias("n"))
        .sort("country", "kind", "what", BAND)
    )


def with_shares(counts: pl.DataFrame) -> pl.DataFrame:
    """in_time_share and documents_in_time_share from the counts (null where nothing to
    share)."""
    base = pl.col("with_terms") - pl.col("withdrawn_before_due")
    documents = pl.col("documents_in_time") + pl.col("documents_late") + pl.col("documents_missing")
    return counts.with_columns(
        pl.when(base > 0).then(pl.col("answered_in_time") / base).alias("in_time_share"),
        pl.when(documents > 0)
        .then(pl.col("documents_in_time") / documents)
        .alias("documents_in_time_share"),
    )


# -- due dates as tables, for the database to join (a million requests stay where they are) --


def due_tables(
    applied: pl.DataFrame, last: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """For :func:`applicable_terms`: every day a term applies on and the due dates it gives.

    - answer_due: country, kind, submitted_on, term_id, due_on, deemed_accepted, year, day_n
      (one row per term and submission day, from the term's first day to `last` or the day
      before it ends);
    - document_due: term_id, outcome_on, due_on (one row per term with a document limit and
      day of a positive answer, to `last`);
    - day_numbers: day, day_n (a day's number, so the database can subtract days).
    """
    if applied.is_empty():
        empty = pl.DataFrame(schema={"day": pl.Date, "day_n": pl.Int64})
        answer = pl.DataFrame(schema=_ANSWER_DUE)
        return answer, pl.DataFrame(schema=_DOCUMENT_DUE), empty
    end = pl.min_horizontal(pl.col("applies_until") - pl.duration(days=1), pl.lit(last))
    answer = (
        applied.with_columns(pl.date_ranges("applies_from", end).alias("submitted_on"))
        .explode("submitted_on")
        .drop_nulls("submitted_on")
    )
    answer = answer.with_columns(
        _due("submitted_on", "reply_days", answer).alias("due_on"),
        pl.col("submitted_on").dt.year().cast(pl.Int64).alias("year"),
    )
    document = applied.filter(pl.col("document_days").is_not_null())
    document = (
        document.with_columns(pl.date_ranges("applies_from", pl.lit(last)).alias("outcome_on"))
        .explode("outcome_on")
        .drop_nulls("outcome_on")
    )
    document = document.with_columns(_due("outcome_on", "document_days", document).alias("due_on"))
    first = applied.get_column("applies_from").min()
    assert isinstance(first, dt.date)
    days = pl.DataFrame({"day": pl.date_range(first, last, eager=True)})
    days = days.with_columns(pl.col("day").cast(pl.Int64).alias("day_n"))
    answer = answer.rename({"request_kind": "kind"}).join(days, left_on="submitted_on",
                                                          right_on="day", how="left")  # fmt: skip
    return (
        answer.select(_ANSWER_DUE.names()),
        document.select(_DOCUMENT_DUE.names()),
        days,
    )


_ANSWER_DUE: Final = pl.Schema(
    {"country": pl.String(), "kind": pl.String(), "submitted_on": pl.Date(),
     "term_id": pl.String(), "due_on": pl.Date(), "deemed_accepted": pl.String(),
     "year": pl.Int64(), "day_n": pl.Int64()}
)  # fmt: skip
_DOCUMENT_DUE: Final = pl.Schema(
    {"term_id": pl.String(), "outcome_on": pl.Date(), "due_on": pl.Date()}
)


def _due(start: str, days: str, frame: pl.DataFrame) -> pl.Series:
    working = (frame.get_column("day_count") == DayCount.WORKING.value).to_numpy()
    due = due_dates(
        frame.get_column(start).to_numpy(),
        frame.get_column(days).fill_null(0).to_numpy(),
        working,
    )
    return pl.Series(due, dtype=pl.Date)


def counts_from_groups(groups: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """country, kind, what, due_on, n (overdue requests grouped in the database) -> counts
    per country, kind, what and band of days over (as :func:`overdue_counts`)."""
    days = (pl.lit(on) - pl.col("due_on")).dt.total_days()
    return (
        groups.with_columns(band_of(days).alias(BAND))
        .group_by("country", "kind", "what", BAND)
        .agg(pl.col("n").sum().cast(pl.Int64))
        .sort("country", "kind", "what", BAND)
    )


def listed_from_rows(rows: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Overdue rows from the database (OVERDUE_COLUMNS less days_over) in the list's order."""
    days = (pl.lit(on) - pl.col("due_on")).dt.total_days().cast(pl.Int64).alias("days_over")
    return (
        rows.with_columns(days)
        .select(OVERDUE_COLUMNS)
        .sort(
            ["country", "days_over", "request_id", "what"], descending=[False, True, False, False]
        )
    )


def compliance_from_histogram(hist: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """country, kind, year, answer (a part of with_terms), document (a document part or
    null), days (to a positive or negative answer, or null), n -> the compliance frame of
    :func:`compliance`: counts, shares and the median days to answer."""
    keys = list(by)
    parts = ("answered_in_time", "answered_late", "not_answered", "withdrawn_before_due")
    documents = ("documents_in_time", "documents_late", "documents_missing")
    counted = [
        *(pl.col("n").filter(pl.col("answer") == p).sum().alias(p) for p in parts),
        *(pl.col("n").filter(pl.col("document") == d).sum().alias(d) for d in documents),
        pl.col("n").sum().alias("with_terms"),
    ]
    grouped = hist.group_by(keys).agg(*counted) if keys else hist.select(*counted)
    medians = weighted_medians(hist.filter(pl.col("days").is_not_null()), keys)
    frame = (
        grouped.join(medians, on=keys, how="left")
        if keys
        else grouped.with_columns(
            pl.lit(medians.get_column("median_days_to_answer").first()).alias(
                "median_days_to_answer"
            )
        )
    )
    columns = ["with_terms", *parts, *documents]
    frame = frame.select(*keys, *(pl.col(c).cast(pl.Int64) for c in columns),
                         "median_days_to_answer")  # fmt: skip
    return with_shares(frame).sort(keys)


def weighted_medians(hist: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The median of `days` repeated `n` times, per group (the mean of the two middle
    values when the count is even)."""
    if not keys:
        hist = hist.with_columns(pl.lit(0).alias("_all"))
        return weighted_medians(hist, ["_all"]).drop("_all")
    grouped = hist.group_by([*keys, "days"]).agg(pl.col("n").sum()).sort([*keys, "days"])
    marked = grouped.with_columns(
        pl.col("n").sum().over(keys).alias("total"), pl.col("n").cum_sum().over(keys).alias("upto")
    )
    # the values at the 0-based positions (total - 1) // 2 and total // 2 of the sorted days
    low = pl.col("days").filter(pl.col("upto") > (pl.col("total") - 1) // 2).first()
    high = pl.col("days").filter(pl.col("upto") > pl.col("total") // 2).first()
    return marked.group_by(keys).agg(((low + high) / 2).alias("median_days_to_answer"))

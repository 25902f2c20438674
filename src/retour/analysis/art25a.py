"""The Article 25a indicators of one year, per country (docs/overdue.md, "Article 25a").

Pure functions over counts the database made; no I/O, no disclosure. Per country (the
nationality for cases and departures, the country addressed for requests):

- ``return_decisions``: cases opened in the year;
- ``returns``: departures in the year of type forced or independent;
- ``return_rate``: returns / return_decisions of the same year -- not a cohort rate: the
  returns of a year belong to cases opened in that year and before;
- ``requests``: requests submitted in the year; ``positive``: of those, answered positive by
  the extraction date; ``positive_share`` = positive / requests;
- ``answered_in_time_share``: as ``retour figures terms`` (in_time_share) for the requests of
  the year with terms whose answer was due by the extraction date; empty without terms;
- ``median_days_to_answer``: calendar days from submission to a positive or negative answer,
  the median over the year's requests answered so by the extraction date;
- ``documents_in_time_share``: as ``retour figures terms`` (documents_in_time_share).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from retour.analysis.terms import weighted_medians
from retour.domain.codes import InstrumentStatus, Outcome
from retour.domain.terms import TERM_KINDS

#: The columns of `retour figures art25a --format csv`, exactly, in this order.
ART25A_COLUMNS: Final = (
    "country",
    "return_decisions",
    "returns",
    "return_rate",
    "requests",
    "positive",
    "positive_share",
    "answered_in_time_share",
    "median_days_to_answer",
    "documents_in_time_share",
)
#: The answers a request of the year can have by the extraction date (its parts).
OUTCOMES: Final = tuple(o.value for o in Outcome)
#: The count columns of the indicators (the rest are shares and the median).
COUNTS: Final = ("return_decisions", "returns", "requests", "positive")
_ANSWERED: Final = (Outcome.POSITIVE.value, Outcome.NEGATIVE.value)


def countries_of(*frames: pl.DataFrame) -> list[str]:
    """Every country of the frames' ``country`` columns, sorted."""
    codes: set[str] = set()
    for frame in frames:
        codes.update(c for c in frame.get_column("country").to_list() if c is not None)
    return sorted(codes)


def on_every_country(
    counts: pl.DataFrame, countries: list[str], column: str, values: tuple[str, ...]
) -> pl.DataFrame:
    """country, `column`, n for every country and value (0 where `counts` has none)."""
    grid = pl.DataFrame({"country": countries}).join(
        pl.DataFrame({column: list(values)}), how="cross"
    )
    summed = counts.group_by("country", column).agg(pl.col("n").sum())
    return grid.join(summed, on=["country", column], how="left").with_columns(
        pl.col("n").fill_null(0).cast(pl.Int64)
    )


def exact_indicators(
    cases: pl.DataFrame, returns: pl.DataFrame, requests: pl.DataFrame, shares: pl.DataFrame
) -> pl.DataFrame:
    """ART25A_COLUMNS from exact counts (internal, and the tests' reference): `cases`
    (country, n), `returns` (country, type, n), `requests` (country, outcome, reason, days,
    n) and `shares` (country, in_time_share, documents_in_time_share)."""
    countries = countries_of(cases, returns, requests)
    frame = pl.DataFrame({"country": countries})
    decided = cases.group_by("country").agg(pl.col("n").sum().alias("return_decisions"))
    left = returns.group_by("country").agg(pl.col("n").sum().alias("returns"))
    asked = requests.group_by("country").agg(
        pl.col("n").sum().alias("requests"),
        pl.col("n").filter(pl.col("outcome") == Outcome.POSITIVE.value).sum().alias("positive"),
    )
    for part in (decided, left, asked):
        frame = frame.join(part, on="country", how="left")
    frame = frame.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in COUNTS)
    frame = with_rates(frame)
    frame = frame.join(median_days(requests, ["country"]), on="country", how="left")
    frame = frame.join(shares, on="country", how="left").rename(
        {"in_time_share": "answered_in_time_share"}
    )
    return frame.select(ART25A_COLUMNS)


def with_rates(frame: pl.DataFrame) -> pl.DataFrame:
    """return_rate and positive_share from the counts (null where the base is 0 or hidden)."""
    decisions, requests = pl.col("return_decisions"), pl.col("requests")
    return frame.with_columns(
        pl.when(decisions > 0).then(pl.col("returns") / decisions).alias("return_rate"),
        pl.when(requests > 0).then(pl.col("positive") / requests).alias("positive_share"),
    )


def median_days(requests: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """`keys`, median_days_to_answer and answered (positive or negative answers) of
    submitted-requests counts (country, outcome, reason, days, n)."""
    answered = requests.filter(pl.col("outcome").is_in(_ANSWERED) & pl.col("days").is_not_null())
    counts = (
        answered.group_by(keys).agg(pl.col("n").sum().alias("answered"))
        if keys
        else answered.select(pl.col("n").sum().alias("answered"))
    )
    if answered.is_empty():
        return counts.with_columns(pl.lit(None, pl.Float64).alias("median_days_to_answer"))
    medians = weighted_medians(answered, keys)
    if not keys:
        return counts.with_columns(medians.get_column("median_days_to_answer"))
    return counts.join(medians, on=keys, how="left")


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def instruments_in_force(instruments: pl.DataFrame, terms: pl.DataFrame, year: int) -> pl.DataFrame:
    """The instruments in force on some day of `year` (status in_force or ended, started by
    its end, not ended before its start): country, instrument_id, kind, title, start_on,
    end_on, and the terms they set (request_kind, reply_days, day_count,
    deemed_accepted, document_days; null for an instrument without terms)."""
    first, last = year_span(year)
    live = instruments.filter(
        pl.col("status").is_in([InstrumentStatus.IN_FORCE.value, InstrumentStatus.ENDED.value])
        & (pl.col("start_on") <= last)
        & (pl.col("end_on").is_null() | (pl.col("end_on") > first))
    )
    set_terms = terms.filter(
        pl.col("instrument_id").is_in(
            live.filter(pl.col("kind").is_in(TERM_KINDS)).get_column("instrument_id").to_list()
        )
    ).select("instrument_id", "request_kind", "reply_days", "day_count", "deemed_accepted",
             "document_days")  # fmt: skip
    return (
        live.select("country", "instrument_id", "kind", "title", "start_on", "end_on")
        .join(set_terms, on="instrument_id", how="left")
        .sort("country", "start_on", "instrument_id", "request_kind", nulls_last=True)
    )


def statuses_in_year(statuses: pl.DataFrame, year: int) -> pl.DataFrame:
    """The country statuses that hold on some day of `year`: country, kind (null: both),
    status, start_on -- one per country, kind and status, the earliest start."""
    first, last = year_span(year)
    holds = (pl.col("start_on") <= last) & (
        pl.col("end_on").is_null() | (pl.col("end_on") >= first)
    )
    return (
        statuses.filter(holds)
        .group_by("country", "request_kind", "status")
        .agg(pl.col("start_on").min())
        .rename({"request_kind": "kind"})
        .select("country", "kind", "status", "start_on")
        .sort("country", "kind", "status", nulls_last=False)
    )


__all__ = [
    "ART25A_COLUMNS",
    "COUNTS",
    "OUTCOMES",
    "countries_of",
    "exact_indicators",
    "instruments_in_force",
    "median_days",
    "on_every_country",
    "statuses_in_year",
    "with_rates",
]

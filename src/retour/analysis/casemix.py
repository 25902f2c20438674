"""Requests aggregated for the index models: counts by cell, case mix and time interval.

A *cell* is a country and a period of submission. Within a cell, requests are grouped by
their case mix -- the kind of request, the identity evidence and whether the person
cooperated -- and, for the answer-time model, the first 90 days after submission are cut
into intervals (0-15, 15-30, ... 75-90 days). Per group and interval the tables hold the
days at risk (exposure) and the events in it: the piecewise-exponential layout, in which a
Poisson model of events with log exposure as offset is the survival model.

Times in days: an event on day d (d days after submission) is placed at d - 0.5 (the
middle of that day; 0.25 for the day of submission itself), so "within 90 days" means
"on day 90 or earlier"; a pending request is at risk through its follow-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl
from numpy.typing import NDArray

from retour.analysis.followup import DAYS, END, HORIZON_DAYS, End
from retour.analysis.periods import Granularity, ordinal_expr
from retour.domain.codes import Cooperates, IdEvidence, RequestKind

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: The interval breaks of the first 90 days.
BREAKS: Final = (0, 15, 30, 45, 60, 75, 90)

#: Case-mix columns of the models: each a non-reference code (reference: LP, document, yes).
CASE_MIX: Final = (
    ("kind", RequestKind.TO.value),
    ("id_evidence", IdEvidence.INDIRECT.value),
    ("id_evidence", IdEvidence.NONE.value),
    ("alien_cooperates", Cooperates.NO.value),
    ("alien_cooperates", Cooperates.UNKNOWN.value),
)
CASE_MIX_NAMES: Final = tuple(f"{column}={code}" for column, code in CASE_MIX)
KEYS: Final = ("country", "ordinal", "kind", "id_evidence", "alien_cooperates")

#: Causes in the index models' time column.
ANSWER, FAIL = 1, 2


def index_time(horizon: int = HORIZON_DAYS) -> tuple[pl.Expr, pl.Expr]:
    """(time, cause) for the index models: answers and the country's withdrawals within
    ``horizon`` days are events; a withdrawal for a reason of the case, a pending request and
    anything after the horizon are censored."""
    end, days = pl.col(END), pl.col(DAYS)
    event_time = pl.when(days >= 1).then(days.cast(pl.Float64) - 0.5).otherwise(0.25)
    answer = end.is_in([End.POSITIVE, End.NEGATIVE])
    fail = end == End.WITHDRAWN_COUNTRY
    within = days <= horizon
    cause = (
        pl.when(answer & within)
        .then(ANSWER)
        .when(fail & within)
        .then(FAIL)
        .otherwise(0)
        .cast(pl.Int8)
    )
    time = (
        pl.when(end == End.CENSORED)
        .then(days.cast(pl.Float64))
        .when(end == End.WITHDRAWN_CASE)
        .then((days.cast(pl.Float64) - 0.5).clip(lower_bound=0.0))
        .otherwise(event_time)
        .clip(upper_bound=float(horizon))
    )
    return time, cause


@dataclass(frozen=True, slots=True)
class Cells:
    """The countries and periods of an analysis, and their integer codes."""

    countries: tuple[str, ...]
    first: int  # ordinal of the first period
    periods: int
    granularity: Granularity

    @property
    def count(self) -> int:
        return len(self.countries) * self.periods

    def frame(self) -> pl.DataFrame:
        """Every cell: country, ordinal, cell (its code), country_code, period_code."""
        c = np.repeat(np.arange(len(self.countries)), self.periods)
        p = np.tile(np.arange(self.periods), len(self.countries))
        return pl.DataFrame(
            {
                "country": np.asarray(self.countries, dtype=object)[c].tolist(),
                "ordinal": (p + self.first).astype(np.int64),
                "cell": (c * self.periods + p).astype(np.int64),
                "country_code": c.astype(np.int64),
                "period_code": p.astype(np.int64),
            },
            schema={
                "country": pl.String,
                "ordinal": pl.Int64,
                "cell": pl.Int64,
                "country_code": pl.Int64,
                "period_code": pl.Int64,
            },
        )


def cells_of(fu: pl.DataFrame, granularity: Granularity, last_ordinal: int) -> Cells:
    """The cells spanned by the requests: every country, every period from the first
    submission to the period holding the extraction date."""
    countries = tuple(sorted(fu["country"].unique().to_list()))
    first = fu.select(ordinal_expr(pl.col("submitted_on"), granularity).min()).item()
    first = int(first) if first is not None else last_ordinal
    return Cells(countries, first, max(last_ordinal - first + 1, 1), granularity)


def with_cells(fu: pl.DataFrame, cells: Cells) -> pl.DataFrame:
    """Adds ``ordinal``, ``cell``, ``country_code`` and ``period_code``."""
    codes = pl.DataFrame(
        {"country": list(cells.countries), "country_code": np.arange(len(cells.countries))},
        schema={"country": pl.String, "country_code": pl.Int64},
    )
    return (
        fu.with_columns(ordinal_expr(pl.col("submitted_on"), cells.granularity).alias("ordinal"))
        .join(codes, on="country", how="inner")
        .with_columns((pl.col("ordinal") - cells.first).alias("period_code"))
        .filter(pl.col("period_code").is_between(0, cells.periods - 1))
        .with_columns(
            (pl.col("country_code") * cells.periods + pl.col("period_code")).alias("cell")
        )
    )


def case_mix_matrix(frame: pl.DataFrame) -> FloatArray:
    """The case-mix indicator columns (:data:`CASE_MIX`) of ``frame`` as floats."""
    return (
        frame.select(
            (pl.col(column) == code).cast(pl.Float64).alias(name)
            for (column, code), name in zip(CASE_MIX, CASE_MIX_NAMES, strict=True)
        )
        .to_numpy()
        .astype(np.float64)
    )


def interval_table(
    coded: pl.DataFrame, breaks: Sequence[int] = BREAKS, horizon: int = HORIZON_DAYS
) -> pl.DataFrame:
    """Exposure and events per cell, case mix and interval (rows with exposure > 0)."""
    time, cause = index_time(horizon)
    timed = coded.with_columns(time.alias("_t"), cause.alias("_cause"))
    t = pl.col("_t")
    aggs: list[pl.Expr] = []
    for j in range(len(breaks) - 1):
        lo, hi = float(breaks[j]), float(breaks[j + 1])
        inside = (t >= lo) & (t < hi) if j < len(breaks) - 2 else (t >= lo) & (t <= hi)
        aggs += [
            (t.clip(lo, hi) - lo).sum().alias(f"exposure_{j}"),
            ((pl.col("_cause") == ANSWER) & inside).sum().alias(f"answers_{j}"),
            ((pl.col("_cause") == FAIL) & inside).sum().alias(f"fails_{j}"),
        ]
    keys = ["cell", "country_code", "period_code", "kind", "id_evidence", "alien_cooperates"]
    wide = timed.group_by(keys).agg(aggs)
    parts = [
        wide.select(
            *keys,
            pl.lit(j, dtype=pl.Int64).alias("interval"),
            pl.col(f"exposure_{j}").alias("exposure"),
            pl.col(f"answers_{j}").cast(pl.Float64).alias("answers"),
            pl.col(f"fails_{j}").cast(pl.Float64).alias("fails"),
        )
        for j in range(len(breaks) - 1)
    ]
    long = pl.concat(parts).filter(pl.col("exposure") > 0)
    return long.sort([*keys, "interval"])


def answer_table(coded: pl.DataFrame, horizon: int = HORIZON_DAYS) -> pl.DataFrame:
    """Answers within ``horizon`` days and the positive ones, per cell and case mix."""
    answered = pl.col(END).is_in([End.POSITIVE, End.NEGATIVE]) & (pl.col(DAYS) <= horizon)
    keys = ["cell", "country_code", "period_code", "kind", "id_evidence", "alien_cooperates"]
    return (
        coded.filter(answered)
        .group_by(keys)
        .agg(
            pl.len().cast(pl.Float64).alias("answers"),
            (pl.col(END) == End.POSITIVE).sum().cast(pl.Float64).alias("positives"),
        )
        .sort(keys)
    )


def period_dummies(period_code: IntArray, periods: int) -> FloatArray:
    """Treatment-coded period indicators (the first period is the reference)."""
    out = np.zeros((period_code.size, max(periods - 1, 0)))
    rows = np.flatnonzero(period_code > 0)
    out[rows, period_code[rows] - 1] = 1.0
    return out

"""The cooperation index per country and period, with its interval, trend and components.

The index (0-100) is the estimated probability that a *standard-case* request -- identity
evidence ``document``, the person cooperating, the kind(s) of request the country was
actually sent -- receives a positive answer within 90 days of submission. How it is
estimated: :mod:`retour.analysis.index_model`; what it means and how to read it:
docs/cooperation-index.md.

"Too little data" replaces the number (index, lower and upper are null) where a cell has
fewer than ``min_requests`` requests or its interval is wider than ``max_width`` points:
the truth is then that the data cannot say. The estimate itself stays in ``estimate`` (and
its band in ``estimate_lower``/``estimate_upper``) for charts that draw the band.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
import polars as pl
from scipy.special import expit

from retour.analysis import casemix
from retour.analysis.check import CHECK_COLUMNS, disagreement, standard_case_check
from retour.analysis.components import COMPONENT_COUNTS, COMPONENTS, components
from retour.analysis.followup import follow_up
from retour.analysis.index_model import (
    IndexEstimates,
    IndexOptions,
    ModelSummary,
    fit_index,
    fit_kind_mix,
)
from retour.analysis.periods import Granularity, Period, label_expr
from retour.domain import codes
from retour.domain.codes import RequestKind

#: The kind of a row over all kinds of request (its home is domain.codes).
ALL_KINDS: Final = codes.ALL_KINDS


class Status(StrEnum):
    """Values of the ``status`` column."""

    OK = "ok"
    TOO_LITTLE_DATA = "too little data"


class Trend(StrEnum):
    """Values of the ``trend`` column: the change since the previous period."""

    UP = "up"
    DOWN = "down"
    STEADY = "steady"


#: The columns of :attr:`CooperationIndex.table`, in order.
COLUMNS: Final = (
    "country",
    "period",
    "ordinal",
    "kind",
    "n_requests",
    "index",
    "lower",
    "upper",
    "status",
    "trend",
    "change",
    "estimate",
    "estimate_lower",
    "estimate_upper",
    "answered_90d",
    "confirmed",
    *COMPONENTS,
    *COMPONENT_COUNTS,
    *CHECK_COLUMNS,
)


@dataclass(frozen=True, slots=True)
class CooperationIndex:
    """The index per country and period, beside its components and the naive share.

    ``table`` (:data:`COLUMNS`): country, period (label), ordinal (see
    :class:`~retour.analysis.periods.Period`), kind (``all``, ``LP`` or ``TO``),
    n_requests (submitted in the period), index, lower, upper (0-100, the interval at
    ``options.level``; null when ``status`` is "too little data"), status, trend ("up",
    "down", "steady"; null without a previous period to compare), change (points since
    the previous period), estimate / estimate_lower / estimate_upper (always filled),
    answered_90d and confirmed (the index's two parts, 0-1, standard case), and the
    components of :mod:`retour.analysis.components` (0-1 shares, days) and the counts
    behind the shares (:data:`~retour.analysis.components.COMPONENT_COUNTS`).
    """

    table: pl.DataFrame
    granularity: Granularity
    kind: str
    as_of: dt.date
    options: IndexOptions
    models: tuple[ModelSummary, ...]

    def period(self, period: Period) -> pl.DataFrame:
        return self.table.filter(pl.col("ordinal") == period.ordinal)

    def country(self, country: str) -> pl.DataFrame:
        return self.table.filter(pl.col("country") == country)


def kind_label(kind: RequestKind | None) -> str:
    return ALL_KINDS if kind is None else kind.value


def last_period(as_of: dt.date, granularity: Granularity) -> Period:
    """The period holding the extraction date."""
    if granularity is Granularity.YEAR:
        return Period(as_of.year)
    return Period(as_of.year, (as_of.month - 1) // 3 + 1)


def assess(
    requests: pl.DataFrame,
    as_of: dt.date,
    granularity: Granularity,
    *,
    kind: RequestKind | None = None,
    options: IndexOptions | None = None,
) -> CooperationIndex:
    """The index for every country and every period of ``granularity`` in the data.

    ``requests``: the contract's requests table. ``as_of``: the extraction date (pending
    requests are censored there). ``kind``: LP or TO only, or None for all requests (the
    standard case then has the country's own mix of kinds in each period). All periods
    are estimated together: the country's other periods inform each one.
    """
    opts = options or IndexOptions()
    fu = follow_up(requests, as_of)
    if kind is not None:
        fu = fu.filter(pl.col("kind") == kind.value)
    label = kind_label(kind)
    if fu.is_empty():
        return CooperationIndex(empty_table(), granularity, label, as_of, opts, ())
    cells = casemix.cells_of(fu, granularity, last_period(as_of, granularity).ordinal)
    coded = casemix.with_cells(fu, cells)
    model = fit_index(coded, cells, opts)
    estimates = fit_kind_mix(coded, cells, opts, model) if kind is None else model
    check = standard_case_check(coded, opts.horizon_days, opts.level, opts.min_requests)
    table = (
        _index_table(estimates, coded, label, check)
        .join(components(coded, model), on="cell", how="left")
        .select(COLUMNS)
    )
    summaries = model.summaries() + (() if estimates is model else estimates.summaries())
    return CooperationIndex(table, granularity, label, as_of, opts, summaries)


def _index_table(
    model: IndexEstimates, coded: pl.DataFrame, kind: str, check: pl.DataFrame
) -> pl.DataFrame:
    opts, cells = model.options, model.cells
    center, var = model.logit_estimates()
    check = check.with_columns(disagreement(check, center, var)).drop("check_var")
    sd = np.sqrt(np.maximum(var, 0.0))
    counts = coded.group_by("cell").agg(pl.len().alias("n_requests"))
    frame = (
        cells.frame()
        .with_columns(
            pl.Series("estimate", model.index * 100.0),
            pl.Series("estimate_lower", expit(center - opts.z * sd) * 100.0),
            pl.Series("estimate_upper", expit(center + opts.z * sd) * 100.0),
            pl.Series("answered_90d", model.answered),
            pl.Series("confirmed", model.confirmed),
        )
        .join(counts, on="cell", how="left")
        .with_columns(pl.col("n_requests").fill_null(0).cast(pl.Int64))
    )
    too_little = (pl.col("n_requests") < opts.min_requests) | (
        (pl.col("estimate_upper") - pl.col("estimate_lower")) > opts.max_width
    )
    frame = frame.with_columns(
        pl.when(too_little)
        .then(pl.lit(Status.TOO_LITTLE_DATA.value))
        .otherwise(pl.lit(Status.OK.value))
        .alias("status")
    )
    frame = frame.join(_trends(frame, model, center), on="cell", how="left").join(
        check, on="cell", how="left"
    )
    shown = pl.col("status") == Status.OK
    return frame.sort(["country", "ordinal"]).select(
        "cell",
        "country",
        label_expr(pl.col("ordinal"), cells.granularity).alias("period"),
        "ordinal",
        pl.lit(kind).alias("kind"),
        "n_requests",
        pl.when(shown).then(pl.col("estimate")).alias("index"),
        pl.when(shown).then(pl.col("estimate_lower")).alias("lower"),
        pl.when(shown).then(pl.col("estimate_upper")).alias("upper"),
        "status",
        "trend",
        "change",
        "estimate",
        "estimate_lower",
        "estimate_upper",
        "answered_90d",
        "confirmed",
        *CHECK_COLUMNS,
    )


def _trends(frame: pl.DataFrame, model: IndexEstimates, center: np.ndarray) -> pl.DataFrame:
    """Up or down where the change since the previous period is clear at the index's level
    (its interval on the logit scale excludes 0, the covariance of the two estimates
    through the country's shared effects included); steady otherwise; null where either
    period has too little data."""
    later = frame.filter(pl.col("period_code") > 0)["cell"].to_numpy().astype(np.int64)
    earlier = later - 1
    change = center[later] - center[earlier]
    sd = np.sqrt(np.maximum(model.change_variance(later, earlier), 0.0))
    z = model.options.z
    trend = np.where(
        change - z * sd > 0,
        Trend.UP.value,
        np.where(change + z * sd < 0, Trend.DOWN.value, Trend.STEADY.value),
    )
    by_cell = frame.sort("cell")
    estimate = by_cell["estimate"].to_numpy()
    status = by_cell["status"].to_numpy()
    known = (status[later] == Status.OK) & (status[earlier] == Status.OK)
    return pl.DataFrame(
        {
            "cell": later,
            "trend": [
                t if k else None for t, k in zip(trend.tolist(), known.tolist(), strict=True)
            ],
            "change": np.where(known, estimate[later] - estimate[earlier], np.nan),
        },
        schema={"cell": pl.Int64, "trend": pl.String, "change": pl.Float64},
    ).with_columns(pl.col("change").fill_nan(None))


def empty_table() -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {c: pl.Float64() for c in COLUMNS}
    schema.update(
        country=pl.String(),
        period=pl.String(),
        ordinal=pl.Int64(),
        kind=pl.String(),
        n_requests=pl.Int64(),
        n_standard=pl.Int64(),
        disagrees=pl.Boolean(),
        **{c: pl.Int64() for c in COMPONENT_COUNTS},
        status=pl.String(),
        trend=pl.String(),
    )
    return pl.DataFrame(schema=schema)

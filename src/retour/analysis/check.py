"""The model-free check beside the index: Aalen-Johansen on the cell's standard cases alone.

The index is a model's answer to "what would happen to a standard case" (identity evidence
``document``, the person cooperating). The check asks the data the same question without
the model: among the cell's own standard-case requests, the Aalen-Johansen cumulative
incidence of a positive answer by day 90 -- a negative answer and a withdrawal for want of
an answer compete with it, a withdrawal for a reason of the case and a pending request are
censored, exactly as for the index (:func:`retour.analysis.casemix.index_time`). No case-mix
adjustment, no shrinkage, no borrowing from other countries or periods: where a country
has few standard cases the check is wide, and where it has fewer than ``min_requests`` it
is not given.

Its variance is the delta-method (Greenwood-type) estimator of Collett, *Modelling
Survival Data in Medical Research* (3rd ed., p. 411), as lifelines' ``AalenJohansenFitter``
computes it; the interval is formed on the log(-log) scale, so it stays within 0..1.

``disagrees``: the index and the check differ beyond chance -- their difference on the logit
scale exceeds 1.96 standard errors of the difference (95%, the level of a claim), the two
variances added. The check uses a subset of the index's requests, so the two are positively
correlated and adding the variances makes the flag cautious: when it says "disagrees", the
model's extrapolation from the other cases does not fit the country's own standard cases.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.special import logit, ndtri

from retour.analysis.aalen_johansen import aalen_johansen as fit_aalen_johansen
from retour.analysis.aalen_johansen import cif_column, events_column
from retour.analysis.casemix import index_time
from retour.analysis.followup import END, End
from retour.domain.codes import Cooperates, IdEvidence

FloatArray = NDArray[np.float64]

#: Causes of the check's time column: a positive answer, a negative one, the country's
#: withdrawal for want of an answer (0: censored).
POSITIVE, NEGATIVE, WITHDRAWN = 1, 2, 3
#: The columns the check adds to the index table.
CHECK_COLUMNS: Final = ("n_standard", "check", "check_lower", "check_upper", "disagrees")
#: The columns of the check a published index table holds (``n_standard`` stays inside).
PUBLISHED_CHECK: Final = ("check", "check_lower", "check_upper", "disagrees")
#: The two-sided level at which the index and the check "disagree".
DISAGREE_LEVEL: Final = 0.95


def standard_requests(coded: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """The standard-case requests with their time and cause for the check."""
    time, cause = index_time(horizon)
    standard = (pl.col("id_evidence") == IdEvidence.DOCUMENT.value) & (
        pl.col("alien_cooperates") == Cooperates.YES.value
    )
    answered = cause == 1
    check_cause = (
        pl.when(answered & (pl.col(END) == End.POSITIVE))
        .then(POSITIVE)
        .when(answered)
        .then(NEGATIVE)
        .when(cause == 2)
        .then(WITHDRAWN)
        .otherwise(0)
    )
    return coded.filter(standard).select(
        "cell", time.alias("time"), check_cause.cast(pl.Int8).alias("cause")
    )


def standard_case_check(
    coded: pl.DataFrame, horizon: int, level: float, min_requests: int
) -> pl.DataFrame:
    """Per cell with standard-case requests: ``n_standard``, ``check`` and its interval
    (``check_lower``, ``check_upper``; 0-100 like the index; null with fewer than
    ``min_requests`` standard cases or before every one of them has had ``horizon`` days)."""
    requests = standard_requests(coded, horizon)
    schema = {"cell": pl.Int64, "n_standard": pl.Int64, "check": pl.Float64,
              "check_var": pl.Float64}  # fmt: skip
    if requests.is_empty():
        return _bounds(pl.DataFrame(schema=schema), level)
    fit = fit_aalen_johansen(requests, time="time", event="cause", by=["cell"], causes=(POSITIVE,))
    at = fit.at([float(horizon)], POSITIVE, prefix="f").rename({f"f{horizon}": "check"})
    steps = fit.table.join(at, on="cell").filter(pl.col("check").is_not_null())
    n, d = pl.col("at_risk").cast(pl.Float64), pl.col("events").cast(pl.Float64)
    d1 = pl.col(events_column(POSITIVE)).cast(pl.Float64)
    lag_s = pl.col("survival").shift(1, fill_value=1.0).over("cell")
    gap = pl.col("check") - pl.col(cif_column(POSITIVE))
    first = pl.when(n > d).then(gap * gap * d / (n * (n - d))).otherwise(0.0)
    second = lag_s * lag_s * d1 * (n - d1) / (n * n * n)
    third = gap * lag_s * d1 / (n * n)
    variance = steps.group_by("cell").agg((first + second - 2.0 * third).sum().alias("check_var"))
    counts = requests.group_by("cell").agg(pl.len().cast(pl.Int64).alias("n_standard"))
    table = (
        counts.join(at, on="cell", how="left")
        .join(variance, on="cell", how="left")
        .with_columns(
            pl.when(pl.col("n_standard") >= min_requests).then(pl.col("check")).alias("check")
        )
        .select(list(schema))
        .cast(schema)  # type: ignore[arg-type]
    )
    return _bounds(table, level)


def _bounds(table: pl.DataFrame, level: float) -> pl.DataFrame:
    """The interval on the log(-log) scale, in points; null where the check is 0 or 1."""
    z = float(ndtri(0.5 + level / 2.0))
    f = pl.col("check")
    inside = (f > 0.0) & (f < 1.0)
    se = pl.col("check_var").clip(lower_bound=0.0).sqrt() / (f * (-f.log()))
    center = (-f.log()).log()
    lower = (-(center + z * se).exp()).exp()
    upper = (-(center - z * se).exp()).exp()
    return table.with_columns(
        (f * 100.0).alias("check"),
        pl.when(inside).then(lower * 100.0).alias("check_lower"),
        pl.when(inside).then(upper * 100.0).alias("check_upper"),
    )


def disagreement(table: pl.DataFrame, center: FloatArray, var: FloatArray) -> pl.Series:
    """``disagrees`` per row of ``table`` (cells in column ``cell``; the index's logit
    ``center`` and ``var`` per cell): null where there is no check or it is 0 or 1."""
    cell = table["cell"].to_numpy()
    f = table["check"].to_numpy().astype(np.float64) / 100.0
    f_var = table["check_var"].to_numpy().astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        check_logit = logit(f)
        check_var = f_var / (f * (1.0 - f)) ** 2
        z = (center[cell] - check_logit) / np.sqrt(var[cell] + check_var)
    known = np.isfinite(z)
    limit = float(ndtri(0.5 + DISAGREE_LEVEL / 2.0))
    values = [bool(abs(v) > limit) if k else None for v, k in zip(z, known, strict=True)]
    return pl.Series("disagrees", values, dtype=pl.Boolean)

"""Test-side estimates from a simulated dataset, to hold against truth.json.

The standard-case index of a country and period is estimated from the requests alone:
standard-case requests (id_evidence document, person cooperating) submitted in the period,
the share answered positively within 90 days, with the Aalen-Johansen estimator written
in its inverse-probability-of-censoring form. Answers (positive or negative) end a request;
a withdrawal for a reason of the case (absconded, departed, a procedure, other) and a request
still pending at the extraction date are censored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from retour.domain.codes import Cooperates, IdEvidence, Outcome, RequestReason

HORIZON = 90
CENSORING_REASONS = [
    RequestReason.ALIEN_ABSCONDED.value,
    RequestReason.DEPARTED_OTHERWISE.value,
    RequestReason.PROCEDURE_PENDING.value,
    RequestReason.OTHER.value,
]


@dataclass(frozen=True)
class Estimate:
    index: float  # 0..1
    n: int
    weight: float  # mean inverse-censoring weight of the positive answers counted (>= 1)

    def z(self, truth: float) -> float:
        """(estimate - truth) / its standard error if truth holds (i.i.d., fixed weights)."""
        variance = max(truth * self.weight - truth * truth, truth * (1 - truth), 1e-4) / self.n
        return (self.index - truth) / float(np.sqrt(variance))


def standard_requests(requests: pl.DataFrame, extracted_on: dt.date) -> pl.DataFrame:
    """Standard-case requests with time (days) and status: 1 positive, 2 other end, 0 censored."""
    std = requests.filter(
        (pl.col("id_evidence") == IdEvidence.DOCUMENT.value)
        & (pl.col("alien_cooperates") == Cooperates.YES.value)
    )
    censored = (pl.col("outcome") == Outcome.PENDING.value) | (
        (pl.col("outcome") == Outcome.WITHDRAWN.value) & pl.col("reason").is_in(CENSORING_REASONS)
    )
    end = pl.col("outcome_on").fill_null(pl.lit(extracted_on))
    return std.with_columns(
        time=(end - pl.col("submitted_on")).dt.total_days(),
        status=pl.when(censored)
        .then(0)
        .when(pl.col("outcome") == Outcome.POSITIVE.value)
        .then(1)
        .otherwise(2),
        year=pl.col("submitted_on").dt.year(),
        quarter=pl.format(
            "{}Q{}", pl.col("submitted_on").dt.year(), pl.col("submitted_on").dt.quarter()
        ),
    )


def cumulative_incidence(time: np.ndarray, status: np.ndarray, horizon: int = HORIZON) -> Estimate:
    """P(positive answer by `horizon`): Aalen-Johansen, written as inverse censoring weights."""
    n = time.size
    if n == 0:
        return Estimate(float("nan"), 0, 1.0)
    # Kaplan-Meier of the censoring time, left limit G(t-): answers come before censorings
    days = np.arange(horizon + 1)
    at_risk = (time[None, :] >= days[:, None]).sum(axis=1)

    def per_day(mask: np.ndarray) -> np.ndarray:
        return np.bincount(time[mask].clip(0, horizon + 1), minlength=horizon + 2)[: horizon + 1]

    cens, answers = per_day(status == 0), per_day(status != 0)
    # at risk of censoring on a day: those still open after that day's answers
    exposed = at_risk - answers
    factor = np.where(exposed > 0, 1.0 - cens / np.maximum(exposed, 1), 1.0)
    g_after = np.cumprod(factor)  # G(t) after the censorings of day t
    g_before = np.concatenate([[1.0], g_after[:-1]])  # G(t-)
    hit = (status == 1) & (time <= horizon)
    contrib = np.zeros(n)
    contrib[hit] = 1.0 / g_before[time[hit]]
    weight = float(contrib[hit].mean()) if hit.any() else 1.0
    return Estimate(float(contrib.mean()), n, weight)

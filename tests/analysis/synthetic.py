"""A small generator of requests with known parameters, for the analysis tests.

Each country has a latent cooperation z per year (logit scale), an answer-time median, a
share of requests it never answers, and its nationals' case mix. A request submitted on a
day is answered after a lognormal delay unless never answered; the answer is positive with
probability logistic(z + case-mix effects); unanswered requests are withdrawn for want of
an answer after a year; the person may abscond first (withdrawn, a reason of the case);
whatever has not happened by the extraction date is pending. The true index of a country
and year is exact:

    index = (1 - never) * Phi((ln 90 - ln median) / sigma) * logistic(z)

Vectorised; independent of the simulator, so the estimators are tested against a truth
that their authors did not write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy.special import expit, ndtr

from retour.domain.codes import Cooperates, IdEvidence, Outcome, RequestKind, RequestReason, Table
from retour.domain.dataset import empty_frame

EVIDENCE = [e.value for e in IdEvidence]
COOPERATES = [c.value for c in Cooperates]
BETA_EVIDENCE = np.array([0.0, -1.3, -2.8])
BETA_COOPERATES = np.array([0.0, -1.5, -0.7])
SIGMA = 0.7
NO_RESPONSE_DAYS = 365
ABSCOND_MEAN_DAYS = 400.0


@dataclass(frozen=True)
class Country:
    code: str
    z: float  # latent cooperation, logit scale
    median_days: float
    never: float
    requests_per_year: int
    evidence_mix: tuple[float, float, float] = (0.4, 0.3, 0.3)
    cooperates_mix: tuple[float, float, float] = (0.4, 0.4, 0.2)
    z_by_year: dict[int, float] = field(default_factory=dict)  # overrides z per year

    def z_in(self, year: int) -> float:
        return self.z_by_year.get(year, self.z)

    def index(self, year: int) -> float:
        answered = (1 - self.never) * ndtr((np.log(90) - np.log(self.median_days)) / SIGMA)
        return float(100 * answered * expit(self.z_in(year)))


@dataclass(frozen=True)
class Synthetic:
    requests: pl.DataFrame
    countries: tuple[Country, ...]
    years: tuple[int, ...]
    as_of: dt.date

    def truth(self) -> pl.DataFrame:
        rows = [(c.code, str(y), c.index(y)) for c in self.countries for y in self.years]
        return pl.DataFrame(
            rows,
            schema={"country": pl.String, "period": pl.String, "truth": pl.Float64},
            orient="row",
        )


def generate(
    countries: list[Country], years: tuple[int, ...], as_of: dt.date, seed: int = 1
) -> Synthetic:
    rng = np.random.default_rng(seed)
    parts = []
    for c in countries:
        for year in years:
            n = c.requests_per_year
            start = dt.date(year, 1, 1)
            days = (dt.date(year + 1, 1, 1) - start).days
            submitted = np.datetime64(start) + rng.integers(0, days, n).astype("timedelta64[D]")
            evidence = rng.choice(3, n, p=c.evidence_mix)
            cooperates = rng.choice(3, n, p=c.cooperates_mix)
            never = rng.random(n) < c.never
            delay = np.ceil(np.exp(np.log(c.median_days) + SIGMA * rng.standard_normal(n)))
            delay = np.where(never | (delay > NO_RESPONSE_DAYS), np.inf, delay)
            positive = rng.random(n) < expit(
                c.z_in(year) + BETA_EVIDENCE[evidence] + BETA_COOPERATES[cooperates]
            )
            abscond = np.ceil(rng.exponential(ABSCOND_MEAN_DAYS, n))
            ends = np.stack([delay, np.full(n, float(NO_RESPONSE_DAYS)), abscond])
            which = np.argmin(ends, axis=0)
            end_day = ends[which, np.arange(n)]
            outcome = np.where(
                which == 0,
                np.where(positive, Outcome.POSITIVE.value, Outcome.NEGATIVE.value),
                Outcome.WITHDRAWN.value,
            ).astype(object)
            reason = np.where(
                which == 0,
                np.where(positive, None, RequestReason.NATIONALITY_NOT_CONFIRMED.value),
                np.where(
                    which == 1,
                    RequestReason.NO_RESPONSE.value,
                    RequestReason.ALIEN_ABSCONDED.value,
                ),
            ).astype(object)
            outcome_on = submitted + end_day.astype(np.int64).astype("timedelta64[D]")
            document = np.where(
                outcome == Outcome.POSITIVE.value,
                outcome_on + rng.integers(1, 40, n).astype("timedelta64[D]"),
                np.datetime64("NaT"),
            )
            parts.append(
                pl.DataFrame(
                    {
                        "country": [c.code] * n,
                        "submitted_on": submitted.astype("datetime64[D]"),
                        "id_evidence": np.asarray(EVIDENCE, dtype=object)[evidence].tolist(),
                        "alien_cooperates": np.asarray(COOPERATES, dtype=object)[
                            cooperates
                        ].tolist(),
                        "outcome": outcome.tolist(),
                        "outcome_on": outcome_on.astype("datetime64[D]"),
                        "reason": reason.tolist(),
                        "document_on": document.astype("datetime64[D]"),
                    }
                )
            )
    frame = pl.concat(parts)
    requests = _censor(frame, as_of).with_row_index("_i")
    requests = requests.select(
        pl.format("R{}", pl.col("_i")).alias("request_id"),
        pl.format("C{}", pl.col("_i")).alias("case_id"),
        pl.lit(RequestKind.LP.value).alias("kind"),
        "country",
        "submitted_on",
        "id_evidence",
        "alien_cooperates",
        "outcome",
        "outcome_on",
        "reason",
        "document_on",
    )
    return Synthetic(
        requests.select(empty_frame(Table.REQUESTS).columns), tuple(countries), years, as_of
    )


def _censor(frame: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """What the extraction date sees: later outcomes are pending, later documents unknown."""
    later = pl.col("outcome_on") > as_of
    return frame.filter(pl.col("submitted_on") <= as_of).with_columns(
        pl.when(later).then(pl.lit(Outcome.PENDING.value)).otherwise("outcome").alias("outcome"),
        pl.when(later).then(None).otherwise("outcome_on").alias("outcome_on"),
        pl.when(later).then(None).otherwise("reason").alias("reason"),
        pl.when(later | (pl.col("document_on") > as_of))
        .then(None)
        .otherwise("document_on")
        .alias("document_on"),
    )

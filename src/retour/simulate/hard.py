"""The hard world: what the easy world leaves out, for honest tests of the analyses.

The easy world (the default, and ``retour demo``'s) gives every country the same case-mix
effects, answers LP and T&O alike and exponentially-fast, withdraws unanswered requests after
half a year and starts every instrument at full strength on its first day. Data from the
field break all of that. ``--world hard`` adds, on top of the easy world:

- country-specific case-mix effects on positivity (each country's deviations from the shared
  evidence and cooperation effects are Normal(0, sd_c), sd_c ~ U(0.3, 0.8) logit) and on
  speed (identity evidence slows answers by a country-specific amount on the log-days scale);
- T&O requests only where a readmission agreement applies, and there only for a
  country-specific share of the requests (the rest stay LP); T&O answered faster (a median of
  1-3 weeks, country-specific) and more often positive (a country-specific bonus);
- withdrawals for want of an answer competing from day 30 (30 + Exp(mean) days);
- heavy-tailed answer times: a mixture of a fast and a slow log-normal component, beside the
  share that never answers;
- small countries (a few mid-size ones at a fifth of their volume);
- staggered instruments on arbitrary days, some with an effect that arrives two or three
  quarters late; random placebos; and reactive placebos, started the day after the
  country's worst quarter as its requests show it (the share of the quarter's requests
  answered positive within 90 days): a measure follows a poor *assessment*, which is the
  truth plus the quarter's sampling noise, so that the next quarters look better by
  regression to the mean alone (``reactive_to`` ``latent``: the worst quarter of the unseen
  latent cooperation instead, as before);
- quarter-to-quarter noise on the latent cooperation beside its slow drift.

Everything is drawn from the run's own random stream (``hard``), so the same seed gives the
same world. The standard case's probability (truth.json) is computed exactly per day: see
:func:`daily_index`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, ndtr

from retour.domain.errors import UsageError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
QUARTER_DAYS = 91


class World(StrEnum):
    EASY = "easy"
    HARD = "hard"


def parse_world(name: str) -> World:
    try:
        return World(name)
    except ValueError:
        known = ", ".join(w.value for w in World)
        raise UsageError(f"unknown world {name!r}.", hint=f"Use one of: {known}.") from None


class Reaction(StrEnum):
    """What a reactive placebo follows: the worst quarter as the requests show it, or the
    worst quarter of the latent cooperation (which no one sees)."""

    OBSERVED = "observed"
    LATENT = "latent"


@dataclass(frozen=True, slots=True)
class HardWorld:
    """The hard world's parameters (docs/simulation.md, "The hard world")."""

    casemix_sd: tuple[float, float] = (0.3, 0.8)  # a country's sd, drawn uniformly in range
    #: mean slowing of answers (log days) by identity evidence: document, indirect, none
    speed_evidence: tuple[float, float, float] = (0.0, 0.25, 0.5)
    speed_casemix_sd: float = 0.3
    to_share: tuple[float, float] = (0.4, 0.9)  # share of T&O among an agreement's requests
    to_median_days: tuple[float, float] = (7.0, 21.0)
    to_bonus: tuple[float, float] = (0.2, 1.2)  # logit, T&O over LP, per country
    withdraw_from_days: int = 30
    withdraw_mean_days: float = 200.0
    fast_share: float = 0.7  # answer times: fast component's share
    fast_factor: float = 0.5  # its median, relative to the country's median
    fast_sigma: float = 0.5
    slow_factor: float = 3.0
    slow_sigma: float = 0.9
    quarter_noise_sd: float = 0.15
    small_countries: tuple[int, int] = (40, 50)  # ranks by weight shrunk ...
    small_factor: float = 0.2  # ... to this share of their volume
    effects: int = 12  # staggered instruments with a real effect
    effect_size: tuple[float, float] = (0.3, 1.3)  # logit; one in four negative
    late_share: float = 0.4  # of those, the share whose effect comes 2-3 quarters late
    random_placebos: int = 8
    reactive_placebos: int = 6
    reactive_to: Reaction = Reaction.OBSERVED
    #: a quarter with fewer requests is no figure a desk would act on
    reactive_min_requests: int = 10
    horizon_days: int = 90


@dataclass(frozen=True, slots=True)
class CountryEffects:
    """Per country (rows in the scenario's order): the hard world's own draws."""

    dev_evidence: FloatArray  # countries x 3, logit, document column 0
    dev_cooperation: FloatArray  # countries x 3, logit, yes column 0
    speed_evidence: FloatArray  # countries x 3, log days, document column 0
    to_share: FloatArray
    to_log_median: FloatArray
    to_bonus: FloatArray


def draw_effects(hw: HardWorld, countries: int, rng: np.random.Generator) -> CountryEffects:
    sd = rng.uniform(*hw.casemix_sd, countries)[:, None]
    dev_e = rng.normal(0.0, 1.0, (countries, 3)) * sd
    dev_c = rng.normal(0.0, 1.0, (countries, 3)) * sd
    speed = np.array(hw.speed_evidence) + rng.normal(0.0, hw.speed_casemix_sd, (countries, 3))
    for a in (dev_e, dev_c, speed):
        a[:, 0] = 0.0  # the standard case is the reference
    return CountryEffects(
        dev_evidence=dev_e,
        dev_cooperation=dev_c,
        speed_evidence=speed,
        to_share=rng.uniform(*hw.to_share, countries),
        to_log_median=np.log(rng.uniform(*hw.to_median_days, countries)),
        to_bonus=rng.uniform(*hw.to_bonus, countries),
    )


def answer_cdf(hw: HardWorld, days: FloatArray, log_median: FloatArray) -> FloatArray:
    """P(delay <= days) under the fast/slow log-normal mixture around ``log_median``."""
    fast = ndtr((np.log(days) - log_median - np.log(hw.fast_factor)) / hw.fast_sigma)
    slow = ndtr((np.log(days) - log_median - np.log(hw.slow_factor)) / hw.slow_sigma)
    out: FloatArray = hw.fast_share * fast + (1.0 - hw.fast_share) * slow
    return out


def draw_delay(hw: HardWorld, log_median: FloatArray, rng: np.random.Generator) -> FloatArray:
    n = log_median.size
    fast = rng.random(n) < hw.fast_share
    factor = np.where(fast, np.log(hw.fast_factor), np.log(hw.slow_factor))
    sigma = np.where(fast, hw.fast_sigma, hw.slow_sigma)
    delay: FloatArray = np.exp(log_median + factor + sigma * rng.standard_normal(n))
    return delay


def draw_wait(hw: HardWorld, n: int, rng: np.random.Generator) -> IntArray:
    """Days until a withdrawal for want of an answer: 30 + floor(Exp(mean))."""
    extra = np.floor(rng.exponential(hw.withdraw_mean_days, n)).astype(np.int64)
    return hw.withdraw_from_days + extra


def answered_in_time(hw: HardWorld, log_median: FloatArray, never: FloatArray) -> FloatArray:
    """P(answered by day 90, before a withdrawal for want of an answer), exactly.

    The answer comes on day k = ceil(delay) (P(k) = F(k) - F(k-1)) and counts if the
    withdrawal has not come first: the wait is at least k, P = exp(-(k - 30) / mean) for
    k > 30 (the answer wins a tie, as in the chain). Works elementwise on any shape.
    """
    k = np.arange(1, hw.horizon_days + 1, dtype=np.float64)
    shape = (*log_median.shape, 1)
    lm = log_median.reshape(shape)
    cdf_hi = answer_cdf(hw, k, lm)
    cdf_lo = answer_cdf(hw, np.maximum(k - 1, 1e-300), lm)
    cdf_lo[..., 0] = 0.0
    stays = np.exp(-np.maximum(k - hw.withdraw_from_days, 0.0) / hw.withdraw_mean_days)
    within: FloatArray = ((cdf_hi - cdf_lo) * stays).sum(axis=-1) * (1.0 - never)
    return within


@dataclass(frozen=True, slots=True)
class DailyIndex:
    """Standard-case probabilities per day (0..1): all kinds mixed, LP, T&O; share of T&O."""

    all: FloatArray
    lp: FloatArray
    to: FloatArray
    to_share: FloatArray


def daily_index(
    hw: HardWorld,
    fx: CountryEffects,
    row: int,
    z: FloatArray,
    shift: FloatArray,
    log_median0: float,
    never: FloatArray,
    readmission: BoolArray,
    lp_process: bool,
    speed_slope: float,
) -> DailyIndex:
    """The standard case (document, cooperating) on each day of one country's timeline.

    LP: answered in time (fast/slow mixture around the country's median, the competing
    withdrawal) times logistic(z); T&O: the same around the T&O median, times
    logistic(z + bonus). All: the mix by the day's T&O share (the country's share while an
    agreement applies, all T&O where there is no LP process, else none).
    """
    lp = answered_in_time(hw, log_median0 - speed_slope * shift, never) * expit(z)
    to_lm = fx.to_log_median[row] - speed_slope * shift
    to = answered_in_time(hw, to_lm, never) * expit(z + fx.to_bonus[row])
    share = np.where(readmission, fx.to_share[row] if lp_process else 1.0, 0.0)
    return DailyIndex(all=share * to + (1.0 - share) * lp, lp=lp, to=to, to_share=share)


def quarter_noise(
    hw: HardWorld, origin: dt.date, countries: int, days: int, rng: np.random.Generator
) -> FloatArray:
    """A step per calendar quarter: Normal(0, sd) for each country and quarter."""
    day = np.arange(days)
    dates = np.datetime64(origin) + day
    months = dates.astype("datetime64[M]").astype(np.int64)
    quarter = months // 3 - months[0] // 3
    steps = rng.normal(0.0, hw.quarter_noise_sd, (countries, int(quarter[-1]) + 1))
    noise: FloatArray = steps[:, quarter]
    return noise


def worst_quarter_end(z_row: FloatArray, origin: dt.date, first: dt.date, last: dt.date) -> dt.date:
    """The day after the quarter (between ``first`` and ``last``) with the lowest mean z."""
    best: tuple[float, dt.date] | None = None
    year, q = first.year, (first.month - 1) // 3
    while True:
        start = dt.date(year, 3 * q + 1, 1)
        end = dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1)
        if end > last:
            break
        lo, hi = (start - origin).days, (end - origin).days
        mean = float(z_row[lo:hi].mean())
        if best is None or mean < best[0]:
            best = (mean, end)
        year, q = (year + 1, 0) if q == 3 else (year, q + 1)
    return best[1] if best else first


def observed_worst_quarter_ends(
    country: IntArray,
    submitted: IntArray,
    positive: BoolArray,
    origin: dt.date,
    span: tuple[dt.date, dt.date],
    rows: IntArray,
    min_requests: int,
) -> dict[int, dt.date]:
    """Per country row in ``rows``: the day after its quarter (between ``span``'s days, as in
    :func:`worst_quarter_end`) with the lowest share of requests answered positive, among
    quarters with at least ``min_requests`` requests; ties go to the earliest quarter. A
    country without such a quarter is left out (it shows no figure to react to).

    ``country``, ``submitted`` (days from ``origin``) and ``positive`` are one entry per
    request: what a desk reading its own figures would see.
    """
    first, last = span
    month = (np.datetime64(origin, "D") + submitted).astype("datetime64[M]").astype(np.int64)
    q_lo = _month(first) // 3
    count = max(_month(last) // 3 - q_lo, 0)  # quarters whose end is at most ``last``
    q = month // 3 - q_lo
    row_of = np.full(int(max(rows.max(initial=0), country.max(initial=0))) + 1, -1)
    row_of[rows] = np.arange(rows.size)
    which = row_of[country]
    inside = (which >= 0) & (q >= 0) & (q < count)
    key = which[inside] * count + q[inside]
    n = np.bincount(key, minlength=rows.size * count).reshape(rows.size, count)
    hits = np.bincount(key, weights=positive[inside], minlength=rows.size * count)
    rate = np.where(n >= min_requests, hits.reshape(rows.size, count) / np.maximum(n, 1), np.inf)
    out: dict[int, dt.date] = {}
    for i, row in enumerate(rows.tolist()):
        if count == 0 or not np.isfinite(rate[i]).any():
            continue
        ordinal = q_lo + int(np.argmin(rate[i])) + 1  # the next quarter's first day
        out[row] = (np.datetime64(0, "M") + 3 * ordinal).astype("datetime64[D]").item()
    return out


def _month(day: dt.date) -> int:
    """Months since January 1970."""
    return (day.year - 1970) * 12 + day.month - 1

"""An event study of one instrument on a quarterly panel of logit indices.

For an instrument on country c starting in quarter q (offset 0), the panel's quarters from
``before`` quarters before to ``after`` quarters after it form the window. Each country's
quarters are taken relative to its own mean over the pre-start quarters (offsets -before..-1,
without the last ``anticipation`` of them, see :class:`EventOptions`; weighted, like the
after-window below, by the treated country's precision in each):

    d[u, e] = theta[u, q + e] - mean(theta[u, q - before .. q - 1 - anticipation]),

and the event-study effect at offset e is c's against the controls' (Callaway and Sant'Anna's
comparison of one treated cohort with the not-yet-treated, on the logit index):

    effect[e] = d[c, e] - sum_k w_k d[k, e] / sum_k w_k.

The *controls* are the countries the caller says are not (yet) treated in the window (no
instrument starting or ending in it, nor just before it), with data in every quarter of the
window. ``w_k`` is one weight per control, the inverse of the variance of its after-window
contrast, so the same comparison group is used at every offset. The *average effect* is the
same contrast on the mean over the after-window (offsets 1..after; the start quarter is
partly treated and is shown but not averaged), its quarters weighted by the treated
country's precision in each (the inverse of its sampling variance there), the same weights
for every country: a quarter of few requests, or with little follow-up before the
extraction, counts for little (with equal precision, the plain mean).

Variance. A country's quarters move even without an instrument (drift, quarter-to-quarter
noise), and a quarter's estimate is less certain than its model variance says (the shape of
the answer-time curve and the case-mix coefficients are taken as known). So, for every
contrast separately, the controls' spread around their weighted mean is read as

    V_k = a * (s_k + r),

``s_k`` a control's sampling variance of the contrast: ``a >= 1`` scales every sampling
variance (the estimates' own excess, which grows with a country's sampling variance) and
``a * r >= 0`` is a drift every country has whatever its size. For each ``r`` on a grid
(0 and 0.001 to 1,000 times the controls' median ``s``), ``a`` is what restricted maximum
likelihood gives in closed form, Birge's ratio on the variances ``s_k + r`` (``Q_r / (K -
1)``, at least 1); the ``r`` of the highest restricted likelihood is kept (the smallest of
equal ones: ``r = 0`` and ``a`` Birge's ratio when all controls are alike). Every variance of
the contrast follows:

    Var(effect) = V_c + sum_k (w_k / W)^2 V_k,

with ``V_c = a * (s_c + r)`` for the treated country and ``w_k = 1 / V_k``; the interval
uses Student's t with as many degrees of freedom as there are controls minus one. Measured
on the simulator's hard world (three seeds): a drift variance alone (DerSimonian-Laird)
called 6 of 33 random placebos at a nominal 5% (the excess grows with a country's own
sampling variance, so a small treated country was judged against the large controls' drift);
a scale alone (``r = 0``, until 2026-12-02) multiplied the drift into every sampling
variance: too wide for a small country (1.53 logit for the average of one of 90 requests
before the start, 0.94 with both parts) and too narrow for a large one (0.13 for one of
1,300, 0.21 with both parts; it called that reactive placebo an increase).

*Pre-trends.* Whether the index was already moving before the start is read from the quarter
just before it: the contrast of offset -1 against the earlier pre-start quarters (same
difference-in-differences and variance). A measure that follows a country's worst quarter
shows a dip there; the after-window then looks better by regression to the mean alone, so
such an instrument gets no effect at all (:attr:`EventStudy.moving`).

Why our own code and not a package: ``differences``, ``csdid``, ``pyfixest`` and ``diff-diff``
estimate staggered DiD from unit-level outcomes and take their standard errors from the
spread among treated units (influence functions, clustered by unit). Here each instrument is
a cohort of one country, and each outcome is a model estimate with its own, very unequal
sampling variance (a quarter of 15 requests beside one of 900); a cohort of one has no
spread of its own, and ignoring the sampling variance calls noise an effect. What is needed
is the comparison above with the measurement error and the controls' drift in the variance,
which is a few lines of numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: The power at which :attr:`EventStudy.detectable` is computed.
POWER: Final = 0.80


@dataclass(frozen=True, slots=True)
class Panel:
    """Per country (rows) and quarter (columns, ordinal ``first`` onwards): the logit index
    ``theta`` (nan where there is no estimate), its sampling variance and the requests."""

    theta: FloatArray
    var: FloatArray
    n: IntArray
    first: int

    @property
    def quarters(self) -> int:
        return int(self.theta.shape[1])


@dataclass(frozen=True, slots=True)
class EventOptions:
    """Settings of one event study (see the module's docstring).

    Attributes:
        before, after: quarters before and after the start quarter in the window.
        baseline: quarters before the window against which the pre-start quarters are
            checked for a move, besides the check of the last one (as many as the data
            have; fewer than 2: not checked). 0 by default: on the simulator's hard world
            this second check cost real effects and flagged no more reactive placebos.
        anticipation: the last pre-start quarters left out of the reference level (the
            pre-start mean every quarter is taken against); they are still shown and still
            checked. A measure often follows a poor assessment: the quarter before its
            start is then low by selection (Ashenfelter's dip), and a reference that holds
            it makes the after-window look better by regression to the mean alone.
        level: coverage of the intervals (and so the verdict's strictness).
        moving_level: the pre-start check flags a move at this two-sided level.
        min_quarters: the least quarters before and after the start in the data.
        min_requests: the least requests before, and after, for the country and a control.
        min_controls: fewer usable controls: no estimate.
    """

    before: int = 4
    after: int = 6
    baseline: int = 0
    anticipation: int = 0
    level: float = 0.95
    moving_level: float = 0.90
    min_quarters: int = 2
    min_requests: int = 30
    min_controls: int = 8


@dataclass(frozen=True, slots=True)
class EventStudy:
    """The event study of one instrument (logit scale).

    ``offsets`` are quarters relative to the start; ``effect``, ``se`` per offset (the
    reference quarters, the pre-start ones but the last ``anticipation``, sum to zero by
    construction); ``average`` and ``average_se`` over the after-window; ``quantile`` the t
    quantile of the intervals; ``controls`` how many countries were compared;
    ``n_before``/``n_after`` the country's requests; ``moving_z`` the pre-start check's z
    (offset -1 against the earlier pre-start quarters), ``moving`` whether it flags a move;
    ``detectable`` the smallest effect the interval would have shown with 80% power;
    ``scale`` the factor on the sampling variances of the average's contrast (``a``),
    ``drift_sd`` the controls' excess over their sampling variance for a typical control
    (logit sd, the median; scale and drift together).
    """

    offsets: IntArray
    effect: FloatArray
    se: FloatArray
    average: float
    average_se: float
    quantile: float
    controls: int
    n_before: int
    n_after: int
    moving_z: float | None
    moving: bool
    detectable: float
    scale: float
    drift_sd: float
    control_change: float

    @property
    def lower(self) -> FloatArray:
        return np.asarray(self.effect - self.quantile * self.se, dtype=np.float64)

    @property
    def upper(self) -> FloatArray:
        return np.asarray(self.effect + self.quantile * self.se, dtype=np.float64)


class NoEstimateError(Exception):
    """Why an event study has no estimate (its message is an effect note)."""


def event_study(
    panel: Panel, country: int, start: int, controls: BoolArray, opts: EventOptions
) -> EventStudy:
    """The event study of ``country`` (its row) for an instrument starting in quarter
    ordinal ``start``, against the rows in ``controls``. Raises :class:`NoEstimateError`."""
    offsets = np.arange(-opts.before - opts.baseline, opts.after + 1)
    columns = start - panel.first + offsets
    inside = (columns >= 0) & (columns < panel.quarters)
    offsets, columns = offsets[inside], columns[inside]
    pre, post = (offsets < 0) & (offsets >= -opts.before), offsets > 0
    if pre.sum() < opts.min_quarters:
        raise NoEstimateError("starts too early: no quarters before it in the data")
    if post.sum() < opts.min_quarters:
        raise NoEstimateError("too recent: too few quarters after it in the data")
    theta, var = panel.theta[:, columns], panel.var[:, columns]
    n_pre = panel.n[:, columns][:, pre].sum(axis=1)
    n_post = panel.n[:, columns][:, post].sum(axis=1)
    shown = offsets >= -opts.before
    if not np.all(np.isfinite(theta[country, shown])) or min(n_pre[country], n_post[country]) < (
        opts.min_requests
    ):
        raise NoEstimateError("too few requests before or after")
    if not np.all(np.isfinite(theta[country])):  # an earlier quarter without requests
        offsets, theta, var, shown = offsets[shown], theta[:, shown], var[:, shown], shown[shown]
    usable = controls & np.all(np.isfinite(theta), axis=1)
    usable &= (n_pre >= opts.min_requests) & (n_post >= opts.min_requests)
    usable[country] = False
    rows = np.flatnonzero(usable)
    if rows.size < opts.min_controls:
        raise NoEstimateError("too few comparable countries")
    return _estimate(theta, var, country, rows, offsets, opts, (n_pre, n_post))


def _contrast_weights(
    offsets: IntArray, before: int, precision: FloatArray, anticipation: int = 0
) -> FloatArray:
    """The weights on the window's quarters of every contrast: a row per shown offset e
    (d[., e]), then the average, then the two pre-start checks (offset -1 against the
    earlier pre-start quarters; the pre-start quarters against the baseline before them).
    The average and the reference level weigh their quarters by ``precision`` (the treated
    country's inverse sampling variances): a quarter of few requests, or with little
    follow-up, counts for little. The pre-start check compares with the plain mean."""
    pre = ((offsets < 0) & (offsets >= -before)).astype(np.float64)
    reference = pre * (offsets < -anticipation) * precision
    base = reference / reference.sum()
    shown = np.flatnonzero(offsets >= -before)
    eye = np.eye(offsets.size)[shown] - base[None, :]
    post = np.where(offsets > 0, precision, 0.0)
    average = post / post.sum() - base
    last = np.zeros(offsets.size)
    earlier = (pre > 0) & (offsets < -1)
    if np.any(offsets == -1) and earlier.any():
        last[offsets == -1] = 1.0
        last[earlier] = -1.0 / earlier.sum()
    level = np.zeros(offsets.size)
    baseline = offsets < -before
    if baseline.sum() >= 2:
        level = base - baseline / baseline.sum()
    return np.vstack([eye, average, last, level])


def _estimate(
    theta: FloatArray,
    var: FloatArray,
    country: int,
    rows: IntArray,
    offsets: IntArray,
    opts: EventOptions,
    counts: tuple[IntArray, IntArray],
) -> EventStudy:
    # scipy.stats takes longer to import than an index takes to estimate: loaded here, so a
    # command that only assesses (which imports this module) does not pay for it
    from scipy.stats import t as student_t

    weights = _contrast_weights(
        offsets, opts.before, 1.0 / np.maximum(var[country], 1e-12), opts.anticipation
    )
    value = theta @ weights.T  # (countries, contrasts)
    sampling = var @ (weights**2).T
    scale, extra = _heterogeneity(value[rows], sampling[rows])
    spread = scale * (sampling + extra)  # every country's variance of every contrast
    share = (1.0 / spread[rows, -3]) / np.sum(1.0 / spread[rows, -3])
    control = share @ value[rows]
    effect = value[country] - control
    se = np.sqrt(spread[country] + (share**2) @ spread[rows])
    quantile = float(student_t.ppf(0.5 + opts.level / 2.0, rows.size - 1))
    checks = [j for j in (-2, -1) if np.any(weights[j] != 0)]
    z = [float(effect[j] / se[j]) for j in checks]
    moving_z = max(z, key=abs) if z else None
    # two checks: each at half the level's error (Bonferroni)
    limit = float(student_t.ppf(1.0 - (1.0 - opts.moving_level) / (2.0 * len(z or [0])),
                                rows.size - 1))  # fmt: skip
    power = float(student_t.ppf(POWER, rows.size - 1))
    n_pre, n_post = counts
    shown = offsets >= -opts.before
    return EventStudy(
        offsets=offsets[shown],
        effect=np.asarray(effect[:-3], dtype=np.float64),
        se=np.asarray(se[:-3], dtype=np.float64),
        average=float(effect[-3]),
        average_se=float(se[-3]),
        quantile=quantile,
        controls=int(rows.size),
        n_before=int(n_pre[country]),
        n_after=int(n_post[country]),
        moving_z=moving_z,
        moving=any(abs(v) > limit for v in z),
        detectable=float((quantile + power) * se[-3]),
        scale=float(scale[-3]),
        drift_sd=float(np.sqrt(np.median(spread[rows, -3] - sampling[rows, -3]))),
        control_change=float(control[-3]),
    )


#: The additive part's grid, in multiples of the controls' median sampling variance.
DRIFT_GRID: Final = np.concatenate([[0.0], np.logspace(-3.0, 3.0, 61)])


def _heterogeneity(value: FloatArray, sampling: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per contrast (column) of the controls (rows): the scale ``a`` (at least 1) and the
    additive part ``r`` of their variances ``a * (s + r)``, by restricted maximum likelihood
    (see the module's docstring)."""
    k = value.shape[0]
    s = np.maximum(sampling, 1e-12)
    r = DRIFT_GRID[:, None, None] * np.median(s, axis=0)[None, None, :]  # (grid, 1, contrasts)
    v = s[None, :, :] + r
    w = 1.0 / v
    mean = np.sum(w * value, axis=1, keepdims=True) / np.sum(w, axis=1, keepdims=True)
    q = np.sum(w * (value - mean) ** 2, axis=1)  # (grid, contrasts)
    a = np.maximum(1.0, q / (k - 1))
    # restricted log-likelihood of V = a (s + r), up to a constant
    loglik = -0.5 * (
        np.sum(np.log(v), axis=1) + k * np.log(a) + np.log(np.sum(w, axis=1) / a) + q / a
    )
    best = np.argmax(loglik >= loglik.max(axis=0) - 1e-9, axis=0)  # the smallest r of the best
    columns = np.arange(value.shape[1])
    return (
        np.asarray(a[best, columns], dtype=np.float64),
        np.asarray(r[best, 0, columns], dtype=np.float64),
    )

"""The models behind the cooperation index, and how to evaluate them per cell.

The index of a cell (country x period) is, for a *standard case* (identity evidence
``document``, the person cooperating, the kinds of request the country was actually sent),

    index = answered x confirmed

1. ``answered``: P(an answer, positive or negative, within 90 days). Piecewise-exponential
   hazards on 0-15, 15-30, ..., 75-90 days, fitted as Poisson GLMMs on exposure:

   - the *shape* model: baseline per interval, case mix, period, and random intercepts
     country > country x interval. It gives each country its own curve of answer times (a
     country that answers in weeks has a different curve from one that answers in
     months) and the period effects common to all countries;
   - the *answer* model, with that shape and those period effects as offsets: baseline
     per interval, case mix, and random intercepts country > country x period > country x
     period x interval. A recent period with short follow-up is thus extrapolated along the
     country's own curve.

   The country's withdrawals for want of an answer are a competing event (a third, small
   Poisson GLMM: country > country x period), when there are enough of them to model;
   withdrawals for a reason of the case and pending requests are censored.
2. ``confirmed``: P(positive | answered within 90 days). Binomial GLMM, logit link: case mix
   (kind, id_evidence, alien_cooperates), period, random intercepts country > country x
   period. Case-mix effects are shared by all countries: that is the adjustment.

All variances are estimated (empirical Bayes), so a country with few requests is pulled
towards the average by as much as countries really differ, and its interval says so. The
variance of logit(index) comes from the Laplace posteriors of the three models
(independent likelihoods), including the uncertainty of their shared coefficients; the
shape offsets are taken as known.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Protocol

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.special import expit, logit, ndtri

from retour.analysis import casemix
from retour.analysis.casemix import BREAKS, CASE_MIX_NAMES, Cells
from retour.analysis.followup import HORIZON_DAYS
from retour.analysis.glmm import MIN_VARIANCE, Family, Glmm, GlmmData, GlmmFit, Nesting
from retour.domain.codes import Cooperates, IdEvidence, RequestKind

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: The least variance of a country's period-to-period deviations (logit scale; sd 0.1):
#: cooperation changes over time (the letter to Parliament), so even when the data hardly
#: show it, a period is never forced onto the country's average.
MIN_PERIOD_VARIANCE: Final = 0.01

#: Fewer withdrawals for want of an answer within the horizon: their hazard is taken as 0.
MIN_FAILS: Final = 10


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """Settings of the index.

    Attributes:
        level: coverage of the intervals.
        horizon_days: the index counts positive answers within this many days.
        breaks: the intervals of the answer-time model (from 0 to the horizon).
        min_requests: fewer requests in a cell: "too little data".
        max_width: a wider interval (in points): "too little data".
    """

    level: float = 0.90
    horizon_days: int = HORIZON_DAYS
    breaks: tuple[int, ...] = BREAKS
    min_requests: int = 10
    max_width: float = 40.0

    def __post_init__(self) -> None:
        if self.breaks[0] != 0 or self.breaks[-1] != self.horizon_days:
            raise ValueError("breaks must run from 0 to the horizon")
        if not 0.5 < self.level < 1.0:
            raise ValueError("level must lie between 0.5 and 1")

    @property
    def z(self) -> float:
        return float(ndtri(0.5 + self.level / 2.0))


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """What a fitted model says about itself: for the method note and diagnostics."""

    name: str
    levels: tuple[str, ...]
    sd: tuple[float, ...]  # standard deviation of each level's random intercepts
    coefficients: dict[str, float]
    converged: bool
    iterations: int
    #: the sd of the countries' own case-mix effects (random slopes), by case-mix column
    slope_sd: dict[str, float] = field(default_factory=dict)


# -- designs ---------------------------------------------------------------------------------


def interval_one_hot(interval: IntArray, intervals: int) -> FloatArray:
    out = np.zeros((interval.size, intervals))
    out[np.arange(interval.size), interval] = 1.0
    return out


def shape_x(
    interval: IntArray, mix: FloatArray, period: IntArray, intervals: int, cells: Cells
) -> FloatArray:
    return np.hstack(
        [
            interval_one_hot(interval, intervals),
            mix,
            casemix.period_dummies(period, cells.periods),
        ]
    )


def answer_x(interval: IntArray, mix: FloatArray, intervals: int) -> FloatArray:
    return np.hstack([interval_one_hot(interval, intervals), mix])


def confirm_x(mix: FloatArray, period: IntArray, cells: Cells) -> FloatArray:
    return np.hstack(
        [np.ones((mix.shape[0], 1)), mix, casemix.period_dummies(period, cells.periods)]
    )


def fail_x(mix: FloatArray) -> FloatArray:
    return np.hstack([np.ones((mix.shape[0], 1)), mix[:, :1]])


def slope_columns(first: int, mix: FloatArray) -> tuple[int, ...]:
    """The design columns of the case mix (from ``first``) that get a country's own slope:
    those that vary among the model's rows (a kind is no slope where one kind is fitted)."""
    varies = np.ptp(mix, axis=0) > 0 if mix.shape[0] else np.zeros(mix.shape[1], dtype=bool)
    return tuple(first + int(j) for j in np.flatnonzero(varies))


def standard_mix(to_share: FloatArray) -> FloatArray:
    """Case-mix columns of the standard case: document, cooperating, TO at ``to_share``."""
    mix = np.zeros((to_share.size, len(CASE_MIX_NAMES)))
    mix[:, 0] = to_share
    return mix


# -- the competing-risk arithmetic ------------------------------------------------------------


def cumulative_incidence(eta: FloatArray, eta_fail: FloatArray, widths: FloatArray) -> FloatArray:
    """P(answer by the end of the last interval) for piecewise-constant hazards:
    exp(eta[:, j]) per day for answers in interval j, exp(eta_fail) per day for the
    competing withdrawal."""
    rate = np.exp(np.minimum(eta, 30.0))
    rate_fail = np.exp(np.minimum(eta_fail, 30.0))[:, None]
    total = rate + rate_fail
    step = np.exp(-total * widths[None, :])
    before = np.cumprod(np.hstack([np.ones((eta.shape[0], 1)), step[:, :-1]]), axis=1)
    share = np.where(total > 0, rate / np.maximum(total, 1e-300), 0.0)
    return np.asarray(np.sum(before * share * (1.0 - step), axis=1), dtype=np.float64)


def log_gradients(
    eta: FloatArray, eta_fail: FloatArray, widths: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """d log(cumulative incidence) / d eta_j and / d eta_fail, by central differences."""
    h = 1e-5
    value = np.maximum(cumulative_incidence(eta, eta_fail, widths), 1e-300)
    grad = np.empty_like(eta)
    for j in range(eta.shape[1]):
        up, down = eta.copy(), eta.copy()
        up[:, j] += h
        down[:, j] -= h
        diff = cumulative_incidence(up, eta_fail, widths) - cumulative_incidence(
            down, eta_fail, widths
        )
        grad[:, j] = diff / (2 * h)
    if np.all(np.isneginf(eta_fail)):
        grad_fail = np.zeros(eta.shape[0])
    else:
        diff = cumulative_incidence(eta, eta_fail + h, widths) - cumulative_incidence(
            eta, eta_fail - h, widths
        )
        grad_fail = diff / (2 * h)
    return grad / value[:, None], grad_fail / value


# -- the fitted index ------------------------------------------------------------------------


@dataclass(slots=True)
class IndexModel:
    """The fitted parts of the index, evaluated for the standard case of every cell.

    Cells are numbered country-major (:class:`~retour.analysis.casemix.Cells`).
    """

    cells: Cells
    options: IndexOptions
    shape: GlmmFit
    answer: GlmmFit
    confirm: GlmmFit
    fail: GlmmFit | None
    to_share: FloatArray  # per cell: the standard case's share of TO requests
    shape_offset: FloatArray  # per country x interval: the country's own curve
    period_offset: FloatArray  # per period: the common period effect on answer times
    answered: FloatArray = field(default_factory=lambda: np.empty(0))
    confirmed: FloatArray = field(default_factory=lambda: np.empty(0))
    grad_answer: FloatArray = field(default_factory=lambda: np.empty((0, 0)))
    grad_fail: FloatArray = field(default_factory=lambda: np.empty(0))
    shrinkage: FloatArray = field(default_factory=lambda: np.empty((0, 2)))
    correlation: float = 0.0

    @property
    def intervals(self) -> int:
        return len(self.options.breaks) - 1

    @property
    def index(self) -> FloatArray:
        """The index per cell, 0..1."""
        return np.asarray(self.answered * self.confirmed, dtype=np.float64)

    def _answer_rows(self, cell: IntArray) -> tuple[IntArray, FloatArray, FloatArray]:
        """Leaf nodes, design rows and offsets of every (cell, interval) of ``cell``."""
        j_count = self.intervals
        cell_rep = np.repeat(cell, j_count)
        j = np.tile(np.arange(j_count), cell.size)
        x = answer_x(j, standard_mix(self.to_share[cell_rep]), j_count)
        country = cell_rep // self.cells.periods
        offset = (
            self.shape_offset[country * j_count + j]
            + self.period_offset[cell_rep % self.cells.periods]
        )
        return cell_rep * j_count + j, x, offset

    def _confirm_x(self, cell: IntArray) -> FloatArray:
        return confirm_x(standard_mix(self.to_share[cell]), cell % self.cells.periods, self.cells)

    def _fail_x(self, cell: IntArray) -> FloatArray:
        return fail_x(standard_mix(self.to_share[cell]))

    def evaluate(self) -> None:
        """Point estimates and gradients for every cell."""
        cell = np.arange(self.cells.count)
        node, x, offset = self._answer_rows(cell)
        eta = (self.answer.eta(2, node, x) + offset).reshape(cell.size, self.intervals)
        if self.fail is not None:
            eta_fail = self.fail.eta(1, cell, self._fail_x(cell))
        else:
            eta_fail = np.full(cell.size, -np.inf)
        widths = np.diff(np.asarray(self.options.breaks, dtype=np.float64))
        self.answered = cumulative_incidence(eta, eta_fail, widths)
        self.grad_answer, self.grad_fail = log_gradients(eta, eta_fail, widths)
        self.confirmed = expit(self.confirm.eta(1, cell, self._confirm_x(cell)))
        self.shrinkage = np.column_stack([shrinkage(self.answer), shrinkage(self.confirm)])
        self.correlation = effect_correlation(self.answer, self.confirm)

    def log_variance(
        self, cell: IntArray, target: IntArray, weight: FloatArray, targets: int
    ) -> FloatArray:
        """Posterior variance of sum over rows of weight * log(index[cell]), per target.

        The parts come from separate models, but a country whose cooperation moves tends
        to move in both at once (it answers faster *and* confirms more), so their errors
        are not independent. Where a cell's effects are measured well, its errors are
        sampling errors, independent between the parts; where they are shrunk, the error is
        the part of the true effect the shrinkage missed, and the two parts' true effects
        are correlated. For two parts fitted apart, under a joint prior of correlation rho,
        the errors correlate by rho * sqrt(r_a * r_c), r the share of the prior variance
        left in the posterior (:func:`shrinkage`); rho is estimated from the fitted cell
        effects (:func:`effect_correlation`). The small withdrawal part's standard error is
        added to the result (the bound for fully correlated errors).
        """
        rows_per = self.intervals
        node, x, _ = self._answer_rows(cell)
        coef = np.repeat(weight, rows_per) * self.grad_answer[cell].ravel()
        repeated = np.repeat(target, rows_per)
        v_answer = self.answer.variance(2, node, x, coef, repeated, targets)
        v_answer += self._shape_variance(cell, coef, repeated, targets)
        v_confirm = self.confirm.variance(
            1, cell, self._confirm_x(cell), weight * (1.0 - self.confirmed[cell]), target,
            targets,
        )  # fmt: skip
        share = np.abs(weight)
        norm = np.maximum(np.bincount(target, weights=share, minlength=targets), 1e-300)
        left = np.sqrt(self.shrinkage[cell, 0] * self.shrinkage[cell, 1])
        rho = self.correlation * np.bincount(target, weights=share * left, minlength=targets)
        var = v_answer + v_confirm + 2.0 * (rho / norm) * np.sqrt(v_answer * v_confirm)
        if self.fail is not None:
            v_fail = self.fail.variance(
                1, cell, self._fail_x(cell), weight * self.grad_fail[cell], target, targets
            )
            var = (np.sqrt(var) + np.sqrt(v_fail)) ** 2
        return np.asarray(var, dtype=np.float64)

    def _shape_variance(
        self, cell: IntArray, coef: FloatArray, target: IntArray, targets: int
    ) -> FloatArray:
        """The variance that the country's own answer-time curve (the shape model's country
        x interval deviations, an offset of the answer model) adds to sum coef * eta per
        target: each deviation's own posterior variance (1 / D), independent between
        intervals. Their common level is left out: the answer model estimates the
        country's level itself."""
        j_count = self.intervals
        country = np.repeat(cell // self.cells.periods, j_count)
        node = country * j_count + np.tile(np.arange(j_count), cell.size)
        size = self.shape.nesting.sizes[1]
        key = target.astype(np.int64) * size + node
        uniq, inverse = np.unique(key, return_inverse=True)
        summed = np.bincount(inverse, weights=coef, minlength=uniq.size)
        own = summed * summed / self.shape.d[1][uniq % size]
        return np.asarray(np.bincount(uniq // size, weights=own, minlength=targets))

    def _logit_scale(self) -> FloatArray:
        """d logit(index) / d log(index) per cell."""
        return np.asarray(1.0 / (1.0 - np.minimum(self.index, 1.0 - 1e-12)), dtype=np.float64)

    def logit_estimates(self) -> tuple[FloatArray, FloatArray]:
        """logit(index) and its posterior variance per cell."""
        cell = np.arange(self.cells.count)
        var = self.log_variance(cell, cell, self._logit_scale(), self.cells.count)
        return logit(np.clip(self.index, 1e-12, 1.0 - 1e-12)), var

    def change_variance(self, later: IntArray, earlier: IntArray) -> FloatArray:
        """Posterior variance of logit(index[later]) - logit(index[earlier]), pairwise
        (their covariance through the country's shared effects included)."""
        scale = self._logit_scale()
        pairs = np.arange(later.size)
        cell = np.concatenate([later, earlier])
        weight = np.concatenate([scale[later], -scale[earlier]])
        return self.log_variance(cell, np.concatenate([pairs, pairs]), weight, later.size)

    def summaries(self) -> tuple[ModelSummary, ...]:
        periods = tuple(f"period {p}" for p in range(1, self.cells.periods))
        intervals = tuple(f"days {a}-{b}" for a, b in itertools.pairwise(self.options.breaks))
        out = [
            _summary("answer-time shape", ("country", "country x interval"), self.shape,
                     (*intervals, *CASE_MIX_NAMES, *periods)),
            _summary("answer within 90 days",
                     ("country", "country x period", "country x period x interval"),
                     self.answer, (*intervals, *CASE_MIX_NAMES)),
            _summary("positive if answered", ("country", "country x period"), self.confirm,
                     ("intercept", *CASE_MIX_NAMES, *periods)),
        ]  # fmt: skip
        if self.fail is not None:
            out.append(
                _summary("withdrawn for want of an answer", ("country", "country x period"),
                         self.fail, ("intercept", CASE_MIX_NAMES[0]))
            )  # fmt: skip
        return tuple(out)


def shrinkage(fit: GlmmFit) -> FloatArray:
    """Per cell (level 1): the share of its standard case's prior variance (country and
    country x period) that is left in its posterior, 0 (measured exactly) .. 1 (the data
    say nothing)."""
    cells = fit.nesting.sizes[1]
    node = np.arange(cells)
    x = np.zeros((cells, fit.data.p))
    posterior = fit.variance(1, node, x, np.ones(cells), node, cells)
    prior = float(fit.variances[0] + fit.variances[1])
    return np.asarray(np.clip(posterior / prior, 0.0, 1.0), dtype=np.float64)


def effect_correlation(answer: GlmmFit, confirm: GlmmFit) -> float:
    """The correlation of the two parts' cell effects (country plus country x period
    intercepts), 0 where it is negative or undefined."""
    a, c = answer.total[1], confirm.total[1]
    if a.size < 3 or np.std(a) == 0 or np.std(c) == 0:
        return 0.0
    return float(np.clip(np.corrcoef(a, c)[0, 1], 0.0, 1.0))


def _summary(
    name: str, levels: tuple[str, ...], fit: GlmmFit, names: Sequence[str]
) -> ModelSummary:
    return ModelSummary(
        name=name,
        levels=levels,
        sd=tuple(float(np.sqrt(v)) for v in fit.variances),
        coefficients={n: float(b) for n, b in zip(names, fit.beta, strict=True)},
        converged=fit.converged,
        iterations=fit.iterations,
        slope_sd={
            names[column]: float(np.sqrt(v))
            for column, v in zip(fit.data.slopes, fit.slope_variances, strict=True)
        },
    )


# -- fitting ---------------------------------------------------------------------------------


def fit_index(coded: pl.DataFrame, cells: Cells, options: IndexOptions) -> IndexModel:
    """Fit the index's models on requests coded with :func:`casemix.with_cells`."""
    intervals = len(options.breaks) - 1
    table = casemix.interval_table(coded, options.breaks, options.horizon_days)
    shape = _fit_shape(table, cells, intervals)
    shape_offset = shape.b[1]
    period_offset = np.concatenate([[0.0], shape.beta[intervals + len(CASE_MIX_NAMES) :]])
    answer = _fit_answer(table, cells, intervals, shape_offset, period_offset)
    confirm = _fit_confirm(casemix.answer_table(coded, options.horizon_days), cells)
    model = IndexModel(
        cells=cells,
        options=options,
        shape=shape,
        answer=answer,
        confirm=confirm,
        fail=_fit_fail(table, cells),
        to_share=to_share(coded, cells),
        shape_offset=shape_offset,
        period_offset=period_offset,
    )
    model.evaluate()
    return model


def _int(frame: pl.DataFrame, column: str) -> IntArray:
    return frame[column].to_numpy().astype(np.int64)


def distinct_rows(table: pl.DataFrame, columns: Sequence[str]) -> tuple[pl.DataFrame, IntArray]:
    """The distinct rows of ``columns`` and, per row of ``table``, the index of its own."""
    keyed = table.select(columns).with_row_index("_row")
    distinct = keyed.group_by(list(columns), maintain_order=True).agg(pl.col("_row").first())
    distinct = distinct.with_row_index("_design")
    design = keyed.join(distinct.drop("_row"), on=list(columns), how="left", maintain_order="left")
    return distinct.drop("_row", "_design"), design["_design"].to_numpy().astype(np.int64)


MIX_COLUMNS: Final = ("kind", "id_evidence", "alien_cooperates")


def _fit_shape(table: pl.DataFrame, cells: Cells, intervals: int) -> GlmmFit:
    countries = len(cells.countries)
    rows, design = distinct_rows(table, ("interval", *MIX_COLUMNS, "period_code"))
    x = shape_x(_int(rows, "interval"), casemix.case_mix_matrix(rows), _int(rows, "period_code"),
                intervals, cells)  # fmt: skip
    leaf = _int(table, "country_code") * intervals + _int(table, "interval")
    nesting = Nesting(
        leaf, (np.repeat(np.arange(countries), intervals),), (countries, countries * intervals)
    )
    data = GlmmData(Family.POISSON, table["answers"].to_numpy().astype(np.float64), x,
                    np.log(table["exposure"].to_numpy()), nesting, design=design)  # fmt: skip
    return Glmm(data).fit()


def _fit_answer(
    table: pl.DataFrame,
    cells: Cells,
    intervals: int,
    shape_offset: FloatArray,
    period_offset: FloatArray,
) -> GlmmFit:
    countries = len(cells.countries)
    country, interval = _int(table, "country_code"), _int(table, "interval")
    cell = _int(table, "cell")
    rows, design = distinct_rows(table, ("interval", *MIX_COLUMNS))
    mix = casemix.case_mix_matrix(rows)
    x = answer_x(_int(rows, "interval"), mix, intervals)
    offset = (
        np.log(table["exposure"].to_numpy())
        + shape_offset[country * intervals + interval]
        + period_offset[_int(table, "period_code")]
    )
    nesting = Nesting(
        cell * intervals + interval,
        (
            np.repeat(np.arange(countries), cells.periods),
            np.repeat(np.arange(cells.count), intervals),
        ),
        (countries, cells.count, cells.count * intervals),
    )
    data = GlmmData(Family.POISSON, table["answers"].to_numpy().astype(np.float64), x, offset,
                    nesting, design=design, slopes=slope_columns(intervals, mix))  # fmt: skip
    return Glmm(data, min_variances=(MIN_VARIANCE, MIN_PERIOD_VARIANCE, MIN_VARIANCE)).fit()


def _fit_confirm(answers: pl.DataFrame, cells: Cells) -> GlmmFit:
    countries = len(cells.countries)
    rows, design = distinct_rows(answers, (*MIX_COLUMNS, "period_code"))
    mix = casemix.case_mix_matrix(rows)
    x = confirm_x(mix, _int(rows, "period_code"), cells)
    nesting = Nesting(
        _int(answers, "cell"),
        (np.repeat(np.arange(countries), cells.periods),),
        (countries, cells.count),
    )
    data = GlmmData(
        Family.BINOMIAL,
        answers["positives"].to_numpy().astype(np.float64),
        x,
        np.zeros(answers.height),
        nesting,
        trials=answers["answers"].to_numpy().astype(np.float64),
        design=design,
        slopes=slope_columns(1, mix),
    )
    return Glmm(data, min_variances=(MIN_VARIANCE, MIN_PERIOD_VARIANCE)).fit()


def _fit_fail(table: pl.DataFrame, cells: Cells) -> GlmmFit | None:
    if float(table["fails"].sum()) < MIN_FAILS:
        return None
    per_cell = (
        table.group_by(["cell", "kind"])
        .agg(pl.col("fails").sum(), pl.col("exposure").sum())
        .with_columns(
            pl.lit(IdEvidence.DOCUMENT.value).alias("id_evidence"),
            pl.lit(Cooperates.YES.value).alias("alien_cooperates"),
        )
        .sort(["cell", "kind"])
    )
    countries = len(cells.countries)
    nesting = Nesting(
        _int(per_cell, "cell"),
        (np.repeat(np.arange(countries), cells.periods),),
        (countries, cells.count),
    )
    data = GlmmData(
        Family.POISSON,
        per_cell["fails"].to_numpy().astype(np.float64),
        fail_x(casemix.case_mix_matrix(per_cell)),
        np.log(per_cell["exposure"].to_numpy()),
        nesting,
    )
    return Glmm(data).fit()


def to_share(coded: pl.DataFrame, cells: Cells) -> FloatArray:
    """Per cell, the share of TO among its requests; else the country's; else overall."""
    to = pl.col("kind") == RequestKind.TO.value
    by_cell = coded.group_by("cell").agg(to.mean().alias("share"))
    by_country = coded.group_by("country_code").agg(to.mean().alias("share"))
    overall = float(coded.select(to.mean()).item() or 0.0) if coded.height else 0.0
    share = np.full(cells.count, np.nan)
    share[_int(by_cell, "cell")] = by_cell["share"].to_numpy()
    country_share = np.full(len(cells.countries), overall)
    country_share[_int(by_country, "country_code")] = by_country["share"].to_numpy()
    return np.where(np.isnan(share), np.repeat(country_share, cells.periods), share)


# -- kind `all`: the per-kind indices mixed by the cell's kind shares -------------------------


class IndexEstimates(Protocol):
    """What the index table reads of a fitted index: one kind's model, or the kinds' mix."""

    @property
    def cells(self) -> Cells: ...
    @property
    def options(self) -> IndexOptions: ...
    @property
    def index(self) -> FloatArray: ...
    @property
    def answered(self) -> FloatArray: ...
    @property
    def confirmed(self) -> FloatArray: ...
    def logit_estimates(self) -> tuple[FloatArray, FloatArray]: ...
    def change_variance(self, later: IntArray, earlier: IntArray) -> FloatArray: ...
    def summaries(self) -> tuple[ModelSummary, ...]: ...


@dataclass(frozen=True, slots=True)
class KindPart:
    """One kind's own model, and where each cell of the mix finds its cell in it."""

    kind: RequestKind
    model: IndexModel
    cell: IntArray  # per mixed cell: the kind model's cell, -1 where the country has none
    weight: FloatArray  # per mixed cell: the kind's share of the cell's requests


@dataclass(slots=True)
class KindMix:
    """Kind ``all`` as the kind-share-weighted average of the per-kind probabilities.

    Each kind (LP, TO) has its own models -- its own answer-time curves, confirmation and
    country effects -- fitted on its requests alone; a cell's index is

        index = s * index_TO + (1 - s) * index_LP,  s = the cell's share of TO requests

    (else the country's share), and likewise ``answered``; ``confirmed`` is index /
    answered, the confirmation among the mix's answers. The two kinds' fits share no
    request, so their errors are independent: the variance of the mix is the sum of the
    kinds' variances on the probability scale (the delta method, through each kind's
    log-index gradients), carried to the logit scale of the interval. A change between two
    periods keeps each kind's covariance between them.
    """

    cells: Cells
    options: IndexOptions
    parts: tuple[KindPart, ...]
    index: FloatArray = field(default_factory=lambda: np.empty(0))
    answered: FloatArray = field(default_factory=lambda: np.empty(0))
    confirmed: FloatArray = field(default_factory=lambda: np.empty(0))

    def __post_init__(self) -> None:
        index, answered = np.zeros(self.cells.count), np.zeros(self.cells.count)
        for part in self.parts:
            has = part.cell >= 0
            index[has] += part.weight[has] * part.model.index[part.cell[has]]
            answered[has] += part.weight[has] * part.model.answered[part.cell[has]]
        self.index, self.answered = index, answered
        self.confirmed = np.where(answered > 0, index / np.maximum(answered, 1e-300), 0.0)

    def _logit_scale(self) -> FloatArray:
        p = np.clip(self.index, 1e-12, 1.0 - 1e-12)
        return np.asarray(1.0 / (p * (1.0 - p)), dtype=np.float64)

    def _variance(self, cell: IntArray, sign: FloatArray, target: IntArray, n: int) -> FloatArray:
        """Variance of sum over rows of sign * logit(index[cell]), per target."""
        scale = self._logit_scale()
        total = np.zeros(n)
        for part in self.parts:
            own = part.cell[cell]
            has = own >= 0
            if not has.any():
                continue
            value = part.model.index[own[has]]
            weight = sign[has] * part.weight[cell[has]] * value * scale[cell[has]]
            total += part.model.log_variance(own[has], target[has], weight, n)
        return total

    def logit_estimates(self) -> tuple[FloatArray, FloatArray]:
        cell = np.arange(self.cells.count)
        var = self._variance(cell, np.ones(cell.size), cell, cell.size)
        return logit(np.clip(self.index, 1e-12, 1.0 - 1e-12)), var

    def change_variance(self, later: IntArray, earlier: IntArray) -> FloatArray:
        pairs = np.arange(later.size)
        cell = np.concatenate([later, earlier])
        sign = np.concatenate([np.ones(later.size), -np.ones(earlier.size)])
        return self._variance(cell, sign, np.concatenate([pairs, pairs]), later.size)

    def summaries(self) -> tuple[ModelSummary, ...]:
        return tuple(
            replace(s, name=f"{s.name} ({part.kind.value})")
            for part in self.parts
            for s in part.model.summaries()
        )


def fit_kind_mix(
    coded: pl.DataFrame, cells: Cells, options: IndexOptions, combined: IndexModel
) -> IndexEstimates:
    """Kind ``all``: each kind fitted on its own requests, mixed per cell (:class:`KindMix`).
    With one kind in the data, the combined model is that kind's model."""
    kinds = [k for k in (RequestKind.LP, RequestKind.TO) if (coded["kind"] == k.value).any()]
    if len(kinds) < 2:
        return combined
    share_to = combined.to_share
    parts = []
    for kind in kinds:
        sub = coded.filter(pl.col("kind") == kind.value)
        own = Cells(tuple(sorted(sub["country"].unique().to_list())), cells.first,
                    cells.periods, cells.granularity)  # fmt: skip
        code = {c: i for i, c in enumerate(own.countries)}
        country = np.array([code.get(c, -1) for c in cells.countries], dtype=np.int64)
        per_cell = np.repeat(country, cells.periods)
        period = np.tile(np.arange(cells.periods), len(cells.countries))
        mapped = np.where(per_cell >= 0, per_cell * cells.periods + period, -1)
        recoded = casemix.with_cells(sub.drop("ordinal", "cell", "country_code", "period_code"),
                                     own)  # fmt: skip
        weight = share_to if kind is RequestKind.TO else 1.0 - share_to
        parts.append(KindPart(kind, fit_index(recoded, own, options), mapped, weight))
    total = sum(np.where(p.cell >= 0, p.weight, 0.0) for p in parts)
    norm = np.where(np.asarray(total) > 0, total, 1.0)
    parts = [replace(p, weight=np.where(p.cell >= 0, p.weight, 0.0) / norm) for p in parts]
    return KindMix(cells, options, tuple(parts))

"""What an instrument did to the index: difference in differences on the logit scale.

For an instrument on country c starting in quarter q, the *before* window is the four
quarters before q and the *after* window the four quarters after it (q itself, partly
treated, is left out). For c and for every *comparable country* -- one without an
instrument starting or ending within the two windows, with enough requests in both -- the
standard-case index of each window is estimated without shrinkage between windows (the
index's case-mix coefficients and each country's answer-time curve taken from the index
model), and its change on the logit scale. Then

    effect (logit) = change of c  -  mean change of the comparable countries

where "comparable" means the countries whose index before was closest to c's (within 1
logit, at least ``min_controls`` of them). The countries' own changes differ from year to
year even without any instrument; that *drift* is estimated from all countries without an
instrument (their spread of changes beyond what sampling explains, DerSimonian-Laird) and
added to the effect's variance, so ordinary drift is not reported as an effect:

    Var = Var(change of c) + drift variance + Var(mean change of the controls),

and the interval uses Student's t with as many degrees of freedom as the drift estimate has
(the number of countries it comes from, minus one).

The effect in index points is the after-index of c minus what it would have been without
the effect: 100 * (expit(theta_after) - expit(theta_after - effect)); the interval
likewise. The verdict reads the interval (95% by default, because it is a claim):
``increase`` when it lies above 0, ``decrease`` below, ``no clear change`` when it holds 0,
and ``too little data`` when the windows fall outside the data, hold too few requests, there
are too few comparable countries, or the interval is wider than ``max_width`` points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.special import expit, logit
from scipy.stats import t as student_t

from retour.analysis import casemix
from retour.analysis.casemix import CASE_MIX_NAMES, Cells
from retour.analysis.followup import follow_up
from retour.analysis.glmm import Family, Glmm, GlmmData, GlmmFit, Nesting
from retour.analysis.index_model import (
    IndexModel,
    IndexOptions,
    answer_x,
    cumulative_incidence,
    fit_index,
    log_gradients,
    standard_mix,
)
from retour.analysis.periods import Granularity, Period, quarter_of
from retour.domain.codes import RequestKind

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Prior variance of a window's own level: wide enough to leave each window unshrunk.
WINDOW_VARIANCE: Final = 25.0


class Verdict(StrEnum):
    """Values of the ``verdict`` column."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NO_CLEAR_CHANGE = "no clear change"
    TOO_LITTLE_DATA = "too little data"


@dataclass(frozen=True, slots=True)
class EffectOptions:
    """Settings of the instrument analysis.

    Attributes:
        level: coverage of the effect's interval (and so the verdict's strictness).
        window_quarters: length of the before and after windows.
        min_quarters: each window needs at least this many quarters of data.
        min_requests: each window of the country needs at least this many requests
            (controls as well).
        min_controls: fewer comparable countries: too little data; also the least number
            of comparable countries averaged.
        comparable_logit: countries whose index before lies within this distance (logit)
            of the country's are comparable.
        max_width: a wider interval (points): too little data.
    """

    level: float = 0.95
    window_quarters: int = 4
    min_quarters: int = 2
    min_requests: int = 30
    min_controls: int = 8
    comparable_logit: float = 1.0
    max_width: float = 50.0


#: Columns of :attr:`InstrumentEffects.table`.
COLUMNS: Final = (
    "instrument_id",
    "country",
    "kind",
    "start_on",
    "effect",
    "lower",
    "upper",
    "verdict",
    "title",
    "effect_logit",
    "se_logit",
    "index_before",
    "index_after",
    "n_before",
    "n_after",
    "controls",
    "control_change",
    "drift_sd",
    "note",
)


@dataclass(frozen=True, slots=True)
class InstrumentEffects:
    """One row per instrument (:data:`COLUMNS`): effect, lower, upper in index points
    (null when the verdict is "too little data"), the verdict, and how it came about:
    effect and standard error on the logit scale, the index before and after (0-100), the
    requests in each window, the number of comparable countries, their mean change (logit)
    and the drift (standard deviation of yearly changes, logit), and a note."""

    table: pl.DataFrame
    as_of: dt.date
    options: EffectOptions


@dataclass(frozen=True, slots=True)
class _Windows:
    """Distinct spans of quarters (first, last ordinal) and each instrument's two."""

    spans: list[tuple[int, int]]
    before: list[int | None]  # span id per instrument
    after: list[int | None]


def instrument_effects(
    requests: pl.DataFrame,
    instruments: pl.DataFrame,
    as_of: dt.date,
    *,
    options: EffectOptions | None = None,
    index_options: IndexOptions | None = None,
) -> InstrumentEffects:
    """The effect of every instrument in ``instruments`` (the contract's table)."""
    opts = options or EffectOptions()
    iopts = index_options or IndexOptions()
    fu = follow_up(requests, as_of)
    if fu.is_empty() or instruments.is_empty():
        return InstrumentEffects(_rows(instruments, []), as_of, opts)
    years = casemix.cells_of(fu, Granularity.YEAR, as_of.year)
    model = fit_index(casemix.with_cells(fu, years), years, iopts)
    quarters = casemix.cells_of(fu, Granularity.QUARTER, quarter_of(as_of).ordinal)
    coded = casemix.with_cells(fu, quarters)
    windows = _windows(instruments, quarters, opts)
    context = _Context(
        _window_estimates(coded, quarters, model, windows.spans),
        windows.spans,
        instruments,
        quarters,
        opts,
    )
    results = [
        _did(row, windows.before[i], windows.after[i], context)
        for i, row in enumerate(instruments.iter_rows(named=True))
    ]
    return InstrumentEffects(_rows(instruments, results), as_of, opts)


# -- windows ---------------------------------------------------------------------------------


def _windows(instruments: pl.DataFrame, quarters: Cells, opts: EffectOptions) -> _Windows:
    last = quarters.first + quarters.periods - 1
    spans: dict[tuple[int, int], int] = {}
    before: list[int | None] = []
    after: list[int | None] = []

    def span(first: int, end: int) -> int | None:
        first, end = max(first, quarters.first), min(end, last)
        if end - first + 1 < opts.min_quarters:
            return None
        return spans.setdefault((first, end), len(spans))

    k = opts.window_quarters
    for start in instruments["start_on"].to_list():
        q = quarter_of(start).ordinal
        before.append(span(q - k, q - 1))
        after.append(span(q + 1, q + k))
    return _Windows(list(spans), before, after)


# -- the index of a country in a window ------------------------------------------------------


def _window_estimates(
    coded: pl.DataFrame, quarters: Cells, model: IndexModel, spans: list[tuple[int, int]]
) -> pl.DataFrame:
    """Per span and country: n, theta (logit index), its variance."""
    schema = {"span": pl.Int64, "country_code": pl.Int64, "n": pl.Int64,
              "theta": pl.Float64, "var": pl.Float64}  # fmt: skip
    if not spans:
        return pl.DataFrame(schema=schema)
    countries = len(quarters.countries)
    intervals = model.intervals
    span_of = _span_table(spans, quarters)
    exposure = _expected_answers(coded, model)
    grouped = (
        exposure.join(span_of, on="period_code")
        .group_by(["span", "country_code", "interval"])
        .agg(pl.col("answers").sum(), pl.col("expected").sum())
    )
    confirm = _confirm_rows(coded).join(span_of, on="period_code")
    confirm = confirm.group_by(["span", "country_code", *_MIX]).agg(
        pl.col("answers").sum(), pl.col("positives").sum()
    )
    per_quarter = coded.group_by(["country_code", "period_code"]).agg(
        pl.len().alias("n"), (pl.col("kind") == RequestKind.TO.value).sum().alias("to")
    )
    counts = (
        per_quarter.join(span_of, on="period_code")
        .group_by(["span", "country_code"])
        .agg(pl.col("n").sum(), pl.col("to").sum())
        .with_columns((pl.col("to") / pl.col("n")).alias("to_share"))
    )
    groups = len(spans) * countries
    to = np.zeros(groups)
    n = np.zeros(groups, dtype=np.int64)
    g = _int(counts, "span") * countries + _int(counts, "country_code")
    to[g] = counts["to_share"].to_numpy()
    n[g] = _int(counts, "n")
    answer_fit = _fit_answer_windows(grouped, groups, countries, intervals, model)
    confirm_fit = _fit_confirm_windows(confirm, groups, countries, model)
    theta, var = _window_index(answer_fit, confirm_fit, to, groups, countries, model)
    group = np.arange(groups)
    return pl.DataFrame(
        {"span": group // countries, "country_code": group % countries, "n": n,
         "theta": theta, "var": var},
        schema=schema,
    )  # fmt: skip


_MIX: Final = ("kind", "id_evidence", "alien_cooperates")


def _int(frame: pl.DataFrame, column: str) -> IntArray:
    return frame[column].to_numpy().astype(np.int64)


def _span_table(spans: list[tuple[int, int]], quarters: Cells) -> pl.DataFrame:
    pairs = [
        (s, q - quarters.first)
        for s, (first, end) in enumerate(spans)
        for q in range(first, end + 1)
    ]
    return pl.DataFrame(pairs, schema={"span": pl.Int64, "period_code": pl.Int64}, orient="row")


def _expected_answers(coded: pl.DataFrame, model: IndexModel) -> pl.DataFrame:
    """Answers and their expected number under the shared coefficients and the country's
    answer-time curve, per country, quarter and interval (without any level)."""
    table = casemix.interval_table(coded, model.options.breaks, model.options.horizon_days)
    interval = _int(table, "interval")
    x = answer_x(interval, casemix.case_mix_matrix(table), model.intervals)
    curve = model.shape_offset[_int(table, "country_code") * model.intervals + interval]
    expected = table["exposure"].to_numpy() * np.exp(x @ model.answer.beta + curve)
    return (
        table.with_columns(pl.Series("expected", expected))
        .group_by(["country_code", "period_code", "interval"])
        .agg(pl.col("answers").sum(), pl.col("expected").sum())
    )


def _confirm_rows(coded: pl.DataFrame) -> pl.DataFrame:
    table = casemix.answer_table(coded)
    return table.select("country_code", "period_code", *_MIX, "answers", "positives")


def _fit_answer_windows(
    grouped: pl.DataFrame, groups: int, countries: int, intervals: int, model: IndexModel
) -> GlmmFit:
    rows = grouped.filter(pl.col("expected") > 0)
    group = _int(rows, "span") * countries + _int(rows, "country_code")
    leaf = group * intervals + _int(rows, "interval")
    nesting = Nesting(
        leaf, (np.repeat(np.arange(groups), intervals),), (groups, groups * intervals)
    )
    data = GlmmData(
        Family.POISSON,
        rows["answers"].to_numpy().astype(np.float64),
        np.zeros((rows.height, 0)),
        np.log(rows["expected"].to_numpy()),
        nesting,
    )
    variances = (WINDOW_VARIANCE, float(model.answer.variances[-1]))
    return Glmm(data, variances=variances, estimate=(False, False), fixed_beta=np.zeros(0)).fit()


def _fit_confirm_windows(
    rows: pl.DataFrame, groups: int, countries: int, model: IndexModel
) -> GlmmFit:
    group = _int(rows, "span") * countries + _int(rows, "country_code")
    beta = model.confirm.beta
    offset = beta[0] + casemix.case_mix_matrix(rows) @ beta[1 : 1 + len(CASE_MIX_NAMES)]
    nesting = Nesting(group, (), (groups,))
    data = GlmmData(
        Family.BINOMIAL,
        rows["positives"].to_numpy().astype(np.float64),
        np.zeros((rows.height, 0)),
        offset,
        nesting,
        trials=rows["answers"].to_numpy().astype(np.float64),
    )
    return Glmm(data, variances=(WINDOW_VARIANCE,), estimate=(False,), fixed_beta=np.zeros(0)).fit()


def _window_index(
    answer: GlmmFit,
    confirm: GlmmFit,
    to_share: FloatArray,
    groups: int,
    countries: int,
    model: IndexModel,
) -> tuple[FloatArray, FloatArray]:
    """logit(index) of every window group and its variance."""
    j_count = model.intervals
    group = np.arange(groups)
    mix = standard_mix(to_share)
    group_rep = np.repeat(group, j_count)
    j = np.tile(np.arange(j_count), groups)
    x = answer_x(j, standard_mix(to_share[group_rep]), j_count)
    country = group_rep % countries
    eta = x @ model.answer.beta + model.shape_offset[country * j_count + j]
    leaf = group_rep * j_count + j
    eta = (eta + answer.total[1][leaf]).reshape(groups, j_count)
    widths = np.diff(np.asarray(model.options.breaks, dtype=np.float64))
    no_fail = np.full(groups, -np.inf)
    answered = cumulative_incidence(eta, no_fail, widths)
    grad, _ = log_gradients(eta, no_fail, widths)
    beta = model.confirm.beta
    confirm_eta = beta[0] + mix @ beta[1 : 1 + len(CASE_MIX_NAMES)] + confirm.total[0]
    confirmed = expit(confirm_eta)
    index = np.clip(answered * confirmed, 1e-12, 1.0 - 1e-12)
    scale = 1.0 / (1.0 - index)
    empty = np.zeros((leaf.size, 0))
    var = answer.variance(1, leaf, empty, np.repeat(scale, j_count) * grad.ravel(), group_rep,
                          groups)  # fmt: skip
    var += confirm.variance(0, group, np.zeros((groups, 0)), scale * (1.0 - confirmed), group,
                            groups)  # fmt: skip
    return logit(index), var


# -- difference in differences ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Result:
    effect: float | None
    lower: float | None
    upper: float | None
    verdict: str
    effect_logit: float | None
    se_logit: float | None
    index_before: float | None
    index_after: float | None
    n_before: int
    n_after: int
    controls: int
    control_change: float | None
    drift_sd: float | None
    note: str | None


def _too_little(note: str, n_before: int = 0, n_after: int = 0, **known: float | None) -> _Result:
    return _Result(None, None, None, Verdict.TOO_LITTLE_DATA, None, None,
                   known.get("index_before"), known.get("index_after"), n_before, n_after, 0,
                   None, None, note)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Context:
    estimates: pl.DataFrame
    spans: list[tuple[int, int]]
    instruments: pl.DataFrame
    quarters: Cells
    opts: EffectOptions

    def dates(self, before: int, after: int) -> tuple[dt.date, dt.date]:
        """First day of the before window, last day of the after window."""
        first, last = self.spans[before][0], self.spans[after][1]
        return (
            Period.from_ordinal(first, Granularity.QUARTER).first_day,
            Period.from_ordinal(last, Granularity.QUARTER).last_day,
        )


def _did(row: dict[str, object], before: int | None, after: int | None, ctx: _Context) -> _Result:
    estimates, quarters, opts = ctx.estimates, ctx.quarters, ctx.opts
    country = str(row["country"])
    if country not in quarters.countries:
        return _too_little("no requests to this country")
    if before is None:
        return _too_little("starts too early: no quarters before it in the data")
    if after is None:
        return _too_little("too recent: too few quarters after it in the data")
    code = quarters.countries.index(country)
    b = estimates.filter(pl.col("span") == before).sort("country_code")
    a = estimates.filter(pl.col("span") == after).sort("country_code")
    n_b, n_a = _int(b, "n"), _int(a, "n")
    th_b, th_a = b["theta"].to_numpy(), a["theta"].to_numpy()
    v_b, v_a = b["var"].to_numpy(), a["var"].to_numpy()
    known = {
        "index_before": float(expit(th_b[code]) * 100),
        "index_after": float(expit(th_a[code]) * 100),
    }
    if n_b[code] < opts.min_requests or n_a[code] < opts.min_requests:
        return _too_little(
            "too few requests before or after", int(n_b[code]), int(n_a[code]), **known
        )
    first, last = ctx.dates(before, after)
    busy = _busy_countries(ctx.instruments, quarters, first, last)
    eligible = (n_b >= opts.min_requests) & (n_a >= opts.min_requests) & ~busy
    eligible[code] = False
    if eligible.sum() < opts.min_controls:
        return _too_little("too few comparable countries", int(n_b[code]), int(n_a[code]), **known)
    change = th_a - th_b
    var = v_a + v_b
    drift = _drift_variance(change[eligible], var[eligible])
    distance = np.abs(th_b - th_b[code])
    candidates = np.flatnonzero(eligible)
    close = candidates[distance[candidates] <= opts.comparable_logit]
    if close.size < opts.min_controls:
        close = candidates[np.argsort(distance[candidates], kind="stable")[: opts.min_controls]]
    weight = 1.0 / (var[close] + drift)
    control = float(np.sum(weight * change[close]) / np.sum(weight))
    effect = float(change[code] - control)
    se = float(np.sqrt(var[code] + drift + 1.0 / np.sum(weight)))
    # the drift is estimated from the controls: Student's t with their degrees of freedom
    quantile = float(student_t.ppf(0.5 + opts.level / 2.0, max(int(eligible.sum()) - 1, 1)))
    lo, hi = effect - quantile * se, effect + quantile * se
    after_theta = th_a[code]

    def points(shift: float) -> float:
        return float(100.0 * (expit(after_theta) - expit(after_theta - shift)))

    note = _overlap_note(row, ctx.instruments, first, last)
    width = points(hi) - points(lo)
    if width > opts.max_width:
        return _Result(None, None, None, Verdict.TOO_LITTLE_DATA, effect, se, known["index_before"],
                       known["index_after"], int(n_b[code]), int(n_a[code]), int(close.size),
                       control, float(np.sqrt(drift)), "interval too wide")  # fmt: skip
    verdict = (
        Verdict.INCREASE if lo > 0 else Verdict.DECREASE if hi < 0 else Verdict.NO_CLEAR_CHANGE
    )
    return _Result(points(effect), points(lo), points(hi), verdict, effect, se,
                   known["index_before"], known["index_after"], int(n_b[code]), int(n_a[code]),
                   int(close.size), control, float(np.sqrt(drift)), note)  # fmt: skip


def _drift_variance(change: FloatArray, var: FloatArray) -> float:
    """Between-country variance of the changes beyond sampling (DerSimonian-Laird)."""
    w = 1.0 / var
    mean = np.sum(w * change) / np.sum(w)
    q = float(np.sum(w * (change - mean) ** 2))
    denominator = float(np.sum(w) - np.sum(w * w) / np.sum(w))
    if denominator <= 0:
        return 0.0
    return max(0.0, (q - (change.size - 1)) / denominator)


def _busy_countries(
    instruments: pl.DataFrame, quarters: Cells, first: dt.date, last: dt.date
) -> NDArray[np.bool_]:
    """Countries with an instrument starting or ending between ``first`` and ``last``."""
    starts = pl.col("start_on").is_between(first, last)
    ends = pl.col("end_on").is_between(first, last).fill_null(False)
    busy = set(instruments.filter(starts | ends)["country"].to_list())
    return np.array([c in busy for c in quarters.countries], dtype=bool)


def _overlap_note(
    row: dict[str, object], instruments: pl.DataFrame, first: dt.date, last: dt.date
) -> str | None:
    others = instruments.filter(
        (pl.col("country") == row["country"])
        & (pl.col("instrument_id") != row["instrument_id"])
        & (
            pl.col("start_on").is_between(first, last)
            | pl.col("end_on").is_between(first, last).fill_null(False)
        )
    )["instrument_id"]
    if others.is_empty():
        return None
    return "overlaps with " + ", ".join(sorted(others.to_list()))


def _rows(instruments: pl.DataFrame, results: list[_Result]) -> pl.DataFrame:
    base = instruments.select("instrument_id", "country", "kind", "start_on", "title")
    if not results:
        results = [_too_little("no requests")] * instruments.height
    fields = {name: [getattr(r, name) for r in results] for name in _Result.__slots__}
    schema = {
        "effect": pl.Float64, "lower": pl.Float64, "upper": pl.Float64, "verdict": pl.String,
        "effect_logit": pl.Float64, "se_logit": pl.Float64, "index_before": pl.Float64,
        "index_after": pl.Float64, "n_before": pl.Int64, "n_after": pl.Int64,
        "controls": pl.Int64, "control_change": pl.Float64, "drift_sd": pl.Float64,
        "note": pl.String,
    }  # fmt: skip
    return pl.concat([base, pl.DataFrame(fields, schema=schema)], how="horizontal").select(COLUMNS)

"""What an instrument did to the index: an event study with not-yet-treated controls.

Every country's standard-case index is estimated per quarter of submission, without
shrinkage between quarters (the index model's case-mix coefficients and each country's
answer-time curve taken from it), with its sampling variance (:func:`quarterly_panel`).
For an instrument on country c starting in quarter q, :func:`retour.analysis.event_study.
event_study` follows c's logit index from four quarters before q to six after it against
the countries without an instrument starting or ending from three quarters before that
window to its end (not yet, or long since, treated), each relative to its own mean over
the quarters four to two before the start (the quarter just before it, where a measure that
follows a poor assessment finds its dip, is shown and checked but is no reference:
``anticipation``); see that module for the estimator, its variance and why it is ours. The
quarter of the extraction date (a few days' requests) is left out of the panel.

The row of an instrument gives the *average* effect over the six quarters after the start
quarter (which is partly treated, shown in the event study, not averaged; the quarters
weighted by the country's precision in each), in logit and in
index points: 100 * (expit(theta_after) - expit(theta_after - effect)), theta_after being
c's mean logit index after the start; the interval likewise (95% by default, because it is
a claim). Verdicts, in this order:

- ``too little data``: the window falls outside the data, too few requests before or
  after, or too few comparable countries (a wide interval is no reason: it is judged like any
  other, and when it holds 0 the note says how large an effect could not be seen);
- ``not identifiable``: the index was already moving before the start (the quarter just
  before it differs from the earlier pre-start quarters beyond chance, against the
  controls): no effect is given, only the event study that shows the move;
- ``increase`` / ``decrease``: the interval lies above / below 0;
- ``no clear change``: it holds 0; the note then says how large an effect the data could
  have shown (80% power): "could not be seen below 0.85 logit, 12 points".

``event_study`` holds the quarters, ``[{quarter_offset, effect, lower, upper, effect_logit,
lower_logit, upper_logit}]`` (points at each quarter's own level, and logit), offset 0 the
start quarter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Final

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.special import expit, logit

from retour.analysis import casemix
from retour.analysis.casemix import CASE_MIX_NAMES, Cells
from retour.analysis.event_study import (
    EventOptions,
    EventStudy,
    NoEstimateError,
    Panel,
    event_study,
)
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

#: Prior variance of a quarter's own level: wide enough to leave each quarter unshrunk.
WINDOW_VARIANCE: Final = 25.0


class Verdict(StrEnum):
    """Values of the ``verdict`` column."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NO_CLEAR_CHANGE = "no clear change"
    TOO_LITTLE_DATA = "too little data"
    NOT_IDENTIFIABLE = "not identifiable"


#: The note of a "not identifiable" verdict.
MOVING_NOTE: Final = "the index was already moving before the start"
#: The beginning of a "no clear change" note: "could not be seen below 0.85 logit, 12 points".
UNDETECTABLE: Final = "could not be seen below "
#: Between two notes of one row.
NOTE_SEPARATOR: Final = "; "


@dataclass(frozen=True, slots=True)
class EffectOptions:
    """Settings of the instrument analysis.

    Attributes:
        level: coverage of the effect's interval (and so the verdict's strictness).
        before, after: quarters of the event study before and after the start quarter.
        baseline: quarters before those against which the pre-start quarters are checked.
        anticipation: the last pre-start quarters left out of each country's reference
            level (1: the quarter just before the start, where a measure that follows a
            poor assessment finds its dip; the check still reads it).
        guard_quarters: a country whose instrument started this many quarters before the
            window (or within it, or ended within it) is no control: a late effect of its
            own may still arrive.
        moving_level: the pre-start check flags a move at this two-sided level.
        min_quarters: the least quarters before and after the start in the data.
        min_requests: the least requests before, and after, for the country and a control.
        min_controls: fewer comparable countries: too little data.
    """

    level: float = 0.95
    before: int = 4
    after: int = 6
    baseline: int = 0
    anticipation: int = 1
    guard_quarters: int = 3
    moving_level: float = 0.90
    min_quarters: int = 2
    min_requests: int = 30
    min_controls: int = 8

    @property
    def event(self) -> EventOptions:
        return EventOptions(
            before=self.before, after=self.after, baseline=self.baseline,
            anticipation=self.anticipation, level=self.level,
            moving_level=self.moving_level, min_quarters=self.min_quarters,
            min_requests=self.min_requests, min_controls=self.min_controls,
        )  # fmt: skip


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
    "detectable_logit",
    "detectable",
    "moving_z",
    "event_study",
)

#: The fields of every quarter in the ``event_study`` column.
EVENT_FIELDS: Final = (
    "quarter_offset", "effect", "lower", "upper", "effect_logit", "lower_logit", "upper_logit",
)  # fmt: skip
EVENT_SCHEMA: Final = pl.List(
    pl.Struct({name: pl.Int64 if name == "quarter_offset" else pl.Float64
               for name in EVENT_FIELDS})
)  # fmt: skip


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
    panel = complete_quarters(
        quarterly_panel(casemix.with_cells(fu, quarters), quarters, model), as_of
    )
    context = _Context(panel, instruments, quarters, opts)
    results = [_study(row, context) for row in instruments.iter_rows(named=True)]
    return InstrumentEffects(_rows(instruments, results), as_of, opts)


def quarterly_panel(coded: pl.DataFrame, quarters: Cells, model: IndexModel) -> Panel:
    """Every country's standard-case index per quarter (logit), unshrunk between quarters,
    with the index model's case-mix coefficients and answer-time curves (nan: no requests)."""
    spans = [(q, q) for q in range(quarters.first, quarters.first + quarters.periods)]
    estimates = _window_estimates(coded, quarters, model, spans).sort("country_code", "span")
    shape = (len(quarters.countries), quarters.periods)
    n = _int(estimates, "n").reshape(shape)
    theta = estimates["theta"].to_numpy().reshape(shape).copy()
    theta[n == 0] = np.nan
    return Panel(theta, estimates["var"].to_numpy().reshape(shape), n, quarters.first)


def complete_quarters(panel: Panel, as_of: dt.date) -> Panel:
    """The panel without the quarters that end after ``as_of`` (the extraction's own quarter,
    of a few days' requests, is no quarter of the event study)."""
    keep = 0
    while keep < panel.quarters and (
        Period.from_ordinal(panel.first + keep, Granularity.QUARTER).last_day <= as_of
    ):
        keep += 1
    return Panel(panel.theta[:, :keep], panel.var[:, :keep], panel.n[:, :keep], panel.first)


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


# -- the event study per instrument ---------------------------------------------------------


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
    detectable_logit: float | None = None
    detectable: float | None = None
    moving_z: float | None = None
    event_study: list[dict[str, float | int | None]] | None = None


@dataclass(frozen=True, slots=True)
class _Context:
    panel: Panel
    instruments: pl.DataFrame
    quarters: Cells
    opts: EffectOptions

    def window(self, start: int) -> tuple[dt.date, dt.date]:
        """First and last day of the event study's window around quarter ``start``."""
        first = start - self.opts.before - self.opts.guard_quarters
        return (
            Period.from_ordinal(first, Granularity.QUARTER).first_day,
            Period.from_ordinal(start + self.opts.after, Granularity.QUARTER).last_day,
        )


def _study(row: dict[str, object], ctx: _Context) -> _Result:
    country = str(row["country"])
    if country not in ctx.quarters.countries:
        return _too_little("no requests to this country")
    start_on = row["start_on"]
    assert isinstance(start_on, dt.date)
    start = quarter_of(start_on).ordinal
    code = ctx.quarters.countries.index(country)
    first, last = ctx.window(start)
    controls = ~_busy_countries(ctx.instruments, ctx.quarters, first, last)
    try:
        study = event_study(ctx.panel, code, start, controls, ctx.opts.event)
    except NoEstimateError as reason:
        return _too_little(str(reason), *_counts(ctx.panel, code, start, ctx.opts))
    overlap = _overlap_note(row, ctx.instruments, first, last)
    return _verdict(study, ctx.panel, code, start, overlap)


def _counts(panel: Panel, code: int, start: int, opts: EffectOptions) -> tuple[int, int]:
    q = start - panel.first
    before = panel.n[code, max(q - opts.before, 0) : max(q, 0)].sum()
    after = panel.n[code, max(q + 1, 0) : max(q + 1 + opts.after, 0)].sum()
    return int(before), int(after)


def _levels(study: EventStudy, panel: Panel, code: int, start: int) -> tuple[float, float]:
    """The country's mean logit index over the quarters before and after the start."""
    theta = panel.theta[code, start - panel.first + study.offsets]
    return float(np.mean(theta[study.offsets < 0])), float(np.mean(theta[study.offsets > 0]))


def _points(level: float, shift: float) -> float:
    """A shift of ``shift`` logit ending at ``level`` (logit), in index points."""
    return float(100.0 * (expit(level) - expit(level - shift)))


def _verdict(
    study: EventStudy, panel: Panel, code: int, start: int, overlap: str | None
) -> _Result:
    before, after = _levels(study, panel, code, start)
    effect, se = study.average, study.average_se
    lo, hi = effect - study.quantile * se, effect + study.quantile * se
    quarters = _quarters(study, panel, code, start)
    detectable = study.detectable
    seen = _points(after, detectable) if effect < 0 else -_points(after, -detectable)
    base = _Result(
        None, None, None, Verdict.TOO_LITTLE_DATA, effect, se, float(expit(before) * 100),
        float(expit(after) * 100), study.n_before, study.n_after, study.controls,
        study.control_change, study.drift_sd, overlap, detectable, abs(seen), study.moving_z,
        quarters,
    )  # fmt: skip
    if study.moving:
        return replace(base, verdict=Verdict.NOT_IDENTIFIABLE, effect_logit=None, se_logit=None,
                       note=_join(MOVING_NOTE, overlap))  # fmt: skip
    verdict = (
        Verdict.INCREASE if lo > 0 else Verdict.DECREASE if hi < 0 else Verdict.NO_CLEAR_CHANGE
    )
    unseen = (
        undetectable_note(detectable, abs(seen)) if verdict is Verdict.NO_CLEAR_CHANGE else None
    )
    return replace(
        base, effect=_points(after, effect), lower=_points(after, lo), upper=_points(after, hi),
        verdict=verdict, note=_join(unseen, overlap),
    )  # fmt: skip


def _quarters(
    study: EventStudy, panel: Panel, code: int, start: int
) -> list[dict[str, float | int | None]]:
    theta = panel.theta[code, start - panel.first + study.offsets]
    lower, upper = study.lower, study.upper
    return [
        {
            "quarter_offset": int(e),
            "effect": _points(float(theta[i]), float(study.effect[i])),
            "lower": _points(float(theta[i]), float(lower[i])),
            "upper": _points(float(theta[i]), float(upper[i])),
            "effect_logit": float(study.effect[i]),
            "lower_logit": float(lower[i]),
            "upper_logit": float(upper[i]),
        }
        for i, e in enumerate(study.offsets.tolist())
    ]


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return NOTE_SEPARATOR.join(kept) if kept else None


def undetectable_note(logit_size: float, points: float) -> str:
    """The note of a "no clear change": how large an effect the data could have shown."""
    return f"{UNDETECTABLE}{logit_size:.2f} logit, {points:.0f} points"


def _too_little(note: str, n_before: int = 0, n_after: int = 0) -> _Result:
    return _Result(None, None, None, Verdict.TOO_LITTLE_DATA, None, None, None, None, n_before,
                   n_after, 0, None, None, note)  # fmt: skip


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
    schema: dict[str, Any] = {
        "effect": pl.Float64, "lower": pl.Float64, "upper": pl.Float64, "verdict": pl.String,
        "effect_logit": pl.Float64, "se_logit": pl.Float64, "index_before": pl.Float64,
        "index_after": pl.Float64, "n_before": pl.Int64, "n_after": pl.Int64,
        "controls": pl.Int64, "control_change": pl.Float64, "drift_sd": pl.Float64,
        "note": pl.String, "detectable_logit": pl.Float64, "detectable": pl.Float64,
        "moving_z": pl.Float64, "event_study": EVENT_SCHEMA,
    }  # fmt: skip
    return pl.concat([base, pl.DataFrame(fields, schema=schema)], how="horizontal").select(COLUMNS)

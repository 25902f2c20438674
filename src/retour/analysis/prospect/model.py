"""The prospect model: a discrete-time hazard of departure with a competing end, per month.

For a case with inputs x (:data:`~retour.analysis.prospect.features.INPUTS`) on a date, in
month k = 1..6 after it, while the case is still open:

    P(demonstrable departure in month k)            = a_k = logistic(alpha_k + x'beta + u_country)
    P(another end in month k | no departure in it)  = b_k = logistic(gamma_k + x'delta + v_country)

("another end": a departure without supervision, or the case closed for another reason).
The two parts of this continuation-ratio model have separate likelihoods, so they are two
binomial regressions on the landmark sample's case-months. ``u`` and ``v`` are country
random intercepts whose variance is estimated from the data (empirical Bayes, the same
estimator as the cooperation index: :mod:`retour.analysis.glmm`): a country with few past
cases is drawn towards the average of all countries, by as much as the countries really
differ. The fixed effects carry a weak ridge prior (sd 5 on the log-odds scale), which only
matters where the data cannot say anything (e.g. no one ever departed from some state).

The probability of a demonstrable departure within h months is the cumulative incidence

    P_h = sum_{k <= h} S_{k-1} a_k,   S_k = prod_{j <= k} (1 - a_j)(1 - b_j),

and its interval comes from the delta method on the log-odds of P_h: the posterior
(Laplace) covariance of the linear predictors of both parts, country included, through the
exact gradient of P_h.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.special import expit, logit, ndtri

from retour.analysis import conditions as lights
from retour.analysis.glmm import (
    Family,
    Glmm,
    GlmmData,
    GlmmFit,
    Nesting,
    fit_from_parts,
    fit_parts,
)
from retour.analysis.prospect.features import (
    COOPERATION_LEVELS,
    DEPARTED,
    EVIDENCE_LEVELS,
    INPUTS,
    OTHER_END,
    TIME_BANDS,
    blocker_pattern,
)
from retour.domain.codes import ConditionState
from retour.domain.parts import Json, Parts, PartsError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: The model's name in outputs and in the audit log; change it when the method changes.
MODEL_VERSION: Final = "prospect-2"
#: The node that stands for a country without past cases: its effect is the prior, 0.
UNSEEN: Final = "?"
#: What makes past cases comparable (the columns of ``ProspectModel.comparable``).
COMPARABLE_BY: Final = ("country", "evidence", "cooperation", "pattern")
#: Log-odds are kept inside this range when an interval is formed.
_EDGE: Final = 1e-9


@dataclass(frozen=True, slots=True)
class ProspectOptions:
    """The settings of the prospect (published with it in the model card).

    horizons: months after the date for which the probability is given.
    window: how many month-end landmarks (the latest whose horizon has passed) teach it. Six,
        not twelve (prospect-1): departures drift from year to year, and a model taught by
        the last twelve month ends under-predicted the cases most likely to leave (the ninth
        decile by up to 6 points of 16 on the simulator); the last six follow the drift at
        little cost in precision (docs/prospect.md).
    level: the interval's coverage.
    fixed_sd: prior sd of every fixed effect but the intercepts (log-odds).
    min_cases, min_departures: below these the sample is too small for an estimate.
    few_comparable: below this many comparable past cases the case view says so.
    """

    horizons: tuple[int, ...] = (3, 6)
    window: int = 6
    level: float = 0.90
    fixed_sd: float = 5.0
    min_cases: int = 200
    min_departures: int = 20
    few_comparable: int = 20

    @property
    def horizon(self) -> int:
        return max(self.horizons)


def _columns(horizon: int) -> list[tuple[str, pl.Expr]]:
    """The fixed-effect columns: name and 0/1 expression (treatment coding)."""
    cols: list[tuple[str, pl.Expr]] = [("intercept", pl.lit(1.0))]
    cols += [(f"month_{k}", (pl.col("month") == k).cast(pl.Float64)) for k in range(2, horizon + 1)]
    cols += [
        (f"open_{label}", (pl.col("time_open") == label).cast(pl.Float64))
        for _, label in TIME_BANDS[1:]
    ]
    cols += [
        (f"evidence_{v}", (pl.col("evidence") == v).cast(pl.Float64)) for v in EVIDENCE_LEVELS[1:]
    ]
    cols += [
        (f"cooperation_{v}", (pl.col("cooperation") == v).cast(pl.Float64))
        for v in COOPERATION_LEVELS[1:]
    ]
    for condition in lights.STATE_COLUMNS:
        for state in (ConditionState.RED.value, ConditionState.UNKNOWN.value):
            cols.append((f"{condition}_{state}", (pl.col(condition) == state).cast(pl.Float64)))
    return cols


def design(frame: pl.DataFrame, horizon: int) -> tuple[tuple[str, ...], FloatArray]:
    """The design matrix of ``frame`` (inputs and ``month``) and its column names."""
    cols = _columns(horizon)
    x = frame.select(expr.alias(name) for name, expr in cols).to_numpy().astype(np.float64)
    return tuple(name for name, _ in cols), np.ascontiguousarray(x)


@dataclass(frozen=True)
class ProspectModel:
    """A fitted prospect model, with the sample it rests on.

    ``comparable``: per country, evidence, cooperation and blocker pattern, the landmark
    cases and how many of them departed demonstrably within each horizon
    (``departed_3``, ...). ``baseline``: the same per country only.
    """

    as_of: dt.date
    options: ProspectOptions
    landmarks: tuple[dt.date, dt.date]
    cases: int
    departed: int  # landmark cases with a demonstrable departure within the horizon
    countries: tuple[str, ...]
    columns: tuple[str, ...]
    departure: GlmmFit
    other_end: GlmmFit
    comparable: pl.DataFrame
    baseline: pl.DataFrame
    version: str = MODEL_VERSION
    _node: dict[str, int] = field(default_factory=dict, repr=False)

    def node(self, country: str) -> int:
        return self._node.get(country, self._node[UNSEEN])

    @property
    def country_sd(self) -> tuple[float, float]:
        """The estimated between-country sd of both parts (log-odds)."""
        return (
            float(np.sqrt(self.departure.variances[0])),
            float(np.sqrt(self.other_end.variances[0])),
        )

    def predict(self, inputs: pl.DataFrame, *, intervals: bool = True) -> pl.DataFrame:
        """Per row of ``inputs`` (:data:`INPUTS`), ``p_{h}`` for each horizon h and, with
        ``intervals``, ``low_{h}`` and ``high_{h}`` (the interval at ``options.level``)."""
        return predict(self, inputs, intervals=intervals)

    def to_parts(self) -> Parts:
        """The model as plain parts (JSON values, arrays, frames): kept without pickle."""
        return model_parts(self)

    @classmethod
    def from_parts(cls, parts: Parts) -> ProspectModel:
        """The model :meth:`to_parts` took apart, exactly; :class:`PartsError` if the parts
        are not one of this version."""
        return model_from_parts(parts)


# -- taken apart and put back together ---------------------------------------------------------


def model_parts(model: ProspectModel) -> Parts:
    """See :meth:`ProspectModel.to_parts`."""
    options = model.options
    meta: dict[str, Json] = {
        "version": model.version,
        "as_of": model.as_of.isoformat(),
        "options": {
            "horizons": [*options.horizons],
            "window": options.window,
            "level": options.level,
            "fixed_sd": options.fixed_sd,
            "min_cases": options.min_cases,
            "min_departures": options.min_departures,
            "few_comparable": options.few_comparable,
        },
        "first_landmark": model.landmarks[0].isoformat(),
        "last_landmark": model.landmarks[1].isoformat(),
        "cases": model.cases,
        "departed": model.departed,
        "countries": [*model.countries],
        "columns": [*model.columns],
        "nodes": dict(model._node),
    }
    frames = {"comparable": model.comparable, "baseline": model.baseline}
    return Parts(meta, frames=frames).merged(
        fit_parts(model.departure).prefixed("departure"),
        fit_parts(model.other_end).prefixed("other_end"),
    )


def model_from_parts(parts: Parts) -> ProspectModel:
    """See :meth:`ProspectModel.from_parts`."""
    version = parts.value("version", str)
    if version != MODEL_VERSION:
        raise PartsError(f"a model of version {version!r}, not {MODEL_VERSION!r}")
    columns = parts.texts("columns")
    fits = [fit_from_parts(parts.within(name)) for name in ("departure", "other_end")]
    nodes = _nodes_from_parts(parts, fits)
    for fit in fits:
        if fit.beta.size != len(columns):
            raise PartsError("the fits do not have one coefficient per column")
    options = _options_from_parts(Parts(parts.value("options", dict)))
    counts = ["cases", *(f"departed_{h}" for h in options.horizons)]
    return ProspectModel(
        as_of=parts.day("as_of"),
        options=options,
        landmarks=(parts.day("first_landmark"), parts.day("last_landmark")),
        cases=parts.value("cases", int),
        departed=parts.value("departed", int),
        countries=parts.texts("countries"),
        columns=columns,
        departure=fits[0],
        other_end=fits[1],
        comparable=_frame(parts, "comparable", [*COMPARABLE_BY, *counts]),
        baseline=_frame(parts, "baseline", ["country", *counts]),
        version=version,
        _node=nodes,
    )


def _frame(parts: Parts, name: str, columns: list[str]) -> pl.DataFrame:
    frame = parts.frame(name)
    if not set(columns) <= set(frame.columns):
        raise PartsError(f"frame {name!r} lacks columns")
    return frame


def _options_from_parts(parts: Parts) -> ProspectOptions:
    horizons = parts.counts("horizons")
    if not horizons or min(horizons) < 1:
        raise PartsError("the horizons are not months")
    return ProspectOptions(
        horizons=horizons,
        window=parts.value("window", int),
        level=parts.value("level", float),
        fixed_sd=parts.value("fixed_sd", float),
        min_cases=parts.value("min_cases", int),
        min_departures=parts.value("min_departures", int),
        few_comparable=parts.value("few_comparable", int),
    )


def _nodes_from_parts(parts: Parts, fits: list[GlmmFit]) -> dict[str, int]:
    """The country nodes: one per country and :data:`UNSEEN`, each a node of both fits."""
    nodes = parts.value("nodes", dict)
    bound = min(fit.nesting.sizes[0] for fit in fits)
    if not all(type(v) is int and 0 <= v < bound for v in nodes.values()):
        raise PartsError("the country nodes are not nodes of the fits")
    if not {*parts.texts("countries"), UNSEEN} <= nodes.keys():
        raise PartsError("a country has no node")
    return nodes


def departed_within(h: int) -> pl.Expr:
    return (pl.col("outcome") == DEPARTED) & (pl.col("month") <= h)


def fit_prospect(
    sample: pl.DataFrame, as_of: dt.date, options: ProspectOptions
) -> ProspectModel | None:
    """Fit the model on a landmark sample (:func:`.features.landmark_sample`).

    None when the sample has fewer than ``options.min_cases`` cases or
    ``options.min_departures`` demonstrable departures within the horizon.
    """
    horizon = options.horizon
    departed = int(sample.select(departed_within(horizon).sum()).item()) if sample.height else 0
    if sample.height < options.min_cases or departed < options.min_departures:
        return None
    countries = tuple(sorted(sample["country"].unique().to_list()))
    nodes = {c: i for i, c in enumerate((*countries, UNSEEN))}
    months = _case_months(sample)
    names, _ = design(months.head(1), horizon)
    fixed_precision = np.full(len(names), 1.0 / options.fixed_sd**2)
    fixed_precision[0] = 0.0
    departure = _fit(months, "departed", "at_risk", nodes, horizon, fixed_precision)
    rest = months.with_columns(stayed=pl.col("at_risk") - pl.col("departed")).filter(
        pl.col("stayed") > 0
    )
    other_end = _fit(rest, "ended", "stayed", nodes, horizon, fixed_precision)
    pattern = blocker_pattern()
    counts = [pl.len().alias("cases")] + [
        departed_within(h).sum().cast(pl.Int64).alias(f"departed_{h}") for h in options.horizons
    ]
    comparable = (
        sample.with_columns(pattern)
        .group_by(COMPARABLE_BY)
        .agg(counts)
        .with_columns(pl.col("evidence", "cooperation").cast(pl.String))
        .sort(COMPARABLE_BY)
    )
    baseline = sample.group_by("country").agg(counts).sort("country")
    at = sample["at"]
    return ProspectModel(
        as_of=as_of,
        options=options,
        landmarks=(at.min(), at.max()),  # type: ignore[arg-type]
        cases=sample.height,
        departed=departed,
        countries=countries,
        columns=names,
        departure=departure,
        other_end=other_end,
        comparable=comparable,
        baseline=baseline,
        _node=nodes,
    )


def _case_months(sample: pl.DataFrame) -> pl.DataFrame:
    """The sample as case-months at risk, aggregated by inputs and month."""
    expanded = sample.select(
        *INPUTS,
        "outcome",
        last=pl.col("month"),
        month=pl.int_ranges(1, pl.col("month").cast(pl.Int64) + 1),
    ).explode("month")
    ending = pl.col("month") == pl.col("last")
    return (
        expanded.with_columns(
            departed=(ending & (pl.col("outcome") == DEPARTED)).cast(pl.Int64),
            ended=(ending & (pl.col("outcome") == OTHER_END)).cast(pl.Int64),
        )
        .group_by(*INPUTS, "month")
        .agg(
            at_risk=pl.len().cast(pl.Int64),
            departed=pl.col("departed").sum(),
            ended=pl.col("ended").sum(),
        )
        .sort(*INPUTS, "month")
    )


def _distinct_rows(table: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, IntArray]:
    """The distinct rows of ``columns`` and, per row of ``table``, the index of its own."""
    keyed = table.select(columns).with_row_index("_row")
    distinct = (
        keyed.group_by(columns, maintain_order=True)
        .agg(pl.col("_row").first())
        .with_row_index("_design")
    )
    design = keyed.join(distinct.drop("_row"), on=columns, how="left", maintain_order="left")
    return distinct.drop("_row", "_design"), design["_design"].to_numpy().astype(np.int64)


def _fit(
    cells: pl.DataFrame,
    events: str,
    trials: str,
    nodes: dict[str, int],
    horizon: int,
    fixed_precision: FloatArray,
) -> GlmmFit:
    inputs = [c for c in INPUTS if c != "country"]
    rows, index = _distinct_rows(cells, [*inputs, "month"])
    _, x = design(rows, horizon)
    leaf = cells["country"].replace_strict(nodes, return_dtype=pl.Int64).to_numpy()
    data = GlmmData(
        Family.BINOMIAL,
        cells[events].to_numpy().astype(np.float64),
        x,
        np.zeros(cells.height),
        Nesting(leaf.astype(np.int64), (), (len(nodes),)),
        trials=cells[trials].to_numpy().astype(np.float64),
        design=index,
    )
    return Glmm(data, prior_precision=fixed_precision).fit()


# -- prediction ------------------------------------------------------------------------------


def predict(model: ProspectModel, inputs: pl.DataFrame, *, intervals: bool = True) -> pl.DataFrame:
    """See :meth:`ProspectModel.predict`."""
    horizon = model.options.horizon
    n = inputs.height
    months = (
        inputs.select(INPUTS)
        .with_row_index("_row")
        .join(
            pl.DataFrame({"month": list(range(1, horizon + 1))}, schema={"month": pl.Int64}),
            how="cross",
        )
        .sort("_row", "month")
    )
    _, x = design(months, horizon)
    node = np.array([model.node(c) for c in months["country"].to_list()], dtype=np.int64)
    eta_a = model.departure.eta(0, node, x).reshape(n, horizon)
    eta_b = model.other_end.eta(0, node, x).reshape(n, horizon)
    a, b = expit(eta_a), expit(eta_b)
    survive = np.cumprod((1.0 - a) * (1.0 - b), axis=1)
    before = np.hstack([np.ones((n, 1)), survive[:, :-1]])
    incidence = np.cumsum(before * a, axis=1)
    out: dict[str, FloatArray] = {}
    z = float(ndtri(0.5 + model.options.level / 2.0))  # norm.ppf, without scipy.stats
    target = np.repeat(np.arange(n, dtype=np.int64), horizon)
    for h in model.options.horizons:
        p = incidence[:, h - 1]
        out[f"p_{h}"] = p
        if not intervals:
            continue
        grad_a, grad_b = _gradients(a, b, before, h)
        var = model.departure.variance(0, node, x, grad_a.ravel(), target, n)
        var += model.other_end.variance(0, node, x, grad_b.ravel(), target, n)
        clipped = np.clip(p, _EDGE, 1.0 - _EDGE)
        se = np.sqrt(np.maximum(var, 0.0)) / (clipped * (1.0 - clipped))
        centre = logit(clipped)
        out[f"low_{h}"] = expit(centre - z * se)
        out[f"high_{h}"] = expit(centre + z * se)
    return pl.DataFrame(out)


def _gradients(
    a: FloatArray, b: FloatArray, before: FloatArray, h: int
) -> tuple[FloatArray, FloatArray]:
    """d P_h / d eta_a[k] and d P_h / d eta_b[k] for months k = 1..horizon (0 beyond h).

    P_h = sum_{k<=h} S_{k-1} a_k; with T_m = sum_{m<k<=h} S_{k-1} a_k (what comes later):
    dP/d eta_a[m] = S_{m-1} a_m (1 - a_m) - a_m T_m and dP/d eta_b[m] = -b_m T_m.
    """
    terms = before * a
    terms[:, h:] = 0.0
    later = np.cumsum(terms[:, ::-1], axis=1)[:, ::-1] - terms
    grad_a = before * a * (1.0 - a) - a * later
    grad_b = -b * later
    grad_a[:, h:] = 0.0
    grad_b[:, h:] = 0.0
    return grad_a, grad_b

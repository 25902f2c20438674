"""What the columns of each published estimate are: the layouts :func:`disclose_estimates`
applies its rules by, and the gates of the index, answer times, curves and effects.

A layout names, per column of an analysis result, what it is (a count, a share of two
counts, an estimated rate, a model expectation, index points, an interval bound, a logit),
and which exact counts stand behind it. The rules themselves are in
:mod:`retour.disclosure.estimates`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

from retour.analysis.answer_times import DAYS_REPORTED, answered_column
from retour.analysis.check import PUBLISHED_CHECK
from retour.analysis.components import COMPONENTS
from retour.analysis.effects import COLUMNS as EFFECT_COLUMNS
from retour.analysis.pooled import POOLED_COLUMNS
from retour.disclosure.estimates import (
    Column,
    DisclosedEstimates,
    EstimateLayout,
    Measure,
    disclose_estimates,
)
from retour.disclosure.profiles import DisclosureRules, Profile
from retour.disclosure.table import Note
from retour.domain.provenance import Provenance

#: The columns a published assessment table holds, in order (CSV and JSON follow it).
INDEX_COLUMNS: Final = (
    "country",
    "period",
    "kind",
    "n_requests",
    "index",
    "lower",
    "upper",
    "status",
    "trend",
    "change",
    *COMPONENTS,
    *PUBLISHED_CHECK,
    "not_assessed",  # the country status that holds in the period (no index), or null
    "not_assessed_since",
)

_INDEX_MEASURES: Final = (
    Column("n_requests", Measure.COUNT),
    Column("index", Measure.POINTS),
    Column("lower", Measure.LOWER),
    Column("upper", Measure.UPPER),
    Column("change", Measure.POINTS),
    Column("answer_rate_90d", Measure.RATE, denominator="n_requests"),
    Column("confirmation_observed", Measure.SHARE, "n_confirmed_90d", "n_answered_90d"),
    Column("confirmation_expected", Measure.EXPECTED, denominator="n_answered_90d"),
    Column("document_within_30d", Measure.SHARE, "n_documented", "n_document_known"),
    Column("naive_positive_share", Measure.SHARE, "n_positive", "n_ended"),
    # the model-free check: an Aalen-Johansen rate of the cell's standard cases, given in
    # points; under public on the grid of the rounded standard cases and in whole points
    # (never finer than the index), withheld with a count under the threshold in or beside
    # it; its interval outwards on the same grid and withheld with it; ``disagrees`` only
    # where both the index and the check are published
    Column("check", Measure.RATE, denominator="n_standard", scale=100.0),
    Column("check_lower", Measure.LOWER, denominator="n_standard", scale=100.0,
           about=("check",)),
    Column("check_upper", Measure.UPPER, denominator="n_standard", scale=100.0,
           about=("check",)),
    Column("disagrees", Measure.FLAG, about=("index", "check")),
)  # fmt: skip


def index_layout(min_requests: int) -> EstimateLayout:
    """The cooperation index per country and period, its components and the naive share;
    components blanked below ``min_requests`` requests."""
    return EstimateLayout(
        columns=INDEX_COLUMNS,
        measures=_INDEX_MEASURES,
        size="n_requests",
        small=COMPONENTS,
        min_size=min_requests,
    )


def answer_times_layout(columns: Sequence[str], min_requests: int) -> EstimateLayout:
    """The answer-time table (``columns``: what it holds, in order): every share answered or
    withdrawn is a rate of the row's requests; shares and medians blanked below
    ``min_requests``."""
    rates = [c for c in columns if c.startswith(("answered_", "withdrawn_"))]
    return EstimateLayout(
        columns=tuple(columns),
        measures=(
            Column("n_requests", Measure.COUNT),
            *(Column(c, Measure.RATE, denominator="n_requests") for c in rates),
        ),
        size="n_requests",
        small=(*rates, *(c for c in columns if c.startswith("median"))),
        min_size=min_requests,
    )


#: Every share of the answer-time table (for readers of the layout).
ANSWER_TIME_RATES: Final = (*(answered_column(d) for d in DAYS_REPORTED), "withdrawn_365d")

#: Effects: index points (the effect, its interval, the index before and after), logits
#: and their spread, and the requests behind each window (counts). ``controls`` counts
#: countries, not people, and goes out as it is.
EFFECTS_LAYOUT: Final = EstimateLayout(
    columns=EFFECT_COLUMNS,
    measures=(
        Column("effect", Measure.POINTS),
        Column("lower", Measure.LOWER),
        Column("upper", Measure.UPPER),
        Column("index_before", Measure.POINTS),
        Column("index_after", Measure.POINTS),
        Column("effect_logit", Measure.LOGIT),
        Column("se_logit", Measure.LOGIT),
        Column("control_change", Measure.LOGIT),
        Column("drift_sd", Measure.LOGIT),
        Column("n_before", Measure.COUNT),
        Column("n_after", Measure.COUNT),
        Column("detectable", Measure.POINTS),
        Column("detectable_logit", Measure.LOGIT),
        Column("moving_z", Measure.LOGIT),
        # each quarter of the event study at the precision of the row's own effect
        Column(
            "event_study",
            Measure.NESTED,
            fields=(
                Column("effect", Measure.POINTS),
                Column("lower", Measure.LOWER),
                Column("upper", Measure.UPPER),
                Column("effect_logit", Measure.LOGIT),
                Column("lower_logit", Measure.LOGIT),
                Column("upper_logit", Measure.LOGIT),
            ),
        ),
    ),
    leave_out_confidential=True,
)


def disclose_index(
    table: pl.DataFrame, rules: DisclosureRules, origin: Provenance, *, min_requests: int
) -> DisclosedEstimates:
    """The index table of :func:`retour.analysis.index.assess` (countries already pooled)."""
    return disclose_estimates(table, index_layout(min_requests), rules, origin)


def disclose_answer_times(
    table: pl.DataFrame, rules: DisclosureRules, origin: Provenance, *, min_requests: int
) -> DisclosedEstimates:
    """The answer-time table of :func:`retour.analysis.answer_times.answer_times`, without
    its ``ordinal`` (countries already pooled)."""
    layout = answer_times_layout(table.columns, min_requests)
    return disclose_estimates(table, layout, rules, origin)


def disclose_effects(
    table: pl.DataFrame, rules: DisclosureRules, origin: Provenance
) -> DisclosedEstimates:
    """The effects of :func:`retour.analysis.effects.instrument_effects`: rows of
    confidential countries left out outside ``internal``; under ``public`` each row's
    event-study quarters at the precision of its own effect (:data:`EFFECTS_LAYOUT`)."""
    return disclose_estimates(table, EFFECTS_LAYOUT, rules, origin)


#: The joint effects of the instruments of a kind (``retour effects --pool-by kind``): as an
#: instrument's own effect (points, intervals outwards, logits, requests rounded). The
#: numbers of instruments count instruments, not people, and go out as they are.
POOLED_EFFECTS_LAYOUT: Final = EstimateLayout(
    columns=POOLED_COLUMNS,
    measures=(
        Column("effect", Measure.POINTS),
        Column("lower", Measure.LOWER),
        Column("upper", Measure.UPPER),
        Column("effect_logit", Measure.LOGIT),
        Column("se_logit", Measure.LOGIT),
        Column("n_before", Measure.COUNT),
        Column("n_after", Measure.COUNT),
    ),
)


def disclose_pooled_effects(
    table: pl.DataFrame, rules: DisclosureRules, origin: Provenance, *, notes: Sequence[Note] = ()
) -> DisclosedEstimates:
    """The joint effects of :func:`retour.analysis.pooled.pooled_effects` (the instruments
    of confidential countries already left out under pooling profiles)."""
    return disclose_estimates(table, POOLED_EFFECTS_LAYOUT, rules, origin, notes=notes)


# -- answer curves ------------------------------------------------------------------------------

#: Under public a curve is published at these days only (each a rate of the year's
#: requests): a step at every event would give each answer's day and the number at risk.
CURVE_DAYS: Final = (*range(0, 365, 7), 365)
CURVE_KEYS: Final = ("period", "kind")
_CURVE_COLUMNS: Final = (*CURVE_KEYS, "day", "answered", "withdrawn", "at_risk")
_REQUESTS: Final = "_requests"
CURVES_NOTE: Final = Note(
    "Antwoordcurven per week, in de nauwkeurigheid van de afgeronde aantallen.",
    "Answer curves per week, at the precision of the rounded counts.",
)


def curves_layout(min_requests: int) -> EstimateLayout:
    return EstimateLayout(
        columns=_CURVE_COLUMNS,
        measures=(
            Column("answered", Measure.RATE, denominator=_REQUESTS),
            Column("withdrawn", Measure.RATE, denominator=_REQUESTS),
            Column("at_risk", Measure.COUNT),
        ),
        size=_REQUESTS,
        small=("answered", "withdrawn"),
        min_size=min_requests,
    )


def disclose_curves(
    curves: pl.DataFrame, rules: DisclosureRules, origin: Provenance, *, min_requests: int
) -> DisclosedEstimates:
    """The answer curves of :func:`retour.analysis.answer_times.answer_curves` (one country).

    ``internal`` and ``parliament``: the step functions as they are. ``public``: per year and
    kind with at least ``min_requests`` requests, the curves at :data:`CURVE_DAYS`, each
    value a rate of the year's requests; ``at_risk`` only at day 0 (the year's requests,
    rounded).
    """
    layout = curves_layout(min_requests)
    if rules.profile is not Profile.PUBLIC or curves.is_empty():
        return disclose_estimates(_with_requests(curves), layout, rules, origin)
    weekly = _weekly(_with_requests(curves), min_requests)
    return disclose_estimates(weekly, layout, rules, origin, notes=(CURVES_NOTE,))


def _with_requests(curves: pl.DataFrame) -> pl.DataFrame:
    """``curves`` (possibly empty, without columns) with the requests of each curve."""
    if curves.is_empty():
        schema = {"period": pl.String, "kind": pl.String, "day": pl.Float64,
                  "answered": pl.Float64, "withdrawn": pl.Float64, "at_risk": pl.Int64,
                  _REQUESTS: pl.Int64}  # fmt: skip
        return pl.DataFrame(schema=schema)
    first = pl.col("at_risk").filter(pl.col("day") == 0).max().over(CURVE_KEYS)
    return curves.with_columns(first.cast(pl.Int64).alias(_REQUESTS))


def _weekly(curves: pl.DataFrame, min_requests: int) -> pl.DataFrame:
    """The value of each step function at :data:`CURVE_DAYS` (the last step on or before)."""
    keys = list(CURVE_KEYS)
    steps = (
        curves.filter(pl.col(_REQUESTS) >= min_requests)
        .group_by([*keys, "day"])
        .agg(pl.col("answered", "withdrawn").max(), pl.col(_REQUESTS).first())
        .sort("day")
    )
    followed = steps.group_by(keys).agg(pl.col(_REQUESTS).first(), pl.col("day").max())
    grid = (
        followed.rename({"day": "_last"})
        .join(pl.DataFrame({"day": [float(d) for d in CURVE_DAYS]}), how="cross")
        .filter(pl.col("day") <= pl.col("_last"))
        .drop("_last")
        .sort("day")
    )
    values = grid.join_asof(
        steps.drop(_REQUESTS), on="day", by=keys, strategy="backward", check_sortedness=False
    )
    at_start = pl.when(pl.col("day") == 0).then(pl.col(_REQUESTS))
    return values.with_columns(at_start.cast(pl.Int64).alias("at_risk")).sort([*keys, "day"])

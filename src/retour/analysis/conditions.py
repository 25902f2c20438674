"""The five conditions ("traffic lights") of each case, as of any date, and their counts.

Seed 002: a departure can be realised when five conditions are green -- legally removable,
the country of origin cooperates, identity established, the person available, the person
cooperating. ``conditions.csv`` holds observations; the state of a condition on a date is
its **latest observation on or before that date**, and a condition never observed by then
is ``unknown``. A case is **open** on a date when ``opened_on <= date`` and it was not
closed on or before it (``closed_on`` empty or later).

Everything here is vectorised over cases (Polars; no loop over cases or rows):

- :func:`states_at` -- the five states of each case on its own date (an as-of join by case
  and condition);
- :func:`condition_counts` -- open cases on one date, how many are all green, how many have
  each condition red or unknown, how many are held up by that condition alone;
- :func:`monthly_counts` -- the month-end series of open and all-green cases ("persons ready
  to be returned", as Frontex's IRMA counts them) for many month ends at once, from the
  intervals in which each case is all green (a sweep over the observations);
- :func:`lights` -- one case's traffic lights: state, since when, last observed.

Input frames (see :data:`CASES_SCHEMA` and :data:`OBSERVATIONS_SCHEMA`):

- cases: ``case`` (UInt32, a key), ``nationality``, ``opened_on``, ``closed_on``;
- observations: ``case``, ``observed_on``, ``condition`` and ``state`` (Polars enums of the
  domain codes). At most one observation per case, condition and day (the contract's key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import polars as pl

from retour.domain.codes import Condition, ConditionState

#: The five conditions in the order seed 002 names them.
CONDITIONS: Final = tuple(Condition)
CONDITION_ENUM: Final = pl.Enum([c.value for c in Condition])
STATE_ENUM: Final = pl.Enum([s.value for s in ConditionState])
GREEN: Final = ConditionState.GREEN.value
UNKNOWN: Final = ConditionState.UNKNOWN.value

CASE: Final = "case"
COUNTRY: Final = "country"
MONTH_END: Final = "month_end"
OPEN_CASES: Final = "open_cases"
ALL_GREEN: Final = "all_green"
#: Days of an open-ended interval's end (later than any date).
_NEVER: Final = 2**31 - 1

CASES_SCHEMA: Final = pl.Schema(
    {CASE: pl.UInt32(), "nationality": pl.String(), "opened_on": pl.Date(), "closed_on": pl.Date()}
)
OBSERVATIONS_SCHEMA: Final = pl.Schema(
    {CASE: pl.UInt32(), "observed_on": pl.Date(), "condition": CONDITION_ENUM, "state": STATE_ENUM}
)


def not_green_column(condition: Condition) -> str:
    """Count column: open cases with ``condition`` red or unknown."""
    return f"{condition.value}_not_green"


def single_column(condition: Condition) -> str:
    """Count column: open cases whose only condition not green is ``condition``."""
    return f"only_{condition.value}"


NOT_GREEN_COLUMNS: Final = tuple(not_green_column(c) for c in CONDITIONS)
SINGLE_COLUMNS: Final = tuple(single_column(c) for c in CONDITIONS)
STATE_COLUMNS: Final = tuple(c.value for c in CONDITIONS)


def is_open(on: dt.date | pl.Expr) -> pl.Expr:
    """Open on ``on``: opened on or before it and not closed on or before it."""
    day = pl.lit(on) if isinstance(on, dt.date) else on
    closed = pl.col("closed_on")
    return (pl.col("opened_on") <= day) & (closed.is_null() | (closed > day))


def states_at(at: pl.DataFrame, observations: pl.DataFrame) -> pl.DataFrame:
    """The five states of each row of ``at`` (``case``, ``at``: a date) on its date.

    Returns ``at``'s rows (in their order) with one column per condition (named by the
    condition's code, :data:`STATE_ENUM`): the latest observation on or before ``at``,
    ``unknown`` when there is none. Rows may repeat a case with other dates.
    """
    keyed = at.select(CASE, "at").with_row_index("_row")
    left = keyed.join(
        pl.DataFrame({"condition": list(STATE_COLUMNS)}, schema={"condition": CONDITION_ENUM}),
        how="cross",
    ).sort("at")
    right = (
        observations.select(CASE, "condition", "observed_on", "state")
        .sort("observed_on")
        .with_columns(pl.col("observed_on").alias("_seen"))
    )
    joined = left.join_asof(
        right,
        left_on="at",
        right_on="_seen",
        by=[CASE, "condition"],
        strategy="backward",
        check_sortedness=False,
    )
    wide = (
        joined.with_columns(pl.col("state").fill_null(pl.lit(UNKNOWN, STATE_ENUM)))
        .pivot("condition", index="_row", values="state", on_columns=list(STATE_COLUMNS))
        .sort("_row")
    )
    return pl.concat([at, wide.drop("_row")], how="horizontal")


def _all_green(columns: Sequence[str] = STATE_COLUMNS) -> pl.Expr:
    return pl.all_horizontal(pl.col(c) == GREEN for c in columns)


def open_states(cases: pl.DataFrame, observations: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """The cases open on ``on`` (all their columns) with their five states that day."""
    open_cases = cases.filter(is_open(on)).with_columns(at=pl.lit(on))
    return states_at(open_cases, observations).drop("at")


def condition_counts(
    cases: pl.DataFrame, observations: pl.DataFrame, on: dt.date, *, by_country: bool
) -> pl.DataFrame:
    """Exact counts of the cases open on ``on``, per nationality (``country``) or in all.

    Columns: ``country`` (when ``by_country``; one row per nationality with an open case),
    ``open_cases``, ``all_green``, :data:`NOT_GREEN_COLUMNS` (the condition red or unknown)
    and :data:`SINGLE_COLUMNS` (that condition is the only one not green). Without
    ``by_country`` one row (zeros when no case is open).
    """
    states = open_states(cases, observations, on)
    counts = [
        pl.len().cast(pl.Int64).alias(OPEN_CASES),
        _all_green().sum().cast(pl.Int64).alias(ALL_GREEN),
    ]
    not_green = [pl.col(c) != GREEN for c in STATE_COLUMNS]
    how_many = pl.sum_horizontal(e.cast(pl.Int32) for e in not_green)
    counts += [
        e.sum().cast(pl.Int64).alias(name)
        for e, name in zip(not_green, NOT_GREEN_COLUMNS, strict=True)
    ]
    counts += [
        (e & (how_many == 1)).sum().cast(pl.Int64).alias(n)
        for e, n in zip(not_green, SINGLE_COLUMNS, strict=True)
    ]
    if by_country:
        return states.rename({"nationality": COUNTRY}).group_by(COUNTRY).agg(counts).sort(COUNTRY)
    return states.select(counts)


# -- month ends ------------------------------------------------------------------------------


def month_ends(first_year: int, last_year: int, until: dt.date | None = None) -> list[dt.date]:
    """The last day of every month of ``first_year..last_year``, up to ``until``."""
    days = [
        _month_end(year, month)
        for year in range(first_year, last_year + 1)
        for month in range(1, 13)
    ]
    return [d for d in days if until is None or d <= until]


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _days(column: str) -> pl.Expr:
    """A Date column as days since 1970 (Int64); null stays null."""
    return pl.col(column).cast(pl.Int32).cast(pl.Int64)


def green_spans(observations: pl.DataFrame) -> pl.DataFrame:
    """Per case, the spans ``[start, end)`` (days since 1970) in which all five are green.

    Each observation holds from its day until the next observation of the same case and
    condition; a case is all green where five green spans overlap. Computed by a sweep:
    +1 where a green span starts, -1 where it ends, a running sum per case, and the
    stretches where it reaches five. ``end`` is a large number while still green.
    """
    spans = (
        observations.select(
            CASE, "condition", day=_days("observed_on"), green=pl.col("state") == GREEN
        )
        .sort(CASE, "condition", "day")
        .with_columns(
            end=pl.when(
                (pl.col(CASE).shift(-1) == pl.col(CASE))
                & (pl.col("condition").shift(-1) == pl.col("condition"))
            )
            .then(pl.col("day").shift(-1))
            .otherwise(_NEVER)
        )
        .filter(pl.col("green"))
    )
    steps = pl.concat(
        [
            spans.select(CASE, "day", step=pl.lit(1, pl.Int32)),
            spans.filter(pl.col("end") < _NEVER).select(
                CASE, day=pl.col("end"), step=pl.lit(-1, pl.Int32)
            ),
        ]
    )
    swept = (
        steps.group_by(CASE, "day")
        .agg(pl.col("step").sum())
        .sort(CASE, "day")
        .with_columns(level=pl.col("step").cum_sum().over(CASE))
        .with_columns(
            end=pl.when(pl.col(CASE).shift(-1) == pl.col(CASE))
            .then(pl.col("day").shift(-1))
            .otherwise(_NEVER)
        )
    )
    return swept.filter(pl.col("level") == len(CONDITIONS)).select(
        CASE, start=pl.col("day"), end=pl.col("end")
    )


def monthly_counts(
    cases: pl.DataFrame,
    observations: pl.DataFrame,
    ends: Sequence[dt.date],
    *,
    by_country: bool,
) -> pl.DataFrame:
    """Open and all-green cases on each of the month ends ``ends``, all at once.

    Each case contributes its open span ``[opened_on, closed_on)`` and its all-green spans
    (:func:`green_spans`, cut to the open span); a span covers the month ends ``m`` with
    ``start <= m < end``, counted with difference arrays over the sorted month ends.
    Columns: ``country`` (when ``by_country``), ``month_end``, ``open_cases``, ``all_green``;
    every combination of the countries with a case open on one of the month ends and the
    month ends is present (zeros included).
    """
    ordered = sorted(set(ends))
    marks = pl.Series("m", ordered, dtype=pl.Date).cast(pl.Int32).cast(pl.Int64)
    dims = [COUNTRY] if by_country else []
    base = cases.select(
        CASE,
        pl.col("nationality").alias(COUNTRY),
        opened=_days("opened_on"),
        closed=_days("closed_on").fill_null(_NEVER),
    )
    spans = green_spans(observations).join(base, on=CASE, how="inner")
    green = spans.select(
        COUNTRY,
        start=pl.max_horizontal("start", "opened"),
        end=pl.min_horizontal("end", "closed"),
    )
    open_ = base.select(COUNTRY, start=pl.col("opened"), end=pl.col("closed"))
    steps = pl.concat(
        [_steps(open_, marks, OPEN_CASES), _steps(green, marks, ALL_GREEN)],
        how="diagonal_relaxed",
    ).fill_null(0)
    months = pl.DataFrame(
        {"k": list(range(len(ordered))), MONTH_END: ordered},
        schema={"k": pl.Int64(), MONTH_END: pl.Date()},
    )
    grid = months
    if by_country:
        present = steps.filter(pl.col(OPEN_CASES) != 0).select(COUNTRY).unique()
        grid = present.join(months, how="cross")
    summed = steps.group_by([*dims, "k"]).agg(pl.col(OPEN_CASES, ALL_GREEN).sum())
    running = pl.col(OPEN_CASES, ALL_GREEN).fill_null(0).cum_sum()
    return (
        grid.join(summed, on=[*dims, "k"], how="left")
        .sort([*dims, "k"])
        .with_columns(running.over(dims) if dims else running)
        .select(*dims, MONTH_END, pl.col(OPEN_CASES, ALL_GREEN).cast(pl.Int64))
    )


def _steps(spans: pl.DataFrame, marks: pl.Series, name: str) -> pl.DataFrame:
    """+1 at the first month end a span covers, -1 at the first one after it."""
    first = marks.search_sorted(spans["start"], side="left").cast(pl.Int64)
    after = marks.search_sorted(spans["end"], side="left").cast(pl.Int64)
    located = spans.select(COUNTRY).with_columns(first=first, after=after)
    located = located.filter(pl.col("first") < pl.col("after"))
    return pl.concat(
        [
            located.select(COUNTRY, k=pl.col("first"), **{name: pl.lit(1, pl.Int64)}),
            located.filter(pl.col("after") < len(marks)).select(
                COUNTRY, k=pl.col("after"), **{name: pl.lit(-1, pl.Int64)}
            ),
        ]
    )


# -- one case --------------------------------------------------------------------------------

#: The columns of :func:`lights`.
LIGHT_COLUMNS: Final = ("condition", "state", "since", "observed_on", "observations")


def lights(observations: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """One case's five traffic lights on ``on``, in seed 002's order.

    ``observations``: the case's rows (``observed_on``, ``condition``, ``state``; codes as
    text or enums). Columns:
    ``condition``, ``state`` (the latest observation on or before ``on``; ``unknown``
    without one), ``since`` (the first observation of the unbroken run of that state up to
    ``on``; null without an observation), ``observed_on`` (the latest observation) and
    ``observations`` (how many up to ``on``).
    """
    seen = (
        observations.select(
            "observed_on",
            pl.col("condition").cast(CONDITION_ENUM),
            pl.col("state").cast(STATE_ENUM),
        )
        .filter(pl.col("observed_on") <= on)
        .sort("condition", "observed_on")
    )
    changed = (pl.col("state") != pl.col("state").shift(1)).fill_null(True)
    runs = seen.with_columns(run=changed.cast(pl.Int32).cum_sum().over("condition"))
    current = (
        runs.with_columns(n=pl.len().over("condition"))
        .filter(pl.col("run") == pl.col("run").max().over("condition"))
        .group_by("condition")
        .agg(
            state=pl.col("state").last(),
            since=pl.col("observed_on").first(),
            observed_on=pl.col("observed_on").last(),
            observations=pl.col("n").first().cast(pl.Int64),
        )
    )
    every = pl.DataFrame({"condition": list(STATE_COLUMNS)}, schema={"condition": CONDITION_ENUM})
    return (
        every.join(current, on="condition", how="left", maintain_order="left")
        .with_columns(
            pl.col("state").fill_null(pl.lit(UNKNOWN, STATE_ENUM)),
            pl.col("observations").fill_null(0),
        )
        .select(LIGHT_COLUMNS)
    )


def blockers(lit: pl.DataFrame) -> list[Condition]:
    """The conditions of :func:`lights` that are not green: what blocks departure."""
    rows = lit.filter(pl.col("state") != GREEN)["condition"].to_list()
    return [Condition(c) for c in rows]

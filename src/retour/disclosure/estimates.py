"""Disclose estimates under a profile: :func:`disclose_estimates` -> :class:`DisclosedEstimates`.

The index, its components, the answer times, the answer curves and the instruments' effects
are not tables of counts, but every share among them is a ratio of counts, and a share
published at full precision gives its counts back: 0.0344827... of "30" requests can only
be 1 of 29. This module is the one place that decides, from the counts behind each share and
the profile's rules, at which precision a share, rate, index or interval is published, or
that it is not published at all. What each column is (a count, a share of two counts, an
estimated rate, a model's expectation, index points, an interval bound, a logit) is written
down once per result in an :class:`EstimateLayout`.

What each profile does
----------------------
- ``internal``: exact, every country named.
- ``parliament``: exact, but the confidential countries are pooled into "other countries"
  *before* the analysis (:func:`pool_countries`, so no figure of one of them is ever
  computed on its own) or, where a row is one country's own (an instrument's effect), left
  out; the components of a row with fewer than ``min_size`` requests are blanked.
- ``public``: the parliament rules, and the precision rules below.

The rule (public)
-----------------
Write ``T`` for ``suppress_below`` and ``R`` for ``round_to``. A count is published as a
table's count is rounded (:func:`~retour.disclosure.suppression.round_counts`: half up to a
multiple of ``R``, a non-zero count never to 0, so 1 .. 14 all show as 10); without rounding
(``R = 1``) a count of 1 .. ``T - 1`` is withheld, as a table shows "<5". A share
``s = k / d`` -- ``k`` counted among ``d`` -- is published as follows:

1. Its denominator is rounded as a count, ``D = round(d)``, and ``m = D / R`` (the number of
   rounding steps in it). The share is published on the grid ``0, 1/m, 2/m, ..., 1``: as
   ``j / m`` with ``j`` the nearest integer to ``s * m`` (half up). For ``R = 10`` and a
   denominator near 30, that is steps of a third; near 200, steps of 5 points.
2. It is withheld (null, status ``suppressed``) when ``k`` or ``d - k`` is 1 .. ``T - 1``:
   the share's own "<5". With ``R = 1`` (no rounding) also when the rest of the row
   (``n - d``, ``n`` the row's requests) is 1 .. ``T - 1``.
3. It is withheld (status ``too_coarse``) when the grid cannot tell it from 0 or from 1:
   ``0 < s`` but ``j = 0``, or ``s < 1`` but ``j = m``. So a published 0 is a true 0 and
   a published 1 a true "all", as a shown 0 in a table is a true 0.

An estimated rate (Aalen-Johansen's share answered by day t, with censoring) has no integer
numerator; its *effective count* ``k = s * n`` stands in for it, with ``d = n``. A model's
expectation (the confirmation expected for the case mix) is put on the grid of its
denominator (rule 1 and 3) but has no count to suppress. Index points (the index, its
estimate, the change, an effect, the index before and after) are published as whole points;
an interval's lower bound is rounded down and its upper bound up, so the published interval
holds the computed one. A logit (effect and standard error, the comparable countries'
change, the drift) is published to two decimals. Median days are days, not counts, and go
out as they are. The numbers of requests behind an effect are counts.

Why this gives no count back
----------------------------
A reader who knows the rules and every published figure of a row -- ``N = round(n)``, a
share ``j / m`` -- learns of the share's counts exactly this: ``round(d) = m * R`` (a
rounded count, which a table would show), that ``s`` lies within half a step ``1 / (2m)``
of ``j / m``, and that neither ``k`` nor ``d - k`` is 1 .. ``T - 1`` (rule 2), or that one
of them is (a withheld share, the "<5"). So:

- No count under the threshold is pinned: a published share tells that ``k`` and ``d - k``
  are 0 or at least ``T``; a withheld one only that some count near it is small or that the
  grid is too coarse, never which count or its value. ``n - d`` is the difference of two
  counts each known only to its rounding (with ``R = 1``, rule 2 covers it).
- No count is known more exactly than the rounding: with ``R >= 2`` no count but a true 0
  is pinned (unless a table cell of the same count would be: a threshold above half a
  rounding step, such as ``T = 10`` with ``R = 2``, leaves a rounded "10" only 10 itself).
  Even a reader who knew ``d`` exactly would know ``k`` only to the ``d / m = R * d / D``
  values of its grid step (three quarters of a rounding step or more, since an interior
  share needs ``m >= 2``) less those the threshold rules out -- with the threshold in the
  first half step (``2T <= R``, as DT&V's 5 and 10) still half a rounding step or more. A
  reader who knows only the published figures knows ``d`` to its rounding, which widens
  that. A published share is a function of ``round(d)`` and of ``s`` to the rounding, never
  of the exact counts.

:mod:`tests.disclosure.test_estimates` holds this as properties: for random counts and
rules, an attacker who enumerates every ``(n, d, k)`` consistent with what is published
(the status of each value included) never pins a count of 1 .. ``T - 1`` nor, with
``R >= 2``, any other count a rounded table would not pin.

Not promised for a rounding finer than twice the threshold (``2 <= R < 2T``, as 2 and 5):
there the withheld counts beside a share (rule 2) can leave a single count on its step (26 of
26 requests, a share of 11/13: only 21 fits), and :attr:`DisclosureRules.warnings` says so
for such settings. DT&V's 5 and 10 are outside it, and so is ``R = 1``.

Not promised (as for tables, :mod:`retour.disclosure.suppression`): figures cut from the same
data are protected one by one, not jointly against differencing -- with ``R = 1`` the
denominators of two shares of one row can be subtracted; with ``R >= 2`` each is known only
to its rounding. The index is a model estimate that combines the cell with the country's
other periods and every country's case mix; it is not a function of the cell's counts alone,
and whole points are all that is published of it, but a reader who refits the model on the
full microdata could in principle tell neighbouring counts apart -- which needs the data
the profile withholds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from retour.disclosure.profiles import OTHER_COUNTRIES, DisclosureRules, Profile
from retour.disclosure.suppression import round_counts
from retour.disclosure.table import Note
from retour.domain.language import Language
from retour.domain.provenance import Provenance

FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]

#: Below this an effective count counts as 0 (floating-point noise of an estimator).
EPSILON: Final = 1e-9


class Measure(StrEnum):
    """What a published column is, and so which rule publishes it."""

    COUNT = "count"  # a count: rounded as in a table
    SHARE = "share"  # a share of two counts (numerator and denominator columns)
    RATE = "rate"  # an estimated share of the denominator (e.g. Aalen-Johansen)
    EXPECTED = "expected"  # a model's expected share of the denominator
    POINTS = "points"  # a model estimate in index points (0-100, or a difference)
    LOWER = "lower"  # an interval's lower bound in points
    UPPER = "upper"  # an interval's upper bound in points
    LOGIT = "logit"  # a model estimate on the logit scale
    FLAG = "flag"  # a yes/no about other columns: withheld wherever one of them is
    NESTED = "nested"  # a list of records: each field published by its own rule


class ValueStatus(StrEnum):
    """How one value was published."""

    EXACT = "exact"  # as computed (internal, parliament; and every 0 count)
    ROUNDED = "rounded"  # at the precision of the rules
    SMALL_CELL = "small_cell"  # blanked: the row has too few requests for components
    SUPPRESSED = "suppressed"  # withheld: a count under the threshold in or beside it
    TOO_COARSE = "too_coarse"  # withheld: the rounding cannot tell it from 0 or from 1
    EMPTY = "empty"  # nothing computed (no data, or "too little data")


@dataclass(frozen=True)
class Column:
    """A published column and what it is.

    ``numerator`` (SHARE) and ``denominator`` (SHARE, RATE, EXPECTED) name columns of exact
    counts in the input frame; they need not be published themselves. An interval bound
    (LOWER, UPPER) with a ``denominator`` bounds a rate of it: published outwards on the
    rate's grid. ``scale``: the unit of a share-like value (100: given in points, and then
    published in whole points, as the index). ``about``: columns this one speaks of; it is
    withheld wherever one of them is (a FLAG needs them). ``fields``: the rules of a NESTED
    column's record fields (the record's other fields go out as they are).
    """

    name: str
    measure: Measure
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    about: tuple[str, ...] = ()
    fields: tuple[Column, ...] = ()

    def __post_init__(self) -> None:
        needs = {Measure.SHARE: 2, Measure.RATE: 1, Measure.EXPECTED: 1}.get(self.measure, 0)
        given = (self.numerator is not None) + (self.denominator is not None)
        bound = self.measure in (Measure.LOWER, Measure.UPPER) and given == 1
        if (given != needs or (needs == 1 and self.denominator is None)) and not (
            bound and self.denominator is not None
        ):
            raise ValueError(f"column {self.name!r}: a {self.measure.value} needs {needs} counts")
        if self.measure is Measure.FLAG and not self.about:
            raise ValueError(f"column {self.name!r}: a flag needs the columns it is about")
        if (self.measure is Measure.NESTED) != bool(self.fields):
            raise ValueError(f"column {self.name!r}: fields are for a nested column only")


@dataclass(frozen=True)
class EstimateLayout:
    """What a result's columns are.

    Attributes:
        columns: the published columns, in order.
        measures: the columns with a rule (the others -- labels, codes, days -- go out as
            they are).
        size: the column of the row's number of requests, for ``small``.
        small: blanked outside ``internal`` when ``size`` is under ``min_size``.
        min_size: see ``small``.
        leave_out_confidential: rows of confidential countries are left out (instead of
            being pooled before the analysis), outside ``internal``.
        country: the column holding the country code.
    """

    columns: tuple[str, ...]
    measures: tuple[Column, ...]
    size: str | None = None
    small: tuple[str, ...] = ()
    min_size: int = 1
    leave_out_confidential: bool = False
    country: str = "country"

    def measured(self) -> list[Column]:
        return [c for c in self.measures if c.name in self.columns]

    def inputs(self) -> set[str]:
        names = {*self.columns, *([self.size] if self.size is not None else [])}
        for c in self.measures:
            names |= {n for n in (c.name, c.numerator, c.denominator) if n is not None}
            names |= set(c.about)
        return names


@dataclass(frozen=True, eq=False)
class DisclosedEstimates:
    """A result after its profile's rules: the only form in which estimates leave retour.

    Attributes:
        frame: the published columns (:attr:`EstimateLayout.columns`), nulls where withheld.
        status: one column per measured column: the :class:`ValueStatus` of each value.
        rules: the rules applied.
        origin: where the figures come from.
        notes: what a reader needs to read the figures right.
        layout: what the columns are.
    """

    frame: pl.DataFrame
    status: pl.DataFrame
    rules: DisclosureRules
    origin: Provenance
    notes: tuple[Note, ...]
    layout: EstimateLayout
    _exact: pl.DataFrame = field(repr=False, compare=False)

    @property
    def profile(self) -> Profile:
        return self.rules.profile

    def notes_in(self, lang: Language = "nl") -> list[str]:
        return [note.text(lang) for note in self.notes]

    def audit_exact(self) -> pl.DataFrame:
        """The computed values in the layout of :attr:`frame`. For tests and audits only:
        under ``parliament`` and ``public`` never render them."""
        return self._exact

    def narrowed(
        self, rows: pl.Expr | None = None, columns: Sequence[str] | None = None
    ) -> DisclosedEstimates:
        """Some of the published rows (those where ``rows`` holds on :attr:`frame`) and
        columns, still published: a part of what is published shows nothing the whole
        does not (``retour answer-times --country MA``, the effects' table columns)."""
        keep = self.frame.select(rows if rows is not None else pl.lit(True)).to_series()
        names = list(columns) if columns is not None else self.frame.columns
        return dataclasses.replace(
            self,
            frame=self.frame.filter(keep).select(names),
            status=self.status.filter(keep).select(c for c in self.status.columns if c in names),
            _exact=self._exact.filter(keep).select(names),
        )


def pool_countries(
    frame: pl.DataFrame, rules: DisclosureRules, column: str = "country"
) -> pl.DataFrame:
    """``frame`` (one row per request, before any analysis) with every confidential country
    code replaced by "other countries", so the analysis sees one group."""
    if not rules.pools or column not in frame.columns:
        return frame
    return frame.with_columns(
        pl.when(pl.col(column).is_in(sorted(rules.confidential)))
        .then(pl.lit(OTHER_COUNTRIES))
        .otherwise(pl.col(column))
        .alias(column)
    )


def disclose_estimates(
    frame: pl.DataFrame,
    layout: EstimateLayout,
    rules: DisclosureRules,
    origin: Provenance,
    *,
    notes: Sequence[Note] = (),
) -> DisclosedEstimates:
    """Apply ``rules`` to ``frame``, a result whose columns ``layout`` describes.

    ``notes`` come first (the analysis' own); the notes of the rules follow.
    """
    missing = sorted(layout.inputs() - set(frame.columns))
    if missing:
        raise ValueError(f"disclose_estimates: no column(s) {missing} in {frame.columns}")
    rows = frame
    if layout.leave_out_confidential and rules.pools:
        rows = rows.filter(~pl.col(layout.country).is_in(sorted(rules.confidential)))
    exact = rows.select(layout.columns)
    measured = layout.measured()
    valued = [c for c in measured if c.measure in _VALUED]
    values = {c.name: _floats(rows[c.name]) for c in valued}
    status = {c.name: _initial(values[c.name]) for c in valued}
    if rules.profile is not Profile.INTERNAL and layout.size is not None:
        blank = _floats(rows[layout.size]) < layout.min_size
        for c in valued:
            if c.name in layout.small:
                _withhold(values[c.name], status[c.name], blank, ValueStatus.SMALL_CELL)
    if rules.profile is Profile.PUBLIC:
        for c in valued:
            _publish(c, rows, layout, rules, values[c.name], status[c.name])
    for c in measured:
        if c.about:
            _follow(c, rows, values, status)
    published = exact.with_columns(  # every other column exactly as computed
        _series(c.name, values[c.name], exact.schema[c.name]) for c in measured if c.name in values
    ).with_columns(
        _nested(c, rows, rules, origin, status) for c in measured if c.measure is Measure.NESTED
    )
    return DisclosedEstimates(
        frame=published,
        status=pl.DataFrame(
            {c.name: status[c.name].tolist() for c in measured},
            schema={c.name: pl.String for c in measured},
        ),
        rules=rules,
        origin=origin,
        notes=(*notes, *layout_notes(layout, rules)),
        layout=layout,
        _exact=exact,
    )


#: The measures whose values are numbers (a FLAG is published after the columns it is
#: about, a NESTED column field by field).
_VALUED: Final = frozenset(Measure) - {Measure.FLAG, Measure.NESTED}


def _follow(
    column: Column,
    rows: pl.DataFrame,
    values: dict[str, FloatArray],
    status: dict[str, ObjectArray],
) -> None:
    """Withhold ``column`` (in place) wherever a column it is about is not published,
    with that column's status (a FLAG first takes its own values)."""
    if column.name not in values:
        values[column.name] = _floats(rows[column.name])
        status[column.name] = _initial(values[column.name])
    own, state = values[column.name], status[column.name]
    for other in column.about:
        gone = np.isnan(values[other] if other in values else _floats(rows[other]))
        why = status[other] if other in status else np.full(own.shape, ValueStatus.EMPTY.value)
        hit = gone & ~np.isnan(own)
        own[hit] = np.nan
        state[hit] = why[hit]


_ROW: Final = "_row"


def _nested(
    column: Column,
    rows: pl.DataFrame,
    rules: DisclosureRules,
    origin: Provenance,
    status: dict[str, ObjectArray],
) -> pl.Series:
    """A NESTED column published: every record of every row through the same rules, its
    fields as ``column.fields`` say (``status``: a row's lists as a whole get ``rounded``
    under public, else ``exact``; ``empty`` where a row has none)."""
    series = rows[column.name]
    dtype = series.dtype
    status[column.name] = np.full(series.len(), ValueStatus.EMPTY.value, dtype=object)
    if not (isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)):
        return series  # no records (a column of nulls)
    names = tuple(f.name for f in dtype.inner.fields)
    has = (series.list.len().fill_null(0) > 0).to_numpy()
    state = ValueStatus.ROUNDED if rules.profile is Profile.PUBLIC else ValueStatus.EXACT
    status[column.name][has] = state.value
    if not has.any():
        return series
    flat = (
        rows.select(pl.int_range(pl.len()).alias(_ROW), pl.col(column.name))
        .explode(column.name)
        .filter(pl.col(column.name).is_not_null())
        .unnest(column.name)
    )
    inner = EstimateLayout(columns=names, measures=column.fields)
    records = disclose_estimates(flat.drop(_ROW), inner, rules, origin).frame
    regrouped = (
        pl.concat([flat.select(_ROW), records], how="horizontal")
        .group_by(_ROW, maintain_order=True)
        .agg(pl.struct(names).alias(column.name))
    )
    back = (
        pl.DataFrame({_ROW: np.arange(rows.height)})
        .join(regrouped, on=_ROW, how="left", maintain_order="left")
        .with_columns(series.alias("_exact"))
    )
    kept = pl.when(pl.col(column.name).is_null()).then(pl.col("_exact"))
    return back.select(kept.otherwise(pl.col(column.name)).cast(dtype).alias(column.name))[
        column.name
    ]


def _floats(series: pl.Series) -> FloatArray:
    """A column as float64, NaN where null."""
    return series.cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64, copy=True)


def _initial(values: FloatArray) -> ObjectArray:
    empty, exact = ValueStatus.EMPTY.value, ValueStatus.EXACT.value
    return np.where(np.isnan(values), empty, exact).astype(object)


def _withhold(
    values: FloatArray, status: ObjectArray, where: npt.NDArray[np.bool_], why: ValueStatus
) -> None:
    hit = where & ~np.isnan(values)
    values[hit] = np.nan
    status[hit] = why.value


def _series(name: str, values: FloatArray, dtype: pl.DataType) -> pl.Series:
    series = pl.Series(name, values, dtype=pl.Float64).fill_nan(None)
    return series.cast(dtype) if dtype.is_numeric() or dtype == pl.Boolean else series


def _publish(
    column: Column,
    rows: pl.DataFrame,
    layout: EstimateLayout,
    rules: DisclosureRules,
    values: FloatArray,
    status: ObjectArray,
) -> None:
    """Put ``values`` (in place) at the precision of the public rules."""
    shown = ~np.isnan(values)
    if column.measure is Measure.COUNT:
        if rules.rounds:
            counts = np.where(shown, values, 0).astype(np.int64)
            values[shown] = round_counts(counts, rules.round_to)[shown]
            status[shown & (values != 0)] = ValueStatus.ROUNDED.value
        elif rules.suppresses:  # no rounding to hide a small count: "<5" as in a table
            small = _small(np.where(shown, values, 0.0), float(rules.suppress_below))
            _withhold(values, status, small, ValueStatus.SUPPRESSED)
        return
    if column.measure in _POINTS and column.denominator is None:
        values[shown] = _POINTS[column.measure](values[shown])
        status[shown] = ValueStatus.ROUNDED.value
        return
    if column.measure is Measure.LOGIT:
        values[shown] = np.round(values[shown], 2)
        status[shown] = ValueStatus.ROUNDED.value
        return
    assert column.denominator is not None
    if column.measure in _POINTS:  # an interval bound of a rate: outwards on its grid
        d = _floats(rows[column.denominator])
        bound = outward(values / column.scale, d, rules, upper=column.measure is Measure.UPPER)
        published = shown & ~np.isnan(bound)
        values[published] = _whole(column, bound[published] * column.scale)
        status[published] = ValueStatus.ROUNDED.value
        _withhold(values, status, shown & np.isnan(bound), ValueStatus.EMPTY)
        return
    d = _floats(rows[column.denominator])
    share = values / column.scale
    k = _floats(rows[column.numerator]) if column.numerator is not None else share * d
    rest = _floats(rows[layout.size]) - d if layout.size is not None else np.zeros_like(d)
    grid = on_grid(k, d, rest, rules, counted=column.measure is not Measure.EXPECTED)
    published = shown & ~np.isnan(grid.share)
    values[published] = _whole(column, grid.share[published] * column.scale)
    status[published] = ValueStatus.ROUNDED.value
    _withhold(values, status, shown & grid.small, ValueStatus.SUPPRESSED)
    _withhold(values, status, shown & grid.coarse & ~grid.small, ValueStatus.TOO_COARSE)


def _whole(column: Column, values: FloatArray) -> FloatArray:
    """A share-like value given in points (``scale`` 100) in whole points, as the index
    (an interval bound outwards); other values as they are."""
    if column.scale == 1.0:
        return values
    return _POINTS.get(column.measure, _half_up)(values)


def outward(share: FloatArray, d: FloatArray, rules: DisclosureRules, *, upper: bool) -> FloatArray:
    """Interval bounds of rates of ``d`` on the grid of the rounded ``d`` (rule 1), a lower
    bound rounded down, an upper up: the published interval holds the computed one. NaN
    where the bound or ``d`` is undefined."""
    valid = ~np.isnan(share) & ~np.isnan(d) & (d > 0)
    whole = np.where(valid, d, 0).astype(np.int64)
    steps = (round_counts(whole, rules.round_to) // rules.round_to).astype(np.float64)
    scaled = np.where(valid, share, 0.0) * steps
    j = np.ceil(scaled - 1e-9) if upper else np.floor(scaled + 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(valid & (steps > 0), np.clip(j / steps, 0.0, 1.0), np.nan)


def _half_up(x: FloatArray) -> FloatArray:
    return np.floor(x + 0.5)


def _down(x: FloatArray) -> FloatArray:
    return np.floor(x)


def _up(x: FloatArray) -> FloatArray:
    return np.ceil(x)


_POINTS: Final[dict[Measure, Callable[[FloatArray], FloatArray]]] = {
    Measure.POINTS: _half_up,
    Measure.LOWER: _down,
    Measure.UPPER: _up,
}


@dataclass(frozen=True)
class Grid:
    """Shares on the grid of their rounded denominators (see the module docstring).

    ``share``: the published share (NaN where withheld or undefined); ``small``: withheld by
    rule 2; ``coarse``: withheld by rule 3; ``steps``: ``m``, the grid's steps.
    """

    share: FloatArray
    small: npt.NDArray[np.bool_]
    coarse: npt.NDArray[np.bool_]
    steps: FloatArray


def on_grid(
    k: FloatArray, d: FloatArray, rest: FloatArray, rules: DisclosureRules, *, counted: bool
) -> Grid:
    """The published shares ``k / d`` under ``rules`` (rules 1-3 of the module docstring).

    ``k``: numerators (counts, or effective counts of an estimated rate); ``d``:
    denominators (counts); ``rest``: the row's other requests (``n - d``); ``counted``:
    False for a model's expectation (no count to suppress). NaN or ``d == 0``: undefined.
    """
    threshold, step = float(rules.suppress_below), rules.round_to
    valid = ~np.isnan(k) & ~np.isnan(d) & (d > 0)
    whole = np.where(valid, d, 0).astype(np.int64)
    steps = (round_counts(whole, step) // step).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        j = _half_up(np.where(valid, k * steps / np.where(valid, d, 1.0), np.nan))
    inside, outside = np.where(valid, k, 0.0), np.where(valid, d - k, 0.0)
    if counted and rules.suppresses:
        small = _small(inside, threshold) | _small(outside, threshold)
        if step == 1:
            small |= _small(np.where(valid, rest, 0.0), threshold)
    else:
        small = np.zeros(k.shape, dtype=bool)
    coarse = valid & (((inside > EPSILON) & (j <= 0)) | ((outside > EPSILON) & (j >= steps)))
    share = np.where(valid & ~small & ~coarse, j / np.where(valid, steps, 1.0), np.nan)
    return Grid(share, valid & small, coarse, steps)


def _small(count: FloatArray, threshold: float) -> npt.NDArray[np.bool_]:
    """1 .. threshold - 1 (an effective count a hair under a whole number counts as it)."""
    return (count > EPSILON) & (count < threshold - 1e-6)


# -- the notes ---------------------------------------------------------------------------------

POOLED_NOTE: Final = Note(
    "De landen op de vertrouwelijke lijst zijn samengenomen als 'overige landen' "
    "(één index voor de groep).",
    "The countries on the confidential list are pooled as 'other countries' "
    "(one index for the group).",
)
LEFT_OUT_NOTE: Final = Note(
    "Instrumenten voor landen op de vertrouwelijke lijst worden niet getoond.",
    "Instruments of countries on the confidential list are not shown.",
)


def layout_notes(layout: EstimateLayout, rules: DisclosureRules) -> list[Note]:
    """The notes the rules of ``rules`` call for on a result of ``layout``."""
    notes: list[Note] = []
    if rules.pools:
        notes.append(LEFT_OUT_NOTE if layout.leave_out_confidential else POOLED_NOTE)
    kinds = {c.measure for c in layout.measured()}
    below, step, minimum = rules.suppress_below, rules.round_to, layout.min_size
    blanks = rules.profile is not Profile.INTERNAL and bool(layout.small) and minimum > 1
    if rules.rounds and Measure.COUNT in kinds:
        tail_nl = f"; bij minder dan {minimum} verzoeken geen componenten" if blanks else ""
        tail_en = f"; no components below {minimum} requests" if blanks else ""
        notes.append(
            Note(
                f"Aantallen verzoeken afgerond op {step}{tail_nl}.",
                f"Numbers of requests rounded to {step}{tail_en}.",
            )
        )
    elif blanks:
        notes.append(
            Note(
                f"Bij minder dan {minimum} verzoeken geen componenten.",
                f"No components below {minimum} requests.",
            )
        )
    if rules.profile is not Profile.PUBLIC:
        return notes
    if kinds & {Measure.SHARE, Measure.RATE, Measure.EXPECTED}:
        notes.append(
            Note(
                f"Aandelen in de nauwkeurigheid van de afgeronde aantallen (in stappen van "
                f"{step} gedeeld door het afgeronde aantal); niet getoond als er minder dan "
                f"{below} verzoeken in of buiten het aandeel vallen, of als het zo niet van "
                "0% of 100% te onderscheiden is.",
                f"Shares at the precision of the rounded counts (in steps of {step} divided by "
                f"the rounded number); not shown when fewer than {below} requests fall in or "
                "outside the share, or when it cannot then be told from 0% or 100%.",
            )
        )
    if kinds & {Measure.POINTS, Measure.LOWER, Measure.UPPER}:
        notes.append(
            Note(
                "Index en effecten in hele punten; de intervallen naar buiten afgerond.",
                "Index and effects in whole points; intervals rounded outwards.",
            )
        )
    return notes

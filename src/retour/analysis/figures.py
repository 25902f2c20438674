"""Counts for Parliament and the press, shaped into the tables retour publishes.

Pure functions on small frames of counts (a ``year`` column, dimension columns, integer
count columns), as :mod:`retour.store.figures` returns them. No I/O, no disclosure: the
service passes what these functions return through :mod:`retour.disclosure`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Final

import polars as pl

from retour.domain.codes import (
    DepartureType,
    DetentionEndReason,
    Outcome,
    RequestKind,
    RequestReason,
    YesNo,
)

YEAR: Final = "year"
N: Final = "n"
#: Released detentions followed by a departure without supervision (see detention_tables).
UNSUPERVISED: Final = "unsupervised"
#: The value of a dimension that does not apply to a row: the reason of a positive answer, a
#: departure's unknown destination. Not empty: a table's column cannot be named "".
NOT_APPLICABLE: Final = "not_applicable"
#: Days after the end of a detention within which a departure counts as following it.
FOLLOW_UP_DAYS: Final = 30


class Subject(StrEnum):
    """What a figures question counts."""

    REQUESTS = "requests"
    DETENTIONS = "detentions"
    DEPARTURES = "departures"


class Cohort(StrEnum):
    """Which date's year a request is counted in."""

    #: the year of submission (bekendstelling); the answer as it stood at extraction
    SUBMITTED = "submitted"
    #: the year of the answer; pending requests have none and are not counted
    OUTCOME = "outcome"


#: The dimensions (``--by`` columns) of each subject, in a sensible default order.
DIMENSIONS: Final[dict[Subject, tuple[str, ...]]] = {
    Subject.REQUESTS: ("kind", YEAR, "country", "outcome", "reason"),
    Subject.DETENTIONS: (YEAR, "end_reason", "nationality"),
    Subject.DEPARTURES: (YEAR, "type", "nationality", "destination", "assisted"),
}

#: The default breakdown of each subject.
DEFAULT_BY: Final[dict[Subject, tuple[str, ...]]] = {
    Subject.REQUESTS: ("kind", YEAR, "outcome"),
    Subject.DETENTIONS: (YEAR, "end_reason"),
    Subject.DEPARTURES: (YEAR, "type"),
}

#: Dimensions with a closed list of codes: every code gets a row or column, zero or not.
CODE_LEVELS: Final[dict[str, tuple[str, ...]]] = {
    "kind": tuple(k.value for k in RequestKind),
    "outcome": tuple(o.value for o in Outcome),
    "end_reason": tuple(r.value for r in DetentionEndReason),
    "type": tuple(t.value for t in DepartureType),
}

#: Dimensions whose value may be empty: the empty value is shown as NOT_APPLICABLE.
OPTIONAL_DIMENSIONS: Final = frozenset({"reason", "destination", "assisted"})

#: Codes of optional dimensions, for reference (labels, validation of input).
OPTIONAL_CODES: Final[dict[str, tuple[str, ...]]] = {
    "reason": tuple(r.value for r in RequestReason),
    "assisted": tuple(y.value for y in YesNo),
}

#: The answers a press answer calls refusals: negative, and withdrawn (no answer obtained).
REFUSALS: Final = (Outcome.NEGATIVE.value, Outcome.WITHDRAWN.value)


def year_span(counts: pl.DataFrame, last_date: dt.date | None) -> tuple[int, int] | None:
    """The years the data cover: from the first year counted to the year of ``last_date``
    (the extraction date) or the last year counted, whichever is later. None without counts.
    """
    if counts.is_empty() or counts[N].sum() == 0:
        return None
    first = int(counts[YEAR].min())  # type: ignore[arg-type]
    last = int(counts[YEAR].max())  # type: ignore[arg-type]
    if last_date is not None:
        last = max(last, last_date.year)
    return first, last


def select_years(counts: pl.DataFrame, years: Sequence[int]) -> pl.DataFrame:
    """The rows of ``counts`` whose year is one of ``years``."""
    return counts.filter(pl.col(YEAR).is_in(list(years)))


def fill_not_applicable(counts: pl.DataFrame) -> pl.DataFrame:
    """Empty values of optional dimensions become :data:`NOT_APPLICABLE` (tables allow no
    nulls in their dimensions)."""
    optional = [c for c in counts.columns if c in OPTIONAL_DIMENSIONS]
    return counts.with_columns(pl.col(optional).fill_null(NOT_APPLICABLE))


def collapse(counts: pl.DataFrame, dims: Sequence[str], values: Sequence[str]) -> pl.DataFrame:
    """``counts`` summed over every dimension not in ``dims``; sorted by ``dims``."""
    if not dims:
        raise ValueError("collapse needs at least one dimension")
    return (
        counts.group_by(list(dims))
        .agg(pl.col(v).sum().cast(pl.Int64) for v in values)
        .sort(list(dims))
    )


def complete(
    counts: pl.DataFrame, levels: Mapping[str, Sequence[object]], values: Sequence[str]
) -> pl.DataFrame:
    """Add a zero row for every missing combination of ``levels``.

    ``levels`` maps some dimensions of ``counts`` to every value they should show (all
    years asked for, every outcome code). Each combination of those values is crossed with
    each combination of the other dimensions that occurs in ``counts``; counts missing from
    ``counts`` are 0. Rows of ``counts`` outside ``levels`` are kept.
    """
    dims = [c for c in counts.columns if c not in values]
    fixed = [d for d in dims if d in levels]
    if not fixed:
        return counts
    grid = pl.DataFrame(
        list(itertools.product(*(levels[d] for d in fixed))),
        schema={d: counts.schema[d] for d in fixed},
        orient="row",
    )
    others = [d for d in dims if d not in levels]
    if others:
        grid = counts.select(others).unique().join(grid, how="cross")
    filled = grid.join(counts, on=dims, how="full", coalesce=True, nulls_equal=True)
    return (
        filled.with_columns(pl.col(v).fill_null(0).cast(pl.Int64) for v in values)
        .select(counts.columns)
        .sort(dims)
    )


def request_table(
    counts: pl.DataFrame,
    by: Sequence[str],
    years: Sequence[int],
    kinds: Sequence[str],
    outcomes: Sequence[str] = CODE_LEVELS["outcome"],
) -> pl.DataFrame:
    """Requests of ``kinds`` with ``outcomes`` in ``years``, counted by ``by``, zeros
    filled in for every year, kind and outcome asked for.

    ``counts`` holds ``year``, ``kind``, ``outcome``, the other dimensions of ``by`` and
    ``n``.
    """
    chosen = select_years(counts, years).filter(
        pl.col("kind").is_in(list(kinds)), pl.col("outcome").is_in(list(outcomes))
    )
    table = collapse(fill_not_applicable(chosen), by, [N])
    table = complete(table, _levels(by, years, {"kind": kinds, "outcome": outcomes}), [N])
    return _without_absent_reasons(table, by)


def _without_absent_reasons(table: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """Leave out the reasons (with ``outcome`` in ``by``: the answer-and-reason pairs) that
    occur nowhere in the table: most reasons belong to one answer, and their rows would be
    zeros that add nothing to any total."""
    if "reason" not in by:
        return table
    pair = [c for c in ("outcome", "reason") if c in by]
    return table.filter(pl.col(N).sum().over(pair) > 0)


def detention_tables(
    counts: pl.DataFrame, by: Sequence[str], years: Sequence[int]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What followed detention, from ``year, end_reason, [nationality], n, unsupervised``.

    Returns:
        ended: detentions ended in each year, by ``by`` (count ``n``).
        unsupervised: of the detentions that ended other than by removal, those followed
            within :data:`FOLLOW_UP_DAYS` days by a departure without supervision, by
            ``by`` (count ``n``). Removals are left out: the person left under escort.
    """
    chosen = select_years(counts, years)
    ended = complete(collapse(chosen, by, [N]), _levels(by, years), [N])
    released = chosen.filter(pl.col("end_reason") != DetentionEndReason.REMOVED.value)
    followed = collapse(released.drop(N).rename({UNSUPERVISED: N}), by, [N])
    release_codes = [r for r in CODE_LEVELS["end_reason"] if r != DetentionEndReason.REMOVED]
    return ended, complete(followed, _levels(by, years, {"end_reason": release_codes}), [N])


def departure_table(counts: pl.DataFrame, by: Sequence[str], years: Sequence[int]) -> pl.DataFrame:
    """Departures in ``years`` by ``by``, zeros filled in."""
    chosen = fill_not_applicable(select_years(counts, years))
    return complete(collapse(chosen, by, [N]), _levels(by, years), [N])


def yearly_answers(counts: pl.DataFrame, kind: str, years: Sequence[int]) -> pl.DataFrame:
    """Press sheet 1: requests of ``kind`` per year of submission by answer (``year,
    outcome, n``), every year and every outcome present."""
    return request_table(counts, (YEAR, "outcome"), years, [kind])


def refusals_by_country(counts: pl.DataFrame, kind: str, years: Sequence[int]) -> pl.DataFrame:
    """Press sheets 2 and 3: negative and withdrawn requests of ``kind`` per country,
    answer and year of submission (``country, outcome, year, n``).

    Every country with at least one such request gets a row for both answers and a
    column for every year.
    """
    return request_table(counts, ("country", "outcome", YEAR), years, [kind], REFUSALS)


def refusals_by_reason(
    counts: pl.DataFrame, kinds: Sequence[str], years: Sequence[int]
) -> pl.DataFrame:
    """The press sheet of reasons: negative and withdrawn requests per kind, answer, reason
    and year of submission (``kind, outcome, reason, year, n``).

    A combination of kind, answer and reason gets a row for every year when it occurs in
    at least one of them; combinations that never occur (most reasons belong to one answer)
    are left out: their rows would be zeros, and they add nothing to any total.
    """
    table = request_table(counts, ("kind", "outcome", "reason", YEAR), years, kinds, REFUSALS)
    row = ["kind", "outcome", "reason"]
    return table.filter(pl.col(N).sum().over(row) > 0)


def _levels(
    by: Sequence[str], years: Sequence[int], overrides: Mapping[str, Sequence[str]] | None = None
) -> dict[str, Sequence[object]]:
    """The complete list of values of each dimension in ``by`` that has one."""
    known: dict[str, Sequence[object]] = {YEAR: list(years), **CODE_LEVELS, **(overrides or {})}
    return {d: known[d] for d in by if d in known}

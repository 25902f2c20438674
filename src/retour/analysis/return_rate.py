"""Eurostat's return rate: persons returned ÷ persons ordered to leave, per state and year.

Pure functions on the outside statistics as :mod:`retour.store.outside` reads them (the
columns of the Eurostat frame: ``dataset``, the dimensions, ``period``, ``value``, ``flag``,
``source_file``, ``imported_at``; a dimension a file did not have is null).

Which figure is "the" figure of a state, citizenship and year
------------------------------------------------------------
Both datasets break their figures down (age, sex; migr_eirtn also by destination,
``c_dest``, or in the old export by indicator, ``indic``). The rate takes only the total
of each breakdown, so nothing is counted twice:

- annual periods only (``2016``; quarterly figures are stored but not used here);
- ``age`` ``TOTAL``, ``sex`` ``T``, ``unit`` ``PER``, ``c_dest`` ``TOTAL`` and ``indic``
  ``RTN_TOTAL`` (all persons returned, wherever to) — or the dimension absent from the
  file, which means the figure is already that total;
- when several stored rows still qualify (the same figure imported from two forms of the
  file, one with age and sex and one without), the most recently imported one is used,
  then the one with more explicit dimensions; they are never added up.

The rate
--------
``return_rate = returned / ordered`` for the same reporting state (``geo``), citizenship
and year, null when either figure is missing (Eurostat's ``:``) or nothing was ordered.
It is *not* a cohort measure: the persons returned in a year may have been ordered to
leave in an earlier year, so the rate can exceed 1 (100%). Eurostat rounds both figures
(to fives), which matters for small counts.

The rank of a state is its place among the reporting states (not the aggregates such as
``EU28``) that have both figures for that citizenship and year, 1 being the highest rate;
equal rates share a rank. The reporting states are those Eurostat publishes: the EU member
states of the year and the Schengen associated states (Iceland, Liechtenstein, Norway,
Switzerland).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

from retour.domain.eurostat import EurostatAggregate, EurostatDataset, EurostatIndicator

GEO: Final = "geo"
CITIZEN: Final = "citizen"
YEAR: Final = "year"
ORDERED: Final = "ordered"
RETURNED: Final = "returned"
ORDERED_FLAG: Final = "ordered_flag"
RETURNED_FLAG: Final = "returned_flag"
RETURN_RATE: Final = "return_rate"
AGGREGATE: Final = "aggregate"
RANK: Final = "rank"
RANKED: Final = "ranked"

#: The reporting state whose rank retour reports by default.
NETHERLANDS: Final = "NL"

#: The codes that mean "the total of this dimension" (or the dimension is absent: null).
TOTAL_CODES: Final[dict[str, str]] = {
    "age": "TOTAL",
    "sex": "T",
    "unit": "PER",
    "c_dest": "TOTAL",
    "indic": EurostatIndicator.RETURNED_TOTAL.value,
}

#: Which EU aggregate a chart or summary shows, when a year has several: the newest first.
EU_PREFERENCE: Final = (
    EurostatAggregate.EU27_2020.value,
    EurostatAggregate.EU28.value,
    EurostatAggregate.EU27_2007.value,
)

#: One row per reporting state (or aggregate), citizenship and year.
RATE_SCHEMA: Final = pl.Schema(
    {
        GEO: pl.String(),
        CITIZEN: pl.String(),
        YEAR: pl.Int32(),
        ORDERED: pl.Int64(),
        ORDERED_FLAG: pl.String(),
        RETURNED: pl.Int64(),
        RETURNED_FLAG: pl.String(),
        RETURN_RATE: pl.Float64(),
        AGGREGATE: pl.Boolean(),
        RANK: pl.Int32(),
        RANKED: pl.Int32(),
    }
)

_AGGREGATES: Final = sorted(a.value for a in EurostatAggregate)
_ANNUAL: Final = r"^\d{4}$"


@dataclass(frozen=True)
class ReturnRates:
    """Eurostat's orders to leave, returns and return rate for one citizenship.

    ``rows`` has :data:`RATE_SCHEMA`, sorted by year, aggregates first, then state; ranks are
    computed over all reporting states, whatever ``rows`` was narrowed to. ``focus`` is the
    state whose rank is reported (the Netherlands unless asked otherwise); ``sources`` the
    files the figures come from; ``duplicates`` how many figures were stored in more than
    one form (the latest import was used).
    """

    citizen: str
    years: tuple[int, ...]
    focus: str
    rows: pl.DataFrame
    sources: tuple[str, ...] = ()
    duplicates: int = 0

    def focus_rows(self) -> pl.DataFrame:
        """The focus state's rows, one per year that has any figure."""
        return self.rows.filter(pl.col(GEO) == self.focus)

    def eu_rows(self) -> pl.DataFrame:
        """One EU aggregate per year (the newest of :data:`EU_PREFERENCE` with a figure)."""
        return preferred_eu(self.rows)

    def flags(self) -> list[str]:
        """The distinct single flags that appear (``ep`` gives ``e`` and ``p``), sorted."""
        found = self.rows.select(
            pl.concat_list(ORDERED_FLAG, RETURNED_FLAG).explode().drop_nulls().str.split("")
        )
        return sorted({f for part in found.to_series().to_list() for f in part if f})


def total_figures(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """One total per (dataset, geo, citizen, year): ``value`` and ``flag``; and how many
    figures were stored twice (in different forms) and resolved by the rule above."""
    is_total = [
        pl.col(name).is_null() | (pl.col(name) == code) for name, code in TOTAL_CODES.items()
    ]
    explicit = pl.sum_horizontal(pl.col(name).is_not_null() for name in TOTAL_CODES)
    keys = ["dataset", GEO, CITIZEN, YEAR]
    candidates = frame.filter(pl.col("period").str.contains(_ANNUAL), *is_total).with_columns(
        pl.col("period").cast(pl.Int32).alias(YEAR), explicit.alias("_explicit")
    )
    chosen = candidates.sort(
        ["imported_at", "_explicit", "source_file"],
        descending=[True, True, False],
        nulls_last=True,
        maintain_order=True,
    ).unique(subset=keys, keep="first", maintain_order=True)
    duplicates = candidates.height - chosen.height
    return chosen.select(*keys, "value", "flag", "source_file"), duplicates


def return_rates(
    frame: pl.DataFrame,
    citizen: str,
    *,
    years: Sequence[int] | None = None,
    focus: str = NETHERLANDS,
) -> ReturnRates:
    """The rates of ``citizen`` in ``years`` (all years with figures when None)."""
    totals, duplicates = total_figures(frame.filter(pl.col(CITIZEN) == citizen))
    if years is not None:
        totals = totals.filter(pl.col(YEAR).is_in(list(years)))
    keys = [GEO, CITIZEN, YEAR]

    def side(dataset: EurostatDataset, value: str, flag: str) -> pl.DataFrame:
        return totals.filter(pl.col("dataset") == dataset.value).select(
            *keys, pl.col("value").alias(value), pl.col("flag").alias(flag)
        )

    ordered = side(EurostatDataset.ORDERED_TO_LEAVE, ORDERED, ORDERED_FLAG)
    returned = side(EurostatDataset.RETURNED, RETURNED, RETURNED_FLAG)
    joined = ordered.join(returned, on=keys, how="full", coalesce=True)
    rows = rank_states(with_rate(joined))
    found = tuple(sorted(set(rows[YEAR].to_list())))
    return ReturnRates(
        citizen=citizen,
        years=tuple(years) if years is not None else found,
        focus=focus,
        rows=rows,
        sources=tuple(sorted(set(totals["source_file"].drop_nulls().to_list()))),
        duplicates=duplicates,
    )


def with_rate(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``return_rate`` (null unless both figures exist and ordered > 0) and ``aggregate``."""
    rate = (
        pl.when(pl.col(ORDERED) > 0)
        .then(pl.col(RETURNED).cast(pl.Float64) / pl.col(ORDERED).cast(pl.Float64))
        .otherwise(None)
    )
    return frame.with_columns(
        rate.alias(RETURN_RATE), pl.col(GEO).is_in(_AGGREGATES).alias(AGGREGATE)
    )


def rank_states(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``rank`` (1 = highest rate, ties share the lowest rank; null for aggregates and
    missing rates) and ``ranked`` (how many states have a rate that year; null for
    aggregates) per citizenship and year."""
    rankable = pl.col(RETURN_RATE).is_not_null() & ~pl.col(AGGREGATE)
    group = [CITIZEN, YEAR]
    rate_if = pl.when(rankable).then(pl.col(RETURN_RATE))
    rank = rate_if.rank(method="min", descending=True).over(group)
    ranked = rankable.sum().over(group)
    rows = frame.with_columns(
        pl.when(rankable).then(rank).cast(pl.Int32).alias(RANK),
        pl.when(~pl.col(AGGREGATE)).then(ranked).cast(pl.Int32).alias(RANKED),
    )
    return (
        rows.with_columns(pl.col(YEAR).cast(pl.Int32))
        .select(RATE_SCHEMA.names())
        .cast(RATE_SCHEMA)
        .sort([YEAR, AGGREGATE, GEO], descending=[False, True, False])
    )


def preferred_eu(rows: pl.DataFrame) -> pl.DataFrame:
    """Per year, the row of the first EU aggregate of :data:`EU_PREFERENCE` with any figure."""
    order = {code: i for i, code in enumerate(EU_PREFERENCE)}
    eu = rows.filter(
        pl.col(GEO).is_in(list(EU_PREFERENCE)),
        pl.col(ORDERED).is_not_null() | pl.col(RETURNED).is_not_null(),
    )
    return (
        eu.with_columns(pl.col(GEO).replace_strict(order, return_dtype=pl.Int32).alias("_pref"))
        .sort([YEAR, "_pref"])
        .unique(subset=[YEAR], keep="first", maintain_order=True)
        .drop("_pref")
    )


def narrow(rates: ReturnRates, geo: str | None) -> ReturnRates:
    """Only the state ``geo`` (and the aggregates), ranks unchanged; ``geo`` becomes the focus."""
    if geo is None:
        return rates
    rows = rates.rows.filter((pl.col(GEO) == geo) | pl.col(AGGREGATE))
    return ReturnRates(rates.citizen, rates.years, geo, rows, rates.sources, rates.duplicates)

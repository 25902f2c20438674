"""Periods of submission: a calendar year (``2023``) or a quarter (``2023Q2``).

A request belongs to the period in which it was submitted (bekendstelling). Periods of one
granularity are ordered and numbered (:attr:`Period.ordinal`), so the analyses can model
them as a sequence and the reports can say "up" or "down" against the previous one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from retour.domain.errors import N_, Field, UsageError

#: ASCII digits only: Python's \d and int() also take other scripts' digits (٢٠٢٣).
_PATTERN = re.compile(r"^\s*(\d{4})\s*(?:[Qq]\s*([1-4]))?\s*$", re.ASCII)


class Granularity(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A year (``quarter`` None) or one of its quarters (1..4)."""

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2023`` or ``2023Q2`` (case and spaces forgiven); a UsageError otherwise."""
        match = _PATTERN.match(text)
        if match is None:
            raise UsageError(
                N_("{field} {value!r} is not a year or a quarter."),
                hint=N_("Write a year such as 2023 or a quarter such as 2023Q2."),
                field=Field.PERIOD,
                value=text,
            )
        quarter = match.group(2)
        return cls(int(match.group(1)), int(quarter) if quarter else None)

    @classmethod
    def from_ordinal(cls, ordinal: int, granularity: Granularity) -> Period:
        if granularity is Granularity.YEAR:
            return cls(ordinal)
        return cls(ordinal // 4, ordinal % 4 + 1)

    @property
    def granularity(self) -> Granularity:
        return Granularity.YEAR if self.quarter is None else Granularity.QUARTER

    @property
    def ordinal(self) -> int:
        """Consecutive integers within a granularity: the year, or 4 * year + quarter - 1."""
        return self.year if self.quarter is None else 4 * self.year + self.quarter - 1

    @property
    def label(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}Q{self.quarter}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> dt.date:
        return self.shift(1).first_day - dt.timedelta(days=1)

    def shift(self, steps: int) -> Period:
        """The period ``steps`` later (earlier when negative), same granularity."""
        return Period.from_ordinal(self.ordinal + steps, self.granularity)

    def __str__(self) -> str:
        return self.label


def ordinal_expr(date: pl.Expr, granularity: Granularity) -> pl.Expr:
    """The :attr:`Period.ordinal` of a Date expression, as Int64."""
    year = date.dt.year().cast(pl.Int64)
    if granularity is Granularity.YEAR:
        return year
    return year * 4 + (date.dt.month().cast(pl.Int64) - 1) // 3


def label_expr(ordinal: pl.Expr, granularity: Granularity) -> pl.Expr:
    """The period label (``2023``, ``2023Q2``) of an ordinal expression."""
    if granularity is Granularity.YEAR:
        return ordinal.cast(pl.String)
    return pl.concat_str(
        (ordinal // 4).cast(pl.String), pl.lit("Q"), (ordinal % 4 + 1).cast(pl.String)
    )


def quarter_of(day: dt.date) -> Period:
    return Period(day.year, (day.month - 1) // 3 + 1)

"""What retour holds on a country's nationals, whether or not requests went to the country:
their cases by year opened and how each stands, and their departures by type.

For the country page and brief: a country the Netherlands sends no requests to (Syria,
Somalia) still has nationals with cases. Both tables are disclosed under the profile as any
figures table is (``public``: rounded, small cells hidden with complementary suppression);
they cover the last five full years of the data, as the figures questions do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import polars as pl

from retour.analysis import figures as shape
from retour.disclosure import DisclosedTable, DisclosureRules, disclose_table
from retour.domain.errors import N_
from retour.domain.provenance import Provenance
from retour.service.context import Retour
from retour.service.years import resolve_years
from retour.store import figures as counting

#: How an open case is shown in the "how it stands" column (a closed one: its close reason).
OPEN: Final = "open"
STATE: Final = "state"
TYPE: Final = "type"


@dataclass(frozen=True, slots=True)
class Nationals:
    """The disclosed cases (rows: how the case stands) and departures (rows: type) of one
    nationality, per year; ``departures`` is None when none of them left."""

    cases: DisclosedTable
    departures: DisclosedTable | None
    years: tuple[int, ...]


def nationals(
    context: Retour, code: str, rules: DisclosureRules, origin: Provenance
) -> Nationals | None:
    """The cases and departures of nationals of ``code``; None without any case."""
    db = context.database()
    cases = counting.case_counts(db, nationality=code)
    span = shape.year_span(cases, origin.extracted_on)
    if span is None:
        return None
    years = resolve_years(None, span, origin.extracted_on, N_("cases"))
    cases = cases.filter(pl.col(shape.YEAR).is_in(years)).with_columns(
        pl.col("close_reason").fill_null(OPEN).alias(STATE)
    )
    if cases.is_empty():
        return None
    departures = counting.national_departures(db, nationality=code).filter(
        pl.col(shape.YEAR).is_in(years) & pl.col(TYPE).is_not_null()
    )
    return Nationals(
        cases=disclose_table(cases, rows=[STATE], column=shape.YEAR, rules=rules),
        departures=None
        if departures.is_empty()
        else disclose_table(departures, rows=[TYPE], column=shape.YEAR, rules=rules),
        years=years,
    )


def with_cases(context: Retour, extracted_on: dt.date | None) -> tuple[str, ...]:
    """The nationalities :func:`nationals` answers for (cases in their default years), from
    one count of the cases by nationality and year."""
    counted = counting.case_years(context.database())
    per = counted.group_by("nationality").agg(pl.col(shape.YEAR))
    found = []
    for code, opened in per.iter_rows():
        years = pl.DataFrame({shape.YEAR: opened, shape.N: [1] * len(opened)})
        span = shape.year_span(years, extracted_on)
        if set(opened) & set(resolve_years(None, span, extracted_on, N_("cases"))):
            found.append(str(code))
    return tuple(sorted(found))

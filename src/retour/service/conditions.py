"""The five conditions across the caseload: open cases, all green, and what holds them up.

``retour figures conditions``: on one date, per country (or in all) the open cases, how many
have all five conditions green, how many have each condition red or unknown, and the most
frequent *single* blocker (the condition that is most often the only one not green).
With ``--monthly`` the month-end series of all-green cases, as Frontex's IRMA counts
"persons ready to be returned".

Every count leaves here through :func:`retour.disclosure.disclose_table` under the profile
asked for (each measure as its own list over countries, with its total), and the blocker is
read from the *disclosed* single-blocker counts, so it says nothing the table does not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

import polars as pl

from retour.analysis import conditions as lights
from retour.disclosure import (
    IS_TOTAL,
    OTHER_COUNTRIES,
    OTHER_COUNTRIES_LABEL,
    SECONDARY_SIGN,
    TOTAL,
    TOTAL_LABEL,
    CellStatus,
    DisclosedTable,
    DisclosureRules,
    Language,
    Note,
    Profile,
    disclose_table,
)
from retour.disclosure.figures import NAME_SUFFIX
from retour.domain.codes import Condition
from retour.domain.errors import Field, UsageError
from retour.domain.provenance import Provenance
from retour.reports import labels
from retour.reports.messages import N_, _
from retour.service.context import Retour
from retour.service.publication import disclosure_rules, provenance
from retour.store import cases as store_cases

COUNTRY: Final = lights.COUNTRY
#: The column of the most frequent single blocker.
BLOCKER: Final = "single_blocker"
#: Ties between blockers are shown joined by this.
TIE: Final = "/"
#: The measures of a one-date answer, in the order they are shown.
SHOWN: Final = (lights.OPEN_CASES, lights.ALL_GREEN, *lights.NOT_GREEN_COLUMNS)
MEASURES: Final = (*SHOWN, *lights.SINGLE_COLUMNS)
#: The row key of a list without any open case (the list needs a row; it is never shown).
_NO_COUNTRY: Final = ""
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$", re.ASCII)  # not ٢٠٢٣


@dataclass(frozen=True)
class ConditionFigures:
    """A disclosed answer: one date (``on``) or month ends (``months``).

    ``tables`` maps each measure (one date) or each month end (ISO text, monthly) to a list
    over countries with its totals row; ``by`` is ``("country",)`` or ``()`` (then only the
    totals rows are shown). ``blockers``: per shown row (country code, or None for the
    totals row) the most frequent single blocker, read from the disclosed counts.
    """

    on: dt.date | None
    months: tuple[dt.date, ...]
    by: tuple[str, ...]
    rules: DisclosureRules
    provenance: Provenance
    tables: dict[str, DisclosedTable]
    blockers: dict[str | None, str]
    notes: tuple[Note, ...]

    @property
    def monthly(self) -> bool:
        return bool(self.months)

    @property
    def columns(self) -> tuple[str, ...]:
        """The value columns, in order: measures and the blocker, or month ends."""
        if self.monthly:
            return tuple(m.isoformat() for m in self.months)
        return (*SHOWN, BLOCKER)

    def rows(self) -> list[str | None]:
        """The row keys shown: country codes (OTHER for the pool), then None (the total)."""
        any_table = next(iter(self.tables.values()))
        keys: list[str | None] = []
        if self.by:
            rows = any_table.shown.filter(~pl.col(IS_TOTAL) & (pl.col(COUNTRY) != _NO_COUNTRY))
            keys += [str(c) for c in rows[COUNTRY]]
        return [*keys, None]

    def cells(self) -> list[dict[str, object]]:
        """Every shown cell: ``country`` (None for the total), ``column``, ``n`` (the shown
        number, None when hidden), ``display`` and ``status``; blockers have text."""
        out: list[dict[str, object]] = []
        if self.monthly:
            for month, table in self.tables.items():
                out += [{**c, "column": month} for c in _cells(table, self.by)]
            return out
        for measure in MEASURES:
            out += [{**c, "column": measure} for c in _cells(self.tables[measure], self.by)]
        for key, blocker in self.blockers.items():
            out.append(
                {COUNTRY: key, "column": BLOCKER, "n": None, "display": blocker, "status": None}
            )
        return out

    def display(self, lang: Language) -> pl.DataFrame:
        """Strings only, one row per shown row: monthly, rows are month ends and columns
        countries (or ``all_green``); otherwise rows are countries (or the total)."""
        table: dict[tuple[str | None, str], str] = {
            (_as_key(c[COUNTRY]), str(c["column"])): str(c["display"]) for c in self.cells()
        }
        rows = self.rows()
        if self.monthly:
            # by country: a column per country and the total; else one column, the total
            heads = {r: _row_label(r, self.rules, lang) for r in rows}
            if not self.by:
                heads = {None: lights.ALL_GREEN}
            data: dict[str, list[str]] = {lights.MONTH_END: list(self.columns)}
            for r, head in heads.items():
                data[head] = [table[(r, m)] for m in self.columns]
            return pl.DataFrame(data)
        first = COUNTRY if self.by else ""
        data = {first: [_row_label(r, self.rules, lang) for r in rows]}
        for column in self.columns:
            data[column] = [table.get((r, column), "") for r in rows]
        return pl.DataFrame(data)

    def notes_in(self, lang: Language) -> list[str]:
        seen: dict[str, None] = {}
        for note in [*self.notes, *(n for t in self.tables.values() for n in t.notes)]:
            seen.setdefault(note.text(lang), None)
        return list(seen)

    def csv_table(self, names: Language | None) -> tuple[list[str], list[list[object]]]:
        """The answer as one table for CSV (:func:`retour.reports.tabular.csv_text`): monthly,
        ``month_end, [country,] all_green``; otherwise one row per country (or the total)
        with the measures and the blocker, as shown; a country's name after its code in
        ``names``, when given."""
        shown = {(c[COUNTRY], c["column"]): c["display"] for c in self.cells()}
        rows = self.rows() if self.by else [None]
        countries = [COUNTRY, *([COUNTRY + NAME_SUFFIX] if names else [])] if self.by else []

        def key(row: str | None) -> list[object]:
            if not self.by:
                return []
            named = [labels.country_name(row, names) if row else ""] if names else []
            return [row if row is not None else TOTAL, *named]

        if self.monthly:
            body = [[m, *key(r), shown[(r, m)]] for m in self.columns for r in rows]
            return [lights.MONTH_END, *countries, lights.ALL_GREEN], body
        body = [[*key(r), *(shown.get((r, c), "") for c in self.columns)] for r in rows]
        return [*countries, *self.columns], body

    def as_json(self, lang: Language = "nl") -> dict[str, object]:
        origin = self.provenance
        return {
            "subject": "conditions",
            "profile": self.rules.profile.value,
            "simulated": origin.simulated,
            "extracted_on": origin.extracted_on.isoformat() if origin.extracted_on else None,
            "fingerprint": origin.fingerprint,
            "on": self.on.isoformat() if self.on else None,
            "months": [m.isoformat() for m in self.months] or None,
            "by": list(self.by),
            "notes": self.notes_in(lang),
            "cells": self.cells(),
        }


def _as_key(value: object) -> str | None:
    return None if value is None else str(value)


def _row_label(key: str | None, rules: DisclosureRules, lang: Language) -> str:
    if key is None:
        return TOTAL_LABEL[lang]
    if key == OTHER_COUNTRIES and rules.pools:
        return OTHER_COUNTRIES_LABEL[lang]
    return key


def _cells(table: DisclosedTable, by: tuple[str, ...]) -> list[dict[str, object]]:
    """The list's cells (only its totals row when ``by`` is empty)."""
    long = table.to_long().filter(pl.col(IS_TOTAL) | (pl.col(COUNTRY) != _NO_COUNTRY))
    if not by:
        long = long.filter(pl.col(IS_TOTAL))
    primary = f"<{table.rules.suppress_below}"
    out = []
    for row in long.iter_rows(named=True):
        status = CellStatus(row["status"])
        shown = row["shown"]
        display = (
            primary
            if status is CellStatus.SUPPRESSED_PRIMARY
            else SECONDARY_SIGN
            if status is CellStatus.SUPPRESSED_SECONDARY
            else str(shown)
        )
        key = None if row[IS_TOTAL] else str(row[COUNTRY])
        out.append({COUNTRY: key, "n": shown, "display": display, "status": status.value})
    return out


# -- options ---------------------------------------------------------------------------------


def parse_date(text: str | None, field: Field = Field.DATE) -> dt.date | None:
    if text is None or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            N_("Cannot read the date {value!r} ({field})."),
            hint=N_("Write it as 2023-06-30."),
            field=field,
            value=text.strip(),
        ) from None


def parse_by(text: str | None) -> tuple[str, ...]:
    if text is None or not text.strip():
        return ()
    names = [p.strip().lower() for p in text.split(",") if p.strip()]
    if names != [COUNTRY]:
        raise UsageError(
            N_("Cannot break the conditions down by {value!r}."),
            hint=N_("{field} takes: country (the presumed nationality)."),
            field=Field.BY,
            value=text.strip(),
        )
    return (COUNTRY,)


def parse_months(text: str, span: tuple[dt.date, dt.date]) -> tuple[dt.date, ...]:
    """The month ends of ``--monthly 2019-2023`` (or one year), up to the data's end."""
    match = _YEARS.match(text)
    if match is None:
        raise UsageError(
            N_("Cannot read the years {value!r} ({field})."),
            hint=N_("Give one year (2021) or a range (2019-2023)."),
            field=Field.MONTHLY,
            value=text,
        )
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if last < first:
        raise UsageError(
            N_("The years {value!r} run backwards."),
            hint=N_("Write e.g. 2019-2023."),
            field=Field.MONTHLY,
            value=text.strip(),
        )
    start, end = span
    if first < start.year or last > end.year:
        raise UsageError(
            N_("The years {value} lie outside the data, which cover {first}-{last}."),
            hint=N_("Choose years within {first}-{last}."),
            field=Field.MONTHLY,
            value=text.strip(),
            first=start.year,
            last=end.year,
        )
    ends = lights.month_ends(first, last, until=end)
    if not ends:
        raise UsageError(
            N_("No month of {value} has ended within the data (up to {last})."),
            hint=N_("Choose earlier years."),
            field=Field.MONTHLY,
            value=text.strip(),
            last=end.isoformat(),
        )
    return tuple(ends)


def _span(context: Retour, origin: Provenance) -> tuple[dt.date, dt.date]:
    """From the first case opened to the extraction date (or the last date in the data)."""
    db = context.database()
    first = store_cases.first_opened(db)
    last = origin.extracted_on or store_cases.last_date(db)
    if first is None or last is None:
        raise UsageError(
            N_("The database holds no cases."),
            hint=N_("An administrator can import a dataset."),
            cli_hint=N_("Import a dataset first (retour import PATH), or choose another database."),
        )
    return first, last


def _check_on(on: dt.date, span: tuple[dt.date, dt.date]) -> None:
    first, last = span
    if on > last:
        raise UsageError(
            N_("{date} lies after the data, which run to {last}."),
            hint=N_("Choose a date on or before the extraction date."),
            field=Field.DATE,
            date=on.isoformat(),
            last=last.isoformat(),
        )
    if on < first:
        raise UsageError(
            N_("{date} lies before the data, which begin on {first}."),
            hint=N_("Choose a later date."),
            field=Field.DATE,
            date=on.isoformat(),
            first=first.isoformat(),
        )


# -- the use case ------------------------------------------------------------------------------


def condition_figures(
    context: Retour,
    *,
    on: str | dt.date | None = None,
    monthly: str | None = None,
    by: str | None = None,
    profile: str | Profile | None = Profile.PUBLIC,
    confidential: str | None = None,
) -> ConditionFigures:
    """The five conditions of the open cases on ``on`` (default: the extraction date), or
    the month-end series of all-green cases of the years ``monthly``; disclosed."""
    rules = disclosure_rules(context, profile, confidential)
    columns = parse_by(by)
    day = on if isinstance(on, dt.date) else parse_date(on)
    if monthly is not None and day is not None:
        raise UsageError(
            N_("Give either {field} or {monthly}, not both."),
            field=Field.DATE,
            monthly=Field.MONTHLY,
        )
    db = context.database()
    origin = provenance(db)
    span = _span(context, origin)
    if monthly is not None:
        months = parse_months(monthly, span)
        history = store_cases.condition_history(db, first=months[0], last=months[-1])
        counts = lights.monthly_counts(history.cases, history.observations, months, by_country=True)
        tables = {
            m.isoformat(): _disclose(
                counts.filter(pl.col(lights.MONTH_END) == m), lights.ALL_GREEN, rules
            )
            for m in months
        }
        notes: tuple[Note, ...] = (
            _note("monthly_country" if columns else "monthly"),
            _note("state"),
        )
        return ConditionFigures(None, months, columns, rules, origin, tables, {}, notes)
    chosen = day or span[1]
    _check_on(chosen, span)
    history = store_cases.condition_history(db, first=chosen, last=chosen)
    exact = lights.condition_counts(history.cases, history.observations, chosen, by_country=True)
    tables = {m: _disclose(exact, m, rules) for m in MEASURES}
    blockers = _blockers(tables, columns)
    notes = (
        _note("open", on=chosen.isoformat()),
        _note("state"),
        _note("measures"),
        _note("blocker"),
    )
    return ConditionFigures(chosen, (), columns, rules, origin, tables, blockers, notes)


def _disclose(exact: pl.DataFrame, measure: str, rules: DisclosureRules) -> DisclosedTable:
    frame = exact.select(COUNTRY, pl.col(measure).cast(pl.Int64).alias("n"))
    if frame.is_empty():
        frame = pl.DataFrame(
            {COUNTRY: [_NO_COUNTRY], "n": [0]}, schema={COUNTRY: pl.String, "n": pl.Int64}
        )
    return disclose_table(frame, rows=[COUNTRY], column=None, rules=rules)


def _blockers(tables: dict[str, DisclosedTable], by: tuple[str, ...]) -> dict[str | None, str]:
    """Per shown row, the condition(s) with the largest shown single-blocker count."""
    shown: dict[str | None, dict[Condition, int]] = {}
    for condition, column in zip(lights.CONDITIONS, lights.SINGLE_COLUMNS, strict=True):
        for cell in _cells(tables[column], by):
            key = _as_key(cell[COUNTRY])
            n = cell["n"]
            if isinstance(n, int) and n > 0:
                shown.setdefault(key, {})[condition] = n
            else:
                shown.setdefault(key, {})
    out: dict[str | None, str] = {}
    for key, values in shown.items():
        if not values:
            out[key] = ""
            continue
        top = max(values.values())
        out[key] = TIE.join(c.value for c in lights.CONDITIONS if values.get(c) == top)
    return out


_NOTES: Final[dict[str, str]] = {
    "open": N_("Open cases on {on}: opened on or before that day and not closed on or before it."),
    "state": N_(
        "A condition's state on a date is its latest observation on or before "
        "that date; without an observation it is unknown."
    ),
    "measures": N_(
        "all_green: all five conditions green. <condition>_not_green: open "
        "cases with that condition red or unknown."
    ),
    "blocker": N_(
        "single_blocker: the condition that is most often the only one not "
        "green (read from the counts as shown; ties all, separated by /)."
    ),
    "monthly": N_(
        "Cases with all five conditions green at each month end ('persons ready"
        " to be returned', as Frontex's IRMA counts them)."
    ),
    "monthly_country": N_(
        "Cases with all five conditions green at each month end ('persons ready"
        " to be returned', as Frontex's IRMA counts them), by nationality; each"
        " month is protected on its own."
    ),
}


def _note(key: str, **values: object) -> Note:
    return Note(_(_NOTES[key], "nl", **values), _(_NOTES[key], "en", **values))

"""Figures for Parliament and the press: parse the question, count in the database, shape,
disclose, and hand a result to the faces (command line, workbook).

Every table these use cases return has been through :func:`retour.disclosure.disclose_table`
with the rules of the profile asked for; nothing else leaves here.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

import polars as pl

from retour.analysis import figures as shape
from retour.analysis.figures import (
    DEFAULT_BY,
    DIMENSIONS,
    FOLLOW_UP_DAYS,
    YEAR,
    Cohort,
    Subject,
)
from retour.disclosure import (
    COLUMN,
    COUNTRY_COLUMNS,
    IS_TOTAL,
    SECONDARY_SIGN,
    TOTAL,
    CellStatus,
    DisclosedTable,
    DisclosureRules,
    Language,
    Note,
    Profile,
    disclose_table,
)
from retour.domain.codes import Outcome, RequestKind
from retour.domain.errors import UsageError
from retour.domain.provenance import Provenance
from retour.reports import labels
from retour.reports.press import (
    ANSWERED,
    KIND_ORDER,
    NOT_CONFIRMED,
    CountryTables,
    PressTables,
    ShareStatus,
    write_press_workbook,
)
from retour.service import audit
from retour.service.context import Retour
from retour.store import figures as counting
from retour.store import read as store_read
from retour.store.engine import Database

#: Years a default question covers: the last five full years of the data.
DEFAULT_YEARS = 5
#: Digits of the data fingerprint shown (of a SHA-256).
FINGERPRINT_DIGITS = 16

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$")


#: Follows a country column's name in CSV and JSON: ``country_name``.
NAME_SUFFIX: Final = "_name"


@dataclass(frozen=True)
class FigureTable:
    """One disclosed table of a figures answer.

    ``name`` identifies it in CSV and JSON (``requests``, ``ended``, ``unsupervised``,
    ``departures``); ``by`` lists its dimensions in the order asked (``--by``).
    """

    name: str
    title: Note
    by: tuple[str, ...]
    table: DisclosedTable

    def cells(self) -> pl.DataFrame:
        """One row per cell, row by row: the ``by`` columns (``total`` where a total runs
        over that dimension), ``n`` (the figure as shown: a number, ``<5`` or ``x``),
        ``shown`` (Int64, null when hidden) and ``status``.

        The ``by`` columns are strings, ``OTHER`` for pooled countries.
        """
        table = self.table
        index = [*table.row_dims, IS_TOTAL, "_row"]
        # Value columns by position: their names are data (years, codes), not identifiers.
        on = [f"_v{i}" for i in range(len(table.value_columns))]
        renamed = dict(zip(table.value_columns, on, strict=True))
        shown = (
            table.shown.rename(renamed)
            .with_row_index("_row")
            .unpivot(on, index=index, variable_name="_v", value_name="shown")
        )
        status = (
            table.status.rename(renamed)
            .with_row_index("_row")
            .unpivot(on, index=index, variable_name="_v", value_name="status")
        )
        position = pl.DataFrame(
            {"_v": on, "_col": list(table.value_columns), "_at": list(range(len(on)))}
        )
        cells = (
            shown.with_columns(status["status"].cast(pl.String))
            .join(position, on="_v")
            .sort("_row", "_at")
        )
        dims = [pl.col(d).cast(pl.String).fill_null(TOTAL) for d in table.row_dims]
        if table.column is not None:
            dims.append(pl.col("_col").alias(table.column))
        primary = f"<{table.rules.suppress_below}"
        n = (
            pl.when(pl.col("status") == CellStatus.SUPPRESSED_PRIMARY.value)
            .then(pl.lit(primary))
            .when(pl.col("status") == CellStatus.SUPPRESSED_SECONDARY.value)
            .then(pl.lit(SECONDARY_SIGN))
            .otherwise(pl.col("shown").cast(pl.String))
            .alias("n")
        )
        return cells.select(*dims, n, "shown", "status").select(*self.by, "n", "shown", "status")


@dataclass(frozen=True)
class Figures:
    """The answer to a figures question, disclosed and ready to render."""

    subject: Subject
    years: tuple[int, ...]
    by: tuple[str, ...]
    rules: DisclosureRules
    provenance: Provenance
    tables: tuple[FigureTable, ...]
    notes: tuple[Note, ...]
    cohort: Cohort | None = None
    kinds: tuple[str, ...] = ()

    def notes_in(self, lang: Language) -> list[str]:
        """The question's notes, then each table's disclosure notes (each note once)."""
        seen: dict[str, None] = {}
        for note in [*self.notes, *(n for t in self.tables for n in t.table.notes)]:
            seen.setdefault(note.text(lang), None)
        return list(seen)

    def as_json(self, lang: Language = "nl", names: Language | None = None) -> dict[str, object]:
        """Machine-readable: the question, the profile, provenance, and every cell (with the
        name of each country code beside it in ``names``, when given)."""
        return {
            "subject": self.subject.value,
            "profile": self.rules.profile.value,
            "simulated": self.provenance.simulated,
            "extracted_on": _iso(self.provenance.extracted_on),
            "fingerprint": self.provenance.fingerprint,
            "years": list(self.years),
            "by": list(self.by),
            "cohort": self.cohort.value if self.cohort else None,
            "kinds": list(self.kinds) or None,
            "notes": self.notes_in(lang),
            "tables": [
                {
                    "name": t.name,
                    "title": t.title.text(lang),
                    "cells": [
                        _json_cell(row, t.by, names) for row in t.cells().iter_rows(named=True)
                    ],
                }
                for t in self.tables
            ],
        }

    def csv_text(self, names: Language | None = None, only: tuple[str, str] | None = None) -> str:
        """CSV: a ``table`` column when there are several, the ``by`` columns (each country
        column followed by its name in ``names``), then ``n`` as shown (``<5``, ``x``).
        ``only`` = (dimension, code) keeps the cells of that one code (a country)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        several = len(self.tables) > 1
        header: list[str] = ["table"] if several else []
        for dim in self.by:
            header += [dim, dim + NAME_SUFFIX] if names and dim in COUNTRY_COLUMNS else [dim]
        writer.writerow([*header, "n"])
        for table in self.tables:
            cells = table.cells()
            if only is not None and only[0] in table.by:
                cells = cells.filter(pl.col(only[0]) == only[1])
            for row in cells.iter_rows(named=True):
                values: list[object] = [table.name] if several else []
                for dim in self.by:
                    values.append(row[dim])
                    if names and dim in COUNTRY_COLUMNS:
                        values.append(labels.cell_country_name(row[dim], names))
                writer.writerow([*values, row["n"]])
        return out.getvalue()


def _json_cell(
    row: dict[str, object], by: tuple[str, ...], names: Language | None
) -> dict[str, object]:
    cell: dict[str, object] = {}
    for d in by:
        value = row[d]
        cell[d] = int(value) if d == YEAR and isinstance(value, str) and value.isdigit() else value
        if names is not None and d in COUNTRY_COLUMNS:
            cell[d + NAME_SUFFIX] = labels.cell_country_name(value, names)
    cell.update(n=row["shown"], display=row["n"], status=row["status"])
    return cell


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# -- options ---------------------------------------------------------------------------------


def disclosure_rules(
    app: Retour, profile: str | Profile | None, confidential: str | None = None
) -> DisclosureRules:
    """The rules of ``profile`` (None: ``public``, the safest): the settings' confidential
    list plus ``confidential``.

    The option adds to the setting and never removes from it: a country the settings keep
    confidential stays pooled.
    """
    settings = app.settings
    codes = [*settings.confidential]
    if confidential:
        codes += confidential.split(",")
    return DisclosureRules.from_settings(
        Profile.PUBLIC if profile is None else profile,
        codes,
        suppress_below=settings.suppress_below,
        round_to=settings.round_to,
    )


def parse_by(subject: Subject, text: str | None) -> tuple[str, ...]:
    """The ``--by`` columns, checked against the subject's dimensions."""
    if text is None or not text.strip():
        return DEFAULT_BY[subject]
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    allowed = DIMENSIONS[subject]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise UsageError(
            f"Cannot break {subject.value} down by {', '.join(repr(u) for u in unknown)}.",
            hint=f"--by takes a comma-separated list of: {', '.join(allowed)}.",
        )
    if len(set(names)) != len(names):
        raise UsageError(f"--by names a column twice: {text!r}.")
    return tuple(names)


def parse_kinds(text: str | None) -> tuple[str, ...]:
    """The request kinds of ``--kind`` (all when not given)."""
    if text is None or not text.strip():
        return tuple(k.value for k in RequestKind)
    kinds = []
    for part in text.split(","):
        code = part.strip().upper().replace("&", "")
        if code not in {k.value for k in RequestKind}:
            choices = ", ".join(k.value for k in RequestKind)
            raise UsageError(
                f"Unknown kind of request {part.strip()!r}.",
                hint=f"Choose {choices} (LP = laissez-passer, TO = readmission).",
            )
        kinds.append(code)
    return tuple(dict.fromkeys(kinds))


def parse_outcomes(text: str | None) -> tuple[str, ...]:
    """The answers of ``--outcome`` (all when not given), e.g. ``negative,withdrawn``."""
    known = tuple(o.value for o in Outcome)
    if text is None or not text.strip():
        return known
    outcomes = []
    for part in text.split(","):
        code = part.strip().lower()
        if code not in known:
            raise UsageError(
                f"Unknown answer {part.strip()!r}.", hint=f"Choose from {', '.join(known)}."
            )
        outcomes.append(code)
    return tuple(o for o in known if o in outcomes)


def parse_cohort(text: str | Cohort) -> Cohort:
    try:
        return Cohort(str(text).strip().lower())
    except ValueError:
        choices = ", ".join(c.value for c in Cohort)
        raise UsageError(f"Unknown cohort {text!r}.", hint=f"Choose one of: {choices}.") from None


def resolve_years(
    text: str | None, span: tuple[int, int] | None, extracted_on: dt.date | None, what: str
) -> tuple[int, ...]:
    """The years of ``--years`` (``2019-2023`` or ``2021``), all inside the data's span.

    Without ``--years``: the last five full calendar years of the data.
    """
    if span is None:
        raise UsageError(
            f"The database holds no {what} to count.",
            hint="Import a dataset first (retour import PATH), or choose another database.",
        )
    first, last = span
    if text is None or not text.strip():
        end = last if extracted_on is None or extracted_on >= dt.date(last, 12, 31) else last - 1
        end = max(end, first)
        return tuple(range(max(first, end - DEFAULT_YEARS + 1), end + 1))
    match = _YEARS.match(text)
    if match is None:
        raise UsageError(
            f"Cannot read the years {text!r}.",
            hint="Give one year (2021) or a range (2019-2023).",
        )
    start = int(match.group(1))
    stop = int(match.group(2) or start)
    if stop < start:
        raise UsageError(f"The years {text!r} run backwards.", hint="Write e.g. 2019-2023.")
    if start < first or stop > last:
        raise UsageError(
            f"The years {text.strip()} lie outside the data: the {what} in the database "
            f"cover {first}-{last}.",
            hint=f"Choose years within {first}-{last}.",
        )
    return tuple(range(start, stop + 1))


# -- provenance ------------------------------------------------------------------------------


def provenance(db: Database) -> Provenance:
    """Extraction date, data fingerprint, simulated or not: stated with every output."""
    meta = store_read.read_dataset(db, tables=()).meta
    history = store_read.imports(db)
    # every recorded import, in order: an import that changed nothing leaves no record, so
    # the same data give the same fingerprint, and a file imported again that did change
    # something (A, B, A) gives another
    prints = history["fingerprint"].to_list()
    digest = hashlib.sha256("\n".join(prints).encode("ascii")).hexdigest() if prints else None
    return Provenance(
        extracted_on=meta.extracted_on,
        fingerprint=digest[:FINGERPRINT_DIGITS] if digest else None,
        simulated=bool(store_read.holds_simulated(db)),
        source=meta.source,
        imports=history.height,
    )


def _partial_year(years: Sequence[int], origin: Provenance) -> list[Note]:
    day = origin.extracted_on
    if day is None or day.year not in years or (day.month, day.day) == (12, 31):
        return []
    return [_note("partial", year=day.year, date=day.isoformat())]


def _note(key: str, **values: object) -> Note:
    nl, en = labels.NOTE[key]
    return Note(nl.format(**values), en.format(**values))


def _title(key: str, years: Sequence[int], **values: object) -> Note:
    nl, en = labels.TITLE[key]
    span = labels.years_text(list(years))
    return Note(nl.format(years=span, **values), en.format(years=span, **values))


def _disclose(frame: pl.DataFrame, by: Sequence[str], rules: DisclosureRules) -> DisclosedTable:
    """A list for one dimension; otherwise the last ``by`` dimension runs across."""
    if len(by) == 1:
        return disclose_table(frame, rows=list(by), column=None, rules=rules)
    return disclose_table(frame, rows=list(by[:-1]), column=by[-1], rules=rules)


# -- the use cases -----------------------------------------------------------------------------


def request_figures(
    app: Retour,
    *,
    years: str | None = None,
    by: str | None = None,
    kind: str | None = None,
    cohort: str | Cohort = Cohort.SUBMITTED,
    profile: str | Profile | None = Profile.PUBLIC,
    confidential: str | None = None,
    outcome: str | None = None,
) -> Figures:
    """Requests by year of submission (or of the answer), with their answers as of the
    extraction date, broken down by ``by``; only those with the answers of ``outcome``
    (e.g. ``negative,withdrawn``) when given."""
    rules = disclosure_rules(app, profile, confidential)
    columns = parse_by(Subject.REQUESTS, by)
    kinds = parse_kinds(kind)
    outcomes = parse_outcomes(outcome)
    chosen = parse_cohort(cohort)
    db = app.database()
    origin = provenance(db)
    group = list(dict.fromkeys(["kind", "outcome", *(c for c in columns if c != YEAR)]))
    year_of = "submitted_on" if chosen is Cohort.SUBMITTED else "outcome_on"
    counts = counting.request_counts(db, by=group, year_of=year_of)
    span = shape.year_span(counts, origin.extracted_on)
    asked = resolve_years(years, span, origin.extracted_on, "requests")
    frame = shape.request_table(counts, columns, asked, kinds, outcomes)
    notes = [_note(chosen.value, date=_iso(origin.extracted_on))]
    notes += [_note("country")] if "country" in columns else []
    without_reason = {Outcome.POSITIVE.value, Outcome.PENDING.value} & set(outcomes)
    notes += [_note("reason")] if "reason" in columns and without_reason else []
    if len(outcomes) < len(Outcome):
        nl, en = (", ".join(labels.code_label(o, lang) for o in outcomes) for lang in ("nl", "en"))
        notes.append(_note("outcomes", nl=nl, en=en))
    table = FigureTable(
        "requests", _title("requests", asked), columns, _disclose(frame, columns, rules)
    )
    return Figures(
        Subject.REQUESTS,
        asked,
        columns,
        rules,
        origin,
        (table,),
        (*notes, *_partial_year(asked, origin)),
        cohort=chosen,
        kinds=kinds,
    )


def detention_figures(
    app: Retour,
    *,
    years: str | None = None,
    by: str | None = None,
    profile: str | Profile | None = Profile.PUBLIC,
    confidential: str | None = None,
) -> Figures:
    """What followed detention: detentions ended per year by end reason, and of those
    released (not removed), how many left without supervision within 30 days."""
    rules = disclosure_rules(app, profile, confidential)
    columns = parse_by(Subject.DETENTIONS, by)
    db = app.database()
    origin = provenance(db)
    group = list(dict.fromkeys(["end_reason", *(c for c in columns if c != YEAR)]))
    counts = counting.detention_counts(db, by=group, within_days=FOLLOW_UP_DAYS)
    span = shape.year_span(counts, origin.extracted_on)
    asked = resolve_years(years, span, origin.extracted_on, "ended detentions")
    ended, unsupervised = shape.detention_tables(counts, columns, asked)
    tables = (
        FigureTable("ended", _title("ended", asked), columns, _disclose(ended, columns, rules)),
        FigureTable(
            "unsupervised",
            _title("unsupervised", asked, days=FOLLOW_UP_DAYS),
            columns,
            _disclose(unsupervised, columns, rules),
        ),
    )
    notes = [_note("detentions", days=FOLLOW_UP_DAYS)]
    notes += [_note("nationality")] if "nationality" in columns else []
    return Figures(
        Subject.DETENTIONS,
        asked,
        columns,
        rules,
        origin,
        tables,
        (*notes, *_partial_year(asked, origin)),
    )


def departure_figures(
    app: Retour,
    *,
    years: str | None = None,
    by: str | None = None,
    profile: str | Profile | None = Profile.PUBLIC,
    confidential: str | None = None,
) -> Figures:
    """Departures per year of departure by type and, optionally, nationality."""
    rules = disclosure_rules(app, profile, confidential)
    columns = parse_by(Subject.DEPARTURES, by)
    db = app.database()
    origin = provenance(db)
    counts = counting.departure_counts(db, by=[c for c in columns if c != YEAR])
    span = shape.year_span(counts, origin.extracted_on)
    asked = resolve_years(years, span, origin.extracted_on, "departures")
    frame = shape.departure_table(counts, columns, asked)
    table = FigureTable(
        "departures", _title("departures", asked), columns, _disclose(frame, columns, rules)
    )
    notes = [_note("nationality")] if "nationality" in columns else []
    return Figures(
        Subject.DEPARTURES,
        asked,
        columns,
        rules,
        origin,
        (table,),
        (*notes, *_partial_year(asked, origin)),
    )


# -- the press workbook ------------------------------------------------------------------------


def press_tables(
    app: Retour,
    *,
    years: str | None = None,
    profile: str | Profile | None = Profile.PUBLIC,
    confidential: str | None = None,
) -> PressTables:
    """The tables of the press workbook, disclosed: per year and answer for LP and T&O;
    per country of origin and year every request and its answer, with the share not
    confirmed computed from the published counts; the negative and withdrawn requests by
    reason. One count of the requests serves them all."""
    rules = disclosure_rules(app, profile, confidential)
    db = app.database()
    origin = provenance(db)
    counts = counting.request_counts(db, by=["kind", "country", "outcome", "reason"])
    span = shape.year_span(counts, origin.extracted_on)
    asked = resolve_years(years, span, origin.extracted_on, "requests")
    answers = {}
    countries = {}
    for kind in RequestKind:
        yearly = shape.yearly_answers(counts, kind.value, asked)
        answers[kind] = disclose_table(yearly, rows=[YEAR], column="outcome", rules=rules)
        countries[kind] = _country_tables(counts, kind, asked, rules, answers[kind])
    kinds = [k.value for k in KIND_ORDER]
    reasons = disclose_table(
        shape.refusals_by_reason(counts, kinds, asked),
        rows=["kind", "outcome", "reason"],
        column=YEAR,
        rules=rules,
    )
    return PressTables(
        years=asked,
        answers=answers,
        countries=countries,
        reasons=reasons,
        rules=rules,
        provenance=origin,
        notes=tuple(_partial_year(asked, origin)),
    )


def _country_tables(
    counts: pl.DataFrame,
    kind: RequestKind,
    years: Sequence[int],
    rules: DisclosureRules,
    totals: DisclosedTable,
) -> CountryTables:
    """A kind's country sheet: every answer per country and year (its row totals the
    countries' answers over all years), every request per country and year (the
    denominators), each disclosed; the shares from what they publish."""
    by_answer = shape.request_table(counts, ("country", "outcome", YEAR), years, [kind.value])
    # every request made, whatever its answer: the four answers added up (zeros included)
    made = shape.collapse(by_answer, ["country", YEAR], [shape.N])
    # one table per answer, its column totals those of sheet 1: four small tables are
    # protected faster than one of every answer, and say the same
    answers = {
        code: disclose_table(
            by_answer.filter(pl.col("outcome") == code), rows=["country"], column=YEAR,
            rules=rules,
        )
        for code in (o.value for o in Outcome)
    }  # fmt: skip
    made_table = disclose_table(made, rows=["country"], column=YEAR, rules=rules)
    return CountryTables(
        answers=answers,
        made=_hidden_with_its_answers(made_table, answers),
        shares=pl.concat([_country_shares(answers), _total_shares(totals)]),
    )


_HIDDEN_NOTE = Note(
    f"{SECONDARY_SIGN}: niet getoond, omdat anders een ander aantal te berekenen is.",
    f"{SECONDARY_SIGN}: not shown, because another count could otherwise be worked out.",
)


def _hidden_with_its_answers(
    made: DisclosedTable, answers: Mapping[str, DisclosedTable]
) -> DisclosedTable:
    """``made`` with a country's requests of a year (or of all years) hidden as well
    (``x``) where one of its answers is hidden.

    The tables are protected each on its own, but one cell of ``made`` is the sum of one
    cell of each answer: four answers ``<5`` beside ``<5`` made would each be 1. Hiding
    more is always safe; ``tests/figures/test_press_joint.py`` reads the sheets together.
    """
    if not made.rules.suppresses:
        return made
    columns = list(made.value_columns)
    hidden = (
        pl.concat([t.shown.filter(~pl.col(IS_TOTAL)) for t in answers.values()])
        .group_by("country")
        .agg(pl.col(c).is_null().any().alias(f"_{c}") for c in columns)
    )
    joined = (
        made.shown.with_row_index("_row")
        .join(hidden, on="country", how="left", nulls_equal=True)
        .sort("_row")
    )
    hide = {c: joined[f"_{c}"].fill_null(False) for c in columns}
    secondary = CellStatus.SUPPRESSED_SECONDARY.value
    shown = made.shown.with_columns(
        pl.when(hide[c]).then(None).otherwise(pl.col(c)).alias(c) for c in columns
    )
    status = made.status.with_columns(
        pl.when(hide[c])
        .then(pl.lit(secondary))
        .otherwise(pl.col(c))
        .cast(made.status[c].dtype)
        .alias(c)
        for c in columns
    )
    notes = made.notes
    if any(bool(h.any()) for h in hide.values()):
        notes = (*notes, _HIDDEN_NOTE)
    return dataclasses.replace(made, shown=shown, status=status, notes=notes)


def _country_shares(answers: Mapping[str, DisclosedTable]) -> pl.DataFrame:
    """The share not confirmed per country and year (and over all years), from the
    published counts of ``answers`` (per answer: rows country; column year)."""
    long = pl.concat(
        answers[code].to_long().filter(~pl.col(IS_TOTAL)).with_columns(outcome=pl.lit(code))
        for code in ANSWERED
    )
    return _share_of(long.rename({COLUMN: "_column"}), "country", "_column")


def _total_shares(totals: DisclosedTable) -> pl.DataFrame:
    """The share not confirmed of every country together per year (and over all years),
    from the published counts of sheet 1 (rows year; column outcome)."""
    long = totals.to_long().filter(pl.col(COLUMN).is_in(ANSWERED))
    year = pl.when(pl.col(IS_TOTAL)).then(pl.lit(TOTAL)).otherwise(pl.col(YEAR).cast(pl.String))
    frame = long.select(
        pl.lit(None, dtype=pl.String).alias("country"),
        year.alias("_column"),
        pl.col(COLUMN).alias("outcome"),
        "shown",
    )
    return _share_of(frame, "country", "_column")


def _share_of(long: pl.DataFrame, row: str, column: str) -> pl.DataFrame:
    """(negative + withdrawn) / (positive + negative + withdrawn) of the published counts
    ``shown`` per ``row`` and ``column``; not shown where a count behind it is hidden (so
    it never gives back more than the counts shown), "no answers" where all three are 0.

    Returns ``country``, ``column``, ``share`` (Float64, null unless shown), ``status``.
    """
    answered = pl.col("shown").sum()
    refused = pl.col("shown").filter(pl.col("outcome").is_in(NOT_CONFIRMED)).sum()
    grouped = long.group_by(row, column, maintain_order=True).agg(
        pl.col("shown").is_null().any().alias("_hidden"),
        answered.alias("_answered"),
        refused.alias("_refused"),
    )
    status = (
        pl.when(pl.col("_hidden"))
        .then(pl.lit(ShareStatus.HIDDEN.value))
        .when(pl.col("_answered") == 0)
        .then(pl.lit(ShareStatus.NO_ANSWERS.value))
        .otherwise(pl.lit(ShareStatus.SHOWN.value))
    )
    share = pl.when(status == ShareStatus.SHOWN.value).then(
        pl.col("_refused") / pl.col("_answered")
    )
    return grouped.select(
        pl.col(row).cast(pl.String).alias("country"),
        pl.col(column).cast(pl.String).alias("column"),
        share.cast(pl.Float64).alias("share"),
        status.alias("status"),
    )


@dataclass(frozen=True)
class PressReport:
    path: Path
    tables: PressTables


def press_workbook(
    app: Retour,
    out: Path,
    *,
    years: str | None = None,
    profile: str | Profile | None = Profile.PUBLIC,
    confidential: str | None = None,
    lang: str = "nl",
    actor: audit.Actor | None = None,
) -> PressReport:
    """Write the press workbook for ``years`` under ``profile`` to ``out`` (.xlsx), recorded
    in the audit log as an export by ``actor`` (the operating-system user's when none is
    given)."""
    language = parse_language(lang)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"{out}: the workbook must be an .xlsx file.", hint="E.g. --out pers.xlsx")
    if out.is_dir():
        raise UsageError(f"{out} is a folder.", hint="Name the .xlsx file to write.")
    tables = press_tables(app, years=years, profile=profile, confidential=confidential)
    write_press_workbook(tables, out, language)
    audit.record_by(
        app,
        actor or audit.Actor.command_line(),
        audit.AuditAction.EXPORT_WORKBOOK,
        profile=tables.rules.profile.value,
        subject="press",
        detail={"years": labels.years_text(list(tables.years)), "lang": language},
    )
    return PressReport(out, tables)


class ExportFormat(StrEnum):
    """The formats figures are exported in (a table on a screen is not an export)."""

    CSV = "csv"
    JSON = "json"


def export_figures(
    app: Retour,
    answer: Figures,
    fmt: ExportFormat,
    *,
    lang: Language = "nl",
    names: Language | None = None,
    only: tuple[str, str] | None = None,
    actor: audit.Actor | None = None,
    asked: str | None = None,
) -> str:
    """The figures as CSV (:meth:`Figures.csv_text`) or JSON (:meth:`Figures.as_json`),
    recorded in the audit log as an export by ``actor`` (the operating-system user's when
    none is given): the question (``asked``, a face's name for it, or the subject), the
    years, the country of ``only``, the format and the profile, nothing else."""
    if fmt is ExportFormat.CSV:
        text = answer.csv_text(names, only)
    else:
        data = answer.as_json(lang, names)
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    audit.record_by(
        app,
        actor or audit.Actor.command_line(),
        audit.AuditAction.EXPORT_FIGURES,
        profile=answer.rules.profile.value,
        subject=asked or answer.subject.value,
        detail={
            "years": labels.years_text(list(answer.years)),
            "format": fmt.value,
            "country": only[1] if only else None,
        },
    )
    return text


def parse_language(text: str) -> Language:
    code = text.strip().lower()
    if code == "nl":
        return "nl"
    if code == "en":
        return "en"
    raise UsageError(f"Unknown language {text!r}.", hint="Choose nl or en.")

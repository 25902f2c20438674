"""Figures for Parliament and the press: parse the question, count in the database, shape,
disclose, and hand a result to the faces (command line, workbook).

Every table these use cases return has been through :func:`retour.disclosure.disclose_table`
with the rules of the profile asked for; nothing else leaves here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

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
    IS_TOTAL,
    SECONDARY_SIGN,
    TOTAL,
    CellStatus,
    DisclosedTable,
    DisclosureRules,
    Figures,
    FigureTable,
    Language,
    Note,
    Profile,
    disclose_table,
)
from retour.disclosure.table import redisclose
from retour.domain.codes import Outcome, RequestKind
from retour.domain.errors import N_, Field, UsageError
from retour.domain.files import write_file
from retour.domain.language import parse_language
from retour.domain.provenance import Provenance
from retour.reports import labels
from retour.reports.press import (
    ANSWERED,
    KIND_ORDER,
    NOT_CONFIRMED,
    CountryTables,
    PressTables,
    ShareStatus,
    press_workbook_bytes,
)
from retour.reports.tabular import csv_text, json_text
from retour.service import across, audit, releases
from retour.service.context import Retour
from retour.service.publication import (
    ExportFormat,
    Output,
    disclosure_rules,
    provenance,
    record_output,
    release_params,
)
from retour.service.years import resolve_years
from retour.store import figures as counting

__all__ = ["ExportFormat", "FigureTable", "Figures"]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# -- options ---------------------------------------------------------------------------------


def parse_by(subject: Subject, text: str | None) -> tuple[str, ...]:
    """The ``--by`` columns, checked against the subject's dimensions."""
    if text is None or not text.strip():
        return DEFAULT_BY[subject]
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    allowed = DIMENSIONS[subject]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise UsageError(
            N_("Cannot break {subject} down by {unknown}."),
            hint=N_("{field} takes a comma-separated list of: {allowed}."),
            field=Field.BY,
            subject=subject,
            unknown=", ".join(repr(u) for u in unknown),
            allowed=", ".join(allowed),
        )
    if len(set(names)) != len(names):
        raise UsageError(N_("{field} names a column twice: {value!r}."), field=Field.BY, value=text)
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
                N_("Unknown kind of request {value!r}."),
                hint=N_("Choose {choices} (LP = laissez-passer, TO = readmission)."),
                field=Field.KIND,
                value=part.strip(),
                choices=choices,
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
                N_("Unknown answer {value!r}."),
                hint=N_("Choose from {choices}."),
                field=Field.OUTCOME,
                value=part.strip(),
                choices=", ".join(known),
            )
        outcomes.append(code)
    return tuple(o for o in known if o in outcomes)


def parse_cohort(text: str | Cohort) -> Cohort:
    try:
        return Cohort(str(text).strip().lower())
    except ValueError:
        choices = ", ".join(c.value for c in Cohort)
        raise UsageError(
            N_("Unknown cohort {value!r}."),
            hint=N_("Choose one of: {choices}."),
            value=text,
            choices=choices,
        ) from None


def _partial_year(years: Sequence[int], origin: Provenance) -> list[Note]:
    day = origin.extracted_on
    if day is None or day.year not in years or (day.month, day.day) == (12, 31):
        return []
    return [_note("partial", year=day.year, date=day.isoformat())]


def _note(key: str, **values: object) -> Note:
    return labels.note(labels.NOTE[key], **values)


def _title(key: str, years: Sequence[int], **values: object) -> Note:
    return labels.note(labels.TITLE[key], years=labels.years_text(list(years)), **values)


def _disclose(frame: pl.DataFrame, by: Sequence[str], rules: DisclosureRules) -> DisclosedTable:
    """A list for one dimension; otherwise the last ``by`` dimension runs across."""
    if len(by) == 1:
        return disclose_table(frame, rows=list(by), column=None, rules=rules)
    return disclose_table(frame, rows=list(by[:-1]), column=by[-1], rules=rules)


# -- the use cases -----------------------------------------------------------------------------


def request_figures(
    context: Retour,
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
    rules = disclosure_rules(context, profile, confidential)
    columns = parse_by(Subject.REQUESTS, by)
    kinds = parse_kinds(kind)
    outcomes = parse_outcomes(outcome)
    chosen = parse_cohort(cohort)
    db = context.database()
    origin = provenance(db)
    group = list(dict.fromkeys(["kind", "outcome", *(c for c in columns if c != YEAR)]))
    year_of = "submitted_on" if chosen is Cohort.SUBMITTED else "outcome_on"
    counts = counting.request_counts(db, by=group, year_of=year_of)
    span = shape.year_span(counts, origin.extracted_on)
    asked = resolve_years(years, span, origin.extracted_on, N_("requests"))
    frame = shape.request_table(counts, columns, asked, kinds, outcomes)
    notes = [_note(chosen.value, date=_iso(origin.extracted_on))]
    notes += [_note("country")] if "country" in columns else []
    without_reason = {Outcome.POSITIVE.value, Outcome.PENDING.value} & set(outcomes)
    notes += [_note("reason")] if "reason" in columns and without_reason else []
    if len(outcomes) < len(Outcome):
        named = {
            lang: ", ".join(labels.code_label(o, lang) for o in outcomes) for lang in ("nl", "en")
        }
        notes.append(_note("outcomes", outcomes=named))
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
    context: Retour,
    *,
    years: str | None = None,
    by: str | None = None,
    profile: str | Profile | None = Profile.PUBLIC,
    confidential: str | None = None,
) -> Figures:
    """What followed detention: detentions ended per year by end reason, and of those
    released (not removed), how many left without supervision within 30 days."""
    rules = disclosure_rules(context, profile, confidential)
    columns = parse_by(Subject.DETENTIONS, by)
    db = context.database()
    origin = provenance(db)
    group = list(dict.fromkeys(["end_reason", *(c for c in columns if c != YEAR)]))
    counts = counting.detention_counts(db, by=group, within_days=FOLLOW_UP_DAYS)
    span = shape.year_span(counts, origin.extracted_on)
    asked = resolve_years(years, span, origin.extracted_on, N_("ended detentions"))
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
    context: Retour,
    *,
    years: str | None = None,
    by: str | None = None,
    profile: str | Profile | None = Profile.PUBLIC,
    confidential: str | None = None,
) -> Figures:
    """Departures per year of departure by type and, optionally, nationality."""
    rules = disclosure_rules(context, profile, confidential)
    columns = parse_by(Subject.DEPARTURES, by)
    db = context.database()
    origin = provenance(db)
    counts = counting.departure_counts(db, by=[c for c in columns if c != YEAR])
    span = shape.year_span(counts, origin.extracted_on)
    asked = resolve_years(years, span, origin.extracted_on, N_("departures"))
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
    context: Retour,
    *,
    years: str | None = None,
    profile: str | Profile | None = Profile.PUBLIC,
    confidential: str | None = None,
) -> PressTables:
    """The tables of the press workbook, disclosed: per year and answer for LP and T&O;
    per country of origin and year every request and its answer, with the share not
    confirmed computed from the published counts; the negative and withdrawn requests by
    reason. One count of the requests serves them all."""
    return _press(_press_counts(context, years, profile, confidential), {})


@dataclass(frozen=True)
class _PressCounts:
    """What the press tables are made from: one count of the requests, the years, rules."""

    counts: pl.DataFrame
    asked: tuple[int, ...]
    rules: DisclosureRules
    origin: Provenance


def _press_counts(
    context: Retour,
    years: str | None,
    profile: str | Profile | None,
    confidential: str | None,
) -> _PressCounts:
    rules = disclosure_rules(context, profile, confidential)
    db = context.database()
    origin = provenance(db)
    counts = counting.request_counts(db, by=["kind", "country", "outcome", "reason"])
    span = shape.year_span(counts, origin.extracted_on)
    asked = resolve_years(years, span, origin.extracted_on, N_("requests"))
    return _PressCounts(counts, tuple(asked), rules, origin)


def _press(made: _PressCounts, hide: Mapping[str, set[str]]) -> PressTables:
    """The press tables of ``made``, with the cells of ``hide`` (per part, as the register
    names the tables) hidden as well (:mod:`retour.service.across`)."""
    counts, asked, rules, origin = made.counts, made.asked, made.rules, made.origin
    answers = {}
    countries = {}
    for kind in RequestKind:
        yearly = shape.yearly_answers(counts, kind.value, asked)
        answers[kind] = disclose_table(
            yearly, rows=[YEAR], column="outcome", rules=rules,
            hide=hide.get(f"answers.{kind.value}", ()),
        )  # fmt: skip
        countries[kind] = _country_tables(counts, kind, asked, rules, answers[kind], hide)
    kinds = [k.value for k in KIND_ORDER]
    reasons = disclose_table(
        shape.refusals_by_reason(counts, kinds, asked),
        rows=["kind", "outcome", "reason"],
        column=YEAR,
        rules=rules,
        hide=hide.get("reasons", ()),
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
    hide: Mapping[str, set[str]],
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
            rules=rules, hide=hide.get(f"countries.{kind.value}.answers.{code}", ()),
        )
        for code in (o.value for o in Outcome)
    }  # fmt: skip
    made_table = disclose_table(
        made, rows=["country"], column=YEAR, rules=rules,
        hide=hide.get(f"countries.{kind.value}.made", ()),
    )  # fmt: skip
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
    """A press workbook made: its tables and the bytes that went out (``path``: where they
    were written, None when the face sends them itself)."""

    tables: PressTables
    data: bytes
    path: Path | None = None


def press_workbook(
    context: Retour,
    out: Path | None,
    *,
    years: str | None = None,
    profile: str | Profile | None = Profile.PUBLIC,
    confidential: str | None = None,
    lang: str = "nl",
    actor: audit.Actor | None = None,
    since_release: str | None = None,
) -> PressReport:
    """The press workbook for ``years`` under ``profile``, written to ``out`` (.xlsx) when
    given, else only returned (the web sends it); recorded in the audit log as an export by
    ``actor`` (the operating-system user's when none is given) once written, and registered
    as a release; with ``since_release``, a last sheet sets its figures beside that earlier
    press release's, each difference with its cause."""
    language = parse_language(lang)
    if out is not None:
        _check_workbook_path(out)
    made = _press_counts(context, years, profile, confidential)
    if since_release:
        releases.release(context, since_release)  # an unknown release before any work
    detail: audit.Detail = {
        "years": labels.years_text(list(made.asked)),
        "lang": language,
        "since_release": releases.parse_id(since_release) if since_release else None,
    }
    # the suppression chosen with every earlier public press release (docs/releases.md)
    tables, check = across.safe(
        context,
        what="press",
        params=release_params("press", detail),
        rules=made.rules,
        origin=made.origin,
        make=lambda plan: _press(made, plan),
    )
    since = releases.since(context, since_release, tables) if since_release else None
    data = press_workbook_bytes(tables, language, since)
    if out is not None:
        write_file(out, data)  # never through a link; a full disk named as such
    record_output(
        context,
        actor or audit.Actor.command_line(),
        audit.AuditAction.EXPORT_WORKBOOK,
        Output(tables, "xlsx", data, check),  # what went out, kept as it is
        subject="press",
        detail=detail,
    )
    return PressReport(tables, data, out)


def _check_workbook_path(out: Path) -> None:
    if out.suffix.lower() != ".xlsx":
        raise UsageError(
            N_("{path}: the workbook must be an .xlsx file."),
            hint=N_("E.g. {field} pers.xlsx"),
            field=Field.OUT,
            path=out,
        )
    if out.is_dir():
        raise UsageError(
            N_("{path} is a folder."), hint=N_("Name the .xlsx file to write."), path=out
        )


def export_figures(
    context: Retour,
    answer: Figures,
    fmt: ExportFormat,
    *,
    lang: Language = "nl",
    names: Language | None = None,
    only: tuple[str, str] | None = None,
    actor: audit.Actor | None = None,
    asked: str | None = None,
) -> str:
    """The figures as CSV or JSON (:mod:`retour.reports.tabular`),
    recorded in the audit log as an export by ``actor`` (the operating-system user's when
    none is given): the question (``asked``, a face's name for it, or the subject), the
    years, the country of ``only``, the format and the profile, nothing else."""
    subject = asked or answer.subject.value
    detail: audit.Detail = {
        "years": labels.years_text(list(answer.years)),
        "format": fmt.value,
        "country": only[1] if only else None,
    }
    # the suppression chosen with every earlier public release of the figures
    answer, check = across.safe(
        context,
        what=subject,
        params=release_params(subject, detail),
        rules=answer.rules,
        origin=answer.provenance,
        make=lambda plan: _hidden_also(answer, plan),
    )
    if fmt is ExportFormat.CSV:
        text = csv_text(answer, names=names, only=only)
    else:
        from retour.reports.models import figures_document  # pydantic models: when asked

        text = json_text(figures_document(answer, lang, names))
    record_output(
        context,
        actor or audit.Actor.command_line(),
        audit.AuditAction.EXPORT_FIGURES,
        Output.text(answer, fmt.value, text, check),
        subject=subject,
        detail=detail,
    )
    return text


def _hidden_also(answer: Figures, plan: Mapping[str, set[str]]) -> Figures:
    """``answer`` with the cells of ``plan`` (per table's name) hidden as well, through the
    disclosure gate again (:func:`retour.disclosure.table.redisclose`)."""
    if not plan:
        return answer
    tables = tuple(
        dataclasses.replace(t, table=redisclose(t.table, plan[t.name])) if t.name in plan else t
        for t in answer.tables
    )
    return dataclasses.replace(answer, tables=tables)

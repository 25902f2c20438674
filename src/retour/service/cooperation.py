"""Use cases of the cooperation index: assess a period, the instruments' effects, a country.

Each loads a snapshot of the requests (and instruments) from the store, runs the analysis,
and passes the result through the disclosure gate
(:func:`~retour.disclosure.disclose_estimates`, with the layouts of
:mod:`retour.disclosure.layouts`) before anything leaves; the gate decides what each
profile publishes:

- ``parliament`` and ``public`` pool the countries on the confidential list into one
  "other countries" group *before* the analysis, so no figure of a confidential country is
  ever computed on its own, let alone named; instruments of confidential countries are left
  out; a country report of a confidential country is refused. The components of cells with
  fewer than ``min_requests`` requests are left out.
- ``public`` also rounds the numbers of requests (``round_to``), publishes every share and
  rate on the grid of its rounded counts (or withholds it), and the index, its interval and
  the effects in whole points: no published figure gives back a count under the threshold
  or more exact than the rounding.
- Under every profile, a cell with too little data shows "too little data" instead of an
  index (the analysis decides that); the raw estimate behind it never leaves the service.

The faces (CLI, reports, web) get frozen dataclasses of Polars frames and render them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

import polars as pl

from retour.analysis import terms as timing
from retour.analysis.answer_times import AnswerTimes, answer_curves, answer_times
from retour.analysis.effects import InstrumentEffects, instrument_effects
from retour.analysis.followup import latest_date
from retour.analysis.index import ALL_KINDS, CooperationIndex, assess
from retour.analysis.index import kind_label as index_kind_label
from retour.analysis.index_model import IndexOptions, ModelSummary
from retour.analysis.periods import Granularity, Period
from retour.analysis.pooled import pooled_effects
from retour.analysis.return_rate import ReturnRates
from retour.disclosure import (
    IS_TOTAL,
    DisclosedEstimates,
    DisclosedTable,
    DisclosureRules,
    Language,
    Note,
    Profile,
    disclose_table,
    pool_countries,
)
from retour.disclosure.estimates import LEFT_OUT_NOTE, layout_notes
from retour.disclosure.layouts import (
    INDEX_COLUMNS,
    disclose_answer_times,
    disclose_curves,
    disclose_effects,
    disclose_index,
    disclose_pooled_effects,
    index_layout,
)
from retour.domain.codes import Outcome, RequestKind, Table
from retour.domain.countries import country_codes
from retour.domain.errors import N_, CountryName, Field, InputError, NotFoundError, UsageError
from retour.domain.files import write_file
from retour.domain.provenance import Provenance
from retour.reports import cooperation as report
from retour.reports import docx_writer
from retour.reports import labels as report_labels
from retour.reports import page as report_page
from retour.reports.charts import ANSWER_SEPARATOR
from retour.reports.document import Document
from retour.service import audit, index_cache, outside, terms
from retour.service.context import Retour
from retour.service.memo import AnswerCache
from retour.service.nationals import Nationals, nationals, with_cases
from retour.service.publication import Output, disclosure_rules, provenance, record_output
from retour.store import read as store_read
from retour.store import terms as terms_store

#: The columns a published assessment table holds, in order (CSV and JSON follow it).
PUBLISHED: Final = INDEX_COLUMNS
#: Where a published table's origin is not kept (only its frame is used).
_UNSTATED: Final = Provenance(extracted_on=None, fingerprint=None, simulated=False)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the analyses need from the store."""

    requests: pl.DataFrame
    instruments: pl.DataFrame
    as_of: dt.date
    origin: Provenance


def snapshot(context: Retour) -> Snapshot:
    """Requests and instruments, the extraction date (else the newest date in the data)."""
    db = context.database()
    dataset = store_read.read_dataset(db, tables=(Table.REQUESTS, Table.INSTRUMENTS))
    requests = dataset[Table.REQUESTS]
    if requests.is_empty():
        raise InputError(
            N_("The database holds no requests."),
            hint=N_("An administrator can import a dataset."),
            cli_hint=N_(
                "Import a dataset first (retour import FOLDER), or simulate one "
                "(retour simulate --out DIR, then retour import DIR)."
            ),
        )
    as_of = dataset.meta.extracted_on or latest_date(requests) or dt.date.today()
    return Snapshot(requests, dataset[Table.INSTRUMENTS], as_of, provenance(db))


def pooled(frame: pl.DataFrame, rules: DisclosureRules) -> pl.DataFrame:
    """``frame`` with every confidential country code replaced by "other countries" (the
    disclosure gate's :func:`~retour.disclosure.pool_countries`), before any analysis."""
    return pool_countries(frame, rules)


def parse_kind(text: str | None) -> RequestKind | None:
    if text is None or text.strip().lower() == ALL_KINDS:
        return None
    try:
        return RequestKind(text.strip().upper())
    except ValueError:
        raise UsageError(
            N_("{field} {value!r} is not a kind of request."),
            hint=N_("Choose LP, TO or all."),
            field=Field.KIND,
            value=text,
        ) from None


def _disclosed(
    table: pl.DataFrame, rules: DisclosureRules, options: IndexOptions, origin: Provenance
) -> DisclosedEstimates:
    """An index table through the disclosure gate (:func:`disclose_index`)."""
    return disclose_index(table, rules, origin, min_requests=options.min_requests)


def _published(
    table: pl.DataFrame,
    rules: DisclosureRules,
    options: IndexOptions,
    origin: Provenance = _UNSTATED,
) -> pl.DataFrame:
    """The published columns of an index table, as the disclosure gate publishes them."""
    return _disclosed(table, rules, options, origin).frame


def _notes(rules: DisclosureRules, options: IndexOptions) -> tuple[Note, ...]:
    """The notes of a published index table (the disclosure gate's)."""
    return tuple(layout_notes(index_layout(options.min_requests), rules))


def _published_curves(
    curves: pl.DataFrame, rules: DisclosureRules, options: IndexOptions, origin: Provenance
) -> pl.DataFrame:
    """A country's answer curves as the disclosure gate publishes them."""
    return disclose_curves(curves, rules, origin, min_requests=options.min_requests).frame


def _country_effects(
    effects: InstrumentEffects, code: str, rules: DisclosureRules, origin: Provenance
) -> pl.DataFrame:
    """A country's instruments and their effects as the disclosure gate publishes them."""
    mine = effects.table.filter(pl.col("country") == code)
    return disclose_effects(mine, rules, origin).frame


# -- assess a period -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assessment:
    """The index of one period, every country, after the profile.

    ``table`` (:data:`PUBLISHED` columns) holds the period's rows; ``history`` the same
    columns for every period of its granularity (for trends and charts); ``published``:
    the period's rows as the disclosure gate made them (frame, rules, origin, notes,
    and the status of every value).
    """

    period: Period
    kind: str
    table: pl.DataFrame
    history: pl.DataFrame
    rules: DisclosureRules
    origin: Provenance
    as_of: dt.date
    level: float
    models: tuple[ModelSummary, ...]
    notes: tuple[Note, ...]
    published: DisclosedEstimates

    def notes_in(self, lang: Language) -> list[str]:
        return [n.text(lang) for n in self.notes]


def assess_period(
    context: Retour,
    period: str | Period,
    *,
    kind: str | None = None,
    profile: str | Profile = Profile.PUBLIC,
    confidential: str | None = None,
    options: IndexOptions | None = None,
) -> Assessment:
    """The index of every country in ``period`` (a year or a quarter)."""
    chosen = period if isinstance(period, Period) else Period.parse(period)
    rules = disclosure_rules(context, profile, confidential)
    opts = options or IndexOptions()
    origin = provenance(context.database())
    result = fitted_index(context, rules, origin, chosen.granularity, parse_kind(kind), opts)
    rows = result.period(chosen)
    if rows.is_empty() or int(rows["n_requests"].sum()) == 0:
        raise _no_requests(chosen, result)
    statuses = terms.country_statuses(context)
    published = _disclosed(terms.mark_not_assessed(rows, statuses), rules, opts, origin)
    return Assessment(
        period=chosen,
        kind=result.kind,
        table=published.frame,
        history=_published(terms.mark_not_assessed(result.table, statuses), rules, opts, origin),
        rules=rules,
        origin=origin,
        as_of=result.as_of,
        level=opts.level,
        models=result.models,
        notes=published.notes,
        published=published,
    )


def fitted_index(
    context: Retour,
    rules: DisclosureRules,
    origin: Provenance,
    granularity: Granularity,
    kind: RequestKind | None,
    opts: IndexOptions,
    data: Snapshot | None = None,
) -> CooperationIndex:
    """The index of every country and period of ``granularity`` on the requests as the
    profile pools them: read from the cache of fitted indexes when the same data state and
    settings were fitted before (:mod:`retour.service.index_cache`), else fitted on
    ``data`` (or a new snapshot) and kept there."""
    key = None
    if origin.fingerprint is not None:  # no import yet: nothing names the data
        pool = sorted(rules.confidential) if rules.pools else []
        key = index_cache.index_key(
            context.database().url, origin, granularity, index_kind_label(kind), opts, pool,
            today=dt.date.today(),
        )  # fmt: skip

    def fit() -> CooperationIndex:
        taken = snapshot(context) if data is None else data
        requests = pooled(taken.requests, rules)
        return assess(requests, taken.as_of, granularity, kind=kind, options=opts)

    return index_cache.cached_index(context, key, fit)


def _no_requests(chosen: Period, result: CooperationIndex) -> UsageError:
    """A period without requests, and the periods the data do cover."""
    message = N_("No requests were submitted in {period}.")
    filled = result.table.filter(pl.col("n_requests") > 0)
    if filled.is_empty():
        return UsageError(message, hint=N_("There are no requests of that kind."), period=chosen)
    periods = filled["period"].sort().to_list()
    return UsageError(
        message,
        hint=N_("The data cover {first} to {last} (extracted {as_of})."),
        period=chosen,
        first=periods[0],
        last=periods[-1],
        as_of=result.as_of.isoformat(),
    )


# -- answer times ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerTimesView:
    """Answer times per country, kind and period; ``published``: as the disclosure gate made
    them (``table`` is its frame)."""

    table: pl.DataFrame
    rules: DisclosureRules
    origin: Provenance
    as_of: dt.date
    notes: tuple[Note, ...]
    published: DisclosedEstimates


def answer_time_table(
    context: Retour,
    *,
    granularity: Granularity | str = Granularity.YEAR,
    profile: str | Profile = Profile.PUBLIC,
    confidential: str | None = None,
) -> AnswerTimesView:
    """Answer times per country, kind and period (``year`` or ``quarter`` of submission),
    after the profile."""
    try:
        by = Granularity(str(granularity).strip().lower())
    except ValueError:
        raise UsageError(
            N_("Answer times are counted by year or by quarter, not by {value!r}."),
            hint=N_("Choose year or quarter."),
            field=Field.GRANULARITY,
            value=granularity,
        ) from None
    rules = disclosure_rules(context, profile, confidential)
    data = snapshot(context)
    result: AnswerTimes = answer_times(pooled(data.requests, rules), data.as_of, by)
    published = disclose_answer_times(
        result.table.drop("ordinal"), rules, data.origin, min_requests=IndexOptions().min_requests
    )
    return AnswerTimesView(
        published.frame, rules, data.origin, data.as_of, published.notes, published
    )


# -- instruments -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EffectsView:
    """The effect of every instrument (:data:`retour.analysis.effects.COLUMNS`);
    ``published``: as the disclosure gate made them (``table`` is its frame)."""

    table: pl.DataFrame
    rules: DisclosureRules
    origin: Provenance
    as_of: dt.date
    level: float
    notes: tuple[Note, ...]
    published: DisclosedEstimates

    def notes_in(self, lang: Language) -> list[str]:
        return [n.text(lang) for n in self.notes]


def _effects(data: Snapshot) -> InstrumentEffects:
    return instrument_effects(data.requests, data.instruments, data.as_of)


def effects_of_instruments(
    context: Retour, *, profile: str | Profile = Profile.PUBLIC, confidential: str | None = None
) -> EffectsView:
    """The effect of every instrument in the database, after the profile.

    Estimated on the countries as they are (comparable countries may include confidential
    ones, never named); rows of confidential countries are left out under pooling profiles.
    """
    rules = disclosure_rules(context, profile, confidential)
    data = snapshot(context)
    result = _effects(data)
    published = disclose_effects(result.table, rules, data.origin)
    level = result.options.level
    return EffectsView(
        published.frame, rules, data.origin, data.as_of, level, published.notes, published
    )


#: The ways ``retour effects --pool-by`` pools instruments.
POOL_BY: Final = ("kind",)


def pooled_effects_of_instruments(
    context: Retour,
    pool_by: str,
    *,
    profile: str | Profile = Profile.PUBLIC,
    confidential: str | None = None,
) -> EffectsView:
    """The joint effect of the instruments of each kind (:func:`pooled_effects`), after the
    profile: under pooling profiles the instruments of confidential countries are left out
    before pooling, as their rows are left out of :func:`effects_of_instruments`."""
    if pool_by.strip().lower() not in POOL_BY:
        raise UsageError(
            N_("Instruments cannot be pooled by {value!r}."),
            hint=N_("Instruments can be pooled by their kind only."),
            cli_hint=N_("Pool them by their kind: --pool-by kind."),
            value=pool_by,
        )
    rules = disclosure_rules(context, profile, confidential)
    data = snapshot(context)
    result = _effects(data)
    table = result.table
    if rules.pools:
        table = table.filter(~pl.col("country").is_in(sorted(rules.confidential)))
    level = result.options.level
    notes = (LEFT_OUT_NOTE,) if rules.pools else ()
    published = disclose_pooled_effects(
        pooled_effects(table, level), rules, data.origin, notes=notes
    )
    return EffectsView(
        published.frame, rules, data.origin, data.as_of, level, published.notes, published
    )


# -- one country ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountryView:
    """Everything retour holds on one country, after the profile.

    ``index``: the index per quarter (:data:`PUBLISHED` columns); ``answer_curves``:
    cumulative incidence of an answer and of a withdrawal per year of submission (all kinds);
    ``answer_times``: the published answer times per year (all kinds); ``outcomes``: the
    disclosed table of requests per year by answer and reason -- all empty (``outcomes``
    None) when no requests went to the country. ``instruments``: as recorded;
    ``effects``: their estimated effects. ``nationals``: the cases and departures of its
    nationals (None without cases); ``eu_context``: Eurostat's figures, when imported.
    """

    country: str
    index: pl.DataFrame
    answer_curves: pl.DataFrame
    outcomes: DisclosedTable | None
    effects: pl.DataFrame
    rules: DisclosureRules
    origin: Provenance
    as_of: dt.date
    level: float
    effect_level: float
    notes: tuple[Note, ...]
    answer_times: pl.DataFrame
    instruments: pl.DataFrame
    nationals: Nationals | None
    eu_context: ReturnRates | None
    terms: report.TermsData | None = None

    @property
    def has_requests(self) -> bool:
        return self.outcomes is not None

    def notes_in(self, lang: Language) -> list[str]:
        return [n.text(lang) for n in self.notes]


def known_country(text: str) -> str:
    """The code of a country asked for (ISO 3166-1 alpha-2, XK, STLS, UNK)."""
    code = text.strip().upper()
    if code not in country_codes():
        raise NotFoundError(
            N_("unknown country code {value!r}."),
            hint=N_("Give an ISO 3166-1 alpha-2 code such as MA, SY or SO."),
            field=Field.COUNTRY,
            value=text.strip(),
        )
    return code


def country_view(
    context: Retour,
    country: str,
    *,
    profile: str | Profile = Profile.PUBLIC,
    confidential: str | None = None,
) -> CountryView:
    """What retour holds on ``country``: its index, answer times, answers, instruments, the
    cases of its nationals, Eurostat's figures. A country without requests has a view too
    (no index, and it says so); one without any of these is not found."""
    code = known_country(country)
    rules = disclosure_rules(context, profile, confidential)
    if rules.pools and code in rules.confidential:
        raise UsageError(
            N_("{country} is on the confidential list: the {profile} profile does not name it."),
            cli_hint=N_("Use {field} internal for an internal report."),
            field=Field.PROFILE,
            country=code,
            profile=rules.profile,
        )
    opts = IndexOptions()
    db = context.database()
    origin = provenance(db)
    recorded = store_read.read_dataset(db, tables=(Table.INSTRUMENTS,))[Table.INSTRUMENTS]
    recorded = recorded.filter(pl.col("country") == code)
    eu = outside.country_context(context, code, rules=rules)
    people = nationals(context, code, rules, origin)
    requested = _requested(context, code, rules, opts)
    nothing = requested is None or requested.outcomes is None
    held = country_terms(context, code, rules)
    if nothing and recorded.is_empty() and eu is None and people is None and held is None:
        name = CountryName(code, report_labels.country_name(code, "en"))
        raise NotFoundError(
            N_("no data on {name} ({country}) yet."),
            hint=N_(
                "An administrator can import requests or cases, instruments, or Eurostat's figures."
            ),
            cli_hint=N_(
                "Import requests or cases (retour import), instruments, or Eurostat's "
                "figures (retour context import)."
            ),
            name=name,
            country=code,
        )
    parts = requested or _nothing_requested(origin)
    return CountryView(
        country=code,
        index=parts.index,
        answer_curves=parts.curves,
        outcomes=parts.outcomes,
        effects=parts.effects,
        rules=rules,
        origin=origin,
        as_of=parts.as_of,
        level=opts.level,
        effect_level=parts.effect_level,
        notes=_notes(rules, opts),
        answer_times=parts.answer_times,
        instruments=recorded,
        nationals=people,
        eu_context=eu,
        terms=held,
    )


@dataclass(frozen=True, slots=True)
class _Requested:
    """The parts of a country view that come from its requests."""

    index: pl.DataFrame
    curves: pl.DataFrame
    outcomes: DisclosedTable | None
    effects: pl.DataFrame
    answer_times: pl.DataFrame
    as_of: dt.date
    effect_level: float


def _requested(
    context: Retour, code: str, rules: DisclosureRules, opts: IndexOptions
) -> _Requested | None:
    """The index, answer times and answers of the requests to ``code``; None without any."""
    if store_read.counts(context.database())[Table.REQUESTS] == 0:
        return None
    data, index, effects = _all_countries(context, rules, opts)
    mine = data.requests.filter(pl.col("country") == code)
    quarters = terms.mark_not_assessed(index.country(code), terms.country_statuses(context))
    if mine.is_empty():
        return _Requested(
            index=_published(quarters, rules, opts),
            curves=pl.DataFrame(),
            outcomes=None,
            effects=_country_effects(effects, code, rules, data.origin),
            answer_times=pl.DataFrame(),
            as_of=data.as_of,
            effect_level=effects.options.level,
        )
    curves = answer_curves(mine, data.as_of, Granularity.YEAR, code).filter(
        pl.col("kind") == ALL_KINDS
    )
    times = _answer_times(context, rules).table
    return _Requested(
        index=_published(quarters, rules, opts),
        curves=_published_curves(curves, rules, opts, data.origin),
        outcomes=_outcomes(mine, rules),
        effects=_country_effects(effects, code, rules, data.origin),
        answer_times=times.filter((pl.col("country") == code) & (pl.col("kind") == ALL_KINDS)),
        as_of=data.as_of,
        effect_level=effects.options.level,
    )


def _nothing_requested(origin: Provenance) -> _Requested:
    """No requests at all in the database: nothing of the index, dated by the extraction."""
    as_of = origin.extracted_on or dt.date.today()
    level = IndexOptions().level
    return _Requested(
        pl.DataFrame(), pl.DataFrame(), None, pl.DataFrame(), pl.DataFrame(), as_of, level
    )


#: The published answer times of every country kept in memory (per data and profile).
TIMES_SIZE: Final = 4
_times = AnswerCache(TIMES_SIZE)


def _answer_times(context: Retour, rules: DisclosureRules) -> AnswerTimesView:
    """Every country's answer times per year under the profile: one computation per state
    of the data, shared by every country page."""
    origin = provenance(context.database())
    confidential = ",".join(sorted(rules.confidential)) or None
    key = (context.database_url, origin.fingerprint, origin.imports, rules.profile, confidential)
    return _times.get(
        key,
        lambda: answer_time_table(context, profile=rules.profile, confidential=confidential),
    )


#: The all-country results kept in memory (per database, data, instruments and pooling).
SHARED_SIZE: Final = 4
_shared = AnswerCache(SHARED_SIZE)


def _all_countries(
    context: Retour, rules: DisclosureRules, opts: IndexOptions
) -> tuple[Snapshot, CooperationIndex, InstrumentEffects]:
    """The data, the quarterly index of every country and every instrument's effect: the
    same for every country page, so computed once per state of the data (the imports,
    the instruments, the pooled countries) and kept, not once per country."""
    db = context.database()
    origin = provenance(db)
    instruments = store_read.read_dataset(db, tables=(Table.INSTRUMENTS,))[Table.INSTRUMENTS]
    key = (
        context.database_url,
        origin.fingerprint,
        origin.imports,
        hashlib.sha256(instruments.write_csv().encode("utf-8")).hexdigest(),
        tuple(sorted(rules.confidential)) if rules.pools else (),
        opts,
    )
    return _shared.get(key, lambda: _fit_all(context, rules, opts))


def _fit_all(
    context: Retour, rules: DisclosureRules, opts: IndexOptions
) -> tuple[Snapshot, CooperationIndex, InstrumentEffects]:
    data = snapshot(context)
    index = fitted_index(context, rules, data.origin, Granularity.QUARTER, None, opts, data)
    return data, index, _effects(data)


def warm_up(context: Retour) -> None:
    """Compute the all-country results behind the country pages (public profile) now: the
    index fit and every country's answer times."""
    rules = disclosure_rules(context, Profile.PUBLIC, None)
    _all_countries(context, rules, IndexOptions())
    _answer_times(context, rules)


#: How an answer is labelled in the outcomes table: the outcome, and the reason if any.
ANSWER: Final = "answer"


def _outcomes(requests: pl.DataFrame, rules: DisclosureRules) -> DisclosedTable:
    """Requests per year of submission by answer and reason, disclosed."""
    answer = (
        pl.when(pl.col("reason").is_null() | (pl.col("outcome") == Outcome.POSITIVE.value))
        .then(pl.col("outcome"))
        .otherwise(pl.concat_str(pl.col("outcome"), pl.lit(ANSWER_SEPARATOR), pl.col("reason")))
    )
    counts = (
        requests.with_columns(
            answer.alias(ANSWER), pl.col("submitted_on").dt.year().cast(pl.Int64).alias("year")
        )
        .group_by([ANSWER, "year"])
        .agg(pl.len().cast(pl.Int64).alias("n"))
    )
    return disclose_table(counts, rows=[ANSWER], column="year", rules=rules)


# -- reports ----------------------------------------------------------------------------------


class ReportFormat(StrEnum):
    """The formats a brief is written in, named by the file's suffix."""

    HTML = "html"
    DOCX = "docx"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES: Final = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def report_format(out: Path) -> ReportFormat:
    """The format of a report file by its suffix: ``.html`` or ``.docx``."""
    suffix = out.suffix.lower().lstrip(".")
    if suffix == "htm":
        return ReportFormat.HTML
    try:
        return ReportFormat(suffix)
    except ValueError:
        message = (
            N_("{field} {name}: a report cannot be written with {suffix!r}.")
            if suffix
            else N_("{field} {name}: a report cannot be written with no suffix.")
        )
        raise UsageError(
            message,
            hint=N_("Name the file .html (a page for the browser) or .docx (a document to edit)."),
            field=Field.OUT,
            name=out.name,
            suffix=f".{suffix}",
        ) from None


def _rendered(document: Document, fmt: ReportFormat) -> bytes:
    if fmt is ReportFormat.DOCX:
        return docx_writer.render(document)
    return report_page.render(document).encode("utf-8")


def cooperation_brief(
    context: Retour,
    period: str,
    fmt: ReportFormat | str = ReportFormat.HTML,
    *,
    profile: str | Profile = Profile.PUBLIC,
    confidential: str | None = None,
    lang: Language = "nl",
    actor: audit.Actor | None = None,
) -> bytes:
    """The sliding-scale report of ``period``: self-contained HTML or an editable .docx,
    recorded in the audit log as an export by ``actor`` (the operating-system user's when
    none is given)."""
    assessment = assess_period(context, period, profile=profile, confidential=confidential)
    document = report.scale_document(assessment_data(assessment), lang)
    data = _rendered(document, ReportFormat(fmt))
    shown = Output(assessment, ReportFormat(fmt).value, data)
    _exported(context, actor, shown, "cooperation", lang, what="cooperation")
    return data


def cooperation_report(
    context: Retour,
    period: str,
    out: Path,
    *,
    profile: str | Profile = Profile.PUBLIC,
    confidential: str | None = None,
    lang: Language = "nl",
    actor: audit.Actor | None = None,
) -> Path:
    """Write the sliding-scale report of ``period`` to ``out`` (.html or .docx)."""
    fmt = report_format(out)
    _check_out(out)
    page = cooperation_brief(
        context, period, fmt, profile=profile, confidential=confidential, lang=lang, actor=actor
    )
    return _write(out, page)


def country_brief(
    context: Retour,
    country: str,
    fmt: ReportFormat | str = ReportFormat.HTML,
    *,
    profile: str | Profile = Profile.PUBLIC,
    confidential: str | None = None,
    lang: Language = "nl",
    actor: audit.Actor | None = None,
) -> bytes:
    """The country brief: self-contained HTML or an editable .docx, recorded in the audit
    log as an export by ``actor`` (the operating-system user's when none is given)."""
    view = country_view(context, country, profile=profile, confidential=confidential)
    data = _rendered(report.country_document(country_data(view), lang), ReportFormat(fmt))
    shown = Output(view, ReportFormat(fmt).value, data)
    _exported(context, actor, shown, view.country, lang, what="country")
    return data


def _exported(
    context: Retour,
    actor: audit.Actor | None,
    output: Output,
    subject: str,
    lang: Language,
    *,
    what: str,
) -> None:
    record_output(
        context,
        actor or audit.Actor.command_line(),
        audit.AuditAction.EXPORT_REPORT,
        output,
        subject=subject,
        what=what,
        detail={"lang": lang, "format": output.fmt},
    )


def country_report(
    context: Retour,
    country: str,
    out: Path,
    *,
    profile: str | Profile = Profile.PUBLIC,
    confidential: str | None = None,
    lang: Language = "nl",
    actor: audit.Actor | None = None,
) -> Path:
    """Write the country brief to ``out`` (.html or .docx)."""
    fmt = report_format(out)
    _check_out(out)
    brief = country_brief(
        context, country, fmt, profile=profile, confidential=confidential, lang=lang, actor=actor
    )
    return _write(out, brief)


def _check_out(out: Path) -> None:
    """Refuse a folder before any work is done."""
    if out.exists() and out.is_dir():
        raise UsageError(
            N_("{path} is a folder."), hint=N_("Give a file name such as report.html."), path=out
        )


def _write(out: Path, data: bytes) -> Path:
    """Write the rendered report once."""
    _check_out(out)
    return write_file(out, data)  # never through a link; a full disk named as such


def assessment_data(assessment: Assessment) -> report.ScaleData:
    """What the sliding-scale report renders."""
    return report.ScaleData(
        period=assessment.period.label,
        kind=assessment.kind,
        table=assessment.table,
        history=assessment.history,
        rules=assessment.rules,
        simulated=assessment.origin.simulated,
        as_of=assessment.as_of,
        level=assessment.level,
        notes=assessment.notes,
        fingerprint=assessment.origin.fingerprint,
    )


def country_data(view: CountryView) -> report.CountryData:
    """What the country report renders."""
    people = view.nationals
    return report.CountryData(
        country=view.country,
        index=view.index,
        answer_curves=view.answer_curves,
        outcomes=view.outcomes,
        effects=view.effects,
        rules=view.rules,
        simulated=view.origin.simulated,
        as_of=view.as_of,
        level=view.level,
        effect_level=view.effect_level,
        notes=view.notes,
        eu_context=view.eu_context,
        answer_times=view.answer_times,
        instruments=view.instruments,
        cases=None if people is None else people.cases,
        departures=None if people is None else people.departures,
        fingerprint=view.origin.fingerprint,
        terms=view.terms,
    )


# -- agreed time limits of one country -------------------------------------------------------


def country_terms(context: Retour, code: str, rules: DisclosureRules) -> report.TermsData | None:
    """The country's time limits in force on the extraction date, its overdue requests
    counted by kind, what is awaited and band of days over (through the profile), the
    shares kept per year of submission, and the statuses that hold on that date; None when
    the database holds neither terms nor a status for it."""
    small = terms_store.small_tables(context.database())
    on = small.extracted_on
    applied = timing.applicable_terms(small.instruments, small.terms)
    mine = applied.filter(pl.col("country") == code)
    held = small.statuses.filter(pl.col("country") == code)
    if on is None or (mine.is_empty() and held.is_empty()):
        return None
    titles = small.instruments.select(
        "instrument_id", "title", pl.col("start_on").alias("instrument_start")
    )
    in_force = (
        mine.filter((pl.col("applies_from") <= on) & (pl.col("applies_until") > on))
        .join(small.terms.select("term_id", "instrument_id"), on="term_id", how="left")
        .join(titles, on="instrument_id", how="left")
    )
    overdue_counts, compliance_rows = None, pl.DataFrame()
    if not mine.is_empty():
        overdue_counts = _overdue_counts(context, code, rules)
        compliance_rows = _compliance_rows(context, code, rules)
    return report.TermsData(
        on=on,
        in_force=in_force,
        overdue=overdue_counts,
        compliance=compliance_rows,
        statuses=timing.statuses_on(small.statuses, on).filter(pl.col("country") == code),
    )


def _overdue_counts(context: Retour, code: str, rules: DisclosureRules) -> DisclosedTable:
    """Overdue requests to ``code`` on the extraction date by kind, what and band of days
    over, disclosed: the counts of `retour overdue` under every profile (internal too: a
    page shows counts, the list is the overdue page's)."""
    answer = terms.overdue(
        context, country=code, profile=rules.profile, confidential=_confidential(rules)
    )
    if answer.counts is not None:
        return answer.counts
    assert answer.listed is not None
    counts = timing.overdue_counts(answer.listed).with_columns(
        pl.col(timing.BAND).cast(terms.BAND_ORDER)
    )
    rows = list(terms.COUNT_ROWS)
    return disclose_table(counts, rows=rows, column=timing.BAND, rules=rules)


def _compliance_rows(context: Retour, code: str, rules: DisclosureRules) -> pl.DataFrame:
    """The published shares kept per year of submission (the default years)."""
    try:
        kept = terms.compliance(
            context, by="country,year", profile=rules.profile, confidential=_confidential(rules)
        )
    except UsageError:  # no requests with terms in the data
        return pl.DataFrame()
    return kept.published.filter(~pl.col(IS_TOTAL) & (pl.col("country") == code))


def _confidential(rules: DisclosureRules) -> str | None:
    return ",".join(sorted(rules.confidential)) or None


# -- every country with data, for the overview ------------------------------------------------

#: The columns of :func:`country_list`.
COUNTRY_LIST: Final = pl.Schema(
    {"country": pl.String(), "has_requests": pl.Boolean(), "with_instruments": pl.Boolean(),
     "with_cases": pl.Boolean(), "with_eurostat": pl.Boolean(), "with_terms": pl.Int64(),
     "in_time_share": pl.Float64(), "status": pl.String(), "status_kind": pl.String(),
     "status_since": pl.Date()}
)  # fmt: skip


def country_list(
    context: Retour,
    with_requests: tuple[str, ...],
    *,
    profile: str | Profile = Profile.PUBLIC,
    confidential: str | None = None,
) -> pl.DataFrame:
    """Every country a page can be shown for (:data:`COUNTRY_LIST`): those with requests
    (``with_requests``, as the profile names them) and those without requests but with
    instruments, a country status, cases of their nationals or Eurostat's figures (Syria,
    Somalia: no index), each saying which of these retour holds; with the share of requests
    answered within the agreed time limit over the default years (published; null without
    terms or where hidden) and the country status that holds on the extraction date. A
    confidential country is not in it under a pooling profile."""
    rules = disclosure_rules(context, profile, confidential)
    small = terms_store.small_tables(context.database())
    sources = _held(context, small)
    known = {*small.statuses["country"].to_list(), *(c for v in sources.values() for c in v)}
    codes = pl.DataFrame({"country": list(with_requests)}, schema={"country": pl.String})
    others = pl.DataFrame({"country": sorted(known)}, schema={"country": pl.String})
    listed = pl.concat([codes, others.join(codes, on="country", how="anti")]).with_columns(
        pl.col("country").is_in(list(with_requests)).alias("has_requests"),
        *(pl.col("country").is_in(v).alias(name) for name, v in sources.items()),
    )
    if rules.pools:
        listed = listed.filter(~pl.col("country").is_in(list(rules.confidential)))
    shares = _in_time_shares(context, rules)
    on = small.extracted_on or dt.date.today()
    held = (
        timing.statuses_on(small.statuses, on)
        .sort("start_on")
        .unique("country", keep="first")
        .select(
            "country",
            "status",
            pl.col("kind").alias("status_kind"),
            pl.col("start_on").alias("status_since"),
        )
    )
    joined = listed.join(shares, on="country", how="left").join(held, on="country", how="left")
    return joined.select(COUNTRY_LIST.names()).cast(COUNTRY_LIST)


def _held(context: Retour, small: terms_store.TermsTables) -> dict[str, list[str]]:
    """The countries a country page has something to show for besides requests, per
    :data:`COUNTRY_LIST` column: instruments, cases of nationals, Eurostat's figures."""
    return {
        "with_instruments": small.instruments["country"].unique().to_list(),
        "with_cases": list(with_cases(context, small.extracted_on)),
        "with_eurostat": [c for c in outside.citizens(context) if c in country_codes()],
    }


def _in_time_shares(context: Retour, rules: DisclosureRules) -> pl.DataFrame:
    """country, with_terms, in_time_share over the default years, as published."""
    try:
        kept = terms.compliance(
            context, by="country", profile=rules.profile, confidential=_confidential(rules)
        )
    except UsageError:  # no requests with terms
        return pl.DataFrame(schema={"country": pl.String, "with_terms": pl.Int64,
                                    "in_time_share": pl.Float64})  # fmt: skip
    return kept.published.filter(~pl.col(IS_TOTAL)).select(
        pl.col("country").cast(pl.String), "with_terms", "in_time_share"
    )

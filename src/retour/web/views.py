"""What the pages and the API show, assembled from the service use cases, and cached.

Nothing here computes a figure: it asks the services (which disclose under the profile
given) and shapes their answers into table models for the templates and JSON for the API.
Answers are cached per profile, language and *data version* -- the import history's
fingerprint and the count of outside statistics -- so a page is computed once per import,
not once per request; the version itself is read at most every few seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, TypeVar

import polars as pl

from retour.disclosure import (
    COUNTRY_COLUMNS,
    IS_TOTAL,
    OTHER_COUNTRIES,
    OTHER_COUNTRIES_LABEL,
    TOTAL,
    TOTAL_LABEL,
    DisclosureRules,
    Figures,
    FigureTable,
    Language,
    Profile,
    accept,
)
from retour.domain.errors import NotFoundError, UsageError
from retour.domain.provenance import Provenance
from retour.reports import charts as chart_specs
from retour.reports import context as context_report
from retour.reports import cooperation as cooperation_report
from retour.reports import labels, messages
from retour.reports import terms as terms_text
from retour.reports.document import Paragraph, Table
from retour.reports.messages import N_, _
from retour.service import conditions, cooperation, figures, instruments, outside, publication
from retour.service.context import Retour
from retour.service.instruments import DeskJudgement, Instrument
from retour.service.memo import AnswerCache
from retour.web import i18n

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Seconds the data version is trusted before it is read again.
VERSION_SECONDS: Final = 2.0
#: Answers kept in memory (per profile, language, question).
CACHE_ENTRIES: Final = 512
YEAR: Final = "year"


# -- the cache --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataVersion:
    """What identifies the data: changes with every import, web edit or Eurostat file."""

    provenance: Provenance
    outside_values: int

    @property
    def key(self) -> tuple[object, ...]:
        p = self.provenance
        return (p.fingerprint, p.imports, p.extracted_on, self.outside_values)

    @property
    def empty(self) -> bool:
        return bool(self.provenance.imports == 0)


@dataclass
class Views:
    """The web's window on one retour: cached answers of the services."""

    context: Retour
    cache: AnswerCache = field(default_factory=lambda: AnswerCache(CACHE_ENTRIES))
    _version: DataVersion | None = None
    _version_at: float = 0.0
    _version_lock: threading.Lock = field(default_factory=threading.Lock)

    def version(self) -> DataVersion:
        with self._version_lock:
            now = time.monotonic()
            if self._version is None or now - self._version_at > VERSION_SECONDS:
                db = self.context.database()
                self._version = DataVersion(
                    publication.provenance(db), outside.outside_count(self.context)
                )
                self._version_at = now
            return self._version

    def changed(self) -> None:
        """The web changed the data: read the version again and drop cached answers."""
        with self._version_lock:
            self._version = None
        self.cache.clear()

    def cached(self, name: str, args: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        return self.cache.get((name, args, self.version().key), compute)

    def rules(self, profile: Profile) -> DisclosureRules:
        return publication.disclosure_rules(self.context, profile)

    # -- figures ------------------------------------------------------------------------------

    def request_figures(
        self,
        profile: Profile,
        *,
        years: str | None = None,
        by: str | None = None,
        kind: str | None = None,
        cohort: str = "submitted",
        outcome: str | None = None,
    ) -> Figures:
        return self.cached(
            "requests",
            (profile, years, by, kind, cohort, outcome),
            lambda: figures.request_figures(
                self.context,
                years=years,
                by=by,
                kind=kind,
                cohort=cohort,
                profile=profile,
                outcome=outcome,
            ),
        )

    def detention_figures(
        self, profile: Profile, *, years: str | None = None, by: str | None = None
    ) -> Figures:
        return self.cached(
            "detentions",
            (profile, years, by),
            lambda: figures.detention_figures(self.context, years=years, by=by, profile=profile),
        )

    def departure_figures(
        self, profile: Profile, *, years: str | None = None, by: str | None = None
    ) -> Figures:
        return self.cached(
            "departures",
            (profile, years, by),
            lambda: figures.departure_figures(self.context, years=years, by=by, profile=profile),
        )

    def countries(self, profile: Profile) -> tuple[str, ...]:
        """Countries with requests in the default years, as the profile may name them."""

        def compute() -> tuple[str, ...]:
            try:
                answer = figures.request_figures(self.context, by="country", profile=profile)
            except UsageError:  # no requests at all
                return ()
            table = answer.tables[0].table
            codes = table.shown.filter(~pl.col(IS_TOTAL))["country"].cast(pl.String).to_list()
            return tuple(c for c in codes if c and c != OTHER_COUNTRIES)

        return self.cached("countries", (profile,), compute)

    def country_list(
        self, profile: Profile, lang: Language, order: CountryOrder | None = None
    ) -> tuple[CountryRow, ...]:
        """Every country a page can be shown for, with requests or not (no index either
        way), its share answered within the agreed time limit and the status that holds;
        by name or by that share (highest first, countries without one last)."""
        chosen = order or CountryOrder.NAME

        def compute() -> tuple[CountryRow, ...]:
            frame = cooperation.country_list(self.context, self.countries(profile), profile=profile)
            rows = [
                CountryRow(
                    code=r["country"],
                    name=labels.country_name(r["country"], lang),
                    has_requests=bool(r["has_requests"]),
                    in_time=_share_text(r["in_time_share"], lang),
                    share=r["in_time_share"],
                    status=""
                    if r["status"] is None
                    else terms_text.not_assessed_text(r["status"], r["status_since"], lang),
                    held=held_text(r, lang),
                )
                for r in frame.iter_rows(named=True)
            ]
            by_name = sorted(rows, key=lambda r: chart_specs.name_key(r.name))
            if chosen is CountryOrder.IN_TIME:
                by_name.sort(key=lambda r: (r.share is None, -(r.share or 0.0)))
            return tuple(by_name)

        return self.cached("country-list", (profile, lang, chosen), compute)

    def instruments(self, country: str | None = None) -> tuple[Instrument, ...]:
        return self.cached(
            "instruments",
            (country,),
            lambda: tuple(instruments.list_instruments(self.context, country)),
        )

    # -- the cooperation index (retour.service.cooperation, charts of retour.reports.charts) --

    def warm_up(self) -> None:
        """Compute now what the first visitor would wait for: the overview under the
        public profile in Dutch (the scale, the key figures, the ready-to-return count) and
        the all-country quarterly index behind every country page."""
        if self.version().empty:
            return
        period = self.default_period()
        self.scale(Profile.PUBLIC, period, "nl")
        self.ready_to_return(Profile.PUBLIC, period[:4], "nl")
        self.request_figures(Profile.PUBLIC, by="year,outcome")
        self.countries(Profile.PUBLIC)
        for by in ("country,year,outcome", "country,reason,outcome"):  # every country page's
            self.request_figures(Profile.PUBLIC, by=by)
        cooperation.warm_up(self.context)

    def warm_up_in_background(self) -> None:
        """:meth:`warm_up` in a thread of its own; a failure is logged, never raised (the
        pages compute what they need when asked)."""

        def run() -> None:
            try:
                self.warm_up()
            except Exception:  # pragma: no cover - only a warm-up
                log.warning("the overview could not be computed in advance", exc_info=True)

        threading.Thread(target=run, name="retour-warm-up", daemon=True).start()

    def default_period(self) -> str:
        """The last full year of the data (the year before the extraction date's)."""
        day = self.version().provenance.extracted_on
        if day is None:
            return str(dt.date.today().year - 1)
        return str(day.year if (day.month, day.day) == (12, 31) else day.year - 1)

    def assessment(self, profile: Profile, period: str) -> cooperation.Assessment:
        return self.cached(
            "assessment",
            (profile, period),
            lambda: cooperation.assess_period(self.context, period, profile=profile),
        )

    def scale(
        self,
        profile: Profile,
        period: str,
        lang: Language,
        order: chart_specs.ScaleOrder = chart_specs.ScaleOrder.INDEX,
    ) -> Scale:
        """The sliding scale of a period: its chart (SVG) and figures, after the profile, the
        countries in the order asked (the chart and the table alike)."""

        def compute() -> Scale:
            found = accept(self.assessment(profile, period), "html")
            spec = chart_specs.scale_chart(
                found.table, lang, level=found.level, period=found.period.label, order=order
            )
            ranks = chart_specs.scale_order(found.table, lang, order).select("name", "rank")
            figures_frame = (
                cooperation_report.figures_frame(found.table, lang)
                .join(ranks, on="name", how="left", maintain_order="left")
                .sort("rank", nulls_last=True)
                .drop("rank")
            )
            headers = tuple(_(cooperation_report.COLUMNS[c], lang) for c in figures_frame.columns)
            rows = tuple(
                tuple("" if v is None else str(v) for v in row) for row in figures_frame.iter_rows()
            )
            title = _("Cooperation index per country", lang)
            return Scale(
                period=found.period.label,
                svg=chart_specs.svg(spec),
                table=TableView(
                    f"{title}, {found.period.label} — "
                    + scale_filters(found.kind, order, profile, lang),
                    headers,
                    1,
                    tuple(RowView(r) for r in rows),
                    counts=False,
                ),
                notes=tuple(i18n.readable(n, lang) for n in found.notes_in(lang)),
            )

        return self.cached("scale", (profile, period, lang, order), compute)

    def ready_to_return(
        self, profile: Profile, year: str, lang: Language
    ) -> tuple[TableView, tuple[str, ...]]:
        """Month ends of `year`: open cases with all five conditions green (IRMA's "ready
        to be returned"), disclosed (retour.service.conditions)."""

        def compute() -> tuple[TableView, tuple[str, ...]]:
            answer = accept(
                conditions.condition_figures(self.context, monthly=year, profile=profile), "html"
            )
            frame = answer.display(lang)
            headers = (_("Month end", lang), _("Ready to return", lang))
            rows = tuple(
                RowView(tuple("" if v is None else str(v) for v in row))
                for row in frame.iter_rows()
            )
            title = _("Ready to return at month end, {year}", lang, year=year)
            shown = caption(title, Filters(profile, requests=False), lang)
            return TableView(shown, headers, 1, rows), tuple(
                i18n.readable(n, lang) for n in answer.notes_in(lang)
            )

        return self.cached("ready", (profile, year, lang), compute)

    def country_view(self, code: str, profile: Profile) -> cooperation.CountryView:
        return self.cached(
            "country-view",
            (code, profile),
            lambda: cooperation.country_view(self.context, code, profile=profile),
        )

    def shown_country(self, code: str, profile: Profile) -> cooperation.CountryView | None:
        """The country's view, or None where the page answers "not found" without saying
        why: under a pooling profile a confidential country and a country without any data
        get the same answer, so nothing tells them apart. Under ``internal`` a country
        without data is not found with the service's words ("no data on Syria (SY) yet")."""
        try:
            return self.country_view(code, profile)
        except NotFoundError:
            if profile is Profile.INTERNAL:
                raise
            return None
        except UsageError:  # confidential under this profile
            return None

    def country_charts(self, code: str, profile: Profile, lang: Language) -> CountryCharts:
        """The country's index, answer times, outcomes and effects: charts (SVG) and the
        effects as a table; the cases of its nationals as tables; after the profile. A
        country without requests has no index: ``no_requests`` says so."""

        def compute() -> CountryCharts:
            view = accept(self.country_view(code, profile), "html")
            name = labels.country_name(code, lang)
            specs = {}
            if view.outcomes is not None:
                specs = {
                    "index": chart_specs.index_chart(
                        view.index, view.effects, lang, level=view.level, country=name
                    ),
                    "answer_times": chart_specs.answer_time_chart(
                        view.answer_curves, lang, country=name
                    ),
                    "outcomes": chart_specs.outcomes_chart(view.outcomes, lang, country=name),
                }
                if not view.effects.is_empty():
                    specs["effects"] = chart_specs.effects_chart(
                        view.effects, lang, level=view.effect_level, country=name
                    )
                    event = chart_specs.event_study_chart(
                        view.effects, lang, level=view.effect_level, country=name
                    )
                    if event is not None:
                        specs["event_study"] = event
            effects_caption = caption(
                _("Estimated effect of instruments", lang),
                Filters(profile, country=code, requests=False),
                lang,
            )
            data = cooperation.country_data(view)
            nationals = tuple(
                document_table(t) for t in cooperation_report.nationals_tables(data, lang)
            )
            return CountryCharts(
                svgs={key: chart_specs.svg(spec) for key, spec in specs.items()},
                effects=effects_view(view.effects, lang, title=effects_caption)
                if view.has_requests
                else None,
                notes=tuple(i18n.readable(n, lang) for n in view.notes_in(lang)),
                nationals=nationals,
                no_requests=None
                if view.has_requests
                else cooperation_report.no_requests_text(code, lang),
                no_cases=None
                if view.nationals is not None
                else cooperation_report.no_cases_text(code, lang),
                terms=terms_views(view.terms, name, lang),
                statuses=cooperation_report.held_statuses(data, lang),
                index_table=document_table(
                    cooperation_report.index_table(data, name, lang), counts=False
                )
                if view.has_requests
                else None,
                check_text=_(cooperation_report.TEXT["check_text"], lang),
            )

        return self.cached("country-charts", (code, profile, lang), compute)

    def assessments(self, country: str) -> tuple[DeskJudgement, ...]:
        """The desks' assessments of a country: internal only, callers check the profile."""
        return self.cached(
            "assessments",
            (country,),
            lambda: tuple(instruments.list_assessments(self.context, country)),
        )

    def context_html(self, code: str, profile: Profile, lang: Language) -> str | None:
        """The EU-context section of a country (Eurostat), with its chart as SVG."""

        def compute() -> str | None:
            rates = outside.country_context(self.context, code, rules=self.rules(profile))
            if rates is None:
                return None
            return context_report.html_fragment(rates, lang, chart="svg", heading_level=2)

        return self.cached("context", (code, profile, lang), compute)

    def context_json(self, code: str, profile: Profile, lang: Language) -> dict[str, object] | None:
        rules = self.rules(profile)
        rates = self.cached(
            "context-rates",
            (code, profile),
            lambda: outside.country_context(self.context, code, rules=rules),
        )
        if rates is None:
            return None
        return outside.ReturnRateAnswer(rates, rules).as_json(lang)


# -- table models for the templates -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowView:
    cells: tuple[str, ...]
    total: bool = False


@dataclass(frozen=True, slots=True)
class TableView:
    title: str
    headers: tuple[str, ...]
    dims: int  # the first `dims` columns are labels, the rest numbers
    rows: tuple[RowView, ...]
    counts: bool = True  # disclosed counts (a figures table), not estimates


def label(dim: str | None, value: object, lang: Language) -> str:
    """A dimension value as readers see it: country names, translated codes."""
    if value is None:
        return ""
    text = str(value)
    if dim in COUNTRY_COLUMNS:
        if text == OTHER_COUNTRIES:
            return OTHER_COUNTRIES_LABEL[lang]
        name = labels.country_name(text, lang)
        return text if name == text else f"{name} ({text})"
    if dim == YEAR:
        return text
    return labels.code_label(text, lang)


def dimension(dim: str, lang: Language) -> str:
    message = labels.DIMENSION.get(dim)
    return _(message, lang) if message else dim


def table_view(
    answer: FigureTable,
    lang: Language,
    *,
    only: tuple[str, str] | None = None,
    title: str | None = None,
) -> TableView:
    """A disclosed table as headers and rows of text. `only=(dim, value)`: just the rows
    of that value (the dimension's column and the totals row left out)."""
    table = accept(answer, "html").table
    display = table.to_display_frame(lang)
    dims = [d for d in table.row_dims if only is None or d != only[0]]
    values = display.columns[len(table.row_dims) :]
    display = display.with_columns(messages.counts(display[c], lang) for c in values)
    if table.column is None:
        value_headers = [_("Number", lang)]
    else:
        value_headers = [
            TOTAL_LABEL[lang] if raw == TOTAL else label(table.column, raw, lang)
            for raw in table.value_columns
        ]
    raw_rows = table.shown.select(*table.row_dims, IS_TOTAL).iter_rows(named=True)
    rows = []
    for raw, shown in zip(raw_rows, display.select(values).iter_rows(), strict=True):
        total = bool(raw[IS_TOTAL])
        if only is not None and (total or str(raw[only[0]]) != only[1]):
            continue
        if total:
            labels_ = [TOTAL_LABEL[lang], *[""] * (len(dims) - 1)]
        else:
            labels_ = [label(d, raw[d], lang) for d in dims]
        cells = [*labels_, *("" if v is None else str(v) for v in shown)]
        rows.append(RowView(tuple(cells), total))
    headers = tuple(dimension(d, lang) for d in dims) + tuple(value_headers)
    caption = answer.title.text(lang) if title is None else title
    return TableView(caption, headers, len(dims), tuple(rows))


@dataclass(frozen=True, slots=True)
class Filters:
    """What a table of figures was narrowed to: its caption names every one of them."""

    profile: Profile
    country: str | None = None  # one country's rows, else all countries
    country_dim: str = "country"  # or "nationality" (detentions, departures)
    kind: str | None = None  # LP or TO, else both
    outcome: str | None = None  # answers counted (comma-separated codes), else all
    requests: bool = True  # a table of requests: the kind and the answer apply


def filter_text(name: str, value: str, lang: Language) -> str:
    """One filter of a caption: its name (a catalog text) and its value, "profiel: openbaar"."""
    return ": ".join((_(name, lang), value))


def profile_text(profile: Profile, lang: Language) -> str:
    return filter_text(N_("profile"), i18n.profile_name(profile, lang), lang)


def sort_text(order: chart_specs.ScaleOrder, lang: Language) -> str:
    return filter_text(N_("order"), _(i18n.ORDER_NAMES[order.value], lang), lang)


#: How the overview's list of countries is ordered, in words.
COUNTRY_ORDER_NAMES: Final = {"name": N_("by name"), "in_time": N_("by share answered in time")}


def country_list_caption(order: CountryOrder, profile: Profile, lang: Language) -> str:
    """The caption of the overview's list of countries: its order and the profile."""
    order_words = filter_text(N_("order"), _(COUNTRY_ORDER_NAMES[order.value], lang), lang)
    return "; ".join((_("Countries with data", lang), order_words, profile_text(profile, lang)))


def scale_filters(
    kind: str, order: chart_specs.ScaleOrder, profile: Profile, lang: Language
) -> str:
    """What the scale's table answers to: every country, the kind of request, the order,
    the profile."""
    kinds = labels.code_label(kind, lang) if kind in ("LP", "TO") else _("LP and T&O", lang)
    return "; ".join(
        (
            filter_text(N_("country"), _("all countries", lang), lang),
            filter_text(N_("kind of request"), kinds, lang),
            sort_text(order, lang),
            profile_text(profile, lang),
        )
    )


def outcome_text(outcome: str | None, lang: Language) -> str:
    if not outcome:
        return _("all answers", lang)
    words = [chart_specs.answer_label(o.strip(), lang) for o in outcome.split(",") if o.strip()]
    return (" " + _("or", lang) + " ").join(words)


def caption(title: str, filters: Filters, lang: Language) -> str:
    """A table's title followed by every filter it answers to, in words: country (or
    nationality), kind of request and answer (tables of requests), and the profile."""
    dim = filters.country_dim
    where = label(dim, filters.country, lang) if filters.country else _("all countries", lang)
    parts = [filter_text(i18n.FILTER_NAMES[dim], where, lang)]
    if filters.requests:
        kind = labels.code_label(filters.kind, lang) if filters.kind else _("LP and T&O", lang)
        parts.append(filter_text(N_("kind of request"), kind, lang))
        parts.append(filter_text(N_("answer"), outcome_text(filters.outcome, lang), lang))
    parts.append(profile_text(filters.profile, lang))
    return f"{title} — {'; '.join(parts)}"


@dataclass(frozen=True, slots=True)
class Scale:
    period: str
    svg: str
    table: TableView
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CountryCharts:
    svgs: dict[str, str]
    effects: TableView | None
    notes: tuple[str, ...]
    #: The cases and departures of the country's nationals (the brief's tables).
    nationals: tuple[TableView, ...] = ()
    #: Said in place of the index, the answer times and the answers when no requests went
    #: to the country; said in place of the tables of nationals when there are no cases.
    no_requests: str | None = None
    no_cases: str | None = None
    #: The agreed time limits (the brief's blocks): a sentence as text, a table as a view.
    terms: tuple[TableView | str, ...] = ()
    #: The country statuses that hold (not assessed), one sentence each.
    statuses: tuple[str, ...] = ()
    #: The index per quarter with the model-free check beside it (the brief's table).
    index_table: TableView | None = None
    check_text: str = ""


class CountryOrder(StrEnum):
    """How the overview lists its countries."""

    NAME = "name"
    IN_TIME = "in_time"  # highest share answered within the agreed limit first


@dataclass(frozen=True, slots=True)
class CountryRow:
    """A country of the overview's list: no index (the scale has it), its share answered
    within the agreed time limit (text, and the value it sorts by), the status that holds
    (not assessed) in words, whether any request went to it and, without requests, what
    the country's page has to show in words (``held``)."""

    code: str
    name: str
    has_requests: bool
    in_time: str
    share: float | None
    status: str
    held: str = ""


#: What a country's page shows without requests, by the column of cooperation.country_list.
HELD: Final = {
    "with_instruments": N_("instruments"),
    "with_cases": N_("cases of its nationals"),
    "with_eurostat": N_("Eurostat figures"),
}


def held_text(row: dict[str, object], lang: Language) -> str:
    """A country without requests: "no requests: no index; held: instruments, ..."."""
    if row["has_requests"]:
        return ""
    shown = [_(text, lang) for column, text in HELD.items() if row[column]]
    none = _("no requests: no index", lang)
    return _("{none}; held: {what}", lang, none=none, what=", ".join(shown)) if shown else none


def _share_text(value: float | None, lang: Language) -> str:
    return chart_specs.DASH if value is None else messages.percent(value, 0, lang)


@dataclass(frozen=True, slots=True)
class CountryWords:
    """Words of the country page that come with the brief: its section on nationals and
    the link to the brief as .docx."""

    nationals_heading: str
    brief_docx: str
    event_text: str = ""
    terms_heading: str = ""


def country_words(lang: Language) -> CountryWords:
    return CountryWords(
        _(cooperation_report.TEXT["cases_section"], lang),
        _(cooperation_report.TEXT["brief_docx"], lang),
        _(cooperation_report.TEXT["event_text"], lang),
        _(cooperation_report.TEXT["terms_section"], lang),
    )


def terms_views(
    terms: cooperation_report.TermsData | None, name: str, lang: Language
) -> tuple[TableView | str, ...]:
    """The brief's blocks on the agreed time limits: sentences as text, tables as views."""
    if terms is None:
        return ()
    return tuple(
        document_table(b) if isinstance(b, Table) else b.text
        for b in cooperation_report.terms_blocks(terms, name, lang)
        if isinstance(b, Table | Paragraph)
    )


def document_table(table: Table, *, counts: bool = True) -> TableView:
    """A table of a brief (:mod:`retour.reports.document`) as the page's table model: the
    page shows the very cells of the brief. ``counts=False``: a table of estimates (the index
    per quarter), whose counts the gate has rounded but whose other cells are no counts."""
    rows = tuple(RowView(row, i in table.totals) for i, row in enumerate(table.rows))
    return TableView(table.caption, table.headers, table.labels, rows, counts=counts)


def effects_view(
    effects: pl.DataFrame, lang: Language, *, title: str | None = None
) -> TableView | None:
    """The instruments with their estimated effect (points on the index) and verdict."""
    if effects.is_empty():
        return None
    columns = ("start_on", "title", "effect", "verdict")
    headers = tuple(_(cooperation_report.COLUMNS[c], lang) for c in columns)
    verdicts = chart_specs.words(chart_specs.VERDICT_TEXT, lang)
    dash = chart_specs.DASH
    rows = []
    for r in effects.sort("start_on").iter_rows(named=True):
        effect = (
            dash
            if r["effect"] is None
            else f"{r['effect']:+.1f} ({r['lower']:+.1f} {dash} {r['upper']:+.1f})"
        )
        start = r["start_on"]
        rows.append(
            RowView(
                (
                    start.isoformat() if hasattr(start, "isoformat") else str(start),
                    str(r["title"]),
                    effect,
                    verdicts.get(str(r["verdict"]), str(r["verdict"])),
                )
            )
        )
    return TableView(title or headers[1], headers, 4, tuple(rows), counts=False)

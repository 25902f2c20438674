"""The overview and a country's page and brief: what the user sees first."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from retour.disclosure import Language, Profile
from retour.domain.errors import SERVER_FAULTS, RetourError, UsageError
from retour.reports import labels
from retour.reports.charts import ScaleOrder
from retour.reports.messages import N_, _
from retour.service import audit, cooperation
from retour.service.audit import Via
from retour.web.i18n import error_text
from retour.web.render import language, render
from retour.web.routes.common import (
    NotFound,
    User,
    choose_profile,
    country_code,
    frame,
    readable_notes,
    views,
)
from retour.web.security import retour
from retour.web.views import (
    CountryOrder,
    Filters,
    Scale,
    TableView,
    Views,
    caption,
    country_list_caption,
    country_words,
    table_view,
)

router = APIRouter()

# -- overview ---------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    principal: User,
    profile: Annotated[str | None, Query(max_length=20)] = None,
    period: Annotated[str | None, Query(max_length=10)] = None,
    order: Annotated[str | None, Query(max_length=10)] = None,
    countries_order: Annotated[str | None, Query(alias="countries", max_length=10)] = None,
) -> Response:
    chosen, clamped = choose_profile(principal, profile)
    lang = language(request)
    v = views(request)
    sort = ScaleOrder.NAME if order == ScaleOrder.NAME.value else ScaleOrder.INDEX
    empty = v.version().empty
    key_figures, notes = (None, ()) if empty else _key_figures(v, chosen, lang)
    listed = CountryOrder.IN_TIME if countries_order == "in_time" else CountryOrder.NAME
    rows = () if empty else v.country_list(chosen, lang, listed)
    asked_period = period.strip() if period and period.strip() else v.default_period()
    scale, scale_error, ready, ready_notes = (
        (None, None, None, ()) if empty else _scale_and_ready(v, chosen, asked_period, lang, sort)
    )
    return render(
        request,
        "overview.html",
        **frame(request, principal, chosen, clamped),
        key_figures=key_figures,
        notes=notes,
        country_rows=rows,
        country_order=listed.value,
        country_caption=country_list_caption(listed, chosen, lang),
        scale=scale,
        scale_svg=Markup(scale.svg) if scale else None,  # drawn by vl-convert from our spec
        scale_error=scale_error,
        period=asked_period,
        order=sort.value,
        orders=[o.value for o in ScaleOrder],
        ready=ready,
        ready_notes=ready_notes,
    )


def _key_figures(
    v: Views, profile: Profile, lang: Language
) -> tuple[TableView | None, tuple[str, ...]]:
    """The overview's requests per year and answer, with their notes (none without requests)."""

    def key() -> tuple[TableView | None, tuple[str, ...]]:
        try:
            answer = v.request_figures(profile, by="year,outcome")
        except UsageError:
            return None, ()
        table = answer.tables[0]
        title = caption(table.title.text(lang), Filters(profile), lang)
        return table_view(table, lang, title=title), readable_notes(answer.notes_in(lang), lang)

    return v.cached("overview", (profile, lang), key)


def _scale_and_ready(
    v: Views, profile: Profile, period: str, lang: Language, sort: ScaleOrder
) -> tuple[Scale | None, str | None, TableView | None, tuple[str, ...]]:
    """The sliding scale of ``period`` (or why there is none) and the people ready to return
    in its year (None: no conditions in the data for that year)."""
    scale, scale_error = None, None
    try:
        scale = v.scale(profile, period, lang, sort)
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        scale_error = error_text(exc, lang)
    try:
        ready, ready_notes = v.ready_to_return(profile, period[:4], lang)
    except SERVER_FAULTS:
        raise
    except RetourError:
        ready, ready_notes = None, ()
    return scale, scale_error, ready, ready_notes


# -- a country --------------------------------------------------------------------------------


@router.get("/countries/{code}", response_class=HTMLResponse)
def country(
    request: Request,
    code: str,
    principal: User,
    profile: Annotated[str | None, Query()] = None,
) -> Response:
    chosen, clamped = choose_profile(principal, profile)
    clean = country_code(code)
    lang = language(request)
    v = views(request)
    shown = v.shown_country(clean, chosen)
    if shown is None:
        # Confidential under this profile, or no data at all: the same answer for both.
        raise NotFound

    per_year_view, reasons_view, notes = (
        v.cached(
            "country-tables",
            (clean, chosen, lang),
            partial(_country_tables, v, clean, chosen, lang),
        )
        if shown.has_requests
        else (None, None, ())
    )
    context = v.context_html(clean, chosen, lang)
    cooperation_error = None
    try:
        drawn = v.country_charts(clean, chosen, lang)
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        drawn, cooperation_error = None, error_text(exc, lang)
    return render(
        request,
        "country.html",
        **frame(request, principal, chosen, clamped),
        code=clean,
        name=labels.country_name(clean, lang),
        per_year=per_year_view,
        reasons=reasons_view,
        notes=notes,
        instruments=v.instruments(clean),
        # The desks' own judgements (with their notes) are internal: never published.
        assessments=v.assessments(clean) if chosen is Profile.INTERNAL else (),
        # The fragment of retour.reports.context escapes every text itself.
        context=Markup(context) if context else None,
        # SVG drawn by vl-convert from retour.reports.charts (texts escaped by Vega)
        charts={k: Markup(v) for k, v in drawn.svgs.items()} if drawn else {},
        effects=drawn.effects if drawn else None,
        cooperation_notes=drawn.notes if drawn else (),
        cooperation_error=cooperation_error,
        nationals=drawn.nationals if drawn else (),
        no_requests=drawn.no_requests if drawn else None,
        no_cases=drawn.no_cases if drawn else None,
        terms=drawn.terms if drawn else (),
        statuses=drawn.statuses if drawn else (),
        index_table=drawn.index_table if drawn else None,
        check_text=drawn.check_text if drawn else "",
        words=country_words(lang),
    )


def _country_tables(
    v: Views, code: str, profile: Profile, lang: Language
) -> tuple[TableView, TableView, tuple[str, ...]]:
    """A country's requests per year and by reason, narrowed to it, with their notes."""
    only = ("country", code)
    per_year = v.request_figures(profile, by="country,year,outcome")
    reasons = v.request_figures(profile, by="country,reason,outcome")
    filters = Filters(profile, country=code)
    return (
        table_view(
            per_year.tables[0],
            lang,
            only=only,
            title=_titled(N_("Answers per year"), per_year, filters, lang),
        ),
        table_view(
            reasons.tables[0],
            lang,
            only=only,
            title=_titled(N_("Answers by reason"), reasons, filters, lang),
        ),
        readable_notes(reasons.notes_in(lang), lang),
    )


def _titled(title: str, answer: Any, filters: Filters, lang: Language) -> str:
    """A table's caption: its title (a catalog text), its years and its filters."""
    years = labels.years_text(list(answer.years))
    return caption(", ".join((_(title, lang), years)), filters, lang)


@router.get("/countries/{code}/brief")
def country_brief(
    request: Request,
    code: str,
    principal: User,
    profile: Annotated[str | None, Query(max_length=20)] = None,
    asked_format: Annotated[str, Query(alias="format", max_length=8)] = "html",
) -> Response:
    """The country report of `retour report country`, as a download: a self-contained
    page with its own scripts (the charts), opened outside the dashboard's CSP, or the
    same brief as a .docx to edit (``?format=docx``)."""
    chosen, _ = choose_profile(principal, profile)
    clean = country_code(code)
    if views(request).shown_country(clean, chosen) is None:
        raise NotFound
    docx = asked_format.strip().lower() == cooperation.ReportFormat.DOCX.value
    fmt = cooperation.ReportFormat.DOCX if docx else cooperation.ReportFormat.HTML
    lang = language(request)
    app = retour(request)
    actor = audit.Actor(principal.name, Via.WEB, principal.role)
    data = cooperation.country_brief(app, clean, fmt, profile=chosen, lang=lang, actor=actor)
    name = (
        f"retour-{'landenbrief' if lang == 'nl' else 'country-brief'}-{clean}-{chosen.value}"
        f".{fmt.value}"
    )
    return Response(
        data,
        media_type=fmt.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

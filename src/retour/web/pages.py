"""The pages: thin routes over the services, rendered on the server (Jinja2, htmx)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from retour.disclosure import Language, Profile
from retour.domain.codes import Table
from retour.domain.countries import country_codes
from retour.domain.errors import (
    SERVER_FAULTS,
    ConfigError,
    NotFoundError,
    RetourError,
    UsageError,
)
from retour.reports import case as case_report
from retour.reports import labels
from retour.reports.charts import ScaleOrder
from retour.reports.messages import N_, _, count
from retour.service import (
    audit,
    cases,
    cooperation,
    datasets,
    figures,
    imports,
    instruments,
    mappings,
)
from retour.service.audit import AuditAction, Via
from retour.service.figures import Figures
from retour.service.instruments import InvalidDatasetError
from retour.web import uploads
from retour.web.i18n import error_text, readable
from retour.web.permissions import Permission
from retour.web.render import is_htmx, language, render
from retour.web.security import (
    CSRF_HEADER,
    CsrfRefused,
    Forbidden,
    Principal,
    csrf_ok,
    guard,
    retour,
)
from retour.web.views import Filters, TableView, Views, caption, country_words, table_view

router = APIRouter()

#: The largest dataset accepted through the web (bytes).
MAX_UPLOAD: Final = 2 * 1024**3
#: Violations listed on the import page (then a count), as on the command line.
MAX_VIOLATIONS: Final = 200
UPLOAD_SUFFIXES: Final = (".zip", ".xlsx", ".csv")
#: The message of retour.service.cases for an id it does not know.
#: What a case id, an instrument id or a country code in a URL may look like.
ID_PATTERN: Final = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
#: The largest row id a database holds (a signed 64-bit integer): a larger `before` is a 422.
MAX_ROW_ID: Final = 2**63 - 1
AUDIT_PAGE: Final = 100

SUBJECTS: Final = ("requests", "reasons", "detentions", "departures")
#: The answers the "reasons" view counts: how often, and why, return was refused.
REFUSALS: Final = "negative,withdrawn"
#: Figures per subject: (default breakdown, breakdown with one country, its dimension).
BREAKDOWN: Final = {
    "requests": ("kind,year,outcome", "country,kind,year,outcome", "country"),
    "reasons": ("kind,outcome,reason,year", "country,kind,outcome,reason,year", "country"),
    "detentions": ("year,end_reason", "nationality,year,end_reason", "nationality"),
    "departures": ("year,type", "nationality,year,type", "nationality"),
}


class NotFound(Exception):  # noqa: N818 - answered as a 404 page
    pass


def signed_in(principal: Annotated[Principal | None, Depends(guard)]) -> Principal:
    if principal is None:  # the guard refuses this before; kept for the type
        raise Forbidden
    return principal


User = Annotated[Principal, Depends(signed_in)]


def views(request: Request) -> Views:
    found: Views = request.app.state.views
    return found


def choose_profile(principal: Principal, asked: str | None) -> tuple[Profile, bool]:
    """The profile to answer under: the one asked if the role allows it, else the safest
    the role allows (and whether that was a substitution, to say so on the page)."""
    allowed = principal.profiles
    if not asked:
        return allowed[0], False
    try:
        wanted = Profile.parse(asked)
    except UsageError:
        return allowed[0], True
    return (wanted, False) if wanted in allowed else (allowed[0], True)


def _frame(
    request: Request, principal: Principal, profile: Profile, clamped: bool
) -> dict[str, Any]:
    """What every figures page shows around its content."""
    lang = language(request)
    version = views(request).version()
    rules = views(request).rules(profile)
    return {
        "profile": profile,
        "profiles": principal.profiles,
        "clamped": clamped,
        "profile_line": labels.profile_line(rules, lang),
        "provenance": version.provenance,
        "empty": version.empty,
    }


def _country(code: str) -> str:
    clean = code.strip().upper()
    if clean not in country_codes():
        raise NotFound
    return clean


# -- overview ---------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    principal: User,
    profile: Annotated[str | None, Query(max_length=20)] = None,
    period: Annotated[str | None, Query(max_length=10)] = None,
    order: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    chosen, clamped = choose_profile(principal, profile)
    lang = language(request)
    v = views(request)
    sort = ScaleOrder.NAME if order == ScaleOrder.NAME.value else ScaleOrder.INDEX
    key_figures = None
    countries: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    if not v.version().empty:

        def key() -> tuple[TableView | None, tuple[str, ...]]:
            try:
                answer = v.request_figures(chosen, by="year,outcome")
            except UsageError:
                return None, ()
            table = answer.tables[0]
            title = caption(table.title.text(lang), Filters(chosen), lang)
            return table_view(table, lang, title=title), _notes(answer.notes_in(lang), lang)

        key_figures, notes = v.cached("overview", (chosen, lang), key)
        countries = v.countries(chosen)
    ready = None
    ready_notes: tuple[str, ...] = ()
    scale = None
    scale_error = None
    asked_period = period.strip() if period and period.strip() else v.default_period()
    if not v.version().empty:
        try:
            scale = v.scale(chosen, asked_period, lang, sort)
        except SERVER_FAULTS:
            raise
        except RetourError as exc:
            scale_error = error_text(exc, lang)
        try:
            ready, ready_notes = v.ready_to_return(chosen, asked_period[:4], lang)
        except SERVER_FAULTS:
            raise
        except RetourError:
            ready = None  # no conditions in the data for that year
    return render(
        request,
        "overview.html",
        **_frame(request, principal, chosen, clamped),
        key_figures=key_figures,
        notes=notes,
        countries=sorted(countries, key=lambda c: labels.country_name(c, lang)),
        scale=scale,
        scale_svg=Markup(scale.svg) if scale else None,  # drawn by vl-convert from our spec
        scale_error=scale_error,
        period=asked_period,
        order=sort.value,
        orders=[o.value for o in ScaleOrder],
        ready=ready,
        ready_notes=ready_notes,
    )


# -- a country --------------------------------------------------------------------------------


@router.get("/countries/{code}", response_class=HTMLResponse)
def country(
    request: Request,
    code: str,
    principal: User,
    profile: Annotated[str | None, Query()] = None,
) -> Response:
    chosen, clamped = choose_profile(principal, profile)
    clean = _country(code)
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
        **_frame(request, principal, chosen, clamped),
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
        _notes(reasons.notes_in(lang), lang),
    )


def _titled(title: str, answer: Any, filters: Filters, lang: Language) -> str:
    """A table's caption: its title (a catalog text), its years and its filters."""
    years = labels.years_text(list(answer.years))
    return caption(", ".join((_(title, lang), years)), filters, lang)


def _notes(notes: Iterable[str], lang: Language) -> tuple[str, ...]:
    """The notes of an answer as a reader reads them: codes in words."""
    return tuple(readable(note, lang) for note in notes)


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
    clean = _country(code)
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


# -- figures ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FigureQuery:
    """What the figures page is asked: a subject, and the filters as typed (trimmed)."""

    subject: str
    years: str | None
    kind: str | None
    country: str | None


def _typed(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def figure_query(
    subject: Annotated[str, Query(max_length=20)] = "requests",
    years: Annotated[str | None, Query(max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=4)] = None,
    country: Annotated[str | None, Query(max_length=8)] = None,
) -> FigureQuery:
    """The query of /figures and /figures/csv (an unknown subject means requests)."""
    chosen_kind, code = _typed(kind), _typed(country)
    return FigureQuery(
        subject if subject in SUBJECTS else "requests",
        _typed(years),
        chosen_kind.upper() if chosen_kind else None,
        code.upper() if code else None,
    )


Asked = Annotated[FigureQuery, Depends(figure_query)]


@router.get("/figures", response_class=HTMLResponse)
def figures_page(
    request: Request,
    principal: User,
    asked: Asked,
    profile: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    chosen, clamped = choose_profile(principal, profile)
    lang = language(request)
    v = views(request)
    subject, chosen_years, chosen_kind, code = (
        asked.subject, asked.years, asked.kind, asked.country,
    )  # fmt: skip
    error = None
    tables: list[TableView] = []
    notes: list[str] = []
    try:
        answer, only = _figures_answer(v, chosen, asked)
        filters = _filters(chosen, asked)
        tables, notes = v.cached(
            "figures-tables",
            (subject, chosen, chosen_years, answer.by, chosen_kind, only, lang),
            lambda: (
                [
                    table_view(t, lang, only=only, title=caption(t.title.text(lang), filters, lang))
                    for t in answer.tables
                ],
                list(_notes(answer.notes_in(lang), lang)),
            ),
        )
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        error = error_text(exc, lang)
    values = {
        **_frame(request, principal, chosen, clamped),
        "subject": subject,
        "subjects": SUBJECTS,
        "years": chosen_years or "",
        "kind": chosen_kind or "",
        "country": code or "",
        "countries": sorted(v.countries(chosen), key=lambda c: labels.country_name(c, lang))
        if not v.version().empty
        else [],
        "tables": tables,
        "notes": notes,
        "error": error,
        "can_export": principal.can(Permission.EXPORT_WORKBOOK),
    }
    template = "_figures_results.html" if is_htmx(request) else "figures.html"
    return render(request, template, status=400 if error else 200, **values)


def _filters(profile: Profile, asked: FigureQuery) -> Filters:
    """The filters of a figures question, as its tables' captions name them."""
    requests = asked.subject in ("requests", "reasons")
    return Filters(
        profile,
        country=asked.country,
        country_dim=BREAKDOWN[asked.subject][2],
        kind=asked.kind if requests else None,
        outcome=REFUSALS if asked.subject == "reasons" else None,
        requests=requests,
    )


def _figures_answer(
    v: Views, profile: Profile, asked: FigureQuery
) -> tuple[Figures, tuple[str, str] | None]:
    """The figures asked for under ``profile``, and the (dimension, code) that narrows them
    to one country when a country is asked for."""
    subject, years, kind, code = asked.subject, asked.years, asked.kind, asked.country
    if code is not None and code not in country_codes():
        raise UsageError(f"Unknown country code {code!r}.")
    default_by, country_by, country_dim = BREAKDOWN[subject]
    by = country_by if code else default_by
    if subject in ("requests", "reasons"):
        outcome = REFUSALS if subject == "reasons" else None
        answer = v.request_figures(profile, years=years, by=by, kind=kind, outcome=outcome)
    elif subject == "detentions":
        answer = v.detention_figures(profile, years=years, by=by)
    else:
        answer = v.departure_figures(profile, years=years, by=by)
    return answer, ((country_dim, code) if code else None)


@router.get("/figures/csv")
def figures_csv(
    request: Request,
    principal: User,
    asked: Asked,
    profile: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The figures on the page as CSV, under the same profile; recorded in the audit log."""
    chosen, _ = choose_profile(principal, profile)
    subject, code = asked.subject, asked.country
    try:
        answer, only = _figures_answer(views(request), chosen, asked)
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        message = error_text(exc, language(request))
        return Response(message, status_code=400, media_type="text/plain; charset=utf-8")
    span = labels.years_text(list(answer.years))
    exported = figures.export_figures(
        retour(request),
        answer,
        figures.ExportFormat.CSV,
        names=language(request),
        only=only,
        actor=audit.Actor(principal.name, Via.WEB, principal.role),
        asked=subject,
    )
    name = f"retour-{subject}-{span}{'-' + code if code else ''}-{chosen.value}.csv"
    return Response(
        exported,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/figures/workbook")
def press_workbook(
    request: Request,
    principal: User,
    years: Annotated[str | None, Query(max_length=20)] = None,
    profile: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    chosen, _ = choose_profile(principal, profile)
    lang = language(request)
    app = retour(request)
    chosen_years = years.strip() if years and years.strip() else None
    with tempfile.TemporaryDirectory(prefix="retour-web-") as folder:
        out = Path(folder) / "press.xlsx"
        report = figures.press_workbook(
            app,
            out,
            years=chosen_years,
            profile=chosen,
            lang=lang,
            actor=audit.Actor(principal.name, Via.WEB, principal.role),
        )
        data = out.read_bytes()
    span = labels.years_text(list(report.tables.years))
    name = f"retour-{'pers' if lang == 'nl' else 'press'}-{span}-{chosen.value}.xlsx"
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- cases ------------------------------------------------------------------------------------


@router.get("/cases", response_class=HTMLResponse)
def cases_lookup(request: Request, principal: User) -> Response:
    return render(request, "cases.html", error=None)


@router.post("/cases")
def cases_open(
    request: Request, principal: User, case_id: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Find a case by its case id or an alien number (V-nummer) and open it. The form is
    posted, and only a stored case id -- a pseudonym -- goes into the address it opens: what
    was typed never reaches a URL, the browser's history, a log line or the audit log."""
    lang = language(request)
    typed = case_id.strip()
    if not (ID_PATTERN.fullmatch(typed) or cases.looks_like_v_number(typed)):
        return render(
            request,
            "cases.html",
            status=400,
            error=_("This is not a case id or an alien number.", lang),
        )
    try:
        found = cases.find_case(retour(request), typed)
    except ConfigError:  # an alien number, and no secret to pseudonymise it with
        return render(
            request,
            "cases.html",
            status=503,
            error=_(
                "An alien number cannot be looked up: no secret is set for the pseudonyms. "
                "Ask the administrator.",
                lang,
            ),
        )
    if found is None:
        return render(
            request,
            "cases.html",
            status=404,
            error=_("No case found with this case id or alien number.", lang),
        )
    return RedirectResponse(f"/cases/{quote(found, safe='')}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case(
    request: Request,
    case_id: str,
    principal: User,
    on: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
) -> Response:
    """A case's five conditions and prospect (retour.service.cases), which records the
    view in the audit log. An unknown id answers 404 without repeating it."""
    if not ID_PATTERN.fullmatch(case_id):
        raise NotFound
    lang = language(request)
    try:
        view = cases.case_view(
            retour(request),
            case_id,
            on,
            actor=principal.name,
            via=Via.WEB,
            role=principal.role,
        )
    except NotFoundError:
        raise NotFound from None
    except UsageError as exc:
        error = error_text(exc, lang)
        return render(request, "case.html", status=400, case=None, error=error, on=on or "")
    # retour.reports.case escapes every text of its fragment
    fragment = Markup(case_report.case_html(view, lang))
    return render(request, "case.html", case=fragment, error=None, on=view.on.isoformat())


# -- instruments ------------------------------------------------------------------------------


def _instruments_page(
    request: Request,
    *,
    status: int = 200,
    message: str | None = None,
    violations: list[str] | None = None,
    error: str | None = None,
    form: instruments.InstrumentForm | None = None,
) -> Response:
    app = retour(request)
    listed = instruments.list_instruments(app)
    values = {
        "instruments": listed,
        "message": message,
        "violations": violations or [],
        "error": error,
        "form": form or instruments.InstrumentForm("", "", "", "", "", ""),
        "as_of": instruments.as_of(app).isoformat(),
        "kinds": [k.value for k in instruments.InstrumentKind],
        "levels": [k.value for k in instruments.InstrumentLevel],
        "statuses": [k.value for k in instruments.InstrumentStatus],
        "countries": sorted(country_codes()),
        "text_limit": app.settings.import_max_text_chars,
    }
    template = "_instruments.html" if is_htmx(request) else "instruments.html"
    return render(request, template, status=status, **values)


@router.get("/instruments", response_class=HTMLResponse)
def instruments_page(request: Request, principal: User) -> Response:
    return _instruments_page(request)


@router.post("/instruments", response_class=HTMLResponse)
def instrument_add(
    request: Request,
    principal: User,
    country: Annotated[str, Form(max_length=8)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    level: Annotated[str, Form(max_length=40)] = "",
    status: Annotated[str, Form(max_length=40)] = "",
    start_on: Annotated[str, Form(max_length=20)] = "",
    end_on: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=2000)] = "",
    source: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = instruments.InstrumentForm(
        country, kind, level, status, start_on, title, end_on=end_on, source=source
    )
    lang = language(request)
    try:
        change = instruments.add_instrument(
            retour(request), form, actor=principal.name, role=principal.role
        )
    except InvalidDatasetError as exc:
        return _instruments_page(request, status=400, violations=_violations(exc), form=form)
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        return _instruments_page(request, status=400, error=error_text(exc, lang), form=form)
    views(request).changed()
    return _instruments_page(
        request, message=_("Instrument {id} added.", lang, id=change.instrument.instrument_id)
    )


@router.post("/instruments/{instrument_id}/end", response_class=HTMLResponse)
def instrument_end(
    request: Request,
    instrument_id: str,
    principal: User,
    end_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    if not ID_PATTERN.fullmatch(instrument_id):
        raise NotFound
    lang = language(request)
    try:
        instruments.end_instrument(
            retour(request), instrument_id, end_on, actor=principal.name, role=principal.role
        )
    except InvalidDatasetError as exc:
        return _instruments_page(request, status=400, violations=_violations(exc))
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        return _instruments_page(request, status=400, error=error_text(exc, lang))
    views(request).changed()
    return _instruments_page(request, message=_("Instrument {id} ended.", lang, id=instrument_id))


def _violations(exc: InvalidDatasetError) -> list[str]:
    return [
        f"{v.column or ''}: {v.message}" + (f" ({v.value})" if v.value else "")
        for v in exc.violations
    ]


# -- import -----------------------------------------------------------------------------------

#: What the import form takes: the dataset (a container, or a source system's export) and
#: a mapping file (docs/mapping.md).
MAPPING_SUFFIXES: Final = (".toml",)
MIB: Final = 1024 * 1024
#: Imports listed on the import page (the rest: `retour imports`).
HISTORY_SHOWN: Final = 10


def _safe_name(name: str | None, suffixes: tuple[str, ...]) -> str | None:
    if not name:
        return None
    base = re.split(r"[\\/]", name)[-1]
    clean = re.sub(r"[^A-Za-z0-9._-]", "_", base)[-100:].lstrip(".")
    return clean if clean.lower().endswith(suffixes) else None


def safe_file_name(name: str | None) -> str | None:
    """The uploaded file's name reduced to letters, digits, '.', '_' and '-', with the
    suffix of a container retour reads (or of a source system's CSV export); None when it
    has none."""
    return _safe_name(name, UPLOAD_SUFFIXES)


def _words(lang: Language) -> dict[str, str]:
    """The import page's own words (the catalog's)."""
    return {
        "mapping_file": _("Mapping (optional): a .toml file that says how a source system's "
                          "export is read", lang),
        "saved": _("or a saved mapping", lang),
        "no_mapping": _("none: the file is in the exchange format", lang),
        "save_as": _("Save the uploaded mapping under the name (optional)", lang),
        "mappings": _("Saved mappings", lang),
        "no_mappings": _("No mapping is saved yet.", lang),
        "name": _("name", lang),
        "sha256": _("SHA-256", lang),
        "saved_by": _("saved by", lang),
        "saved_at": _("saved at (UTC)", lang),
        "download": _("Download", lang),
        "delete": _("Delete", lang),
        "history": _("Latest imports", lang),
        "no_history": _("No imports yet.", lang),
        "when": _("when (UTC)", lang),
        "by": _("by", lang),
        "source": _("source", lang),
        "extracted_on": _("extraction date", lang),
        "rows": _("rows", lang),
        "mapping": _("mapping", lang),
        "none": _("none", lang),
        "draft_intro": _("This file is not in the exchange format. Here is a first mapping for "
                         "it, as `retour mapping draft` writes it: check the lines marked "
                         "CHECK, fill in those marked TODO, save it under a name, and upload "
                         "the file again with it.", lang),
        "draft_text": _("Mapping", lang),
        "save_mapping": _("Save mapping", lang),
        "to_fill": _("To fill in (TODO)", lang),
        "to_check": _("To check (CHECK)", lang),
        "saved_used": _("Read through the mapping saved as", lang),
        "file_hint": _("A source system's own export (a .zip of CSV files, an .xlsx workbook or "
                       "one .csv file) is read through a mapping: choose a saved one or "
                       "upload it; without one, the page drafts one for you.", lang),
    }  # fmt: skip


def _history(app: Any, lang: Language) -> list[dict[str, str]]:
    """The last imports, as `retour imports` lists them."""
    shown = []
    for entry in imports.list_imports(app, limit=HISTORY_SHOWN):
        held = [(t.value, entry.rows(t)) for t in Table if entry.rows(t)]
        shown.append(
            {
                "id": str(entry.id),
                "when": entry.imported_at.strftime("%Y-%m-%d %H:%M"),
                "by": entry.by or "",
                "source": entry.source or entry.container,
                "extracted_on": entry.extracted_on.isoformat(),
                "rows": ", ".join(f"{name} {count(n, lang)}" for name, n in held),
                "mapping": entry.mapping_sha256 or "",
            }
        )
    return shown


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, principal: User) -> Response:
    return _import_page(request, name="")


def _spool(request: Request) -> uploads.UploadSpool:
    spool: uploads.UploadSpool = request.app.state.uploads
    return spool


def _upload_limit(request: Request) -> int:
    """The largest upload taken, in bytes: the setting, within MAX_UPLOAD."""
    return min(MAX_UPLOAD, retour(request).settings.upload_limit_mb * MIB)


@router.post("/import", response_class=HTMLResponse)
async def import_upload(request: Request, principal: User) -> Response:
    """Take an upload as a stream (retour.web.uploads): the role is checked by the guard, the
    length before the body is read, the CSRF token before a byte of a file is written;
    the files go into a private folder that is removed when the request ends."""
    header_token = request.headers.get(CSRF_HEADER) is not None  # checked by the guard
    rules = uploads.FormRules(
        limit=_upload_limit(request),
        files={
            "dataset": safe_file_name,
            "mapping": partial(_safe_name, suffixes=MAPPING_SUFFIXES),
        },
        token_ok=lambda sent: header_token or csrf_ok(request, sent),
    )
    try:
        uploads.check_length(request, rules.limit)  # before a folder is even made
        with _spool(request).folder() as folder:
            received = await uploads.receive(request, folder, rules)
            return await run_in_threadpool(_import_received, request, principal, received)
    except uploads.CsrfMissing:
        raise CsrfRefused from None
    except uploads.UploadRefused as exc:
        await run_in_threadpool(_import_refused, request, principal, exc.reason)
        error = _refusal_text(exc, request)
        return _import_page(request, name=exc.name, status=exc.status, error=error)


def _refusal_text(exc: uploads.UploadRefused, request: Request) -> str:
    lang = language(request)
    if exc.reason == "too_large":
        limit = _upload_limit(request) // MIB
        return _("The upload is larger than the limit of {limit} MiB; nothing was written.",
                 lang, limit=count(max(limit, 1), lang))  # fmt: skip
    if exc.reason == "file_name":
        return _("Choose a .zip, .xlsx or .csv file as the dataset, and a .toml file as the "
                 "mapping.", lang)  # fmt: skip
    return _("The form could not be read; nothing was written. Reload the page and try again.",
             lang)  # fmt: skip


class _MappingChoiceError(UsageError):
    """A mapping the import form cannot take as given (`reason`; said by _import_error)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the import form's mapping: {reason}")
        self.reason = reason


def _chosen_mapping(
    request: Request, principal: Principal, received: uploads.Received, folder: Path
) -> tuple[Path | None, str | None]:
    """The mapping file to import through (uploaded, or saved and written into the request's
    folder) and the name it was saved under, if any. UsageError when both are given."""
    app = retour(request)
    uploaded = received.files.get("mapping")
    saved = received.fields.get("saved", "").strip()
    save_as = received.fields.get("save_as", "").strip()
    if uploaded is not None and saved:
        raise _MappingChoiceError("both")
    if saved:
        chosen = mappings.get_mapping(app, saved)
        path = folder / f"{chosen.name}.toml"
        path.write_text(chosen.text, encoding="utf-8")
        return path, chosen.name
    if uploaded is None:
        return None, None
    if save_as:
        try:
            text = uploaded.path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _MappingChoiceError("not_utf8") from None
        actor = audit.Actor(principal.name, Via.WEB, principal.role)
        mappings.save_mapping(app, save_as, text, actor=actor)
        return uploaded.path, mappings.check_name(save_as)
    return uploaded.path, None


def _import_received(
    request: Request, principal: Principal, received: uploads.Received
) -> Response:
    """Import what the form held, through its mapping when it gave one."""
    app = retour(request)
    lang = language(request)
    dataset = received.files.get("dataset")
    shown = partial(_import_page, request, name=dataset.given if dataset else "")
    if dataset is None:
        _import_refused(request, principal, "file_name")
        return shown(status=400, error=_("Choose a .zip or .xlsx file.", lang))
    try:
        mapping, saved = _chosen_mapping(request, principal, received, dataset.path.parent.parent)
    except InvalidDatasetError as exc:  # the mapping to save does not read: nothing saved
        _import_refused(request, principal, "bad_mapping")
        return shown(status=400, refused=_refused(exc))
    except RetourError as exc:
        _import_refused(request, principal, type(exc).__name__)
        return shown(status=exc.http_status, error=_import_error(exc, lang))
    try:
        report = datasets.import_dataset(
            app, dataset.path, actor=principal.name, via=Via.WEB, role=principal.role,
            mapping=mapping,
        )  # fmt: skip
    except InvalidDatasetError as exc:  # retour.service.datasets recorded the refusal
        wanted = mapping is None and mappings.wants_mapping(exc)
        return shown(
            status=400, refused=_refused(exc), draft=_draft(dataset.path) if wanted else None
        )
    except RetourError as exc:  # not a dataset retour can read: recorded here
        _import_refused(request, principal, type(exc).__name__)
        draft = (
            _draft(dataset.path)
            if mapping is None and dataset.name.lower().endswith(".csv")
            else None
        )
        return shown(
            status=exc.http_status, error=_unreadable(exc, dataset.path, lang), draft=draft
        )
    views(request).changed()
    views(request).warm_up_in_background()  # the next visitor finds the new data computed
    return shown(report=_imported(report, saved))


def _refused(exc: InvalidDatasetError) -> dict[str, Any]:
    return {
        "count": len(exc.violations),
        "violations": exc.violations[:MAX_VIOLATIONS],
        "more": max(0, len(exc.violations) - MAX_VIOLATIONS),
    }


def _imported(report: datasets.ImportReport, saved: str | None) -> dict[str, Any]:
    result = report.result  # recorded in the audit log by retour.service.datasets
    rows = [
        (t.value, c.inserted, c.replaced, c.unchanged, c.kept_newer)
        for t, c in result.tables.items()
    ]
    return {
        "rows": rows,
        "notices": list(report.notices),
        "simulated": report.meta.simulated,
        "saved": saved,
    }


def _draft(path: Path) -> dict[str, Any] | None:
    """What `retour mapping draft` writes for the file, with its summary; None when the
    file cannot be read even as a source."""
    try:
        drafted = datasets.draft_mapping(path)
    except RetourError:
        return None
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", path.stem).strip("-.")[:64] or "mapping"
    return {
        "text": drafted.text,
        "name": stem,
        "feeds": [(t.value, source) for t, source in drafted.feeds.items()],
        "matched": drafted.matched,
        "todo": [*drafted.missing, *drafted.unknown],
        "check": list(drafted.unsure),
    }


def _import_page(
    request: Request,
    *,
    name: str,
    status: int = 200,
    report: dict[str, Any] | None = None,
    refused: dict[str, Any] | None = None,
    error: str | None = None,
    draft: dict[str, Any] | None = None,
    message: str | None = None,
) -> Response:
    """The import page with the outcome of an upload (imported, refused, an error, a draft),
    the saved mappings and the last imports."""
    app = retour(request)
    lang = language(request)
    return render(
        request,
        "import.html",
        status=status,
        report=report,
        refused=refused,
        error=error,
        name=name,
        draft=draft,
        message=message,
        words=_words(lang),
        saved_mappings=mappings.list_mappings(app),
        history=_history(app, lang),
    )


def _import_error(exc: RetourError, lang: Language) -> str:
    """A refusal of the import form's mapping choice, in words."""
    if isinstance(exc, NotFoundError):
        return _("No mapping is saved under that name.", lang)
    if isinstance(exc, mappings.BadMappingNameError):
        return _("A mapping's name is 1 to 64 letters, digits, '.', '_' or '-'.", lang)
    if isinstance(exc, _MappingChoiceError) and exc.reason == "not_utf8":
        return _("The mapping is not UTF-8 text; save it as UTF-8.", lang)
    if isinstance(exc, _MappingChoiceError):
        return _("Give either a mapping file or a saved mapping, not both.", lang)
    return error_text(exc, lang)


def _unreadable(exc: RetourError, path: Path, lang: Language) -> str:
    """Why an upload could not be read, in words, without the server's folders: the file
    is named by its own (safe) name."""
    said = error_text(exc, lang)
    folder = str(path.parent.parent)
    detail = re.sub(re.escape(folder) + r"[^\s:'\"]*", lambda m: Path(m.group(0)).name, said)
    if isinstance(exc, datasets.ImportRefusedError):
        return detail  # a known refusal (such as mixing simulated and real data), in words
    return " ".join((_("The file could not be read; nothing was written.", lang), f"({detail})"))


def _import_refused(request: Request, principal: Principal, reason: str) -> None:
    """An upload refused before it was read as a dataset, in the audit log (the service
    records the refusals of datasets it read); the file's name is not kept."""
    audit.record(
        retour(request),
        AuditAction.IMPORT_REFUSED,
        actor=principal.name,
        role=principal.role,
        via=Via.WEB,
        detail={"reason": reason},
    )


# -- saved mappings ---------------------------------------------------------------------------


@router.post("/import/mappings", response_class=HTMLResponse)
def mapping_save(
    request: Request,
    principal: User,
    name: Annotated[str, Form(max_length=200)] = "",
    mapping: Annotated[str, Form(max_length=mappings.MAX_MAPPING_BYTES)] = "",
) -> Response:
    """Save a mapping (a draft as corrected on the page) under a name; audited."""
    lang = language(request)
    actor = audit.Actor(principal.name, Via.WEB, principal.role)
    draft: dict[str, Any] = {"text": mapping, "name": name.strip(), "matched": None}
    draft |= {"feeds": [], "todo": [], "check": []}
    try:
        replaced = mappings.save_mapping(retour(request), name, mapping, actor=actor)[1]
    except InvalidDatasetError as exc:  # the mapping does not read: nothing saved
        return _import_page(request, name="", status=400, refused=_refused(exc), draft=draft)
    except RetourError as exc:
        error = _import_error(exc, lang)
        return _import_page(request, name="", status=exc.http_status, error=error, draft=draft)
    said = (
        _("Mapping {name} replaced.", lang, name=name.strip())
        if replaced
        else _(
            "Mapping {name} saved: choose it below with the file to import.",
            lang,
            name=name.strip(),
        )
    )
    return _import_page(request, name="", message=said)


def _mapping_name(name: str) -> str:
    if not mappings.NAME.fullmatch(name):
        raise NotFound
    return name


@router.get("/import/mappings/{name}")
def mapping_download(request: Request, name: str, principal: User) -> Response:
    """A saved mapping's text, as a .toml file to edit or to use with `retour import`."""
    try:
        saved = mappings.get_mapping(retour(request), _mapping_name(name))
    except NotFoundError:
        raise NotFound from None
    return Response(
        saved.text,
        media_type="application/toml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{saved.name}.toml"'},
    )


@router.post("/import/mappings/{name}/delete", response_class=HTMLResponse)
def mapping_delete(request: Request, name: str, principal: User) -> Response:
    """Remove a saved mapping (imports made through it keep their copy); audited."""
    actor = audit.Actor(principal.name, Via.WEB, principal.role)
    try:
        mappings.delete_mapping(retour(request), _mapping_name(name), actor=actor)
    except NotFoundError:
        raise NotFound from None
    said = _("Mapping {name} deleted.", language(request), name=name)
    return _import_page(request, name="", message=said)


# -- audit ------------------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    principal: User,
    before: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    app = retour(request)
    chosen = None
    if action:
        try:
            chosen = AuditAction(action)
        except ValueError:
            chosen = None
    entries = audit.read_log(app, limit=AUDIT_PAGE, before_id=before, action=chosen)
    audit.record(
        app, AuditAction.VIEW_AUDIT, actor=principal.name, role=principal.role, via=Via.WEB
    )
    older = entries[-1].id if len(entries) == AUDIT_PAGE else None
    return render(
        request,
        "audit.html",
        entries=entries,
        older=older,
        action=chosen.value if chosen else "",
        actions=[a.value for a in AuditAction],
    )

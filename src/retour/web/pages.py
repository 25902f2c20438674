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

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from retour.disclosure import Language, Profile
from retour.domain.countries import country_codes
from retour.domain.errors import ConfigError, NotFoundError, RetourError, UsageError
from retour.reports import case as case_report
from retour.reports import labels
from retour.reports.charts import ScaleOrder
from retour.service import audit, cases, cooperation, datasets, figures, instruments
from retour.service.audit import AuditAction, Via
from retour.service.figures import Figures
from retour.service.instruments import InvalidDatasetError
from retour.web.i18n import error_text, readable, text
from retour.web.permissions import Permission
from retour.web.render import is_htmx, language, render
from retour.web.security import Forbidden, Principal, guard, retour
from retour.web.views import Filters, TableView, Views, caption, country_words, table_view

router = APIRouter()

#: The largest dataset accepted through the web (bytes).
MAX_UPLOAD: Final = 2 * 1024**3
#: Violations listed on the import page (then a count), as on the command line.
MAX_VIOLATIONS: Final = 200
UPLOAD_SUFFIXES: Final = (".zip", ".xlsx")
#: The message of retour.service.cases for an id it does not know.
#: What a case id, an instrument id or a country code in a URL may look like.
ID_PATTERN: Final = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
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
        except RetourError as exc:
            scale_error = error_text(exc, lang)
        try:
            ready, ready_notes = v.ready_to_return(chosen, asked_period[:4], lang)
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
            title=_titled("country.per_year", per_year, filters, lang),
        ),
        table_view(
            reasons.tables[0],
            lang,
            only=only,
            title=_titled("country.reasons", reasons, filters, lang),
        ),
        _notes(reasons.notes_in(lang), lang),
    )


def _titled(key: str, answer: Any, filters: Filters, lang: Language) -> str:
    return caption(f"{text(key, lang)}, {labels.years_text(list(answer.years))}", filters, lang)


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
        return render(request, "cases.html", status=400, error=text("cases.not_an_id", lang))
    try:
        found = cases.find_case(retour(request), typed)
    except ConfigError:  # an alien number, and no secret to pseudonymise it with
        return render(request, "cases.html", status=503, error=text("cases.no_secret", lang))
    if found is None:
        return render(request, "cases.html", status=404, error=text("cases.not_found", lang))
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
    except RetourError as exc:
        return _instruments_page(request, status=400, error=error_text(exc, lang), form=form)
    views(request).changed()
    return _instruments_page(
        request, message=text("instruments.added", lang, id=change.instrument.instrument_id)
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
    except RetourError as exc:
        return _instruments_page(request, status=400, error=error_text(exc, lang))
    views(request).changed()
    return _instruments_page(request, message=text("instruments.ended", lang, id=instrument_id))


def _violations(exc: InvalidDatasetError) -> list[str]:
    return [
        f"{v.column or ''}: {v.message}" + (f" ({v.value})" if v.value else "")
        for v in exc.violations
    ]


# -- import -----------------------------------------------------------------------------------


def safe_file_name(name: str | None) -> str | None:
    """The uploaded file's name reduced to letters, digits, '.', '_' and '-', with the
    suffix of a container retour reads; None when it has none."""
    if not name:
        return None
    base = re.split(r"[\\/]", name)[-1]
    clean = re.sub(r"[^A-Za-z0-9._-]", "_", base)[-100:].lstrip(".")
    if not clean.lower().endswith(UPLOAD_SUFFIXES):
        return None
    return clean


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, principal: User) -> Response:
    return render(request, "import.html", report=None, refused=None, error=None, name=None)


@router.post("/import", response_class=HTMLResponse)
def import_upload(
    request: Request,
    principal: User,
    dataset: Annotated[UploadFile, File()],
) -> Response:
    app = retour(request)
    lang = language(request)
    shown = partial(_import_page, request, name=dataset.filename or "")
    stored_name = safe_file_name(dataset.filename)
    if stored_name is None:
        _import_refused(request, principal, "file_name")
        return shown(status=400, error=text("import.bad_name", lang))
    if dataset.size is not None and dataset.size > MAX_UPLOAD:
        _import_refused(request, principal, "too_large")
        return shown(status=413, error=text("import.too_big", lang))
    with tempfile.TemporaryDirectory(prefix="retour-upload-") as folder:
        path = Path(folder) / stored_name
        with path.open("wb") as out:
            while chunk := dataset.file.read(1024 * 1024):
                out.write(chunk)
        try:
            report = datasets.import_dataset(
                app, path, actor=principal.name, via=Via.WEB, role=principal.role
            )
        except InvalidDatasetError as exc:  # retour.service.datasets recorded the refusal
            refused = {
                "count": len(exc.violations),
                "violations": exc.violations[:MAX_VIOLATIONS],
                "more": max(0, len(exc.violations) - MAX_VIOLATIONS),
            }
            return shown(status=400, refused=refused)
        except RetourError as exc:  # not a dataset retour can read: recorded here
            _import_refused(request, principal, type(exc).__name__)
            return shown(status=exc.http_status, error=_unreadable(exc, path, lang))
    result = report.result  # recorded in the audit log by retour.service.datasets
    views(request).changed()
    views(request).warm_up_in_background()  # the next visitor finds the new data computed
    rows = [
        (t.value, c.inserted, c.replaced, c.unchanged, c.kept_newer)
        for t, c in result.tables.items()
    ]
    imported = {"rows": rows, "notices": list(report.notices), "simulated": report.meta.simulated}
    return shown(report=imported)


def _import_page(
    request: Request,
    *,
    name: str,
    status: int = 200,
    report: dict[str, Any] | None = None,
    refused: dict[str, Any] | None = None,
    error: str | None = None,
) -> Response:
    """The import page with the outcome of an upload: imported, refused, or an error."""
    return render(
        request,
        "import.html",
        status=status,
        report=report,
        refused=refused,
        error=error,
        name=name,
    )


def _unreadable(exc: RetourError, path: Path, lang: Language) -> str:
    """Why an upload could not be read, in words, without the server's temporary folder:
    the file is named by its own (safe) name."""
    said = error_text(exc, lang)
    if str(path.parent) not in said:
        return said  # a known refusal (such as mixing simulated and real data), in words
    detail = said.replace(str(path), path.name).replace(str(path.parent), "")
    return f"{text('import.unreadable', lang)} ({detail})"


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


# -- audit ------------------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    principal: User,
    before: Annotated[int | None, Query(ge=1)] = None,
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

"""The figures page, its CSV and the press workbook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from retour.disclosure import Profile
from retour.domain.countries import country_codes
from retour.domain.errors import SERVER_FAULTS, RetourError, UsageError
from retour.reports import labels
from retour.service import audit, figures
from retour.service.audit import Via
from retour.service.figures import Figures
from retour.web.i18n import error_text
from retour.web.permissions import Permission
from retour.web.render import is_htmx, language, render
from retour.web.routes.common import User, choose_profile, frame, readable_notes, views
from retour.web.security import retour
from retour.web.views import Filters, TableView, Views, caption, table_view

router = APIRouter()


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
                list(readable_notes(answer.notes_in(lang), lang)),
            ),
        )
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        error = error_text(exc, lang)
    values = {
        **frame(request, principal, chosen, clamped),
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
    report = figures.press_workbook(
        app,
        None,  # sent as the answer, never written to a file first
        years=chosen_years,
        profile=chosen,
        lang=lang,
        actor=audit.Actor(principal.name, Via.WEB, principal.role),
    )
    span = labels.years_text(list(report.tables.years))
    name = f"retour-{'pers' if lang == 'nl' else 'press'}-{span}-{chosen.value}.xlsx"
    return Response(
        report.data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

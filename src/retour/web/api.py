"""The JSON API under /api/: the same answers and permissions as the pages, for scripts.

Scripts authenticate with a bearer token (``retour token create NAME``); a browser's
session works too. A profile the role does not allow is refused (403), never silently
replaced. Every answer is a document of :mod:`retour.reports.models` made from published
values and rendered by :func:`retour.reports.tabular.json_text`; the service
(:func:`retour.service.publication.export_document`, :func:`retour.service.cases.case_view`)
records each answer that carries figures or case data in the audit log, once, ``via`` api.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from retour.disclosure import (
    DisclosureRules,
    Figures,
    FigureTable,
    Language,
    Profile,
    Published,
    accept,
)
from retour.domain.countries import country_codes
from retour.domain.errors import NotFoundError, UsageError
from retour.reports import case as case_report
from retour.reports import labels, models
from retour.reports.tabular import json_text
from retour.service import audit, cases, cooperation, publication, records
from retour.service.audit import AuditAction, Via
from retour.service.nationals import Nationals
from retour.web import i18n
from retour.web.routes.common import ID_PATTERN, MAX_ROW_ID
from retour.web.security import Forbidden, Principal, guard, retour
from retour.web.views import Views

router = APIRouter(prefix="/api")


def signed_in(principal: Annotated[Principal | None, Depends(guard)]) -> Principal:
    if principal is None:  # the guard refuses this before; kept for the type
        raise Forbidden
    return principal


User = Annotated[Principal, Depends(signed_in)]
Years = Annotated[str | None, Query(max_length=20, description="2021 or 2019-2023")]
By = Annotated[str | None, Query(max_length=80, description="comma-separated columns")]
ProfileQuery = Annotated[
    str | None, Query(max_length=20, description="internal, parliament, public")
]
Lang = Annotated[str, Query(max_length=2, description="nl or en")]


def views(request: Request) -> Views:
    found: Views = request.app.state.views
    return found


def api_profile(principal: Principal, asked: str | None) -> Profile:
    """The profile asked for, if the role allows it (default: the safest it allows)."""
    if not asked:
        return principal.profiles[0]
    wanted = Profile.parse(asked)
    if wanted not in principal.profiles:
        raise Forbidden("profile")
    return wanted


def _actor(principal: Principal) -> audit.Actor:
    return audit.Actor(principal.name, Via.API, principal.role)


def _export(
    request: Request,
    principal: Principal,
    document: BaseModel,
    *,
    rules: DisclosureRules | None,
    subject: str,
    detail: audit.Detail | None = None,
    published: Published | None = None,
    what: str | None = None,
) -> Response:
    """The document as the answer, recorded by the service as an API export (and as a
    release of what it was made from, ``published``, under parliament and public)."""
    text = publication.export_document(
        retour(request),
        document,
        _actor(principal),
        rules=rules,
        subject=subject,
        detail=detail,
        published=published,
        what=what,
    )
    return Response(text, media_type="application/json")


def _json(document: BaseModel) -> Response:
    """A document without figures (who is signed in, the audit log), not an export."""
    return Response(json_text(document), media_type="application/json")


@router.get("/me")
def me(principal: User) -> Response:
    return _json(
        models.Principal(
            name=principal.name,
            role=principal.role.value,
            profiles=[p.value for p in principal.profiles],
        )
    )


@router.get("/countries")
def countries(
    request: Request,
    principal: User,
    profile: ProfileQuery = None,
    period: Annotated[str | None, Query(max_length=10, description="2023 or 2023Q2")] = None,
    lang: Lang = "nl",
) -> Response:
    chosen = api_profile(principal, profile)
    language: Language = i18n.parse(lang)
    v = views(request)
    codes = v.countries(chosen)
    chosen_period = period.strip() if period and period.strip() else v.default_period()
    assessment = accept(v.assessment(chosen, chosen_period), "json")
    origin = v.version().provenance
    document = models.CountriesDocument(
        profile=chosen.value,
        extracted_on=origin.extracted_on,
        fingerprint=origin.fingerprint,
        simulated=origin.simulated,
        countries=models.country_names(codes, language),
        period=assessment.period.label,
        kind=assessment.kind,
        level=assessment.level,
        index=models.rows(assessment.published),
        notes=assessment.notes_in(language),
    )
    return _export(
        request,
        principal,
        document,
        rules=assessment.rules,
        published=assessment,
        subject="countries",
        detail={"period": assessment.period.label},  # as parsed, never the text as typed
    )


@router.get("/countries/{code}")
def country(
    request: Request,
    code: str,
    principal: User,
    profile: ProfileQuery = None,
    lang: Lang = "nl",
) -> Response:
    """What retour holds on a country, as its page and brief give it: with requests, its
    answers and index; without, its statuses, instruments, nationals and Eurostat's figures
    (no index). Unknown ("unknown country code 'XX'."), without data or confidential under
    the profile: 404 (the last two alike, but under ``internal``: "no data on ... yet.")."""
    chosen = api_profile(principal, profile)
    language: Language = i18n.parse(lang)
    try:
        clean = cooperation.known_country(code)
    except NotFoundError as unknown:
        raise HTTPException(404, i18n.error_text(unknown, language)) from None
    v = views(request)
    shown = v.shown_country(clean, chosen)
    if shown is None:  # confidential, or nothing held: the same answer for both
        raise HTTPException(404, "No figures for this country under this profile.")
    view = accept(shown, "json")
    per_year, reasons = _answers(v, clean, chosen) if view.has_requests else ((), ())
    origin = v.version().provenance
    judgements = v.assessments(clean) if chosen is Profile.INTERNAL else None
    only = ("country", clean)
    document = models.CountryDocument(
        code=clean,
        name=labels.country_name(clean, language),
        profile=chosen.value,
        extracted_on=origin.extracted_on,
        fingerprint=origin.fingerprint,
        simulated=origin.simulated,
        has_requests=view.has_requests,
        answers_per_year=[c for t in per_year for c in models.figure_cells(t, only=only)],
        answers_by_reason=[c for t in reasons for c in models.figure_cells(t, only=only)],
        statuses=models.frame_rows(view.terms.statuses) if view.terms else [],
        nationals=_nationals(view.nationals),
        instruments=models.instruments_document(v.instruments(clean)).instruments,
        assessments=None
        if judgements is None
        else [models.DeskJudgementDocument.model_validate(a) for a in judgements],
        context=v.context_json(clean, chosen, language),
        level=view.level,
        index=models.frame_rows(view.index),
        effects=models.frame_rows(view.effects),
        notes=view.notes_in(language),
    )
    shown_together = publication.Together(view.rules, (*per_year, *reasons, view))
    return _export(
        request, principal, document, rules=view.rules, subject=clean, published=shown_together,
        what="api.country",
    )  # fmt: skip


def _answers(
    v: Views, code: str, profile: Profile
) -> tuple[tuple[FigureTable], tuple[FigureTable]]:
    """A country's answers per year and by reason (the tables; their cells of ``code``)."""
    per_year = v.request_figures(profile, by="country,year,outcome").tables[0]
    reasons = v.request_figures(profile, by="country,reason,outcome").tables[0]
    return (per_year,), (reasons,)


def _nationals(held: Nationals | None) -> models.NationalsDocument | None:
    if held is None:
        return None
    departures = (
        [] if held.departures is None else models.table_cells("departures", held.departures)
    )
    return models.NationalsDocument(
        cases=models.table_cells("cases", held.cases), departures=departures
    )


def _figures(
    request: Request, principal: User, answer: Figures, subject: str, lang: Language
) -> Response:
    return _export(
        request,
        principal,
        models.figures_document(answer, lang),
        rules=answer.rules,
        published=answer,
        subject=subject,
        detail={"years": labels.years_text(list(answer.years)), "by": ",".join(answer.by)},
    )


@router.get("/figures/requests")
def figure_requests(
    request: Request,
    principal: User,
    years: Years = None,
    by: By = None,
    kind: Annotated[str | None, Query(max_length=8)] = None,
    cohort: Annotated[str, Query(max_length=20)] = "submitted",
    outcome: Annotated[
        str | None, Query(max_length=60, description="e.g. negative,withdrawn")
    ] = None,
    profile: ProfileQuery = None,
    lang: Lang = "nl",
) -> Response:
    chosen = api_profile(principal, profile)
    answer = views(request).request_figures(
        chosen, years=years, by=by, kind=kind, cohort=cohort, outcome=outcome
    )
    return _figures(request, principal, answer, "requests", i18n.parse(lang))


@router.get("/figures/detentions")
def figure_detentions(
    request: Request,
    principal: User,
    years: Years = None,
    by: By = None,
    profile: ProfileQuery = None,
    lang: Lang = "nl",
) -> Response:
    chosen = api_profile(principal, profile)
    answer = views(request).detention_figures(chosen, years=years, by=by)
    return _figures(request, principal, answer, "detentions", i18n.parse(lang))


@router.get("/figures/departures")
def figure_departures(
    request: Request,
    principal: User,
    years: Years = None,
    by: By = None,
    profile: ProfileQuery = None,
    lang: Lang = "nl",
) -> Response:
    chosen = api_profile(principal, profile)
    answer = views(request).departure_figures(chosen, years=years, by=by)
    return _figures(request, principal, answer, "departures", i18n.parse(lang))


@router.get("/instruments")
def instruments(
    request: Request, principal: User, country: Annotated[str | None, Query(max_length=8)] = None
) -> Response:
    clean = country.strip().upper() if country else None
    if clean is not None and clean not in country_codes():
        raise UsageError(f"Unknown country code {country!r}.")
    listed = views(request).instruments(clean)
    document = models.instruments_document(listed)
    return _export(request, principal, document, rules=None, subject="instruments")


@router.get("/cases/{case_id}")
def case(
    request: Request,
    case_id: str,
    principal: User,
    on: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
) -> Response:
    """A case's five conditions and prospect; retour.service.cases records the view. The
    case's stored row comes along as ``row``, its ETag in the header (docs/recording.md)."""
    if not ID_PATTERN.fullmatch(case_id):
        raise HTTPException(404, "No such case.")
    try:
        view = cases.case_view(
            retour(request), case_id, on, actor=principal.name, via=Via.API, role=principal.role
        )
        stored = records.read_row(retour(request), records.RecordTable.CASES, case_id)
    except NotFoundError:
        raise HTTPException(404, "No such case.") from None
    document = case_report.case_document(view).model_copy(update={"row": stored.values})
    return Response(
        json_text(document), media_type="application/json", headers={"ETag": stored.etag}
    )


@router.get("/audit")
def audit_log(
    request: Request,
    principal: User,
    before: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    context = retour(request)
    entries = audit.read_log(context, limit=limit, before_id=before)
    audit.record_by(context, _actor(principal), AuditAction.VIEW_AUDIT)
    return _json(models.audit_document(entries))

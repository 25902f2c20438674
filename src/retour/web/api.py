"""The JSON API under /api/: the same answers and permissions as the pages, for scripts.

Scripts authenticate with a bearer token (``retour token create NAME``); a browser's
session works too. A profile the role does not allow is refused (403), never silently
replaced. Every answer that carries figures or case data is recorded in the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from retour.disclosure import Language, Profile
from retour.domain.countries import country_codes
from retour.domain.errors import NotFoundError, UsageError
from retour.reports import case as case_report
from retour.reports import labels
from retour.service import audit, cases
from retour.service.audit import AuditAction, Via
from retour.service.figures import Figures
from retour.web import i18n
from retour.web.pages import ID_PATTERN
from retour.web.security import Forbidden, Principal, guard, retour
from retour.web.views import Views, cells_json, instrument_json

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


def _record(
    request: Request,
    principal: Principal,
    *,
    profile: Profile | None,
    subject: str,
    detail: dict[str, str | int | None] | None = None,
    action: AuditAction = AuditAction.EXPORT_API,
) -> None:
    audit.record(
        retour(request),
        action,
        actor=principal.name,
        role=principal.role,
        via=Via.API,
        profile=profile.value if profile else None,
        subject=subject,
        detail=detail,
    )


def _provenance(request: Request) -> dict[str, object]:
    p = views(request).version().provenance
    return {
        "extracted_on": p.extracted_on.isoformat() if p.extracted_on else None,
        "fingerprint": p.fingerprint,
        "simulated": p.simulated,
    }


@router.get("/me")
def me(principal: User) -> dict[str, object]:
    return {
        "name": principal.name,
        "role": principal.role.value,
        "profiles": [p.value for p in principal.profiles],
    }


@router.get("/countries")
def countries(
    request: Request,
    principal: User,
    profile: ProfileQuery = None,
    period: Annotated[str | None, Query(max_length=10, description="2023 or 2023Q2")] = None,
    lang: Lang = "nl",
) -> dict[str, object]:
    chosen = api_profile(principal, profile)
    language: Language = i18n.parse(lang)
    v = views(request)
    codes = v.countries(chosen)
    chosen_period = period.strip() if period and period.strip() else v.default_period()
    assessment = v.assessment(chosen, chosen_period)
    _record(
        request, principal, profile=chosen, subject="countries", detail={"period": chosen_period}
    )
    return {
        "profile": chosen.value,
        **_provenance(request),
        "countries": [{"code": c, "name": labels.country_name(c, language)} for c in codes],
        "period": assessment.period.label,
        "kind": assessment.kind,
        "level": assessment.level,
        "index": _rows(assessment.table),
        "notes": assessment.notes_in(language),
    }


@router.get("/countries/{code}")
def country(
    request: Request,
    code: str,
    principal: User,
    profile: ProfileQuery = None,
    lang: Lang = "nl",
) -> dict[str, object]:
    chosen = api_profile(principal, profile)
    language: Language = i18n.parse(lang)
    clean = code.strip().upper()
    v = views(request)
    if clean not in country_codes() or clean not in v.countries(chosen):
        raise HTTPException(404, "No figures for this country under this profile.")
    only = ("country", clean)
    per_year = v.request_figures(chosen, by="country,year,outcome").tables[0]
    reasons = v.request_figures(chosen, by="country,reason,outcome").tables[0]
    view = v.country_view(clean, chosen)
    _record(request, principal, profile=chosen, subject=clean)
    return {
        "code": clean,
        "name": labels.country_name(clean, language),
        "profile": chosen.value,
        **_provenance(request),
        "answers_per_year": cells_json(per_year, only),
        "answers_by_reason": cells_json(reasons, only),
        "instruments": [instrument_json(i) for i in v.instruments(clean)],
        "assessments": [
            {"assessed_on": a.assessed_on.isoformat(), "level": a.level, "note": a.note}
            for a in v.assessments(clean)
        ]
        if chosen is Profile.INTERNAL
        else None,
        "context": v.context_json(clean, chosen, language),
        "level": view.level,
        "index": _rows(view.index),
        "effects": _rows(view.effects),
        "notes": view.notes_in(language),
    }


def _rows(frame: Any) -> list[dict[str, Any]]:
    """A frame the service handed out (already through the profile), as JSON rows."""
    return [
        {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


def _figures(
    request: Request, principal: User, answer: Figures, subject: str, lang: Language
) -> dict[str, Any]:
    _record(
        request,
        principal,
        profile=answer.rules.profile,
        subject=subject,
        detail={"years": labels.years_text(list(answer.years)), "by": ",".join(answer.by)},
    )
    return answer.as_json(lang)


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
) -> dict[str, Any]:
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
) -> dict[str, Any]:
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
) -> dict[str, Any]:
    chosen = api_profile(principal, profile)
    answer = views(request).departure_figures(chosen, years=years, by=by)
    return _figures(request, principal, answer, "departures", i18n.parse(lang))


@router.get("/instruments")
def instruments(
    request: Request, principal: User, country: Annotated[str | None, Query(max_length=8)] = None
) -> dict[str, object]:
    clean = country.strip().upper() if country else None
    if clean is not None and clean not in country_codes():
        raise UsageError(f"Unknown country code {country!r}.")
    listed = views(request).instruments(clean)
    _record(request, principal, profile=Profile.INTERNAL, subject="instruments")
    return {"instruments": [instrument_json(i) for i in listed]}


@router.get("/cases/{case_id}")
def case(
    request: Request,
    case_id: str,
    principal: User,
    on: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
) -> dict[str, object]:
    """A case's five conditions and prospect; retour.service.cases records the view."""
    if not ID_PATTERN.fullmatch(case_id):
        raise HTTPException(404, "No such case.")
    try:
        view = cases.case_view(
            retour(request), case_id, on, actor=principal.name, via=Via.API, role=principal.role
        )
    except NotFoundError:
        raise HTTPException(404, "No such case.") from None
    return case_report.case_json(view)


@router.get("/audit")
def audit_log(
    request: Request,
    principal: User,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, object]:
    app = retour(request)
    entries = audit.read_log(app, limit=limit, before_id=before)
    audit.record(
        app, AuditAction.VIEW_AUDIT, actor=principal.name, role=principal.role, via=Via.API
    )
    return {
        "entries": [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "role": e.role,
                "action": e.action,
                "profile": e.profile,
                "subject": e.subject,
                "via": e.via,
                "detail": e.detail,
            }
            for e in entries
        ]
    }

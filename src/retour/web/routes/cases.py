"""The case pages: look a case up, see its five conditions and prospect."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from retour.domain.errors import ConfigError, NotFoundError, UsageError
from retour.reports import case as case_report
from retour.reports.messages import _
from retour.service import cases
from retour.service.audit import Via
from retour.web.i18n import error_text
from retour.web.render import language, render
from retour.web.routes.common import ID_PATTERN, NotFound, User
from retour.web.security import retour

router = APIRouter()

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

"""The case pages: look a case up, see its five conditions and prospect; record and correct
its requests and their answers, condition observations, detentions and departures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from retour.domain.codes import (
    Condition,
    ConditionState,
    Cooperates,
    DepartureType,
    DetentionEndReason,
    IdEvidence,
    Outcome,
    RequestKind,
    RequestReason,
)
from retour.domain.errors import ConfigError, NotFoundError, UsageError
from retour.domain.language import Language
from retour.reports import case as case_report
from retour.reports import labels
from retour.reports.messages import _
from retour.service import cases, records
from retour.service.audit import Actor, Via
from retour.service.records import RecordTable
from retour.web.i18n import error_text
from retour.web.permissions import Permission
from retour.web.render import language, render
from retour.web.routes.common import ID_PATTERN, NotFound, User
from retour.web.security import Principal, retour
from retour.web.views import Views

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
    return render(
        request,
        "case.html",
        case=fragment,
        error=None,
        on=view.on.isoformat(),
        **_recording(request, principal, view, recorded=request.query_params.get("saved") == "1"),
    )


# -- recording on the case page (retour.service.records: the import's rules, audited) ----------

#: The codes each form offers, in the exchange format's order.
CODES: Final = {
    "outcome": Outcome,
    "reason": RequestReason,
    "kind": RequestKind,
    "id_evidence": IdEvidence,
    "cooperates": Cooperates,
    "condition": Condition,
    "state": ConditionState,
    "end_reason": DetentionEndReason,
    "departure_type": DepartureType,
}


#: The words of the codes whose field has labels of its own on the case view.
_FIELD_WORDS: Final = {
    "condition": case_report.CONDITION_LABEL,
    "state": case_report.STATE_LABEL,
    "id_evidence": case_report.VALUE_LABEL,
    "cooperates": case_report.VALUE_LABEL,
}


def _choices(field: str, lang: Language) -> list[tuple[str, str]]:
    """The codes a form offers for ``field``, each with its words in the reader's language."""
    words = _FIELD_WORDS.get(field)
    return [
        (c.value, _(words[c.value], lang) if words else labels.code_label(c.value, lang))
        for c in CODES[field]
    ]


def _recording(
    request: Request,
    principal: Principal,
    view: case_report.CaseView,
    *,
    recorded: bool = False,
    violations: list[str] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """What the case page's recording forms need (nothing for a role that may not record)."""
    if not principal.can(Permission.RECORD_DATA):
        return {"can_record": False}
    app = retour(request)
    stored = [records.read_row(app, RecordTable.REQUESTS, r.request_id) for r in view.requests]
    return {
        "can_record": True,
        "case_id": view.case_id,
        "nationality": view.nationality,
        "opened_on": view.opened_on.isoformat(),
        "today": dt.date.today().isoformat(),
        "codes": {k: _choices(k, language(request)) for k in CODES},
        "record_requests": stored,
        "record_due": records.due_dates(app, stored),
        "recorded": recorded,
        "violations": violations or [],
        "record_error": error,
    }


@router.post("/cases/{case_id}/record")
async def case_record(request: Request, case_id: str, principal: User) -> Response:
    """Record a row of the case, or correct one (``row_id`` and its ``etag``), from a form
    of the case page; back to the page, with every violation when it is refused."""
    if not ID_PATTERN.fullmatch(case_id):
        raise NotFound
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        table = RecordTable(fields.get("table", ""))
    except ValueError:
        raise NotFound from None
    values: dict[str, object] = {c: fields[c] for c in table.spec.column_names if c in fields}
    if table is not RecordTable.CASES:
        values["case_id"] = case_id
    actor = Actor(principal.name, Via.WEB, principal.role)
    lang = language(request)
    try:
        await run_in_threadpool(_save, request, table, fields, values, actor)
    except records.RecordRefusedError as exc:
        return await _again(request, case_id, principal, violations=exc.lines())
    except (records.ChangedSinceError, records.AlreadyStoredError, NotFoundError) as exc:
        return await _again(request, case_id, principal, error=error_text(exc, lang))
    views: Views = request.app.state.views
    views.changed()  # the figures and pages follow at once
    return RedirectResponse(f"/cases/{quote(case_id, safe='')}?saved=1#record", status_code=303)


def _save(
    request: Request,
    table: RecordTable,
    fields: dict[str, str],
    values: dict[str, object],
    actor: Actor,
) -> None:
    app = retour(request)
    row_id = fields.get("row_id")
    if row_id:
        records.correct_row(app, table, row_id, values, fields.get("etag") or None, actor)
    else:
        records.record_row(app, table, values, actor)


async def _again(
    request: Request,
    case_id: str,
    principal: Principal,
    *,
    violations: list[str] | None = None,
    error: str | None = None,
) -> Response:
    """The case page again, with what was refused (422; 409 for a conflict)."""
    lang = language(request)
    view = await run_in_threadpool(
        cases.case_view, retour(request), case_id, None,
        actor=principal.name, via=Via.WEB, role=principal.role,
    )  # fmt: skip
    fragment = Markup(case_report.case_html(view, lang))
    status = 422 if violations else 409
    extra = _recording(request, principal, view, violations=violations, error=error)
    return render(
        request, "case.html", status=status, case=fragment, error=None,
        on=view.on.isoformat(), **extra,
    )  # fmt: skip

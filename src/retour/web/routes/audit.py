"""The audit log page."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from retour.service import audit
from retour.service.audit import AuditAction, Via
from retour.web.render import render
from retour.web.routes.common import MAX_ROW_ID, User
from retour.web.security import retour

router = APIRouter()

AUDIT_PAGE: Final = 100


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

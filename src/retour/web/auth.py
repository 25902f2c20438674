"""Signing in and out, and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from retour.reports.messages import _
from retour.service import accounts, audit
from retour.service.audit import AuditAction, Via
from retour.web import i18n, security
from retour.web.render import language, render
from retour.web.security import Principal, guard, retour

router = APIRouter()

MAX_NAME = 200


def local_path(value: str | None, default: str = "/") -> str:
    """A path on this site to go to next; anything else (another site, a scheme) -> default."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 32 for c in value):
        return default
    return value


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, principal: Annotated[Principal | None, Depends(guard)]
) -> Response:
    if principal is not None:
        return _redirect("/")
    fresh = security.ensure_presession(request)
    ended = request.query_params.get("ended") == "1"
    message = _("You have signed out.", language(request)) if ended else None
    page = render(request, "login.html", message=message, name="")
    security.set_presession(request, page, fresh)
    return page


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    principal: Annotated[Principal | None, Depends(guard)],
    name: Annotated[str, Form(max_length=MAX_NAME)] = "",
    password: Annotated[str, Form(max_length=accounts.MAX_PASSWORD_LENGTH)] = "",
) -> Response:
    app = retour(request)
    try:
        user = accounts.authenticate(app, name, password, via=Via.WEB)
    except accounts.LoginRefused as refused:
        lang = i18n.parse(request.cookies.get(security.LANG_COOKIE))
        if refused.locked_until is not None:
            error = _(
                "Too many failed attempts. Try again after {time} (UTC).",
                lang,
                time=refused.locked_until.strftime("%H:%M"),
            )
        else:
            error = _("Name or password wrong.", lang)
        return render(request, "login.html", status=401, error=error, message=None, name=name)
    token, _session = accounts.start_session(app, user)
    following = security.unsign(
        request, "next", request.cookies.get(security.NEXT_COOKIE), security.NEXT_SECONDS
    )
    response = _redirect(local_path(following))
    signed = security.sign(request, "session", token)
    security.set_cookie(
        request, response, security.SESSION_COOKIE, signed, security.session_seconds(request)
    )
    security.clear_cookie(request, response, security.NEXT_COOKIE)
    security.clear_cookie(request, response, security.PRESESSION_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, principal: Annotated[Principal | None, Depends(guard)]) -> Response:
    app = retour(request)
    if principal is not None and principal.session_token is not None:
        accounts.end_session(app, principal.session_token)
        security.sessions(request).forget(principal.session_token)
        audit.record(
            app, AuditAction.LOGOUT, actor=principal.name, role=principal.role, via=Via.WEB
        )
    response = _redirect("/login?ended=1")
    security.clear_cookie(request, response, security.SESSION_COOKIE)
    return response


@router.post("/lang")
def switch_language(
    request: Request,
    principal: Annotated[Principal | None, Depends(guard)],
    lang: Annotated[str, Form(max_length=8)] = "nl",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    response = _redirect(local_path(next))
    security.set_cookie(
        request, response, security.LANG_COOKIE, i18n.parse(lang), 365 * 24 * 60 * 60
    )
    return response


@router.get("/healthz")
def health(principal: Annotated[Principal | None, Depends(guard)]) -> dict[str, str]:
    return {"status": "ok"}

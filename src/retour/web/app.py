"""The FastAPI application: routes, the guard on every route, headers, errors, assets.

``create_app(retour)`` builds it over one :class:`~retour.service.context.Retour`; the
command ``retour serve`` runs it with Uvicorn. Every asset is served from the package
(no CDN): htmx, the stylesheet; charts are drawn on the server as SVG (vl-convert).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from retour.domain.errors import DatabaseBusy, DatabaseError, RetourError, StorageError
from retour.reports.messages import N_, _
from retour.service import audit
from retour.service.audit import AuditAction, Via
from retour.service.context import Retour
from retour.web import api, auth, i18n, permissions, records, security, uploads
from retour.web.render import language, render
from retour.web.routes import audit as audit_routes
from retour.web.routes import cases, figures, imports, instruments, overdue, overview
from retour.web.routes import releases as releases_routes
from retour.web.routes.common import NotFound
from retour.web.security import CsrfRefused, Forbidden, Principal, SignInRequired, guard
from retour.web.views import Views

log = logging.getLogger("retour.web")
access_log = logging.getLogger("retour.web.access")

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"

#: No scripts but our own files, no eval, no inline scripts; styles may be inline (the
#: SVG charts carry style attributes); nothing from other sites; no framing.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    """Adds the security headers to every response and logs each request by its route
    *template* (``/cases/{case_id}``), so no case id or other value reaches the log.

    It sits inside Starlette's outermost error middleware, so it also answers an error no
    handler took: a 500 page (or JSON) with the same headers, and a log line with a reference
    the page shows, the error's type, the route and the stack -- not the error's message,
    which may hold a value from the request. Every 503 carries ``Retry-After``."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        answered = False
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                if self.hsts:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                if b"cache-control" not in names:
                    cache = b"public, max-age=86400" if static and status < 400 else b"no-store"
                    extra.append((b"cache-control", cache))
                if status == 503:
                    extra.append((b"retry-after", str(DatabaseBusy.retry_after).encode()))
                message["headers"] = headers + [h for h in extra if h[0] not in names]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if answered:  # too late for an answer: the server ends the connection
                raise
            response = server_error(scope, _log_unhandled(scope, exc))
            await response(scope, receive, send_with_headers)
        finally:
            route = scope.get("route")
            where = getattr(route, "path", None) or ("/static" if static else "(no route)")
            millis = (time.perf_counter() - started) * 1000
            access_log.info("%s %s %s %.0fms", scope.get("method"), where, status, millis)


def _log_unhandled(scope: Scope, exc: BaseException) -> str:
    """Log an error no handler took -- its type, the route template and the stack, never its
    message (it may hold a value from the address) -- under a reference; the reference."""
    reference = secrets.token_hex(4)
    where = getattr(scope.get("route"), "path", None) or "(no route)"
    stack = "".join(traceback.format_tb(exc.__traceback__))
    log.error(
        "unhandled %s in %s %s (reference %s)\n%s",
        type(exc).__name__, scope.get("method"), where, reference, stack,
    )  # fmt: skip
    return reference


def server_error(scope: Scope, reference: str) -> Response:
    """The answer to an error no handler took: the error page (JSON under /api/), in the
    reader's language, with the reference of the log line and nothing of the error."""
    request = Request(scope)
    lang = language(request)
    detail = _(
        "Something went wrong on the server. Try again; if it happens again, give the "
        "administrator this reference: {reference}.",
        lang,
        reference=reference,
    )
    if security.is_api(request):
        return _json(500, detail)
    title = _("Server error", lang)
    try:
        return _error_page(request, 500, title, detail)
    except Exception:  # the page itself cannot be drawn: the words alone
        log.exception("the error page could not be drawn (reference %s)", reference)
        body = f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{detail}</p>"
        return HTMLResponse(body, status_code=500)


def _warm_up_charts() -> None:
    """vl-convert takes a few seconds to start its engine: start it before the first page."""
    try:
        import vl_convert

        spec = {"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {}}
        vl_convert.vegalite_to_svg(spec)
    except Exception:  # pragma: no cover - only a warm-up
        log.warning("the chart engine could not be warmed up", exc_info=True)


def _warm_up(views: Views) -> None:
    """Start the chart engine, then compute the overview and the all-country index: the
    first visitor after a start should not wait for them."""
    _warm_up_charts()
    views.warm_up_in_background()


def create_app(context: Retour, *, warm_up: bool = True) -> FastAPI:
    """The web application over `context` (its database is opened now)."""
    context.settings.session_key()  # no web without a session secret (outside development)
    context.database()

    views = Views(context)
    # swept of what a server killed during an upload left (retour.web.uploads)
    spool = uploads.UploadSpool.open(context.settings.data_dir)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            threading.Thread(target=_warm_up, args=(views,), daemon=True).start()
        yield
        spool.close()

    app = FastAPI(
        title="retour",
        docs_url=None,  # the interactive docs load their scripts from a CDN
        redoc_url=None,
        openapi_url=None,  # not in the permission table: no unguarded routes
        dependencies=[Depends(guard)],
        lifespan=lifespan,
    )
    app.state.retour = context
    app.state.views = views
    app.state.uploads = spool
    app.state.sessions = security.SessionMemo()
    app.include_router(auth.router)
    app.include_router(overview.router)
    app.include_router(figures.router)
    app.include_router(cases.router)
    app.include_router(instruments.router)
    app.include_router(imports.router)
    app.include_router(audit_routes.router)
    app.include_router(overdue.router)  # requests past their agreed time limit
    app.include_router(releases_routes.router)  # the register of releases
    app.include_router(api.router)
    app.include_router(records.router)  # recording: /api/{table}, /api/{table}/{row_id}
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _handlers(app)
    app.add_middleware(SecurityHeaders, hsts=context.settings.secure_cookies)
    return app


#: The longest address kept to return to after signing in (a cookie holds about 4 KB).
MAX_NEXT: Final = 2000
BUSY: Final = N_(
    "The database is busy: another process is writing to it. Nothing was changed; try again "
    "in {seconds} seconds."
)
DISK: Final = N_(
    "The server's disk is full or failing, so nothing was written. Tell the administrator."
)
UNAVAILABLE: Final = N_(
    "The database cannot be used at the moment. Try again later, or tell the administrator."
)


def _next_target(request: Request) -> str:
    """The address asked for, as a local path in ASCII (non-ASCII letters percent-encoded),
    to return to after signing in."""
    path = quote(request.url.path, safe="/:@!$&'()*+,;=-._~")
    query = quote(request.url.query, safe="/:@!$&'()*+,;=-._~?%")
    return path + (f"?{query}" if query else "")


def _json(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


def _error_page(request: Request, status: int, title: str, detail: str) -> Response:
    return render(request, "error.html", status=status, title=title, detail=detail)


def audit_refusal(request: Request, status: int, reason: str) -> None:
    """Record a refused request to a case page, an export or an import in the audit log:
    who (if known), what was refused (:data:`~retour.web.permissions.AUDITED_REFUSALS`),
    the status and why -- never a value from the address or the form."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    subject = permissions.refusal_subject(request.method, path) if path else None
    if subject is None:
        return
    principal: Principal | None = getattr(request.state, "principal", None)
    try:
        audit.record(
            security.retour(request),
            AuditAction.ACCESS_REFUSED,
            actor=principal.name if principal else audit.UNKNOWN_ACTOR,
            role=principal.role if principal else None,
            via=Via.API if security.is_api(request) else Via.WEB,
            subject=subject,
            detail={"status": status, "reason": reason, "method": request.method},
        )
    except RetourError:  # the refusal stands; the log says the entry is missing
        log.exception("a refused request could not be recorded in the audit log")


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, _: Exception) -> Response:
        await run_in_threadpool(audit_refusal, request, 401, "sign_in")
        if security.is_api(request):
            return _json(
                401, "Sign in: a valid bearer token is needed.", **{"WWW-Authenticate": "Bearer"}
            )
        response = RedirectResponse("/login", status_code=303)
        target = _next_target(request)
        if request.method == "GET" and len(target) <= MAX_NEXT:
            signed = security.sign(request, "next", target)
            security.set_cookie(
                request, response, security.NEXT_COOKIE, signed, security.NEXT_SECONDS
            )
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Exception) -> Response:
        reason = exc.reason if isinstance(exc, Forbidden) else "role"
        await run_in_threadpool(audit_refusal, request, 403, reason)
        lang = language(request)
        if security.is_api(request):
            return _json(403, "Your role does not allow this (route or profile).")
        return _error_page(
            request, 403, _("No access", lang), _("Your role gives no access to this page.", lang)
        )

    @app.exception_handler(CsrfRefused)
    async def csrf(request: Request, _refused: Exception) -> Response:
        await run_in_threadpool(audit_refusal, request, 403, "csrf")
        lang = language(request)
        if security.is_api(request):
            return _json(403, "CSRF token missing or wrong.")
        return _error_page(
            request,
            403,
            _("Form expired", lang),
            _(
                "The form has expired or does not come from this site. Reload the page and "
                "try again.",
                lang,
            ),
        )

    _request_errors(app)
    _server_trouble(app)


def _request_errors(app: FastAPI) -> None:
    """A page that is not there, a value that is not valid, a request retour refuses:
    404, 405, 422 and the status of retour's own errors, in the reader's words."""

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _missing: Exception) -> Response:
        return _not_found_page(request, 404)

    @app.exception_handler(RetourError)
    async def usage(request: Request, exc: Exception) -> Response:
        status = exc.http_status if isinstance(exc, RetourError) else 400
        lang = language(request)
        if security.is_api(request):  # the web's words too: a field, never a CLI option
            return _json(status, i18n.error_text(exc, lang))
        return _error_page(request, status, _("Error", lang), i18n.error_text(exc, lang))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid request')}"
        if security.is_api(request):
            return _json(422, message)
        lang = language(request)
        field = i18n.field_name(str(first.get("loc", ("?",))[-1]), lang)
        words = _(
            "The value of '{field}' is too long or not valid. Correct the address or the form "
            "and try again.",
            lang,
            field=field,
        )
        return _error_page(request, 422, _("Error", lang), words)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if security.is_api(request) or exc.status_code not in {404, 405}:
            return _json(exc.status_code, str(exc.detail), **(exc.headers or {}))
        page = _not_found_page(request, exc.status_code)
        page.headers.update(exc.headers or {})  # 405: Allow
        return page


def _not_found_page(request: Request, status: int) -> Response:
    """The page of an address retour has no page for (404, or 405 for its method)."""
    lang = language(request)
    words = _("This page does not exist, or there are no figures for it under your profile.", lang)
    return _error_page(request, status, _("Not found", lang), words)


def _server_trouble(app: FastAPI) -> None:
    """The database busy or unusable, a disk full: the server's trouble, not the request's.
    Answered with the error's status (503 with Retry-After, 507) in words that name no server
    path or database; the log has the kind of error (its message's template, no values)."""

    async def unavailable(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DatabaseError | StorageError)
        log.warning("%s: %s", type(exc).__name__, exc.message)
        lang = language(request)
        if isinstance(exc, DatabaseBusy):
            title, detail = _("Busy", lang), _(BUSY, lang, seconds=exc.retry_after)
        elif isinstance(exc, StorageError):
            title, detail = _("Server error", lang), _(DISK, lang)
        else:
            title, detail = _("Server error", lang), _(UNAVAILABLE, lang)
        if security.is_api(request):
            return _json(exc.http_status, detail)
        return _error_page(request, exc.http_status, title, detail)

    app.add_exception_handler(DatabaseError, unavailable)
    app.add_exception_handler(StorageError, unavailable)

"""Who is asking, and may they: sessions, bearer tokens, CSRF, the permission check.

Every request to a route passes :func:`guard` (a dependency of the whole application):

1. The principal: a bearer token (``Authorization: Bearer rt_...``, API only) or the signed
   session cookie, checked against the database (a live session of an enabled user).
2. The permission the route needs, from :data:`retour.web.permissions.ROUTES` alone; a
   route missing from the table is refused.
3. CSRF: every POST (any unsafe method) from a browser carries a token bound to the
   session (or, before signing in, to a random pre-session cookie), as a form field or an
   ``X-CSRF-Token`` header (htmx). Requests authenticated by a bearer token carry no
   cookies, so they need none.

Cookies are signed (itsdangerous, with the session secret), expire, and are HttpOnly and
SameSite=Lax; Secure unless in development. The session cookie holds a random id whose
SHA-256 the database keeps, so signing out ends it for good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, TimestampSigner

from retour.disclosure import Profile
from retour.service import accounts
from retour.service.accounts import Role, User
from retour.service.audit import Via
from retour.service.context import Retour
from retour.web import permissions
from retour.web.permissions import Permission

log = logging.getLogger("retour.web")

SESSION_COOKIE: Final = "retour_session"
#: Binds the CSRF token of the login and language forms before anyone signs in.
PRESESSION_COOKIE: Final = "retour_pre"
LANG_COOKIE: Final = "retour_lang"
#: The page asked for before signing in (a local path), read once by POST /login.
NEXT_COOKIE: Final = "retour_next"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
#: Routes that read their multipart body themselves, as a stream (retour.web.uploads): the
#: guard never reads it (that would spool the files before any check); their CSRF token is
#: the X-CSRF-Token header, or the form's first field, checked (csrf_ok) before the first
#: byte of a file is written.
STREAMED_UPLOADS: Final = frozenset({("POST", "/import")})
API_PREFIX: Final = "/api/"
PRESESSION_SECONDS: Final = 2 * 60 * 60
NEXT_SECONDS: Final = 10 * 60
#: Seconds a session found live in the database is trusted before it is looked up again
#: (a sign-out in this process forgets it at once; a `retour user disable` in another
#: process takes effect within this time).
SESSION_CHECK_SECONDS: Final = 2.0
SESSION_MEMO_SIZE: Final = 10_000


class SessionMemo:
    """Sessions recently found live, so a burst of requests asks the database once."""

    def __init__(self) -> None:
        self._seen: OrderedDict[str, tuple[accounts.Session, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, app: Retour, token: str) -> accounts.Session | None:
        now = time.monotonic()
        with self._lock:
            found = self._seen.get(token)
            if found is not None and now - found[1] <= SESSION_CHECK_SECONDS:
                return found[0]
        live = accounts.session(app, token)
        with self._lock:
            if live is None:
                self._seen.pop(token, None)
            else:
                self._seen[token] = (live, now)
                self._seen.move_to_end(token)
                while len(self._seen) > SESSION_MEMO_SIZE:
                    self._seen.popitem(last=False)
        return live

    def forget(self, token: str) -> None:
        with self._lock:
            self._seen.pop(token, None)


class SignInRequired(Exception):  # noqa: N818 - a refusal, handled into a response
    """No valid session or token; pages redirect to /login, the API answers 401."""


class Forbidden(Exception):  # noqa: N818
    """Signed in, but the role does not have the route's permission (or the profile asked
    for); `reason` says which, for the audit log."""

    def __init__(self, reason: str = "role") -> None:
        super().__init__(reason)
        self.reason = reason


class CsrfRefused(Exception):  # noqa: N818
    """An unsafe request without the right CSRF token."""


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in user, and how they proved it."""

    user: User
    via: Via
    by_token: bool
    session_token: str | None = None

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role(self) -> Role:
        return self.user.role

    def can(self, permission: Permission) -> bool:
        return permissions.allows(self.role, permission)

    @property
    def profiles(self) -> tuple[Profile, ...]:
        return permissions.profiles(self.role)


def retour(request: Request) -> Retour:
    context: Retour = request.app.state.retour
    return context


def sessions(request: Request) -> SessionMemo:
    memo: SessionMemo = request.app.state.sessions
    return memo


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


# -- signing ----------------------------------------------------------------------------------


def _signer(request: Request, salt: str) -> TimestampSigner:
    return TimestampSigner(retour(request).settings.session_key(), salt=f"retour.{salt}")


def sign(request: Request, salt: str, value: str) -> str:
    return _signer(request, salt).sign(value).decode("ascii")


def unsign(request: Request, salt: str, value: str | None, max_age: int) -> str | None:
    if not value:
        return None
    try:
        return _signer(request, salt).unsign(value, max_age=max_age).decode("ascii")
    except (BadSignature, UnicodeError):
        return None


def session_seconds(request: Request) -> int:
    return retour(request).settings.session_minutes * 60


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=retour(request).settings.secure_cookies,
        path="/",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name,
        httponly=True,
        samesite="lax",
        secure=retour(request).settings.secure_cookies,
        path="/",
    )


# -- CSRF -------------------------------------------------------------------------------------


def _csrf_for(request: Request, binding: str) -> str:
    key = retour(request).settings.session_key()
    return hmac.new(key, b"csrf:" + binding.encode("ascii"), hashlib.sha256).hexdigest()


def presession(request: Request) -> str | None:
    """The valid pre-session value of this browser, if it has one."""
    return unsign(
        request, "pre", request.cookies.get(PRESESSION_COOKIE), max_age=PRESESSION_SECONDS
    )


def ensure_presession(request: Request) -> str | None:
    """Give a browser without one a pre-session value (it binds the login form's CSRF
    token); the signed cookie to set on the response, or None when it has one already."""
    if getattr(request.state, "presession", None) is not None:
        return None
    value = secrets.token_urlsafe(24)
    request.state.presession = value
    return sign(request, "pre", value)


def set_presession(request: Request, response: Response, signed: str | None) -> None:
    if signed is not None:
        set_cookie(request, response, PRESESSION_COOKIE, signed, PRESESSION_SECONDS)


def csrf_token(request: Request) -> str:
    """The token forms of this page must send back ("" when there is nothing to bind to)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is not None and principal.session_token is not None:
        return _csrf_for(request, "s:" + principal.session_token)
    value = getattr(request.state, "presession", None)
    return _csrf_for(request, "p:" + value) if value else ""


# -- the guard --------------------------------------------------------------------------------


def _bearer(request: Request) -> Principal | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SignInRequired
    user = accounts.token_user(retour(request), token.strip())
    if user is None:
        raise SignInRequired
    return Principal(user, Via.API, by_token=True)


def _from_cookie(request: Request) -> Principal | None:
    token = unsign(
        request, "session", request.cookies.get(SESSION_COOKIE), max_age=session_seconds(request)
    )
    if token is None:
        return None
    found = sessions(request).get(retour(request), token)
    if found is None or found.expires_at <= dt.datetime.now(dt.UTC):
        return None
    via = Via.API if is_api(request) else Via.WEB
    return Principal(found.user, via, by_token=False, session_token=token)


def identify(request: Request) -> Principal | None:
    """The principal of the request (none: not signed in). A bad bearer token is refused."""
    principal = _bearer(request) if is_api(request) else None
    if principal is None:
        principal = _from_cookie(request)
    request.state.principal = principal
    request.state.presession = presession(request)
    return principal


def authorize(request: Request) -> Principal | None:
    """Check the route's permission in the table for the principal of the request."""
    principal = identify(request)
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    permission = permissions.route_permission(request.method, path) if path else None
    if permission is None:
        log.error("refused: route %s %s is not in the permission table", request.method, path)
        raise Forbidden
    if permission is Permission.PUBLIC:
        return principal
    if principal is None:
        raise SignInRequired
    if not principal.can(permission):
        raise Forbidden
    return principal


async def guard(
    request: Request, principal: Annotated[Principal | None, Depends(authorize)]
) -> Principal | None:
    """authorize, then the CSRF check of unsafe requests (reads the form; FastAPI caches it)."""
    if request.method in SAFE_METHODS or (principal is not None and principal.by_token):
        return principal
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        kind = request.headers.get("content-type", "")
        route = getattr(request.scope.get("route"), "path", None)
        if kind.startswith("multipart/form-data") and (request.method, route) in STREAMED_UPLOADS:
            return principal  # the route checks csrf_ok before it spools a byte
        if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not csrf_ok(request, sent):
        raise CsrfRefused
    return principal


def csrf_ok(request: Request, sent: str | None) -> bool:
    """Whether `sent` is the CSRF token of this request's session (or pre-session)."""
    expected = csrf_token(request)
    return bool(sent and expected and hmac.compare_digest(sent, expected))


def signed_in(request: Request) -> Principal:
    """The principal of a route that needs one (the guard has checked it)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise SignInRequired
    return principal

"""Server-side rendering: Jinja2 with autoescaping, the page frame's context, the language."""

from __future__ import annotations

from functools import cache
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from retour.disclosure import Language
from retour.reports import labels
from retour.reports.messages import N_, _
from retour.reports.safe_json import script_json
from retour.web import i18n, security
from retour.web.permissions import Permission
from retour.web.security import Principal

#: Bumped when a static file changes, so browsers fetch it anew.
STATIC_VERSION: Final = "3"

#: The navigation: (path, text, permission).
NAVIGATION: Final = (
    ("/", N_("Overview"), Permission.VIEW_FIGURES),
    ("/figures", N_("Figures"), Permission.VIEW_FIGURES),
    ("/cases", N_("Cases"), Permission.VIEW_CASES),
    ("/overdue", N_("Overdue"), Permission.VIEW_OVERDUE),
    ("/instruments", N_("Instruments"), Permission.MANAGE_INSTRUMENTS),
    ("/import", N_("Import"), Permission.IMPORT_DATA),
    ("/releases", N_("Releases"), Permission.VIEW_RELEASES),
    ("/audit", N_("Audit log"), Permission.VIEW_AUDIT),
)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("retour.web", "templates"),
        autoescape=True,  # every value is escaped unless marked safe
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = lambda name: f"/static/{name}?v={STATIC_VERSION}"
    env.globals["query"] = lambda **values: urlencode(
        {k: v for k, v in values.items() if v not in (None, "")}
    )
    # JSON in a page (hx-headers='...') through the reports' one function, not Jinja's own
    env.filters["tojson"] = lambda value: Markup(script_json(value))
    return env


def language(request: Request) -> Language:
    return i18n.parse(request.cookies.get(security.LANG_COOKIE))


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(request: Request, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    lang = language(request)
    principal: Principal | None = getattr(request.state, "principal", None)
    nav = []
    if principal is not None:
        for path, words, permission in NAVIGATION:
            if principal.can(permission):
                current = request.url.path == path or (
                    path != "/" and request.url.path.startswith(path + "/")
                )
                nav.append({"path": path, "text": _(words, lang), "current": current})
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if status >= 400:
        here = "/"  # an error page repeats nothing of what was asked (a mistyped id)
    context = {
        "request": request,
        "lang": lang,
        "other_lang": "en" if lang == "nl" else "nl",
        "_": lambda message, **kw: _(message, lang, **kw),
        "profile_name": lambda profile: i18n.profile_name(profile, lang),
        "role_name": lambda role: _(i18n.ROLE_NAMES[role], lang),
        "order_name": lambda order: _(i18n.ORDER_NAMES[order], lang),
        "subject_name": lambda subject: _(i18n.SUBJECT_NAMES[subject], lang),
        "language_name": lambda code: i18n.LANGUAGE_NAMES[code],
        "principal": principal,
        "csrf": security.csrf_token(request),
        "csrf_field": security.CSRF_FIELD,
        "nav": nav,
        "here": here,
        "country_name": lambda code: labels.country_name(code, lang),
        "code_label": lambda code: labels.code_label(code, lang),
        "word": lambda code: i18n.instrument_word(code, lang),
        **values,
    }
    html = environment().get_template(template).render(context)
    return HTMLResponse(html, status_code=status)

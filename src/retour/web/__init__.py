"""The web dashboard: FastAPI, server-rendered pages (Jinja2, htmx) and a JSON API.

A thin face over :mod:`retour.service`, like the command line; it never imports the store,
the exchange format or the analyses directly (import-linter checks this). Who may do what
is written down in :mod:`retour.web.permissions`.
"""

from retour.web.app import create_app

__all__ = ["create_app"]

"""The web's fixtures (signed-in clients of every role, a served application and a real
Chromium), for the register's pages."""

from __future__ import annotations

from ..web.conftest import (  # noqa: F401 - fixtures
    _quick_hashes,
    client_for,
    loaded,
    retour_app,
    users,
    web,
    web_env,
)
from ..web.test_browser import browser, server  # noqa: F401 - fixtures

"""Every hostile value of the web's fuzz test as the id of every recording route: never a
server error (the web-wide fuzz stops at the first route that fails, so these are tried on
their own too)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi.testclient import TestClient

from retour.service.accounts import Role

from ..web.test_fuzz import HOSTILE

TABLES = ("requests", "detentions", "departures", "conditions")


def test_hostile_ids_never_answer_5xx(
    api: TestClient, token_of: Callable[[Role], dict[str, str]]
) -> None:
    headers = token_of(Role.ADMIN)
    for table in TABLES:
        for value in HOSTILE:
            url = f"/api/{table}/{quote(value, safe='') or 'x'}"
            got = api.get(url, headers=headers)
            assert got.status_code < 500, (url, got.status_code, got.text[:200])
            patched = api.patch(
                url,
                json={"state": value},
                headers={**headers, "If-Match": quote(value)[:100] or "x"},
            )
            assert patched.status_code < 500, (url, patched.status_code, patched.text[:200])

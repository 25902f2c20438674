"""Every route of the application against the one permission table, for every role.

The table (retour.web.permissions.ROUTES) must list exactly the application's routes, and
each route must answer each role as the table and the grants say: served when allowed,
403 when signed in without the permission, and a redirect to /login (pages) or 401 (API)
when not signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount

from retour.disclosure import Profile
from retour.service.accounts import Role
from retour.web import create_app, permissions
from retour.web.permissions import GRANTS, PROFILES, ROUTES, Permission

from .conftest import TestClient, new_client, page_csrf, sign_in

#: A value for each path parameter of the routes.
SAMPLES = {
    "code": "NG",
    "case_id": "C00001",
    "instrument_id": "web-00000000",
    "name": "m",
    "row_id": "R00001",
}

#: Form data that each POST route accepts as well-formed (the answer may still be a 400).
FORMS: dict[str, dict[str, str]] = {
    "/login": {"name": "nobody", "password": "wrong password"},
    "/lang": {"lang": "en", "next": "/"},
    "/cases": {"case_id": "C00001"},
    "/instruments": {"country": "XX", "kind": "bad", "level": "eu", "status": "in_force"},
    "/instruments/{instrument_id}/end": {"end_on": "2024-01-01"},
}


def walk(routes: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Every route with its full path; included routers are walked into (FastAPI includes
    them lazily, as a route that holds the original router)."""
    found: list[tuple[str, Any]] = []
    for route in routes:
        if isinstance(route, APIRoute | Mount):
            found.append((prefix + route.path, route))
        elif hasattr(route, "original_router"):
            context = getattr(route, "include_context", None)
            inner = prefix + (getattr(context, "prefix", "") or "")
            found += walk(list(route.original_router.routes), inner)
        else:  # a plain Starlette route would escape the guard
            raise AssertionError(f"unguarded route type {type(route).__name__}: {route}")
    return found


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path, route in walk(list(app.routes)):
        if isinstance(route, APIRoute):
            found |= {(m, path) for m in route.methods if m != "HEAD"}
        else:
            found.add(("GET", path))
    return found


def test_the_table_lists_exactly_the_routes_of_the_app(web: FastAPI) -> None:
    assert app_routes(web) == set(ROUTES)


def test_the_guard_is_a_dependency_of_the_whole_app(web: FastAPI) -> None:
    from retour.web.security import guard

    assert [d.dependency for d in web.router.dependencies] == [guard]


def test_roles_and_profiles_are_written_down_for_every_role() -> None:
    assert set(GRANTS) == set(Role) == set(PROFILES)
    for role in Role:
        assert PROFILES[role][0] is Profile.PUBLIC, "the default is the safest profile"
    assert PROFILES[Role.VIEWER] == (Profile.PUBLIC,)
    assert Permission.VIEW_CASES not in GRANTS[Role.VIEWER]
    assert Permission.VIEW_CASES not in GRANTS[Role.ANALYST]
    assert GRANTS[Role.ADMIN] == frozenset(Permission)


def _url(path: str) -> str:
    for name, value in SAMPLES.items():
        path = path.replace("{" + name + "}", value)
    return "/static/style.css" if path == "/static" else path


def _request(client: TestClient, method: str, path: str, csrf: str | None) -> Any:
    url = _url(path)
    if method == "GET":
        return client.get(url, follow_redirects=False)
    if method == "PATCH":  # the recording API: a JSON body, the CSRF token as its header
        header = {"X-CSRF-Token": csrf} if csrf else {}
        return client.patch(url, json={}, headers=header, follow_redirects=False)
    token = {"csrf_token": csrf} if csrf else {}
    if path == "/import":
        files = {"dataset": ("notes.txt", b"not a dataset", "text/plain")}
        return client.post(url, data=token, files=files, follow_redirects=False)
    return client.post(url, data={**FORMS.get(path, {}), **token}, follow_redirects=False)


def _expected(role: Role | None, permission: Permission) -> str:
    if permission is Permission.PUBLIC:
        return "served"
    if role is None:
        return "sign in"
    return "served" if permissions.allows(role, permission) else "forbidden"


def _outcome(path: str, response: Any) -> str:
    status = response.status_code
    location = response.headers.get("location", "")
    api = path.startswith("/api/")
    if (api and status == 401) or (status == 303 and location.startswith("/login")):
        return "sign in"
    if status == 403:
        return "forbidden"
    return "served"


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_every_route_answers_every_role_as_the_table_says(
    role: Role | None, web: FastAPI, client_for: Callable[[Role | None], TestClient]
) -> None:
    client = client_for(role)
    csrf = page_csrf(client) if role is not None else None
    if role is None:
        csrf = page_csrf(client, "/login")  # the pre-session token of the login form
    wrong: list[str] = []
    for (method, path), permission in sorted(ROUTES.items()):
        if path == "/logout":
            continue  # below, on a client of its own: it ends the session
        response = _request(client, method, path, csrf)
        got, want = _outcome(path, response), _expected(role, permission)
        if path.startswith("/api/") and want == "sign in":
            assert response.status_code == 401, path
        if got != want:
            wrong.append(f"{method} {path}: {want} expected, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_logout_is_open_to_every_signed_in_role(role: Role, web: FastAPI) -> None:
    client = sign_in(new_client(web), role.value)
    response = client.post(
        "/logout", data={"csrf_token": page_csrf(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_route_missing_from_the_table_is_refused(loaded: Any, users: Any) -> None:
    app = create_app(loaded, warm_up=False)

    @app.get("/unlisted")
    def unlisted() -> dict[str, str]:  # pragma: no cover - never reached
        return {"secret": "never served"}

    client = sign_in(new_client(app), Role.ADMIN.value)
    response = client.get("/unlisted")
    assert response.status_code == 403
    assert "never served" not in response.text


def test_unknown_paths_are_404_without_data(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    for role in (None, Role.ADMIN):
        response = client_for(role).get("/no/such/page")
        assert response.status_code == 404
        assert client_for(role).get("/api/nothing").status_code in {401, 404}

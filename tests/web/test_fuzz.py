"""Every query and path parameter of every route, fuzzed, as every role: never a 5xx, and
every answer carries the security headers a normal page carries.

The routes and their parameters are read from the application itself (its routes and their
FastAPI dependants, the dependencies' parameters included), not from a list kept by hand:
a route or a parameter added tomorrow is fuzzed tomorrow. Values mix what a user could
type by mistake or on purpose -- other scripts' digits (٢٠٢٣), huge integers, NUL bytes,
very long values, control and format characters -- with valid values, so that the fuzz
also reaches the code behind the validation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retour.service.accounts import Role

from .conftest import TestClient
from .test_permissions import walk

#: Values that broke or could break a parser: other digits, huge and odd numbers, NUL,
#: control and format characters, markup, traversal, very long text.
HOSTILE = (
    "٢٠٢٣",  # Arabic-Indic digits: int() and \d take them
    "２０２３",  # full-width digits
    "𝟚𝟘𝟚𝟛Q𝟚",  # mathematical digits
    "99999999999999999999",
    "-99999999999999999999",
    "9" * 400,
    "1e309",
    "NaN",
    "\x00",
    "2023\x00",
    "\u2028",
    "\ufeff2023",
    "2023\r\nSet-Cookie: x=1",
    "x" * 5000,
    "é" * 3000,
    "<!--<script>",
    "'; DROP TABLE cases; --",
    "../../../../etc/passwd",
    "%00",
    "",
    " ",
    "2023Q5",
    "0000",
    "9999Q4",
    "2023-2019",
    "1-99999",
    "2024-02-30",
    "[]",
)

#: Valid values by parameter name, so that combinations reach past the validation.
VALID: dict[str, tuple[str, ...]] = {
    "period": ("2021", "2022Q1", "2023"),
    "years": ("2021", "2019-2023"),
    "profile": ("public", "parliament", "internal"),
    "lang": ("nl", "en"),
    "code": ("NG", "MA", "XX", "ng"),
    "country": ("NG", "MA"),
    "case_id": ("C00001", "C00002"),
    "instrument_id": ("web-00000000",),
    "format": ("html", "docx"),
    "kind": ("lp", "to", "all"),
    "subject": ("requests", "detentions", "departures"),
    "cohort": ("submitted", "answered"),
    "outcome": ("negative,withdrawn", "positive"),
    "by": ("year", "year,outcome", "country"),
    "on": ("2024-01-01", "2020-06-30"),
    "before": ("1", "5", "9223372036854775807"),
    "limit": ("1", "1000", "1001"),
    "order": ("index", "name", "requests"),
    "action": ("login", "view_case"),
}

ROLES = [pytest.param(None, id="anonymous"), *(pytest.param(r, id=r.value) for r in Role)]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    query: tuple[str, ...]
    params: tuple[str, ...]  # in the path


def _names(dependant: Any, kind: str) -> set[str]:
    """The aliases of `kind` parameters of a dependant and of all its dependencies."""
    found = {str(p.alias) for p in getattr(dependant, kind)}
    for inner in dependant.dependencies:
        found |= _names(inner, kind)
    return found


def app_routes(app: FastAPI) -> list[Route]:
    """Every (method, route) of the application with its query and path parameters."""
    found = []
    for path, route in walk(list(app.routes)):
        if not isinstance(route, APIRoute):
            continue  # the static mount has no parameters (test_error_headers tries it)
        query = tuple(sorted(_names(route.dependant, "query_params")))
        params = tuple(sorted(_names(route.dependant, "path_params")))
        found += [Route(m, path, query, params) for m in sorted(route.methods) if m != "HEAD"]
    return found


def values(name: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(VALID.get(name, ("x",))),
        st.text(max_size=40),
        st.integers().map(str),
    )


@st.composite
def requests(draw: st.DrawFn, routes: list[Route]) -> tuple[Route, str, dict[str, str]]:
    route = draw(st.sampled_from(routes))
    url = route.path
    for name in route.params:
        url = url.replace("{" + name + "}", quote(draw(values(name)), safe="") or "x")
    chosen = draw(st.lists(st.sampled_from(route.query), unique=True)) if route.query else []
    return route, url, {name: draw(values(name)) for name in chosen}


def security_headers(client: TestClient) -> dict[str, str]:
    """The security headers of a normal page (the login page, 200), but its cache rule."""
    page = client.get("/login")
    assert page.status_code == 200
    names = (
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "cross-origin-opener-policy",
        "cross-origin-resource-policy",
    )
    return {name: page.headers[name] for name in names}


def check(response: Any, expected: dict[str, str], what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:300])
    for name, value in expected.items():
        assert response.headers.get(name) == value, (what, response.status_code, name)
    assert "cache-control" in response.headers, what


def test_the_fuzz_knows_every_route_and_its_parameters(web: FastAPI) -> None:
    routes = app_routes(web)
    by_path = {(r.method, r.path): r for r in routes}
    assert len(routes) >= 25
    assert "period" in by_path["GET", "/api/countries"].query
    assert "before" in by_path["GET", "/audit"].query
    # a dependency's parameters count too (the figures page's question)
    assert {"subject", "years", "kind", "country"} <= set(by_path["GET", "/figures"].query)
    assert by_path["GET", "/cases/{case_id}"].params == ("case_id",)


def test_every_hostile_value_of_every_parameter(
    web: FastAPI, client_for: Callable[[Role | None], TestClient]
) -> None:
    """Each hostile value once in each parameter of each GET route, the others valid, as an
    admin (whose role reaches every route's own code; the other roles are fuzzed below)."""
    client = client_for(Role.ADMIN)
    expected = security_headers(client)
    tried = 0
    for route in app_routes(web):
        if route.method != "GET":
            continue
        fill = {p: VALID.get(p, ("x",))[0] for p in route.params}
        for name in (*route.query, *route.params):
            for value in HOSTILE:
                url, params = route.path.format(**fill), {name: value}
                if name in route.params:
                    url = route.path.format(**(fill | {name: quote(value, safe="") or "x"}))
                    params = {}
                response = client.get(url, params=params, follow_redirects=False)
                check(response, expected, f"{route.path} {name}={value[:20]!r}")
                tried += 1
    assert tried > 500


@pytest.mark.parametrize("role", ROLES)
def test_fuzzed_queries_never_answer_5xx(
    web: FastAPI, client_for: Callable[[Role | None], TestClient], role: Role | None
) -> None:
    client = client_for(role)
    expected = security_headers(client)
    routes = app_routes(web)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(requests(routes))
    def fuzz(asked: tuple[Route, str, dict[str, str]]) -> None:
        route, url, params = asked
        response = client.request(route.method, url, params=params, follow_redirects=False)
        check(response, expected, f"{route.method} {url[:60]} {params!r:.200}")

    fuzz()

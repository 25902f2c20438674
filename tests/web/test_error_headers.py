"""Every error answer carries the security headers of a normal page; a held write lock is a
503 with Retry-After; an error no handler takes is a safe 500 with a reference.

Errors tried: Starlette's own 404 (an unknown address, a missing static file) and 405 (with
its Allow header), FastAPI's 422, a RetourError's 400 and 404, 401 and 403, an unhandled
exception (500), and a real write lock held by another connection (SQLite BEGIN IMMEDIATE;
PostgreSQL LOCK TABLE) under which audited and writing requests answer 503 with
Retry-After, in the reader's language, on pages and the API.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from retour.domain.errors import DatabaseBusy
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.store import engine
from retour.web import create_app
from retour.web.routes import figures as figures_routes

from .conftest import PASSWORD, TestClient, csrf_of, new_client, page_csrf, sign_in
from .test_fuzz import check, security_headers


@pytest.mark.parametrize(
    ("role", "method", "path", "status"),
    [
        pytest.param(None, "GET", "/no/such/page", 404, id="404-page-anonymous"),
        pytest.param(Role.VIEWER, "GET", "/no/such/page", 404, id="404-page"),
        pytest.param(Role.VIEWER, "GET", "/api/no/such", 404, id="404-api"),
        pytest.param(None, "GET", "/static/no-such-file.js", 404, id="404-static"),
        pytest.param(Role.VIEWER, "DELETE", "/figures", 405, id="405-page"),
        pytest.param(Role.VIEWER, "PUT", "/api/countries", 405, id="405-api"),
        pytest.param(Role.ADMIN, "GET", "/api/audit?limit=0", 422, id="422-api"),
        pytest.param(Role.ADMIN, "GET", "/audit?before=99999999999999999999", 422, id="422-page"),
        pytest.param(Role.VIEWER, "GET", "/api/countries?period=2023Q9", 400, id="400-api"),
        pytest.param(Role.VIEWER, "GET", "/countries/ZZ", 404, id="404-not-found"),
        pytest.param(None, "GET", "/api/countries", 401, id="401-api"),
        pytest.param(Role.VIEWER, "GET", "/audit", 403, id="403-page"),
        pytest.param(Role.VIEWER, "POST", "/instruments", 403, id="403-post"),
    ],
)
def test_error_answers_carry_the_security_headers(
    client_for: Callable[[Role | None], TestClient],
    role: Role | None,
    method: str,
    path: str,
    status: int,
) -> None:
    client = client_for(role)
    expected = security_headers(client)
    response = client.request(method, path, follow_redirects=False)
    assert response.status_code == status, response.text[:300]
    check(response, expected, path)
    assert response.headers["cache-control"] == "no-store"  # an error is never cached
    if status == 405:
        assert "GET" in response.headers["allow"]


def test_an_anonymous_address_in_another_script_is_a_redirect_to_sign_in(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    """It was a 500 (the address kept for after signing in was not ASCII)."""
    client = new_client(client_for(None).app)
    response = client.get("/countries/٢٠٢٣?period=٢٠٢٣", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    signed_in = sign_in(client, Role.VIEWER.value)
    landing = signed_in.get("/login", follow_redirects=False)
    assert landing.status_code in {303, 200}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_an_unhandled_error_is_a_safe_500_with_a_reference(
    retour_app: Retour,
    users: dict[Role, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    lang: str,
) -> None:
    secret = "V1234567890"  # as if an alien number were in the error's message

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError(f"something broke on {secret}")

    monkeypatch.setattr(figures_routes, "choose_profile", broken)
    app = create_app(retour_app, warm_up=False)
    client = sign_in(new_client(app), Role.VIEWER.value)
    client.cookies.set("retour_lang", lang)
    expected = security_headers(new_client(app))  # the login page (not signed in)
    with caplog.at_level(logging.ERROR, logger="retour.web"):
        page = client.get("/figures")
        api = client.get("/api/countries/NG", headers={"Accept": "application/json"})
    assert page.status_code == 500
    for name, value in expected.items():
        assert page.headers[name] == value
    words = {"nl": "Er ging iets mis op de server", "en": "Something went wrong on the server"}
    assert words[lang] in page.text
    reference = re.search(r"[0-9a-f]{8}", page.text.split(words[lang], 1)[1])
    assert reference is not None
    assert secret not in page.text and "RuntimeError" not in page.text
    assert "Traceback" not in page.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert reference.group(0) in logged and "RuntimeError" in logged
    assert "GET /figures" in logged
    assert secret not in logged  # the message may hold a value from the request
    # the API's own route is unaffected by the broken page helper
    assert api.status_code < 500


@contextmanager
def write_lock(url: str) -> Iterator[None]:
    """Another connection holds the database's write lock until the block ends."""
    if url.startswith("postgresql"):
        with psycopg.connect(
            sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        ) as conn:
            conn.execute("BEGIN")
            conn.execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")  # readers go on
            try:
                yield
            finally:
                conn.rollback()
        return
    path = sa.make_url(url).database
    assert path
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture
def quick_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writers wait 0.3 s for a lock, not 10."""
    monkeypatch.setattr(engine, "open_database", partial(engine.open_database, busy_timeout=0.3))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_held_write_lock_answers_503_with_retry_after(
    quick_lock: None, loaded: Retour, users: dict[Role, str], web_env: str, lang: str
) -> None:
    app: FastAPI = create_app(loaded, warm_up=False)
    analyst = sign_in(new_client(app), Role.ANALYST.value)
    analyst.cookies.set("retour_lang", lang)
    expected = security_headers(analyst)
    token = page_csrf(analyst, "/instruments")
    anonymous = new_client(app)
    login_page = anonymous.get("/login")
    form = {
        "country": "NG",
        "kind": "partnership",
        "level": "bilateral",
        "status": "proposed",
        "start_on": "2021-05-01",
        "title": "A title",
        "csrf_token": token,
    }
    with write_lock(web_env):
        answers = {
            "add an instrument": analyst.post("/instruments", data=form),
            "an audited API answer": analyst.get("/api/countries"),
            "an audited export": analyst.get("/figures/csv?subject=requests"),
            "sign in": anonymous.post(
                "/login",
                data={
                    "name": Role.VIEWER.value,
                    "password": PASSWORD,
                    "csrf_token": csrf_of(login_page.text),
                },
                follow_redirects=False,
            ),
        }
        still = analyst.get("/countries/NG")  # reading goes on under the lock
    assert still.status_code == 200
    words = {"nl": "De database is bezig", "en": "The database is busy"}
    for what, response in answers.items():
        assert response.status_code == 503, (what, response.status_code, response.text[:300])
        assert response.headers["retry-after"] == str(DatabaseBusy.retry_after), what
        for name, value in expected.items():
            assert response.headers[name] == value, (what, name)
        assert "locked" not in response.text.lower(), what
        assert web_env.rsplit("/", 1)[-1] not in response.text, what  # no server path
        if what != "sign in":  # signing in speaks Dutch until a language is chosen
            assert words[lang] in response.text, (what, response.text[:300])
    assert words[lang] in answers["an audited API answer"].json()["error"]
    # once the lock is gone, the same request works
    assert analyst.post("/instruments", data=form).status_code == 200


#: Addresses a client cannot make from text: bytes that are not UTF-8, encoded traversal.
RAW_ADDRESSES = (
    "/countries/%ff",
    "/countries/%ff/brief?format=%fe",
    "/api/countries?period=%ff%fe",
    "/figures?years=%c0%af",
    "/audit?action=%ff&before=%ff",
    "/api/cases/%ff?on=%ff",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/static/%2e%2e/app.py",
    "/static/..%2fapp.py",
    "/login?next=%ff",
    "/api/audit?limit=%00",
)


@pytest.mark.parametrize(
    "role", [None, Role.VIEWER, Role.ADMIN], ids=["anonymous", "viewer", "admin"]
)
def test_raw_addresses_answer_4xx_or_less_with_the_headers(
    client_for: Callable[[Role | None], TestClient], role: Role | None
) -> None:
    client = client_for(role)
    expected = security_headers(client)
    for address in RAW_ADDRESSES:
        check(client.get(address, follow_redirects=False), expected, address)
    for method in ("OPTIONS", "PATCH", "TRACE"):
        check(client.request(method, "/figures", follow_redirects=False), expected, method)

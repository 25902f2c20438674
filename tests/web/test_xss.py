"""Script in every field a user can fill comes back escaped: instrument titles and sources,
the desks' notes, values in an import's violations, uploaded file names, the login name."""

from __future__ import annotations

from collections.abc import Callable

import markupsafe
import pytest

from retour.service.accounts import Role

from ..exchange.conftest import VALID, replace_line
from .conftest import TestClient, csrf_of, page_csrf
from .test_pages import zipped

PAYLOADS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "'; alert(1); '",
    "{{ 7*7 }}{% raw %}",
]


def assert_escaped(page: str, payload: str) -> None:
    dangerous = any(c in payload for c in '<>"')  # a quote ' is harmless in text and "..."
    if dangerous:
        assert payload not in page, payload
    assert str(markupsafe.escape(payload)) in page, payload
    for tag in ("<script>alert", "<img src=x", "<svg/onload"):
        assert tag not in page, tag


@pytest.mark.parametrize("payload", PAYLOADS)
def test_instrument_titles_and_sources(
    client_for: Callable[[Role | None], TestClient], payload: str
) -> None:
    analyst = client_for(Role.ANALYST)
    response = analyst.post(
        "/instruments",
        data={
            "country": "NG",
            "kind": "partnership",
            "level": "bilateral",
            "status": "proposed",
            "start_on": "2021-05-01",
            "title": f"T {payload}",
            "source": f"S {payload}",
            "csrf_token": page_csrf(analyst),
        },
    )
    assert response.status_code == 200
    for page in (
        response.text,
        analyst.get("/instruments").text,
        client_for(Role.VIEWER).get("/countries/NG").text,
    ):
        assert_escaped(page, f"T {payload}")
        assert_escaped(page, f"S {payload}")
    listed = analyst.get("/api/instruments").json()["instruments"]
    assert any(i["title"] == f"T {payload}" for i in listed)  # JSON keeps the text as is


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_a_refused_instrument_echoes_its_form_escaped(
    client_for: Callable[[Role | None], TestClient], payload: str
) -> None:
    analyst = client_for(Role.ANALYST)
    response = analyst.post(
        "/instruments",
        data={
            "country": "NG",
            "kind": payload,
            "level": "eu",
            "status": "in_force",
            "start_on": "2021-05-01",
            "title": payload,
            "csrf_token": page_csrf(analyst),
        },
    )
    assert response.status_code == 400
    assert_escaped(response.text, payload)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_assessment_notes(client_for: Callable[[Role | None], TestClient], payload: str) -> None:
    admin = client_for(Role.ADMIN)
    note = payload.replace('"', '""')
    files = replace_line(VALID, "assessments.csv", 2, f'NG,2023-01-01,3,"{note}"')
    imported = admin.post(
        "/import",
        data={"csrf_token": page_csrf(admin)},
        files={"dataset": ("notes.zip", zipped(files), "application/zip")},
    )
    assert imported.status_code == 200, imported.text
    page = admin.get("/countries/NG?profile=internal").text
    assert 'id="assessment-list"' in page
    assert_escaped(page, payload)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_values_in_violations(
    client_for: Callable[[Role | None], TestClient], payload: str
) -> None:
    admin = client_for(Role.ADMIN)
    value = payload.replace('"', '""')
    files = replace_line(VALID, "cases.csv", 2, f'C1,"{value}",2020-01-05,M,1990,,')
    response = admin.post(
        "/import",
        data={"csrf_token": page_csrf(admin)},
        files={"dataset": ("bad.zip", zipped(files), "application/zip")},
    )
    assert response.status_code == 400
    assert "unknown country" in response.text
    assert_escaped(response.text, payload)


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>.zip",
        '"><img src=x onerror=alert(1)>.zip',
        "<svg/onload=alert(1)>.txt",
    ],
)
def test_uploaded_file_names(client_for: Callable[[Role | None], TestClient], name: str) -> None:
    admin = client_for(Role.ADMIN)
    response = admin.post(
        "/import",
        data={"csrf_token": page_csrf(admin)},
        files={"dataset": (name, zipped({"x.txt": "no dataset"}), "application/zip")},
    )
    assert response.status_code == 400
    assert_escaped(response.text, name.replace('"', "%22"))  # as httpx sends a quote


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_the_login_name_is_echoed_escaped(
    client_for: Callable[[Role | None], TestClient], payload: str
) -> None:
    anonymous = client_for(None)
    token = csrf_of(anonymous.get("/login").text)
    response = anonymous.post(
        "/login", data={"name": payload, "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 401
    assert_escaped(response.text, payload)


def test_an_odd_case_id_is_not_reflected(client_for: Callable[[Role | None], TestClient]) -> None:
    caseworker = client_for(Role.CASEWORKER)
    response = caseworker.post(
        "/cases", data={"case_id": PAYLOADS[0], "csrf_token": page_csrf(caseworker)}
    )
    assert response.status_code == 400
    assert PAYLOADS[0] not in response.text
    assert caseworker.get("/cases/%3Cscript%3E").status_code == 404

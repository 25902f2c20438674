"""Recording on the case page: the forms, a request and its answer saved and seen in the
case view, a refusal listing every violation, in Dutch and English."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from retour.config import load_settings
from retour.service import accounts, datasets
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.web import create_app

from ..terms import fixture as terms_fixture
from .conftest import BASE_URL, PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
ETAG = re.compile(r'name="row_id" value="R1">\s*<input type="hidden" name="etag" value="([^"]+)"')


def _signed_in(api: TestClient, role: Role) -> TestClient:
    page = api.get("/login")
    token = CSRF.search(page.text)
    assert token
    form = {"name": role.value, "password": PASSWORD, "csrf_token": token.group(1)}
    done = api.post("/login", data=form, follow_redirects=False)
    assert done.status_code == 303
    return api


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found
    return found.group(1)


@pytest.mark.parametrize(("lang", "title"), [("nl", "Vastleggen en corrigeren"),
                                             ("en", "Record and correct")])  # fmt: skip
def test_a_caseworker_records_a_request_and_its_answer(
    api: TestClient, lang: str, title: str
) -> None:
    client = _signed_in(api, Role.CASEWORKER)
    client.cookies.set("retour_lang", lang)
    page = client.get("/cases/C1")
    assert page.status_code == 200
    assert title in page.text
    new = {"table": "requests", "request_id": "R4", "kind": "LP", "country": "MA",
           "submitted_on": "2024-02-01", "id_evidence": "document", "alien_cooperates": "yes",
           "outcome": "pending", "csrf_token": _csrf(page.text)}  # fmt: skip
    saved = client.post("/cases/C1/record", data=new, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(saved.headers["location"])
    assert "R4" in page.text
    etag = ETAG.search(page.text)
    assert etag
    answer = {"table": "requests", "row_id": "R1", "etag": etag.group(1).replace("&#34;", '"'),
              "outcome": "negative", "outcome_on": "2023-04-02", "reason": "no_response",
              "csrf_token": _csrf(page.text)}  # fmt: skip
    saved = client.post("/cases/C1/record", data=answer, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    shown = client.get("/api/requests/R1").json()["row"]
    assert (shown["outcome"], shown["reason"]) == ("negative", "no_response")


def test_a_refused_form_lists_every_violation_and_saves_nothing(api: TestClient) -> None:
    client = _signed_in(api, Role.CASEWORKER)
    page = client.get("/cases/C1")
    bad = {"table": "detentions", "detention_id": "D7", "started_on": "2023-03-10",
           "ended_on": "2023-03-05", "csrf_token": _csrf(page.text)}  # fmt: skip
    refused = client.post("/cases/C1/record", data=bad, follow_redirects=False)
    assert refused.status_code == 422
    assert "detentions:-: ended_on: before started_on (2023-03-10)" in refused.text
    assert "detentions:-: end_reason: required when ended_on is given" in refused.text
    assert client.get("/api/detentions/D7").status_code == 404


def test_an_analyst_sees_no_forms_and_cannot_post(api: TestClient) -> None:
    client = _signed_in(api, Role.ANALYST)
    assert client.get("/cases/C1").status_code == 403


def test_a_date_that_is_no_date_is_a_400_page_not_a_server_error(api: TestClient) -> None:
    client = _signed_in(api, Role.CASEWORKER)
    assert client.get("/cases/C1", params={"on": "٢٠٢٣"}).status_code == 400


@pytest.fixture
def under_terms(record_env: str, tmp_path: Path) -> Iterator[Retour]:
    """The terms' dataset (agreements with time limits, tests/terms/fixture.py) and users."""
    with Retour(settings=load_settings()) as app:
        folder = terms_fixture.write(tmp_path / "v2", terms_fixture.V2)
        datasets.import_dataset(app, folder, today=dt.date.fromisoformat(terms_fixture.EXTRACTED))
        accounts.add_user(app, Role.CASEWORKER.value, Role.CASEWORKER, PASSWORD)
        yield app


@pytest.mark.parametrize(
    ("lang", "answer", "document"),
    [
        ("en", "the answer is due by {}.", "The travel document is due by {}."),
        (
            "nl",
            "moet het antwoord er uiterlijk {} zijn.",
            "Het reisdocument moet er uiterlijk {} zijn.",
        ),
    ],
)
def test_the_answer_forms_say_when_the_answer_and_the_document_are_due(
    under_terms: Retour, lang: str, answer: str, document: str
) -> None:
    client = _signed_in(
        TestClient(create_app(under_terms, warm_up=False), base_url=BASE_URL), Role.CASEWORKER
    )
    client.cookies.set("retour_lang", lang)
    # R1: LP to Morocco on Friday 2024-04-26, 10 working days (T-MA-LP): King's Day falls on
    # a Saturday, Ascension Day (2024-05-09) is skipped
    page = client.get("/cases/C1").text
    assert answer.format("2024-05-13") in page
    assert document.split("{}", 1)[0] not in page  # pending: no document is due yet
    # R8 (withdrawn, TO to Morocco) falls under no term: no due date
    assert page.count('class="note due"') == 1
    # R6: TO to Georgia on 2024-05-01, 10 calendar days; positive on 2024-05-10, 3 days on
    page = client.get("/cases/C5").text
    assert answer.format("2024-05-11") in page and document.format("2024-05-13") in page

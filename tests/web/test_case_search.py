"""An alien number (V-nummer) typed in the case search is pseudonymised with the configured
secret, as the import does, and the case is opened by its pseudonym: the number never
reaches the address, the audit log or a log line. The numbers here are synthetic."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from retour.service import audit, datasets
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.web import create_app

from ..exchange.conftest import VALID, write_folder
from .conftest import TestClient, new_client, page_csrf, sign_in

#: Synthetic alien numbers of the fixture's three cases (C1, C2, C3).
V_NUMBERS = {"C1": "9000000011", "C2": "9000000022", "C3": "9000000033"}


def with_alien_numbers() -> dict[str, str]:
    """The contract's valid dataset as a source that only has alien numbers writes it:
    a column ``v_number`` instead of ``case_id`` in every table."""
    files = {}
    for name, text in VALID.items():
        written = text
        if name.endswith(".csv") and "case_id" in text.splitlines()[0]:
            written = text.replace("case_id", "v_number", 1)
            written = re.sub(r"\bC[123]\b", lambda m: V_NUMBERS[m.group(0)], written)
        files[name] = written
    return files


@pytest.fixture
def searched(
    retour_app: Retour, users: dict[Role, str], tmp_path: Path
) -> Iterator[tuple[TestClient, Retour]]:
    folder = write_folder(tmp_path / "source", with_alien_numbers())
    datasets.import_dataset(retour_app, folder)
    client = sign_in(new_client(create_app(retour_app, warm_up=False)), Role.CASEWORKER.value)
    yield client, retour_app


def audit_text(app: Retour) -> str:
    return "\n".join(
        f"{e.actor} {e.action} {e.subject} {json.dumps(e.detail)}"
        for e in audit.read_log(app, limit=1000)
    )


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("9000000022", id="as-imported"),
        pytest.param(" 9000000022 ", id="spaces-around"),
        pytest.param("9000 000 022", id="grouped"),
        pytest.param("V9000000022", id="with-V"),
    ],
)
def test_an_alien_number_opens_its_case_and_stays_out_of_url_log_and_audit(
    searched: tuple[TestClient, Retour], typed: str, caplog: pytest.LogCaptureFixture
) -> None:
    client, app = searched
    caplog.set_level(logging.DEBUG)
    digits = re.sub(r"\D", "", typed)
    opened = client.post(
        "/cases",
        data={"case_id": typed, "csrf_token": page_csrf(client, "/cases")},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    location = opened.headers["location"]
    assert re.fullmatch(r"/cases/p[0-9a-f]{32}", location), location  # the pseudonym
    assert digits not in location
    page = client.get(location)
    assert page.status_code == 200 and '<section class="case"' in page.text
    assert digits not in page.text and digits not in str(page.url)
    viewed = audit.read_log(app, limit=1)[0]
    assert viewed.action == "view_case" and viewed.subject == location.removeprefix("/cases/")
    assert digits not in audit_text(app)
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert digits not in logged
    assert "/cases/{case_id}" in logged  # the access log names the route, not the case


def test_an_unknown_alien_number_is_not_repeated_and_goes_nowhere(
    searched: tuple[TestClient, Retour], caplog: pytest.LogCaptureFixture
) -> None:
    client, app = searched
    caplog.set_level(logging.DEBUG)
    unknown = "9000000099"
    answer = client.post(
        "/cases",
        data={"case_id": unknown, "csrf_token": page_csrf(client, "/cases")},
        follow_redirects=False,
    )
    assert answer.status_code == 404 and "location" not in answer.headers
    assert "Geen zaak gevonden" in answer.text and unknown not in answer.text
    assert unknown not in audit_text(app)
    assert unknown not in "\n".join(r.getMessage() for r in caplog.records)


def test_a_case_id_is_still_found_and_a_name_is_not_put_in_the_address(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    caseworker = client_for(Role.CASEWORKER)
    csrf = page_csrf(caseworker, "/cases")
    found = caseworker.post(
        "/cases", data={"case_id": "C00042", "csrf_token": csrf}, follow_redirects=False
    )
    assert found.headers["location"] == "/cases/C00042"
    name = caseworker.post(
        "/cases", data={"case_id": "Jansen", "csrf_token": csrf}, follow_redirects=False
    )
    assert name.status_code == 404 and "location" not in name.headers
    assert "Jansen" not in name.text
    spaced = caseworker.post(
        "/cases", data={"case_id": "Jan Jansen", "csrf_token": csrf}, follow_redirects=False
    )
    assert spaced.status_code == 400 and "Jan Jansen" not in spaced.text


def test_an_alien_number_without_a_secret_is_refused_in_words(
    searched: tuple[TestClient, Retour], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, app = searched
    monkeypatch.setattr(app.settings, "secret", None)
    answer = client.post(
        "/cases",
        data={"case_id": "9000000022", "csrf_token": page_csrf(client, "/cases")},
        follow_redirects=False,
    )
    assert answer.status_code == 503 and "location" not in answer.headers
    assert "geen geheim ingesteld" in answer.text and "RETOUR_SECRET" not in answer.text

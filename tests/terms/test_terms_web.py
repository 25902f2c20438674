"""Entering an agreement's time limits on the web's instruments page: checked by the rules of
an imported terms.csv (the same validation), errors in words naming the field, audited, and
the new term counts at once in `retour overdue`; a viewer cannot."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from retour.service import audit, datasets, instruments
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.web import create_app

from ..process import retour
from ..web.conftest import (  # noqa: F401 - fixtures used by name
    TestClient,
    _quick_hashes,
    new_client,
    page_csrf,
    retour_app,
    sign_in,
    users,
    web_env,
)
from .fixture import V2, with_line, write

FILES = with_line(V2, "requests.csv", "R9,C1,TO,MA,2024-05-01,document,yes,pending,,,")


@pytest.fixture
def imported(retour_app: Retour, users: dict[Role, str], tmp_path: Path) -> Retour:  # noqa: F811
    datasets.import_dataset(retour_app, write(tmp_path / "data", FILES), today=dt.date(2024, 7, 1))
    return retour_app


@pytest.fixture
def client_for(imported: Retour) -> Iterator[Callable[[Role], TestClient]]:
    web = create_app(imported, warm_up=False)
    made: dict[Role, TestClient] = {}

    def make(role: Role) -> TestClient:
        if role not in made:
            made[role] = sign_in(new_client(web), role.value)
        return made[role]

    yield make


def _post(client: TestClient, **form: str) -> tuple[int, str]:
    token = page_csrf(client, "/instruments")
    answer = client.post("/instruments/terms", data={"csrf_token": token, **form})
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text)).replace("&amp;", "&")
    return answer.status_code, text


def _entries(app: Retour) -> list[audit.AuditEntry]:
    return audit.read_log(app, limit=1000)


def _overdue(app: Retour, tmp_path: Path) -> list[dict[str, str]]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    done = retour(
        ["overdue", "--profile", "internal", "--format", "csv", "--on", "2024-06-28"],
        home,
        RETOUR_DB=app.database_url,
    )
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


def test_a_valid_term_is_added_audited_and_counts_in_overdue(
    client_for: Callable[[Role], TestClient], imported: Retour, tmp_path: Path
) -> None:
    # R9 (Morocco, TO, pending since 2024-05-01) has no terms: Morocco's arrangement sets
    # them for LP only, so nothing of it is overdue yet
    assert "R9" not in {r["request_id"] for r in _overdue(imported, tmp_path)}
    status, text = _post(
        client_for(Role.ANALYST),
        instrument_id="A-MA",
        request_kind="TO",
        reply_days="10",
        day_count="calendar",
        deemed_accepted="yes",
        document_days="",
    )
    assert status == 200, text
    new = next(
        t for t in instruments.list_terms(imported)
        if (t.instrument_id, t.request_kind) == ("A-MA", "TO")
    )  # fmt: skip
    assert (new.reply_days, new.day_count, new.deemed_accepted, new.document_days) == (
        10, "calendar", "yes", None,
    )  # fmt: skip
    assert new.term_id in text  # the page says which term it added, and lists it
    entry = _entries(imported)[0]
    assert (entry.action, entry.subject, entry.actor, entry.role) == (
        "term_added", new.term_id, "analyst", "analyst",
    )  # fmt: skip
    assert entry.detail["instrument"] == "A-MA" and entry.detail["kind"] == "TO"
    # ten calendar days after 2024-05-01: due 2024-05-11, 48 days over on 2024-06-28
    row = next(r for r in _overdue(imported, tmp_path) if r["request_id"] == "R9")
    assert (row["due_on"], row["days_over"], row["what"], row["deemed_accepted"]) == (
        "2024-05-11", "48", "answer", "yes",
    )  # fmt: skip


def test_an_overlapping_term_is_refused_naming_both_and_nothing_is_written(
    client_for: Callable[[Role], TestClient], imported: Retour
) -> None:
    admin = client_for(Role.ADMIN)  # signed in (audited) before the count
    stored = instruments.list_terms(imported)
    entries = len(_entries(imported))
    status, text = _post(
        admin,
        instrument_id="A-PK",
        request_kind="TO",
        reply_days="20",
        day_count="working",
        deemed_accepted="no",
    )
    assert status == 400
    assert "T-PK-TO" in text and "PK TO" in text  # the stored term it overlaps
    assert re.search(r"web-term-[0-9a-f]{8}", text)  # and the one refused
    assert "Terms" in text or "Termijnen" in text  # the field in words
    assert instruments.list_terms(imported) == stored
    assert len(_entries(imported)) == entries


@pytest.mark.parametrize(
    ("lang", "fields"),
    [
        ("en", ("Days to answer", "Days counted", "No answer counts as acceptance",
                "Agreement")),
        ("nl", ("Dagen voor het antwoord", "Telling van de dagen",
                "Geen antwoord geldt als aanvaarding", "Overeenkomst")),
    ],
)  # fmt: skip
def test_every_mistake_names_its_field_in_words(
    client_for: Callable[[Role], TestClient], lang: str, fields: tuple[str, ...]
) -> None:
    analyst = client_for(Role.ANALYST)
    analyst.cookies.set("retour_lang", lang)
    status, text = _post(
        analyst,
        instrument_id="V-MA",  # a visa measure sets no terms
        request_kind="TO",
        reply_days="400",
        day_count="weekly",
        deemed_accepted="maybe",
    )
    assert status == 400
    for field in fields:
        assert f"{field}:" in text, (field, text)
    assert "reply_days" not in text and "day_count" not in text and "Traceback" not in text


def test_a_viewer_cannot_add_terms(
    client_for: Callable[[Role], TestClient], imported: Retour
) -> None:
    viewer = client_for(Role.VIEWER)
    stored = instruments.list_terms(imported)
    token = page_csrf(viewer, "/")
    answer = viewer.post(
        "/instruments/terms",
        data={"csrf_token": token, "instrument_id": "A-MA", "request_kind": "TO",
              "reply_days": "10", "day_count": "calendar", "deemed_accepted": "no"},
    )  # fmt: skip
    assert answer.status_code == 403
    assert instruments.list_terms(imported) == stored
    assert viewer.get("/instruments").status_code == 403

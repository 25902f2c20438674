"""Two clients correct the same row with the same ETag at the same moment, against a running
server (threads): exactly one 200 and one 412, and the stored row is one of the two whole
versions, never a mix. On the backend under test (SQLite, or PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from retour.service import accounts
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.web import create_app

from ..web.test_browser import serving

ROUNDS = 6
WAIT = 20.0


@pytest.fixture
def server(stocked: Retour, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The application on http://127.0.0.1:PORT, in a thread of this process."""
    monkeypatch.setenv("RETOUR_COOKIE_SECURE", "false")
    with serving(create_app(stocked, warm_up=False)) as address:
        yield address


def _versions(n: int) -> tuple[dict[str, object], dict[str, object]]:
    """Two whole, valid versions of request R1's answer, different in every column."""
    negative = {"outcome": "negative", "outcome_on": f"2023-04-{n + 1:02d}",
                "reason": "no_response", "document_on": None}  # fmt: skip
    positive = {"outcome": "positive", "outcome_on": f"2023-05-{n + 1:02d}",
                "reason": None, "document_on": f"2023-06-{n + 1:02d}"}  # fmt: skip
    return negative, positive


def _at_once(
    clients: list[httpx.Client], tag: str, versions: tuple[dict[str, object], ...]
) -> list[int]:
    """Each client PATCHes its version of R1 with the same ETag, released at one moment."""
    gate = threading.Barrier(len(clients))
    statuses = [0] * len(clients)

    def send(i: int) -> None:
        gate.wait()
        answer = clients[i].patch("/api/requests/R1", json=versions[i], headers={"If-Match": tag})
        statuses[i] = answer.status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    return statuses


def test_one_of_two_simultaneous_corrections_wins_whole(stocked: Retour, server: str) -> None:
    tokens = [accounts.create_token(stocked, r.value)[0] for r in (Role.CASEWORKER, Role.ADMIN)]
    clients = [
        httpx.Client(base_url=server, headers={"Authorization": f"Bearer {t}"}, timeout=WAIT)
        for t in tokens
    ]
    try:
        for n in range(ROUNDS):
            tag = clients[0].get("/api/requests/R1").headers["etag"]
            versions = _versions(n)
            statuses = _at_once(clients, tag, versions)
            assert sorted(statuses) == [200, 412], statuses
            stored = clients[0].get("/api/requests/R1").json()["row"]
            winner = versions[statuses.index(200)]
            assert {k: stored[k] for k in winner} == winner
    finally:
        for c in clients:
            c.close()

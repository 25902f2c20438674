"""The recording API's public status codes, per table and role (issue: recording in retour).

POST /api/{table} -> 201 + row + ETag; GET /api/{table}/{id} -> 200 + ETag; PATCH with
If-Match -> 200 + new ETag, 412 when changed since, 428 without; 422 with every violation
in the import's form; 403 viewer and analyst; 401 without a session or token; 404 unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from retour.domain.codes import Table
from retour.service import audit
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.service.records import row_history
from retour.store import read as store_read

Headers = Callable[[Role], dict[str, str]]

#: One new valid row per table, and its id in the API's path.
NEW_ROWS: dict[str, tuple[dict[str, Any], str]] = {
    "cases": ({"case_id": "C3", "nationality": "DZ", "opened_on": "2024-01-05"}, "C3"),
    "requests": (
        {
            "request_id": "R3", "case_id": "C1", "kind": "TO", "country": "MA",
            "submitted_on": "2024-02-01", "id_evidence": "none", "alien_cooperates": "unknown",
            "outcome": "pending",
        },
        "R3",
    ),
    "detentions": (
        {"detention_id": "D2", "case_id": "C1", "started_on": "2024-01-01"}, "D2"
    ),
    "departures": (
        {"departure_id": "X1", "case_id": "C2", "departed_on": "2024-03-01", "type": "forced"},
        "X1",
    ),
    "conditions": (
        {"case_id": "C1", "observed_on": "2024-03-01", "condition": "identity", "state": "green"},
        "C1:2024-03-01:identity",
    ),
}  # fmt: skip

#: One stored row per table and a valid correction of it.
CORRECTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "cases": ("C1", {"closed_on": "2024-03-01", "close_reason": "departed"}),
    "requests": ("R1", {"outcome": "positive", "outcome_on": "2023-03-15"}),
    "detentions": ("D1", {"ended_on": "2023-04-15"}),
    "conditions": ("C1:2023-02-01:identity", {"state": "green"}),
}


@pytest.mark.parametrize("table", list(NEW_ROWS))
def test_post_then_get_gives_the_row_and_its_etag(
    api: TestClient, token_of: Headers, stocked: Retour, table: str
) -> None:
    row, row_id = NEW_ROWS[table]
    made = api.post(f"/api/{table}", json=row, headers=token_of(Role.CASEWORKER))
    assert made.status_code == 201, made.text
    etag = made.headers["etag"]
    assert made.json()["id"] == row_id
    assert {k: made.json()["row"][k] for k in row} == row
    read = api.get(f"/api/{table}/{row_id}", headers=token_of(Role.ADMIN))
    assert read.status_code == 200
    assert read.headers["etag"] == etag
    assert read.json()["row"] == made.json()["row"]
    stored = store_read.read_dataset(stocked.database())[Table(table)]
    assert stored.height == {"cases": 3, "requests": 3, "detentions": 2,
                             "departures": 1, "conditions": 2}[table]  # fmt: skip


@pytest.mark.parametrize("table", list(CORRECTIONS))
def test_patch_with_the_etag_corrects_and_gives_a_new_one(
    api: TestClient, token_of: Headers, table: str
) -> None:
    row_id, change = CORRECTIONS[table]
    headers = token_of(Role.CASEWORKER)
    before = api.get(f"/api/{table}/{row_id}", headers=headers)
    assert before.status_code == 200
    patched = api.patch(
        f"/api/{table}/{row_id}",
        json=change,
        headers={**headers, "If-Match": before.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] != before.headers["etag"]
    assert {k: patched.json()["row"][k] for k in change} == change
    again = api.get(f"/api/{table}/{row_id}", headers=headers)
    assert again.headers["etag"] == patched.headers["etag"]
    assert again.json()["row"] == patched.json()["row"]


def test_patch_with_an_old_etag_is_412_with_what_changed_and_by_whom(
    api: TestClient, token_of: Headers
) -> None:
    headers = token_of(Role.CASEWORKER)
    old = api.get("/api/requests/R1", headers=headers).headers["etag"]
    first = api.patch(
        "/api/requests/R1",
        json={"outcome": "negative", "outcome_on": "2023-04-01", "reason": "no_response"},
        headers={**token_of(Role.ADMIN), "If-Match": old},
    )
    assert first.status_code == 200
    late = api.patch(
        "/api/requests/R1", json={"outcome": "withdrawn"}, headers={**headers, "If-Match": old}
    )
    assert late.status_code == 412
    body = late.json()
    assert late.headers["etag"] == first.headers["etag"]
    assert body["row"]["outcome"] == "negative"
    changed = {(c["column"], c["old"], c["new"], c["by"]) for c in body["changes"]}
    assert changed == {
        ("outcome", "pending", "negative", "admin"),
        ("outcome_on", None, "2023-04-01", "admin"),
        ("reason", None, "no_response", "admin"),
    }
    assert api.get("/api/requests/R1", headers=headers).json()["row"]["outcome"] == "negative"


def test_patch_without_if_match_is_428_and_writes_nothing(
    api: TestClient, token_of: Headers
) -> None:
    headers = token_of(Role.CASEWORKER)
    before = api.get("/api/cases/C2", headers=headers)
    refused = api.patch("/api/requests/R2", json={"document_on": "2023-09-01"}, headers=headers)
    assert refused.status_code == 428
    after = api.get("/api/requests/R2", headers=headers)
    assert after.json()["row"]["document_on"] is None
    assert before.status_code == 200


def test_a_row_that_breaks_rules_is_422_with_every_violation_in_the_import_form(
    api: TestClient, token_of: Headers, stocked: Retour
) -> None:
    before = store_read.read_dataset(stocked.database())
    row = {
        "request_id": "R9", "case_id": "C1", "kind": "LP", "country": "MA",
        "submitted_on": "2024-02-01", "id_evidence": "document", "alien_cooperates": "yes",
        "outcome": "negative", "document_on": "2024-03-01",
    }  # fmt: skip
    refused = api.post("/api/requests", json=row, headers=token_of(Role.CASEWORKER))
    assert refused.status_code == 422
    texts = [v["text"] for v in refused.json()["violations"]]
    assert texts == [
        "requests:-: document_on: only with a positive outcome, not negative (2024-03-01)",
        "requests:-: outcome_on: required when the outcome is negative",
        "requests:-: reason: required when the outcome is negative",
    ]
    after = store_read.read_dataset(stocked.database())
    assert all(after[t].equals(before[t]) for t in before.tables)


def test_relations_to_stored_rows_are_judged_unknown_case_and_overlap(
    api: TestClient, token_of: Headers
) -> None:
    headers = token_of(Role.CASEWORKER)
    unknown = api.post(
        "/api/departures",
        json={"departure_id": "X9", "case_id": "C404", "departed_on": "2024-01-01",
              "type": "forced"},
        headers=headers,
    )  # fmt: skip
    assert unknown.status_code == 422
    assert [v["reason"] for v in unknown.json()["violations"]] == ["unknown_case"]
    overlap = api.post(
        "/api/detentions",
        json={"detention_id": "D9", "case_id": "C1", "started_on": "2023-03-15"},
        headers=headers,
    )
    assert overlap.status_code == 422
    assert [v["text"] for v in overlap.json()["violations"]] == [
        "detentions:-: started_on: overlaps another detention of the same case (2023-03-15)"
    ]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
@pytest.mark.parametrize("method", ["POST", "GET", "PATCH"])
def test_viewer_and_analyst_are_refused_403(
    api: TestClient, token_of: Headers, role: Role, method: str
) -> None:
    path = "/api/requests" if method == "POST" else "/api/requests/R1"
    sent = api.request(method, path, json={"outcome": "pending"}, headers=token_of(role))
    assert sent.status_code == 403


@pytest.mark.parametrize("method", ["POST", "GET", "PATCH"])
def test_without_a_session_or_token_401(api: TestClient, method: str) -> None:
    path = "/api/detentions" if method == "POST" else "/api/detentions/D1"
    assert api.request(method, path, json={}).status_code == 401


@pytest.mark.parametrize(
    "path", ["/api/requests/R404", "/api/conditions/C1:2023-02-02:identity",
             "/api/conditions/nonsense", "/api/detentions/D404", "/api/nothing/1"]
)  # fmt: skip
def test_an_unknown_id_is_404(api: TestClient, token_of: Headers, path: str) -> None:
    headers = token_of(Role.CASEWORKER)
    assert api.get(path, headers=headers).status_code == 404
    patched = api.patch(path, json={"state": "red"}, headers={**headers, "If-Match": '"1-x"'})
    assert patched.status_code == 404


def test_a_stored_id_posted_again_is_409(api: TestClient, token_of: Headers) -> None:
    row = {"case_id": "C1", "nationality": "MA", "opened_on": "2023-01-10"}
    assert api.post("/api/cases", json=row, headers=token_of(Role.CASEWORKER)).status_code == 409


def test_a_v_number_is_pseudonymised_as_on_import_and_never_echoed(
    api: TestClient, token_of: Headers, stocked: Retour
) -> None:
    number = "V-0000-4711"  # synthetic
    headers = token_of(Role.CASEWORKER)
    made = api.post(
        "/api/cases",
        json={"v_number": number, "nationality": "MA", "opened_on": "2024-01-02"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    pseudonym = made.json()["id"]
    assert pseudonym.startswith("p") and len(pseudonym) == 33
    request = {
        "request_id": "R7", "v_number": number, "kind": "LP", "country": "MA",
        "submitted_on": "2024-02-01", "id_evidence": "none", "alien_cooperates": "no",
        "outcome": "pending",
    }  # fmt: skip
    second = api.post("/api/requests", json=request, headers=headers)
    assert second.status_code == 201, second.text
    assert second.json()["row"]["case_id"] == pseudonym
    wrong = api.post("/api/requests", json={**request, "request_id": "R8", "v_number": "V-9"},
                     headers=headers)  # fmt: skip
    assert wrong.status_code == 422
    assert [(v["column"], v["value"]) for v in wrong.json()["violations"]] == [("v_number", None)]
    said = made.text + second.text + wrong.text
    said += json.dumps([c.as_json() for c in row_history(stocked, pseudonym)])
    said += json.dumps([e.detail for e in audit.read_log(stocked, limit=50)])
    said += store_read.read_dataset(stocked.database())[Table.CASES].write_csv()
    assert "4711" not in said and "V-9" not in said


def test_a_refused_recording_is_in_the_audit_log(
    api: TestClient, token_of: Headers, stocked: Retour
) -> None:
    sent = api.post("/api/requests", json={"request_id": "R5"}, headers=token_of(Role.VIEWER))
    assert sent.status_code == 403
    refused = [e for e in audit.read_log(stocked, limit=5) if e.action == "access_refused"]
    assert [(e.actor, e.subject) for e in refused] == [("viewer", "record")]


def test_a_row_says_where_its_value_came_from(api: TestClient, token_of: Headers) -> None:
    headers = token_of(Role.CASEWORKER)
    imported = api.get("/api/detentions/D1", headers=headers)
    assert imported.json()["origin"] == {
        "recorded": False, "import": 1, "container": "extract", "extracted_on": "2024-03-31",
    }  # fmt: skip
    patched = api.patch(
        "/api/detentions/D1",
        json={"end_reason": "court_order"},
        headers={**headers, "If-Match": imported.headers["etag"]},
    )
    assert patched.json()["origin"]["by"] == "caseworker"
    again = api.get("/api/detentions/D1", headers=token_of(Role.ADMIN)).json()["origin"]
    assert (again["recorded"], again["by"]) == (True, "caseworker")


def test_a_nul_character_is_refused_not_a_server_error(api: TestClient, token_of: Headers) -> None:
    headers = token_of(Role.CASEWORKER)
    row = {"case_id": "C\x009", "nationality": "MA", "opened_on": "2024-01-02"}
    refused = api.post("/api/cases", json=row, headers=headers)
    assert refused.status_code == 422
    assert [v["text"] for v in refused.json()["violations"]] == [
        "cases:-: case_id: contains a NUL character"
    ]
    assert api.get("/api/requests/R%00", headers=headers).status_code == 404


def test_the_webs_figures_follow_a_recording_at_once(api: TestClient, token_of: Headers) -> None:
    headers = token_of(Role.ADMIN)
    asked = {"profile": "internal", "by": "outcome", "years": "2023"}
    before = api.get("/api/figures/requests", params=asked, headers=headers)
    assert before.status_code == 200
    tag = api.get("/api/requests/R1", headers=headers).headers["etag"]
    change = {"outcome": "withdrawn", "outcome_on": "2023-03-01", "reason": "alien_absconded"}
    patched = api.patch("/api/requests/R1", json=change, headers={**headers, "If-Match": tag})
    assert patched.status_code == 200
    after = api.get("/api/figures/requests", params=asked, headers=headers)
    assert after.json()["fingerprint"] != before.json()["fingerprint"]
    assert _withdrawn(before.json()) == 0
    assert _withdrawn(after.json()) == 1


def _withdrawn(document: dict[str, Any]) -> int:
    """The count of withdrawn requests in a figures document."""
    text = json.dumps(document["tables"])
    cells = re.findall(r'"outcome": "withdrawn", "n": (\d+)', text)
    assert cells, text[:300]
    return int(cells[0])

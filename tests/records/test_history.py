"""Every recording audited with what changed, and `retour history ID` showing it (a process
of its own, COLUMNS=80, piped, in Dutch and English); derived figures follow a recording."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from retour.reports.case import case_document
from retour.service import audit, cases, figures, publication
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.service.records import RecordTable, row_history

from ..process import retour

Headers = Callable[[Role], dict[str, str]]


def _correct(api: TestClient, headers: dict[str, str], path: str, change: dict[str, str]) -> str:
    tag = api.get(path, headers=headers).headers["etag"]
    done = api.patch(path, json=change, headers={**headers, "If-Match": tag})
    assert done.status_code == 200, done.text
    return done.headers["etag"]


@pytest.fixture
def corrected(api: TestClient, token_of: Headers) -> None:
    """R1 answered positive, then its answer date corrected, by two users."""
    _correct(api, token_of(Role.CASEWORKER), "/api/requests/R1",
             {"outcome": "positive", "outcome_on": "2023-03-15"})  # fmt: skip
    _correct(api, token_of(Role.ADMIN), "/api/requests/R1", {"outcome_on": "2023-03-20"})


def test_every_change_is_audited_per_column(stocked: Retour, corrected: None) -> None:
    changes = [(c.actor, c.column, c.old, c.new) for c in row_history(stocked, "R1")]
    assert changes == [
        ("caseworker", "outcome", "pending", "positive"),
        ("caseworker", "outcome_on", None, "2023-03-15"),
        ("admin", "outcome_on", "2023-03-15", "2023-03-20"),
    ]
    assert row_history(stocked, "R1", RecordTable.CASES) == []
    logged = [
        (e.action, e.subject, e.detail["table"], e.via)
        for e in audit.read_log(stocked, limit=10)
        if e.action.startswith("record_")
    ]
    assert logged == [("record_corrected", "R1", "requests", "api")] * 2


def test_a_new_row_is_audited_with_its_values(
    api: TestClient, token_of: Headers, stocked: Retour
) -> None:
    row = {"case_id": "C1", "observed_on": "2024-03-01", "condition": "identity", "state": "green"}
    assert (
        api.post("/api/conditions", json=row, headers=token_of(Role.CASEWORKER)).status_code == 201
    )
    shown = {(c.column, c.old, c.new) for c in row_history(stocked, "C1:2024-03-01:identity")}
    assert shown == {(k, None, v) for k, v in row.items()}
    entry = next(e for e in audit.read_log(stocked, limit=5) if e.action == "record_added")
    assert entry.subject == "C1:2024-03-01:identity"


@pytest.mark.parametrize(
    ("lang", "title", "header"),
    [
        ("nl", "Wijzigingen van R1", "kolom"),
        ("en", "Changes of R1 recorded in retour", "column"),
    ],
)
def test_retour_history_shows_a_rows_changes(
    stocked: Retour, corrected: None, record_env: str, tmp_path: Path,
    lang: str, title: str, header: str,
) -> None:  # fmt: skip
    done = retour(["history", "R1", "--lang", lang], tmp_path, RETOUR_DB=record_env, COLUMNS="80")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert title in out and header in out
    assert "pending" in out and "positive" in out and "2023-03-20" in out
    assert "caseworker" in out and "admin" in out
    assert "…" not in out  # piped: as wide as its contents, nothing cut
    other = {"nl": "column", "en": "kolom"}[lang]
    assert other not in out


@pytest.mark.parametrize(
    ("lang", "said"),
    [("nl", "Van Q9 is niets vastgelegd"), ("en", "Nothing of Q9 was recorded")],
)
def test_retour_history_of_a_row_never_changed_says_so(
    stocked: Retour, record_env: str, tmp_path: Path, lang: str, said: str
) -> None:
    done = retour(["history", "Q9", "--lang", lang], tmp_path, RETOUR_DB=record_env, COLUMNS="80")
    assert done.returncode == 0, done.stderr
    assert said in done.stdout


def test_retour_history_as_json(
    stocked: Retour, corrected: None, record_env: str, tmp_path: Path
) -> None:
    done = retour(["history", "R1", "--format", "json"], tmp_path, RETOUR_DB=record_env)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [(c["column"], c["new"]) for c in found["changes"]] == [
        ("outcome", "positive"), ("outcome_on", "2023-03-15"), ("outcome_on", "2023-03-20")
    ]  # fmt: skip


def test_an_unknown_table_is_one_line_and_status_2(
    stocked: Retour, record_env: str, tmp_path: Path
) -> None:
    done = retour(["history", "R1", "--table", "nope", "--lang", "en"], tmp_path,
                  RETOUR_DB=record_env, COLUMNS="80")  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "no table nope" in done.stderr


def test_derived_figures_and_the_case_view_follow_a_recording(
    api: TestClient, token_of: Headers, stocked: Retour
) -> None:
    db = stocked.database()
    before = publication.provenance(db)
    counted = _outcomes(stocked)
    view = case_document(cases.case_view(stocked, "C1", None, actor="t", via="cli"))
    _correct(api, token_of(Role.CASEWORKER), "/api/requests/R1",
             {"outcome": "positive", "outcome_on": "2023-03-15"})  # fmt: skip
    after = publication.provenance(db)
    assert after.fingerprint != before.fingerprint
    assert _outcomes(stocked) != counted
    seen = case_document(cases.case_view(stocked, "C1", None, actor="t", via="cli"))
    assert seen.requests != view.requests


def _outcomes(app: Retour) -> str:
    answer = figures.request_figures(app, profile="internal", by="outcome", years="2023")
    return str(answer.tables[0].table)

"""Fixtures of recording: a small imported dataset, users of every role, bearer tokens.

Every id is synthetic. The dataset is written as CSV text so each test sees exactly which
rows are stored: two cases, a pending and a positive request, one detention.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from retour.config import load_settings
from retour.service import accounts, datasets
from retour.service.accounts import Role
from retour.service.context import Retour

from ..conftest import TEST_SECRET

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from retour.web import create_app

PASSWORD = "a long test passphrase"
EXTRACTED = dt.date(2024, 3, 31)
BASE_URL = "https://testserver"

FILES = {
    "dataset.json": (
        '{"format": "retour/1", "source": "test extract", "extracted_on": "2024-03-31"}'
    ),
    "cases.csv": (
        "case_id,nationality,opened_on,sex,birth_year,closed_on,close_reason\n"
        "C1,MA,2023-01-10,M,1990,,\n"
        "C2,NG,2023-05-02,F,1985,,\n"
    ),
    "requests.csv": (
        "request_id,case_id,kind,country,submitted_on,id_evidence,alien_cooperates,outcome,"
        "outcome_on,reason,document_on\n"
        "R1,C1,LP,MA,2023-02-01,document,yes,pending,,,\n"
        "R2,C2,LP,NG,2023-06-01,indirect,no,positive,2023-08-01,,\n"
    ),
    "detentions.csv": (
        "detention_id,case_id,started_on,ended_on,end_reason\nD1,C1,2023-03-01,2023-04-01,other\n"
    ),
    "departures.csv": "departure_id,case_id,departed_on,type,destination,assisted\n",
    "conditions.csv": "case_id,observed_on,condition,state\nC1,2023-02-01,identity,red\n",
    "instruments.csv": "instrument_id,country,kind,level,status,start_on,end_on,title,source\n",
    "assessments.csv": "country,assessed_on,level,note\n",
}


def write_extract(folder: Path, files: dict[str, str] = FILES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with small costs (still argon2id)."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def record_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("RETOUR_DB", database_url)
    monkeypatch.setenv("RETOUR_SECRET", TEST_SECRET)
    monkeypatch.setenv("RETOUR_SESSION_SECRET", "records-test-session-secret-0123456789")
    return database_url


@pytest.fixture
def stocked(record_env: str, tmp_path: Path) -> Iterator[Retour]:
    """The application over a database holding the small extract and a user of each role."""
    with Retour(settings=load_settings()) as app:
        datasets.import_dataset(app, write_extract(tmp_path / "extract"), today=EXTRACTED)
        for role in Role:
            accounts.add_user(app, role.value, role, PASSWORD)
        yield app


@pytest.fixture
def token_of(stocked: Retour) -> Callable[[Role], dict[str, str]]:
    """The Authorization header of a bearer token of the user with `role`."""
    made: dict[Role, dict[str, str]] = {}

    def header(role: Role) -> dict[str, str]:
        if role not in made:
            token, _ = accounts.create_token(stocked, role.value)
            made[role] = {"Authorization": f"Bearer {token}"}
        return made[role]

    return header


@pytest.fixture
def api(stocked: Retour) -> TestClient:
    return TestClient(create_app(stocked, warm_up=False), base_url=BASE_URL)  # type: ignore[arg-type]

"""Fixtures of the web dashboard: a database with figures, users of every role, clients.

Every id and name is synthetic; no personal data. The clients speak HTTPS to the test
server, so the session cookies keep their Secure flag as in production.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from retour.config import load_settings
from retour.exchange import write_dataset
from retour.service import accounts, datasets, outside
from retour.service.accounts import Role
from retour.service.context import Retour

from ..conftest import TEST_SECRET
from ..figures.data import make

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from retour.web import create_app

SESSION_SECRET = "web-test-session-secret-0123456789abcdef"
PASSWORD = "a long test passphrase"
TODAY = dt.date(2024, 6, 1)
#: Confidential in every web test: pooled as "other countries" outside the internal profile.
CONFIDENTIAL = ("MA", "DZ")
BASE_URL = "https://testserver"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')

#: Eurostat's orders to leave and returns of Nigerians (SDMX TSV): the country page's
#: European context and its chart.
ORDERED_TSV = (
    "freq,citizen,age,sex,unit,geo\\TIME_PERIOD\t2019 \t2020 \n"
    "A,NG,TOTAL,T,PER,NL\t1000 \t800 p\n"
    "A,NG,TOTAL,T,PER,BE\t2000 \t1500 \n"
    "A,NG,TOTAL,T,PER,EU27_2020\t30000 \t25000 e\n"
)
RETURNED_TSV = (
    "freq,c_dest,citizen,age,sex,unit,geo\\TIME_PERIOD\t2019 \t2020 \n"
    "A,TOTAL,NG,TOTAL,T,PER,NL\t250 d\t200 \n"
    "A,TOTAL,NG,TOTAL,T,PER,BE\t500 \t450 \n"
    "A,TOTAL,NG,TOTAL,T,PER,EU27_2020\t9000 \t8000 \n"
)


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with small costs: the defaults take ~0.2 s a hash, on purpose. Still argon2id;
    test_auth checks the production parameters separately."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def web_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("RETOUR_DB", database_url)
    monkeypatch.setenv("RETOUR_SECRET", TEST_SECRET)
    monkeypatch.setenv("RETOUR_SESSION_SECRET", SESSION_SECRET)
    monkeypatch.setenv("RETOUR_CONFIDENTIAL", '["MA", "DZ"]')
    monkeypatch.setenv("RETOUR_LOCKOUT_THRESHOLD", "3")
    return database_url


@pytest.fixture
def retour_app(web_env: str) -> Iterator[Retour]:
    with Retour(settings=load_settings()) as app:
        yield app


def load_figures(app: Retour, folder: Path, *, requests: int = 600) -> None:
    """The figures tests' random dataset, imported as `retour import` does."""
    write_dataset(make(requests=requests), folder)
    datasets.import_dataset(app, folder, today=TODAY)


def load_context(app: Retour, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "migr_eiord.tsv").write_text(ORDERED_TSV, encoding="utf-8")
    (folder / "migr_eirtn.tsv").write_text(RETURNED_TSV, encoding="utf-8")
    done = list(outside.import_files(app, [folder / "migr_eiord.tsv", folder / "migr_eirtn.tsv"]))
    assert all(f.ok for f in done), [f.problems for f in done]


@pytest.fixture
def loaded(retour_app: Retour, tmp_path: Path) -> Retour:
    """The application over a database holding the figures dataset and Eurostat context."""
    load_figures(retour_app, tmp_path / "dataset")
    load_context(retour_app, tmp_path / "eurostat")
    return retour_app


@pytest.fixture
def users(retour_app: Retour) -> dict[Role, str]:
    """One user of every role, named after it; all share PASSWORD."""
    for role in Role:
        accounts.add_user(retour_app, role.value, role, PASSWORD)
    return {role: role.value for role in Role}


@pytest.fixture
def web(loaded: Retour, users: dict[Role, str]) -> object:
    return create_app(loaded, warm_up=False)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def new_client(app: object) -> TestClient:
    return TestClient(app, base_url=BASE_URL)  # type: ignore[arg-type]


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def client_for(web: object) -> Callable[[Role | None], TestClient]:
    """A client signed in with `role` (None: not signed in)."""
    made: dict[Role | None, TestClient] = {}

    def make_client(role: Role | None) -> TestClient:
        if role not in made:
            client = new_client(web)
            made[role] = sign_in(client, role.value) if role is not None else client
        return made[role]

    return make_client


def page_csrf(client: TestClient, path: str = "/") -> str:
    """The CSRF token of the client's session, as its pages carry it."""
    return csrf_of(client.get(path).text)

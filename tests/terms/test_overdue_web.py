"""The web's overdue page as its users meet it: the list under the internal profile equals
the row-by-row oracle, counts under the others, every caption names its filters (nl, en),
CSV and xlsx downloads are audited exports, a viewer is refused (and the refusal audited)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from retour.config import load_settings
from retour.service import accounts, audit, datasets
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.web import create_app

from ..web.conftest import (  # noqa: F401 - fixtures used by name
    PASSWORD,
    TestClient,
    _quick_hashes,
    new_client,
    retour_app,
    sign_in,
    users,
    web_env,
)
from ..web.test_browser import WAIT, browser, errors, serving, shot, text_of  # noqa: F401
from . import generated, oracle
from .fixture import write

SEED = 3
ON = generated.EXTRACTED  # the extraction date: the page's default
FILES = generated.dataset(SEED)
HEADER = "request_id,case_id,country,kind,submitted_on,due_on,days_over,what,deemed_accepted"


@pytest.fixture
def with_terms(retour_app: Retour, users: dict[Role, str], tmp_path: Path) -> Retour:  # noqa: F811
    folder = write(tmp_path / "data", FILES)
    datasets.import_dataset(retour_app, folder, today=dt.date(2024, 7, 1))
    return retour_app


@pytest.fixture
def client_for(with_terms: Retour) -> Iterator[Callable[[Role], TestClient]]:
    web = create_app(with_terms, warm_up=False)
    made: dict[Role, TestClient] = {}

    def make(role: Role) -> TestClient:
        if role not in made:
            made[role] = sign_in(new_client(web), role.value)
        return made[role]

    yield make


def _text(html: str) -> str:
    main = html.split('id="main"', 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&amp;", "&")


def _caption(html: str) -> str:
    found = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S)
    assert found, "no table caption on the page"
    return found.group(1).replace("&amp;", "&").strip()


def _expected(on: dt.date = ON, **only: str) -> list[tuple[str, ...]]:
    rows = [tuple(str(v) for v in r) for r in oracle.overdue(FILES, on)]
    index = {"country": 2, "kind": 3, "what": 7}
    return [r for r in rows if all(r[index[k]] == v for k, v in only.items())]


def _csv(text: str) -> list[tuple[str, ...]]:
    lines = text.splitlines()
    assert lines[0] == HEADER
    return [tuple(r) for r in csv.reader(io.StringIO("\n".join(lines[1:])))]


def _last(app: Retour) -> audit.AuditEntry:
    return audit.read_log(app, limit=1)[0]


@pytest.mark.parametrize(
    ("query", "only"),
    [
        pytest.param("", {}, id="everything"),
        pytest.param("&country=PK&kind=LP", {"country": "PK", "kind": "LP"}, id="country-kind"),
        pytest.param("&what=document", {"what": "document"}, id="documents"),
        pytest.param("&on=2024-03-15&country=PK", {"country": "PK"}, id="a-date"),
    ],
)
def test_the_internal_list_and_its_csv_equal_the_oracle(
    client_for: Callable[[Role], TestClient],
    with_terms: Retour,
    query: str,
    only: dict[str, str],
) -> None:
    analyst = client_for(Role.ANALYST)
    on = dt.date.fromisoformat(query.split("on=")[1][:10]) if "on=" in query else ON
    expected = _expected(on, **only)
    assert expected, "the generated data should have something overdue here"
    page = analyst.get(f"/overdue?profile=internal{query}")
    assert page.status_code == 200, page.text
    shown = re.findall(r'<th scope="row">(R\d+)</th>', page.text)
    assert shown == [r[0] for r in expected]  # the oracle's order: country, days over
    download = analyst.get(f"/overdue/csv?profile=internal{query}")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert _csv(download.text) == expected
    entry = _last(with_terms)
    assert (entry.action, entry.subject, entry.actor) == ("export_figures", "overdue", "analyst")
    assert entry.detail["format"] == "csv" and entry.detail["rows"] == len(expected)
    assert entry.profile == "internal"


@pytest.mark.parametrize(
    ("lang", "parts"),
    [
        ("nl", ("Over de termijn op 2024-06-28", "land: Pakistan (PK)", "soort verzoek: LP",
                "uitblijvend: reisdocument", "profiel: intern")),
        ("en", ("Overdue on 2024-06-28", "country: Pakistan (PK)", "kind of request: LP",
                "overdue: travel document", "profile: internal")),
    ],
)  # fmt: skip
def test_the_caption_names_every_filter_in_both_languages(
    client_for: Callable[[Role], TestClient], lang: str, parts: tuple[str, ...]
) -> None:
    analyst = client_for(Role.ANALYST)
    analyst.cookies.set("retour_lang", lang)
    page = analyst.get("/overdue?profile=internal&country=PK&kind=LP&what=document")
    assert page.status_code == 200
    caption = _caption(page.text)
    for part in parts:
        assert part in caption, (part, caption)
    other = "Over de termijn" if lang == "en" else "Overdue on"
    assert other not in _text(page.text)


def test_under_public_the_page_counts_and_lists_no_request(
    client_for: Callable[[Role], TestClient], with_terms: Retour
) -> None:
    for role in (Role.CASEWORKER, Role.ANALYST):
        page = client_for(role).get("/overdue?profile=public")
        assert page.status_code == 200
        text = _text(page.text)
        assert not re.search(r"\bR\d+\b", text) and not re.search(r"\bC\d+\b", text)
        assert "1-30" in text and "366+" in text  # the bands of days over across
        assert "profiel: openbaar" in _caption(page.text)
    # a caseworker asking for the internal list gets the counts, and is told so
    page = client_for(Role.CASEWORKER).get("/overdue?profile=internal")
    assert "profiel: openbaar" in _caption(page.text)
    assert not re.search(r"\bR\d+\b", _text(page.text))
    download = client_for(Role.CASEWORKER).get("/overdue/csv?profile=internal")
    assert download.text.splitlines()[0] == "country,kind,what,days_over_band,n"
    assert _last(with_terms).profile == "public"


def test_the_workbook_is_an_audited_export_with_its_filters_in_the_caption(
    client_for: Callable[[Role], TestClient], with_terms: Retour, tmp_path: Path
) -> None:
    analyst = client_for(Role.ANALYST)
    analyst.cookies.set("retour_lang", "en")
    answer = analyst.get("/overdue/xlsx?profile=internal&kind=TO&what=answer")
    assert answer.status_code == 200
    assert "spreadsheetml" in answer.headers["content-type"]
    assert (
        'filename="retour-overdue-2024-06-28-TO-answer-internal.xlsx"'
        in (answer.headers["content-disposition"])
    )
    path = tmp_path / "overdue.xlsx"
    path.write_bytes(answer.content)
    book = openpyxl.load_workbook(path)
    first = book.worksheets[0]
    texts = [str(c.value) for row in first.iter_rows(max_row=3) for c in row if c.value]
    assert any("Overdue on 2024-06-28" in t and "kind TO" in t and "answer" in t for t in texts)
    expected = _expected(kind="TO", what="answer")
    listed = {
        str(c.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and re.fullmatch(r"R\d+", c.value)
    }
    assert listed == {r[0] for r in expected}
    entry = _last(with_terms)
    assert (entry.action, entry.subject, entry.detail["format"]) == (
        "export_figures", "overdue", "xlsx",
    )  # fmt: skip
    assert (entry.detail["kind"], entry.detail["what"]) == ("TO", "answer")


@pytest.mark.parametrize("path", ["/overdue", "/overdue/csv", "/overdue/xlsx"])
def test_a_viewer_is_refused_and_the_refusal_audited(
    client_for: Callable[[Role], TestClient], with_terms: Retour, path: str
) -> None:
    viewer = client_for(Role.VIEWER)
    answer = viewer.get(f"{path}?country=PK", follow_redirects=False)
    assert answer.status_code == 403
    entry = _last(with_terms)
    assert (entry.action, entry.subject, entry.actor) == ("access_refused", "overdue", "viewer")
    assert "PK" not in str(entry.detail)
    assert "/overdue" not in viewer.get("/").text  # no link to it either
    assert 'href="/overdue"' in client_for(Role.CASEWORKER).get("/").text


def test_a_mistake_is_said_in_words_on_the_page(client_for: Callable[[Role], TestClient]) -> None:
    analyst = client_for(Role.ANALYST)
    analyst.cookies.set("retour_lang", "en")
    page = analyst.get("/overdue?on=2024-13-01")
    assert page.status_code == 400
    assert "Date 2024-13-01: not a date." in _text(page.text)
    assert "Traceback" not in page.text and "--on" not in page.text


# -- in a real Chromium --------------------------------------------------------------------


@pytest.fixture
def terms_server(
    web_env: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """The dashboard over the generated data on http://127.0.0.1:PORT, with an analyst."""
    monkeypatch.setenv("RETOUR_COOKIE_SECURE", "false")
    app = Retour(settings=load_settings())
    datasets.import_dataset(app, write(tmp_path / "data", FILES), today=dt.date(2024, 7, 1))
    accounts.add_user(app, "analyst", Role.ANALYST, PASSWORD)
    try:
        with serving(create_app(app, warm_up=False)) as address:
            yield address
    finally:
        app.close()


def test_a_browser_filters_the_overdue_page_in_both_languages(
    terms_server: str,
    browser: webdriver.Chrome,  # noqa: F811
) -> None:
    wait = WebDriverWait(browser, WAIT)
    browser.get(f"{terms_server}/login")
    browser.find_element(By.ID, "name").send_keys("analyst")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "nav a[href='/overdue']")))
    browser.find_element(By.CSS_SELECTOR, "nav a[href='/overdue']").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#overdue figcaption")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Verzoeken over de termijn"
    assert "profiel: openbaar" in text_of(browser, "#overdue figcaption")  # the safest first
    # the internal list, then one country's documents: htmx replaces the table
    Select(browser.find_element(By.ID, "profile")).select_by_value("internal")
    wait.until(lambda d: "profiel: intern" in text_of(d, "#overdue figcaption"))
    Select(browser.find_element(By.ID, "country")).select_by_value("PK")
    wait.until(lambda d: "Pakistan (PK)" in text_of(d, "#overdue figcaption"))
    Select(browser.find_element(By.ID, "what")).select_by_value("document")
    wait.until(lambda d: "uitblijvend: reisdocument" in text_of(d, "#overdue figcaption"))
    assert "country=PK" in browser.current_url and "what=document" in browser.current_url
    shown = browser.execute_script(
        "return [...document.querySelectorAll('#overdue tbody th')].map(c => c.innerText)"
    )
    assert shown == [r[0] for r in _expected(country="PK", what="document")]
    shot(browser, "overdue-nl")
    # English: the same filters, said in English
    browser.find_element(By.CSS_SELECTOR, "header .who button[lang=en]").click()
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Overdue requests"))
    caption = text_of(browser, "#overdue figcaption")
    for part in ("Overdue on 2024-06-28", "country: Pakistan (PK)", "kind of request: LP and T&O",
                 "overdue: travel document", "profile: internal"):  # fmt: skip
        assert part in caption, (part, caption)
    links = browser.execute_script(
        "return [...document.querySelectorAll('#results a[download]')].map(a => a.href)"
    )
    assert any("/overdue/csv?" in h and "country=PK" in h and "what=document" in h for h in links)
    assert any("/overdue/xlsx?" in h for h in links)
    shot(browser, "overdue-en")
    assert errors(browser) == []

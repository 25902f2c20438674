"""The country page beside its index, and the overview's list of countries, as a user meets
them: the agreed time limits in force, the overdue requests (counts through the profile),
the shares kept per year, "not assessed" for a country under a status (Syria, Somalia), the
event-study chart of an instrument, the model-free check in the index table; the overview
lists the countries with instruments or a status but no requests (no index) and sorts the
countries by their share answered in time -- in nl and en, over HTTP and in a real Chromium
(no chart text outside its drawing).

The data: the simulated NL world (2019-2023, extracted 2024-01-01, tests/loading).
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from retour.config import load_settings
from retour.disclosure import Language
from retour.service import accounts
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.web import create_app

from ..conftest import TEST_SECRET
from ..loading import simulated_nl_sqlite
from .conftest import PASSWORD, SESSION_SECRET, new_client, page_csrf, sign_in
from .test_browser import browser, clipped, serving, shot
from .test_languages import visible

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow
__all__ = ["browser"]  # the Chromium fixture of test_browser

NO_INDEX = {"nl": "geen verzoeken: geen index", "en": "no requests: no index"}
STATUS = {
    "SY": {
        "nl": "LP en T&O: niet beoordeeld, gedwongen terugkeer opgeschort sinds 2017-01-01.",
        "en": "LP and T&O: not assessed, forced return suspended since 2017-01-01.",
    },
    "SO": {
        "nl": "LP: niet beoordeeld, geen procedure voor reisdocumenten sinds 2017-01-01.",
        "en": "LP: not assessed, no document process since 2017-01-01.",
    },
}
LIST_STATUS = {
    "nl": "niet beoordeeld: gedwongen terugkeer opgeschort sinds 2017-01-01",
    "en": "not assessed: forced return suspended since 2017-01-01",
}
TERMS = {"nl": "Afgesproken termijnen", "en": "Agreed time limits"}
EVENT = {"nl": "Per kwartaal rond de start", "en": "Quarter by quarter around the start"}
CHECK = {"nl": "Controle (alleen de gegevens)", "en": "Check (data alone)"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Retour, dict[str, str]]]:
    root = tmp_path_factory.mktemp("country_page")
    env = {
        "RETOUR_SETTINGS": str(root / "settings.toml"),
        "RETOUR_SECRET": TEST_SECRET,
        "RETOUR_SESSION_SECRET": SESSION_SECRET,
        "RETOUR_COOKIE_SECURE": "false",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    url = simulated_nl_sqlite(root)
    app = Retour(settings=load_settings(db=url, data_dir=root))
    for role in (Role.ANALYST, Role.VIEWER):
        accounts.add_user(app, role.value, role, PASSWORD)
    try:
        yield app, {**os.environ, "RETOUR_DB": url, "COLUMNS": "80"}
    finally:
        app.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def web(world: tuple[Retour, dict[str, str]]) -> object:
    return create_app(world[0], warm_up=False)


@pytest.fixture(scope="module")
def speaking(web: object) -> Callable[[Language], TestClient]:
    """An analyst's client in ``lang``, set as a user sets it (the switch's form)."""
    made: dict[Language, TestClient] = {}

    def client(lang: Language) -> TestClient:
        if lang not in made:
            c = sign_in(new_client(web), Role.ANALYST.value)
            done = c.post(
                "/lang",
                data={"lang": lang, "next": "/", "csrf_token": page_csrf(c)},
                follow_redirects=False,
            )
            assert done.status_code == 303
            made[lang] = c
        return made[lang]

    return client


def _get(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    return response.text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_country_page_shows_the_time_limits_beside_the_index(
    speaking: Callable[[Language], TestClient], lang: Language
) -> None:
    page = _get(speaking(lang), "/countries/LK?profile=public")
    text = visible(page, lang)
    assert TERMS[lang] in text
    assert 'id="terms-1"' in page  # the terms in force
    caption = (
        "Termijnen voor Sri Lanka die gelden op 2024-01-01"
        if lang == "nl"
        else ("Time limits in force for Sri Lanka on 2024-01-01")
    )
    assert caption in text
    assert CHECK[lang] in text  # the model-free check stands beside the index
    assert 'id="index-table"' in page


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("code", ["SY", "SO"])
def test_a_country_under_a_status_is_not_assessed_on_its_page(
    speaking: Callable[[Language], TestClient], code: str, lang: Language
) -> None:
    text = visible(_get(speaking(lang), f"/countries/{code}?profile=public"), lang)
    assert STATUS[code][lang] in text


def _list_rows(page: str) -> list[tuple[str, str, str]]:
    """(code, in-time share, note) of every row of the overview's list of countries."""
    body = re.search(r'<table id="country-list">.*?</table>', page, re.S)
    assert body, "no list of countries"
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(0), re.S)
    found = []
    for row in rows:
        code = re.search(r'href="/countries/([A-Z]+)', row)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if code and len(cells) == 3:
            found.append((code.group(1), cells[1].strip(), re.sub(r"\s+", " ", cells[2]).strip()))
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_overview_lists_countries_without_requests_without_an_index(
    speaking: Callable[[Language], TestClient], lang: Language
) -> None:
    rows = {code: note for code, _share, note in _list_rows(_get(speaking(lang), "/"))}
    assert NO_INDEX[lang] in rows["SY"] and LIST_STATUS[lang] in rows["SY"]
    assert NO_INDEX[lang] in rows["SO"]
    assert NO_INDEX[lang] not in rows["MA"]


def _shares_of_figures_terms(env: dict[str, str]) -> dict[str, float]:
    """The in-time share per country over the default years, as `retour figures terms`
    publishes it under public (another face of the same figures)."""
    done = subprocess.run(
        [sys.executable, "-m", "retour", "figures", "terms", "--by", "country", "--format", "csv",
         "--profile", "public"],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {
        r["country"]: float(r["in_time_share"])
        for r in csv.DictReader(io.StringIO(done.stdout))
        if r["in_time_share"] and r["country"] not in ("", "Total", "Totaal")
    }


def test_the_overview_sorts_countries_by_their_share_answered_in_time(
    world: tuple[Retour, dict[str, str]], speaking: Callable[[Language], TestClient]
) -> None:
    page = _get(speaking("en"), "/?profile=public&countries=in_time")
    rows = _list_rows(page)
    shares = _shares_of_figures_terms(world[1])
    assert shares, "the simulated world has requests with terms"
    with_share = [code for code, share, _ in rows if share != "–"]
    assert set(with_share) == set(shares)
    assert [shares[c] for c in with_share] == sorted(shares.values(), reverse=True)
    first = len(with_share)
    assert all(share == "–" for _, share, _ in rows[first:])  # countries without one last
    for code, share, _ in rows[:first]:
        assert share == f"{round(shares[code] * 100)}%"
    assert "order: by share answered in time" in visible(page, "en")
    by_name = _list_rows(_get(speaking("en"), "/?profile=public&countries=name"))
    assert sorted(c for c, _, _ in by_name) == sorted(c for c, _, _ in rows)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_event_study_chart_is_on_the_country_page(
    speaking: Callable[[Language], TestClient], lang: Language
) -> None:
    page = _get(speaking(lang), "/countries/MA?profile=public")
    assert EVENT[lang] in visible(page, lang)
    figure = re.search(r'<figure class="chart" id="event-study-chart">(.*?)</figure>', page, re.S)
    assert figure and "<svg" in figure.group(1)
    for offset in ("-4", "+6"):
        assert f">{offset}<" in figure.group(1)


# -- in Chromium ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(world: tuple[Retour, dict[str, str]]) -> Iterator[str]:
    with serving(create_app(world[0], warm_up=False)) as address:
        yield address


def test_in_chromium_the_new_parts_are_drawn_and_nothing_is_clipped(
    server: str, browser: webdriver.Chrome
) -> None:
    wait = WebDriverWait(browser, 300)
    browser.get(f"{server}/login")
    wait.until(ec.presence_of_element_located((By.ID, "name")))
    browser.find_element(By.ID, "name").send_keys(Role.ANALYST.value)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait.until(ec.url_to_be(f"{server}/"))
    browser.get(f"{server}/countries/MA?profile=public")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#event-study-chart svg")))
    event = browser.find_element(By.CSS_SELECTOR, "#event-study-chart svg")
    assert event.size["width"] > 100 and event.size["height"] > 100
    assert len(event.find_elements(By.CSS_SELECTOR, "line, path, text")) > 20
    assert clipped(browser) == []
    shot(browser, "10-country-MA-event-study")
    browser.get(f"{server}/countries/LK?profile=public")
    wait.until(ec.presence_of_element_located((By.ID, "terms-1")))
    assert clipped(browser) == []
    shot(browser, "11-country-LK-terms")
    browser.get(f"{server}/?countries=in_time")
    wait.until(ec.presence_of_element_located((By.ID, "country-list")))
    links = browser.find_elements(By.CSS_SELECTOR, "#country-list a[href='/countries/SY']")
    assert links
    links[0].click()
    wait.until(ec.url_contains("/countries/SY"))
    assert "niet beoordeeld" in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "12-country-SY")

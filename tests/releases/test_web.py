"""The register on the web: /releases for analysts and admins (others 403, no session to the
login page), in Dutch and English; a workbook downloaded on the web is registered under the
signed-in user and role, and /releases/{id}/file gives back its bytes; a real Chromium opens
the page from the navigation."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from selenium import webdriver
from selenium.webdriver.common.by import By

from retour.config import load_settings
from retour.service import figures
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.service.publication import ExportFormat
from retour.store import releases as store

from ..web.conftest import PASSWORD, page_csrf
from ..web.test_browser import shot


def _english(client: TestClient) -> None:
    client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": page_csrf(client)})


def test_only_analysts_and_admins_see_the_register(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    viewer = client_for(Role.VIEWER)
    workbook = viewer.get("/figures/workbook")
    assert workbook.status_code == 200
    for role in (Role.ANALYST, Role.ADMIN):
        page = client_for(role).get("/releases")
        assert page.status_code == 200
        assert "Publicaties" in page.text and "viewer (viewer)" in page.text
        assert 'href="/releases/1/file"' in page.text
        # the first public workbook: checked, with no earlier release to compare
        assert "Tegen eerdere publicaties" in page.text
        assert "0 vergeleken, 0 extra verborgen, 0 te herleiden" in page.text
        again = client_for(role).get("/releases/1/file")
        assert again.status_code == 200 and again.content == workbook.content
    for role in (Role.VIEWER, Role.CASEWORKER):
        assert client_for(role).get("/releases").status_code == 403
        assert client_for(role).get("/releases/1/file").status_code == 403
    anonymous = client_for(None).get("/releases", follow_redirects=False)
    assert anonymous.status_code in (303, 401)
    analyst = client_for(Role.ANALYST)
    assert analyst.get("/releases/99/file").status_code == 404
    assert analyst.get("/releases/abc/file").status_code == 400
    assert "Nog geen publicaties." in analyst.get("/releases?what=overdue").text
    _english(analyst)
    english = analyst.get("/releases").text
    assert "Releases, newest first" not in english  # the page's own title
    assert "Every output made under the parliament or public profile" in english
    assert "Across releases" in english and "0 compared, 0 more hidden, 0 pinned" in english
    assert "No releases yet." in analyst.get("/releases?what=overdue").text


def test_internal_downloads_are_not_registered(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    analyst = client_for(Role.ANALYST)
    assert analyst.get("/figures/workbook?profile=internal").status_code == 200
    assert analyst.get("/figures/workbook?profile=parliament").status_code == 200
    page = analyst.get("/releases").text
    assert "parliament" in page and "internal" not in page.split("<table", 1)[-1]


def test_the_register_in_chromium(server: str, browser: webdriver.Chrome) -> None:
    with Retour(settings=load_settings()) as app:
        answer = figures.request_figures(app, by="year,outcome", profile="public")
        figures.export_figures(app, answer, ExportFormat.CSV)
    browser.get(f"{server}/login")
    browser.find_element(By.ID, "name").send_keys("analyst")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    browser.find_element(By.CSS_SELECTOR, "nav a[href='/releases']").click()
    assert browser.current_url == f"{server}/releases"
    rows = browser.find_elements(By.CSS_SELECTOR, "#releases tbody tr")
    shot(browser, "releases")
    assert len(rows) == 1
    cells = [c.text for c in rows[0].find_elements(By.TAG_NAME, "td")]
    assert cells[0] == "1" and cells[2] == "requests" and cells[3] == "public"
    link = rows[0].find_element(By.TAG_NAME, "a")
    assert link.get_attribute("href") == f"{server}/releases/1/file" and link.text == "csv"
    severe = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == []


def test_api_answers_are_registered_under_the_caller(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    viewer = client_for(Role.VIEWER)
    answer = viewer.get("/api/figures/requests")
    assert answer.status_code == 200
    country = viewer.get("/api/countries/NG")
    assert country.status_code == 200
    analyst = client_for(Role.ANALYST)
    assert analyst.get("/api/figures/requests?profile=internal").status_code == 200
    listed = analyst.get("/releases").text
    assert "api.requests" in listed and "api.country" in listed
    with Retour(settings=load_settings()) as app:
        rows = store.listed(app.database())
    assert [(r.what, r.via, r.actor, r.role, r.profile) for r in rows] == [
        ("api.country", "api", "viewer", "viewer", "public"),
        ("api.requests", "api", "viewer", "viewer", "public"),
    ]
    assert analyst.get(f"/releases/{rows[1].id}/file").content == answer.content

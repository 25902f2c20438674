"""A real Chromium signs in, opens the overview, a country page and the figures, and checks
that the charts are drawn (SVG in the page), that htmx works under the Content-Security-
Policy, and that the browser reports no errors. Screenshots go to tests/web/artifacts/.

Uvicorn serves the application on 127.0.0.1 (a free port) in a thread of the test. This
test fails -- never skips -- when Chromium or its driver is missing: .ci/run installs the
Debian packages ``chromium`` and ``chromium-driver``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from retour.config import load_settings
from retour.service import accounts
from retour.service.context import Retour
from retour.web import create_app

from .conftest import PASSWORD, load_context, load_figures

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WAIT = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(web_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The dashboard on http://127.0.0.1:PORT (plain HTTP on loopback: no Secure cookies)."""
    monkeypatch.setenv("RETOUR_COOKIE_SECURE", "false")
    app = Retour(settings=load_settings())
    load_figures(app, tmp_path / "dataset")
    load_context(app, tmp_path / "eurostat")
    accounts.add_user(app, "analyst", "analyst", PASSWORD)
    port = free_port()
    config = uvicorn.Config(
        create_app(app), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not uv.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=WAIT)
        app.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium chromium-driver"
    assert CHROMEDRIVER.exists(), f"{CHROMEDRIVER} is missing: apt-get install chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver: selenium-manager never tries to download one.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: webdriver.Chrome, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    (ARTIFACTS / f"{name}.html").write_text(driver.page_source, encoding="utf-8")


def errors(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """Errors the page reported (a CSP violation, a failed script or asset)."""
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def text_of(driver: webdriver.Chrome, css: str) -> str:
    """The text of the element CSS selects now, or "" when there is none.

    Read in the page itself: htmx swaps elements out, and a WebElement held across a swap
    goes stale.
    """
    text = driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css
    )
    return str(text).strip()


def test_a_browser_signs_in_and_sees_the_charts(server: str, browser: webdriver.Chrome) -> None:
    wait = WebDriverWait(browser, WAIT)
    browser.get(f"{server}/countries/NG")  # not signed in: to the login page and back after
    wait.until(ec.presence_of_element_located((By.ID, "name")))
    assert browser.current_url == f"{server}/login"
    shot(browser, "01-login")
    browser.find_element(By.ID, "name").send_keys("analyst")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait.until(ec.url_to_be(f"{server}/countries/NG"))

    # the overview
    browser.get(f"{server}/")
    wait.until(ec.presence_of_element_located((By.ID, "key-figures")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Overzicht"
    assert browser.execute_script("return typeof window.htmx") == "object"  # our own copy
    scale = browser.find_element(By.CSS_SELECTOR, "#scale-chart svg")  # the sliding scale
    assert scale.size["width"] > 100 and scale.size["height"] > 100
    assert len(scale.find_elements(By.CSS_SELECTOR, "path, line, circle, text")) > 10
    shot(browser, "02-overview")

    # a country page: the charts are drawn, as SVG in the page
    browser.get(f"{server}/countries/NG")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "figure.chart svg")))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Nigeria")
    charts = browser.find_elements(By.CSS_SELECTOR, "figure.chart svg")
    drawn = {c.find_element(By.XPATH, "..").get_attribute("id") for c in charts}
    assert {"index-chart", "answer-time-chart", "outcomes-chart"} <= drawn
    for svg in charts:
        size = svg.size
        assert size["width"] > 100 and size["height"] > 100, size
        marks = svg.find_elements(By.CSS_SELECTOR, "path, line, circle, rect, text")
        assert len(marks) > 10  # axes, labels and marks were drawn
    assert browser.find_elements(By.CSS_SELECTOR, "#reasons tbody tr")
    shot(browser, "03-country-NG")

    # the figures: htmx replaces the results when a filter changes (under the CSP)
    browser.get(f"{server}/figures")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#results table")))
    before = text_of(browser, "#results figcaption")
    Select(browser.find_element(By.ID, "subject")).select_by_value("departures")
    wait.until(lambda d: text_of(d, "#results figcaption") not in (before, ""))
    assert "subject=departures" in browser.current_url  # hx-push-url: a link to share
    assert text_of(browser, "#results figcaption").startswith("Vertrek")
    shot(browser, "04-figures-departures")

    # English
    browser.find_element(By.CSS_SELECTOR, "header .who button[lang=en]").click()
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Figures"))
    shot(browser, "05-figures-en")

    assert errors(browser) == []

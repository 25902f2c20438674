"""A real Chromium signs in, opens the overview, a country page and the figures, and checks
that the charts are drawn (SVG in the page) with no text outside the drawing, that htmx
works under the Content-Security-Policy, that a caption names every filter, that the old
table is marked busy while a slow filter change loads, that the sliding scale sorts, and
that the browser reports no errors. Screenshots go to tests/web/artifacts/.

Uvicorn serves the application on 127.0.0.1 (a free port) in a thread of the test. This
test fails -- never skips -- when Chromium or its driver is missing: .ci/run installs the
Debian packages ``chromium`` and ``chromium-driver``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
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
from .test_charts_fit import drawn_charts

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WAIT = 30
#: The figures of this country answer slowly (a busy database): the busy state shows.
SLOW_COUNTRY = "NG"
SLOW_SECONDS = 3.0
#: The figures of this country fail (the server is unavailable): the old table is marked.
FAILING_COUNTRY = "ER"

Scope = MutableMapping[str, Any]
ASGI = Callable[[Scope, Any, Any], Awaitable[None]]


class SlowFigures:
    """Holds back the figures of one country, as a slow database would."""

    def __init__(self, app: ASGI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        query = scope.get("query_string", b"")
        if scope.get("path") == "/figures" and f"country={FAILING_COUNTRY}".encode() in query:
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"unavailable"})
            return
        if scope.get("path") == "/figures" and f"country={SLOW_COUNTRY}".encode() in query:
            await asyncio.sleep(SLOW_SECONDS)
        await self.app(scope, receive, send)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(asgi: Any) -> Iterator[str]:
    """``asgi`` served by uvicorn on http://127.0.0.1:PORT in a thread of this process, until
    the block ends: its address."""
    port = free_port()
    config = uvicorn.Config(
        asgi, host="127.0.0.1", port=port, log_level="warning", access_log=False
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


@pytest.fixture
def server(web_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The dashboard on http://127.0.0.1:PORT (plain HTTP on loopback: no Secure cookies)."""
    monkeypatch.setenv("RETOUR_COOKIE_SECURE", "false")
    app = Retour(settings=load_settings())
    load_figures(app, tmp_path / "dataset")
    load_context(app, tmp_path / "eurostat")
    accounts.add_user(app, "analyst", "analyst", PASSWORD)
    try:
        with serving(SlowFigures(create_app(app))) as address:
            yield address
    finally:
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
    # Plain "sans-serif" drawn in DejaVu Sans, as Firefox on Debian draws it: some 12% wider
    # than the font vl-convert measures, so a chart that leaves its font to the browser
    # runs out of its drawing here (Chromium's own default, Arial's metrics, would hide it).
    options.add_experimental_option(
        "prefs",
        {
            "webkit.webprefs.fonts.sansserif.Zyyy": "DejaVu Sans",
            "webkit.webprefs.fonts.standard.Zyyy": "DejaVu Sans",
        },
    )
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


#: What htmx reports when the page itself cancels a request that a newer filter change
#: replaces (hx-sync="this:replace"): not an error of the page.
ABORTED = ("htmx:afterRequest", "htmx:sendAbort")


#: The answers this test asks to fail: the unavailable country's figures (503, which htmx
#: also reports) and years outside the data (400).
ASKED_TO_FAIL = (f"country={FAILING_COUNTRY}&", "Error Code 503 from /figures", "years=1990-1991&")


def errors(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """Errors the page reported (a CSP violation, a failed script or asset, a failed
    request), less htmx's report of the request it cancelled on purpose and the answers
    the test asked to fail."""
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    expected = [f'"{a},' for a in ABORTED] + list(ASKED_TO_FAIL)
    return [e for e in severe if not any(x in str(e.get("message")) for x in expected)]


def text_of(driver: webdriver.Chrome, css: str) -> str:
    """The text of the element CSS selects now, or "" when there is none.

    Read in the page itself: htmx swaps elements out, and a WebElement held across a swap
    goes stale.
    """
    text = driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css
    )
    return str(text).strip()


#: Every text of the SVG charts that CSS selects whose box leaves its drawing's box.
OUTSIDE_JS = """
const out = [];
for (const svg of document.querySelectorAll(arguments[0])) {
  const box = svg.getBoundingClientRect();
  for (const text of svg.querySelectorAll('text')) {
    const r = text.getBoundingClientRect();
    if (!text.textContent.trim() || r.width === 0) continue;
    const gaps = [r.left - box.left, box.right - r.right, r.top - box.top, box.bottom - r.bottom];
    if (gaps.some(g => g < -0.5)) out.push(text.textContent + ' ' + JSON.stringify(gaps));
  }
}
return out;
"""


def clipped(driver: webdriver.Chrome, css: str = "figure.chart svg") -> list[str]:
    found = driver.execute_script(OUTSIDE_JS, css)
    return [str(t) for t in found]


def state(driver: webdriver.Chrome) -> dict[str, Any]:
    """The figures' results region as the reader meets it now."""
    found = driver.execute_script(
        """
        const region = document.getElementById('results-region');
        const results = document.getElementById('results');
        const label = region.querySelector('.busy-label');
        const failed = region.querySelector('.failed-label');
        const caption = results.querySelector('figcaption');
        const style = getComputedStyle(results);
        return {busy: region.getAttribute('aria-busy'), userSelect: style.userSelect,
                opacity: parseFloat(style.opacity),
                label: label.offsetParent ? label.innerText : '',
                failed: failed.offsetParent ? failed.innerText : '',
                caption: caption ? caption.innerText : ''};
        """
    )
    return dict(found)


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
    assert clipped(browser) == []
    shot(browser, "02-overview")

    # the sliding scale: by index (highest first, too little data last), or by name
    def scale_rows() -> list[tuple[str, str]]:
        rows = browser.execute_script(
            "return [...document.querySelectorAll('#scale-figures tbody tr')]"
            ".map(r => [r.cells[0].innerText, r.cells[1].innerText]);"
        )
        return [(str(a), str(b)) for a, b in rows]

    by_index = scale_rows()
    values = [float(v.replace(",", ".")) if v[:1].isdigit() else None for _, v in by_index]
    shown = [v for v in values if v is not None]
    assert shown and shown == sorted(shown, reverse=True)
    assert values == shown + [None] * (len(values) - len(shown))
    assert Select(browser.find_element(By.ID, "order")).first_selected_option.text == (
        "op index, hoogste eerst"
    )
    Select(browser.find_element(By.ID, "order")).select_by_value("name")
    browser.find_element(By.CSS_SELECTOR, "#scale-form button[type=submit]").click()
    wait.until(ec.url_contains("order=name"))
    wait.until(ec.presence_of_element_located((By.ID, "scale-figures")))
    names = [n for n, _ in scale_rows()]
    assert names == sorted(names, key=str.casefold) and sorted(names) == sorted(
        n for n, _ in by_index
    )
    assert clipped(browser) == []
    shot(browser, "02b-overview-by-name")

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
    assert clipped(browser) == []
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

    # a slow filter change: the old table is marked busy until the new one arrives
    Select(browser.find_element(By.ID, "subject")).select_by_value("requests")
    wait.until(lambda d: text_of(d, "#results figcaption").startswith("LP-aanvragen"))
    national = state(browser)
    assert national["busy"] is None and national["label"] == "" and national["opacity"] == 1
    assert "land: alle landen" in national["caption"]
    started = time.monotonic()
    Select(browser.find_element(By.ID, "country")).select_by_value(SLOW_COUNTRY)
    WebDriverWait(browser, 2).until(lambda d: state(d)["opacity"] < 0.5)
    loading = state(browser)
    assert time.monotonic() - started < SLOW_SECONDS  # seen while the answer was held back
    assert loading["busy"] == "true" and loading["userSelect"] == "none"
    assert loading["label"] == "Bezig met laden…"
    assert "land: alle landen" in loading["caption"]  # the old table, marked as not current
    shot(browser, "04b-figures-busy")
    wait.until(lambda d: "Nigeria" in state(d)["caption"])
    arrived = state(browser)
    assert arrived["busy"] is None and arrived["label"] == "" and arrived["opacity"] == 1
    assert arrived["userSelect"] != "none"

    # a slow change overtaken by a quick one: the slow answer never replaces the later one
    Select(browser.find_element(By.ID, "country")).select_by_value("")
    wait.until(lambda d: "land: alle landen" in state(d)["caption"] and not state(d)["busy"])
    Select(browser.find_element(By.ID, "country")).select_by_value(SLOW_COUNTRY)
    Select(browser.find_element(By.ID, "country")).select_by_value("IQ")
    wait.until(lambda d: "Irak" in state(d)["caption"] and not state(d)["busy"])
    time.sleep(SLOW_SECONDS + 0.5)
    assert "Irak" in state(browser)["caption"] and "Nigeria" not in state(browser)["caption"]

    # a change the server cannot answer: the old table stays, marked as not belonging
    Select(browser.find_element(By.ID, "country")).select_by_value(FAILING_COUNTRY)
    wait.until(lambda d: state(d)["failed"] != "" and state(d)["opacity"] < 0.5)
    stale = state(browser)
    assert stale["failed"].startswith("Deze cijfers konden niet worden geladen")
    assert stale["opacity"] < 0.5 and stale["userSelect"] == "none" and not stale["busy"]
    assert "Irak" in stale["caption"]  # the old table, said not to belong to the filters
    shot(browser, "04d-figures-failed")
    Select(browser.find_element(By.ID, "country")).select_by_value("IQ")
    wait.until(lambda d: state(d)["failed"] == "" and state(d)["opacity"] == 1)

    # a filter that cannot be answered: the reason replaces the table (an answer 400)
    years = browser.find_element(By.ID, "years")
    years.clear()
    years.send_keys("1990-1991")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait.until(lambda d: "vallen buiten de gegevens" in text_of(d, "#results"))
    shot(browser, "04e-figures-400")
    assert state(browser)["caption"] == "" and state(browser)["failed"] == ""
    years = browser.find_element(By.ID, "years")
    years.clear()
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait.until(lambda d: "Irak" in state(d)["caption"])

    # a caption names every filter
    Select(browser.find_element(By.ID, "kind")).select_by_value("LP")
    wait.until(lambda d: "soort verzoek: LP;" in state(d)["caption"])
    years = browser.find_element(By.ID, "years")
    years.clear()
    years.send_keys("2020-2022")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait.until(lambda d: "2020-2022" in state(d)["caption"])
    caption = state(browser)["caption"]
    for part in ("land: Irak (IQ)", "soort verzoek: LP", "antwoord: alle antwoorden",
                 "profiel: openbaar", "2020-2022"):  # fmt: skip
        assert part in caption, (part, caption)
    shot(browser, "04c-figures-every-filter")

    # English
    browser.find_element(By.CSS_SELECTOR, "header .who button[lang=en]").click()
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Figures"))
    caption = state(browser)["caption"]
    for part in ("country: Iraq (IQ)", "kind of request: LP", "answer: all answers",
                 "profile: public", "2020-2022"):  # fmt: skip
        assert part in caption, (part, caption)
    shot(browser, "05-figures-en")

    found = errors(browser)
    (ARTIFACTS / "browser-errors.txt").write_text("\n".join(map(str, found)), encoding="utf-8")
    assert found == []


def test_no_chart_text_leaves_its_drawing_with_the_longest_country_names(
    loaded: Retour, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    """The charts of both languages, drawn with the longest country names, in Chromium with
    the dashboard's stylesheet: every text inside its drawing."""
    drawn = drawn_charts(loaded)
    figures = "".join(
        f'<figure class="chart" id="{d.name}-{d.lang}">{d.svg}</figure>' for d in drawn
    )
    page = tmp_path / "charts.html"
    style = Path(__file__).resolve().parents[2] / "src" / "retour" / "web" / "static" / "style.css"
    page.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" '
        f'href="{style.as_uri()}"></head><body><main>{figures}</main></body></html>',
        encoding="utf-8",
    )
    browser.get(page.as_uri())
    WebDriverWait(browser, WAIT).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "figure.chart svg")) == len(drawn)
    )
    shot(browser, "06-charts-longest-names")
    assert clipped(browser) == []
    drawn_texts = browser.execute_script(
        "return [...document.querySelectorAll('figure.chart svg text')].map(t => t.textContent);"
    )
    for d in drawn:
        assert all(name in drawn_texts for name in d.countries)

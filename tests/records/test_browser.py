"""A real Chromium records a request's answer through the case page: the reason field appears
only for a negative answer, the case view shows the answer after saving, and the figures
count it. Fails -- never skips -- when Chromium or its driver is missing."""

from __future__ import annotations

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from retour.service import figures
from retour.service.context import Retour

from ..web.test_browser import browser, shot
from .conftest import PASSWORD
from .test_concurrency import server

__all__ = ["browser", "server"]  # the fixtures, used by name
WAIT = 30


def _answered(app: Retour) -> str:
    answer = figures.request_figures(app, profile="internal", by="outcome", years="2023")
    return str(answer.tables[0].table)


def test_a_caseworker_records_an_answer_on_the_case_page(
    server: str, browser: webdriver.Chrome, stocked: Retour
) -> None:
    counted = _answered(stocked)
    wait = WebDriverWait(browser, WAIT)
    browser.get(f"{server}/login")
    wait.until(ec.presence_of_element_located((By.ID, "name")))
    browser.find_element(By.ID, "name").send_keys("caseworker")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait.until(ec.url_to_be(f"{server}/"))
    browser.get(f"{server}/cases/C1")
    wait.until(ec.presence_of_element_located((By.ID, "a1-outcome")))
    reason = browser.find_element(By.ID, "a1-reason")
    assert not reason.is_displayed()  # pending: no reason
    Select(browser.find_element(By.ID, "a1-outcome")).select_by_value("negative")
    assert reason.is_displayed()
    assert not browser.find_element(By.ID, "a1-document_on").is_displayed()
    Select(reason).select_by_value("no_response")
    day = browser.find_element(By.ID, "a1-outcome_on")
    assert day.get_attribute("max") and day.get_attribute("min") == "2023-02-01"
    browser.execute_script("arguments[0].value = '2023-04-02'", day)
    shot(browser, "records-01-answer")
    day.find_element(By.XPATH, "./ancestor::form").submit()
    wait.until(ec.url_contains("saved=1"))
    page = browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "records-02-saved")
    assert "Opgeslagen." in page
    assert "negatief" in page.lower()
    assert _answered(stocked) != counted

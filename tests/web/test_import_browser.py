"""A real Chromium takes a source system's export through the import page as an
administrator would: uploaded without a mapping, it gets the draft; the draft saved under a
name; the export uploaded again with the saved mapping chosen; the import in the list of the
last imports. The browser sends the form as browsers do (the CSRF field first, an empty
file input for the mapping), which the streamed upload reads. Screenshots go to
tests/web/artifacts/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from retour.config import load_settings
from retour.exchange import load
from retour.exchange.source_style import SourceStyle, write_source
from retour.service import accounts, imports, mappings
from retour.service.context import Retour
from retour.web import create_app, uploads

from ..exchange.conftest import VALID, write_folder
from .conftest import PASSWORD
from .test_browser import WAIT, browser, errors, serving, shot
from .test_import_mappings import zipped_folder

__all__ = ["browser"]  # the fixture, shared with test_browser

TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def served(web_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Retour]]:
    """The dashboard on loopback (plain HTTP: no Secure cookies) and its application."""
    monkeypatch.setenv("RETOUR_COOKIE_SECURE", "false")
    app = Retour(settings=load_settings())
    accounts.add_user(app, "admin", "admin", PASSWORD)
    try:
        with serving(create_app(app, warm_up=False)) as address:
            yield address, app
    finally:
        app.close()


def test_an_export_goes_in_through_a_drafted_and_saved_mapping(
    served: tuple[str, Retour], browser: webdriver.Chrome, tmp_path: Path
) -> None:
    url, app = served
    dataset = load(write_folder(tmp_path / "exchange", VALID), today=TODAY)
    write_source(dataset, tmp_path / "Export", SourceStyle())
    export = tmp_path / "Export.zip"
    export.write_bytes(zipped_folder(tmp_path / "Export"))
    wait = WebDriverWait(browser, WAIT)
    browser.get(f"{url}/import")
    browser.find_element(By.ID, "name").send_keys("admin")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "import-form")))
    browser.find_element(By.ID, "dataset").send_keys(str(export))
    browser.find_element(By.CSS_SELECTOR, "#import-form button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "draft-text")))
    shot(browser, "import-01-draft")
    reasons = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#violations code.reason")]
    assert "missing_table" in reasons
    drafted = browser.find_element(By.ID, "draft-text").get_attribute("value") or ""
    assert 'from = "Verzoeken"' in drafted and "# detected" in drafted
    name = browser.find_element(By.ID, "draft-name")
    name.clear()
    name.send_keys("desk-export")
    browser.find_element(By.CSS_SELECTOR, "#draft button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#saved-mappings")))
    assert [m.name for m in mappings.list_mappings(app)] == ["desk-export"]
    browser.find_element(By.ID, "dataset").send_keys(str(export))
    Select(browser.find_element(By.ID, "saved")).select_by_value("desk-export")
    browser.find_element(By.CSS_SELECTOR, "#import-form button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "import-result")))
    shot(browser, "import-02-imported")
    (entry,) = imports.list_imports(app)
    assert entry.mapping_sha256 == mappings.list_mappings(app)[0].sha256
    history = browser.find_element(By.ID, "import-history").text
    assert "admin" in history and entry.extracted_on.isoformat() in history
    refused = "/import - Failed to load resource: the server responded with a status of 400"
    assert [e for e in errors(browser) if refused not in str(e.get("message"))] == []
    spool = app.settings.data_dir / uploads.SPOOL_DIR
    assert [p for p in spool.iterdir() if p.is_dir()] == []  # nothing of the uploads is left

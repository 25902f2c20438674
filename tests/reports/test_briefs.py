"""The country brief and the sliding-scale report as a user gets them: `retour report ...
--out F.html|F.docx` run as a command, the .docx opened with python-docx and read back
against the HTML page of the same brief and against the published figures; a country
without requests (Syria, Somalia: both named in the letter to Parliament) has a brief and
a page that say what is and is not known; unknown codes and countries without any data
are not found, in one line.

The data: the simulated NL world (2019-2023, extracted 2024-01-01), which has cases of
Syrian and Somali nationals and an instrument on Somalia but no requests to either, and
Eurostat's real return tables (2012-2016).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest

from retour.cli import main
from retour.config import load_settings
from retour.disclosure import Language
from retour.reports import labels
from retour.service import accounts, outside
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.service.datasets import import_dataset
from retour.service.publication import provenance
from retour.simulate.run import simulate_dataset, write_simulation
from retour.simulate.scenario import build_scenario

from ..conftest import TEST_SECRET

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from retour.web import create_app

pytestmark = pytest.mark.slow

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "eurostat_dw"
EUROSTAT = ("migr_eiord_Data_allcitizens.csv", "migr_eirtn_Data_allcitizens.csv")
RETOUR = [sys.executable, "-m", "retour"]
SESSION_SECRET = "brief-test-session-secret-0123456789abcdef"
PASSWORD = "a long test passphrase"

#: What a brief says where it has no requests, per language (the report's own words).
NO_REQUESTS = {
    "nl": "retour bevat geen verzoeken aan {name}; de index kan niet worden berekend.",
    "en": "retour holds no requests to {name}; the index cannot be computed.",
}
EXTRACTED = {"nl": "Peildatum: 2024-01-01", "en": "Extraction date: 2024-01-01"}
FINGERPRINT = {"nl": "Vingerafdruk van de gegevens", "en": "Data fingerprint"}
PROFILE = {"nl": "Profiel: public (openbaar)", "en": "Profile: public (public)"}


@dataclass(frozen=True)
class World:
    url: str
    env: dict[str, str]
    fingerprint: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The simulated NL dataset and Eurostat's real tables, imported once."""
    root = tmp_path_factory.mktemp("briefs")
    simulation = simulate_dataset(
        build_scenario("nl", scale=0.5), (2019, 2023), 1, dt.date(2024, 1, 1)
    )
    write_simulation(simulation, root / "data")
    url = f"sqlite:///{root / 'retour.sqlite'}"
    env = {
        **os.environ,
        "RETOUR_DB": url,
        "RETOUR_SETTINGS": str(root / "settings.toml"),
        "RETOUR_SECRET": TEST_SECRET,
        "RETOUR_SESSION_SECRET": SESSION_SECRET,
    }
    with Retour(settings=load_settings(db=url, data_dir=root)) as app:
        import_dataset(app, root / "data", today=dt.date(2024, 1, 2))
        done = list(outside.import_files(app, [REAL / name for name in EUROSTAT]))
        assert all(f.ok for f in done), [f.problems for f in done]
        fingerprint = provenance(app.database()).fingerprint
    assert fingerprint
    yield World(url, env, fingerprint)


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


Run = Callable[..., Ran]


@pytest.fixture
def retour(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """`retour ARGS...` in this process (the index fit is kept between commands, as the web
    keeps it): its exit status, stdout and stderr."""
    for key in ("RETOUR_DB", "RETOUR_SETTINGS", "RETOUR_SECRET"):
        monkeypatch.setenv(key, world.env[key])

    def run(*args: str) -> Ran:
        code = main(list(args))
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def command(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    """`retour ARGS...` as its own process, as a user types it."""
    return subprocess.run(
        [*RETOUR, *args], env=world.env, capture_output=True, text=True, timeout=300, check=False
    )


# -- reading the two formats back ---------------------------------------------------------------


@dataclass
class Read:
    """What a brief holds, as a reader sees it: section headings, tables (caption, header
    row, body rows), how many charts, the text of the body and of the footer."""

    headings: list[str]
    tables: list[tuple[str, list[str], list[list[str]]]]
    charts: int
    text: str
    footer: str


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.read = Read([], [], 0, "", "")
        self._stack: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] = []
        self._rows: list[list[str]] = []
        self._caption = ""
        self._text: list[str] = []
        self._footer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack.append(tag)
        found = dict(attrs)
        if tag == "div" and (found.get("id") or "").startswith("chart-"):
            self.read.charts += 1
        if tag in {"td", "th", "caption", "h2"}:
            self._cell = []
        if tag == "table":
            self._rows, self._caption = [], ""

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._cell or []).strip()
        if tag == "h2":
            self.read.headings.append(text)
        elif tag == "caption":
            self._caption = text
        elif tag in {"td", "th"}:
            self._row.append(text)
        elif tag == "tr":
            self._rows.append(self._row)
            self._row = []
        elif tag == "table":
            self.read.tables.append((self._caption, self._rows[0], self._rows[1:]))
        if tag in {"td", "th", "caption", "h2"}:
            self._cell = None
        self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if "noscript" in self._stack or "script" in self._stack or "style" in self._stack:
            return
        (self._footer if "footer" in self._stack else self._text).append(data)

    def close(self) -> None:
        super().close()
        self.read.text = " ".join(self._text)
        self.read.footer = " ".join(self._footer)


def read_html(path: Path) -> Read:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.read


def read_docx(path: Path) -> Read:
    word: Any = docx.Document(str(path))
    body = word.paragraphs
    headings = [p.text for p in body if p.style.name == "Heading 1"]
    captions = [p.text for p in body if p.style.name == "Caption"]
    tables = []
    for caption, table in zip(captions, word.tables, strict=True):
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        tables.append((caption, rows[0], rows[1:]))
    footer = " ".join(p.text for p in word.sections[0].footer.paragraphs)
    text = " ".join(p.text for p in body)
    return Read(headings, tables, len(word.inline_shapes), text, footer)


def both(retour: Run, tmp_path: Path, *args: str) -> tuple[Read, Read, Any]:
    """The same brief written as .html and as .docx: both read back, and the Word file."""
    html_path, docx_path = tmp_path / "brief.html", tmp_path / "brief.docx"
    for out in (html_path, docx_path):
        done = retour(*args, "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"Wrote {out}."
    return read_html(html_path), read_docx(docx_path), docx.Document(str(docx_path))


# -- the country brief --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_docx_brief_holds_the_html_brief(
    world: World, retour: Run, tmp_path: Path, lang: Language
) -> None:
    page, word, document = both(retour, tmp_path, "report", "country", "MA", "--lang", lang)
    assert word.headings == page.headings
    assert word.tables == page.tables  # every caption, header and cell, the same strings
    # index, answers, outcomes, effects, the event study of its instrument, EU context
    assert word.charts == page.charts == 6
    index_caption, index_head, index_rows = word.tables[0]
    assert labels.country_name("MA", lang) in index_caption
    assert index_head[:3] == (["Periode", "Index", "Interval"] if lang == "nl" else
                              ["Period", "Index", "Interval"])  # fmt: skip
    quarters = [row[0] for row in index_rows]
    assert quarters[0] == "2017Q1" and "2023Q4" in quarters and quarters == sorted(quarters)
    assert any(re.fullmatch(r"\d+–\d+", row[2]) for row in index_rows)  # intervals shown
    for read in (page, word):
        assert EXTRACTED[lang] in read.footer and world.fingerprint in read.footer
        assert PROFILE[lang] in read.footer and labels.SIMULATED in read.footer
    styles = {p.style.name for p in document.paragraphs}
    assert {"Title", "Heading 1", "Caption", "List Bullet"} <= styles
    assert document.core_properties.language == ("nl-NL" if lang == "nl" else "en-GB")
    # the other language is nowhere in the headings
    other = {"nl": "Answer times", "en": "Antwoordtijden"}[lang]
    assert other not in word.headings


def test_the_brief_shows_the_published_index(world: World, retour: Run, tmp_path: Path) -> None:
    """The index per quarter in the .docx is the one `retour assess` publishes."""
    _, word, _ = both(retour, tmp_path, "report", "country", "NG", "--lang", "en")
    _, _, rows = word.tables[0]
    brief = {row[0]: row[1] for row in rows}
    for quarter in ("2022Q1", "2023Q4"):
        done = retour("assess", "--period", quarter, "--format", "csv")
        assert done.returncode == 0, done.stderr
        published = {r["country"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
        shown = published["NG"]["index"]
        expected = "too little data" if not shown else f"{float(shown):.0f}"
        assert brief[quarter] == expected, quarter


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_country_without_requests_has_a_brief(
    world: World, retour: Run, tmp_path: Path, lang: Language
) -> None:
    name = labels.country_name("SY", lang)
    page, word, _ = both(retour, tmp_path, "report", "country", "SY", "--lang", lang)
    assert word.tables == page.tables and word.headings == page.headings
    assert NO_REQUESTS[lang].format(name=name) in word.text
    assert NO_REQUESTS[lang].format(name=name) in page.text
    captions = [caption for caption, _, _ in word.tables]
    # no index, no answer times, no answers: only the cases, departures and Eurostat's table
    assert len(captions) == 3 and all(name in c for c in captions)
    _, head, rows = word.tables[0]
    assert head[0] == ("Stand van de zaak" if lang == "nl" else "How the case stands")
    assert head[1:] == [
        "2019",
        "2020",
        "2021",
        "2022",
        "2023",
        "Totaal" if lang == "nl" else "Total",
    ]
    assert rows[-1][0] == ("Totaal" if lang == "nl" else "Total") and int(rows[-1][-1]) > 0
    _, _, eu_rows = word.tables[2]
    assert [row[0] for row in eu_rows] == ["2012", "2013", "2014", "2015", "2016"]
    assert any(row[3].endswith("%") for row in eu_rows)  # the Netherlands' return rate
    caveat = "geen cohortmaat" if lang == "nl" else "not a cohort measure"
    assert caveat in word.text and caveat in page.text
    assert word.charts == page.charts == 1  # Eurostat's chart; no index to draw
    assert EXTRACTED[lang] in word.footer and labels.SIMULATED in word.footer


def test_a_country_with_only_an_instrument_and_cases_lists_the_instrument(
    retour: Run, tmp_path: Path
) -> None:
    _, word, _ = both(retour, tmp_path, "report", "country", "SO", "--lang", "en")
    instruments = [t for t in word.tables if t[0].startswith("Instruments for Somalia")]
    assert len(instruments) == 1
    _, head, rows = instruments[0]
    assert head[:5] == ["Start", "End date", "Kind", "Level", "Status"]
    assert rows and rows[0][2] == "operational" and rows[0][0] == "2022-03-01"
    assert "retour cannot estimate an instrument's effect" in word.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["country", "XX"], "unknown country code 'XX'", id="unknown-code"),
        pytest.param(["country", "FI"], "no data on Finland (FI) yet", id="no-data"),
        pytest.param(
            ["country", "MA", "--confidential", "MA"],
            "MA is on the confidential list",
            id="confidential",
        ),
    ],
)
def test_no_brief_for_a_country_without_data(
    world: World, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "brief.docx"
    done = command(world, "--lang", "en", "report", *args, "--out", str(out))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".pdf", ""])
def test_a_report_is_html_or_docx(world: World, tmp_path: Path, suffix: str) -> None:
    for args in (["country", "MA"], ["cooperation", "--period", "2023"]):
        out = tmp_path / f"brief{suffix}"
        done = command(world, "report", *args, "--out", str(out))
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and ".html" in lines[0] and ".docx" in lines[0], done.stderr
        assert not out.exists()


# -- the sliding scale --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_scale_report_as_docx(
    world: World, retour: Run, tmp_path: Path, lang: Language
) -> None:
    page, word, _ = both(
        retour, tmp_path, "report", "cooperation", "--period", "2023", "--lang", lang
    )
    assert word.tables == page.tables and word.headings == page.headings
    assert word.charts == page.charts == 1
    caption, _, rows = word.tables[0]
    assert "2023" in caption
    done = retour("assess", "--period", "2023", "--format", "csv")
    published = list(csv.DictReader(io.StringIO(done.stdout)))
    by_name = {labels.country_name(r["country"], lang): r for r in published}
    assert len(rows) == len(published)
    too_little = "te weinig gegevens" if lang == "nl" else "too little data"
    for row in rows:
        shown = by_name[row[0]]["index"]
        assert row[1] == (f"{float(shown):.0f}" if shown else too_little), row[0]
    assert EXTRACTED[lang] in word.footer and world.fingerprint in word.footer


# -- the web ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def viewer(world: World) -> Iterator[TestClient]:
    """A viewer signed in to the dashboard over the same data (public profile)."""
    with pytest.MonkeyPatch.context() as patch:
        for key in ("RETOUR_DB", "RETOUR_SETTINGS", "RETOUR_SECRET", "RETOUR_SESSION_SECRET"):
            patch.setenv(key, world.env[key])
        app = Retour(settings=load_settings())
        accounts.add_user(app, "viewer", Role.VIEWER, PASSWORD)
        client = TestClient(create_app(app, warm_up=False), base_url="https://testserver")
        login = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', login)
        assert token
        signed = client.post(
            "/login",
            data={"name": "viewer", "password": PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        yield client
        app.close()


def test_the_page_of_a_country_without_requests(world: World, viewer: TestClient) -> None:
    page = viewer.get("/countries/SY")
    assert page.status_code == 200
    text = page.text
    assert NO_REQUESTS["nl"].format(name="Syrië") in text
    assert 'id="nationals-1"' in text and 'id="nationals-2"' in text  # cases, departures
    assert "EU-context (Eurostat)" in text
    assert 'id="index-chart"' not in text  # no index to draw
    brief = viewer.get("/countries/SY/brief?format=docx")
    assert brief.status_code == 200
    assert brief.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="retour-landenbrief-SY-public.docx"' in brief.headers["content-disposition"]
    word: Any = docx.Document(io.BytesIO(brief.content))
    assert word.paragraphs[0].text == "Samenwerking van Syrië"
    # the page shows the very cells of the brief's table of cases
    first = word.tables[0].rows[1].cells
    assert f'<th scope="row">{first[0].text}</th>' in text


def test_no_page_for_a_country_without_data(viewer: TestClient) -> None:
    for code in ("FI", "XX"):
        page = viewer.get(f"/countries/{code}")
        assert page.status_code == 404
        assert viewer.get(f"/countries/{code}/brief?format=docx").status_code == 404

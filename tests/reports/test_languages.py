"""Dutch when asked for Dutch, English when asked for English, in every report a reader gets:
the press workbook (every cell, header and footer of every sheet), the country brief (a
country with requests, one without) and the sliding-scale report as HTML and as .docx, the
case view and the EU context (its own table, and its section in the brief). No text of the
other language (``tests.language.foreign_texts``), no raw code of ``domain/codes.py``
(``tests.reports.reading.raw_codes``), and no words of a chart library in its own English.

The data: the simulated NL world (2019-2023, extracted 2024-01-01) with Eurostat's real
return tables, made once and rendered through `retour` as a user runs it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import docx
import openpyxl
import pytest

from retour.cli import main
from retour.config import load_settings
from retour.domain.language import Language
from retour.service import outside
from retour.service.context import Retour
from retour.service.datasets import import_dataset
from retour.simulate.run import simulate_dataset, write_simulation
from retour.simulate.scenario import build_scenario

from ..conftest import TEST_SECRET
from ..language import foreign_texts
from .reading import raw_codes, visible_text

pytestmark = pytest.mark.slow

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "eurostat_dw"
EUROSTAT = ("migr_eiord_Data_allcitizens.csv", "migr_eirtn_Data_allcitizens.csv")
LANGS: tuple[Language, ...] = ("nl", "en")
#: What a chart library writes for screen readers in its own English, where it has no words
#: of ours: never in a Dutch report.
LIBRARY_ENGLISH = ("axis titled", "for a discrete scale", "for a linear scale", "values from")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The simulated NL dataset and Eurostat's real tables, imported once."""
    root = tmp_path_factory.mktemp("languages")
    simulation = simulate_dataset(
        build_scenario("nl", scale=0.5), (2019, 2023), 1, dt.date(2024, 1, 1)
    )
    write_simulation(simulation, root / "data")
    url = f"sqlite:///{root / 'retour.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RETOUR_SETTINGS", str(root / "settings.toml"))
        patch.setenv("RETOUR_SECRET", TEST_SECRET)
        with Retour(settings=load_settings(db=url, data_dir=root)) as context:
            import_dataset(context, root / "data", today=dt.date(2024, 1, 2))
            done = list(outside.import_files(context, [REAL / name for name in EUROSTAT]))
            assert all(f.ok for f in done), [f.problems for f in done]
    yield root


Run = Callable[..., str]


@pytest.fixture
def retour(world: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """`retour ARGS...` in this process (the index fit is kept between commands): stdout."""
    monkeypatch.setenv("RETOUR_DB", f"sqlite:///{world / 'retour.sqlite'}")
    monkeypatch.setenv("RETOUR_SETTINGS", str(world / "settings.toml"))
    monkeypatch.setenv("RETOUR_SECRET", TEST_SECRET)

    def run(*args: str) -> str:
        code = main(list(args))
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    return run


@cache
def _titles(world: Path) -> tuple[str, ...]:
    """The instruments' titles as the data give them ("Broad migration partnership"): a
    user's text, in whatever language it was recorded; the longest first."""
    with (world / "data" / "instruments.csv").open(encoding="utf-8") as f:
        return tuple(sorted({r["title"] for r in csv.DictReader(f) if r["title"]}, key=len))[::-1]


def assert_in_one_language(text: str, lang: Language, what: str, world: Path) -> None:
    assert len(text) > 200, what
    assert not re.search(r"\b\d{12,}\b", text), what  # a date as milliseconds
    for title in _titles(world):
        text = text.replace(title, "")
    assert foreign_texts(text, lang) == [], what
    assert raw_codes(text, lang) == [], what
    if lang == "nl":
        assert [p for p in LIBRARY_ENGLISH if p in text] == [], what


def workbook_text(path: Path) -> str:
    """Every text of the workbook a reader sees or prints: cells, sheet names, page headers
    and footers."""
    book = openpyxl.load_workbook(path)
    parts: list[str] = list(book.sheetnames)
    for sheet in book.worksheets:
        parts += [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        for side in (sheet.oddHeader, sheet.oddFooter):
            parts += [p.text for p in (side.left, side.center, side.right) if p.text]
    return "\n".join(parts)


def document_text(path: Path) -> str:
    """Every text of a .docx: paragraphs, table cells, footers."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("profile", ["public", "internal"])
def test_the_press_workbook(
    retour: Run, world: Path, tmp_path: Path, lang: Language, profile: str
) -> None:
    path = tmp_path / "press.xlsx"
    retour("report", "press", "--years", "2019-2023", "--profile", profile, "--lang", lang,
           "--out", str(path))  # fmt: skip
    text = workbook_text(path)
    assert_in_one_language(text, lang, "press", world)
    assert ("Definities" if lang == "nl" else "Definitions") in text


BRIEFS = {
    "country-with-requests": ["country", "MA"],
    "country-without-requests": ["country", "SY"],
    "cooperation": ["cooperation", "--period", "2023"],
    "cooperation-quarter": ["cooperation", "--period", "2023Q2"],
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("brief", list(BRIEFS))
def test_the_briefs_as_html_and_docx(
    retour: Run, world: Path, tmp_path: Path, lang: Language, brief: str
) -> None:
    page, document = tmp_path / "brief.html", tmp_path / "brief.docx"
    for path in (page, document):
        retour("report", *BRIEFS[brief], "--lang", lang, "--out", str(path))
    assert_in_one_language(visible_text(page.read_text(encoding="utf-8")), lang, "html", world)
    assert_in_one_language(document_text(document), lang, "docx", world)


def _case_ids(world: Path) -> list[str]:
    """A case with requests and one closed after a departure, from the simulated files."""
    with (world / "data" / "requests.csv").open(encoding="utf-8") as f:
        with_requests = [r["case_id"] for r in csv.DictReader(f) if r["reason"]]
    with (world / "data" / "cases.csv").open(encoding="utf-8") as f:
        departed = [r["case_id"] for r in csv.DictReader(f) if r["close_reason"] == "departed"]
    return [with_requests[0], with_requests[-1], departed[0]]


@pytest.mark.parametrize("lang", LANGS)
def test_the_case_view(retour: Run, world: Path, lang: Language) -> None:
    for case in _case_ids(world):
        assert_in_one_language(retour("case", case, "--lang", lang), lang, case, world)


@pytest.mark.parametrize("lang", LANGS)
def test_the_eu_context(retour: Run, world: Path, lang: Language) -> None:
    for citizen in ("MA", "DZ"):
        text = retour("context", "return-rate", "--citizen", citizen, "--lang", lang)
        assert_in_one_language(text, lang, citizen, world)

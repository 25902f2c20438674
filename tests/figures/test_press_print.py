"""The press workbook printed: the five-year NL demo (the nl scenario, 2019-2023) written in
Dutch and in English, converted to PDF by LibreOffice, and read back page by page with
pdftotext. Each page's footer names its sheet; every table sheet takes one or two pages,
its title stands whole on its first page, and no wrapped text is cut off."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from retour.reports import labels
from retour.reports.messages import _ as say

YEARS = "2019-2023"
KEYS = ("totals", "TO", "LP", "reasons", "definitions")


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is needed: apt-get install libreoffice-calc-nogui poppler-utils"
    return found


def _words(value: str) -> str:
    """Text compared word by word: pdftotext joins a word broken at its hyphen ("LP-" at
    the end of a line, "aanvraag" on the next) without the hyphen, so hyphens go."""
    return re.sub(r"\s+", " ", value.replace("-", "")).strip()


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Per language, the text of each PDF page of the public workbook."""
    root = tmp_path_factory.mktemp("print")
    db = f"sqlite:///{root / 'demo.sqlite'}"
    data = root / "nl"
    simulate = ["simulate", "--scenario", "nl", "--years", YEARS, "--seed", "1"]
    _cli(*simulate, "--out", str(data))
    _cli("--db", db, "import", str(data))
    books = []
    for lang in ("nl", "en"):
        book = root / f"press-{lang}.xlsx"
        _cli("--db", db, "report", "press", "--years", YEARS, "--lang", lang, "--out", str(book))
        books.append(book)
    result = subprocess.run(
        [_tool("soffice"), "--headless", "--norestore",
         f"-env:UserInstallation=file://{root}/profile", "--convert-to", "pdf",
         "--outdir", str(root), *map(str, books)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pages = {}
    for lang, book in zip(("nl", "en"), books, strict=True):
        pdf = book.with_suffix(".pdf")
        assert pdf.exists(), result.stdout + result.stderr
        text = subprocess.run(
            [_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages[lang] = text.split("\f")[:-1]
    return pages


def _cli(*args: str) -> None:
    from retour.cli import main

    assert main(list(args)) == 0, args


def _sheets(pages: list[str], lang: str) -> dict[str, list[str]]:
    """The pages of each sheet, by the sheet's name in the page's footer."""
    names = {say(labels.PRESS_SHEETS[k], lang): k for k in KEYS}  # type: ignore[arg-type]
    by_sheet: dict[str, list[str]] = {k: [] for k in KEYS}
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines()]
        found = [names[line] for line in lines if line in names]
        assert found, f"page {number} has no footer naming its sheet: {lines[-5:]}"
        by_sheet[found[-1]].append(page)
    return by_sheet


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_sheet_prints_on_one_or_two_pages_with_its_title_whole(
    printed: dict[str, list[str]], lang: str
) -> None:
    pages = printed[lang]
    sheets = _sheets(pages, lang)
    counts = {key: len(found) for key, found in sheets.items()}
    assert all(1 <= n <= 2 for n in counts.values()), counts
    for key in KEYS:
        title = say(labels.PRESS_TITLE[key], lang).format(years=YEARS)  # type: ignore[arg-type]
        assert _words(title) in _words(sheets[key][0]), f"{key}: title cut or missing"
    page_of = say(labels.PAGE_OF, lang).replace("&P", "1").replace("&N", str(len(pages)))  # type: ignore[arg-type]
    assert page_of in pages[0]
    extracted = say(labels.EXTRACTED, lang)  # type: ignore[arg-type]
    assert all(extracted in page and "public" in page for page in pages)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_table_sheets_repeat_their_headers_and_cut_no_text(
    printed: dict[str, list[str]], lang: str
) -> None:
    sheets = _sheets(printed[lang], lang)
    submitted = say(labels.PRESS_ANSWER["submitted"], lang)  # type: ignore[arg-type]
    for key in ("totals", "TO", "LP"):
        assert all(submitted in page for page in sheets[key]), f"{key}: headers not repeated"
    definitions = _words(" ".join(sheets["definitions"]))
    for term, meaning in labels.DEFINITIONS:
        for text in (term, meaning):
            words = _words(say(text, lang))  # type: ignore[arg-type]
            assert words in definitions, f"cut or overlapping: {words[:60]}..."
    notes = say(labels.SHARE_NOTE["computed"], lang)  # type: ignore[arg-type]
    assert _words(notes) in _words(" ".join(sheets["LP"])), "a note under the table is cut"

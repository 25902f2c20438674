"""The Article 25a workbook printed: written in Dutch and in English from a generated
dataset, converted to PDF by LibreOffice and read back page by page with pdftotext. Each
country's block stands on a page of its own under its name, the title is whole on the first
page, every indicator says what retour cannot know without its text cut off, and a country
under a status says 'not assessed' where its index would stand."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from retour.reports import art25a as render
from retour.reports import labels
from retour.reports.messages import _ as say
from retour.reports.terms import not_assessed_text

from ..process import retour
from .fixture import Files
from .test_art25a import YEAR, dataset
from .test_overdue import _imported


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is needed: apt-get install libreoffice-calc-nogui poppler-utils"
    return found


def _words(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("-", "")).strip()


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, list[str]], Files]:
    root = tmp_path_factory.mktemp("art25a-print")
    files = dataset(5, n=600)
    home, env = _imported(root, files)
    books = []
    for lang in ("nl", "en"):
        book = root / f"art25a-{lang}.xlsx"
        done = retour(["report", "art25a", "--year", str(YEAR), "--lang", lang, "--out",
                       str(book)], home, timeout=300, **env)  # fmt: skip
        assert done.returncode == 0, done.stderr
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
        pdf = Path(book).with_suffix(".pdf")
        assert pdf.exists(), result.stdout + result.stderr
        text = subprocess.run(
            [_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages[lang] = text.split("\f")[:-1]
    return pages, files


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_page_per_country_with_the_title_whole(
    printed: tuple[dict[str, list[str]], Files], lang: str
) -> None:
    pages = printed[0][lang]
    title = say(render.TITLE, lang).format(year=YEAR)  # type: ignore[arg-type]
    assert _words(title) in _words(pages[0])
    sheet = say(render.SHEET, lang).format(year=YEAR)  # type: ignore[arg-type]
    assert all(sheet in page for page in pages), "a page without its footer"
    countries = ("GE", "MA", "NG", "PK", "SO", "SY")
    # each block starts a page of its own, under the country's name, and takes one or two
    starts = [next(i for i, p in enumerate(pages) if f"({code})" in p) for code in countries]
    assert starts == sorted(starts) and starts[0] >= 1
    for at, code in zip(starts, countries, strict=True):
        name = labels.country_name(code, lang)  # type: ignore[arg-type]
        assert pages[at].lstrip().startswith(f"{name} ({code})"), code
    assert all(1 <= b - a <= 2 for a, b in zip([0, *starts], [*starts, len(pages)], strict=True))
    assert _words(say(render.ALL_COUNTRIES, lang)) in _words(pages[0])  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_indicator_says_what_retour_cannot_know_uncut(
    printed: tuple[dict[str, list[str]], Files], lang: str
) -> None:
    pages = printed[0][lang]
    codes = ("GE", "MA", "NG", "PK", "SO", "SY")
    starts = [next(i for i, p in enumerate(pages) if f"({c})" in p) for c in codes]
    blocks = [" ".join(pages[a:b]) for a, b in zip(starts, [*starts[1:], len(pages)], strict=True)]
    for block in blocks:
        text = _words(block)
        for name, note in render.INDICATOR.values():
            assert _words(say(name, lang)) in text, name  # type: ignore[arg-type]
            assert _words(say(note, lang)) in text, f"cut: {note[:50]}"  # type: ignore[arg-type]
    syria = blocks[codes.index("SY")]
    since = not_assessed_text("forced_return_suspended", dt.date(2012, 1, 1), lang)  # type: ignore[arg-type]
    assert _words(since) in _words(syria)
    not_assessed = say(render.NOT_ASSESSED_SHORT, lang)  # type: ignore[arg-type]
    suspended = say("forced return suspended", lang)  # type: ignore[arg-type]
    assert not_assessed in syria and suspended in syria
    georgia = blocks[codes.index("GE")]
    assert not_assessed not in georgia
    assert re.search(r"\d+ \(\d+–\d+\)", georgia) or say(render.TOO_LITTLE, lang) in georgia  # type: ignore[arg-type]
    other = "en" if lang == "nl" else "nl"
    foreign = say(render.INDICATOR["return_rate"][1], other)  # type: ignore[arg-type]
    assert _words(foreign) not in _words(" ".join(pages))

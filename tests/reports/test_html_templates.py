"""The static HTML reports through the reports' Jinja2 templates (autoescape) read as they
did through the f-string renderers before them (tests/reports/legacy_html.py): the country
brief and the sliding scale in Dutch and English, and the Eurostat section of the country
page -- every element, attribute, heading, paragraph and table cell the same; only the way
a quote is written as an entity may differ (``&#34;`` for ``&quot;``). A hostile text is
escaped everywhere. Numbers are the reader's: a decimal comma in Dutch, a point in English.

The data: the simulated NL world of tests/reports/test_briefs.py (2019-2023, 1 seed) and
Eurostat's real return tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from retour.config import load_settings
from retour.disclosure import Language
from retour.reports import context as context_report
from retour.reports import cooperation as report
from retour.reports import page
from retour.reports.charts import DASH
from retour.reports.document import Chart, Document, Notes, Paragraph, Section, Table
from retour.service.context import Retour
from retour.service.cooperation import assess_period, assessment_data, country_data, country_view

from ..context.test_reports import rates
from . import legacy_html
from .test_briefs import World, viewer, world  # noqa: F401 - the simulated world and its web

pytestmark = pytest.mark.slow

Token = tuple[str, ...]


class _Tokens(HTMLParser):
    """Every start tag with its attributes, every end tag and every text, unescaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[Token] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("start", tag, *(f"{k}={v}" for k, v in attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.tokens.append(("text", data))


def tokens(page_html: str) -> list[Token]:
    parser = _Tokens()
    parser.feed(page_html)
    parser.close()
    return parser.tokens


class _Reading(HTMLParser):
    """What a reader reads: headings and paragraphs (tag, text), and every table's cells."""

    TEXTS = frozenset({"h1", "h2", "h3", "p", "li", "caption"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str, str]] = []
        self.tables: list[list[list[str]]] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        if tag in self.TEXTS or tag in {"td", "th"}:
            self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, parts = self._open.pop()
            text = "".join(parts)
            if tag in {"td", "th"}:
                self.tables[-1][-1].append(text)
            else:
                self.texts.append((tag, text))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][1].append(data)


def reading(page_html: str) -> _Reading:
    parser = _Reading()
    parser.feed(page_html)
    parser.close()
    return parser


def same_page(before: str, after: str) -> None:
    """``after`` reads as ``before``: the same headings, paragraphs and cells, the same
    elements and attributes; and the same bytes once quotes are written alike."""
    old, new = reading(before), reading(after)
    assert new.texts == old.texts and new.tables == old.tables
    assert tokens(after) == tokens(before)
    assert written(after) == written(before)


def written(page_html: str) -> str:
    """The page with a quote written one way (``&#34;``, ``&#39;``)."""
    return page_html.replace("&quot;", "&#34;").replace("&#x27;", "&#39;")


@pytest.fixture(scope="module")
def documents(world: World) -> dict[tuple[str, Language], Document]:  # noqa: F811
    """The sliding scale of 2023 and Morocco's brief (index, answers, outcomes, an
    instrument with its effect, Eurostat), public, in both languages."""
    with Retour(settings=load_settings(db=world.url)) as context:
        scale = assessment_data(assess_period(context, "2023"))
        country = country_data(country_view(context, "MA"))
    found: dict[tuple[str, Language], Document] = {}
    for lang in ("nl", "en"):
        found["scale", lang] = report.scale_document(scale, lang)
        found["country", lang] = report.country_document(country, lang)
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("which", ["country", "scale"])
def test_the_brief_reads_as_before(
    documents: dict[tuple[str, Language], Document], which: str, lang: Language
) -> None:
    doc = documents[which, lang]
    before, after = legacy_html.render(doc), page.render(doc)
    same_page(before, after)
    read = reading(after)
    assert len(read.tables) == len(doc.tables()) >= 1
    assert [t for tag, t in read.texts if tag == "h2"] == [s.heading for s in doc.sections]
    assert after.count('<div class="chart"') == len(doc.charts()) >= 1


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("chart", ["svg", "none"])
@pytest.mark.parametrize("code", ["MA", "FR"])
def test_the_eurostat_section_reads_as_before(code: str, chart: str, lang: Language) -> None:
    shown = rates() if code == "MA" else rates(code)
    before = legacy_html.html_fragment(shown, lang, chart=chart, heading_level=3)
    after = context_report.html_fragment(shown, lang, chart=chart, heading_level=3)  # type: ignore[arg-type]
    same_page(before, after)
    assert reading(after).tables and "<h3>" in after


EVIL = "<script>alert('x')</script> & \"q\""


def hostile(lang: Language) -> Document:
    spec = {"mark": "point", "data": {"values": [{"a": 1}]}, "title": "</script><script>x()"}
    return Document(
        lang, EVIL, EVIL, EVIL, EVIL, True, (Paragraph(EVIL), Notes((EVIL,))),
        (Section(EVIL, (Table(EVIL, (EVIL, "n"), ((EVIL, "1"),), totals=frozenset({0}),
                              key=EVIL), Chart(EVIL, spec, EVIL))),),
    )  # fmt: skip


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_text_of_a_brief_is_escaped(lang: Language) -> None:
    after = page.render(hostile(lang))
    assert "<script>alert" not in after and "</script><script>x()" not in after
    read = reading(after)
    assert ("h1", EVIL) in read.texts and ("h2", EVIL) in read.texts and ("p", EVIL) in read.texts
    assert read.tables == [[[EVIL, "n"], [EVIL, "1"]]]
    assert tokens(after) == tokens(legacy_html.render(hostile(lang)))


# -- the reader's numbers -------------------------------------------------------------------


def _cells(doc: Document) -> Iterator[str]:
    for table in doc.tables():
        yield from (cell for row in table.rows for cell in row)


@pytest.mark.parametrize(
    ("lang", "decimal", "other"), [("nl", ",", "."), ("en", ".", ",")]
)  # fmt: skip
def test_the_brief_writes_decimals_in_the_readers_language(
    documents: dict[tuple[str, Language], Document], lang: Language, decimal: str, other: str
) -> None:
    """The effects of Morocco's instrument (points on the index, one decimal): ``+1,5
    (-0,4 to +3,4)`` in Dutch, ``+1.5 (-0.4 to +3.4)`` in English (an en dash between), in
    the page too."""
    doc = documents["country", lang]
    effect = re.compile(rf"[+-]\d+{re.escape(decimal)}\d \([+-]\d+{re.escape(decimal)}\d {DASH} ")
    found = [c for c in _cells(doc) if effect.match(c)]
    assert found, list(_cells(doc))
    wrong = re.compile(rf"[+-]\d+{re.escape(other)}\d \(")
    assert not [c for c in _cells(doc) if wrong.match(c)]
    assert all(c in page.render(doc) for c in found)
    shares = [c for c in _cells(doc) if re.fullmatch(r"\d+%", c)]
    assert shares  # percentages through Babel, whole


@pytest.mark.parametrize(
    ("lang", "decimal", "other"), [("nl", ",", "."), ("en", ".", ",")]
)  # fmt: skip
def test_the_country_page_writes_decimals_in_the_readers_language(
    viewer: TestClient,  # noqa: F811
    lang: Language,
    decimal: str,
    other: str,
) -> None:
    """Eurostat's return rates of Morocco on its page: ``31,6%`` in Dutch, ``31.6%`` in
    English."""
    viewer.cookies.set("retour_lang", lang)
    page = viewer.get("/countries/MA")
    assert page.status_code == 200
    section = page.text[page.text.index('<section class="eu-context"') :]
    section = section[: section.index("</section>")]
    rates = re.findall(r'<td class="num"[^>]*>(\d+[.,]\d)%</td>', section)
    assert rates and all(decimal in r and other not in r for r in rates), rates

"""Hostile instrument titles through the country brief (HTML and .docx), the cooperation
report and the country page: parsed as a browser parses them (html5lib, the WHATWG
algorithm), each has the same scripts, tables and sections as with plain titles, every
embedded JSON parses back to the title as typed, and the page ends where it should.

A title ``<!--<script>`` used to swallow the rest of a brief: the chart specifications
escaped ``</`` only, and after ``<!--<script>`` the parser no longer ends the element at
``</script>``. Every JSON in a page now goes through ``retour.reports.safe_json``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import html5lib
import pytest

from retour.config import load_settings
from retour.reports.safe_json import script_json
from retour.service import cooperation, instruments
from retour.service.accounts import Role, add_user
from retour.service.context import Retour
from retour.service.instruments import InstrumentForm
from retour.web import create_app

from ..conftest import TEST_SECRET
from ..web.conftest import SESSION_SECRET, load_figures, new_client, sign_in

#: What a title could carry to break out of a script element, a comment, a CDATA section
#: or a JavaScript string.
PAYLOADS = (
    "<!--<script>",
    "</script><script>alert(1)</script>",
    "]]>",
    "a\u2028b\u2029c",
    "<!-- -->-->",
    "</SCRIPT\t>",
    "<![CDATA[ & ]]>",
    "</noscript><img src=x onerror=alert(1)>",
    "</style><svg onload=alert(1)>",
    "&lt;&amp;&#x3c;",
    "'\"`${1}",
    "</table></section></body></html>",
)
#: The instruments: (country, kind, level, start).
INSTRUMENTS = (
    ("NG", "partnership", "bilateral", "2020-03-01"),
    ("NG", "visa_measure", "eu", "2021-06-01"),
    ("MA", "readmission_agreement", "bilateral", "2020-09-01"),
    ("IQ", "partnership", "eu", "2021-01-01"),
)
HOSTILE = tuple(" ".join(PAYLOADS[i :: len(INSTRUMENTS)]) for i in range(len(INSTRUMENTS)))
PLAIN = tuple(f"Plain instrument {i}" for i in range(len(INSTRUMENTS)))
PASSWORD = "a long test passphrase for the admin"


@dataclass(frozen=True)
class Outputs:
    brief_html: str
    brief_docx: bytes
    cooperation_html: str
    country_page: str


def _outputs(folder: Path, titles: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> Outputs:
    monkeypatch.setenv("RETOUR_DB", str(folder / "retour.sqlite"))
    monkeypatch.setenv("RETOUR_SECRET", TEST_SECRET)
    monkeypatch.setenv("RETOUR_SESSION_SECRET", SESSION_SECRET)
    with Retour(settings=load_settings()) as app:
        load_figures(app, folder / "dataset")
        for (country, kind, level, start), title in zip(INSTRUMENTS, titles, strict=True):
            form = InstrumentForm(country, kind, level, "in_force", start, title, source=title)
            instruments.add_instrument(app, form, actor="tester")
        brief_html = cooperation.country_brief(app, "NG", "html", profile="internal")
        brief_docx = cooperation.country_brief(app, "NG", "docx", profile="internal")
        out = cooperation.cooperation_report(
            app, "2021", folder / "scale.html", profile="internal", lang="en"
        )
        add_user(app, "admin", Role.ADMIN, PASSWORD)
        client = sign_in(new_client(create_app(app, warm_up=False)), "admin", PASSWORD)
        page = client.get("/countries/NG?profile=internal")
        assert page.status_code == 200
        return Outputs(brief_html.decode("utf-8"), brief_docx, out.read_text("utf-8"), page.text)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Outputs, Outputs]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        plain = _outputs(tmp_path_factory.mktemp("plain"), PLAIN, monkeypatch)
        hostile = _outputs(tmp_path_factory.mktemp("hostile"), HOSTILE, monkeypatch)
    yield plain, hostile


def _parsed(page: str) -> Any:
    return html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)


def _shape(page: str) -> dict[str, int]:
    """What a browser builds from the page: how many of each element that a broken-out
    title would change."""
    root = _parsed(page)
    tags = ("script", "table", "section", "footer", "img", "svg", "noscript", "style", "tr")
    return {tag: len(root.findall(f".//{tag}")) for tag in tags}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _json_scripts(page: str) -> list[object]:
    root = _parsed(page)
    found = root.findall(".//script[@type='application/json']")
    return [json.loads(node.text or "") for node in found]


RAW_JSON = re.compile(r'<script type="application/json"[^>]*>(.*?)</script>', re.DOTALL)
HTML_OUTPUTS = ("brief_html", "cooperation_html", "country_page")


@pytest.mark.parametrize("output", HTML_OUTPUTS)
def test_hostile_titles_change_nothing_a_browser_builds(
    both: tuple[Outputs, Outputs], output: str
) -> None:
    plain, hostile = (getattr(o, output) for o in both)
    assert _shape(hostile) == _shape(plain)
    assert _shape(plain)["table"] > 0
    root = _parsed(hostile)
    assert root.find(".//footer") is not None or output == "country_page"
    assert root.find(".//script[@src]") is None or output == "country_page"
    for tag in ("img", "svg"):  # no element made from a title (the charts' svg aside)
        for node in root.findall(f".//{tag}"):
            assert node.get("onerror") is None and node.get("onload") is None


@pytest.mark.parametrize("output", ("brief_html", "cooperation_html"))
def test_every_embedded_json_parses_back_to_the_titles(
    both: tuple[Outputs, Outputs], output: str
) -> None:
    plain, hostile = (getattr(o, output) for o in both)
    specs = _json_scripts(hostile)
    assert len(specs) == len(_json_scripts(plain)) > 0
    strings = "\n".join(s for spec in specs for s in _strings(spec))
    if output == "brief_html":  # the effects chart carries NG's titles as data
        assert [t for t in HOSTILE[:2] if t in strings], "no title in a chart: nothing proved"
    raw = RAW_JSON.findall(hostile)
    assert len(raw) == len(specs)
    for content in raw:  # nothing in the element's text that the HTML parser reads
        for sequence in ("<", ">", "&", "\u2028", "\u2029"):
            assert sequence not in content, sequence


def test_the_titles_read_as_typed_in_the_page_text(both: tuple[Outputs, Outputs]) -> None:
    _, hostile = both
    for output in ("brief_html", "country_page"):
        text = "".join(_parsed(getattr(hostile, output)).itertext())
        for title in HOSTILE[:2]:  # NG's instruments
            assert title in text, (output, title)


def _docx_shape(data: bytes) -> tuple[dict[str, int], str]:
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        xml = docx.read("word/document.xml")
    root = ElementTree.fromstring(xml)  # well-formed XML, or this raises
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    shape = {name: len(root.findall(f".//{w}{name}")) for name in ("tbl", "tr", "drawing")}
    shape["p"] = len(root.findall(f".//{w}body/{w}p"))
    return shape, "".join(t.text or "" for t in root.iter(f"{w}t"))


def test_the_docx_brief_keeps_its_shape_and_the_titles(both: tuple[Outputs, Outputs]) -> None:
    plain, hostile = both
    plain_shape, _ = _docx_shape(plain.brief_docx)
    hostile_shape, text = _docx_shape(hostile.brief_docx)
    assert hostile_shape == plain_shape
    assert plain_shape["tbl"] > 0
    for title in HOSTILE[:2]:  # NG's instruments, as typed (a tab is Word's own element)
        assert title.replace("\t", "") in text, title


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("<!--<script>", id="comment-script"),
        pytest.param("</script>", id="end-script"),
        pytest.param("a\u2028b\u2029c", id="line-separators"),
        pytest.param({"k": ["<&>'", 1, None, 2.5]}, id="nested"),
    ],
)
def test_script_json_round_trips_and_hides_what_the_parser_reads(value: object) -> None:
    text = script_json(value)
    assert json.loads(text) == value
    for sequence in ("<", ">", "&", "'", "\u2028", "\u2029"):
        assert sequence not in text

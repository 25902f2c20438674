"""Every country with data has its row on the overview and its API document (issue 11,
item 6): a country known only from Eurostat's figures, from cases of its nationals or from
instruments -- no requests -- is listed, its note saying what retour holds on it, and its
link and /api/countries/{code} answer; an unknown code is "unknown country code 'XX'". In nl
and en, as a viewer (public profile: through the disclosure gate), over HTTP.

The data: the simulated NL world of tests/reports/test_briefs.py (no requests to SY or SO,
cases of their nationals, an instrument on Somalia, Eurostat's real tables 2012-2016).
"""

from __future__ import annotations

import re

import pytest

from ..reports.test_briefs import TestClient, viewer, world
from .test_languages import problems

pytestmark = pytest.mark.slow

__all__ = ["viewer", "world"]  # the fixtures, shared with the briefs' tests

NO_INDEX = {"nl": "geen verzoeken: geen index", "en": "no requests: no index"}
HELD = {
    "nl": {"cases": "zaken van onderdanen", "eurostat": "cijfers van Eurostat",
           "instruments": "instrumenten"},
    "en": {"cases": "cases of its nationals", "eurostat": "Eurostat figures",
           "instruments": "instruments"},
}  # fmt: skip


def _rows(client: TestClient, lang: str) -> dict[str, str]:
    """code: note of every row of the overview's list of countries, in ``lang``."""
    client.cookies.set("retour_lang", lang)
    page = client.get("/")
    assert page.status_code == 200
    assert problems(page.text, lang) == []  # type: ignore[arg-type]
    body = re.search(r'<table id="country-list">.*?</table>', page.text, re.S)
    assert body, "no list of countries"
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(0), re.S):
        code = re.search(r'href="/countries/([A-Z]+)', row)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if code and len(cells) == 3:
            found[code.group(1)] = re.sub(r"\s+", " ", cells[2]).strip()
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_countries_without_requests_are_listed_with_what_is_held(
    viewer: TestClient, lang: str
) -> None:
    rows = _rows(viewer, lang)
    held = HELD[lang]
    assert NO_INDEX[lang] not in rows["MA"]  # requests: no note
    assert rows["SY"].endswith(
        f"{NO_INDEX[lang]}; "
        + {
            "nl": "wel bekend: zaken van onderdanen, cijfers van Eurostat",
            "en": "held: cases of its nationals, Eurostat figures",
        }[lang]
    )
    assert held["instruments"] in rows["SO"] and held["cases"] in rows["SO"]
    others = (held["cases"], held["instruments"])
    only_eurostat = [
        c
        for c, note in rows.items()
        if held["eurostat"] in note and not any(o in note for o in others)
    ]
    assert only_eurostat, "Eurostat's tables name citizenships the simulated requests do not"
    for code in only_eurostat[:3]:
        page = viewer.get(f"/countries/{code}")
        assert page.status_code == 200, (code, page.text[:300])
        assert problems(page.text, lang) == []  # type: ignore[arg-type]
        got = viewer.get(f"/api/countries/{code}?lang={lang}")
        assert got.status_code == 200, (code, got.text)
        document = got.json()
        assert document["has_requests"] is False and document["index"] == []
        assert document["context"] is not None and document["nationals"] is None


def test_every_country_listed_without_requests_has_its_document(viewer: TestClient) -> None:
    rows = _rows(viewer, "en")
    without = [code for code, note in rows.items() if NO_INDEX["en"] in note]
    assert len(without) > 3
    for code in without:
        got = viewer.get(f"/api/countries/{code}?lang=en")
        assert got.status_code == 200, (code, got.text)


@pytest.mark.parametrize(
    ("lang", "said"),
    [("nl", "onbekende landcode 'XX'."), ("en", "unknown country code 'XX'.")],
)
def test_an_unknown_code_is_said_to_be_unknown(viewer: TestClient, lang: str, said: str) -> None:
    got = viewer.get(f"/api/countries/XX?lang={lang}")
    assert got.status_code == 404
    assert got.json()["error"].startswith(said)


GROUPED = {"nl": re.compile(r"^\d{1,3}(\.\d{3})+$"), "en": re.compile(r"^\d{1,3}(,\d{3})+$")}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_large_counts_are_grouped_as_the_reader_writes_them(viewer: TestClient, lang: str) -> None:
    """Issue 11 item 5: the figures' totals over 1,000 read 12.340 in Dutch, 12,340 in
    English (Babel's grouping); no count of four digits or more stands ungrouped."""
    viewer.cookies.set("retour_lang", lang)
    page = viewer.get("/figures?subject=requests").text
    cells = [c.strip() for c in re.findall(r'<td class="num">([^<]*)</td>', page)]
    assert any(GROUPED[lang].match(c) for c in cells), cells[-10:]
    assert not [c for c in cells if re.fullmatch(r"\d{4,}", c)]
    other = GROUPED["en" if lang == "nl" else "nl"]
    assert not [c for c in cells if other.match(c) and not GROUPED[lang].match(c)]

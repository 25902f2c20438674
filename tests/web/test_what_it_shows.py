"""The web says what it shows: every caption names its filters, the sliding scale sorts by
index or by name, and errors and labels speak the reader's language -- never a command-line
option or a raw code. Both languages."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

import pytest

from retour.reports import labels
from retour.service.accounts import Role

from .conftest import TestClient, page_csrf

CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)
#: Per language: (country, kind, answer, profile) as a caption names them.
WORDS = {
    "nl": ("land", "soort verzoek", "antwoord", "profiel"),
    "en": ("country", "kind of request", "answer", "profile"),
}
#: What the other language would write in a caption (a caption is in one language).
OTHER = {"nl": ("all countries", "profile:"), "en": ("alle landen", "profiel:")}


def in_language(client: TestClient, lang: str) -> TestClient:
    client.post("/lang", data={"lang": lang, "next": "/", "csrf_token": page_csrf(client)})
    return client


def captions(page: str) -> list[str]:
    return [html_lib.unescape(c).strip() for c in CAPTION.findall(page)]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_figures_caption_names_every_filter(
    client_for: Callable[[Role | None], TestClient], lang: str
) -> None:
    analyst = in_language(client_for(Role.ANALYST), lang)
    page = analyst.get(
        "/figures?subject=requests&kind=LP&years=2020-2022&country=NG&profile=parliament"
    ).text
    (caption,) = captions(page)
    country, kind, answer, profile = WORDS[lang]
    nigeria = labels.country_name("NG", lang)
    assert f"{country}: {nigeria} (NG)" in caption
    assert f"{kind}: LP" in caption
    assert f"{answer}: " in caption
    assert f"{profile}: {'Kamer' if lang == 'nl' else 'Parliament'}" in caption
    assert "2020-2022" in caption
    assert not any(word in caption for word in OTHER[lang])
    everything = captions(analyst.get("/figures").text)[0]  # no filter: said as such
    assert ("alle landen" if lang == "nl" else "all countries") in everything
    assert ("LP en T&O" if lang == "nl" else "LP and T&O") in everything
    assert ("openbaar" if lang == "nl" else "public") in everything


def test_the_refusals_caption_names_the_answers_it_counts(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    page = client_for(Role.VIEWER).get("/figures?subject=reasons&kind=TO").text
    (caption,) = captions(page)
    assert "antwoord: negatief of ingetrokken" in caption and "soort verzoek: T&O" in caption


def test_detention_captions_name_the_nationality_not_a_kind(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    page = client_for(Role.VIEWER).get("/figures?subject=detentions&country=NG").text
    found = captions(page)
    assert found and all("nationaliteit: Nigeria (NG)" in c for c in found)
    assert not any("soort verzoek" in c for c in found)  # no kind of request in detention
    assert all("profiel: openbaar" in c for c in found)


def test_overview_and_country_captions_name_their_filters(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    viewer = client_for(Role.VIEWER)
    overview = captions(viewer.get("/").text)
    assert overview and all("profiel: openbaar" in c for c in overview), overview
    key = next(c for c in overview if c.startswith("LP-aanvragen"))
    assert "land: alle landen" in key and "soort verzoek: LP en T&O" in key
    country = captions(viewer.get("/countries/NG").text)
    tables = [c for c in country if "land: Nigeria (NG)" in c]
    assert len(tables) >= 2 and all("antwoord: alle antwoorden" in c for c in tables)


# -- the sliding scale, sorted ----------------------------------------------------------------

SCALE_ROWS = re.compile(r'id="scale-figures".*?<tbody>(.*?)</tbody>', re.S)
ROW = re.compile(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</th>\s*<td[^>]*>(.*?)</td>", re.S)


def scale_rows(page: str) -> list[tuple[str, str]]:
    found = SCALE_ROWS.search(page)
    assert found, "no scale figures on the page"
    return [(html_lib.unescape(a), html_lib.unescape(b)) for a, b in ROW.findall(found.group(1))]


def index_of(cell: str) -> float | None:
    return float(cell.replace(",", ".")) if re.fullmatch(r"[\d.,]+", cell) else None


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_scale_sorts_by_index_by_default_and_by_name_on_request(
    client_for: Callable[[Role | None], TestClient], lang: str
) -> None:
    analyst = in_language(client_for(Role.ANALYST), lang)
    by_index = analyst.get("/?profile=internal&period=2022").text
    assert 'name="order"' in by_index  # the control
    rows = scale_rows(by_index)
    values = [index_of(v) for _, v in rows]
    shown = [v for v in values if v is not None]
    assert len(shown) >= 3 and None in values  # some with an index, some with too little data
    assert shown == sorted(shown, reverse=True)  # highest first
    first_missing = values.index(None)
    assert all(v is None for v in values[first_missing:])  # too little data last
    scale_caption = captions(by_index)[0]
    assert ("op index" if lang == "nl" else "by index") in scale_caption
    assert ("land: alle landen" if lang == "nl" else "country: all countries") in scale_caption
    assert ("profiel: intern" if lang == "nl" else "profile: internal") in scale_caption
    by_name = scale_rows(analyst.get("/?profile=internal&period=2022&order=name").text)
    names = [n for n, _ in by_name]
    assert sorted(names, key=str.casefold) == names
    assert sorted(names) == sorted(n for n, _ in rows)  # the same countries, reordered
    assert names != [n for n, _ in rows]


def test_the_scale_chart_follows_the_order(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    analyst = client_for(Role.ANALYST)

    def labels_in_chart(order: str) -> list[str]:
        page = analyst.get(f"/?profile=internal&period=2022&order={order}").text
        svg = page[
            page.index('id="scale-chart"') : page.index("</figure>", page.index("scale-chart"))
        ]
        rows = [n for n, _ in scale_rows(page)]
        texts = [html_lib.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
        return [t for t in texts if t in rows]

    assert labels_in_chart("index") != labels_in_chart("name")
    assert labels_in_chart("name") == sorted(labels_in_chart("name"), key=str.casefold)


# -- words, not codes or options --------------------------------------------------------------

RAW = ("--period", "--years", "--db", "RETOUR_DB", "not_applicable", "readmission_agreement")


@pytest.mark.parametrize(
    ("path", "nl", "en"),
    [
        pytest.param(
            "/?period=23", "'23' is geen jaar of kwartaal", "'23' is not a year", id="period"
        ),
        pytest.param(
            "/?period=1999", "In 1999 zijn geen verzoeken gedaan", "No requests were", id="no-year"
        ),
        pytest.param(
            "/figures?years=20x",
            "De jaren '20x' zijn niet te lezen",
            "Cannot read the years",
            id="years",
        ),
        pytest.param(
            "/figures?years=1990-1991",
            "vallen buiten de gegevens",
            "lie outside the data",
            id="outside",
        ),
    ],
)
def test_errors_on_the_pages_are_words_without_command_line_options(
    client_for: Callable[[Role | None], TestClient], path: str, nl: str, en: str
) -> None:
    client = client_for(Role.VIEWER)
    for lang, expected in (("nl", nl), ("en", en)):
        page = html_lib.unescape(in_language(client, lang).get(path).text)
        assert expected in page, (lang, path)
        assert not any(raw in page for raw in RAW), (lang, path)


def test_notes_and_instruments_show_words_not_codes(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    admin = client_for(Role.ADMIN)
    for lang in ("nl", "en"):
        in_language(admin, lang)
        reasons = html_lib.unescape(admin.get("/figures?subject=reasons").text)
        assert "not_applicable" not in reasons
        admin.post(
            "/instruments",
            data={
                "country": "NG",
                "kind": "readmission_agreement",
                "level": "bilateral",
                "status": "in_force",
                "start_on": "2022-03-01",
                "title": "Agreement",
                "csrf_token": page_csrf(admin),
            },
        )
        listed = admin.get("/instruments").text
        country = admin.get("/countries/NG").text
        for page in (listed, country):
            shown = re.sub(r'value="[^"]*"', "", page)  # form values stay codes
            for code in ("readmission_agreement", "in_force"):
                at = shown.find(code)
                assert at < 0, shown[max(0, at - 300) : at + 100]
        word = "overnameovereenkomst" if lang == "nl" else "readmission agreement"
        assert word in listed and word in country


def test_a_malformed_address_is_answered_in_words(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    client = client_for(Role.VIEWER)
    for lang, expected in (("nl", "De waarde van 'Jaren'"), ("en", "The value of 'Years'")):
        page = in_language(client, lang).get("/figures?years=" + "2" * 30)
        assert page.status_code == 422
        text = html_lib.unescape(page.text)
        assert expected in text and "String should have" not in text and "query." not in text

"""The profile follows the role: a viewer never sees an unsuppressed cell or a confidential
country, whatever the request carries; analysts choose, and see exact figures."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retour.reports import labels
from retour.service.accounts import Role

from ..disclosure.attacker import EXACT, PERCENT, pinned_rows
from .conftest import CONFIDENTIAL, TestClient

#: The tables of disclosed counts (the retour.web macro): not estimates such as the index,
#: nor Eurostat's own figures.
FIGURE_TABLE = re.compile(r'<figure class="table counts".*?</figure>', re.S)
NUMBER_CELL = re.compile(r'<td class="num[^"]*">([^<]*)</td>')
INDEX_TABLE = re.compile(r'<figure class="table" id="index-table">.*?</figure>', re.S)
HEADER_CELL = re.compile(r'<th scope="col"[^>]*>([^<]*)</th>')
BODY = re.compile(r"<tbody>.*?</tbody>", re.S)
ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
ROUND_TO = 10


def confidential_marks() -> list[str]:
    marks = []
    for code in CONFIDENTIAL:
        # an option of a country list; the page may echo what was typed into a field
        marks += [f"({code})", f"/countries/{code}", f'<option value="{code}"']
        marks += [labels.country_name(code, lang) for lang in ("nl", "en")]
    return marks


def shown_numbers(html: str) -> list[str]:
    """The count cells of the figure tables, as numbers are written (1.230 / 1,230 read as
    1230: the reader's grouping)."""
    cells: list[str] = []
    for table in FIGURE_TABLE.findall(html):
        cells += [html_lib.unescape(c) for c in NUMBER_CELL.findall(table)]
    return [re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", c.strip()) for c in cells]


def index_requests(html: str) -> list[str]:
    """The requests column of the country page's index table: a table of estimates (index,
    interval, check, shares), whose one count is the number of requests behind each quarter."""
    found = INDEX_TABLE.search(html)
    if found is None:
        return []
    headers = [html_lib.unescape(h) for h in HEADER_CELL.findall(found.group(0))]
    column = next(i for i, h in enumerate(headers) if h in {"Verzoeken", "Requests"})
    cells = []
    body = BODY.search(found.group(0))
    for row in ROW.findall(body.group(0) if body else ""):
        values = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
        cells.append(html_lib.unescape(values[column]))
    assert cells, "an index table without rows"
    return cells


def assert_public(html: str) -> None:
    """Every count rounded to tens or hidden; no confidential country named."""
    for cell in shown_numbers(html) + index_requests(html):
        text = cell.strip()
        assert text in {"<5", "x"} or (text.isdigit() and int(text) % ROUND_TO == 0), text
    for mark in confidential_marks():
        assert mark not in html, mark


def assert_public_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False)
    for code in CONFIDENTIAL:
        assert f'"{code}"' not in text, code
    assert data.get("profile") == "public"
    for table in data.get("tables", []):
        for cell in table["cells"]:
            assert cell["n"] is None or cell["n"] % ROUND_TO == 0, cell


VIEWER_PAGES = [
    "/",
    "/figures",
    "/figures?subject=requests&country=NG",
    "/figures?subject=detentions",
    "/figures?subject=departures&country=NG",
    "/countries/NG",
    "/countries/AF",
]


def test_viewer_pages_are_public_whatever_profile_is_asked(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    viewer = client_for(Role.VIEWER)
    for page in VIEWER_PAGES:
        plain = viewer.get(page)
        assert plain.status_code == 200, page
        assert_public(plain.text)
        for asked in ("internal", "parliament", "INTERNAL", "public", "nonsense"):
            join = "&" if "?" in page else "?"
            response = viewer.get(f"{page}{join}profile={asked}")
            assert response.status_code == 200
            assert_public(response.text)
            assert shown_numbers(response.text) == shown_numbers(plain.text), (page, asked)
            if asked.lower() in {"internal", "parliament", "nonsense"}:
                assert "niet beschikbaar voor uw rol" in response.text


def test_a_confidential_country_does_not_exist_for_a_viewer(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    viewer = client_for(Role.VIEWER)
    for code in CONFIDENTIAL:
        for query in ("", "?profile=internal", "?profile=parliament"):
            page = viewer.get(f"/countries/{code}{query}")
            assert page.status_code == 404
            assert labels.country_name(code, "nl") not in page.text
            assert viewer.get(f"/countries/{code}/brief{query}").status_code == 404
        assert viewer.get(f"/api/countries/{code}").status_code == 404
        # the same answer as a country without any figures: nothing tells them apart
        assert viewer.get("/countries/FI").status_code == 404
        figures = viewer.get(f"/figures?country={code}&profile=internal")
        assert "Geen cijfers voor dit land" in figures.text
        assert_public(figures.text)


def test_the_api_refuses_a_profile_the_role_does_not_have(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    viewer = client_for(Role.VIEWER)
    for path in ("/api/figures/requests", "/api/countries", "/api/countries/NG"):
        for asked in ("internal", "parliament"):
            response = viewer.get(f"{path}?profile={asked}")
            assert response.status_code == 403, (path, asked)
            assert "tables" not in response.text
    data = viewer.get("/api/figures/requests?by=country,year").json()
    assert_public_json(data)
    listed = viewer.get("/api/countries").json()
    assert listed["profile"] == "public"
    assert not {c["code"] for c in listed["countries"]} & set(CONFIDENTIAL)
    for row in listed["index"]:  # the numbers of requests behind the index, rounded too
        assert row["n_requests"] is None or row["n_requests"] % ROUND_TO == 0, row
        assert row["country"] not in CONFIDENTIAL
    country = viewer.get("/api/countries/NG").json()
    assert country["assessments"] is None
    for cell in country["answers_per_year"] + country["answers_by_reason"]:
        assert cell["n"] is None or cell["n"] % ROUND_TO == 0


def test_caseworkers_see_public_figures_only(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    caseworker = client_for(Role.CASEWORKER)
    assert_public(caseworker.get("/figures?profile=internal").text)
    assert caseworker.get("/api/figures/requests?profile=parliament").status_code == 403


def test_analysts_choose_their_profile_and_see_exact_figures(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    analyst = client_for(Role.ANALYST)
    public = analyst.get("/figures?by=country")
    assert_public(public.text)
    internal = analyst.get("/figures?profile=internal").text
    exact = [c for c in shown_numbers(internal) if c.isdigit()]
    assert any(int(c) % ROUND_TO for c in exact), "internal figures are exact"
    assert "(MA)" in analyst.get("/figures?profile=internal&subject=requests&country=MA").text
    parliament = analyst.get("/?profile=parliament").text
    assert "/countries/MA" not in parliament  # pooled under parliament too
    assert analyst.get("/countries/MA?profile=internal").status_code == 200
    assert analyst.get("/countries/MA?profile=parliament").status_code == 404
    data = analyst.get("/api/figures/requests?profile=internal&by=country").json()
    assert data["profile"] == "internal"
    assert any(c["country"] == "MA" for c in data["tables"][0]["cells"])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(["/", "/figures", "/countries/NG", "/api/figures/requests"]),
    params=st.dictionaries(
        st.sampled_from(["profile", "years", "kind", "country", "subject", "by", "lang"]),
        st.one_of(
            st.sampled_from(
                [
                    "internal",
                    "parliament",
                    "public",
                    "MA",
                    "DZ",
                    "NG",
                    "LP",
                    "TO",
                    "2019-2023",
                    "2020",
                    "country",
                    "country,year",
                    "detentions",
                    "departures",
                    "en",
                    "x",
                ]
            ),
            st.text(max_size=12),
        ),
        max_size=5,
    ),
)
def test_whatever_a_viewer_asks_stays_public(
    client_for: Callable[[Role | None], TestClient], path: str, params: dict[str, str]
) -> None:
    viewer = client_for(Role.VIEWER)
    response = viewer.get(path, params=params)
    assert response.status_code in {200, 400, 403, 404, 422}
    if path.startswith("/api/"):
        if response.status_code == 200:
            assert_public_json(response.json())
        return
    assert_public(response.text)


def test_no_public_share_of_the_index_pins_a_small_count(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    """A viewer who reads /api/countries for every period and tries every number of requests
    behind each rounded one finds no share that gives back a count of 1-4 (issue 17); an
    analyst's internal figures, read the same way with their exact numbers, do."""
    viewer, analyst = client_for(Role.VIEWER), client_for(Role.ANALYST)
    last = int(viewer.get("/api/countries").json()["period"][:4])
    public: list[dict[str, Any]] = []
    internal: list[dict[str, Any]] = []
    for year in range(last - 5, last + 1):
        response = viewer.get(f"/api/countries?period={year}")
        if response.status_code != 200:
            continue
        public += response.json()["index"]
        exact = analyst.get(f"/api/countries?period={year}&profile=internal")
        internal += exact.json()["index"]
    assert len(public) > 20 and len(internal) >= len(public)  # internal names every country
    assert any(r["naive_positive_share"] is not None for r in public)
    for tolerance in (EXACT, PERCENT):
        assert pinned_rows(public, round_to=ROUND_TO, tolerance=tolerance) == []
    assert pinned_rows(internal, round_to=1), "the attacker reads exact figures"
    country = viewer.get("/api/countries/NG").json()  # the country page's quarters
    assert country["index"] and pinned_rows(country["index"], round_to=ROUND_TO) == []
    for effect in country["effects"]:
        assert all(effect[c] is None or effect[c] % ROUND_TO == 0 for c in ("n_before", "n_after"))

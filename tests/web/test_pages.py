"""The pages: what they show, what they change, what they record; headers and assets."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from retour.service import audit, instruments
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.web import create_app

from ..exchange.conftest import VALID, replace_line
from .conftest import TestClient, page_csrf

STATIC = Path(__file__).resolve().parents[2] / "src" / "retour" / "web" / "static"


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def actions(app: Retour) -> list[str]:
    return [e.action for e in audit.read_log(app, limit=1000)]


# -- frame, headers, assets ------------------------------------------------------------------


def test_security_headers_on_every_answer(client_for: Callable[[Role | None], TestClient]) -> None:
    for role, path in [(None, "/login"), (Role.ADMIN, "/"), (Role.ADMIN, "/api/me")]:
        response = client_for(role).get(path)
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"


def test_every_asset_is_served_locally(client_for: Callable[[Role | None], TestClient]) -> None:
    admin = client_for(Role.ADMIN)
    for path in ("/", "/countries/NG", "/figures", "/instruments", "/import", "/audit"):
        html = admin.get(path).text
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", url), (path, url)
        assert "<script>" not in html  # no inline scripts: the CSP forbids them
    js = admin.get("/static/htmx.min.js")
    assert js.status_code == 200
    assert js.text.startswith("/*! htmx 2.0.11")
    assert "Zero-Clause BSD" in (STATIC / "htmx.LICENSE.txt").read_text(encoding="utf-8")
    assert admin.get("/static/style.css").headers["cache-control"].startswith("public")


def test_dutch_by_default_and_an_english_switch(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    viewer = client_for(Role.VIEWER)
    page = viewer.get("/")
    assert '<html lang="nl">' in page.text and "Overzicht" in page.text
    switched = viewer.post(
        "/lang",
        data={"lang": "en", "next": "/figures?subject=departures", "csrf_token": page_csrf(viewer)},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/figures?subject=departures"
    english = viewer.get("/figures?subject=departures").text
    assert '<html lang="en">' in english and "Departures" in english
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        away = viewer.post(
            "/lang",
            data={"lang": "nl", "next": evil, "csrf_token": page_csrf(viewer)},
            follow_redirects=False,
        )
        assert away.headers["location"] == "/"


def test_the_login_page_works_in_both_languages(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    anonymous = client_for(None)
    assert "Inloggen" in anonymous.get("/login").text
    anonymous.post(
        "/lang",
        data={"lang": "en", "next": "/login", "csrf_token": page_csrf(anonymous, "/login")},
    )
    assert "Sign in" in anonymous.get("/login").text


# -- overview, countries, figures -----------------------------------------------------------------


def test_overview_shows_the_scale_key_figures_countries_and_what_is_pending(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    html = client_for(Role.VIEWER).get("/").text
    assert 'id="scale-chart"' in html and "<svg" in html  # the scale, drawn on the server
    assert 'id="scale-figures"' in html and 'id="key-figures"' in html
    assert '<a href="/countries/NG">' in html
    assert 'class="pending"' not in html  # every part is wired to its service
    assert 'id="ready-to-return"' in html or "Geen condities in de gegevens" in html
    other = client_for(Role.VIEWER).get("/?period=2021Q3").text
    assert "2021Q3" in other and 'id="scale-chart"' in other
    wrong = client_for(Role.VIEWER).get("/?period=1999").text
    assert 'class="error"' in wrong


def test_a_country_page(client_for: Callable[[Role | None], TestClient]) -> None:
    html = client_for(Role.VIEWER).get("/countries/NG").text
    assert "<h1>Nigeria" in html
    assert 'id="reasons"' in html and 'id="per-year"' in html
    assert 'href="/countries/NG/brief"' in html
    for chart in ("index-chart", "answer-time-chart", "outcomes-chart"):
        assert f'id="{chart}"' in html
    assert '<section class="eu-context"' in html  # Eurostat's context ...
    assert "<svg" in html  # ... with its chart drawn on the server
    assert "Beoordelingen" not in html  # internal only


def test_figures_filters_and_the_htmx_fragment(
    client_for: Callable[[Role | None], TestClient],
) -> None:
    analyst = client_for(Role.ANALYST)
    full = analyst.get("/figures?subject=requests&kind=LP&years=2020-2022&country=NG")
    assert full.status_code == 200
    assert "<html" in full.text and "2020-2022" in full.text
    fragment = analyst.get(
        "/figures?subject=requests&kind=LP&years=2020-2022&country=NG",
        headers={"HX-Request": "true"},
    )
    assert "<html" not in fragment.text and "<table>" in fragment.text
    wrong = analyst.get("/figures?years=1990-1991")
    assert wrong.status_code == 400 and "vallen buiten de gegevens" in wrong.text


def test_figures_of_refusals_by_reason(client_for: Callable[[Role | None], TestClient]) -> None:
    analyst = client_for(Role.ANALYST)
    page = analyst.get("/figures?subject=reasons&years=2019-2023")
    assert page.status_code == 200
    assert '<option value="reasons" selected>' in page.text
    assert "Alleen verzoeken met antwoord: negatief, ingetrokken" in page.text
    assert "onvoldoende informatie" in page.text  # the reasons, in words
    assert "niet van toepassing" not in page.text  # no positive or pending request counted
    answer = analyst.get(
        "/api/figures/requests",
        params={"by": "outcome,reason", "outcome": "negative", "profile": "internal"},
    )
    assert answer.status_code == 200
    cells = answer.json()["tables"][0]["cells"]
    assert cells and {c["outcome"] for c in cells} <= {"negative", "total"}
    wrong = analyst.get("/api/figures/requests", params={"outcome": "refused"})
    assert wrong.status_code == 400 and "Onbekend antwoord 'refused'" in wrong.text  # Dutch


def test_the_press_workbook_download_is_audited(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    response = client_for(Role.VIEWER).get("/figures/workbook?profile=internal&years=2019-2021")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert "public" in response.headers["content-disposition"]  # the viewer's profile
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) >= 3
    entry = audit.read_log(loaded, limit=1)[0]
    assert (entry.action, entry.actor, entry.profile) == ("export_workbook", "viewer", "public")
    assert entry.detail["years"] == "2019-2021"


def test_the_figures_on_the_page_as_csv(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    analyst = client_for(Role.ANALYST)
    query = {"subject": "reasons", "years": "2019-2023", "country": "NG", "profile": "internal"}
    response = analyst.get("/figures/csv", params=query)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "retour-reasons-2019-2023-NG-internal.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {r["country"] for r in rows} == {"NG"}  # the one country asked for
    assert list(rows[0]) == ["country", "country_name", "kind", "outcome", "reason", "year", "n"]
    entry = audit.read_log(loaded, limit=1)[0]
    assert (entry.action, entry.actor, entry.profile, entry.subject) == (
        "export_figures", "analyst", "internal", "reasons",
    )  # fmt: skip
    # the same numbers as the JSON API gives for the same question
    api = analyst.get(
        "/api/figures/requests",
        params={"by": "country,kind,outcome,reason,year", "outcome": "negative,withdrawn",
                "years": "2019-2023", "profile": "internal"},
    ).json()  # fmt: skip
    expected = {
        (c["kind"], c["outcome"], c["reason"], str(c["year"])): c["display"]
        for c in api["tables"][0]["cells"]
        if c["country"] == "NG"
    }
    assert {(r["kind"], r["outcome"], r["reason"], r["year"]): r["n"] for r in rows} == expected
    # a viewer gets the public profile whatever it asks for, and an unknown country is refused
    viewer = client_for(Role.VIEWER)
    public = viewer.get("/figures/csv", params={**query, "country": ""})
    assert public.status_code == 200 and "-public.csv" in public.headers["content-disposition"]
    assert viewer.get("/figures/csv", params={**query, "country": "ZZ"}).status_code == 400
    page = analyst.get("/figures", params={"subject": "detentions"})
    assert 'href="/figures/csv?subject=detentions' in page.text


# -- cases ------------------------------------------------------------------------------------


def test_a_case_view_is_audited_and_its_id_stays_out_of_the_log(
    client_for: Callable[[Role | None], TestClient],
    loaded: Retour,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caseworker = client_for(Role.CASEWORKER)
    caplog.set_level("INFO", logger="retour.web")
    opened = caseworker.post(
        "/cases",
        data={"case_id": "C00042", "csrf_token": page_csrf(caseworker)},
        follow_redirects=False,
    )
    assert opened.headers["location"] == "/cases/C00042"
    page = caseworker.get("/cases/C00042")
    assert page.status_code == 200 and '<section class="case"' in page.text
    entry = audit.read_log(loaded, limit=1)[0]
    assert (entry.action, entry.actor, entry.subject, entry.via, entry.profile) == (
        "view_case",
        "caseworker",
        "C00042",
        "web",
        "internal",
    )
    assert entry.detail["prospect"]  # what the prospect said is kept, nothing personal
    assert "C00042" not in caplog.text  # the access log names the route, not the case
    assert "/cases/{case_id}" in caplog.text
    data = caseworker.get("/api/cases/C00042").json()
    assert data["case_id"] == "C00042"
    assert actions(loaded).count("view_case") == 2
    unknown = caseworker.get("/cases/Z99999")
    assert unknown.status_code == 404 and "Z99999" not in unknown.text
    assert caseworker.get("/api/cases/Z99999").status_code == 404
    assert actions(loaded).count("view_case") == 2  # nothing was viewed


# -- instruments ------------------------------------------------------------------------------


def _add(client: TestClient, **fields: str) -> Any:
    form = {
        "country": "NG",
        "kind": "visa_measure",
        "level": "eu",
        "status": "in_force",
        "start_on": "2022-03-01",
        "end_on": "",
        "title": "Visa measures",
        "source": "Council implementing decision",
        **fields,
    }
    return client.post("/instruments", data={**form, "csrf_token": page_csrf(client)})


def test_add_and_end_an_instrument(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    analyst = client_for(Role.ANALYST)
    response = _add(analyst)
    assert response.status_code == 200
    added = [i for i in instruments.list_instruments(loaded) if i.title == "Visa measures"]
    assert len(added) == 1
    item = added[0]
    assert item.instrument_id.startswith("web-")
    assert item.instrument_id in response.text
    # the country page shows it at once (the cache follows the data)
    assert "Visa measures" in client_for(Role.VIEWER).get("/countries/NG").text
    ended = analyst.post(
        f"/instruments/{item.instrument_id}/end",
        data={"end_on": "2023-12-31", "csrf_token": page_csrf(analyst)},
    )
    assert ended.status_code == 200
    now = next(
        i for i in instruments.list_instruments(loaded) if i.instrument_id == item.instrument_id
    )
    assert (now.status.value, now.end_on.isoformat() if now.end_on else None) == (
        "ended",
        "2023-12-31",
    )
    log = [e for e in audit.read_log(loaded) if e.action.startswith("instrument_")]
    assert [e.action for e in log] == ["instrument_ended", "instrument_added"]
    assert {(e.subject, e.actor) for e in log} == {(item.instrument_id, "analyst")}
    from retour.service.datasets import database_info

    assert "web" in (database_info(loaded).source or "")  # recorded like an import


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "XX"}, "unknown country"),
        ({"kind": "sanction"}, "unknown code"),
        ({"level": "global"}, "unknown code"),
        ({"start_on": "2022-02-30"}, "not a calendar date"),
        ({"end_on": "2021-01-01"}, "end_on"),
        ({"start_on": "2030-01-01"}, "after the extraction date"),
        ({"title": ""}, "required value is missing"),
    ],
)
def test_instruments_keep_the_contract_rules(
    client_for: Callable[[Role | None], TestClient],
    loaded: Retour,
    fields: dict[str, str],
    message: str,
) -> None:
    before = instruments.list_instruments(loaded)
    response = _add(client_for(Role.ADMIN), **fields)
    assert response.status_code == 400
    assert message in response.text
    assert instruments.list_instruments(loaded) == before


def test_ending_an_instrument_before_it_started_is_refused(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    analyst = client_for(Role.ANALYST)
    _add(analyst)
    item = instruments.list_instruments(loaded)[0]
    response = analyst.post(
        f"/instruments/{item.instrument_id}/end",
        data={"end_on": "2020-01-01", "csrf_token": page_csrf(analyst)},
    )
    assert response.status_code == 400
    assert "end_on" in response.text
    missing = analyst.post(
        "/instruments/web-ffffffff/end",
        data={"end_on": "2023-01-01", "csrf_token": page_csrf(analyst)},
    )
    assert missing.status_code == 400 and "Er is geen instrument" in missing.text  # Dutch


# -- import -----------------------------------------------------------------------------------


def test_import_a_dataset(client_for: Callable[[Role | None], TestClient], loaded: Retour) -> None:
    admin = client_for(Role.ADMIN)
    response = admin.post(
        "/import",
        data={"csrf_token": page_csrf(admin)},
        files={"dataset": ("extract-2024.zip", zipped(VALID), "application/zip")},
    )
    assert response.status_code == 200, response.text
    assert "extract-2024.zip" in response.text and 'id="import-result"' in response.text
    entry = audit.read_log(loaded, limit=1)[0]
    assert (entry.action, entry.via, entry.detail) == (
        "import_dataset",
        "web",
        {"container": "zip"},
    )
    from retour.service.datasets import database_info

    assert database_info(loaded).counts  # the data are in


def test_an_invalid_dataset_lists_its_violations_and_writes_nothing(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    from retour.service.datasets import database_info

    before = database_info(loaded).counts
    bad = replace_line(VALID, "cases.csv", 2, "C1,XX,2020-01-05,M,1990,,")
    admin = client_for(Role.ADMIN)
    response = admin.post(
        "/import",
        data={"csrf_token": page_csrf(admin)},
        files={"dataset": ("bad.zip", zipped(bad), "application/zip")},
    )
    assert response.status_code == 400
    assert 'id="violations"' in response.text and "unknown country" in response.text
    assert database_info(loaded).counts == before
    assert audit.read_log(loaded, limit=1)[0].action == "import_refused"


def test_only_zip_and_xlsx_are_taken(client_for: Callable[[Role | None], TestClient]) -> None:
    admin = client_for(Role.ADMIN)
    response = admin.post(
        "/import",
        data={"csrf_token": page_csrf(admin)},
        files={"dataset": ("../../etc/passwd", b"root:x:0:0", "text/plain")},
    )
    assert response.status_code == 400
    assert "Kies een .zip-, .xlsx- of .csv-bestand" in response.text


# -- audit ------------------------------------------------------------------------------------


def test_the_audit_page_lists_entries_and_is_itself_audited(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    admin = client_for(Role.ADMIN)
    html = admin.get("/audit").text
    assert 'id="audit-log"' in html and "login" in html
    filtered = admin.get("/audit?action=login").text
    assert "view_audit" not in filtered.split("<tbody>")[1]
    assert actions(loaded).count("view_audit") == 2
    assert admin.get("/api/audit").json()["entries"][0]["action"] == "view_audit"


def test_the_app_needs_a_session_secret_and_opens_the_database(loaded: Retour) -> None:
    app = create_app(loaded, warm_up=False)
    assert app.state.retour is loaded


def test_the_country_brief_is_a_download_and_audited(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    response = client_for(Role.ANALYST).get("/countries/NG/brief?profile=parliament")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="retour-landenbrief-NG-parliament.html"'
    )
    assert "<html" in response.text
    entry = audit.read_log(loaded, limit=1)[0]
    assert (entry.action, entry.subject, entry.profile) == ("export_report", "NG", "parliament")
    assert client_for(Role.VIEWER).get("/countries/MA/brief").status_code == 404

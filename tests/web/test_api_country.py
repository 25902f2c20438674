"""/api/countries/{code} answers for every country the country page and brief answer for:
a country without requests (Syria, Somalia) gets what retour holds on it -- its nationals'
cases and departures, its instruments, Eurostat's figures, no index -- the same cells as
its brief; a country without any data, an unknown code and a confidential country are not
found. The data: the simulated NL world of tests/reports/test_briefs.py (no requests to SY
or SO, cases of their nationals, an instrument on Somalia, Eurostat's real tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..reports.test_briefs import Run, TestClient, World, both, retour, viewer, world

pytestmark = pytest.mark.slow

__all__ = ["retour", "viewer", "world"]  # the fixtures, shared with the briefs' tests


def _total(cells: list[dict[str, Any]], dims: tuple[str, str]) -> int:
    """The grand total among a table's cells (``total`` in both its dimensions)."""
    found = [c["n"] for c in cells if all(c[d] == "total" for d in dims)]
    assert len(found) == 1, cells[:3]
    return int(found[0])


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_country_without_requests_is_answered_as_its_brief(
    world: World, viewer: TestClient, retour: Run, tmp_path: Path, lang: str
) -> None:
    answer = viewer.get(f"/api/countries/SY?lang={lang}")
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert got["name"] == ("Syrië" if lang == "nl" else "Syria")
    assert got["has_requests"] is False
    assert got["answers_per_year"] == got["answers_by_reason"] == []
    assert got["index"] == []  # no requests: no index
    assert got["profile"] == "public" and got["fingerprint"] == world.fingerprint
    assert got["context"] is not None  # Eurostat's figures
    nationals = got["nationals"]
    assert nationals is not None and nationals["cases"]
    dims = tuple(k for k in nationals["cases"][0] if k not in {"n", "display", "status"})
    assert len(dims) == 2 and "year" in dims
    # the brief's table of cases: the same grand total
    _, word, _ = both(retour, tmp_path, "report", "country", "SY", "--lang", lang)
    _, _, rows = word.tables[0]
    assert _total(nationals["cases"], dims) == int(rows[-1][-1]) > 0  # type: ignore[arg-type]


def test_a_country_with_only_an_instrument_lists_it(viewer: TestClient) -> None:
    got = viewer.get("/api/countries/SO?lang=en").json()
    assert got["has_requests"] is False and got["index"] == []
    assert [(i["country"], i["start_on"]) for i in got["instruments"]] == [("SO", "2022-03-01")]


def test_a_country_with_requests_keeps_its_answers(viewer: TestClient) -> None:
    got = viewer.get("/api/countries/MA").json()
    assert got["has_requests"] is True
    assert got["answers_per_year"] and got["answers_by_reason"] and got["index"]
    assert {c["country"] for c in got["answers_per_year"]} == {"MA"}


@pytest.mark.parametrize("code", ["FI", "XX"])
def test_no_answer_for_a_country_without_data(viewer: TestClient, code: str) -> None:
    answer = viewer.get(f"/api/countries/{code}")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/json")

"""The real Eurostat exports (Deutsche Welle's copy, 2012-2016), imported through the command
line and checked against an independent reading with the csv module."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from retour.service import outside
from retour.service.context import Retour

from .conftest import ORDERED, ORDERED_TOTALS, RETURNED, RETURNED_TOTALS, Run

Figures = dict[tuple[str, str, str], int | None]


def oracle(path: Path) -> Figures:
    """(year, GEO label, CITIZEN label) -> value, read with the csv module alone: ':' is None,
    thousands separators dropped; only the total returned of migr_eirtn."""
    figures: Figures = {}
    with path.open(encoding="cp1252", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("INDIC_MG", "Total number of persons returned") != (
                "Total number of persons returned"
            ):
                continue
            raw = row["Value"].replace(",", "").strip()
            figures[(row["TIME"], row["GEO"], row["CITIZEN"])] = None if raw == ":" else int(raw)
    return figures


def oracle_ranks(ordered: Figures, returned: Figures, citizen: str) -> dict[str, tuple[int, int]]:
    """year -> (rank of the Netherlands, states ranked), aggregates left out."""
    rates: dict[str, dict[str, float]] = defaultdict(dict)
    for (year, geo, who), n in ordered.items():
        r = returned.get((year, geo, who))
        if who == citizen and not geo.startswith("European Union") and n and r is not None:
            rates[year][geo] = r / n
    ranks = {}
    for year, by_geo in rates.items():
        mine = by_geo["Netherlands"]
        ranks[year] = (1 + sum(rate > mine for rate in by_geo.values()), len(by_geo))
    return ranks


@pytest.fixture(scope="module")
def truth(eurostat_dw: Path) -> tuple[Figures, Figures]:
    return oracle(eurostat_dw / ORDERED), oracle(eurostat_dw / RETURNED)


@pytest.fixture
def real(cli: Run, eurostat_dw: Path) -> Run:
    files = [eurostat_dw / name for name in (ORDERED, RETURNED)]
    code, out, err = cli("context", "import", *map(str, files))
    assert (code, err) == (0, "")
    assert out.count("28545 values — inserted 28545, updated 0, unchanged 0") == 2
    return cli


def rows_of(run: Run, *args: str) -> list[dict[str, object]]:
    code, out, err = run("context", "return-rate", *args, "--format", "json")
    assert code == 0, err
    rows: list[dict[str, object]] = json.loads(out)["rows"]
    return rows


def test_netherlands_morocco_2012(real: Run) -> None:
    rows = rows_of(real, "--citizen", "MA", "--geo", "NL", "--years", "2012")
    nl = next(r for r in rows if r["geo"] == "NL")
    assert (nl["ordered"], nl["returned"]) == (950, 300)
    assert nl["return_rate"] == pytest.approx(300 / 950, abs=1e-6)
    code, out, _ = real(
        "context",
        "return-rate",
        "--citizen",
        "MA",
        "--geo",
        "NL",
        "--years",
        "2012",
        "--format",
        "csv",
    )
    assert code == 0
    assert "NL,MA,2012,950,,300,,0.315789," in out


def test_somalia_and_the_flags_of_the_eu_total(real: Run) -> None:
    rows = rows_of(real, "--citizen", "SO", "--years", "2012")
    by = {r["geo"]: r for r in rows}
    assert (by["NL"]["ordered"], by["NL"]["returned"]) == (2355, 215)
    assert by["EU28"]["aggregate"] is True
    assert {by["EU28"]["ordered_flag"], by["EU28"]["returned_flag"]} <= {"d", None}


def test_every_state_and_year_matches_the_independent_reading(
    real: Run, truth: tuple[Figures, Figures]
) -> None:
    """Per year, the multiset of the states' figures (null apart from zero) and the EU28."""
    ordered, returned = truth
    rows = rows_of(real, "--citizen", "MA", "--years", "2012-2016")
    for year in ("2012", "2013", "2014", "2015", "2016"):
        mine = [r for r in rows if str(r["year"]) == year and not r["aggregate"]]
        eu = "European Union (28 countries)"
        expected_o = [
            v for (y, g, c), v in ordered.items() if (y, c) == (year, "Morocco") and g != eu
        ]
        expected_r = [
            v for (y, g, c), v in returned.items() if (y, c) == (year, "Morocco") and g != eu
        ]
        assert sorted((r["ordered"] is None, r["ordered"] or 0) for r in mine) == sorted(
            (v is None, v or 0) for v in expected_o
        )
        assert sorted((r["returned"] is None, r["returned"] or 0) for r in mine) == sorted(
            (v is None, v or 0) for v in expected_r
        )
        totals = next(r for r in rows if str(r["year"]) == year and r["geo"] == "EU28")
        assert totals["ordered"] == ordered[(year, eu, "Morocco")]
        assert totals["returned"] == returned[(year, eu, "Morocco")]


def test_the_rank_of_the_netherlands_matches(real: Run, truth: tuple[Figures, Figures]) -> None:
    expected = oracle_ranks(*truth, "Morocco")
    code, out, _ = real("context", "return-rate", "--citizen", "MA", "--format", "json")
    assert code == 0
    ranking = {str(r["year"]): (r["rank"], r["of"]) for r in json.loads(out)["ranking"]}
    assert ranking == expected
    assert ranking["2012"] == (18, 24)


def test_reimport_changes_nothing_and_the_totals_files_add_the_earlier_years(
    real: Run, eurostat_dw: Path
) -> None:
    code, out, _ = real("context", "import", str(eurostat_dw / ORDERED))
    assert "inserted 0, updated 0, unchanged 28545" in out
    files = [eurostat_dw / RETURNED_TOTALS, eurostat_dw / ORDERED_TOTALS]
    code, out, err = real("context", "import", *map(str, files))
    assert code == 0, err
    rows = rows_of(real, "--citizen", "TOTAL", "--geo", "NL", "--years", "2010-2016")
    years = sorted({r["year"] for r in rows if r["geo"] == "NL"})
    assert years[0] < 2012 and years[-1] == 2016  # the totals files start before 2012


def test_country_context_for_the_report(real: Run, db_url: str) -> None:
    with Retour.from_environment(db_url) as app:
        context = outside.country_context(app, "MA", years="2012-2016")
        assert context is not None
        assert context.years == (2012, 2013, 2014, 2015, 2016)
        nl = context.focus_rows().filter(year=2012).row(0, named=True)
        assert (nl["ordered"], nl["returned"], nl["rank"], nl["ranked"]) == (950, 300, 18, 24)
        assert outside.country_context(app, "MA", years=[2020]) is None
        assert outside.country_context(app, "AQ") is None  # Antarctica: no figures
        assert outside.outside_count(app) == 2 * 28545

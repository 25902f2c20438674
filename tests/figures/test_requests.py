"""`retour figures requests`: every number equals the oracle's recount of the CSV files."""

from __future__ import annotations

import json

import pytest

from retour.disclosure import DisclosureRules

from . import oracle
from .check import TOTAL, assert_exact, cells_of, expected_disclosed, parse_csv
from .conftest import Loaded, run

YEARS = range(2019, 2024)


@pytest.mark.parametrize(
    "by",
    [
        "kind,year,outcome",
        "kind,year,country,outcome",
        "kind,year,country,outcome,reason",
        "year",
        "country,year",
        "outcome,reason",
    ],
)
def test_internal_equals_the_recount(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], by: str
) -> None:
    code, out, err = run(
        capsys, "figures", "requests", "--years", "2019-2023", "--by", by,
        "--profile", "internal", "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    dims = by.split(",")
    header, rows = parse_csv(out)
    assert header == [*dims, "n"]
    assert_exact(cells_of(rows, dims), oracle.requests(on_loaded.exported, dims, YEARS))
    assert "internal" in err


def test_kind_and_cohort_outcome(on_loaded: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    dims = ["year", "country", "outcome"]
    code, out, _ = run(
        capsys, "figures", "requests", "--years", "2020-2022", "--kind", "TO",
        "--cohort", "outcome", "--by", ",".join(dims), "--profile", "internal", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    _, rows = parse_csv(out)
    cells = cells_of(rows, dims)
    recount = oracle.requests(
        on_loaded.exported, dims, range(2020, 2023), kinds=["TO"], cohort="outcome"
    )
    assert_exact(cells, recount)
    # by year of the answer, a pending request has no year: none is counted
    assert all(int(n) == 0 for k, n in cells.items() if k[2] == "pending" and TOTAL not in k)


@pytest.mark.parametrize("by", ["kind,outcome,reason,year", "country,reason,year", "reason"])
def test_refusals_by_reason(on_loaded: Loaded, capsys: pytest.CaptureFixture[str], by: str) -> None:
    """How often, and why, return was refused: --outcome negative,withdrawn with reasons."""
    code, out, err = run(
        capsys, "figures", "requests", "--years", "2019-2023", "--by", by,
        "--outcome", "withdrawn,negative", "--profile", "internal", "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    dims = by.split(",")
    cells = cells_of(parse_csv(out)[1], dims)
    refusals = ["negative", "withdrawn"]
    assert_exact(cells, oracle.requests(on_loaded.exported, dims, YEARS, outcomes=refusals))
    reasons = {k[dims.index("reason")] for k in cells if TOTAL not in k}
    assert "not_applicable" not in reasons  # no positive or pending request is counted
    assert {"no_response", "insufficient_information"} <= reasons
    table = run(
        capsys, "figures", "requests", "--years", "2019-2023", "--by", by, "--lang", "en",
        "--outcome", "withdrawn,negative",
    )[1]  # fmt: skip
    assert "Only requests with the answer: negative, withdrawn" in " ".join(table.split())


def test_reasons_that_occur_nowhere_get_no_row(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str]
) -> None:
    dims = ["outcome", "reason", "year"]
    code, out, _ = run(
        capsys, "figures", "requests", "--years", "2019-2023", "--by", ",".join(dims),
        "--profile", "internal", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    pairs = {k[:2] for k in cells_of(parse_csv(out)[1], dims) if TOTAL not in k}
    occurring = {k[:2] for k in oracle.requests(on_loaded.exported, dims, YEARS)}
    assert pairs == {(o, r or "not_applicable") for o, r in occurring}
    assert ("positive", "no_response") not in pairs


@pytest.mark.parametrize("by", ["kind,year,country,outcome", "country,year", "year,outcome"])
def test_public_is_disclose_table_of_the_recount(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], by: str
) -> None:
    code, out, err = run(
        capsys, "figures", "requests", "--years", "2019-2023", "--by", by,
        "--confidential", "MA,DZ", "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    dims = by.split(",")
    _, rows = parse_csv(out)
    cells = cells_of(rows, dims)
    rules = DisclosureRules.from_settings("public", "MA,DZ")
    recount = oracle.requests(on_loaded.exported, dims, YEARS)
    assert cells == expected_disclosed(cells, recount, dims, rules)
    shown = [v for v in cells.values() if v.isdigit()]
    assert all(int(v) % 10 == 0 for v in shown), "public counts are rounded to tens"
    assert "public" in err  # the default profile, said on stderr
    if "country" in dims:
        countries = {k[dims.index("country")] for k in cells}
        assert "OTHER" in countries and not {"MA", "DZ"} & countries


def test_parliament_pools_exactly(on_loaded: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    dims = ["country", "year"]
    code, out, _ = run(
        capsys, "figures", "requests", "--years", "2019-2023", "--by", "country,year",
        "--profile", "parliament", "--confidential", "MA,DZ", "--format", "json",
    )  # fmt: skip
    assert code == 0
    answer = json.loads(out)
    assert answer["profile"] == "parliament"
    cells = cells_of(answer["tables"][0]["cells"], dims)
    recount = oracle.requests(on_loaded.exported, dims, YEARS)
    pooled = recount.copy()
    for (country, year), n in recount.items():
        if country in {"MA", "DZ"}:
            del pooled[(country, year)]
            pooled[("OTHER", year)] += n
    assert_exact(cells, pooled)


def test_settings_confidential_list_applies(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETOUR_CONFIDENTIAL", '["NG", "IQ"]')
    _, out, _ = run(
        capsys, "figures", "requests", "--years", "2019", "--by", "country",
        "--confidential", "MA", "--format", "csv", "--profile", "parliament",
    )  # fmt: skip
    countries = {row["country"] for row in parse_csv(out)[1]}
    assert "OTHER" in countries and not {"NG", "IQ", "MA"} & countries


def test_names_add_a_column(on_loaded: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["figures", "requests", "--years", "2019-2023", "--by", "country,outcome"]
    _, out, _ = run(capsys, *args, "--format", "csv", "--names", "nl", "--confidential", "MA,DZ")
    header, rows = parse_csv(out)
    assert header == ["country", "country_name", "outcome", "n"]
    names = {r["country"]: r["country_name"] for r in rows}
    assert names["SO"] == "Somalië"
    assert names["IQ"] == "Irak"
    assert names["STLS"] == "staatloos"
    assert names["OTHER"] == "overige landen"
    assert names[TOTAL] == ""
    _, out, _ = run(capsys, *args, "--format", "json", "--names", "en")
    cell = next(c for c in json.loads(out)["tables"][0]["cells"] if c["country"] == "CD")
    assert cell["country_name"].startswith("Congo")
    _, out, _ = run(capsys, *args, "--names", "en", "--lang", "en")
    assert "Somalia" in out and "Total" in out


def test_table_says_profile_and_provenance(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "figures", "requests", "--years", "2019-2023")
    assert code == 0
    assert "Profiel: public" in out
    assert "Peildatum: 2024-03-01" in out
    assert "Soort verzoek" in out and "Totaal" in out  # the table says its codes in words
    assert "gesimuleerde gegevens" not in out
    _, out, _ = run(capsys, "figures", "requests", "--years", "2023-2024", "--lang", "en")
    assert "Profile: public" in out
    assert "2024 runs up to the extraction date 2024-03-01." in out


def test_json_carries_profile_and_cells(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "figures", "requests", "--years", "2021", "--by", "country",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    answer = json.loads(out)
    assert answer["profile"] == "public"
    assert answer["simulated"] is False
    assert answer["years"] == [2021]
    assert answer["extracted_on"] == "2024-03-01"
    assert len(answer["fingerprint"]) == 16
    statuses = {c["status"] for c in answer["tables"][0]["cells"]}
    assert "suppressed_primary" in statuses
    for cell in answer["tables"][0]["cells"]:
        assert (cell["n"] is None) == (cell["display"] in {"<5", "x"})

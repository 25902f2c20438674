"""`retour figures detentions` (what followed detention) and `retour figures departures`."""

from __future__ import annotations

import json

import pytest

from retour.disclosure import DisclosureRules

from . import oracle
from .check import assert_exact, cells_of, expected_disclosed, parse_csv
from .conftest import Loaded, run

YEARS = range(2018, 2024)


@pytest.mark.parametrize("by", ["year,end_reason", "year,nationality,end_reason", "year"])
def test_detentions_internal(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], by: str
) -> None:
    code, out, err = run(
        capsys, "figures", "detentions", "--years", "2018-2023", "--by", by,
        "--profile", "internal", "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    dims = by.split(",")
    header, rows = parse_csv(out)
    assert header == ["table", *dims, "n"]
    ended, followed = oracle.detentions(on_loaded.exported, dims, YEARS)
    assert sum(followed.values()) > 0
    assert_exact(cells_of(rows, dims, "ended"), ended)
    unsupervised = cells_of(rows, dims, "unsupervised")
    assert_exact(unsupervised, followed)
    if "end_reason" in dims:
        assert not [k for k in unsupervised if "removed" in k], "removals are not releases"


def test_detentions_public(on_loaded: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    dims = ["year", "end_reason"]
    code, out, _ = run(
        capsys, "figures", "detentions", "--years", "2018-2023", "--format", "json",
    )  # fmt: skip
    assert code == 0
    answer = json.loads(out)
    assert answer["profile"] == "public"
    assert answer["by"] == dims
    rules = DisclosureRules.from_settings("public")
    ended, followed = oracle.detentions(on_loaded.exported, dims, YEARS)
    tables = {t["name"]: cells_of(t["cells"], dims) for t in answer["tables"]}
    assert tables["ended"] == expected_disclosed(tables["ended"], ended, dims, rules)
    assert tables["unsupervised"] == expected_disclosed(
        tables["unsupervised"], followed, dims, rules
    )


def test_detentions_table_explains_the_follow_up(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "figures", "detentions", "--years", "2019-2023", "--lang", "en")
    assert code == 0
    assert "Released from detention and left without supervision within 30 days" in out
    assert "within 30 days of release" in out
    assert "Profile: public" in out


@pytest.mark.parametrize(
    "by", ["year,type", "year,type,nationality", "nationality,type", "year,destination,assisted"]
)
def test_departures_internal(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], by: str
) -> None:
    code, out, _ = run(
        capsys, "figures", "departures", "--years", "2019-2023", "--by", by,
        "--profile", "internal", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    dims = by.split(",")
    header, rows = parse_csv(out)
    assert header == [*dims, "n"]
    assert_exact(
        cells_of(rows, dims), oracle.departures(on_loaded.exported, dims, range(2019, 2024))
    )


def test_departures_public_pools_nationality(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str]
) -> None:
    dims = ["year", "type", "nationality"]
    code, out, _ = run(
        capsys, "figures", "departures", "--years", "2019-2023", "--by", ",".join(dims),
        "--confidential", "MA,DZ", "--format", "csv", "--names", "en",
    )  # fmt: skip
    assert code == 0
    header, rows = parse_csv(out)
    assert header == ["year", "type", "nationality", "nationality_name", "n"]
    cells = cells_of(rows, dims)
    rules = DisclosureRules.from_settings("public", "MA,DZ")
    recount = oracle.departures(on_loaded.exported, dims, range(2019, 2024))
    assert cells == expected_disclosed(cells, recount, dims, rules)
    assert {"MA", "DZ"}.isdisjoint(r["nationality"] for r in rows)

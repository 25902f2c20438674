"""`retour figures conditions`: the counts against the oracle under every profile, the
month-end series, the blocker read from what is shown, the three formats, and errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from retour.disclosure import DisclosureRules, disclose_table
from retour.domain.codes import Table
from retour.domain.dataset import Dataset, DatasetMeta

from . import data, oracle
from .conftest import Loaded, import_into, run

ON = data.ON.isoformat()
MEASURES = ("open_cases", "all_green", *(f"{c}_not_green" for c in oracle.CONDITIONS))


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _disclosed(
    expected: dict[str, Counter[str]], measure: str, rules: DisclosureRules
) -> dict[str, str]:
    """What the profile should show for ``measure``: country -> display, "total" too."""
    frame = pl.DataFrame(
        {
            "country": [k for k in expected if k != "total"],
            "n": [expected[k][measure] for k in expected if k != "total"],
        },
        schema={"country": pl.String, "n": pl.Int64},
    )
    table = disclose_table(frame, rows=["country"], column=None, rules=rules)
    shown = table.to_display_frame("en")
    return {
        {"Total": "total", "other countries": "OTHER"}.get(label, label): value
        for label, value in zip(shown["country"], shown["n"], strict=True)
    }


def test_internal_csv_is_exact(on_edges: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "figures", "conditions", "--on", ON, "--by", "country", "--profile", "internal",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    expected = oracle.counts(on_edges.exported, data.ON)
    rows = _csv(out)
    assert [r["country"] for r in rows][-1] == "total"
    assert {r["country"] for r in rows} == set(expected)
    for row in rows:
        for measure in MEASURES:
            assert int(row[measure]) == expected[row["country"]][measure], (row, measure)
    assert "internal" in err


@pytest.mark.parametrize("profile", ["public", "parliament"])
def test_profiles_show_what_the_disclosure_gives(
    on_edges: Loaded, capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    args = ["figures", "conditions", "--on", ON, "--by", "country", "--format", "csv"]
    code, out, _ = run(capsys, *args, "--profile", profile, "--confidential", "ER,GM")
    assert code == 0
    expected = oracle.counts(on_edges.exported, data.ON)
    pooled: dict[str, Counter[str]] = {}
    for key, counter in expected.items():
        pooled.setdefault("OTHER" if key in {"ER", "GM"} else key, Counter()).update(counter)
    rules = DisclosureRules.from_settings(profile, ["ER", "GM"])
    rows = {r["country"]: r for r in _csv(out)}
    assert "ER" not in rows and "GM" not in rows and "OTHER" in rows
    for measure in MEASURES:
        want = _disclosed(pooled, measure, rules)
        got = {key: row[measure] for key, row in rows.items()}
        assert got == want, measure


def test_public_hides_small_counts(on_edges: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "figures", "conditions", "--on", ON, "--by", "country", "--format", "csv"
    )
    assert code == 0
    values = [v for row in _csv(out) for k, v in row.items() if k in MEASURES]
    assert "<5" in values
    numbers = [int(v) for v in values if v.isdigit()]
    assert all(n % 10 == 0 for n in numbers)


def test_the_blocker_is_read_from_the_shown_counts(
    on_edges: Loaded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "figures", "conditions", "--on", ON, "--by", "country", "--profile", "internal",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    answer = json.loads(out)
    expected = oracle.counts(on_edges.exported, data.ON)
    blockers = {
        c["country"] or "total": c["display"]
        for c in answer["cells"]
        if c["column"] == "single_blocker"
    }
    for key, counter in expected.items():
        singles = {c: counter[f"only_{c}"] for c in oracle.CONDITIONS}
        top = max(singles.values())
        want = "/".join(c for c in oracle.CONDITIONS if singles[c] == top) if top else ""
        assert blockers[key] == want, key


def test_without_by_one_total_row(on_edges: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "figures", "conditions", "--on", ON, "--profile", "internal", "--format", "csv"
    )
    assert code == 0
    rows = _csv(out)
    assert len(rows) == 1 and "country" not in rows[0]
    total = oracle.counts(on_edges.exported, data.ON)["total"]
    assert int(rows[0]["open_cases"]) == total["open_cases"]
    assert int(rows[0]["all_green"]) == total["all_green"]


def test_the_default_date_is_the_extraction_date(
    on_edges: Loaded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "figures", "conditions", "--profile", "internal", "--format", "json")
    assert code == 0
    assert json.loads(out)["on"] == data.EXTRACTED.isoformat()


def test_monthly_series(on_edges: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "figures", "conditions", "--monthly", "2022-2023", "--by", "country",
        "--profile", "internal", "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    expected = oracle.monthly(on_edges.exported, 2022, 2023)
    rows = _csv(out)
    months = sorted({r["month_end"] for r in rows})
    assert len(months) == 24 and months[0] == "2022-01-31" and months[-1] == "2023-12-31"
    for row in rows:
        assert int(row["all_green"]) == expected.get((row["month_end"], row["country"]), 0)


def test_monthly_table_and_public(on_edges: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "figures", "conditions", "--monthly", "2023", "--lang", "en")
    assert code == 0
    assert "2023-01-31" in out and "2023-12-31" in out
    assert "persons ready to be returned" in out
    assert "Profile: public" in out


def test_table_output(on_edges: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "figures", "conditions", "--on", ON, "--by", "country", "--names", "en"
    )
    assert code == 0
    assert "Morocco" in out and "single_blocker" in out and "Totaal" in out
    assert "Profiel: public" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--on", "2023-02-30"], "Cannot read the date"),
        (["--on", "2030-01-01"], "lies after the data"),
        (["--on", "1999-01-01"], "lies before the data"),
        (["--monthly", "twenty"], "Cannot read the years"),
        (["--monthly", "2023-2021"], "run backwards"),
        (["--monthly", "2010-2012"], "outside the data"),
        (["--monthly", "2022", "--on", ON], "either --on or --monthly"),
        (["--by", "nationality"], "Cannot break the conditions down"),
        (["--profile", "press"], "Unknown publication profile"),
        (["--confidential", "XX"], "Unknown country code"),
        (["--lang", "fr"], "Unknown language"),
    ],
)
def test_usage_errors_exit_2(
    on_edges: Loaded, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code, out, err = run(capsys, "figures", "conditions", *args)
    assert code == 2, err
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_an_empty_database(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETOUR_DB", database_url)
    code, _, err = run(capsys, "figures", "conditions")
    assert code == 2
    assert "holds no cases" in err


def test_a_day_without_open_cases(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = [
        data.case("E1", "MA", dt.date(2023, 1, 1), dt.date(2023, 1, 2), "other"),
        data.case("E2", "DZ", dt.date(2023, 3, 1)),
    ]
    dataset = Dataset(
        {Table.CASES: data.frame(Table.CASES, cases)},
        DatasetMeta(source="tests", extracted_on=data.EXTRACTED),
    )
    import_into(database_url, dataset, tmp_path)
    monkeypatch.setenv("RETOUR_DB", database_url)
    args = ["figures", "conditions", "--on", "2023-02-01", "--by", "country", "--format", "csv"]
    code, out, err = run(capsys, *args, "--profile", "internal")
    assert code == 0, err
    rows = _csv(out)
    assert [r["country"] for r in rows] == ["total"]
    assert rows[0]["open_cases"] == "0" and rows[0]["single_blocker"] == ""
    code, out, _ = run(capsys, "figures", "conditions", "--monthly", "2023", "--format", "csv")
    assert code == 0
    counts = {(r["month_end"], r["all_green"]) for r in _csv(out)}
    assert ("2023-01-31", "0") in counts

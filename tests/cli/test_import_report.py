"""`retour import PATH --report violations.csv|.json`: every violation, with its file, line,
column, reason code and value, for the people who correct the source; never an alien
number."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from retour.exchange.violations import Reason

from ..conftest import TEST_SECRET
from ..exchange.conftest import VALID, Files, write_folder
from ..exchange.test_pseudonyms import V_NUMBERS, with_v_numbers
from ..process import retour as run_retour

#: More violations than the 200 lines shown on stderr.
BAD_ROWS = 250


def many_bad_countries() -> Files:
    """VALID with BAD_ROWS more requests, each to the country 'XQ' (no such country)."""
    rows = [f"RX{i},C1,LP,XQ,2020-02-01,document,yes,pending,,," for i in range(BAD_ROWS)]
    return {**VALID, "requests.csv": VALID["requests.csv"] + "\n".join(rows) + "\n"}


def retour(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    database = str(tmp_path / "retour.sqlite")
    return run_retour(args, tmp_path, RETOUR_DB=database, RETOUR_SECRET=TEST_SECRET)


def read_report(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]
    with path.open(encoding="utf-8", newline="") as report:
        return list(csv.DictReader(report))


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_the_report_holds_every_violation_with_its_reason(tmp_path: Path, suffix: str) -> None:
    folder = write_folder(tmp_path / "d", many_bad_countries())
    report = tmp_path / f"violations{suffix}"
    done = retour(["import", str(folder), "--report", str(report)], tmp_path)
    assert done.returncode == 2
    assert f"... and {BAD_ROWS - 200} more violations." in done.stderr
    assert f"Wrote {BAD_ROWS} violations to {report}." in done.stderr
    rows = read_report(report)
    assert len(rows) == BAD_ROWS
    assert list(rows[0]) == ["file", "line", "column", "reason", "value", "message"]
    assert {r["reason"] for r in rows} == {Reason.UNKNOWN_COUNTRY.value}
    where = {(r["file"], r["column"], r["value"]) for r in rows}
    assert where == {("requests.csv", "country", "XQ")}
    # the lines of the bad rows: after the header and the four good requests
    assert sorted(int(r["line"]) for r in rows) == list(range(6, 6 + BAD_ROWS))
    assert all(r["message"] for r in rows)


def test_a_clean_import_writes_an_empty_report(tmp_path: Path) -> None:
    report = tmp_path / "violations.csv"
    report.write_text("an old report\n", encoding="utf-8")
    done = retour(["import", str(write_folder(tmp_path / "d", VALID)), "--report", str(report)],
                  tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert report.read_text(encoding="utf-8") == "file,line,column,reason,value,message\n"


def test_alien_numbers_never_reach_the_report(tmp_path: Path) -> None:
    files = with_v_numbers(VALID)
    # a request of a person who has no case: the violation is on the v_number column
    unknown = "9876543210"
    files["requests.csv"] += f"R9,{unknown},LP,MA,2020-02-01,document,yes,pending,,,\n"
    folder = write_folder(tmp_path / "v", files)
    for suffix in (".csv", ".json"):
        report = tmp_path / f"violations{suffix}"
        done = retour(["import", str(folder), "--report", str(report)], tmp_path)
        assert done.returncode == 2, done.stderr
        text = report.read_text(encoding="utf-8")
        (row,) = read_report(report)
        assert (row["column"], row["value"], row["reason"]) == ("v_number", "", "unknown_case")
        for number in (unknown, *V_NUMBERS.values()):
            assert number not in text and number not in done.stderr


@pytest.mark.parametrize(
    ("name", "expected"),
    [("violations.txt", "neither .csv nor .json"), ("nowhere/v.csv", "does not exist")],
    ids=["suffix", "folder"],
)
def test_a_report_that_cannot_be_written_is_refused_first(
    tmp_path: Path, name: str, expected: str
) -> None:
    folder = write_folder(tmp_path / "d", VALID)
    done = retour(["import", str(folder), "--report", str(tmp_path / name)], tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert expected in line
    assert not (tmp_path / "retour.sqlite").exists(), "nothing was imported"

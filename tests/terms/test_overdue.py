"""`retour overdue` as a user meets it: a process of its own, exit codes, a pipe at 80
columns, both languages, the workbook, and every row equal to a row-by-row oracle."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import sqlalchemy as sa

from retour.analysis import terms as timing
from retour.exchange import load

from ..process import retour
from . import generated, oracle, reference
from .fixture import EXTRACTED, V2, Files, write

HEADER = "request_id,case_id,country,kind,submitted_on,due_on,days_over,what,deemed_accepted"


def _imported(
    tmp_path: Path, files: Files, database: str | None = None
) -> tuple[Path, dict[str, str]]:
    """The files imported into `database` (the backend under test), else an SQLite file."""
    home = tmp_path / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {"RETOUR_DB": database or str(home / "retour.sqlite"), "COLUMNS": "80"}
    done = retour(["import", str(write(tmp_path / "data", files))], home, **env)
    assert done.returncode == 0, done.stderr
    return home, env


@pytest.fixture
def fixture_db(tmp_path: Path, database_url: str) -> tuple[Path, dict[str, str]]:
    """The fixture's files in the backend under test: the staged due dates are joined to
    the requests by SQLite and by PostgreSQL (RETOUR_TEST_DATABASE)."""
    return _imported(tmp_path, V2, database_url)


def _csv_rows(text: str) -> list[tuple[object, ...]]:
    lines = list(csv.reader(io.StringIO(text)))
    assert ",".join(lines[0]) == HEADER
    return [(*r[:6], int(r[6]), *r[7:]) for r in lines[1:]]


def test_the_list_is_exactly_the_oracles(fixture_db: tuple[Path, dict[str, str]]) -> None:
    home, env = fixture_db
    done = retour(["overdue", "--profile", "internal", "--format", "csv"], home, **env)
    assert done.returncode == 0, done.stderr
    expected = oracle.overdue(V2, dt.date.fromisoformat(EXTRACTED))
    assert _csv_rows(done.stdout) == expected
    # the cases the fixture was made for: King's Day and Ascension in a working-day limit,
    # a document overdue after a positive answer, a closed case and a status left out
    assert [r[0] for r in expected] == ["R1", "R3", "R2"]
    assert expected[0][5] == "2024-05-13"


@pytest.mark.parametrize(
    ("on", "country", "kind"),
    [pytest.param("2024-06-10", None, None, id="a-day-in-the-past"),
     pytest.param("2024-06-28", "PK", None, id="one-country"),
     pytest.param("2024-06-28", None, "LP", id="one-kind"),
     pytest.param("2024-03-15", None, "TO", id="during-a-status")],
)  # fmt: skip
def test_filters_and_dates_match_the_oracle(
    tmp_path: Path, database_url: str, on: str, country: str | None, kind: str | None
) -> None:
    files = generated.dataset(7)
    home, env = _imported(tmp_path, files, database_url)
    args = ["overdue", "--profile", "internal", "--format", "csv", "--on", on]
    args += ["--country", country] if country else []
    args += ["--kind", kind] if kind else []
    done = retour(args, home, **env)
    assert done.returncode == 0, done.stderr
    every = oracle.overdue(files, dt.date.fromisoformat(on))
    expected = [r for r in every if country in (None, r[2]) and kind in (None, r[3])]
    assert expected, "the generated dataset should have overdue requests here"
    assert _csv_rows(done.stdout) == expected


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("on", ["2023-04-27", "2023-12-31", "2024-01-02", "2024-06-28"])
def test_the_analysis_equals_the_oracle_on_generated_data(
    tmp_path: Path, seed: int, on: str
) -> None:
    files = generated.dataset(seed)
    data = load(write(tmp_path, files), today=dt.date(2024, 7, 1))
    requests = data["requests"].join(data["cases"].select("case_id", "closed_on"), on="case_id")
    due = reference.with_due_dates(requests, data["instruments"], data["terms"])
    day = dt.date.fromisoformat(on)
    got = reference.overdue(due, data["country_status"], day)
    rows = [(*r[:4], r[4].isoformat(), r[5].isoformat(), r[6], r[7], r[8] or "")
            for r in got.iter_rows()]  # fmt: skip
    assert rows == oracle.overdue(files, day)


def test_counts_under_parliament_equal_the_oracle(tmp_path: Path, database_url: str) -> None:
    files = generated.dataset(11, n=800)
    home, env = _imported(tmp_path, files, database_url)
    done = retour(["overdue", "--profile", "parliament", "--format", "csv"], home, **env)
    assert done.returncode == 0, done.stderr
    got = Counter[tuple[str, str, str, str]]()
    for row in csv.DictReader(io.StringIO(done.stdout)):
        assert "request_id" not in row  # counts, never a list
        if int(row["n"]):
            got[(row["country"], row["kind"], row["what"], row["days_over_band"])] = int(row["n"])
    assert got == oracle.overdue_counts(files, dt.date.fromisoformat(EXTRACTED))


def test_public_counts_hide_small_cells_and_list_no_request(
    fixture_db: tuple[Path, dict[str, str]],
) -> None:
    home, env = fixture_db
    done = retour(["overdue", "--format", "json"], home, **env)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["profile"] == "public" and "rows" not in doc
    assert {c["n"] for c in doc["counts"]} <= {"<5", "0"}
    assert "R1" not in done.stdout and "C1" not in done.stdout
    assert {s["country"] for s in doc["not_listed"]} == {"SO", "SY"}


@pytest.mark.parametrize(
    ("lang", "words"),
    [pytest.param("en", ("Overdue on 2024-06-28", "days over", "travel document",
                         "Not listed: SY (LP and TO), forced return suspended since 2012-01-01."),
                  id="en"),
     pytest.param("nl", ("Over de termijn op 2024-06-28", "dagen over termijn", "reisdocument",
                         "Niet vermeld: SY (LP en T&O), gedwongen terugkeer opgeschort sinds "
                         "2012-01-01."), id="nl")],
)  # fmt: skip
def test_the_table_in_a_pipe_is_whole_in_both_languages(
    fixture_db: tuple[Path, dict[str, str]], lang: str, words: tuple[str, ...]
) -> None:
    home, env = fixture_db
    done = retour(["overdue", "--profile", "internal", "--lang", lang], home, **env)
    assert done.returncode == 0, done.stderr
    for word in words:
        assert word in done.stdout, word
    assert "…" not in done.stdout
    lines = done.stdout.splitlines()
    for request in ("R1", "R2", "R3"):
        [line] = [x for x in lines if x.split()[:1] == [request]]
        assert "2024-" in line  # a request's row is one line, dates included


def test_nothing_overdue_says_so(fixture_db: tuple[Path, dict[str, str]]) -> None:
    home, env = fixture_db
    done = retour(["overdue", "--profile", "internal", "--on", "2024-01-01", "--lang", "en"],
                  home, **env)  # fmt: skip
    assert done.returncode == 0
    assert "Nothing is overdue on 2024-01-01." in done.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [pytest.param(["--on", "2024-13-01"], "--on 2024-13-01: not a date", id="bad-date"),
     pytest.param(["--country", "XX"], "--country XX: not a country code", id="bad-country"),
     pytest.param(["--kind", "AB"], "--kind AB: use LP or TO", id="bad-kind"),
     pytest.param(["--format", "xml"], "--format xml: use table, csv, json or xlsx",
                  id="bad-format"),
     pytest.param(["--format", "xlsx"], "--format xlsx writes a workbook", id="xlsx-no-out")],
)  # fmt: skip
def test_mistakes_are_one_line_and_exit_2(
    fixture_db: tuple[Path, dict[str, str]], args: list[str], says: str
) -> None:
    home, env = fixture_db
    done = retour(["overdue", "--lang", "en", *args], home, **env)
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_mistake_in_dutch(fixture_db: tuple[Path, dict[str, str]]) -> None:
    home, env = fixture_db
    done = retour(["overdue", "--lang", "nl", "--kind", "AB"], home, **env)
    assert done.returncode == 2
    assert "--kind AB: gebruik LP of TO." in done.stderr


def test_the_workbook_has_a_sheet_per_country_and_a_summary(
    fixture_db: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    home, env = fixture_db
    out = tmp_path / "overdue.xlsx"
    args = ["overdue", "--profile", "internal", "--format", "xlsx", "--out", str(out)]
    done = retour([*args, "--lang", "en"], home, **env)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "MA", "PK"]
    pk = [[c.value for c in row] for row in book["PK"].iter_rows()]
    assert pk[0][0] == "Overdue on 2024-06-28"
    assert [r[0] for r in pk if r and r[0] in {"R2", "R3"}] == ["R3", "R2"]
    summary = [[c.value for c in row] for row in book["Summary"].iter_rows()]
    assert ["PK", "TO", "answer", 1] in summary and ["PK", "TO", "travel document", 1] in summary


def test_every_output_is_in_the_audit_log(fixture_db: tuple[Path, dict[str, str]]) -> None:
    home, env = fixture_db
    for fmt in ("csv", "json", "table"):
        assert retour(["overdue", "--profile", "internal", "--format", fmt], home,
                      **env).returncode == 0  # fmt: skip
    engine = sa.create_engine(env["RETOUR_DB"])
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT action, profile, detail FROM audit_log WHERE subject = 'overdue' "
                    "ORDER BY id")
        ).all()  # fmt: skip
    engine.dispose()
    found = [(a, p, d if isinstance(d, str) else json.dumps(d)) for a, p, d in rows]
    assert [json.loads(d)["format"] for _a, _p, d in found] == ["csv", "json", "table"]
    assert {(a, p) for a, p, _d in found} == {("export_figures", "internal")}
    assert all("R1" not in d and "C1" not in d for _a, _p, d in found)


def test_frames_have_the_exact_columns() -> None:
    empty = pl.DataFrame(schema={c: pl.String for c in timing.OVERDUE_COLUMNS})
    assert ",".join(empty.columns) == HEADER

"""`retour figures art25a`: the Article 25a indicators per country, equal to a row-by-row
count of a generated dataset (the oracle below: plain Python over the CSV rows), through
the publication profiles, on the command line as a subprocess in both languages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import sqlite3
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pytest

from ..process import retour
from . import generated, oracle
from .fixture import Files, write
from .test_overdue import _imported

YEAR = 2023
COLUMNS = (
    "country,return_decisions,returns,return_rate,requests,positive,positive_share,"
    "answered_in_time_share,median_days_to_answer,documents_in_time_share"
)
COUNTS = ("return_decisions", "returns", "requests", "positive")


def dataset(seed: int, n: int = 1500) -> Files:
    """The generated retour/2 dataset plus departures of every type around the year."""
    files = generated.dataset(seed, n=n)
    rng = random.Random(seed + 100)
    lines = ["departure_id,case_id,departed_on,type,destination,assisted"]
    cases = oracle.rows(files, "cases.csv")
    for i, case in enumerate(rng.sample(cases, k=len(cases) // 2)):
        opened = dt.date.fromisoformat(case["opened_on"])
        departed = min(opened + dt.timedelta(days=rng.randint(0, 400)), generated.EXTRACTED)
        kind = rng.choice(("forced", "independent", "unsupervised"))
        lines.append(f"D{i},{case['case_id']},{departed},{kind},,")
    return {**files, "departures.csv": "\n".join(lines) + "\n"}


def expected(files: Files, year: int) -> dict[str, dict[str, object]]:
    """The indicators per country, counted one row at a time."""
    nationality = {c["case_id"]: c["nationality"] for c in oracle.rows(files, "cases.csv")}
    decisions: Counter[str] = Counter(
        c["nationality"] for c in oracle.rows(files, "cases.csv") if c["opened_on"][:4] == str(year)
    )
    returns: Counter[str] = Counter()
    for d in oracle.rows(files, "departures.csv"):
        if d["departed_on"][:4] == str(year) and d["type"] in ("forced", "independent"):
            returns[nationality[d["case_id"]]] += 1
    requests: Counter[str] = Counter()
    positive: Counter[str] = Counter()
    days: dict[str, list[int]] = defaultdict(list)
    for r in oracle.rows(files, "requests.csv"):
        if r["submitted_on"][:4] != str(year):
            continue
        requests[r["country"]] += 1
        positive[r["country"]] += r["outcome"] == "positive"
        if r["outcome"] in ("positive", "negative"):
            taken = dt.date.fromisoformat(r["outcome_on"]) - dt.date.fromisoformat(
                r["submitted_on"]
            )
            days[r["country"]].append(taken.days)
    kept = oracle.compliance(files, generated.EXTRACTED, {year})
    out: dict[str, dict[str, object]] = {}
    for country in sorted(set(decisions) | set(returns) | set(requests)):
        parts = kept.get((country, year), Counter())
        base = parts["with_terms"] - parts["withdrawn_before_due"]
        documents = sum(parts[c] for c in ("documents_in_time", "documents_late",
                                          "documents_missing"))  # fmt: skip
        out[country] = {
            "return_decisions": decisions[country],
            "returns": returns[country],
            "return_rate": returns[country] / decisions[country] if decisions[country] else None,
            "requests": requests[country],
            "positive": positive[country],
            "positive_share": positive[country] / requests[country] if requests[country] else None,
            "answered_in_time_share": parts["answered_in_time"] / base if base else None,
            "median_days_to_answer": statistics.median(days[country]) if days[country] else None,
            "documents_in_time_share": parts["documents_in_time"] / documents
            if documents
            else None,
        }
    return out


@pytest.fixture(scope="module")
def art25a_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Files]:
    files = dataset(3)
    home, env = _imported(tmp_path_factory.mktemp("art25a"), files)
    return home, env, files


def _rows(text: str) -> list[dict[str, str]]:
    header = text.splitlines()[0]
    assert header.startswith(COLUMNS + ",") or header == COLUMNS, header
    return list(csv.DictReader(io.StringIO(text)))


def _value(text: str) -> float | None:
    return float(text) if text else None


def _share(value: object) -> float | None:
    return None if value is None else round(float(value), 4)  # type: ignore[arg-type]


def test_internal_indicators_equal_the_row_by_row_count(
    art25a_db: tuple[Path, dict[str, str], Files],
) -> None:
    home, env, files = art25a_db
    done = retour(["figures", "art25a", "--year", str(YEAR), "--profile", "internal",
                   "--format", "csv"], home, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    want = expected(files, YEAR)
    rows = {r["country"]: r for r in _rows(done.stdout) if r["country"]}
    assert sorted(rows) == sorted(want)
    for country, values in want.items():
        got = rows[country]
        for c in COUNTS:
            assert int(got[c]) == values[c], (country, c)
        for c in ("return_rate", "positive_share", "answered_in_time_share",
                  "documents_in_time_share"):  # fmt: skip
            assert _value(got[c]) == _share(values[c]), (country, c, got[c], values[c])
        assert _value(got["median_days_to_answer"]) == values["median_days_to_answer"], country
    # the generated data hold what the columns are for: countries with and without terms,
    # returns and refusals, documents late and in time
    assert any(v["answered_in_time_share"] is None for v in want.values())
    assert any(v["answered_in_time_share"] not in (None, 0, 1) for v in want.values())
    assert any(v["documents_in_time_share"] not in (None, 0, 1) for v in want.values())
    assert all(int(rows[c]["returns"]) > 0 for c in want)
    total = next(r for r in _rows(done.stdout) if not r["country"])
    assert int(total["requests"]) == sum(int(v["requests"]) for v in want.values())  # type: ignore[call-overload]


def test_a_country_with_a_status_is_marked_not_assessed(
    art25a_db: tuple[Path, dict[str, str], Files],
) -> None:
    home, env, _files = art25a_db
    done = retour(["figures", "art25a", "--year", str(YEAR), "--profile", "internal",
                   "--format", "csv"], home, **env)  # fmt: skip
    rows = {r["country"]: r for r in _rows(done.stdout)}
    assert rows["SY"]["not_assessed"] == "forced_return_suspended"
    assert rows["SO"]["not_assessed"] == "no_document_process"
    assert rows["MA"]["not_assessed"] == ""


def test_public_rounds_hides_and_shares_only_shown_counts(
    art25a_db: tuple[Path, dict[str, str], Files],
) -> None:
    home, env, files = art25a_db
    done = retour(["figures", "art25a", "--year", str(YEAR), "--format", "csv"], home, **env)
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    exact = expected(files, YEAR)
    for r in rows:
        for c in COUNTS:
            assert r[c] in {"<5", "x"} or int(r[c]) % 10 == 0, (c, r[c])
        if r["return_decisions"] not in {"<5", "x", "0"} and r["returns"] not in {"<5", "x"}:
            # the rate of the rounded counts, never of the exact ones
            assert _value(r["return_rate"]) == round(
                int(r["returns"]) / int(r["return_decisions"]), 4
            )
        elif r["return_decisions"] in {"<5", "x"} or r["returns"] in {"<5", "x"}:
            assert r["return_rate"] == ""
        if r["median_days_to_answer"]:
            assert float(r["median_days_to_answer"]).is_integer()
    exact_rates = {_share(v["return_rate"]) for v in exact.values()}
    shown_rates = {_value(r["return_rate"]) for r in rows if r["country"]}
    assert exact_rates - {None} != shown_rates - {None}, "public gave the exact rates"


def test_json_has_the_same_rows(art25a_db: tuple[Path, dict[str, str], Files]) -> None:
    home, env, _files = art25a_db
    done = retour(["figures", "art25a", "--year", str(YEAR), "--profile", "internal",
                   "--format", "json"], home, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["year"] == YEAR and doc["profile"] == "internal"
    csv_done = retour(["figures", "art25a", "--year", str(YEAR), "--profile", "internal",
                       "--format", "csv"], home, **env)  # fmt: skip
    by_csv = {r["country"]: r for r in _rows(csv_done.stdout)}
    for row in doc["rows"]:
        assert row["requests"] == int(by_csv[row["country"]]["requests"])
    assert {s["country"] for s in doc["not_assessed"]} >= {"SY", "SO"}


@pytest.mark.parametrize(
    ("lang", "words"),
    [pytest.param("en", ("Article 25a Visa Code: indicators for 2023", "return rate", "Total",
                         "not a cohort rate", "forced return suspended"), id="en"),
     pytest.param("nl", ("Artikel 25a Visumcode: indicatoren over 2023", "terugkeerpercentage",
                         "Totaal", "geen cohortpercentage", "gedwongen terugkeer opgeschort"),
                  id="nl")],
)  # fmt: skip
def test_the_table_in_a_pipe_in_both_languages(
    art25a_db: tuple[Path, dict[str, str], Files], lang: str, words: tuple[str, ...]
) -> None:
    home, env, _files = art25a_db
    done = retour(["figures", "art25a", "--year", str(YEAR), "--lang", lang], home, **env)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    for word in words:
        assert word in text, word
    assert "…" not in done.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [pytest.param(["--year", "twenty"], "--year twenty", id="not-a-year"),
     pytest.param(["--year", "1990"], "1990", id="no-data"),
     pytest.param([], "--year", id="missing"),
     pytest.param(["--year", "2023", "--format", "xml"], "--format", id="format")],
)  # fmt: skip
def test_a_bad_option_is_one_line_and_exit_2(
    art25a_db: tuple[Path, dict[str, str], Files], args: list[str], says: str
) -> None:
    home, env, _files = art25a_db
    done = retour(["figures", "art25a", *args, "--lang", "en"], home, **env)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) <= 2 and says in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_every_output_is_in_the_audit_log(art25a_db: tuple[Path, dict[str, str], Files]) -> None:
    home, env, _files = art25a_db
    with sqlite3.connect(env["RETOUR_DB"]) as conn:
        before = conn.execute("SELECT count(*) FROM audit_log WHERE subject = 'art25a'").fetchone()
    for fmt in ("csv", "json", "table"):  # a table on a screen is not an export
        done = retour(["figures", "art25a", "--year", str(YEAR), "--format", fmt], home, **env)
        assert done.returncode == 0, done.stderr
    with sqlite3.connect(env["RETOUR_DB"]) as conn:
        found = conn.execute(
            "SELECT action, profile, detail FROM audit_log WHERE subject = 'art25a'"
        ).fetchall()[before[0] :]
    assert [json.loads(d)["format"] for _a, _p, d in found] == ["csv", "json"]
    assert {(a, p) for a, p, _d in found} == {("export_figures", "public")}


def test_the_indicators_on_the_backend_under_test(database_url: str, tmp_path: Path) -> None:
    """The same count on the backend the suite runs on (PostgreSQL with
    RETOUR_TEST_DATABASE): its date arithmetic and grouping give the oracle's figures."""
    files = dataset(8, n=500)
    home = tmp_path / "home"
    home.mkdir()
    env = {"RETOUR_DB": database_url, "COLUMNS": "80"}
    done = retour(["import", str(write(tmp_path / "data", files))], home, **env)
    assert done.returncode == 0, done.stderr
    done = retour(["figures", "art25a", "--year", str(YEAR), "--profile", "internal",
                   "--format", "csv"], home, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {r["country"]: r for r in _rows(done.stdout) if r["country"]}
    want = expected(files, YEAR)
    assert sorted(rows) == sorted(want)
    for country, values in want.items():
        for c in COUNTS:
            assert int(rows[country][c]) == values[c], (country, c)
        got = _value(rows[country]["median_days_to_answer"])
        assert got == values["median_days_to_answer"], country
        got = _value(rows[country]["answered_in_time_share"])
        assert got == _share(values["answered_in_time_share"]), country


@pytest.mark.parametrize(
    ("args", "says"),
    [pytest.param(["--year", "2023", "--out", "{tmp}/a.csv"], ".xlsx", id="not-xlsx"),
     pytest.param(["--year", "2023", "--out", "{tmp}"], "{tmp}", id="a-folder"),
     pytest.param(["--year", "23", "--out", "{tmp}/a.xlsx"], "--year 23", id="bad-year")],
)  # fmt: skip
def test_the_workbook_refuses_bad_options_in_one_line(
    art25a_db: tuple[Path, dict[str, str], Files], tmp_path: Path, args: list[str], says: str
) -> None:
    home, env, _files = art25a_db
    filled = [a.replace("{tmp}", str(tmp_path)) for a in args]
    done = retour(["report", "art25a", *filled, "--lang", "en"], home, **env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert says.replace("{tmp}", str(tmp_path)) in done.stderr.splitlines()[0]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "a.xlsx").exists()


def test_the_workbook_is_audited(
    art25a_db: tuple[Path, dict[str, str], Files], tmp_path: Path
) -> None:
    home, env, _files = art25a_db
    out = tmp_path / "art25a.xlsx"
    done = retour(["report", "art25a", "--year", str(YEAR), "--profile", "parliament",
                   "--out", str(out)], home, timeout=300, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:2] == b"PK"
    assert "parliament" in done.stdout
    with sqlite3.connect(env["RETOUR_DB"]) as conn:
        found = conn.execute(
            "SELECT profile, detail FROM audit_log WHERE subject = 'art25a' "
            "AND action = 'export_workbook'"
        ).fetchall()
    assert ("parliament", {"year": YEAR, "format": "xlsx"}) in [
        (p, json.loads(d)) for p, d in found
    ]


@pytest.mark.parametrize(("lang", "other"), [("en", "other countries"), ("nl", "overige landen")])
def test_a_pooled_country_under_a_status_is_not_named_in_the_workbook(
    art25a_db: tuple[Path, dict[str, str], Files], tmp_path: Path, lang: str, other: str
) -> None:
    home, env, _files = art25a_db
    pooled = ["--profile", "parliament", "--confidential", "SY"]
    done = retour(["figures", "art25a", "--year", str(YEAR), *pooled, "--format", "csv"],
                  home, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "SY" not in {r["country"] for r in _rows(done.stdout)}
    assert "forced_return_suspended" not in done.stdout
    out = tmp_path / "art25a.xlsx"
    done = retour(["report", "art25a", "--year", str(YEAR), *pooled, "--lang", lang,
                   "--out", str(out)], home, timeout=300, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    cells = " ".join(str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r
                     if c.value is not None)  # fmt: skip
    assert other in cells.lower()
    named = ("(SY)", "Syria", "Syrië", "forced return", "gedwongen terugkeer")
    assert not [w for w in named if w in cells]

"""`retour figures terms`: how often the limits were kept, equal to a row-by-row count."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pytest

from ..process import retour
from . import generated, oracle
from .test_overdue import _imported

COUNTS = ("with_terms", "answered_in_time", "answered_late", "not_answered",
          "withdrawn_before_due", "documents_in_time", "documents_late",
          "documents_missing")  # fmt: skip
COLUMNS = ("country,year,with_terms,answered_in_time,answered_late,not_answered,"
           "withdrawn_before_due,in_time_share,median_days_to_answer,documents_in_time,"
           "documents_late,documents_missing,documents_in_time_share")  # fmt: skip


@pytest.fixture(scope="module")
def generated_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    return _imported(tmp_path_factory.mktemp("terms"), generated.dataset(3, n=1500))


def _rows(text: str) -> list[dict[str, str]]:
    assert text.splitlines()[0] == COLUMNS
    return list(csv.DictReader(io.StringIO(text)))


def test_internal_counts_and_shares_equal_the_oracle(
    generated_db: tuple[Path, dict[str, str]],
) -> None:
    home, env = generated_db
    done = retour(["figures", "terms", "--years", "2022-2024", "--profile", "internal",
                   "--format", "csv"], home, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    expected = oracle.compliance(generated.dataset(3, n=1500), generated.EXTRACTED,
                                 {2022, 2023, 2024})  # fmt: skip
    rows = _rows(done.stdout)
    got = {(r["country"], int(r["year"])): Counter({c: int(r[c]) for c in COUNTS if int(r[c])})
           for r in rows if r["country"]}  # fmt: skip
    assert got == {k: +v for k, v in expected.items()}
    for r in rows:
        base = int(r["with_terms"]) - int(r["withdrawn_before_due"])
        share = round(int(r["answered_in_time"]) / base, 4) if base else None
        assert (float(r["in_time_share"]) if r["in_time_share"] else None) == share
        parts = sum(int(r[c]) for c in COUNTS[1:5])
        assert parts == int(r["with_terms"])  # every request counted once


def test_public_rounds_and_hides(generated_db: tuple[Path, dict[str, str]]) -> None:
    home, env = generated_db
    done = retour(["figures", "terms", "--years", "2023", "--by", "country,kind", "--format",
                   "csv"], home, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows
    for r in rows:
        for c in COUNTS:
            assert r[c] in {"<5", "x"} or int(r[c]) % 10 == 0, (c, r[c])


@pytest.mark.parametrize(
    ("lang", "words"),
    [pytest.param("en", ("Agreed time limits kept, 2023", "answered in time", "Total"), id="en"),
     pytest.param("nl", ("Afgesproken termijnen gehaald, 2023", "tijdig beantwoord", "Totaal"),
                  id="nl")],
)  # fmt: skip
def test_the_table_in_both_languages(
    generated_db: tuple[Path, dict[str, str]], lang: str, words: tuple[str, ...]
) -> None:
    home, env = generated_db
    done = retour(["figures", "terms", "--years", "2023", "--by", "kind", "--lang", lang,
                   "--profile", "parliament"], home, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for word in words:
        assert word in done.stdout, word
    assert "…" not in done.stdout


def test_a_wrong_by_is_one_line_and_exit_2(generated_db: tuple[Path, dict[str, str]]) -> None:
    home, env = generated_db
    done = retour(["figures", "terms", "--by", "reason", "--lang", "en"], home, **env)
    assert done.returncode == 2
    assert "--by reason: count by country, kind and year only." in done.stderr


def test_years_without_data_are_refused(generated_db: tuple[Path, dict[str, str]]) -> None:
    home, env = generated_db
    done = retour(["figures", "terms", "--years", "2010", "--lang", "en"], home, **env)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_the_oracle_sees_late_and_missing_documents() -> None:
    found = oracle.compliance(generated.dataset(3, n=1500), generated.EXTRACTED, {2023, 2024})
    total = sum(found.values(), Counter())
    assert all(total[c] > 0 for c in COUNTS), total
    assert dt.date(2024, 6, 28) == generated.EXTRACTED


def test_the_default_years_and_the_counts_on_the_backend_under_test(
    tmp_path: Path, database_url: str
) -> None:
    """The years of submission are found in the database (the staged due dates probing the
    requests), on SQLite and PostgreSQL: the default years are the last five full ones
    with requests due, and their counts equal the oracle's."""
    files = generated.dataset(4, n=600)
    home, env = _imported(tmp_path, files, database_url)
    done = retour(["figures", "terms", "--profile", "internal", "--format", "csv"], home,
                  **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [r for r in _rows(done.stdout) if r["country"]]
    years = sorted({int(r["year"]) for r in rows})
    expected = oracle.compliance(files, generated.EXTRACTED, set(years))
    got = {(r["country"], int(r["year"])): Counter({c: int(r[c]) for c in COUNTS if int(r[c])})
           for r in rows}  # fmt: skip
    assert got == {k: +v for k, v in expected.items()}
    every = oracle.compliance(files, generated.EXTRACTED, set(range(2000, 2100)))
    held = sorted({year for (_c, year), n in every.items() if n})
    last = held[-1] if dt.date(held[-1], 12, 31) <= generated.EXTRACTED else held[-1] - 1
    assert years == [y for y in held if last - 4 <= y <= last]

"""Tables that fit: piped or redirected (and with COLUMNS=80) `--format table` is full-width
plain text, one line a row, with no cut word, no ellipsis and every header whole; the
country's name stands beside its code; under `--lang nl` the headers are Dutch."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..loading import simulated_nl_sqlite
from ..process import retour as run_retour

pytestmark = pytest.mark.slow

#: Headers a reader must find whole, per command and language (the brief's own words).
HEADERS = {
    ("assess", "nl"): ["Land", "Index", "Interval", "Verzoeken", "Beantwoord ≤ 90 d",
                       "Mediaan dagen", "Ruw aandeel positief"],
    ("assess", "en"): ["Country", "Index", "Interval", "Requests", "Answered ≤ 90 d",
                       "Median days", "Raw positive share"],
    ("effects", "nl"): ["Instrument", "Code", "Land", "Soort", "Start", "Effect (punten)",
                        "Ondergrens", "Bovengrens", "Oordeel", "Toelichting"],
    ("effects", "en"): ["Instrument", "Code", "Country", "Kind", "Start", "Effect (points)",
                        "Lower", "Upper", "Verdict", "Note"],
    ("answer-times", "nl"): ["Code", "Land", "Periode", "Soort", "Verzoeken",
                             "Beantwoord ≤ 30 d", "Beantwoord ≤ 365 d", "Ingetrokken ≤ 365 d",
                             "Mediaan dagen"],
    ("answer-times", "en"): ["Code", "Country", "Period", "Kind", "Requests", "Answered ≤ 30 d",
                             "Answered ≤ 365 d", "Withdrawn ≤ 365 d", "Median days"],
}  # fmt: skip
ARGS = {
    "assess": ["assess", "--period", "2023"],
    "effects": ["effects", "--profile", "internal"],
    "answer-times": ["answer-times"],
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield simulated_nl_sqlite(tmp_path_factory.mktemp("tables"))


def retour(database: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = run_retour(args, tmp_path, timeout=300, RETOUR_DB=database, COLUMNS="80")
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("command", ["assess", "effects", "answer-times"])
def test_a_piped_table_is_whole(database: str, tmp_path: Path, command: str, lang: str) -> None:
    table = retour(database, tmp_path, *ARGS[command], "--lang", lang).stdout
    rows = list(csv.DictReader(io.StringIO(
        retour(database, tmp_path, *ARGS[command], "--format", "csv").stdout
    )))  # fmt: skip
    assert "…" not in table and "..." not in table
    lines = table.splitlines()
    (at,) = [i for i, line in enumerate(lines) if "┃" in line]  # one header line: none wrapped
    headers = [h.strip() for h in lines[at].split("┃")]
    assert set(HEADERS[command, lang]) <= set(headers)
    other = "en" if lang == "nl" else "nl"
    assert not (set(HEADERS[command, other]) - set(HEADERS[command, lang])) & set(headers)
    body = [line for line in lines if "│" in line]
    assert len(body) == len(rows), "one line a row: nothing wrapped"
    widths = {len(line) for line in (lines[at], *body)}
    assert len(widths) == 1 and widths.pop() > 80, "as wide as its contents, not the pipe's 80"
    if command != "assess":  # the name beside every code
        names = {"MA": {"nl": "Marokko", "en": "Morocco"}}
        moroccan = [line for line in body if line.split("│")[1 if command == "effects" else 0]
                    .strip() == "MA"]  # fmt: skip
        assert moroccan and all(names["MA"][lang] in line for line in moroccan)


def test_answer_times_narrowed_to_a_country_and_years(database: str, tmp_path: Path) -> None:
    done = retour(database, tmp_path, "answer-times", "--country", "MA", "--years", "2022-2023",
                  "--format", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and {r["country"] for r in rows} == {"MA"}
    assert {r["period"] for r in rows} == {"2022", "2023"}
    every = list(csv.DictReader(io.StringIO(
        retour(database, tmp_path, "answer-times", "--format", "csv").stdout
    )))  # fmt: skip
    assert [r for r in every if r["country"] == "MA" and r["period"] in {"2022", "2023"}] == rows

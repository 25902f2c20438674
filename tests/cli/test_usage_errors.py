"""A typo costs one line: every usage error is one line on stderr, in the user's language
(``--lang``, else Dutch), with the nearest valid choice, and exit status 2. Run as a user
runs it: the installed command in a child process."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ..process import retour as run_retour

DUTCH, ENGLISH = "fout: ", "error: "

MISTAKES = [
    pytest.param(["figuers"], DUTCH, "bedoelde u figures?", id="command-typo"),
    pytest.param(["figures", "reqests"], DUTCH, "bedoelde u requests?", id="subcommand-typo"),
    pytest.param(["figures", "requests", "--lang", "en", "--byy", "year"], ENGLISH,
                 "did you mean --by?", id="option-typo-en"),
    pytest.param(["answer-times", "--countrys", "MA"], DUTCH, "bedoelde u --country?",
                 id="answer-times-countrys"),
    pytest.param(["assess", "--perod", "2023", "--lang", "en"], ENGLISH,
                 "did you mean --period?", id="assess-option-typo"),
    pytest.param(["assess"], DUTCH, "`retour assess` heeft --period nodig", id="missing-option"),
    pytest.param(["assess", "--lang", "en"], ENGLISH, "`retour assess` needs --period",
                 id="missing-option-en"),
    pytest.param(["assess", "--period"], DUTCH, "--period heeft een waarde nodig",
                 id="option-without-value"),
    pytest.param(["case", "X", "--format", "csv", "--lang", "en"], ENGLISH,
                 "choose one of table or json", id="case-has-no-csv"),
    pytest.param(["figures", "requests", "--format", "jsn"], DUTCH, "bedoelde u json?",
                 id="format-typo"),
    pytest.param(["case"], DUTCH, "heeft CASE_ID nodig", id="missing-argument"),
    pytest.param(["serve", "--port", "abc"], DUTCH, "is geen geheel getal", id="not-a-number"),
    pytest.param(["token", "revoke", "abc"], DUTCH, "TOKEN_ID is geen geheel getal",
                 id="argument-not-a-number"),
    pytest.param(["serve", "--port", "0"], DUTCH, "ligt niet tussen 1 en 65535",
                 id="out-of-range"),
    pytest.param(["serve", "--lang", "en"], ENGLISH, "`retour serve` has no option --lang",
                 id="lang-where-there-is-none"),
    pytest.param(["info", "extra"], DUTCH, "'extra'", id="extra-argument"),
    pytest.param(["--dbb", "x.sqlite", "info"], DUTCH, "bedoelde u --db?", id="global-typo"),
    pytest.param(["user", "add", "ann"], DUTCH, "--role", id="missing-role"),
    pytest.param(["report", "press", "--lang", "en"], ENGLISH, "needs --out",
                 id="report-without-out"),
]  # fmt: skip


def retour(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run_retour(args, tmp_path, timeout=60, COLUMNS="80")


@pytest.mark.parametrize(("args", "prefix", "expected"), MISTAKES)
def test_a_usage_error_is_one_line_with_exit_2(
    tmp_path: Path, args: list[str], prefix: str, expected: str
) -> None:
    done = retour(args, tmp_path)
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(prefix), lines[0]
    assert expected in lines[0]
    assert done.stdout == ""
    assert not (tmp_path / "data").exists(), "a usage error touches no database"


def test_debug_shows_the_traceback_of_a_usage_error(tmp_path: Path) -> None:
    done = retour(["--debug", "figuers"], tmp_path)
    assert done.returncode == 2
    assert "Traceback" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(DUTCH)


def test_help_offers_only_the_formats_a_command_has(tmp_path: Path) -> None:
    case_help = retour(["case", "--help"], tmp_path)
    info_help = retour(["info", "--help"], tmp_path)
    figures_help = retour(["figures", "requests", "--help"], tmp_path)
    assert case_help.returncode == info_help.returncode == figures_help.returncode == 0
    assert "<table|json>" in case_help.stdout and "csv" not in case_help.stdout
    assert "<table|json>" in info_help.stdout and "csv" not in info_help.stdout
    assert "<table|csv|json>" in figures_help.stdout

"""An error of retour's own on the command line: one line in the language of ``--lang``
(a command's own or retour's, before the command), Dutch when the line names none -- the
rule of the usage errors (tests/cli/test_usage_errors.py) -- the value's option named as an
option. Run as a user runs it: ``retour`` in a process of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..language import foreign_texts
from ..process import retour

CASES = [
    pytest.param(
        ["assess", "--period", "23", "--lang", "nl"],
        "nl",
        "fout: --period '23' is geen jaar of kwartaal. Schrijf een jaar zoals 2023",
        id="period-nl",
    ),
    pytest.param(
        ["assess", "--period", "23"],
        "nl",
        "fout: --period '23' is geen jaar of kwartaal. Schrijf een jaar zoals 2023",
        id="period-without-lang",
    ),
    pytest.param(
        ["assess", "--period", "23", "--lang", "en"],
        "en",
        "error: --period '23' is not a year or a quarter. Write a year such as 2023",
        id="period-en",
    ),
    pytest.param(
        ["figures", "requests", "--lang", "nl"],
        "nl",
        "fout: De database bevat nog geen verzoeken om te tellen. Importeer eerst een dataset",
        id="no-requests-nl",
    ),
    pytest.param(
        ["figures", "requests", "--lang", "en"],
        "en",
        "error: The database holds no requests to count. Import a dataset first (retour import",
        id="no-requests-en",
    ),
    pytest.param(
        ["report", "country", "SY", "--out", "sy.html", "--lang", "nl"],
        "nl",
        "fout: nog geen gegevens over Syrië (SY). Importeer verzoeken of zaken (retour import)",
        id="country-name-in-dutch",
    ),
    pytest.param(
        ["--db", "{home}/no/such/folder/retour.sqlite", "info"],
        "nl",
        "fout: Geen database op {home}/no/such/folder/retour.sqlite: de map",
        id="missing-folder",
    ),
    pytest.param(
        ["--lang", "en", "--db", "{home}/no/such/folder/retour.sqlite", "info"],
        "en",
        "error: No database at {home}/no/such/folder/retour.sqlite: the folder",
        id="missing-folder-en",
    ),
]


@pytest.mark.parametrize(("args", "lang", "expected"), CASES)
def test_an_error_is_one_line_in_the_language_asked_for(
    tmp_path: Path, args: list[str], lang: str, expected: str
) -> None:
    home = str(tmp_path)
    line = [a.format(home=home) for a in args]
    if "--db" not in line:
        line = ["--db", str(tmp_path / "retour.sqlite"), *line]
    done = retour(line, tmp_path, timeout=60, COLUMNS="80")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(expected.format(home=home)), lines[0]
    assert foreign_texts(lines[0], "nl" if lang == "nl" else "en") == []

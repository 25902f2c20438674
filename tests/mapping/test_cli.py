"""`retour mapping draft` and `retour import --mapping` as a user runs them: a subprocess,
one line per error, exit 2 for a bad mapping or a source that breaks a rule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retour.domain.dataset import Dataset
from retour.exchange.source_style import SourceStyle, write_source

from ..conftest import TEST_SECRET


def retour(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETOUR_DB": db, "RETOUR_SECRET": TEST_SECRET, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "retour", *args], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def export(small: Dataset, tmp_path: Path) -> Path:
    write_source(small, tmp_path / "export", SourceStyle(flat=True))
    return tmp_path / "export"


def test_draft_then_import(export: Path, tmp_path: Path, database_url: str) -> None:
    out = tmp_path / "M.toml"
    drafted = retour("mapping", "draft", str(export), "--out", str(out), db=database_url)
    assert drafted.returncode == 0, drafted.stderr
    assert drafted.stdout == ""
    assert "Wrote" in drafted.stderr and "0 to fill in (TODO), 0 to check (CHECK)" in drafted.stderr
    assert 'from = "Register"' in out.read_text(encoding="utf-8")
    printed = retour("mapping", "draft", str(export), db=database_url)
    assert printed.returncode == 0 and printed.stdout == out.read_text(encoding="utf-8")
    again = retour(
        "--lang", "en", "mapping", "draft", str(export), "--out", str(out), db=database_url
    )
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "exists" in again.stderr
    imported = retour("import", "--mapping", str(out), str(export), db=database_url)
    assert imported.returncode == 0, imported.stderr
    assert "requests" in imported.stdout and "inserted" in imported.stdout
    notices = [line for line in imported.stderr.splitlines() if "Register.csv" in line]
    assert notices == [
        "notice: columns of Register.csv the mapping does not use: Behandelaar, Locatie"
    ]


def test_a_bad_mapping_is_one_line_per_problem_and_exit_2(
    export: Path, tmp_path: Path, database_url: str
) -> None:
    bad = tmp_path / "M.toml"
    bad.write_text(
        'format = "retour-mapping/1"\n[read]\ncountries = "namen"\n[tables.cases]\n'
        'from = "Register"\n[tables.cases.columns]\ncase_id = "Zaaknummer"\nsexx = "x"\n',
        encoding="utf-8",
    )
    result = retour("import", "--mapping", str(bad), str(export), db=database_url)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[:2] == [
        'M.toml:3: read.countries: must be "codes" or "names", not \'namen\'',
        "M.toml:8: tables.cases.columns: 'sexx' is not a column of cases; did you mean 'sex'?",
    ]
    assert "Traceback" not in result.stderr and "The mapping M.toml has 2 problems" in lines[-1]


def test_violations_name_the_source(export: Path, tmp_path: Path, database_url: str) -> None:
    out = tmp_path / "M.toml"
    assert (
        retour("mapping", "draft", str(export), "--out", str(out), db=database_url).returncode == 0
    )
    rows = (export / "Register.csv").read_text(encoding="cp1252").splitlines()
    line = next(i for i, row in enumerate(rows, 1) if "Openstaand" in row)
    rows[line - 1] = rows[line - 1].replace("Openstaand", "Misschien")
    (export / "Register.csv").write_text("\r\n".join(rows) + "\r\n", encoding="cp1252")
    result = retour("import", "--mapping", str(out), str(export), db=database_url)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(
        f"Register.csv:{line}: Antwoord: unknown value 'Misschien'; the mapping knows "
    )
    assert "Traceback" not in result.stderr

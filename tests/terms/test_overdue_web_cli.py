"""`retour overdue --what`: the filter the web's overdue page has, on the command line too
(a process of its own, exit status, the oracle's rows)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ..process import retour
from . import generated, oracle
from .fixture import write

FILES = generated.dataset(3)
HEADER = "request_id,case_id,country,kind,submitted_on,due_on,days_over,what,deemed_accepted"


def _expected(what: str) -> list[tuple[str, ...]]:
    rows = [tuple(str(v) for v in r) for r in oracle.overdue(FILES, generated.EXTRACTED)]
    return [r for r in rows if r[7] == what]


def _csv(text: str) -> list[tuple[str, ...]]:
    lines = text.splitlines()
    assert lines[0] == HEADER
    return [tuple(r) for r in csv.reader(io.StringIO("\n".join(lines[1:])))]


@pytest.mark.parametrize("what", ["answer", "document"])
def test_the_command_line_narrows_by_what_too(tmp_path: Path, what: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"RETOUR_DB": str(home / "retour.sqlite"), "COLUMNS": "80"}
    assert retour(["import", str(write(tmp_path / "data", FILES))], home, **env).returncode == 0
    done = retour(
        ["overdue", "--profile", "internal", "--format", "csv", "--what", what], home, **env
    )
    assert done.returncode == 0, done.stderr
    assert _csv(done.stdout) == _expected(what=what)
    wrong = retour(["overdue", "--what", "passport"], home, **env)
    assert wrong.returncode == 2
    assert "--what passport" in wrong.stderr and "Traceback" not in wrong.stderr

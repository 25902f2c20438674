"""No silent damage: a database path with a typo in its folder is refused in one line; a
new database is made on purpose (`retour db upgrade`) or in a folder that exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..exchange.conftest import VALID, write_folder
from ..process import retour


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_database_in_a_missing_folder_is_refused(tmp_path: Path, how: str) -> None:
    typo = tmp_path / "typo" / "x.sqlite"
    if how == "option":
        done = retour(["--lang", "en", "--db", str(typo), "info"], tmp_path)
    else:
        done = retour(["--lang", "en", "info"], tmp_path, RETOUR_DB=str(typo))
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert f"No database at {typo}" in line
    assert f"retour --db {typo} db upgrade" in line
    assert not typo.parent.exists(), "no folder was made"


def test_db_upgrade_makes_a_new_database_and_its_folder(tmp_path: Path) -> None:
    new = tmp_path / "new" / "retour.sqlite"
    done = retour(["--db", str(new), "db", "upgrade"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "from empty" in done.stdout and new.is_file()
    assert retour(["--db", str(new), "info"], tmp_path).returncode == 0


def test_import_makes_a_new_database_in_a_folder_that_exists(tmp_path: Path) -> None:
    new = tmp_path / "retour.sqlite"
    folder = write_folder(tmp_path / "d", VALID)
    done = retour(["--db", str(new), "import", str(folder)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert new.is_file()

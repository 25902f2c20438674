"""`retour imports` and `retour imports show ID`: the import history as a user reads it,
newest first, with who, the source, the extraction date, the rows per table and the
mapping an import was read through."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from retour.exchange import load
from retour.exchange.source_style import SourceStyle, write_source

from ..conftest import TEST_SECRET
from ..exchange.conftest import VALID, write_folder
from ..process import retour

TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    """A database with two imports: the exchange format itself, then a source system's
    export of an extract a day later through its mapping."""
    home = tmp_path / "home"
    env = {"RETOUR_DB": str(tmp_path / "retour.sqlite"), "RETOUR_SECRET": TEST_SECRET}
    direct = write_folder(tmp_path / "direct", VALID)
    first = retour(["import", str(direct)], home, **env)
    assert first.returncode == 0, first.stderr
    dataset = load(direct, today=TODAY)
    dataset.meta = type(dataset.meta)(source="DT&V export", extracted_on=dt.date(2024, 2, 2))
    text = write_source(dataset, tmp_path / "Export", SourceStyle())
    (tmp_path / "export.toml").write_text(text, encoding="utf-8")
    mapped = retour(
        ["import", "--mapping", str(tmp_path / "export.toml"), str(tmp_path / "Export")],
        home,
        **env,
    )
    assert mapped.returncode == 0, mapped.stderr
    return home, env, text


def test_the_history_is_listed_newest_first_in_every_format(
    history: tuple[Path, dict[str, str], str],
) -> None:
    import hashlib

    home, env, text = history
    sha = hashlib.sha256(text.encode()).hexdigest()
    listed = retour(["imports", "--format", "json"], home, **env)
    assert listed.returncode == 0, listed.stderr
    newest, oldest = json.loads(listed.stdout)["imports"]
    assert (newest["id"], oldest["id"]) == (2, 1)
    assert (newest["source"], newest["extracted_on"], newest["mapping_sha256"]) == (
        "DT&V export", "2024-02-02", sha,
    )  # fmt: skip
    assert oldest["mapping_sha256"] is None and newest["by"] == oldest["by"] != ""
    assert oldest["rows"]["cases"] == VALID["cases.csv"].strip().count("\n")
    assert newest["rows"]["requests"] == VALID["requests.csv"].strip().count("\n")
    table = retour(["imports", "--lang", "en"], home, **env).stdout
    lines = [line for line in table.splitlines() if line.strip()[:1].isdigit()]
    assert lines[0].split()[0] == "2" and lines[1].split()[0] == "1"
    assert sha[:12] in lines[0] and lines[1].rstrip().endswith("none")
    dutch = retour(["imports"], home, **env).stdout  # Dutch, retour's default
    assert "Imports, nieuwste eerst" in dutch and "peildatum" in dutch
    assert "extraction date" not in dutch and "newest first" not in dutch
    oldest_row = next(ln for ln in dutch.splitlines() if ln.strip()[:1] == "1")
    assert oldest_row.rstrip().endswith("geen")
    rows = list(
        csv.DictReader(io.StringIO(retour(["imports", "--format", "csv"], home, **env).stdout))
    )
    assert [r["id"] for r in rows] == ["2", "1"]
    assert (rows[0]["mapping_sha256"], rows[1]["mapping_sha256"]) == (sha, "none")
    assert rows[0]["rows_requests"] == str(newest["rows"]["requests"])
    last = json.loads(retour(["imports", "--last", "1", "--format", "json"], home, **env).stdout)
    assert [e["id"] for e in last["imports"]] == [2]


def test_show_prints_the_mapping_an_import_was_read_through(
    history: tuple[Path, dict[str, str], str],
) -> None:
    home, env, text = history
    shown = retour(["imports", "show", "2"], home, **env)
    assert shown.returncode == 0 and shown.stdout.rstrip("\n") == text.rstrip("\n")
    direct = retour(["imports", "show", "1", "--lang", "en"], home, **env)
    assert direct.returncode == 0 and direct.stdout == ""
    assert "used no mapping" in direct.stderr
    missing = retour(["--lang", "en", "imports", "show", "9"], home, **env)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert "There is no import 9" in missing.stderr and "Traceback" not in missing.stderr


def test_an_empty_history_says_how_to_begin(tmp_path: Path) -> None:
    home = tmp_path / "home"
    empty = retour(["imports", "--lang", "en"], home, RETOUR_DB=str(tmp_path / "new.sqlite"))
    assert empty.returncode == 0 and "No imports yet" in empty.stdout
    listed = retour(["imports", "--format", "json"], home, RETOUR_DB=str(tmp_path / "new.sqlite"))
    assert json.loads(listed.stdout) == {"imports": []}

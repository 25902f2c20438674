"""`retour demo` simulates, imports into its own database, and says what to try next."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retour.cli import main


def test_demo_uses_its_own_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    own = tmp_path / "mine.sqlite"
    monkeypatch.setenv("RETOUR_DB", str(own))
    monkeypatch.setenv("RETOUR_DATA_DIR", str(tmp_path / "data"))
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "simulated data" in out
    assert not own.exists(), "the demo never touches the user's database"
    demo_db = tmp_path / "data" / "demo" / "demo.sqlite"
    assert demo_db.exists()
    assert f"retour --db {demo_db} info" in out
    # the case to try is a real (simulated) open case: the command it prints works
    (line,) = [x for x in out.splitlines() if f"retour --db {demo_db} case " in x]
    case_id = line.split(" case ")[1].strip()
    assert case_id != "CASE_ID"
    assert main(["--db", str(demo_db), "case", case_id, "--format", "json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["case_id"] == case_id and view["requests"]
    assert main(["--db", str(demo_db), "info", "--format", "json"]) == 0
    about = json.loads(capsys.readouterr().out)
    assert about["simulated"] is True
    assert about["counts"]["requests"] > 10_000
    # run again: a fresh demo database with the same data
    assert main(["demo"]) == 0
    capsys.readouterr()
    assert main(["--db", str(demo_db), "info", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"] == about["counts"]


def test_demo_again_keeps_what_was_added_unless_fresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETOUR_DATA_DIR", str(tmp_path / "data"))
    assert main(["demo"]) == 0
    demo_db = str(tmp_path / "data" / "demo" / "demo.sqlite")
    # reading the demo database, as its "try next" lines suggest, adds nothing that counts
    assert main(["--db", demo_db, "figures", "requests", "--format", "csv"]) == 0
    assert main(["demo"]) == 0
    added = ["--db", demo_db, "user", "add", "ann", "--role", "analyst"]
    assert main([*added, "--password", "a long enough password"]) == 0
    capsys.readouterr()
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "1 user, 1 audit entry" in err and "retour demo --fresh" in err
    assert main(["--db", demo_db, "user", "list"]) == 0
    assert "ann" in capsys.readouterr().out, "the refused demo changed nothing"
    assert main(["demo", "--fresh"]) == 0
    capsys.readouterr()
    assert main(["--db", demo_db, "user", "list"]) == 0
    assert "ann" not in capsys.readouterr().out

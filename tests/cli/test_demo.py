"""`retour demo` simulates, imports into its own database, and says what to try next."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import subprocess
import sys
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


def _demo_on_a_terminal(tmp_path: Path, answer: str) -> tuple[int, str]:
    """`retour demo` with a terminal for stdin and stderr, answering its question."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETOUR_")}
    env |= {"RETOUR_SETTINGS": os.environ["RETOUR_SETTINGS"],
            "RETOUR_DATA_DIR": str(tmp_path / "data"), "TERM": "dumb"}  # fmt: skip
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "retour", "demo"],
        stdin=follower, stdout=subprocess.DEVNULL, stderr=follower, env=env,
    )  # fmt: skip
    os.close(follower)
    shown = b""
    while b"[y/N]" not in shown:
        shown += os.read(leader, 1024)
    os.write(leader, answer.encode() + b"\n")
    code = child.wait(timeout=300)
    with contextlib.suppress(OSError):
        while chunk := os.read(leader, 1024):
            shown += chunk
    os.close(leader)
    return code, shown.decode(errors="replace")


def test_demo_on_a_terminal_asks_before_it_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETOUR_DATA_DIR", str(tmp_path / "data"))
    assert main(["demo"]) == 0
    demo_db = str(tmp_path / "data" / "demo" / "demo.sqlite")
    added = ["--db", demo_db, "token", "create", "ann"]
    assert main(["--db", demo_db, "user", "add", "ann", "--role", "viewer",
                 "--password", "a long enough password"]) == 0  # fmt: skip
    assert main(added) == 0
    code, shown = _demo_on_a_terminal(tmp_path, "n")
    assert code == 1 and "1 user, 1 token, 2 audit entries" in shown
    assert "Kept the demo database" in shown
    capsys.readouterr()
    assert main(["--db", demo_db, "user", "list"]) == 0
    assert "ann" in capsys.readouterr().out
    code, _ = _demo_on_a_terminal(tmp_path, "y")
    assert code == 0
    assert main(["--db", demo_db, "user", "list"]) == 0
    assert "ann" not in capsys.readouterr().out


def test_demo_writes_a_source_style_export_that_the_draft_reads_and_its_mapping_imports(
    tmp_path: Path,
) -> None:
    """The demo's export in a Dutch source system's style: the draft recognises every column
    and value of it without help, and an import through its mapping gives the very export
    of the demo database."""
    from retour.exchange import load_mapping
    from retour.service.datasets import draft_mapping

    from ..process import retour

    home = tmp_path / "home"
    made = retour(["demo"], home, timeout=600)
    assert made.returncode == 0, made.stderr
    demo = home / "data" / "demo"
    folder, mapping = demo / "source-export", demo / "source-export.toml"
    out = made.stdout
    assert f"retour mapping draft {folder}" in out
    assert f"import --mapping {mapping} {folder}" in out
    assert "Windows-1252" in out and "dd-mm-yyyy" in out
    requests = (folder / "Verzoeken.csv").read_bytes()
    header = requests.split(b"\r\n", 1)[0].decode("cp1252")
    assert header.startswith("Verzoeknummer;Zaaknummer;Soort verzoek;Land van herkomst;")
    assert "Positief antwoord" in requests.decode("cp1252")
    # the draft, without help
    drafted = draft_mapping(folder)
    assert (drafted.missing, drafted.unknown, drafted.unsure) == ([], [], [])
    assert "Behandelaar, Locatie" in drafted.text  # the extra columns: named, left out
    (tmp_path / "draft.toml").write_text(drafted.text, encoding="utf-8")
    guessed, shipped = load_mapping(tmp_path / "draft.toml"), load_mapping(mapping)
    assert guessed.read.encoding == "cp1252" and guessed.read.delimiter == ";"
    assert guessed.read.date_formats == ("%d-%m-%Y",)
    assert guessed.tables.keys() == shipped.tables.keys()
    for table, fed in guessed.tables.items():
        assert fed.columns == shipped.tables[table].columns, table
        for column, labels in fed.values.items():
            assert labels.items() <= shipped.tables[table].values[column].items(), column
    # imported through its mapping: the same database, export for export
    mapped = str(tmp_path / "mapped.sqlite")
    imported = retour(["--db", mapped, "import", "--mapping", str(mapping), str(folder)], home,
                      timeout=600)  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert "Behandelaar" in imported.stderr  # the columns it did not read, named
    for db, name in ((mapped, "mapped"), (str(demo / "demo.sqlite"), "direct")):
        exported = retour(["--db", db, "export", str(tmp_path / name)], home, timeout=600)
        assert exported.returncode == 0, exported.stderr
    direct = {p.name: p.read_bytes() for p in sorted((tmp_path / "direct").iterdir())}
    assert {p.name: p.read_bytes() for p in sorted((tmp_path / "mapped").iterdir())} == direct
    assert json.loads(direct["dataset.json"])["source"] == "simulated"

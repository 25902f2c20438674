"""The command line: exit codes, one-line errors a user can act on, no tracebacks."""

from __future__ import annotations

import getpass
import json
import sqlite3
from pathlib import Path

import pytest

from retour.cli import main
from retour.config import load_settings
from retour.domain.codes import Table
from retour.service import audit
from retour.service.context import Retour

from ..conftest import TEST_SECRET
from ..exchange.conftest import VALID, replace_line, write_folder
from ..exchange.test_pseudonyms import with_v_numbers


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("RETOUR_DB", database_url)
    return database_url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_info(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", str(write_folder(tmp_path / "d", VALID)))
    assert code == 0
    assert "requests" in out and "inserted" in out
    code, out, _ = run(capsys, "info", "--format", "json")
    about = json.loads(out)
    assert code == 0
    assert set(about) >= {"database", "schema", "counts"}
    assert about["counts"]["requests"] == 4
    assert "password" not in about["database"]


def test_reimport_says_nothing_changed(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_folder(tmp_path / "d", VALID)
    run(capsys, "import", str(folder))
    code, out, _ = run(capsys, "import", str(folder))
    assert code == 0
    row = next(line for line in out.splitlines() if line.strip().startswith("requests"))
    assert [c for c in row.split() if c != "│"][1:] == ["0", "0", "4", "0"]


def test_violations_are_listed_and_exit_2(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = replace_line(
        VALID, "requests.csv", 3, "R2,C2,TO,NG,2020-04-01,none,no,withdrawn,2020-12-01,,"
    )
    code, out, err = run(capsys, "import", str(write_folder(tmp_path / "d", bad)))
    assert code == 2
    assert "requests.csv:3: reason: required when the outcome is withdrawn" in err
    assert "nothing was written" in err
    assert "Traceback" not in out + err
    code, out, _ = run(capsys, "info", "--format", "json")
    assert json.loads(out)["counts"]["requests"] == 0


def test_imports_and_refusals_are_in_the_audit_log(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_folder(tmp_path / "d", VALID)
    bad = replace_line(
        VALID, "requests.csv", 3, "R2,C2,TO,NG,2020-04-01,none,no,withdrawn,2020-12-01,,"
    )
    assert run(capsys, "import", str(write_folder(tmp_path / "bad", bad)))[0] == 2
    assert run(capsys, "import", str(folder))[0] == 0
    with Retour(settings=load_settings(), db_override=db) as app:
        imported, refused = audit.read_log(app)
    assert (refused.action, refused.detail) == ("import_refused", {"violations": 1})
    assert (imported.action, imported.detail) == ("import_dataset", {"container": "folder"})
    assert imported.subject is not None and imported.subject.isdigit()  # the import's id
    assert {(e.actor, e.via) for e in (imported, refused)} == {(getpass.getuser(), "cli")}


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["import", "/no/such/folder"], {}, "no such file or folder"),
        (["info"], {"RETOUR_DB": "nosuchdriver://x/y"}, "RETOUR_DB"),
        (["export", "{file}"], {}, "is a file"),
    ],
)
def test_user_mistakes_are_one_line(
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    line = ["--lang", "en", *(a.replace("{file}", str(a_file)) for a in args)]
    code, _, err = run(capsys, *line)
    assert code != 0
    assert expected in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_debug_shows_the_traceback(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--debug", "import", "/no/such/folder")
    assert code == 2
    assert "Traceback" in err


def test_v_numbers_need_a_secret(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_folder(tmp_path / "v", with_v_numbers(VALID))
    monkeypatch.delenv("RETOUR_SECRET", raising=False)
    code, _, err = run(capsys, "import", str(folder))
    assert code == 2
    assert "RETOUR_SECRET" in err
    monkeypatch.setenv("RETOUR_SECRET", TEST_SECRET)
    code, _, _ = run(capsys, "import", str(folder))
    assert code == 0


def test_a_locked_database_is_reported(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    on_postgres: bool,
) -> None:
    path = tmp_path / "locked.sqlite"
    monkeypatch.setenv("RETOUR_DB", str(path))
    assert run(capsys, "info")[0] == 0
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run(capsys, "import", str(write_folder(tmp_path / "d", VALID)))
    finally:
        holder.rollback()
        holder.close()
    assert code == 3
    assert "locked" in err.lower()


def test_export_writes_the_exchange_format(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "import", str(write_folder(tmp_path / "d", VALID)))
    code, _, _ = run(capsys, "export", str(tmp_path / "out"))
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["dataset.json", "cases.csv", "requests.csv", "detentions.csv", "departures.csv",
         "conditions.csv", "instruments.csv", "assessments.csv"]
    )  # fmt: skip


def test_a_progress_bar_on_a_terminal_and_silence_otherwise(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from retour.cli import session

    folder = write_folder(tmp_path / "d", VALID)
    _, _, err = run(capsys, "import", str(folder))
    assert err.strip() == "", "no progress output when stderr is not a terminal"
    terminal = io.StringIO()
    console = Console(file=terminal, force_terminal=True, width=100)
    monkeypatch.setattr(session, "err_console", console)
    run(capsys, "import", str(folder))
    shown = terminal.getvalue()
    assert "importing d" in shown
    # one step per stage: reading, validating, then writing each table of the format
    steps = 2 + len(Table)
    assert f"0/{steps}" in shown and f"{steps - 1}/{steps}" in shown

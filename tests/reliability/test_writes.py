"""Files retour writes: never through a symbolic link, and a full or failing disk named as
such -- on the command line, as a user meets it (``retour export --force``, ``retour report
... --out``, ``retour import --report``), and in the database (SQLite's own "disk is full").

A symbolic link planted in the target folder (``cases.csv -> a file of the user's``) used to
be followed by ``export --force``; a full disk during an import said "the data break a rule".
"""

from __future__ import annotations

import errno
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from retour.config import load_settings
from retour.domain import files
from retour.domain.errors import DatabaseBusy, InputError, StorageError, UsageError
from retour.exchange import write_dataset
from retour.service import datasets
from retour.service.context import Retour
from retour.store.engine import database_error

from ..conftest import TEST_SECRET
from ..exchange.conftest import VALID, replace_line, write_folder
from ..figures.data import make
from ..process import clean_env, retour
from ..web.conftest import load_figures

VICTIM_TEXT = "the user's own file, not retour's\n"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def filled(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An SQLite database with the figures dataset; the environment to run retour over it."""
    url = str(tmp_path / "retour.sqlite")
    monkeypatch.setenv("RETOUR_DB", url)
    monkeypatch.setenv("RETOUR_SECRET", TEST_SECRET)
    with Retour(settings=load_settings()) as app:
        load_figures(app, tmp_path / "dataset", requests=300)
    return {"RETOUR_DB": url, "RETOUR_SECRET": TEST_SECRET}


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM_TEXT, encoding="utf-8")
    return victim


def _one_line_refusal(done: object, *words: str) -> str:
    err: str = done.stderr
    out: str = done.stdout
    assert "Traceback" not in out + err
    lowered = err.lower()
    for word in words:
        assert word in lowered, err
    assert "break a rule" not in lowered
    return err


@pytest.mark.parametrize("name", ["cases.csv", "requests.csv", "dataset.json"])
def test_export_force_refuses_a_link_planted_in_the_folder(
    tmp_path: Path, home: Path, filled: dict[str, str], name: str
) -> None:
    out = tmp_path / "export"
    first = retour(["export", str(out)], home, **filled)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    victim = _victim(tmp_path)
    (out / name).unlink()
    (out / name).symlink_to(victim)
    done = retour(["--lang", "en", "export", "--force", str(out)], home, **filled)
    assert done.returncode == 2
    _one_line_refusal(done, "symbolic link", name)
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT
    assert (out / name).is_symlink()
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.is_symlink()}
    assert after == {k: v for k, v in before.items() if k != name}  # nothing else written
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_export_force_refuses_a_dangling_link(
    tmp_path: Path, home: Path, filled: dict[str, str]
) -> None:
    out = tmp_path / "export"
    out.mkdir()
    target = tmp_path / "would-be-created.csv"
    (out / "cases.csv").symlink_to(target)
    done = retour(["--lang", "en", "export", "--force", str(out)], home, **filled)
    assert done.returncode == 2
    _one_line_refusal(done, "symbolic link")
    assert not target.exists()


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["report", "country", "NG", "--out", "{out}.html"], id="country-html"),
        pytest.param(["report", "country", "NG", "--out", "{out}.docx"], id="country-docx"),
        pytest.param(
            ["report", "cooperation", "--period", "2021", "--out", "{out}.html"], id="cooperation"
        ),
        pytest.param(["report", "press", "--out", "{out}.xlsx"], id="press-workbook"),
    ],
)
def test_reports_refuse_to_write_through_a_link(
    tmp_path: Path, home: Path, filled: dict[str, str], args: list[str]
) -> None:
    victim = _victim(tmp_path)
    asked = [a.replace("{out}", str(tmp_path / "report")) for a in args]
    link = Path(asked[asked.index("--out") + 1])
    link.symlink_to(victim)
    # a country brief fits the index, the event study and the terms: minutes on a busy machine
    done = retour(["--lang", "en", *asked], home, timeout=400, **filled)
    assert done.returncode == 2, done.stderr
    _one_line_refusal(done, "symbolic link")
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT
    link.unlink()  # without the link the same command writes the file
    again = retour(asked, home, timeout=400, **filled)
    assert again.returncode == 0, again.stderr
    assert link.is_file() and not link.is_symlink()


def test_a_violations_report_refuses_a_link(tmp_path: Path, home: Path) -> None:
    bad = replace_line(
        VALID, "requests.csv", 3, "R2,C2,TO,NG,2020-04-01,none,no,withdrawn,2020-12-01,,"
    )
    folder = write_folder(tmp_path / "bad", bad)
    victim = _victim(tmp_path)
    report = tmp_path / "violations.csv"
    report.symlink_to(victim)
    env = {"RETOUR_DB": str(tmp_path / "r.sqlite"), "RETOUR_SECRET": TEST_SECRET}
    done = retour(["--lang", "en", "import", str(folder), "--report", str(report)], home, **env)
    assert done.returncode == 2
    assert "symbolic link" in done.stderr.lower(), done.stderr
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT


#: `python -m retour` with the disk failing as `errno` when a written file is flushed.
FAILING_DISK = textwrap.dedent(
    """
    import errno, os, runpy, sys
    code = getattr(errno, sys.argv.pop(1))
    def failing(fd):
        raise OSError(code, os.strerror(code))
    os.fsync = failing
    sys.argv[0] = "retour"
    runpy.run_module("retour", run_name="__main__", alter_sys=True)
    """
)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        pytest.param("ENOSPC", ("disk is full",), id="disk-full"),
        pytest.param("EDQUOT", ("disk is full",), id="quota"),
        pytest.param("EIO", ("input/output error",), id="io-error"),
    ],
)
def test_export_names_a_full_or_failing_disk_and_leaves_the_old_files(
    tmp_path: Path, home: Path, filled: dict[str, str], code: str, words: tuple[str, ...]
) -> None:
    import subprocess

    out = tmp_path / "export"
    assert retour(["export", str(out)], home, **filled).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    script = tmp_path / "failing_disk.py"
    script.write_text(FAILING_DISK, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), code, "--lang", "en", "export", "--force", str(out)],
        capture_output=True,
        text=True,
        env=clean_env(home, **filled),
        timeout=120,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    err = _one_line_refusal(done, *words)
    assert len(err.strip().splitlines()) <= 2, err  # one line (and its hint)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # old files intact
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_write_file_keeps_a_private_files_mode(tmp_path: Path) -> None:
    target = tmp_path / "private.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    files.write_file(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        pytest.param(errno.ENOSPC, StorageError, id="ENOSPC"),
        pytest.param(errno.EIO, StorageError, id="EIO"),
        pytest.param(errno.EACCES, InputError, id="EACCES"),
        pytest.param(errno.ELOOP, UsageError, id="ELOOP"),
    ],
)
def test_each_write_error_is_named(tmp_path: Path, code: int, kind: type) -> None:
    error = files.write_error(tmp_path / "x.csv", OSError(code, os.strerror(code)))
    assert type(error) is kind
    assert "rule" not in str(error)


def _limit_pages(engine: sa.Engine, pages: int) -> Callable[[], None]:
    """Every new SQLite connection may grow the file to `pages` pages at most: a disk that
    is full for this database."""

    def limit(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()

    sa.event.listen(engine, "connect", limit)
    return lambda: sa.event.remove(engine, "connect", limit)


def test_a_full_database_disk_is_named_not_blamed_on_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETOUR_DB", str(tmp_path / "full.sqlite"))
    monkeypatch.setenv("RETOUR_SECRET", TEST_SECRET)
    with Retour(settings=load_settings()) as app:
        db = app.database()
        with db.engine.connect() as conn:
            used = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())
        db.engine.dispose()
        _limit_pages(db.engine, used + 2)
        write_dataset(make(requests=600), tmp_path / "dataset")
        with pytest.raises(StorageError) as raised:
            datasets.import_dataset(app, tmp_path / "dataset")
    message = str(raised.value)
    assert "disk of the database" in message and "full" in message
    assert "rule" not in message
    assert raised.value.exit_code == 3


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        pytest.param(psycopg.errors.DiskFull("could not extend file"), StorageError, id="53100"),
        pytest.param(psycopg.errors.IoError("could not read block"), StorageError, id="58030"),
        pytest.param(psycopg.errors.LockNotAvailable("lock timeout"), DatabaseBusy, id="55P03"),
        pytest.param(psycopg.errors.DeadlockDetected("deadlock"), DatabaseBusy, id="40P01"),
    ],
)
def test_postgresql_disk_and_lock_errors_are_named(error: Exception, kind: type) -> None:
    engine = sa.create_engine("postgresql+psycopg://u:p@127.0.0.1:1/x")

    class _Db:
        is_sqlite = False
        url = "postgresql+psycopg://u:***@127.0.0.1:1/x"

    _Db.engine = engine  # type: ignore[attr-defined]
    made = database_error(_Db(), error)  # type: ignore[arg-type]
    assert type(made) is kind
    assert "rule" not in str(made)

"""`make test` on a fresh machine: scripts/test-environment installs what the tests need as
root on Debian, and anywhere else stops at once with one line saying what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "test-environment"


def _bare_path(tmp_path: Path) -> str:
    """A PATH with the shell's basics and nothing the tests need beside Python."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "id", "awk", "sort", "tail", "head", "ls", "grep", "seq", "sleep"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def _as_user() -> list[str]:
    """Run the script as an unprivileged user when the tests run as root (CI does)."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.fail("runuser is needed to run the script as an unprivileged user")
    return [runuser, "-u", "nobody", "--"]


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder an unprivileged user can read (pytest's own tmp_path is root's alone)."""
    with tempfile.TemporaryDirectory() as name:
        path = Path(name)
        path.chmod(0o755)
        yield path


def test_without_the_tools_it_stops_at_once_with_one_line(open_dir: Path) -> None:
    env = {"PATH": _bare_path(open_dir), "HOME": str(open_dir)}
    script = open_dir / SCRIPT.name  # the checkout may be in a folder only root can read
    shutil.copy(SCRIPT, script)
    script.chmod(0o755)
    done = subprocess.run(
        [*_as_user(), str(open_dir / "bin" / "bash"), str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for name in ("LibreOffice", "pdftotext", "chromium", "chromedriver", "PostgreSQL"):
        assert name in lines[0]
    assert "apt-get install" in lines[0]
    assert done.stdout == ""


def test_a_given_server_is_used_as_it_is(tmp_path: Path) -> None:
    """With RETOUR_TEST_POSTGRES set, no server is started and its URL is printed; the tools
    this machine has (CI installs them) are not asked for again."""
    url = "postgresql+psycopg://someone:pw@127.0.0.1:5999/elsewhere"
    env = {**os.environ, "RETOUR_TEST_POSTGRES": url}
    done = subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == url

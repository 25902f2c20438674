"""Every export is recorded by the service, whatever the face: the command line's figures as
CSV or JSON, the press workbook, the briefs and the dataset export are in the audit log
under the operating-system user with via = cli, as the web's are under the signed-in user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retour.config import load_settings
from retour.service import audit
from retour.service.context import Retour

from ..loading import Loaded


def _log_after(before: int) -> list[audit.AuditEntry]:
    """The audit entries written since entry ``before`` (the fixture's own load, exported
    once to check it, is older)."""
    with Retour(settings=load_settings()) as app:
        return [e for e in audit.read_log(app) if e.id > before]


def _newest() -> int:
    with Retour(settings=load_settings()) as app:
        return max((e.id for e in audit.read_log(app, limit=1)), default=0)


def _retour(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "retour", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
        check=False,
    )


EXPORTS = [
    pytest.param(
        ["figures", "requests", "--format", "csv"],
        ("export_figures", "requests", {"format": "csv"}),
        id="figures-csv",
    ),
    pytest.param(
        ["figures", "departures", "--format", "json", "--profile", "internal"],
        ("export_figures", "departures", {"format": "json"}),
        id="figures-json",
    ),
    pytest.param(
        ["report", "press", "--out", "{tmp}/press.xlsx", "--lang", "en"],
        ("export_workbook", "press", {"lang": "en"}),
        id="press-workbook",
    ),
    pytest.param(
        ["report", "country", "MA", "--out", "{tmp}/ma.docx"],
        ("export_report", "MA", {"format": "docx"}),
        id="country-brief",
    ),
    pytest.param(
        ["report", "cooperation", "--period", "2022", "--out", "{tmp}/scale.html"],
        ("export_report", "cooperation", {"format": "html"}),
        id="cooperation-report",
    ),
    pytest.param(["export", "{tmp}/out"], ("export_dataset", "dataset", {}), id="dataset-export"),
]


@pytest.mark.parametrize(("args", "expected"), EXPORTS)
def test_an_export_on_the_command_line_is_audited(
    simulated_db: Loaded,
    tmp_path: Path,
    args: list[str],
    expected: tuple[str, str, dict[str, str]],
) -> None:
    before = _newest()
    done = _retour(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert done.returncode == 0, done.stderr
    action, subject, detail = expected
    new = _log_after(before)
    assert [e.action for e in new] == [action]
    entry = new[0]
    assert (entry.via, entry.actor, entry.subject) == ("cli", audit.command_line_actor(), subject)
    assert detail.items() <= entry.detail.items()
    assert str(tmp_path) not in str(entry.detail)


def test_a_table_on_the_screen_is_not_an_export(simulated_db: Loaded) -> None:
    before = _newest()
    done = _retour("figures", "requests")
    assert done.returncode == 0, done.stderr
    assert _log_after(before) == []

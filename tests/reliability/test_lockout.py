"""The lockout holds under parallel attempts (item 5 of docs/reliability.md).

An attempt is counted in the database before its password is checked, atomically, so
however many attempts arrive at once -- threads of one web process or several processes
-- no more than `lockout_threshold` passwords of one name are ever checked.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from retour.config import load_settings
from retour.service import accounts, audit
from retour.service.context import Retour

PASSWORD = "a long and correct passphrase"
SESSION_SECRET = "lockout-test-session-secret-0123456789abcdefXYZ"
THRESHOLD = 5
ATTEMPTS = 100
WORKER = Path(__file__).with_name("login_worker.py")


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Retour]:
    monkeypatch.setenv("RETOUR_DB", database_url)
    monkeypatch.setenv("RETOUR_SESSION_SECRET", SESSION_SECRET)
    monkeypatch.setenv("RETOUR_LOCKOUT_THRESHOLD", str(THRESHOLD))
    with Retour(settings=load_settings()) as application:
        accounts.add_user(application, "analyst", "analyst", PASSWORD, actor="test")
        yield application


def _checked(app: Retour) -> int:
    """Passwords checked and found wrong: the failed logins in the audit log."""
    return len(audit.read_log(app, limit=1000, action=audit.AuditAction.LOGIN_FAILED))


def _locked_out(app: Retour) -> int:
    return len(audit.read_log(app, limit=1000, action=audit.AuditAction.LOCKED_OUT))


def test_a_hundred_parallel_attempts_check_no_more_than_the_threshold(app: Retour) -> None:
    barrier = threading.Barrier(ATTEMPTS)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            accounts.authenticate(app, "analyst", "not the password at all")
        except accounts.LoginRefused as refused:
            return "locked" if refused.locked_until else "wrong"
        return "signed in"

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        outcomes = list(pool.map(attempt, range(ATTEMPTS)))
    assert "signed in" not in outcomes
    assert _checked(app) == THRESHOLD
    assert _locked_out(app) == ATTEMPTS - THRESHOLD
    # those refused unchecked answer "locked"; a checked one "wrong" unless the count was
    # full by the time its password was found wrong
    assert outcomes.count("locked") >= ATTEMPTS - THRESHOLD
    with pytest.raises(accounts.LoginRefused) as refused:
        accounts.authenticate(app, "analyst", PASSWORD)  # the right password, while locked
    assert refused.value.locked_until is not None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    assert accounts.authenticate(app, "analyst", PASSWORD, now=later).name == "analyst"


def test_parallel_attempts_from_several_processes_check_no_more_than_the_threshold(
    app: Retour, database_url: str
) -> None:
    processes, threads = 4, ATTEMPTS // 4
    start = time.time() + 4.0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(threads), repr(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(processes)
    ]
    counts: dict[str, int] = {}
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        for outcome, n in json.loads(out.strip().splitlines()[-1]).items():
            counts[outcome] = counts.get(outcome, 0) + n
    assert sum(counts.values()) == ATTEMPTS and "signed in" not in counts
    assert _checked(app) == THRESHOLD  # the promise allows THRESHOLD + processes
    assert _locked_out(app) == ATTEMPTS - THRESHOLD


def test_a_success_clears_the_count(app: Retour) -> None:
    for _ in range(THRESHOLD - 1):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(app, "analyst", "wrong wrong wrong")
    assert accounts.authenticate(app, "analyst", PASSWORD).name == "analyst"
    for _ in range(THRESHOLD - 1):
        with pytest.raises(accounts.LoginRefused) as refused:
            accounts.authenticate(app, "analyst", "wrong wrong wrong")
        assert refused.value.locked_until is None
    assert accounts.locked_until(app, "analyst") is None

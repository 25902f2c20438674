"""Two imports at once keep the contract: validation, rows and audit entry are one
transaction, and one import runs at a time (item 1 of docs/reliability.md).

The races are real: two processes, each importing through the service, begin at the same
agreed moment. Each race is repeated a bounded number of times on the backend under test
(SQLite by default, PostgreSQL with RETOUR_TEST_DATABASE).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from retour.config import load_settings
from retour.domain.errors import DatabaseError
from retour.service import audit, datasets
from retour.service.context import Retour
from retour.store import audit as store_audit
from retour.store import open_database
from retour.store import write as store_write

from .conftest import detention_dataset, race

#: Races per scenario and backend (each starts two processes).
REPEATS = 6
#: Races of two `retour import` commands per backend.
CLI_REPEATS = 3
#: Cases per racing dataset: enough that validating and writing one takes a while.
CASES = 3000


def _stored(url: str) -> tuple[int, int, list[tuple[int, bool]], list[tuple[str, str | None]]]:
    """Detentions and cases stored, the import history (id, simulated) and the import
    entries of the audit log (action, subject)."""
    db = open_database(url)
    try:
        with db.begin() as conn:
            detentions = conn.execute(sa.text("SELECT count(*) FROM detentions")).scalar_one()
            cases = conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()
            imports = conn.execute(sa.text("SELECT id, simulated FROM imports")).all()
            entries = conn.execute(
                sa.text("SELECT action, subject FROM audit_log WHERE action LIKE 'import%'")
            ).all()
    finally:
        db.close()
    return (
        int(detentions),
        int(cases),
        [(int(i), bool(s)) for i, s in imports],
        [(str(a), s) for a, s in entries],
    )


def _audited(imports: list[tuple[int, bool]], entries: list[tuple[str, str | None]]) -> None:
    """Every stored import has its entry, and every entry of a stored import names one."""
    stored = {str(i) for i, _ in imports}
    done = {s for a, s in entries if a == audit.AuditAction.IMPORT_DATASET}
    assert done == stored


@pytest.fixture
def fresh(fresh_database: Callable[[], str]) -> Callable[[], str]:
    """A fresh database at the head schema (migrated before the race begins)."""

    def make() -> str:
        url = fresh_database()
        open_database(url).close()
        return url

    return make


def test_overlapping_detentions_imported_at_once_store_exactly_one(
    fresh: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    early = detention_dataset(
        tmp_path / "early", cases=CASES, detention_prefix="DA", started_on="2020-02-01",
        ended_on="2020-05-01",
    )  # fmt: skip
    late = detention_dataset(
        tmp_path / "late", cases=CASES, detention_prefix="DB", started_on="2020-03-01",
        ended_on="2020-04-01",
    )  # fmt: skip
    for _ in range(REPEATS):
        url = fresh()
        outcomes = race(url, [early, late])
        detentions, cases, imports, entries = _stored(url)
        assert sorted(str(o["outcome"]) for o in outcomes) == ["refused", "stored"], outcomes
        refused = next(o for o in outcomes if o["outcome"] == "refused")
        assert refused["reasons"] == ["overlap"]
        assert (detentions, cases, len(imports)) == (CASES, CASES, 1)
        _audited(imports, entries)
        assert [a for a, _ in entries].count(audit.AuditAction.IMPORT_REFUSED) == 1


def test_real_and_simulated_at_once_into_an_empty_database_store_exactly_one(
    fresh: Callable[[], str], tmp_path: Path
) -> None:
    real = detention_dataset(
        tmp_path / "real", cases=CASES, detention_prefix="DR", started_on="2020-02-01",
        ended_on="2020-05-01",
    )  # fmt: skip
    simulated = detention_dataset(
        tmp_path / "simulated", cases=CASES, detention_prefix="DS", started_on="2021-02-01",
        ended_on="2021-05-01", source="simulated",
    )  # fmt: skip
    for _ in range(REPEATS):
        url = fresh()
        outcomes = race(url, [real, simulated])
        _, _, imports, entries = _stored(url)
        assert sorted(str(o["outcome"]) for o in outcomes) == ["refused", "stored"], outcomes
        refused = next(o for o in outcomes if o["outcome"] == "refused")
        assert refused["reasons"] in (["real_data"], ["simulated_data"])
        assert len(imports) == 1
        _audited(imports, entries)


# -- one import at a time, within one process ------------------------------------------------


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Retour]:
    monkeypatch.setenv("RETOUR_DB", database_url)
    with Retour(settings=load_settings()) as application:
        yield application


def _hold_import_lock(app: Retour, seconds: float) -> threading.Thread:
    """Another import's lock, held for `seconds` in a thread (taken before this returns)."""
    taken = threading.Event()

    def hold() -> None:
        with store_write.import_transaction(app.database()):
            taken.set()
            time.sleep(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10)
    return thread


def test_a_second_import_waits_and_says_so(app: Retour, tmp_path: Path) -> None:
    folder = detention_dataset(
        tmp_path / "d", cases=3, detention_prefix="D", started_on="2020-02-01",
        ended_on="2020-05-01",
    )  # fmt: skip
    holder = _hold_import_lock(app, 3.0)
    told: list[tuple[float, str]] = []
    began = time.monotonic()
    report = datasets.import_dataset(
        app, folder, progress=lambda stage: told.append((time.monotonic() - began, stage))
    )
    holder.join()
    assert report.result.import_id is not None
    waiting = [at for at, stage in told if stage == datasets.WAITING]
    assert len(waiting) == 1 and 1.9 <= waiting[0] < 3.0
    assert [stage for _, stage in told].index(datasets.WAITING) < [
        stage for _, stage in told
    ].index("validating")


def test_an_import_that_cannot_wait_longer_is_refused_cleanly(app: Retour) -> None:
    holder = _hold_import_lock(app, 2.0)
    db = app.database()
    with (
        pytest.raises(DatabaseError, match="another import is running") as refused,
        store_write.import_transaction(db, wait=0.5),
    ):
        pytest.fail("the lock was held by another import")
    holder.join()
    assert "\n" not in str(refused.value)


def test_the_audit_entry_commits_with_the_rows_or_nothing_does(
    app: Retour, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = detention_dataset(
        tmp_path / "d", cases=5, detention_prefix="D", started_on="2020-02-01",
        ended_on="2020-05-01",
    )  # fmt: skip
    real_append = store_audit.append

    def failing(*args: object, **kwargs: object) -> int:
        if kwargs.get("action") == audit.AuditAction.IMPORT_DATASET:
            raise DatabaseError("The disk is full.")
        return real_append(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store_audit, "append", failing)
    with pytest.raises(DatabaseError, match="disk is full"):
        datasets.import_dataset(app, folder, today=dt.date(2024, 3, 1))
    _, cases, imports, entries = _stored(app.settings.database_url)
    assert (cases, imports, entries) == (0, [], [])
    monkeypatch.setattr(store_audit, "append", real_append)
    report = datasets.import_dataset(app, folder, today=dt.date(2024, 3, 1))
    _, cases, imports, entries = _stored(app.settings.database_url)
    assert cases == 5
    assert entries == [(audit.AuditAction.IMPORT_DATASET, str(report.result.import_id))]


def test_a_writer_holding_the_lock_makes_no_half_reported_import(
    app: Retour, tmp_path: Path
) -> None:
    """The issue's report: an import committed, then its audit entry failed on the lock,
    and the import was reported as failed. Now the entry is written inside the import's
    transaction: while the lock is held nothing is written, and after, both are."""
    folder = detention_dataset(
        tmp_path / "d", cases=5, detention_prefix="D", started_on="2020-02-01",
        ended_on="2020-05-01",
    )  # fmt: skip
    holder = _hold_import_lock(app, 1.0)
    report = datasets.import_dataset(app, folder)
    holder.join()
    _, cases, imports, entries = _stored(app.settings.database_url)
    assert (cases, [i for i, _ in imports]) == (5, [report.result.import_id])
    _audited(imports, entries)


def test_two_retour_imports_at_once_exit_0_and_2(fresh: Callable[[], str], tmp_path: Path) -> None:
    """As a user meets it: two `retour import` commands started together; one stores, the
    other names the overlap (file:line) and exits 2."""
    early = detention_dataset(
        tmp_path / "early", cases=CASES, detention_prefix="DA", started_on="2020-02-01",
        ended_on="2020-05-01",
    )  # fmt: skip
    late = detention_dataset(
        tmp_path / "late", cases=CASES, detention_prefix="DB", started_on="2020-03-01",
        ended_on="2020-04-01",
    )  # fmt: skip
    for _ in range(CLI_REPEATS):
        url = fresh()
        env = {k: v for k, v in os.environ.items() if not k.startswith("RETOUR_")}
        env |= {"RETOUR_DB": url, "RETOUR_SETTINGS": str(tmp_path / "settings.toml")}
        commands = [
            subprocess.Popen(
                [sys.executable, "-m", "retour", "import", str(folder)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for folder in (early, late)
        ]
        outputs = [c.communicate(timeout=120) for c in commands]
        done = [(c.returncode, out, err) for c, (out, err) in zip(commands, outputs, strict=True)]
        assert sorted(code for code, _, _ in done) == [0, 2], done
        _, err = next((out, err) for code, out, err in done if code == 2)
        assert "detentions.csv:" in err and "overlaps another detention" in err
        assert "Traceback" not in err
        detentions, _, imports, entries = _stored(url)
        assert (detentions, len(imports)) == (CASES, 1)
        _audited(imports, entries)

"""`retour demo`: simulate a national caseload, import it into a demo database, summarise.

Beside the demo database it also writes the same data as a source system exports it
(:mod:`retour.exchange.source_style`: Dutch headers and labels, ``;``, Windows-1252,
dd-mm-yyyy, an officer's name and a location as extra columns) with the mapping that
reads it back, so a newcomer sees the path a real export takes: ``retour mapping draft``
on it, then ``retour import --mapping``.

Run again, the demo replaces its database. It refuses (:class:`DemoChangedError`) when the
database holds what someone added to it since: users, tokens, imports or instrument
changes after the demo's own import, and audit entries of those changes or of the web
(logins). Reading the demo database (a case view, an export: what the demo's "try next"
commands do) adds nothing that counts. ``fresh=True`` replaces it anyway.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl
import sqlalchemy as sa

from retour.analysis.summary import departures_by_year, requests_by_outcome
from retour.config import Settings
from retour.domain.codes import Table
from retour.domain.dataset import Dataset
from retour.domain.errors import N_, DatabaseError, InputError, UsageError
from retour.domain.files import write_file
from retour.exchange.source_style import SourceStyle, write_source
from retour.service.audit import AuditAction
from retour.service.context import Retour
from retour.service.datasets import ImportReport, Progress, import_dataset, quiet
from retour.service.simulation import SimulationSummary, simulate
from retour.store import read, schema

SCENARIO = "nl"
YEARS = (2019, 2023)
SEED = 20240126  # the day of the letter to Parliament on return cooperation


@dataclass(frozen=True, slots=True)
class DemoSummary:
    database: Path
    simulation: SimulationSummary
    imported: ImportReport
    cases: int
    requests: pl.DataFrame  # kind, outcome, n
    departures: pl.DataFrame  # year, one column per type, total
    example_case: str | None  # an open case with requests, to try `retour case` on
    source_export: SourceExport


@dataclass(frozen=True, slots=True)
class SourceExport:
    """The demo's data as a source system exports it, and the mapping that reads it."""

    folder: Path
    mapping: Path
    style: SourceStyle
    encoding: str  # the encoding written (Windows-1252 unless a text needed UTF-8)


#: What the demo's own suggestions write to the audit log: reading is no change.
READS: Final = frozenset(
    {
        AuditAction.VIEW_CASE,
        AuditAction.VIEW_AUDIT,
        AuditAction.EXPORT_WORKBOOK,
        AuditAction.EXPORT_FIGURES,
        AuditAction.EXPORT_REPORT,
        AuditAction.EXPORT_API,
        AuditAction.EXPORT_DATASET,
    }
)


@dataclass(frozen=True, slots=True)
class Additions:
    """What was added to the demo database after the demo made it."""

    users: int = 0
    tokens: int = 0
    imports: int = 0  # imports and instrument changes after the demo's own import
    audit_entries: int = 0  # of changes and of the web, not of reading

    def __bool__(self) -> bool:
        return any((self.users, self.tokens, self.imports, self.audit_entries))

    def describe(self) -> str:
        parts = [
            (self.users, "user", "users"),
            (self.tokens, "token", "tokens"),
            (self.imports, "import or instrument change", "imports or instrument changes"),
            (self.audit_entries, "audit entry", "audit entries"),
        ]
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)


class DemoChangedError(UsageError):
    """The demo database holds additions; replacing it needs ``--fresh``."""


def demo_paths(settings: Settings) -> tuple[Path, Path]:
    """The demo's dataset folder and database: under the data directory, never the user's own."""
    base = settings.data_dir / "demo"
    return base / "dataset", base / "demo.sqlite"


def source_export_paths(settings: Settings) -> tuple[Path, Path]:
    """The demo's source-style export (a folder of CSV files) and its mapping, beside the
    demo database."""
    base = settings.data_dir / "demo"
    return base / "source-export", base / "source-export.toml"


#: How the demo's source-style export is written: what Dutch Excel and a Dutch
#: case-management system write (separate files per table, Dutch words).
DEMO_STYLE: Final = SourceStyle(
    language="nl", delimiter=";", encoding="cp1252", date_format="%d-%m-%Y", countries="names"
)


def write_source_export(settings: Settings, dataset: Dataset) -> SourceExport:
    """Write `dataset` as a source system exports it, and the mapping that imports it."""
    folder, mapping = source_export_paths(settings)
    try:
        shutil.rmtree(folder, ignore_errors=True)  # the demo's own folder: no stale files
        text = write_source(dataset, folder, DEMO_STYLE)
        write_file(mapping, text)
    except OSError as exc:
        raise InputError(
            N_("{path}: cannot be written ({reason})."), path=folder, reason=exc.strerror or exc
        ) from None
    encoding = "cp1252" if 'encoding = "cp1252"' in text else "utf-8"
    return SourceExport(folder, mapping, DEMO_STYLE, encoding)


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def demo_additions(settings: Settings) -> Additions:
    """What was added to the demo database since the demo made it (nothing: no database)."""
    _, database = demo_paths(settings)
    if not database.exists():
        return Additions()
    try:
        with (
            Retour(settings=settings, db_override=str(database)) as app,
            app.database().begin() as conn,
        ):
            return _additions(conn)
    except DatabaseError as exc:
        raise DemoChangedError(
            N_("The demo database {path} cannot be read to see what was added to it: {reason}"),
            cli_hint=N_("Run `retour demo --fresh` to replace it."),
            path=database,
            reason=exc,
        ) from None


def _additions(conn: sa.Connection) -> Additions:
    def count(table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(table).where(*where)) or 0)

    first = conn.scalar(sa.select(sa.func.min(schema.imports.c.id)))
    log = schema.audit_log.c
    own_import = sa.and_(log.action == AuditAction.IMPORT_DATASET.value, log.subject == str(first))
    return Additions(
        users=count(schema.users),
        tokens=count(schema.api_tokens),
        imports=max(count(schema.imports) - 1, 0),
        audit_entries=count(
            schema.audit_log, log.action.not_in([a.value for a in READS]), sa.not_(own_import)
        ),
    )


def run_demo(settings: Settings, *, fresh: bool = False, progress: Progress = quiet) -> DemoSummary:
    """Simulate (fixed seed), import into a fresh demo database, and summarise what it holds.

    A demo database with additions (:func:`demo_additions`) is replaced only when ``fresh``.
    """
    dataset, database = demo_paths(settings)
    added = Additions() if fresh else demo_additions(settings)
    if added:
        raise DemoChangedError(
            N_(
                "The demo database {path} holds {added} added since the demo made it; running "
                "the demo again would remove them."
            ),
            cli_hint=N_("Run `retour demo --fresh` to replace it anyway."),
            path=database,
            added=added.describe(),
        )
    progress("simulating the nl scenario")
    simulation = simulate(SCENARIO, YEARS, SEED, dataset, force=True)
    _remove_database(database)
    with Retour(settings=settings, db_override=str(database)) as app:
        imported = import_dataset(app, dataset, progress=progress)
        progress("summarising")
        snapshot = read.read_dataset(app.database())  # all of it: the export writes it out
        cases = read.counts(app.database())[Table.CASES]
        progress("writing a source-style export")
        exported = write_source_export(settings, snapshot)
    return DemoSummary(
        database=database,
        simulation=simulation,
        imported=imported,
        cases=cases,
        requests=requests_by_outcome(snapshot[Table.REQUESTS]),
        departures=departures_by_year(snapshot[Table.DEPARTURES]),
        example_case=_example_case(snapshot[Table.CASES], snapshot[Table.REQUESTS]),
        source_export=exported,
    )


def _example_case(cases: pl.DataFrame, requests: pl.DataFrame) -> str | None:
    """The first (by id) case still open at the extraction date that has had a request."""
    open_ids = cases.filter(pl.col("closed_on").is_null()).select("case_id")
    asked = open_ids.join(requests.select("case_id").unique(), on="case_id")
    return None if asked.is_empty() else str(asked["case_id"].min())

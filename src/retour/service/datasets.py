"""Use cases of the exchange format: import a dataset into the store, export it back out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import polars as pl

from retour.domain.codes import Table
from retour.domain.dataset import Dataset, DatasetMeta
from retour.domain.errors import InputError, UsageError
from retour.exchange import InvalidDatasetError, open_container, validate, write_dataset
from retour.service import audit
from retour.service.context import Retour
from retour.store import read as store_read
from retour.store.engine import Database
from retour.store.outside import count_outside
from retour.store.write import ImportResult
from retour.store.write import write_dataset as store_write

Progress = Callable[[str], None]

#: The stages of an import, in order, as `progress` is told of them.
IMPORT_STAGES: tuple[str, ...] = ("reading", "validating", *(f"writing {t.value}" for t in Table))


def quiet(_: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class ImportReport:
    path: Path
    container: str  # folder, zip or workbook
    meta: DatasetMeta
    result: ImportResult
    notices: tuple[str, ...]


class _StoredData:
    """Validation's window on the database it imports into."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def cases(self, case_ids: pl.Series) -> pl.DataFrame:
        return store_read.existing_cases(self.db, case_ids)

    def detentions(self, case_ids: pl.Series) -> pl.DataFrame:
        return store_read.existing_detentions(self.db, case_ids)


def _refuse_mixing(db: Database, dataset: Dataset) -> None:
    """Simulated and real data never share a database: outputs could not be labelled."""
    holds = store_read.holds_simulated(db)
    if holds is None or holds == dataset.meta.simulated:
        return
    if holds:
        raise InputError(
            "This database holds simulated data; real data cannot be imported into it.",
            hint="Import into another database (--db or RETOUR_DB).",
        )
    raise InputError(
        "This database holds real data; a simulated dataset cannot be imported into it.",
        hint="Import the simulation into another database (--db or RETOUR_DB).",
    )


def import_dataset(
    app: Retour,
    path: Path,
    *,
    today: dt.date | None = None,
    progress: Progress = quiet,
    actor: str | None = None,
    via: audit.Via = audit.Via.CLI,
    role: str | None = None,
) -> ImportReport:
    """Validate the container completely, then write it in one transaction, or not at all.

    The audit log records the import, or its refusal with the number of violations, under
    ``actor`` (default: the operating-system user) and ``via``.
    """
    record = partial(
        audit.record, app, actor=actor or audit.command_line_actor(), via=via, role=role
    )
    try:
        report = _import(app, path, today or dt.date.today(), progress)
    except InvalidDatasetError as exc:
        detail = {"violations": len(exc.violations)}
        record(audit.AuditAction.IMPORT_REFUSED, detail=detail)
        raise
    import_id = report.result.import_id
    record(
        audit.AuditAction.IMPORT_DATASET,
        subject=None if import_id is None else str(import_id),
        detail={"container": report.container},
    )
    return report


def _import(app: Retour, path: Path, today: dt.date, progress: Progress) -> ImportReport:
    progress("reading")
    container = open_container(path)
    db = app.database()
    progress("validating")
    secret = app.settings.secret_bytes() if app.settings.secret is not None else None
    dataset = validate(container, today=today, secret=secret, existing=_StoredData(db))
    _refuse_mixing(db, dataset)
    if dataset.meta.extracted_on is None:
        dataset.meta = replace(dataset.meta, extracted_on=today)
    result = store_write(
        db,
        dataset,
        fingerprint=container.fingerprint,
        container=path.name,
        on_table=lambda table: progress(f"writing {table.value}"),
    )
    return ImportReport(
        path=path,
        container=container.kind,
        meta=dataset.meta,
        result=result,
        notices=tuple(container.notices),
    )


def export_dataset(
    app: Retour, directory: Path, *, force: bool = False, actor: audit.Actor | None = None
) -> list[Path]:
    """Write the whole database out in the exchange format; recorded in the audit log as
    ``actor``'s (the operating-system user's when none is given)."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file.", hint="Give a folder to export into.")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise UsageError(
            f"{directory} is not empty.",
            hint="Export into a new or empty folder, or add --force to overwrite the tables.",
        )
    dataset = store_read.read_dataset(app.database())
    try:
        written = write_dataset(dataset, directory)
    except OSError as exc:
        raise InputError(f"{directory}: cannot be written ({exc.strerror or exc}).") from None
    rows = sum(dataset[table].height for table in Table)
    audit.record_by(
        app,
        actor or audit.Actor.command_line(),
        audit.AuditAction.EXPORT_DATASET,
        profile="internal",
        subject="dataset",
        detail={"rows": rows, "files": len(written)},
    )
    return written


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    database: str
    schema: str
    counts: dict[Table, int]
    simulated: bool | None
    extracted_on: dt.date | None
    source: str | None
    outside_statistics: int  # Eurostat figures (retour context import)

    def as_json(self) -> dict[str, object]:
        return {
            "database": self.database,
            "schema": self.schema,
            "counts": {t.value: n for t, n in self.counts.items()},
            "simulated": self.simulated,
            "extracted_on": self.extracted_on.isoformat() if self.extracted_on else None,
            "source": self.source,
            "outside_statistics": self.outside_statistics,
        }


def database_info(app: Retour) -> DatabaseInfo:
    db = app.database()
    meta = store_read.read_dataset(db, tables=()).meta
    return DatabaseInfo(
        database=db.url,
        schema=db.schema_version,
        counts=store_read.counts(db),
        simulated=store_read.holds_simulated(db),
        extracted_on=meta.extracted_on,
        source=meta.source,
        outside_statistics=count_outside(db),
    )

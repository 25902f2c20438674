"""Use cases of the exchange format: import a dataset into the store, export it back out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from retour.domain.codes import Table
from retour.domain.conflicts import OnConflict
from retour.domain.dataset import Dataset, DatasetMeta
from retour.domain.errors import N_, Field, InputError, UsageError
from retour.domain.files import write_file
from retour.domain.tables import V_NUMBER
from retour.exchange import (
    InvalidDatasetError,
    Mapping,
    MappingError,
    load_mapping,
    open_container,
    open_mapped,
    validate,
    write_dataset,
)
from retour.exchange.container import Container
from retour.exchange.draft import Draft
from retour.exchange.draft import draft_mapping as draft_source
from retour.exchange.pseudonym import key_fingerprint
from retour.service import audit, conflicts
from retour.service.context import Retour
from retour.store import read as store_read
from retour.store.outside import count_outside
from retour.store.write import ImportResult, ImportTransaction, import_transaction

Progress = Callable[[str], None]

#: The stages of an import, in order, as `progress` is told of them.
IMPORT_STAGES: tuple[str, ...] = ("reading", "validating", *(f"writing {t.value}" for t in Table))
#: What `progress` is told when another import has run for 2 s, and this one waits for it.
WAITING = "waiting: another import is running"


def quiet(_: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class ImportReport:
    path: Path
    container: str  # folder, zip or workbook
    meta: DatasetMeta
    result: ImportResult
    notices: tuple[str, ...]
    #: the choice on rows recorded in retour after the extract, and those rows (kept or
    #: replaced; none when the import found none)
    on_conflict: OnConflict = OnConflict.REFUSE
    conflicts: conflicts.Conflicts | None = None


class ImportRefusedError(InputError):
    """An import the database's own state refuses (not a rule of the file); `reason` is
    recorded in the audit log."""

    def __init__(
        self, message: str, *, reason: str, hint: str | None = None, cli_hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint, cli_hint=cli_hint)
        self.reason = reason


def _refuse_mixing(holds: bool | None, dataset: Dataset) -> None:
    """Simulated and real data never share a database: outputs could not be labelled."""
    if holds is None or holds == dataset.meta.simulated:
        return
    if holds:
        raise ImportRefusedError(
            N_("This database holds simulated data; real data cannot be imported into it."),
            reason="simulated_data",
            hint=N_("Import them into a database of their own (ask the administrator)."),
            cli_hint=N_("Import into another database (--db or RETOUR_DB)."),
        )
    raise ImportRefusedError(
        N_("This database holds real data; a simulated dataset cannot be imported into it."),
        reason="real_data",
        hint=N_("Import the simulation into a database of its own (ask the administrator)."),
        cli_hint=N_("Import the simulation into another database (--db or RETOUR_DB)."),
    )


def refuse_another_key(transaction: ImportTransaction, fingerprint: str) -> None:
    """A database keeps one pseudonym key: under another, every person would be stored twice
    (an import, and a recording that gives a v_number)."""
    stored = transaction.pseudonym_key()
    if stored is None or stored == fingerprint:
        return
    raise ImportRefusedError(
        N_(
            "This database was pseudonymised with another secret; importing under this one "
            "would store every person a second time."
        ),
        reason="pseudonym_key",
        hint=N_("Ask the administrator to set the secret back to the key of the earlier imports."),
        cli_hint=N_(
            "Set RETOUR_SECRET (or `secret`) back to the key of the earlier imports, or "
            "import into a new database (--db or RETOUR_DB)."
        ),
    )


def import_dataset(
    context: Retour,
    path: Path,
    *,
    today: dt.date | None = None,
    progress: Progress = quiet,
    actor: str | None = None,
    via: audit.Via = audit.Via.CLI,
    role: str | None = None,
    mapping: Path | None = None,
    on_conflict: OnConflict = OnConflict.REFUSE,
) -> ImportReport:
    """Validate the container completely, then write it in one transaction, or not at all.

    A row the import would change that was recorded or corrected in retour on or after
    the extract's date is a conflict (retour.service.conflicts): the import is refused
    with every one listed (ImportConflictError), unless ``on_conflict`` is KEEP (retour's
    values stay, the rest is imported) or REPLACE (the extract's values are taken; each
    replaced row's history says so). The audit entry states the choice and the counts.

    With ``mapping`` (a mapping file, docs/mapping.md), ``path`` is a source system's own
    export, read through it and checked by the same rules; the audit entry of the import
    or its refusal then holds the mapping's SHA-256.

    Everything validation reads of the stored rows is read in the write transaction, and
    only one import runs at a time: another waits (``progress`` is told WAITING after 2 s)
    and is refused with "another import is running" after the database's busy timeout
    (10 s). The audit log records the import, or its refusal, under ``actor`` (default: the
    operating-system user) and ``via``, in the same transaction: a committed import is
    always in the log.
    """
    who = audit.Actor(actor or audit.command_line_actor(), via, role)
    record = partial(audit.record, context, actor=who.name, via=via, role=role)
    try:
        used = None if mapping is None else load_mapping(mapping)
    except MappingError as exc:
        record(audit.AuditAction.IMPORT_REFUSED, detail={"violations": len(exc.violations)})
        raise
    audited = record if used is None else _with_mapping(record, used)
    choice = _Choice(on_conflict, who)
    return _import(context, path, today or dt.date.today(), progress, audited, used, choice)


@dataclass(frozen=True, slots=True)
class _Choice:
    """What an import does with conflicts, and who chose it (for the rows' history)."""

    on_conflict: OnConflict
    actor: audit.Actor


def _with_mapping(record: Callable[..., int], mapping: Mapping) -> Callable[..., int]:
    """`record` with the mapping's SHA-256 in every entry's detail."""

    def recorded(*args: object, detail: audit.Detail | None = None, **kwargs: object) -> int:
        return record(*args, detail={**(detail or {}), "mapping": mapping.sha256}, **kwargs)

    return recorded


def _refusal(
    exc: InvalidDatasetError | ImportRefusedError | conflicts.ImportConflictError,
) -> audit.Detail:
    if isinstance(exc, conflicts.ImportConflictError):
        return {"reason": exc.reason, "conflicts": exc.conflicts.count}
    if isinstance(exc, ImportRefusedError):
        return {"reason": exc.reason}
    return {"violations": len(exc.violations)}


def _import(
    context: Retour,
    path: Path,
    today: dt.date,
    progress: Progress,
    record: Callable[..., int],
    mapping: Mapping | None,
    choice: _Choice,
) -> ImportReport:
    progress("reading")
    try:
        if mapping is None:
            container = open_container(path, context.settings.import_limits())
        else:
            container = open_mapped(
                path, mapping, today=today, limits=context.settings.import_limits()
            )
    except InvalidDatasetError as exc:
        record(audit.AuditAction.IMPORT_REFUSED, detail=_refusal(exc))
        raise
    secret = context.settings.secret_bytes() if context.settings.secret is not None else None
    with import_transaction(context.database(), on_wait=partial(progress, WAITING)) as transaction:
        progress("validating")
        within = transaction.connection
        try:
            dataset = _validated(transaction, container, today, secret)
            found = conflicts.find(transaction, container, dataset)
            if found.count and choice.on_conflict is OnConflict.REFUSE:
                raise conflicts.ImportConflictError(found)
        except (InvalidDatasetError, ImportRefusedError, conflicts.ImportConflictError) as exc:
            # Committed with nothing but this entry: the refusal is in the log, no row.
            record(audit.AuditAction.IMPORT_REFUSED, detail=_refusal(exc), within=within)
            refused = exc
        else:
            report = _write(transaction, path, container, dataset, progress, choice.on_conflict)
            if choice.on_conflict is OnConflict.REPLACE:
                conflicts.record_replaced(transaction, found, report.result, choice.actor)
            import_id = report.result.import_id
            record(
                audit.AuditAction.IMPORT_DATASET,
                subject=None if import_id is None else str(import_id),
                detail={
                    "container": report.container,
                    **conflicts.detail(choice.on_conflict, report.result),
                },
                within=within,
            )
            return replace(report, conflicts=found if found.count else None)
    raise refused


def _validated(
    transaction: ImportTransaction, container: Container, today: dt.date, secret: bytes | None
) -> Dataset:
    """The dataset, checked against every rule and against the stored rows, in the import's
    transaction."""
    keyed = secret is not None and any(V_NUMBER in t.header for t in container.tables.values())
    fingerprint = key_fingerprint(secret) if keyed and secret is not None else None
    if fingerprint is not None:
        refuse_another_key(transaction, fingerprint)
    dataset = validate(container, today=today, secret=secret, existing=transaction)
    _refuse_mixing(transaction.holds_simulated(), dataset)
    if fingerprint is not None:
        transaction.record_pseudonym_key(fingerprint)
    if dataset.meta.extracted_on is None:
        dataset.meta = replace(dataset.meta, extracted_on=today)
    return dataset


def _write(
    transaction: ImportTransaction,
    path: Path,
    container: Container,
    dataset: Dataset,
    progress: Progress,
    on_conflict: OnConflict,
) -> ImportReport:
    result = transaction.write(
        dataset,
        fingerprint=container.fingerprint,
        container=path.name,
        on_table=lambda table: progress(f"writing {table.value}"),
        mapping=container.mapping_text,
        on_conflict=on_conflict,
    )
    return ImportReport(
        path=path,
        container=container.kind,
        meta=dataset.meta,
        result=result,
        notices=tuple(container.notices),
        on_conflict=on_conflict,
    )


def export_dataset(
    context: Retour, directory: Path, *, force: bool = False, actor: audit.Actor | None = None
) -> list[Path]:
    """Write the whole database out in the exchange format; recorded in the audit log as
    ``actor``'s (the operating-system user's when none is given)."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(
            N_("{path} is a file."), hint=N_("Give a folder to export into."), path=directory
        )
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise UsageError(
            N_("{path} is not empty."),
            hint=N_("Export into a new or empty folder."),
            cli_hint=N_(
                "Export into a new or empty folder, or add --force to overwrite the tables."
            ),
            path=directory,
        )
    dataset = store_read.read_dataset(context.database())
    try:
        written = write_dataset(dataset, directory)
    except OSError as exc:
        raise InputError(
            N_("{path}: cannot be written ({reason})."), path=directory, reason=exc.strerror or exc
        ) from None
    rows = sum(dataset[table].height for table in Table)
    audit.record_by(
        context,
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


def database_info(context: Retour) -> DatabaseInfo:
    db = context.database()
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


def draft_mapping(source: Path, *, out: Path | None = None, force: bool = False) -> Draft:
    """Draft a mapping for a source system's export (docs/mapping.md), written to ``out``
    when given. It reads the source only: nothing is imported, so nothing is audited."""
    if out is not None and out.exists() and not force:
        raise UsageError(
            N_("{path} exists."),
            hint=N_("Give another {field}."),
            cli_hint=N_("Give another {field}, or add --force to overwrite it."),
            field=Field.OUT,
            path=out,
        )
    draft = draft_source(source)
    if out is not None:
        write_file(out, draft.text)
    return draft

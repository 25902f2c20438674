"""Recording in retour: a row of cases, requests, detentions, departures or conditions entered
or corrected by a user, checked by the import's own rules, written like a small import and
audited column by column.

- One rule set: a recorded row is a dataset of one row (with an empty ``cases`` table, so
  that its relations are judged) validated by :func:`retour.exchange.validate` against the
  stored rows, in the import's own transaction (:func:`retour.store.write.import_transaction`):
  the row's own rules, the case it refers to, overlapping detentions, ``document_on`` only
  after a positive answer. Nothing here repeats a rule.
- A ``v_number`` instead of ``case_id`` is pseudonymised by that same validation, under the
  database's one key; the clear number is never returned, stored or logged.
- The write is the import's (:meth:`ImportTransaction.write`, source :data:`SOURCE`,
  extracted on the day of the recording): the import history, and so the data fingerprint
  that every cache of derived figures is keyed by, changes with every recording.
- Every write appends what it changed to ``record_changes`` (codes and dates; free text as
  :data:`CHANGED`) and one audit entry, in the same transaction.
- A row's ETag is the write that last changed it and a digest of its values; a correction
  names the ETag it corrects (``If-Match``) and is refused when the row changed since.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Final

import polars as pl
import sqlalchemy as sa

from retour.analysis import terms as timing
from retour.domain import terms as term_days
from retour.domain.codes import DayCount, Outcome, Table
from retour.domain.dataset import Dataset, DatasetMeta
from retour.domain.errors import N_, InputError, NotFoundError, RetourError
from retour.domain.tables import SPECS, V_NUMBER, ColumnType, TableSpec
from retour.exchange import InvalidDatasetError, validate
from retour.exchange.container import LINE, Container, RawTable
from retour.exchange.pseudonym import key_fingerprint
from retour.exchange.violations import Reason, Violation
from retour.service import audit
from retour.service.context import Retour
from retour.service.datasets import refuse_another_key
from retour.service.imports import RECORDING
from retour.store import records as store
from retour.store import terms as terms_store
from retour.store.write import ImportTransaction, import_transaction

#: The source and container name a recording is written under in the import history.
SOURCE, CONTAINER = RECORDING
#: What the audit says of a free-text column that changed (never its content).
CHANGED: Final = "changed"
#: Separates the parts of a condition's id: ``case_id:observed_on:condition``.
KEY_SEPARATOR: Final = ":"
CASE_ID: Final = "case_id"


class RecordTable(StrEnum):
    """The tables a user may record in (the API's ``{table}``)."""

    CASES = Table.CASES.value
    REQUESTS = Table.REQUESTS.value
    DETENTIONS = Table.DETENTIONS.value
    DEPARTURES = Table.DEPARTURES.value
    CONDITIONS = Table.CONDITIONS.value

    @property
    def table(self) -> Table:
        return Table(self.value)

    @property
    def spec(self) -> TableSpec:
        return SPECS[self.table]


@dataclass(frozen=True, slots=True)
class Recorded:
    """A stored row as the API shows it: its id, its values and its ETag."""

    table: RecordTable
    row_id: str
    values: dict[str, object]  # JSON values: dates as YYYY-MM-DD
    etag: str
    #: where the current value came from: an import (its file and extraction date) or a
    #: recording (by whom, when); None where not looked up
    origin: dict[str, object] | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One column of one write: who, when, old and new (codes and dates only)."""

    at: dt.datetime
    actor: str
    role: str | None
    via: str
    table: str
    row_id: str
    column: str
    old: str | None
    new: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "by": self.actor,
            "role": self.role,
            "via": self.via,
            "table": self.table,
            "id": self.row_id,
            "column": self.column,
            "old": self.old,
            "new": self.new,
        }


class RecordRefusedError(InputError):
    """A recorded row breaks the exchange format's rules (422); nothing was written.

    ``violations`` are in the import's form, ``requests:-: outcome_on: ...``."""

    def __init__(self, table: RecordTable, violations: list[Violation]) -> None:
        super().__init__(
            N_("The row breaks rules of the exchange format; nothing was written."),
            hint=N_("Correct the values listed and send the row again."),
        )
        self.table = table
        self.violations = violations

    def lines(self) -> list[str]:
        return [v.format() for v in self.violations]


class AlreadyStoredError(RetourError):
    """A new row whose key is stored already (409)."""

    http_status = 409


class ConditionRequiredError(RetourError):
    """A correction without the ETag it corrects (428)."""

    http_status = 428


class ChangedSinceError(RetourError):
    """A correction of a row that changed since its ETag (412): the row now, and what
    changed since and by whom."""

    http_status = 412

    def __init__(self, current: Recorded, changes: list[Change], imported: bool) -> None:
        super().__init__(
            N_("The row was changed since you read it; nothing was written."),
            hint=N_("Read the row again, apply your change to it and send it with its new ETag."),
        )
        self.current = current
        self.changes = changes
        self.imported = imported  # the row was last written by an import of a file


# --- ids, values, ETags ------------------------------------------------------------------


def row_id(table: RecordTable, values: Mapping[str, object]) -> str:
    """The row's id in the API's path: its id column, or for a condition
    ``case_id:observed_on:condition``."""
    spec = table.spec
    if spec.id_column is not None:
        return str(values[spec.id_column])
    return KEY_SEPARATOR.join(_text(values[c]) or "" for c in _id_parts(spec))


def _id_parts(spec: TableSpec) -> tuple[str, ...]:
    return (CASE_ID, "observed_on", "condition") if spec.table is Table.CONDITIONS else spec.key


def parse_id(table: RecordTable, text: str) -> dict[str, object] | None:
    """The key of the row ``text`` names (None: no row can have that id)."""
    spec = table.spec
    if spec.id_column is not None:
        return {spec.id_column: text}
    parts = text.rsplit(KEY_SEPARATOR, 2)
    if len(parts) != 3:
        return None
    case_id, observed, condition = parts
    try:
        observed_on = dt.date.fromisoformat(observed)
    except ValueError:
        return None
    return {CASE_ID: case_id, "observed_on": observed_on, "condition": condition}


def _text(value: object) -> str | None:
    """A stored value as the exchange format writes it (None: empty)."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def etag(values: Mapping[str, object], import_id: int) -> str:
    """The ETag of a stored row: the write that last changed it, and its values' digest."""
    canonical = json.dumps({k: _text(v) for k, v in values.items()}, sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    return f'"{import_id}-{digest}"'


def _etag_import(tag: str) -> int | None:
    """The write an ETag names (None: not an ETag of retour's)."""
    head = tag.strip().removeprefix("W/").strip('"').split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _recorded(table: RecordTable, row: store.StoredRow) -> Recorded:
    values = {c: _json_value(v) for c, v in row.values.items()}
    return Recorded(table, row_id(table, row.values), values, etag(row.values, row.import_id))


def _shown(spec: TableSpec, column: str, value: object) -> str | None:
    """What the audit keeps of a value: codes, dates, numbers and ids; free text as CHANGED."""
    if value is None:
        return None
    kind = spec.column(column).type
    free = kind is ColumnType.TEXT and column not in spec.key and not column.endswith("_id")
    return CHANGED if free else _text(value)


# --- reading -----------------------------------------------------------------------------


def read_row(context: Retour, table: RecordTable, text_id: str) -> Recorded:
    """The stored row ``text_id`` of ``table`` and its ETag; NotFoundError when there is none."""
    key = parse_id(table, text_id)
    with context.database().begin() as conn:
        row = None if key is None else store.stored_row(conn, table.table, key)
        source = None if row is None else store.origin(conn, row.import_id)
    if row is None:
        raise not_found(table)
    return replace(_recorded(table, row), origin=_origin(source))


def _origin(source: store.Origin | None) -> dict[str, object] | None:
    """A row's origin as the API shows it."""
    if source is None:
        return None
    if source.actor is not None and source.container == CONTAINER:
        return {"recorded": True, "by": source.actor, "at": source.at.isoformat()}
    return {
        "recorded": False,
        "import": source.import_id,
        "container": source.container,
        "extracted_on": source.extracted_on.isoformat(),
    }


def not_found(table: RecordTable) -> NotFoundError:
    return NotFoundError(
        N_("There is no such row in {table}."),
        hint=N_("Check the id; a condition's id is case_id:observed_on:condition."),
        table=table.value,
    )


@dataclass(frozen=True, slots=True)
class DueDates:
    """When a stored request's answer is due under the agreed terms, and after a positive
    answer its travel document (None: the term sets no document limit)."""

    answer: dt.date
    document: dt.date | None


def due_dates(context: Retour, rows: Sequence[Recorded]) -> dict[str, DueDates]:
    """The due dates of stored requests (rows of ``requests``) by request id, by the overdue
    list's own rules: the term that applies to the request's country, kind and submission
    day (:func:`retour.analysis.terms.applicable_terms`) and its limit counted in calendar
    or Dutch working days (:func:`retour.domain.terms.due_dates`); a request no term
    applies to is left out. The document is due only after a positive answer."""
    if not rows:
        return {}
    held = terms_store.small_tables(context.database())
    applied = timing.applicable_terms(held.instruments, held.terms)
    if applied.is_empty():
        return {}
    columns = ("request_id", "country", "kind", "submitted_on", "outcome", "outcome_on")
    frame = pl.DataFrame(
        [tuple(r.values[c] for c in columns) for r in rows],
        schema=dict.fromkeys(columns, pl.String),
        orient="row",
    ).with_columns(pl.col("submitted_on", "outcome_on").str.to_date())
    submitted = pl.col("submitted_on")
    joined = frame.join(
        applied.rename({"request_kind": "kind"}), on=["country", "kind"], how="inner"
    ).filter(
        (submitted >= pl.col("applies_from"))
        & (pl.col("applies_until").is_null() | (submitted < pl.col("applies_until")))
    )
    limits = joined.select(
        pl.col("reply_days").fill_null(0),
        pl.when(pl.col("outcome") == Outcome.POSITIVE.value)
        .then(pl.col("document_days"))
        .fill_null(0)
        .alias("document_days"),
        (pl.col("day_count") == DayCount.WORKING.value).alias("working"),
    )
    working = limits.get_column("working").to_numpy()
    answer = term_days.due_dates(
        joined.get_column("submitted_on").to_numpy(),
        limits.get_column("reply_days").to_numpy(),
        working,
    )
    document = term_days.due_dates(
        joined.get_column("outcome_on").to_numpy(),
        limits.get_column("document_days").to_numpy(),
        working,
    )
    due = joined.select("request_id").with_columns(
        pl.Series("answer", answer, pl.Date), pl.Series("document", document, pl.Date)
    )
    return {r: DueDates(a, d) for r, a, d in due.iter_rows()}


def row_history(context: Retour, text_id: str, table: RecordTable | None = None) -> list[Change]:
    """Every recorded change of the row ``text_id`` (of any table unless ``table``), oldest
    first."""
    found = store.changes(context.database(), text_id, table=None if table is None else table.table)
    return [_change(c) for c in found]


def _change(c: store.ChangeRow) -> Change:
    return Change(c.at, c.actor, c.role, c.via, c.table.value, c.row_id, c.column, c.old, c.new)


# --- writing -----------------------------------------------------------------------------


def record_row(
    context: Retour, table: RecordTable, values: Mapping[str, object], actor: audit.Actor
) -> Recorded:
    """Record a new row (exchange-format columns, ``v_number`` for ``case_id`` allowed):
    checked by the import's rules against the stored rows, written, audited.

    RecordRefusedError (422) lists every violation; AlreadyStoredError (409) when its key
    is stored already. Nothing is written in either case.
    """
    raw = _raw_values(table, values)
    with import_transaction(context.database()) as transaction:
        dataset = _checked(context, transaction, table, raw)
        checked = _row(dataset, table)
        key = {k: checked[k] for k in table.spec.key}
        if store.stored_row(transaction.connection, table.table, key) is not None:
            raise AlreadyStoredError(
                N_("{table} already holds a row with this id; nothing was written."),
                hint=N_("Correct the stored row (PATCH with its ETag) instead."),
                table=table.value,
            )
        changes = [(c, None, _shown(table.spec, c, v)) for c, v in checked.items() if v is not None]
        return _write(context, transaction, table, dataset, changes, actor, created=True)


def correct_row(
    context: Retour,
    table: RecordTable,
    text_id: str,
    values: Mapping[str, object],
    if_match: str | None,
    actor: audit.Actor,
) -> Recorded:
    """Correct columns of a stored row, if it is still as its ETag ``if_match`` says.

    NotFoundError (404), ConditionRequiredError (428: no ETag), ChangedSinceError (412),
    RecordRefusedError (422: a rule, or a change of the row's key). Nothing is written
    unless the whole row passes; a correction that changes nothing writes nothing.
    """
    key = parse_id(table, text_id)
    with import_transaction(context.database()) as transaction:
        conn = transaction.connection
        stored = None if key is None else store.stored_row(conn, table.table, key)
        if stored is None:
            raise not_found(table)
        _require_unchanged(context, table, stored, if_match)
        merged = {c: _text(v) for c, v in stored.values.items()}
        given = _raw_values(table, values)
        if V_NUMBER in given:
            merged.pop(CASE_ID)
        dataset = _checked(context, transaction, table, {**merged, **given})
        checked = _row(dataset, table)
        _refuse_new_key(table, stored.values, checked)
        changes = [
            (c, _shown(table.spec, c, stored.values[c]), _shown(table.spec, c, v))
            for c, v in checked.items()
            if _text(v) != _text(stored.values[c])
        ]
        if not changes:
            return _recorded(table, stored)
        return _write(context, transaction, table, dataset, changes, actor, created=False)


def _require_unchanged(
    context: Retour, table: RecordTable, stored: store.StoredRow, if_match: str | None
) -> None:
    if if_match is None or not if_match.strip():
        raise ConditionRequiredError(
            N_("A correction must name the version it corrects; nothing was written."),
            hint=N_("Read the row first and send its ETag in the If-Match header."),
        )
    current = _recorded(table, stored)
    if if_match.strip() in {current.etag, "W/" + current.etag}:
        return
    since = _etag_import(if_match)
    found = store.changes(
        context.database(), current.row_id, table=table.table, after_import=since or 0
    )
    recorded = {c.import_id for c in found}
    raise ChangedSinceError(current, [_change(c) for c in found], stored.import_id not in recorded)


def _refuse_new_key(
    table: RecordTable, stored: Mapping[str, object], checked: Mapping[str, object]
) -> None:
    moved = [k for k in table.spec.key if _text(stored[k]) != _text(checked[k])]
    message = "the id of a stored row cannot change; record a new row instead"
    if moved:
        where = f"{table.value}:-"
        found = [Violation(where, None, k, Reason.INCONSISTENT, message) for k in moved]
        raise RecordRefusedError(table, found)


def _raw_values(table: RecordTable, values: Mapping[str, object]) -> dict[str, str | None]:
    """The JSON object as the text cells of one line of the table's CSV file."""
    raw: dict[str, str | None] = {}
    bad: list[Violation] = []
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
            bad.append(
                Violation(
                    f"{table.value}:-",
                    None,
                    name,
                    Reason.INCONSISTENT,
                    "give a text, a number or null",
                )
            )
            continue
        text = None if value is None else str(value)
        if text is not None and "\x00" in text:  # no database stores it; no file holds it
            bad.append(Violation(f"{table.value}:-", None, name, Reason.INCONSISTENT,
                                 "contains a NUL character"))  # fmt: skip
            continue
        raw[name] = None if text is None or text == "" else text
    if bad:
        raise RecordRefusedError(table, bad)
    return raw


def _checked(
    context: Retour,
    transaction: ImportTransaction,
    table: RecordTable,
    raw: Mapping[str, str | None],
) -> Dataset:
    """The row checked by the import's rules against the stored rows: a dataset of it."""
    secret = context.settings.secret_bytes() if context.settings.secret is not None else None
    if V_NUMBER in raw and secret is not None:
        refuse_another_key(transaction, key_fingerprint(secret))
    container = _container(context, table, raw)
    try:
        dataset = validate(container, today=dt.date.today(), secret=secret, existing=transaction)
    except InvalidDatasetError as exc:
        raise RecordRefusedError(table, [_as_recorded(v) for v in exc.violations]) from None
    if V_NUMBER in raw and secret is not None:
        transaction.record_pseudonym_key(key_fingerprint(secret))
    return dataset


def _row(dataset: Dataset, table: RecordTable) -> dict[str, object]:
    """The typed values of the dataset's one row."""
    row: dict[str, object] = dataset[table.table].row(0, named=True)
    return row


def _as_recorded(violation: Violation) -> Violation:
    """An import's violation as a recording's: ``requests:-`` instead of ``requests.csv:2``."""
    name = violation.file.removesuffix(".csv")
    return Violation(
        f"{name}:-", None, violation.column, violation.reason, violation.message, violation.value
    )


def _container(context: Retour, table: RecordTable, raw: Mapping[str, str | None]) -> Container:
    """One line of the table (and an empty cases table, so that references are judged)."""
    header = list(raw)
    frame = pl.DataFrame(
        {c: [raw[c]] for c in header}, schema=dict.fromkeys(header, pl.String)
    ).with_columns(pl.Series(LINE, [2], dtype=pl.Int64))
    tables = {table.table: RawTable(table.table, table.spec.file_name, header, frame)}
    if table is not RecordTable.CASES:
        cases = SPECS[Table.CASES]
        names = list(cases.column_names)
        tables[Table.CASES] = RawTable(Table.CASES, cases.file_name, names, _no_cases())
    return Container(
        path=Path(CONTAINER), kind="folder", tables=tables, limits=context.settings.import_limits()
    )


@functools.cache
def _no_cases() -> pl.DataFrame:
    """An empty cases.csv as raw text (built once)."""
    names = SPECS[Table.CASES].column_names
    return pl.DataFrame(schema={**dict.fromkeys(names, pl.String), LINE: pl.Int64})


def _write(
    context: Retour,
    transaction: ImportTransaction,
    table: RecordTable,
    dataset: Dataset,
    changes: Sequence[tuple[str, str | None, str | None]],
    actor: audit.Actor,
    *,
    created: bool,
) -> Recorded:
    """Write the checked row like an import of one row, and record what it changed."""
    now = dt.datetime.now(dt.UTC)
    checked = _row(dataset, table)
    the_id = row_id(table, checked)
    meta = DatasetMeta(source=SOURCE, extracted_on=now.date())
    identity = json.dumps([table.value, the_id, changes, now.isoformat(), actor.name])
    result = transaction.write(
        Dataset(dataset.tables, meta),
        fingerprint=hashlib.sha256(identity.encode("utf-8")).hexdigest(),
        container=CONTAINER,
    )
    assert result.import_id is not None  # the row changed, so the write is recorded
    written = store.Written(result.import_id, now, actor.name, actor.role, actor.via.value)
    store.append(
        transaction.connection,
        written,
        table.table,
        the_id,
        changes,
        sqlite=transaction.db.is_sqlite,
    )
    _audit(context, transaction.connection, table, the_id, actor, created, result.import_id)
    values = {c: _json_value(v) for c, v in checked.items()}
    made = {"recorded": True, "by": actor.name, "at": now.isoformat()}
    return Recorded(table, the_id, values, etag(checked, result.import_id), made)


def _audit(
    context: Retour,
    conn: sa.Connection,
    table: RecordTable,
    the_id: str,
    actor: audit.Actor,
    created: bool,
    import_id: int,
) -> None:
    action = audit.AuditAction.RECORD_ADDED if created else audit.AuditAction.RECORD_CORRECTED
    subject = the_id if audit.is_token(the_id) else None
    audit.record(
        context,
        action,
        actor=actor.name,
        role=actor.role,
        via=actor.via,
        subject=subject,
        detail={"table": table.value, "import": import_id},
        within=conn,
    )

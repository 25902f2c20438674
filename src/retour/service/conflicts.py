"""Recorded and imported data together: an import that would replace rows recorded or
corrected in retour after its extract was taken.

A row knows the write that last set it (``import_id``): an import of a file with its
extraction date, or a recording (a write with changes in ``record_changes``) by a user on
a day. An import whose rows would change a row recorded on or after the import's
``extracted_on`` -- the extract cannot have seen that recording -- is a *conflict*. The
store finds them with one join per table (:meth:`ImportTransaction.conflicts`); here they
become the refusal's lines (``requests.csv:17: R0000123 was corrected in retour on
2024-02-03 by a caseworker; the extract is of 2024-01-31``), and with ``--on-conflict
replace`` the rows' history says what the import replaced (old and new per column, under
the importing user).

A row recorded *before* the extract's date is no conflict: the extract saw it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import polars as pl

from retour.domain.codes import Table
from retour.domain.conflicts import OnConflict
from retour.domain.dataset import Dataset
from retour.domain.errors import N_, InputError
from retour.domain.language import Language
from retour.domain.tables import SPECS, ColumnType, TableSpec
from retour.exchange.container import LINE, Container
from retour.reports.messages import _, count
from retour.service import audit
from retour.store import records as store
from retour.store.write import (
    CREATED,
    RECORDED_ON,
    ROLE,
    SOURCE_LINE,
    ImportResult,
    ImportTransaction,
)

#: Conflicts a refusal lists before it counts the rest.
MAX_SHOWN: Final = 100
#: The part separator of a condition's id (retour.service.records.KEY_SEPARATOR).
KEY_SEPARATOR: Final = ":"
#: What the history keeps of a free-text column that changed (records.CHANGED).
CHANGED: Final = "changed"
ROW_ID: Final = "row_id"

#: "by a caseworker": who recorded a row, by their role.
BY_ROLE: Final[dict[str | None, str]] = {
    "viewer": N_("a viewer"),
    "analyst": N_("an analyst"),
    "caseworker": N_("a caseworker"),
    "admin": N_("an administrator"),
    None: N_("a user"),
}


@dataclass(frozen=True, slots=True)
class Conflict:
    """One row of an extract that would replace a row recorded in retour after it."""

    table: Table
    file: str  # the file (requests.csv), sheet or source file the row is in
    line: int | None
    row_id: str
    recorded_on: dt.date
    role: str | None
    created: bool  # the recording added the row (else: corrected it)

    def text(self, extracted_on: dt.date, lang: Language) -> str:
        """The conflict as one line, in ``lang``."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        said = (
            N_(
                "{where}: {id} was recorded in retour on {on} by {role}; the extract is of "
                "{extract}"
            )
            if self.created
            else N_(
                "{where}: {id} was corrected in retour on {on} by {role}; the extract is of "
                "{extract}"
            )
        )
        role = _(BY_ROLE.get(self.role, BY_ROLE[None]), lang)
        return _(said, lang, where=where, id=self.row_id, on=self.recorded_on.isoformat(),
                 role=role, extract=extracted_on.isoformat())  # fmt: skip

    def as_json(self) -> dict[str, object]:
        return {
            "table": self.table.value,
            "file": self.file,
            "line": self.line,
            "id": self.row_id,
            "recorded_on": self.recorded_on.isoformat(),
            "role": self.role,
            "recorded": "added" if self.created else "corrected",
        }


@dataclass(frozen=True, slots=True)
class Conflicts:
    """Every conflict of one import, per table (frames of the store's conflict query)."""

    frames: Mapping[Table, pl.DataFrame]
    files: Mapping[Table, str]
    extracted_on: dt.date

    @property
    def count(self) -> int:
        return sum(f.height for f in self.frames.values())

    def counts(self) -> dict[Table, int]:
        return {t: f.height for t, f in self.frames.items()}

    def first(self, n: int = MAX_SHOWN) -> list[Conflict]:
        """The first ``n`` conflicts, table by table in the order of the format, by line."""
        shown: list[Conflict] = []
        for t, frame in sorted(self.frames.items(), key=lambda item: list(Table).index(item[0])):
            if len(shown) >= n:
                break
            part = with_row_id(frame, SPECS[t]).head(n - len(shown))
            shown += [
                Conflict(t, self.files.get(t, SPECS[t].file_name), r[SOURCE_LINE], r[ROW_ID],
                         r[RECORDED_ON], r[ROLE], bool(r[CREATED]))
                for r in part.iter_rows(named=True)
            ]  # fmt: skip
        return shown

    def lines(self, lang: Language, n: int = MAX_SHOWN) -> list[str]:
        """Every conflict as a line (the first ``n``, then how many more)."""
        said = [c.text(self.extracted_on, lang) for c in self.first(n)]
        rest = self.count - len(said)
        if rest > 0:
            said.append(_("… and {n} more conflicts.", lang, n=count(rest, lang)))
        return said


class ImportConflictError(InputError):
    """An import refused because it would replace rows recorded in retour after its
    extract; nothing was written (the refusal is in the audit log)."""

    exit_code = 2
    http_status = 409
    reason = "conflicts"

    def __init__(self, conflicts: Conflicts) -> None:
        super().__init__(
            N_(
                "{n} rows of the extract would replace rows recorded or corrected in retour on "
                "or after its extraction date {extracted_on}; nothing was written."
            ),
            hint=N_("Choose what becomes of them: keep retour's values, or take the extract's."),
            cli_hint=N_(
                "Import again with --on-conflict keep (keep retour's values) or "
                "--on-conflict replace (take the extract's)."
            ),
            n=conflicts.count,
            extracted_on=conflicts.extracted_on.isoformat(),
        )
        self.conflicts = conflicts

    def lines(self, lang: Language = "en") -> list[str]:
        return self.conflicts.lines(lang)


def find(transaction: ImportTransaction, container: Container, dataset: Dataset) -> Conflicts:
    """The import's conflicts, each with its file and line."""
    lines: dict[Table, pl.Series] = {}
    files: dict[Table, str] = {}
    for t, raw in container.tables.items():
        files[t] = raw.name
        if t in dataset.tables and LINE in raw.frame.columns:
            lines[t] = raw.frame.get_column(LINE)
    frames = transaction.conflicts(dataset, lines)
    assert dataset.meta.extracted_on is not None  # set by validation, today when not given
    return Conflicts(frames, files, dataset.meta.extracted_on)


def with_row_id(frame: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """The frame with each row's id as the API and ``retour history`` write it."""
    if spec.id_column is not None:
        return frame.with_columns(pl.col(spec.id_column).cast(pl.String).alias(ROW_ID))
    parts = [pl.col(c).cast(pl.String) for c in ("case_id", "observed_on", "condition")]
    return frame.with_columns(pl.concat_str(parts, separator=KEY_SEPARATOR).alias(ROW_ID))


def _shown(spec: TableSpec, column: str) -> pl.Expr:
    """What the history keeps of a value: codes, dates and numbers; free text as CHANGED."""
    kind = spec.column(column).type
    free = kind is ColumnType.TEXT and not column.endswith("_id")

    def kept(name: str) -> pl.Expr:
        value = pl.col(name)
        if free:
            return pl.when(value.is_null()).then(pl.lit(None, pl.String)).otherwise(pl.lit(CHANGED))
        return value.cast(pl.String)

    return pl.struct(kept(f"old.{column}").alias("old"), kept(f"new.{column}").alias("new"))


def replaced_changes(frame: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """Per replaced row and changed column: row_id, column, old (retour's) and new (the
    extract's), as the history keeps them."""
    keyed = with_row_id(frame, spec)
    parts = [
        keyed.filter(pl.col(f"old.{c}").ne_missing(pl.col(f"new.{c}"))).select(
            pl.col(ROW_ID), pl.lit(c).alias("column"), _shown(spec, c).alias("values")
        )
        for c in spec.column_names
        if c not in spec.key
    ]
    empty = pl.DataFrame(schema={ROW_ID: pl.String, "column": pl.String})
    found = pl.concat(parts) if parts else empty
    if "values" not in found.columns:
        return found.with_columns(old=pl.lit(None, pl.String), new=pl.lit(None, pl.String))
    return found.unnest("values")


def record_replaced(
    transaction: ImportTransaction,
    conflicts: Conflicts,
    result: ImportResult,
    actor: audit.Actor,
) -> None:
    """The history of each replaced recorded row: what the import changed, by whom."""
    if result.import_id is None or not conflicts.count:
        return
    at = dt.datetime.now(dt.UTC)
    written = store.Written(result.import_id, at, actor.name, actor.role, actor.via.value)
    for t, frame in conflicts.frames.items():
        changes = replaced_changes(frame, SPECS[t]).select(ROW_ID, "column", "old", "new")
        store.append_rows(
            transaction.connection,
            written,
            t,
            list(changes.iter_rows()),
            sqlite=transaction.db.is_sqlite,
        )


def detail(on_conflict: OnConflict, result: ImportResult) -> audit.Detail:
    """The import's audit detail of the choice the user made (keep or replace) and what
    became of the conflicts; nothing for the default (refuse), which wrote none."""
    if on_conflict is OnConflict.REFUSE:
        return {}
    kept = sum(r.kept_recorded for r in result.tables.values())
    replaced = sum(r.replaced_recorded for r in result.tables.values())
    return {"on_conflict": on_conflict.value, "kept_recorded": kept, "replaced_recorded": replaced}

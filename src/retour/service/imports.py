"""The import history: what was imported, when, by whom, from which source and how it was
read (the mapping's SHA-256, and its text on request).

Reading the history is not audited: it shows ids, dates, counts and the names of users,
which the audit log holds already, and no data of a case.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Final

from retour.domain.codes import Table
from retour.domain.errors import N_, NotFoundError
from retour.service.context import Retour
from retour.store import history

#: The count kinds an import records per table, in the order they are shown.
COUNTS: tuple[str, ...] = (
    "inserted",
    "replaced",
    "unchanged",
    "kept_newer",
    "kept_recorded",
    "replaced_recorded",
)
#: The key of the stored counts that holds the import's choice on conflicts.
ON_CONFLICT = "on_conflict"


@dataclass(frozen=True, slots=True)
class ImportEntry:
    """One stored import."""

    id: int
    imported_at: dt.datetime
    by: str | None  # the user (web) or operating-system user (CLI) who imported it
    via: str | None
    source: str | None
    container: str  # the file or folder's own name
    extracted_on: dt.date
    simulated: bool
    counts: dict[Table, dict[str, int]]  # table -> each of COUNTS
    mapping_sha256: str | None
    #: --on-conflict as chosen (refuse, keep, replace); None for a recording, or an import
    #: from before the choice existed
    on_conflict: str | None = None

    def recorded(self, kind: str) -> int:
        """Rows recorded in retour after the extract that were ``kept`` or ``replaced``."""
        return sum(c.get(f"{kind}_recorded", 0) for c in self.counts.values())

    @property
    def conflicts(self) -> str:
        """The choice and what became of the conflicts (``keep 3``), "" when there were none."""
        n = self.recorded("kept") + self.recorded("replaced")
        return f"{self.on_conflict} {n}" if n and self.on_conflict else ""

    def rows(self, table: Table) -> int:
        """The rows of `table` the import held (whatever became of them)."""
        return sum(self.counts.get(table, {}).values())

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "imported_at": self.imported_at.isoformat(),
            "by": self.by,
            "via": self.via,
            "source": self.source,
            "container": self.container,
            "extracted_on": self.extracted_on.isoformat(),
            "simulated": self.simulated,
            "rows": {t.value: self.rows(t) for t in Table},
            "counts": {t.value: self.counts.get(t, {}) for t in Table},
            "mapping_sha256": self.mapping_sha256,
            "on_conflict": self.on_conflict,
            "kept_recorded": self.recorded("kept"),
            "replaced_recorded": self.recorded("replaced"),
        }


def _counts(text: str) -> dict[Table, dict[str, int]]:
    raw = json.loads(text or "{}")
    return {
        Table(name): {kind: int(found.get(kind, 0)) for kind in COUNTS}
        for name, found in raw.items()
        if name in Table._value2member_map_ and isinstance(found, dict)
    }


def _entry(row: history.ImportRow) -> ImportEntry:
    return ImportEntry(
        id=row.id,
        imported_at=row.imported_at,
        by=row.actor,
        via=row.via,
        source=row.source,
        container=row.container,
        extracted_on=row.extracted_on,
        simulated=row.simulated,
        counts=_counts(row.counts),
        mapping_sha256=row.mapping_sha256,
        on_conflict=_choice(row.counts),
    )


def _choice(text: str) -> str | None:
    found = json.loads(text or "{}").get(ON_CONFLICT)
    return found if isinstance(found, str) else None


#: The source and container a recording is written under in the import history
#: (retour.service.records writes them).
RECORDING: Final = ("retour", "recording")


def list_imports(context: Retour, *, limit: int | None = None) -> list[ImportEntry]:
    """The imports of files, newest first (the last `limit` when given). A recording is
    written like an import of one row, but it is no import: :func:`recordings_since`
    counts them, `retour history ID` lists a row's."""
    found = history.history(context.database(), limit=limit, without=RECORDING)
    return [_entry(r) for r in found]


@dataclass(frozen=True, slots=True)
class Recordings:
    """The recordings made in retour after the newest import of a file."""

    count: int
    last_at: dt.datetime | None


def recordings_since(context: Retour, newest: ImportEntry | None) -> Recordings:
    """The recordings after the import ``newest`` (None: all of them)."""
    after = 0 if newest is None else newest.id
    n, last = history.count_since(context.database(), RECORDING, after=after)
    return Recordings(n, last)


def show_import(context: Retour, import_id: int) -> tuple[ImportEntry, str | None]:
    """An import and the text of the mapping it was read through (None: the exchange
    format itself); NotFoundError when there is no such import."""
    found = history.one(context.database(), import_id)
    if found is None:
        raise NotFoundError(
            N_("There is no import {value}."),
            cli_hint=N_("`retour imports` lists the imports."),
            value=import_id,
        )
    row, text = found
    return _entry(row), text

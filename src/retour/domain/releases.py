"""A release of the register (docs/releases.md): what went out, by whom, under which rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    """One registered release, without its bytes and cells."""

    id: int
    made_at: dt.datetime
    audit_id: int
    actor: str
    role: str | None
    via: str
    what: str
    params: str
    profile: str
    rules: str
    fingerprint: str | None
    extracted_on: dt.date | None
    format: str
    sha256: str


class Cause(StrEnum):
    """Why a cell differs between two releases (as far as the register can tell)."""

    PROFILE = "profile"
    CONFIDENTIAL = "confidential"
    RULES = "rules"
    NEW_REQUESTS = "new_requests"
    ANSWERS = "answers_recorded"
    CORRECTED = "rows_corrected"
    SUPPRESSION = "suppression"
    DATA = "data"
    NEW_CELL = "new_cell"
    GONE_CELL = "gone_cell"
    SAME = "same"


@dataclass(frozen=True, slots=True)
class Change:
    part: str
    dims: str
    before: str | None
    after: str | None
    cause: Cause


@dataclass(frozen=True, slots=True)
class ReleaseDiff:
    """Two releases compared: the cells that differ, and what happened between them."""

    before: ReleaseRow
    after: ReleaseRow
    changes: list[Change]
    same: int
    imports: list[dict[str, object]]  # the imports in between: when, extraction date, counts


@dataclass(frozen=True, slots=True)
class SinceRelease:
    """A new answer set beside an earlier release: every cell of either, each with the
    earlier figure, the new one and the cause of a difference (``same`` where none)."""

    earlier: ReleaseRow
    cells: list[Change]

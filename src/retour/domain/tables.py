"""The tables of the exchange format (CONTRACT.md, version 1) as data.

Readers, validation, the store schema, the writer and the simulator are all driven by
these specifications, so a column is named and typed in exactly one place.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from enum import Enum, StrEnum

from retour.domain import codes
from retour.domain.codes import Table


class ColumnType(StrEnum):
    TEXT = "text"
    DATE = "date"
    INT = "int"
    COUNTRY = "country"
    CODE = "code"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    code: builtins.type[StrEnum] | None = None
    minimum: int | None = None
    maximum: int | None = None  # None with birth_year: the current year

    @property
    def values(self) -> tuple[str, ...]:
        """The allowed codes of a CODE column, in declaration order."""
        return tuple(m.value for m in self.code) if self.code else ()


@dataclass(frozen=True, slots=True)
class TableSpec:
    table: Table
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    #: columns that refer to cases.case_id
    case_ref: bool = True
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.table.value

    @property
    def file_name(self) -> str:
        return f"{self.table.value}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def id_column(self) -> str | None:
        """The single id column, where the table has one (all but conditions and assessments)."""
        return self.key[0] if len(self.key) == 1 else None


def _code(name: str, enum: type[Enum], required: bool = False) -> Column:
    assert issubclass(enum, StrEnum)
    return Column(name, ColumnType.CODE, required=required, code=enum)


T, D, N, C = ColumnType.TEXT, ColumnType.DATE, ColumnType.INT, ColumnType.COUNTRY

CASES = TableSpec(
    Table.CASES,
    (
        Column("case_id", T, required=True),
        Column("nationality", C, required=True),
        Column("opened_on", D, required=True),
        _code("sex", codes.Sex),
        Column("birth_year", N, minimum=1900, maximum=None),
        Column("closed_on", D),
        _code("close_reason", codes.CloseReason),
    ),
    key=("case_id",),
    case_ref=False,
)

REQUESTS = TableSpec(
    Table.REQUESTS,
    (
        Column("request_id", T, required=True),
        Column("case_id", T, required=True),
        _code("kind", codes.RequestKind, required=True),
        Column("country", C, required=True),
        Column("submitted_on", D, required=True),
        _code("id_evidence", codes.IdEvidence, required=True),
        _code("alien_cooperates", codes.Cooperates, required=True),
        _code("outcome", codes.Outcome, required=True),
        Column("outcome_on", D),
        _code("reason", codes.RequestReason),
        Column("document_on", D),
    ),
    key=("request_id",),
)

DETENTIONS = TableSpec(
    Table.DETENTIONS,
    (
        Column("detention_id", T, required=True),
        Column("case_id", T, required=True),
        Column("started_on", D, required=True),
        Column("ended_on", D),
        _code("end_reason", codes.DetentionEndReason),
    ),
    key=("detention_id",),
)

DEPARTURES = TableSpec(
    Table.DEPARTURES,
    (
        Column("departure_id", T, required=True),
        Column("case_id", T, required=True),
        Column("departed_on", D, required=True),
        _code("type", codes.DepartureType, required=True),
        Column("destination", C),
        _code("assisted", codes.YesNo),
    ),
    key=("departure_id",),
)

CONDITIONS = TableSpec(
    Table.CONDITIONS,
    (
        Column("case_id", T, required=True),
        Column("observed_on", D, required=True),
        _code("condition", codes.Condition, required=True),
        _code("state", codes.ConditionState, required=True),
    ),
    # One observation of a condition per case and day: the state on a date is the
    # latest observation on or before it, which two observations on one day make ambiguous.
    key=("case_id", "condition", "observed_on"),
)

INSTRUMENTS = TableSpec(
    Table.INSTRUMENTS,
    (
        Column("instrument_id", T, required=True),
        Column("country", C, required=True),
        _code("kind", codes.InstrumentKind, required=True),
        _code("level", codes.InstrumentLevel, required=True),
        _code("status", codes.InstrumentStatus, required=True),
        Column("start_on", D, required=True),
        Column("end_on", D),
        Column("title", T, required=True),
        Column("source", T),
    ),
    key=("instrument_id",),
    case_ref=False,
)

ASSESSMENTS = TableSpec(
    Table.ASSESSMENTS,
    (
        Column("country", C, required=True),
        Column("assessed_on", D, required=True),
        Column("level", N, required=True, minimum=1, maximum=5),
        Column("note", T),
    ),
    # One judgement of a country per day.
    key=("country", "assessed_on"),
    case_ref=False,
)

# --- retour/2 ----------------------------------------------------------------------------

TERMS = TableSpec(
    Table.TERMS,
    (
        Column("term_id", T, required=True),
        Column("instrument_id", T, required=True),
        _code("request_kind", codes.RequestKind, required=True),
        Column("reply_days", N, required=True, minimum=1, maximum=365),
        _code("day_count", codes.DayCount, required=True),
        _code("deemed_accepted", codes.YesNo, required=True),
        Column("document_days", N, minimum=1, maximum=365),
    ),
    key=("term_id",),
    case_ref=False,
)

COUNTRY_STATUS = TableSpec(
    Table.COUNTRY_STATUS,
    (
        Column("country", C, required=True),
        _code("status", codes.CountryStatusKind, required=True),
        _code("request_kind", codes.RequestKind),
        Column("start_on", D, required=True),
        Column("end_on", D),
        Column("source", T),
    ),
    # One row per country, status and start: a status that holds for both kinds is one row
    # with an empty request_kind, not two.
    key=("country", "status", "start_on"),
    case_ref=False,
)

SPECS: dict[Table, TableSpec] = {
    s.table: s
    for s in (
        CASES,
        REQUESTS,
        DETENTIONS,
        DEPARTURES,
        CONDITIONS,
        INSTRUMENTS,
        ASSESSMENTS,
        TERMS,
        COUNTRY_STATUS,
    )
}

#: The column a source with only alien numbers writes instead of case_id.
V_NUMBER = "v_number"
#: Prefix of columns that carry source-specific extras and are ignored.
EXTRA_PREFIX = "x_"

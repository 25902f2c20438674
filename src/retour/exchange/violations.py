"""Violations of the exchange format, collected in one pass and reported together.

Each violation carries a machine-readable reason code and is printed as
`FILE:LINE: COLUMN: message (value)`; the header is line 1, a workbook gives `sheet:row`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from retour.domain.errors import InputError


class Reason(StrEnum):
    # the container and its files
    MISSING_TABLE = "missing_table"
    NOT_UTF8 = "not_utf8"
    BAD_CSV = "bad_csv"
    FIELD_COUNT = "field_count"
    EMPTY_FILE = "empty_file"
    BAD_METADATA = "bad_metadata"
    BAD_MAPPING = "bad_mapping"  # the mapping file itself, or a name in it the source lacks
    BAD_ENCODING = "bad_encoding"  # a mapped source that its mapping's encoding cannot decode
    # the header
    UNKNOWN_COLUMN = "unknown_column"
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    ID_COLUMNS = "id_columns"
    # cells
    REQUIRED = "required"
    NOT_A_DATE = "not_a_date"
    NOT_AN_INTEGER = "not_an_integer"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_CODE = "unknown_code"
    UNKNOWN_COUNTRY = "unknown_country"
    FUTURE_DATE = "future_date"
    # rows and tables
    DUPLICATE_KEY = "duplicate_key"
    UNKNOWN_CASE = "unknown_case"
    UNKNOWN_INSTRUMENT = "unknown_instrument"  # retour/2: a term's instrument_id
    DATE_ORDER = "date_order"
    INCONSISTENT = "inconsistent"
    OVERLAP = "overlap"
    DISAGREES = "disagrees"  # a flat register's rows of one case that differ in a case column


#: The columns of a violations frame, as produced by every rule.
VIOLATION_SCHEMA = pl.Schema(
    {
        "file": pl.String(),
        "line": pl.Int64(),
        "column": pl.String(),
        "reason": pl.String(),
        "message": pl.String(),
        "value": pl.String(),
    }
)

#: Longest value shown in a message; longer ones are cut with an ellipsis.
MAX_VALUE_CHARS = 60


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    file: str
    line: int | None
    column: str | None
    reason: Reason
    message: str
    value: str | None = None

    def format(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        column = self.column if self.column is not None else "-"
        text = f"{where}: {column}: {self.message}"
        if self.value is not None:
            value = self.value
            if len(value) > MAX_VALUE_CHARS:
                value = value[: MAX_VALUE_CHARS - 1] + "…"
            text += f" ({value!r})" if value.strip() != value or not value else f" ({value})"
        return text


def violations_from_frame(frame: pl.DataFrame) -> list[Violation]:
    """Turn a violations frame (VIOLATION_SCHEMA) into Violation objects."""
    return [
        Violation(
            file=row["file"],
            line=row["line"],
            column=row["column"],
            reason=Reason(row["reason"]),
            message=row["message"],
            value=row["value"],
        )
        for row in frame.iter_rows(named=True)
    ]


class InvalidDatasetError(InputError):
    """The dataset breaks the exchange format; nothing was written."""

    exit_code = 2

    def __init__(self, violations: Sequence[Violation], *, order: Sequence[str] = ()) -> None:
        rank = {name: i for i, name in enumerate(order)}
        self.violations = sorted(
            violations,
            key=lambda v: (rank.get(v.file, len(rank)), v.file, v.line or 0, v.column or ""),
        )
        n = len(self.violations)
        super().__init__(
            f"The dataset has {n} violation{'s' if n != 1 else ''} of the exchange format; "
            "nothing was written.",
            hint="Correct the lines listed and import again.",
        )

    def lines(self, limit: int = 200) -> Iterable[str]:
        for v in self.violations[:limit]:
            yield v.format()
        if len(self.violations) > limit:
            yield f"... and {len(self.violations) - limit} more violations."

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
    BAD_ARCHIVE = "bad_archive"  # a .zip or workbook that is broken, truncated or encrypted
    DUPLICATE_MEMBER = "duplicate_member"  # a name twice in one archive
    TOO_LARGE = "too_large"  # a limit of the settings: bytes, compression ratio, sheet size
    BAD_XML = "bad_xml"  # a workbook part that is not well-formed XML
    DTD = "dtd"  # a workbook part with a DTD (entities): refused outright
    LINE_ENDINGS = "line_endings"  # lines that end in CR only
    MERGED_CELLS = "merged_cells"
    FORMULA = "formula"  # a formula cell without a stored value
    ERROR_VALUE = "error_value"  # a cell holding a spreadsheet error (#DIV/0!, #N/A)
    TOO_LONG = "too_long"  # a field or text longer than its limit
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

    def __init__(
        self,
        violations: Sequence[Violation],
        *,
        order: Sequence[str] = (),
        keep: int | None = None,
        total: int | None = None,
    ) -> None:
        """``keep``: how many are kept (the first in file and line order, all when None);
        ``total``: how many there were, when ``violations`` were cut before (from_frame)."""
        rank = {name: i for i, name in enumerate(order)}
        ordered = sorted(
            violations,
            key=lambda v: (rank.get(v.file, len(rank)), v.file, v.line or 0, v.column or ""),
        )
        self.violations = ordered if keep is None else ordered[:keep]
        self._total = max(total or 0, len(ordered))
        n = self._total
        super().__init__(
            f"The dataset has {n:,} violation{'s' if n != 1 else ''} of the exchange format; "
            "nothing was written.",
            hint="Correct the lines listed and import again.",
        )

    #: How many violations there were (None: as many as are kept).
    _total: int | None = None

    @property
    def total(self) -> int:
        """How many violations the dataset has; ``violations`` holds the first of them."""
        return len(self.violations) if self._total is None else self._total

    @classmethod
    def from_frame(
        cls, frame: pl.DataFrame, *, order: Sequence[str] = (), keep: int | None = None
    ) -> InvalidDatasetError:
        """From a violations frame (VIOLATION_SCHEMA), keeping the first ``keep`` in file and
        line order: millions of violations are counted, not held as objects."""
        if keep is not None and frame.height > keep:
            rank = {name: i for i, name in enumerate(order)}
            ranked = pl.col("file").replace_strict(rank, default=len(rank), return_dtype=pl.Int64)
            frame = frame.sort(
                ranked, "file", pl.col("line").fill_null(0), pl.col("column").fill_null("")
            )
            return cls(violations_from_frame(frame.head(keep)), order=order, total=frame.height)
        return cls(violations_from_frame(frame), order=order, keep=keep)

    def lines(self, limit: int = 200) -> Iterable[str]:
        for v in self.violations[:limit]:
            yield v.format()
        kept = len(self.violations)
        if self.total > min(limit, kept):
            more = f"... and {self.total - min(limit, kept):,} more violations"
            if kept < self.total:
                more += f" (the first {kept:,} are kept: setting import_max_violations)"
            yield more + "."

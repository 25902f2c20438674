"""Sniffing how a source is written: its encoding, its separator and its date format.

Each answer is certain or it is not given: a file that is valid UTF-8 is UTF-8, one that is
not is read as Windows-1252 (what Dutch Excel writes); the separator is the candidate that
splits every sampled line into the same number of fields; a date format is one that reads
every sampled value, and where two do (01-02-2024: day first or month first?) the answer
says so, so the draft can mark it and the import can refuse to guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

BOM = b"\xef\xbb\xbf"
UTF8, CP1252 = "utf-8", "cp1252"
SEPARATORS = (";", ",", "\t", "|")
#: Date formats a source may use, most likely first (Dutch day-first before US month-first).
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%y",
    "%d/%m/%y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%m/%d/%Y",
    "%d %b %Y",
)
_DIRECTIVES = {
    "%d": r"\d{1,2}",
    "%m": r"\d{1,2}",
    "%Y": r"\d{4}",
    "%y": r"\d{2}",
    "%b": r"[A-Za-z]{3}",
    "%B": r"[A-Za-z]+",
    "%H": r"\d{1,2}",
    "%M": r"\d{2}",
    "%S": r"\d{2}",
    "%%": "%",
}


def format_pattern(date_format: str) -> str:
    """A regular expression a value must match to be read with `date_format`.

    Polars reads '01-02-24' with %Y as the year 24; the pattern insists on four digits.
    """
    out: list[str] = []
    i = 0
    while i < len(date_format):
        two = date_format[i : i + 2]
        if two in _DIRECTIVES:
            out.append(_DIRECTIVES[two])
            i += 2
        else:
            out.append(re.escape(date_format[i]))
            i += 1
    return "^" + "".join(out) + "$"


def human_format(date_format: str) -> str:
    """%d-%m-%Y as a user writes it: DD-MM-YYYY."""
    for directive, shown in (
        ("%d", "DD"),
        ("%m", "MM"),
        ("%Y", "YYYY"),
        ("%y", "YY"),
        ("%b", "Mon"),
        ("%B", "Month"),
    ):
        date_format = date_format.replace(directive, shown)
    return date_format


def decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """The text and the encoding it was read with (sniffed when `encoding` is None).

    Raises UnicodeDecodeError when a given encoding cannot read the bytes.
    """
    if encoding is None:
        try:
            return data.decode("utf-8-sig"), UTF8
        except UnicodeDecodeError:
            return data.decode(CP1252, errors="replace"), CP1252
    if encoding in {"utf-8", "utf_8"}:
        return data.decode("utf-8-sig"), UTF8
    return data.removeprefix(BOM).decode(encoding), encoding


def _outside_quotes(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def separator(text: str, sample_lines: int = 50) -> str:
    """The separator that gives every sampled line the same number of fields (',' if none)."""
    lines = [_outside_quotes(line) for line in text.splitlines()[:sample_lines] if line.strip()]
    if not lines:
        return ","
    best, best_count = ",", 0
    for candidate in SEPARATORS:
        counts = {line.count(candidate) for line in lines}
        count = lines[0].count(candidate)
        if count > best_count and (len(counts) == 1 or len(lines) == 1):
            best, best_count = candidate, count
    if best_count == 0:  # no consistent candidate: the one most used in the header
        used = {c: lines[0].count(c) for c in SEPARATORS}
        best = max(used, key=lambda c: used[c]) if max(used.values()) else ","
    return best


@dataclass(frozen=True, slots=True)
class DateGuess:
    """The formats that read every sampled value; `certain` when exactly one does."""

    formats: tuple[str, ...]

    @property
    def certain(self) -> bool:
        return len(self.formats) == 1

    @property
    def best(self) -> str | None:
        return self.formats[0] if self.formats else None


def reads_all(values: pl.Series, date_format: str) -> bool:
    """Every non-empty value is a date written in `date_format`."""
    text = values.drop_nulls().str.strip_chars()
    text = text.filter(text != "")
    if text.is_empty():
        return False
    shaped = text.str.contains(format_pattern(date_format))
    parsed = text.str.to_date(date_format, strict=False).is_not_null()
    return bool((shaped & parsed).all())


def date_formats(columns: Sequence[pl.Series]) -> DateGuess:
    """The candidate formats that read every value of every column given."""
    filled = [c for c in columns if c.drop_nulls().len()]
    if not filled:
        return DateGuess(())
    return DateGuess(tuple(f for f in DATE_FORMATS if all(reads_all(c, f) for c in filled)))


def looks_like_dates(values: pl.Series) -> bool:
    return bool(date_formats([values]).formats)

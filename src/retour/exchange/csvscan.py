"""A vectorised structural scan of CSV bytes (RFC 4180), before any parsing.

Polars pads short records silently and reports malformed quoting without a line number, so
retour first finds, with numpy over the whole file at once, where each record starts, how
many fields it has, and where the quoting is broken. Inside a well-formed file the parity
of the number of quote characters before a position tells whether it lies inside a quoted
field (an escaped quote `""` counts twice), which makes every check a vector operation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

QUOTE, COMMA, LF, CR = ord('"'), ord(","), ord("\n"), ord("\r")

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class QuoteProblem:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Scan:
    """Records of the file: the header is record 0. Lines are 1-based physical lines."""

    lines: IntArray  # the line each record starts on
    fields: IntArray  # number of fields in each record
    blank: BoolArray  # records that are empty lines
    problems: tuple[QuoteProblem, ...]
    #: Fields longer than the ``max_field`` asked for: (line, field index, bytes), the first 200.
    long_fields: tuple[tuple[int, int, int], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def _line_of(newlines: IntArray, positions: IntArray) -> IntArray:
    """1-based line number of each byte position."""
    lines: IntArray = np.searchsorted(newlines, positions, side="left").astype(np.int64)
    return lines + 1


MALFORMED = (
    "malformed quoting: a '\"' inside a field that is not quoted, or text after a closing "
    '\'"\' (write "" for a quote inside a quoted field)'
)
RAN_ON = (
    "a quoted field opened here runs on over the next lines and ends badly; "
    "is its closing '\"' missing?"
)
UNCLOSED = "a quoted field is never closed (unbalanced '\"')"


def _quote_problems(
    buf: npt.NDArray[np.uint8], quotes: IntArray, newlines: IntArray, sep: int = COMMA
) -> list[QuoteProblem]:
    problems: list[QuoteProblem] = []
    if quotes.size == 0:
        return problems
    size = buf.size
    opening = quotes[0::2]
    closing = quotes[1::2]
    # An opening quote stands at the start of a field, or right after a closing quote
    # (the pair "" inside a quoted field).
    before = np.where(opening > 0, buf[np.maximum(opening - 1, 0)], sep)
    after_close = np.isin(opening - 1, closing)
    bad_open = ~(np.isin(before, (sep, LF)) | after_close)
    if quotes.size % 2 and not bad_open[-1]:
        line = int(_line_of(newlines, opening[-1:])[0])
        problems.append(QuoteProblem(line, UNCLOSED))
    # A closing quote is followed by a separator, the end of the line or file, or another quote.
    nxt = np.where(closing + 1 < size, buf[np.minimum(closing + 1, size - 1)], LF)
    bad_close = ~np.isin(nxt, (sep, LF, CR, QUOTE))
    # A bad closing quote on another line than its opening one: the field ran on, most
    # likely because the opening quote was never closed; point at where it opened.
    opener_of_bad = opening[: closing.size][bad_close]
    ran_on = _line_of(newlines, opener_of_bad) != _line_of(newlines, closing[bad_close])
    bad = np.sort(np.concatenate([opening[bad_open], closing[bad_close][~ran_on]]).astype(np.int64))
    for line in np.unique(_line_of(newlines, opener_of_bad[ran_on]))[:200]:
        problems.append(QuoteProblem(int(line), RAN_ON))
    for line in np.unique(_line_of(newlines, bad))[:200]:
        problems.append(QuoteProblem(int(line), MALFORMED))
    # Past the first broken quote the parity of quotes means nothing: report that one only.
    return sorted(problems, key=lambda p: p.line)[:1]


def lone_carriage_returns(data: bytes) -> int:
    """How many line ends are a CR alone (old Mac files) rather than CR LF or LF."""
    return data.count(b"\r") - data.count(b"\r\n")


def _long_fields(
    seps: IntArray, ends: IntArray, starts: IntArray, lines: IntArray, limit: int
) -> tuple[tuple[int, int, int], ...]:
    """Fields of more than `limit` bytes (quotes included), from where separators and line
    ends stand: each field runs from the previous one of them to its own."""
    stops = np.sort(np.concatenate([seps, ends]), kind="stable")  # two sorted runs: a merge
    lengths = stops - np.concatenate([[-1], stops[:-1]]) - 1
    over = np.flatnonzero(lengths > limit)[:200]
    if over.size == 0:
        return ()
    record = np.searchsorted(ends, stops[over], side="left")
    index = np.searchsorted(seps, stops[over], side="left") - np.searchsorted(
        seps, starts[record], side="left"
    )
    return tuple(
        (int(line), int(i), int(n))
        for line, i, n in zip(lines[record], index, lengths[over], strict=True)
    )


def _outside(quotes: IntArray, positions: IntArray) -> IntArray:
    """The positions outside quoted fields: those after an even number of quotes."""
    inside = np.searchsorted(quotes, positions, side="left") % 2 == 1
    kept: IntArray = positions[~inside]
    return kept


def scan(data: bytes, separator: str = ",", max_field: int | None = None) -> Scan:
    """Scan UTF-8 CSV bytes (BOM already removed). `data` must end with a line feed.

    `separator` is one ASCII character (a mapped source may use ';' or a tab); fields longer
    than `max_field` bytes are listed in `long_fields`.
    """
    sep = ord(separator)
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == LF).astype(np.int64)
    commas = np.flatnonzero(buf == sep).astype(np.int64)
    problems: list[QuoteProblem] = []
    if QUOTE in data:  # a C search; most exports quote nothing, and skip all of this
        quotes = np.flatnonzero(buf == QUOTE).astype(np.int64)
        problems = _quote_problems(buf, quotes, newlines, sep)
        ends, seps = _outside(quotes, newlines), _outside(quotes, commas)
    else:
        ends, seps = newlines, commas
    n = ends.size
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    # separators before each record's end, less those before the previous record's end
    fields = np.diff(np.searchsorted(seps, ends, side="left"), prepend=0) + 1
    length = ends - starts
    has_cr = (length > 0) & (buf[np.maximum(ends - 1, 0)] == CR)
    blank = (length == 0) | ((length == 1) & has_cr)
    lines = _line_of(newlines, starts) if ends is not newlines else np.arange(1, n + 1)
    long_fields: tuple[tuple[int, int, int], ...] = ()
    # no field is longer than its record: most files have no record that long, and skip this
    if max_field is not None and bool((length > max_field).any()):
        long_fields = _long_fields(seps, ends, starts, lines, max_field)
    return Scan(
        lines=lines,
        fields=fields.astype(np.int64),
        blank=blank,
        problems=tuple(problems),
        long_fields=long_fields,
    )

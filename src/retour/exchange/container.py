"""Open a dataset container — a folder, a .zip or an .xlsx — into raw string tables.

Raw tables keep every cell as text (empty = null) with the line (CSV) or row (workbook)
it came from, so validation can point at it. Problems of a file's shape are collected as
violations; only a container that cannot be opened at all raises an InputError.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from retour.domain.codes import Table
from retour.domain.errors import InputError
from retour.domain.limits import DEFAULT_LIMITS, ImportLimits
from retour.domain.tables import SPECS, ColumnType
from retour.exchange.archive import (
    Budget,
    RefusedFileError,
    check_archive,
    open_archive,
    read_file,
    read_member,
    size_text,
)
from retour.exchange.csvscan import lone_carriage_returns, scan
from retour.exchange.violations import InvalidDatasetError, Reason, Violation
from retour.exchange.workbook import (
    SheetReader,
    cell_text,
    merge_problems,
    open_workbook,
    row_texts,
)

#: The column that carries each row's line (CSV) or row number (workbook).
LINE = "__line__"
DATASET_JSON = "dataset.json"
DATASET_SHEET = "dataset"
SILENTLY_SKIPPED = frozenset({"truth.json"})
_BY_FILE = {spec.file_name: table for table, spec in SPECS.items()}
_BY_SHEET = {spec.name: table for table, spec in SPECS.items()}
#: dataset.json describes a dataset in a few fields: larger or deeper is not one.
MAX_META_BYTES = 1 << 20
__all__ = ["LINE", "Container", "RawTable", "SourceLabels", "cell_text", "open_container"]


@dataclass(slots=True)
class RawTable:
    table: Table
    name: str  # the file (requests.csv) or sheet (requests) violations name
    header: list[str]
    frame: pl.DataFrame  # one String column per header name, plus LINE
    #: A table read through a mapping: how its columns and values are named in the source.
    source: SourceLabels | None = None


@dataclass(frozen=True, slots=True)
class SourceLabels:
    """A mapped table's names in its source, so violations speak the source's language."""

    columns: dict[str, str]  # exchange-format column -> source column header
    known: dict[str, tuple[str, ...]]  # column -> the source values its value map knows
    dates: str = "YYYY-MM-DD"  # the date format(s) the mapping reads, as a user writes them
    countries_by_name: bool = False  # [read] countries = "names"


@dataclass(slots=True)
class Container:
    path: Path
    kind: str  # "folder", "zip" or "workbook"
    tables: dict[Table, RawTable] = field(default_factory=dict)
    meta_text: str | None = None  # dataset.json as text
    meta_fields: dict[str, str] | None = None  # a workbook's dataset sheet
    notices: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    #: A mapped source's file and sheet names, in the order its violations are reported.
    source_order: list[str] | None = None
    #: The text of the mapping a source was read through (None: the exchange format).
    mapping_text: str | None = None
    #: The limits it was read with; validation keeps as many violations as they say.
    limits: ImportLimits = DEFAULT_LIMITS

    @property
    def fingerprint(self) -> str:
        """SHA-256 over the names and bytes of every file read (a workbook: its bytes)."""
        return self.digest.hexdigest()

    @property
    def order(self) -> list[str]:
        """File names in the order violations are reported."""
        if self.source_order is not None:
            return self.source_order
        suffix = "" if self.kind == "workbook" else ".csv"
        return [DATASET_JSON] + [f"{t.value}{suffix}" for t in Table]


def open_container(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> Container:
    """Read a dataset container within `limits`. Raises InvalidDatasetError when it is
    broken or hostile (a bad zip, a DTD, a zip bomb), InputError when it is not there."""
    if not path.exists():
        raise InputError(
            f"{path}: no such file or folder.",
            hint="Give a folder, a .zip or an .xlsx in the exchange format.",
        )
    budget = Budget(limits)
    try:
        return _open(path, budget)
    except RefusedFileError as exc:
        raise InvalidDatasetError(exc.violations) from None


def _open(path: Path, budget: Budget) -> Container:
    if path.is_dir():
        return _from_files(path, "folder", _folder_files(path, budget), budget.limits)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _from_files(path, "zip", _zip_files(path, budget), budget.limits)
    if suffix in {".xlsx", ".xlsm"}:
        return _from_workbook(path, budget)
    raise InputError(
        f"{path}: not a dataset container ({path.suffix or 'no extension'}).",
        hint="Give the folder that holds the CSV files, a .zip of them, or an .xlsx workbook.",
    )


# --- folders and zips --------------------------------------------------------------------


def _unreadable(path: Path, exc: OSError) -> InputError:
    return InputError(
        f"{path}: cannot be read ({exc.strerror or exc}).", hint="Check its permissions."
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _wanted(name: str) -> bool:
    return name in _BY_FILE or name == DATASET_JSON


def _folder_files(folder: Path, budget: Budget) -> Iterator[tuple[str, bytes | None]]:
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError(f"{folder}: cannot be listed ({exc.strerror or exc}).") from None
    for entry in entries:
        wanted = entry.is_file() and _wanted(entry.name)
        try:
            data = read_file(entry, budget) if wanted else None
        except OSError as exc:
            raise _unreadable(entry, exc) from None
        yield entry.name + ("/" if entry.is_dir() else ""), data


def _zip_files(path: Path, budget: Budget) -> Iterator[tuple[str, bytes | None]]:
    try:
        archive = open_archive(path, path.name, ".zip archive")
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with archive:
        problems = check_archive(archive, path.name, budget, _wanted)
        if problems:
            raise RefusedFileError(problems)
        infos = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
        names = [i.filename for i in infos]
        top = [n for n in names if "/" not in n]
        if not any(n in _BY_FILE for n in top) and any(n.endswith("/cases.csv") for n in names):
            raise InputError(
                f"{path}: the CSV files are inside a folder of the archive.",
                hint="Zip the files themselves, so that cases.csv is at the top level.",
            )
        for info in infos:
            wanted = _wanted(info.filename)
            yield info.filename, read_member(archive, info, path.name, budget) if wanted else None


def _from_files(
    path: Path, kind: str, files: Iterator[tuple[str, bytes | None]], limits: ImportLimits
) -> Container:
    container = Container(path=path, kind=kind, limits=limits)
    for name, data in files:
        if data is None:
            if name not in SILENTLY_SKIPPED and not name.startswith("__MACOSX/"):
                container.notices.append(name)
            continue
        container.digest.update(name.encode("utf-8") + b"\0")
        container.digest.update(data)
        if name == DATASET_JSON:
            _read_meta(container, data)
        else:
            table = _BY_FILE[name]
            raw = read_csv_table(table, name, data, container.violations, limits)
            if raw is not None:
                container.tables[table] = raw
    _require_cases(container, "cases.csv")
    return container


def _meta_violation(
    message: str, line: int | None = None, reason: Reason = Reason.BAD_METADATA
) -> Violation:
    return Violation(DATASET_JSON, line, None, reason, message)


def _read_meta(container: Container, data: bytes) -> None:
    if len(data) > MAX_META_BYTES:
        container.violations.append(
            _meta_violation(
                f"{size_text(len(data))}; dataset.json describes the dataset in a few fields "
                f"(format, source, extracted_on) and may hold at most {size_text(MAX_META_BYTES)}",
                reason=Reason.TOO_LARGE,
            )
        )
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        container.violations.append(
            Violation(DATASET_JSON, None, None, Reason.NOT_UTF8, "not UTF-8; save it as UTF-8")
        )
        return
    problem = _json_problem(data, text)
    if problem is not None:
        container.violations.append(problem)
        return
    container.meta_text = text


def _json_problem(data: bytes, text: str) -> Violation | None:
    """What Python's JSON parser cannot take without a traceback: nesting deeper than its
    recursion limit, integers of more than 4,300 digits. Syntax errors are left to
    validation, which names their line."""
    try:
        json.loads(text)
    except RecursionError:
        depth = np.cumsum(_brackets(data))
        deepest = int(np.argmax(depth)) if depth.size else 0
        line = data.count(b"\n", 0, deepest) + 1
        return _meta_violation(
            f"nested {int(depth.max()):,} levels deep; dataset.json is one flat object "
            '({"format": ..., "source": ..., "extracted_on": "YYYY-MM-DD"})',
            line,
        )
    except json.JSONDecodeError:
        return None
    except ValueError:
        digits = max(re.finditer(rb"\d+", data), key=lambda m: m.end() - m.start())
        line = data.count(b"\n", 0, digits.start()) + 1
        return _meta_violation(
            f"a number of {digits.end() - digits.start():,} digits; write dates as text, "
            '"YYYY-MM-DD"',
            line,
        )
    return None


def _brackets(data: bytes) -> Any:
    """+1 for each opening bracket, -1 for each closing one (strings not told apart: only
    used to point at the line where a too deep nesting is deepest)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    opening = (buf == ord("[")) | (buf == ord("{"))
    closing = (buf == ord("]")) | (buf == ord("}"))
    return opening.astype(np.int64) - closing.astype(np.int64)


def _require_cases(container: Container, name: str) -> None:
    present = Table.CASES in container.tables or any(v.file == name for v in container.violations)
    if not present:
        what = "sheet" if container.kind == "workbook" else "file"
        container.violations.append(
            Violation(
                name,
                None,
                None,
                Reason.MISSING_TABLE,
                f"missing: every dataset needs the {what} {name!r} (the other tables are optional)",
            )
        )


# --- CSV ---------------------------------------------------------------------------------

BOM = b"\xef\xbb\xbf"


def _utf8_problem(name: str, data: bytes) -> Violation | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        return Violation(
            name,
            line,
            None,
            Reason.NOT_UTF8,
            f"not UTF-8 (byte 0x{byte} cannot be decoded); save the file as UTF-8 "
            "(in Excel: 'CSV UTF-8')",
        )
    return None


def line_endings_problem(name: str, data: bytes) -> Violation | None:
    """Lines that end in a CR alone (as old Mac programs write them) are one line to a CSV
    reader: one violation that says so, not one for every record."""
    lone = lone_carriage_returns(data)
    if lone == 0 or lone < data.count(b"\n"):
        return None  # CRs inside quoted fields, in a file of LF or CR LF lines
    return Violation(
        name, 1, None, Reason.LINE_ENDINGS,
        f"the lines end in a carriage return only (CR, {lone:,} times), as old Mac programs "
        "write them; save the file with Windows (CR LF) or Unix (LF) line endings, e.g. as "
        "'CSV UTF-8' from Excel",
    )  # fmt: skip


def long_field_problems(
    name: str, found: tuple[tuple[int, int, int], ...], header: list[str], limit: int
) -> list[Violation]:
    """Fields over the field limit (``Scan.long_fields``) as violations; no value shown."""
    return [
        Violation(
            name, line, header[index] if index < len(header) else None, Reason.TOO_LONG,
            f"a field of {size:,} bytes; at most {limit:,} (setting import_max_field_bytes)",
        )
        for line, index, size in found
    ]  # fmt: skip


def read_csv_table(
    table: Table,
    name: str,
    data: bytes,
    violations: list[Violation],
    limits: ImportLimits = DEFAULT_LIMITS,
) -> RawTable | None:
    """Parse one CSV file into a RawTable, or add its violations and return None."""
    prepared = _prepared(name, data, violations)
    if prepared is None:
        return None
    data = prepared
    shape = scan(data, max_field=limits.field_bytes)
    if not shape.ok:
        violations.extend(
            Violation(name, p.line, None, Reason.BAD_CSV, p.message) for p in shape.problems
        )
        return None
    header_end = data.index(b"\n") if shape.lines.size < 2 else _header_end(data, shape.lines[1])
    if shape.long_fields:
        header = [] if shape.long_fields[0][0] == 1 else _parse_header(data[: header_end + 1])
        violations.extend(long_field_problems(name, shape.long_fields, header, limits.field_bytes))
        return None
    header = _parse_header(data[: header_end + 1])
    ragged = (shape.fields != len(header)) & ~shape.blank
    ragged[0] = False
    for line, count in zip(shape.lines[ragged][:200], shape.fields[ragged][:200], strict=True):
        violations.append(
            Violation(
                name,
                int(line),
                None,
                Reason.FIELD_COUNT,
                f"{count} fields where the header has {len(header)}",
            )
        )
    if ragged.any() or _header_problems(name, header, violations):
        return None
    try:
        frame = pl.read_csv(data, infer_schema=False, has_header=True, quote_char='"')
    except pl.exceptions.PolarsError as exc:
        violations.append(Violation(name, None, None, Reason.BAD_CSV, f"cannot be parsed: {exc}"))
        return None
    if frame.height != shape.lines.size - 1:
        violations.append(
            Violation(name, None, None, Reason.BAD_CSV, "records could not be matched to lines")
        )
        return None
    frame = frame.with_columns(pl.Series(LINE, shape.lines[1:], dtype=pl.Int64))
    frame = frame.filter(~pl.Series(shape.blank[1:]))
    return RawTable(table=table, name=name, header=header, frame=frame)


def _prepared(name: str, data: bytes, violations: list[Violation]) -> bytes | None:
    """The bytes without a BOM, ending in one line feed; None after adding why they are no
    CSV file to read (not UTF-8, CR-only lines, empty)."""
    data = data.removeprefix(BOM)
    problem = _utf8_problem(name, data)
    if problem is not None:
        violations.append(problem)
        return None
    return text_lines(name, data, violations)


def text_lines(name: str, data: bytes, violations: list[Violation]) -> bytes | None:
    """UTF-8 ``data`` ending in one line feed; None after adding why they hold no lines to
    read (CR-only line endings, empty). For the exchange's files and a source's alike."""
    problem = line_endings_problem(name, data)
    if problem is not None:
        violations.append(problem)
        return None
    data = data.rstrip(b"\r\n")
    if not data.strip():
        violations.append(
            Violation(
                name, None, None, Reason.EMPTY_FILE, "the file is empty; it needs a header row"
            )
        )
        return None
    return data + b"\n"


def _parse_header(line: bytes) -> list[str]:
    """The header's names as written (Polars would rename duplicates)."""
    row = pl.read_csv(line, has_header=False, infer_schema=False, quote_char='"')
    return ["" if v is None else str(v) for v in row.row(0)]


def _header_end(data: bytes, second_record_line: int) -> int:
    """Byte offset of the line feed that ends the header (which may span lines)."""
    pos = -1
    for _ in range(int(second_record_line) - 1):
        pos = data.index(b"\n", pos + 1)
    return pos


def _header_problems(name: str, header: list[str], violations: list[Violation]) -> bool:
    seen: set[str] = set()
    found = False
    for column in header:
        if column in seen:
            violations.append(
                Violation(name, 1, column, Reason.DUPLICATE_COLUMN, "column appears twice")
            )
            found = True
        seen.add(column)
    return found


# --- workbooks ---------------------------------------------------------------------------


def _from_workbook(path: Path, budget: Budget) -> Container:
    container = Container(path=path, kind="workbook", limits=budget.limits)
    container.digest.update(_read_bytes(path))
    book = open_workbook(path, path.name, budget)
    try:
        for sheet in book.worksheets:
            reader = SheetReader(book, sheet, budget.limits, container.violations)
            title = reader.name
            if title == DATASET_SHEET:
                container.meta_fields = _meta_sheet(reader)
            elif title in _BY_SHEET:
                raw = _sheet_table(_BY_SHEET[title], reader)
                if raw is not None:
                    container.tables[_BY_SHEET[title]] = raw
            else:
                container.notices.append(f"sheet {title!r}")
    finally:
        book.close()
    _require_cases(container, "cases")
    return container


def _meta_sheet(reader: SheetReader) -> dict[str, str]:
    fields: dict[str, str] = {}
    for number, row in reader.rows():
        key, value = row_texts(
            reader.name, number, [*row, None, None][:2], None, reader.limits, reader.problems
        )
        if key is not None and value is not None and key != "key":
            fields[key] = value
    return fields


def _sheet_table(table: Table, reader: SheetReader) -> RawTable | None:
    name, violations = reader.name, reader.problems
    header: list[str] | None = None
    header_row: int | None = None
    columns: list[list[str | None]] = []
    lines: list[int] = []
    for number, row in reader.rows():
        cells = row_texts(name, number, row, header, reader.limits, violations)
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            continue
        if header is None:
            header = [c or "" for c in cells]
            header_row = number
            columns = [[] for _ in header]
            continue
        if len(cells) > len(header):
            violations.append(
                Violation(
                    name,
                    number,
                    None,
                    Reason.FIELD_COUNT,
                    f"values beyond the last header column ({len(header)})",
                )
            )
            continue
        cells += [None] * (len(header) - len(cells))
        for column, cell in zip(columns, cells, strict=True):
            column.append(cell)
        lines.append(number)
    violations.extend(merge_problems(name, reader.merges, header_row))
    if header is None:
        if not any(v.file == name for v in violations):
            violations.append(
                Violation(
                    name, None, None, Reason.EMPTY_FILE, "the sheet is empty; it needs a header row"
                )
            )
        return None
    if _header_problems(name, header, violations) or any(v.file == name for v in violations):
        return None
    data: dict[str, pl.Series] = {
        h: pl.Series(h, c, dtype=pl.String) for h, c in zip(header, columns, strict=True)
    }
    data[LINE] = pl.Series(LINE, lines, dtype=pl.Int64)
    return RawTable(table=table, name=name, header=header, frame=pl.DataFrame(data))


# --- free text ---------------------------------------------------------------------------

#: Violations of one column's text limit that are listed; the rest are counted.
_TEXT_LISTED = 1_000


def long_texts(container: Container) -> list[Violation]:
    """Values of the exchange format's text columns (titles, sources, notes, ids) longer than
    ``limits.text_chars``: a 50 MB title would make a brief of hundreds of MB."""
    limit = container.limits.text_chars
    found: list[Violation] = []
    for table, raw in container.tables.items():
        texts = [c.name for c in SPECS[table].columns if c.type is ColumnType.TEXT]
        present = [c for c in texts if c in raw.frame.columns]
        if raw.frame.is_empty() or not present:
            continue
        longest = raw.frame.select(pl.col(present).str.len_chars().max()).row(0)
        for column, most in zip(present, longest, strict=True):
            if most is None or most <= limit:
                continue
            length = pl.col(column).str.len_chars()
            over = raw.frame.filter(length > limit).select(LINE, length.alias("n"))
            found += [
                Violation(
                    raw.name, line, column, Reason.TOO_LONG,
                    f"{n:,} characters; at most {limit:,} (setting import_max_text_chars)",
                )
                for line, n in over.head(_TEXT_LISTED).iter_rows()
            ]  # fmt: skip
    return found

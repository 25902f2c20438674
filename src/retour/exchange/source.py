"""A source system's own files, read as text tables with their line numbers.

A source is a folder or .zip of CSV files, one CSV file, or a workbook; each file (by its
name without extension) or sheet is a table. Every cell stays text (a workbook's date cell
becomes YYYY-MM-DD, a whole number loses its '.0') with the line or row it came from, so a
violation can name the source's own file:line. Only the columns asked for are kept.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from retour.domain.errors import InputError
from retour.domain.limits import DEFAULT_LIMITS, ImportLimits
from retour.exchange import sniff
from retour.exchange.archive import (
    Budget,
    RefusedFileError,
    check_archive,
    open_archive,
    read_file,
    read_member,
)
from retour.exchange.container import (
    LINE,
    long_field_problems,
    text_lines,
)
from retour.exchange.csvscan import Scan, scan
from retour.exchange.violations import InvalidDatasetError, Reason, Violation
from retour.exchange.workbook import (
    Merge,
    SheetReader,
    merge_problems,
    open_workbook,
    row_texts,
)

TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
SKIPPED = frozenset({"truth.json", "dataset.json"})


@dataclass(slots=True)
class SourceTable:
    name: str  # what `from` names: the file without extension, or the sheet
    label: str  # what violations name: Verzoeken.csv, or the sheet Verzoeken
    header: list[str]
    frame: pl.DataFrame  # String columns named as in `header` (those read), plus LINE
    workbook: bool
    encoding: str | None = None  # CSV: as read (sniffed or given)
    delimiter: str | None = None


@dataclass(slots=True)
class Source:
    path: Path
    kind: str  # folder, zip, file or workbook
    loaders: dict[str, Callable[[], bytes]] = field(default_factory=dict)  # CSV name -> bytes
    labels: dict[str, str] = field(default_factory=dict)  # name -> file name
    #: A workbook's sheets: (row number, values) of the rows with a value, when read.
    sheets: dict[str, list[tuple[int, list[object]]]] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)  # files that are no table
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    budget: Budget = field(default_factory=Budget)
    #: The merged cells of each sheet read.
    merges: dict[str, list[Merge]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.loaders) + list(self.sheets)


def _unreadable(path: Path, exc: OSError) -> InputError:
    return InputError(
        f"{path}: cannot be read ({exc.strerror or exc}).", hint="Check its permissions."
    )


def _add_file(source: Source, file_name: str, loader: Callable[[], bytes]) -> None:
    stem, _, suffix = file_name.rpartition(".")
    if stem and f".{suffix.lower()}" in TEXT_SUFFIXES:
        if stem in source.loaders:  # two members of one name in different folders
            raise RefusedFileError(
                [
                    Violation(
                        source.path.name, None, None, Reason.DUPLICATE_MEMBER,
                        f"the archive holds two tables named {stem!r} ({source.labels[stem]} and "
                        f"{file_name}); keep one (which one to read cannot be told)",
                    )
                ]
            )  # fmt: skip
        source.loaders[stem] = loader
        source.labels[stem] = file_name
    elif file_name not in SKIPPED and not file_name.startswith("__MACOSX/"):
        source.others.append(file_name)


def _folder(path: Path, budget: Budget) -> Source:
    source = Source(path, "folder", budget=budget)
    try:
        entries = sorted(p for p in path.iterdir() if p.is_file())
    except OSError as exc:
        raise _unreadable(path, exc) from None
    for entry in entries:
        _add_file(source, entry.name, _file_reader(entry, budget))
    return source


def _file_reader(path: Path, budget: Budget) -> Callable[[], bytes]:
    return lambda: read_file(path, budget)


def _zip(path: Path, budget: Budget) -> Source:
    source = Source(path, "zip", budget=budget)
    try:
        archive = open_archive(path, path.name, ".zip archive")
    except OSError as exc:
        raise _unreadable(path, exc) from None
    infos = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
    wanted = {i.filename for i in infos if _is_text(i.filename)}
    problems = check_archive(archive, path.name, budget, wanted.__contains__)
    if problems:
        raise RefusedFileError(problems)
    for info in infos:
        _add_file(source, info.filename.rsplit("/", 1)[-1], _member_reader(archive, info, budget))
    return source


def _is_text(name: str) -> bool:
    return f".{name.rpartition('.')[2].lower()}" in TEXT_SUFFIXES


def _member_reader(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget
) -> Callable[[], bytes]:
    return lambda: read_member(archive, info, info.filename, budget)


def _workbook(path: Path, wanted: set[str] | None, budget: Budget) -> Source:
    source = Source(path, "workbook", budget=budget)
    try:
        source.digest.update(path.read_bytes())
    except OSError as exc:
        raise _unreadable(path, exc) from None
    book = open_workbook(path, path.name, budget)
    try:
        folded = None if wanted is None else {w.casefold() for w in wanted}
        for sheet in book.worksheets:
            reader = SheetReader(book, sheet, budget.limits, [])
            title = reader.name
            read = folded is None or title.casefold() in folded
            source.sheets[title] = list(reader.rows()) if read else []
            if reader.problems:  # over a limit, or broken: the sheet cannot be mapped
                raise RefusedFileError(reader.problems)
            header_row = source.sheets[title][0][0] if source.sheets[title] else None
            merged = merge_problems(title, reader.merges, header_row)
            if header_row is not None and any(v.line == header_row for v in merged):
                # a merged header leaves columns without names: the mapping cannot be checked
                raise RefusedFileError([v for v in merged if v.line == header_row])
            source.merges[title] = reader.merges
    finally:
        book.close()
    return source


def open_source(
    path: Path, wanted: set[str] | None = None, limits: ImportLimits = DEFAULT_LIMITS
) -> Source:
    """List a source's tables; a workbook's sheets in `wanted` (all when None) are read.

    InvalidDatasetError when the source is broken or hostile (a bad zip, a DTD, a zip bomb,
    two tables of one name); the faults of a table are violations when it is read."""
    if not path.exists():
        raise InputError(
            f"{path}: no such file or folder.",
            hint="Give the folder, .zip, CSV file or workbook the source system wrote.",
        )
    try:
        return _open(path, wanted, Budget(limits))
    except RefusedFileError as exc:
        raise InvalidDatasetError(exc.violations) from None


def _open(path: Path, wanted: set[str] | None, budget: Budget) -> Source:
    if path.is_dir():
        return _folder(path, budget)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _zip(path, budget)
    if suffix in WORKBOOK_SUFFIXES:
        return _workbook(path, wanted, budget)
    if suffix in TEXT_SUFFIXES:
        source = Source(path, "file", budget=budget)
        _add_file(source, path.name, _file_reader(path, budget))
        return source
    raise InputError(
        f"{path}: not a source retour can read ({path.suffix or 'no extension'}).",
        hint="Give a folder or .zip of CSV files, one CSV file, or an .xlsx workbook.",
    )


# --- reading one table -------------------------------------------------------------------


def _unique(header: list[str]) -> list[str]:
    """Polars needs distinct names; a repeated header gets an invisible suffix."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(name if n == 0 else f"{name}\x00{n}")
    return out


def read_table(
    source: Source,
    name: str,
    violations: list[Violation],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    columns: set[str] | None = None,
) -> SourceTable | None:
    """One table of the source, or None after adding why it cannot be read to `violations`."""
    if name in source.sheets:
        return _sheet(source, name, columns, violations)
    label = source.labels[name]
    try:
        data = source.loaders[name]()
    except OSError as exc:
        raise _unreadable(source.path / label, exc) from None
    except RefusedFileError as exc:
        violations.extend(exc.violations)
        return None
    source.digest.update(label.encode("utf-8") + b"\0" + data)
    limit = source.budget.limits.field_bytes
    return _csv(name, label, data, violations, encoding, delimiter, columns, limit)


def _decoded(
    label: str, data: bytes, encoding: str | None, violations: list[Violation]
) -> tuple[bytes, str] | None:
    try:
        text, used = sniff.decode(data, encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        violations.append(
            Violation(
                label,
                line,
                None,
                Reason.BAD_ENCODING,
                f"cannot be read as {encoding} (byte 0x{byte}); set [read] "
                "encoding in the mapping to the file's encoding",
            )
        )
        return None
    return text.encode("utf-8"), used


def _csv(
    name: str,
    label: str,
    data: bytes,
    violations: list[Violation],
    encoding: str | None,
    delimiter: str | None,
    columns: set[str] | None,
    max_field: int = DEFAULT_LIMITS.field_bytes,
) -> SourceTable | None:
    decoded = _decoded(label, data, encoding, violations)
    if decoded is None:
        return None
    lines = text_lines(label, decoded[0], violations)
    if lines is None:
        return None
    data, used = lines, decoded[1]
    sep = delimiter or sniff.separator(data[:65536].decode("utf-8", errors="replace"))
    shape = _shape(label, data, sep, max_field, violations)
    if shape is None:
        return None
    try:
        header = _header(data, sep)
        ragged = _ragged(label, shape, len(header), violations)
        frame = None if ragged else _records(data, sep, header, columns)
    except pl.exceptions.PolarsError as exc:
        violations.append(Violation(label, None, None, Reason.BAD_CSV, f"cannot be parsed: {exc}"))
        return None
    if frame is None:
        return None
    if frame.height != shape.lines.size - 1:
        violations.append(
            Violation(label, None, None, Reason.BAD_CSV, "records could not be matched to lines")
        )
        return None
    frame = frame.with_columns(pl.Series(LINE, shape.lines[1:], dtype=pl.Int64))
    frame = frame.filter(~pl.Series(shape.blank[1:]))
    return SourceTable(name, label, header, frame, workbook=False, encoding=used, delimiter=sep)


def _shape(
    label: str, data: bytes, sep: str, max_field: int, violations: list[Violation]
) -> Scan | None:
    """The file's records, or None after adding why they cannot be read: broken quoting,
    fields over the limit, an empty first line."""
    shape = scan(data, sep, max_field=max_field)
    if not shape.ok:
        violations.extend(
            Violation(label, p.line, None, Reason.BAD_CSV, p.message) for p in shape.problems
        )
        return None
    if shape.long_fields:
        header = [] if shape.long_fields[0][0] == 1 else _header(data, sep)
        violations.extend(long_field_problems(label, shape.long_fields, header, max_field))
        return None
    if shape.blank[0]:
        violations.append(
            Violation(
                label, 1, None, Reason.BAD_CSV,
                "the first line is empty; the header must be on line 1",
            )
        )  # fmt: skip
        return None
    return shape


def _header(data: bytes, sep: str) -> list[str]:
    first = pl.read_csv(
        data, has_header=False, infer_schema=False, separator=sep, n_rows=1, quote_char='"'
    )
    return ["" if v is None else str(v).strip() for v in first.row(0)]


def _ragged(label: str, shape: Scan, fields: int, violations: list[Violation]) -> bool:
    """Records with more or fewer fields than the header, as violations."""
    ragged = (shape.fields != fields) & ~shape.blank
    ragged[0] = False
    for line, count in zip(shape.lines[ragged][:200], shape.fields[ragged][:200], strict=True):
        message = f"{count} fields where the header has {fields}"
        violations.append(Violation(label, int(line), None, Reason.FIELD_COUNT, message))
    return bool(ragged.any())


def _records(data: bytes, sep: str, header: list[str], columns: set[str] | None) -> pl.DataFrame:
    """The records, String columns named by the header, only those in `columns` (all: None)."""
    keep = [i for i, h in enumerate(header) if columns is None or h in columns]
    frame = pl.read_csv(
        data,
        has_header=True,
        infer_schema=False,
        separator=sep,
        quote_char='"',
        new_columns=_unique(header),
        columns=keep or [0],
    )
    return frame if keep else frame.select(pl.lit(None, pl.String).alias("\x00none"))


def _rows(
    source: Source, name: str, problems: list[Violation]
) -> Iterator[tuple[int, list[str | None]]]:
    header: list[str] | None = None
    for number, row in source.sheets[name]:
        cells = row_texts(name, number, row, header, source.budget.limits, problems)
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            if header is None:
                header = [c or "" for c in cells]
            yield number, cells


def _sheet(
    source: Source, name: str, columns: set[str] | None, violations: list[Violation]
) -> SourceTable:
    problems: list[Violation] = []
    found = _rows(source, name, problems)
    first = next(found, None)
    header = [] if first is None else [(c or "").strip() for c in first[1]]
    keep = [i for i, h in enumerate(header) if columns is None or h in columns]
    names = _unique(header)
    lines: list[int] = []
    cells: list[list[str | None]] = [[] for _ in keep]
    for number, row in found:
        lines.append(number)
        for column, index in zip(cells, keep, strict=True):
            column.append(row[index] if index < len(row) else None)
    header_row = None if first is None else first[0]
    violations.extend(problems + merge_problems(name, source.merges.get(name, []), header_row))
    data = {
        names[i]: pl.Series(names[i], c, dtype=pl.String) for i, c in zip(keep, cells, strict=True)
    }
    data[LINE] = pl.Series(LINE, lines, dtype=pl.Int64)
    return SourceTable(name, name, header, pl.DataFrame(data), workbook=True)

"""Open a dataset container — a folder, a .zip or an .xlsx — into raw string tables.

Raw tables keep every cell as text (empty = null) with the line (CSV) or row (workbook)
it came from, so validation can point at it. Problems of a file's shape are collected as
violations; only a container that cannot be opened at all raises an InputError.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from retour.domain.codes import Table
from retour.domain.errors import InputError
from retour.domain.tables import SPECS
from retour.exchange.csvscan import scan
from retour.exchange.violations import Reason, Violation

#: The column that carries each row's line (CSV) or row number (workbook).
LINE = "__line__"
DATASET_JSON = "dataset.json"
DATASET_SHEET = "dataset"
SILENTLY_SKIPPED = frozenset({"truth.json"})
_BY_FILE = {spec.file_name: table for table, spec in SPECS.items()}
_BY_SHEET = {spec.name: table for table, spec in SPECS.items()}


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


def open_container(path: Path) -> Container:
    """Read a dataset container. Raises InputError when it cannot be opened at all."""
    if not path.exists():
        raise InputError(
            f"{path}: no such file or folder.",
            hint="Give a folder, a .zip or an .xlsx in the exchange format.",
        )
    if path.is_dir():
        return _from_files(path, "folder", _folder_files(path))
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _from_files(path, "zip", _zip_files(path))
    if suffix in {".xlsx", ".xlsm"}:
        return _from_workbook(path)
    raise InputError(
        f"{path}: not a dataset container ({path.suffix or 'no extension'}).",
        hint="Give the folder that holds the CSV files, a .zip of them, or an .xlsx workbook.",
    )


# --- folders and zips --------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read ({exc.strerror or exc}).", hint="Check its permissions."
        ) from None


def _folder_files(folder: Path) -> Iterator[tuple[str, bytes | None]]:
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError(f"{folder}: cannot be listed ({exc.strerror or exc}).") from None
    for entry in entries:
        wanted = entry.is_file() and (entry.name in _BY_FILE or entry.name == DATASET_JSON)
        yield entry.name + ("/" if entry.is_dir() else ""), _read_bytes(entry) if wanted else None


def _zip_files(path: Path) -> Iterator[tuple[str, bytes | None]]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(i.filename for i in archive.infolist() if not i.is_dir())
            top = [n for n in names if "/" not in n]
            if not any(n in _BY_FILE for n in top) and any(n.endswith("/cases.csv") for n in names):
                raise InputError(
                    f"{path}: the CSV files are inside a folder of the archive.",
                    hint="Zip the files themselves, so that cases.csv is at the top level.",
                )
            for name in names:
                wanted = name in _BY_FILE or name == DATASET_JSON
                yield name, archive.read(name) if wanted else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise InputError(f"{path}: not a readable .zip archive ({exc}).") from None
    except RuntimeError as exc:  # encrypted members
        raise InputError(
            f"{path}: cannot be read ({exc}).", hint="Use an unencrypted zip."
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from None


def _from_files(path: Path, kind: str, files: Iterator[tuple[str, bytes | None]]) -> Container:
    container = Container(path=path, kind=kind)
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
            raw = read_csv_table(table, name, data, container.violations)
            if raw is not None:
                container.tables[table] = raw
    _require_cases(container, "cases.csv")
    return container


def _read_meta(container: Container, data: bytes) -> None:
    try:
        container.meta_text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        container.violations.append(
            Violation(DATASET_JSON, None, None, Reason.NOT_UTF8, "not UTF-8; save it as UTF-8")
        )


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


def read_csv_table(
    table: Table, name: str, data: bytes, violations: list[Violation]
) -> RawTable | None:
    """Parse one CSV file into a RawTable, or add its violations and return None."""
    data = data.removeprefix(BOM)
    problem = _utf8_problem(name, data)
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
    data += b"\n"
    shape = scan(data)
    if not shape.ok:
        violations.extend(
            Violation(name, p.line, None, Reason.BAD_CSV, p.message) for p in shape.problems
        )
        return None
    header_end = data.index(b"\n") if shape.lines.size < 2 else _header_end(data, shape.lines[1])
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


def cell_text(value: object) -> str | None:
    """A workbook cell as the text a CSV would hold: dates as YYYY-MM-DD, whole numbers
    without '.0'."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text != "" else None


def _from_workbook(path: Path) -> Container:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    container = Container(path=path, kind="workbook")
    container.digest.update(_read_bytes(path))
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            f"{path}: not a readable .xlsx workbook ({exc}).",
            hint="Save it from the spreadsheet program as an Excel workbook (.xlsx).",
        ) from None
    try:
        for sheet in book.worksheets:
            title = sheet.title
            rows = sheet.iter_rows(values_only=True)
            if title == DATASET_SHEET:
                container.meta_fields = _meta_sheet(rows)
            elif title in _BY_SHEET:
                raw = _sheet_table(_BY_SHEET[title], title, rows, container.violations)
                if raw is not None:
                    container.tables[_BY_SHEET[title]] = raw
            else:
                container.notices.append(f"sheet {title!r}")
    finally:
        book.close()
    _require_cases(container, "cases")
    return container


def _meta_sheet(rows: Iterator[tuple[object, ...]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for row in rows:
        key, value = [*row, None, None][:2]
        if key is not None and value is not None and str(key) != "key":
            fields[str(key)] = cell_text(value) or ""
    return fields


def _sheet_table(
    table: Table, name: str, rows: Iterator[tuple[object, ...]], violations: list[Violation]
) -> RawTable | None:
    header: list[str] | None = None
    columns: list[list[str | None]] = []
    lines: list[int] = []
    for number, row in enumerate(rows, start=1):
        cells = [cell_text(v) for v in row]
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
    if header is None:
        violations.append(
            Violation(
                name, None, None, Reason.EMPTY_FILE, "the sheet is empty; it needs a header row"
            )
        )
        return None
    del header_row
    if _header_problems(name, header, violations) or any(v.file == name for v in violations):
        return None
    data: dict[str, pl.Series] = {
        h: pl.Series(h, c, dtype=pl.String) for h, c in zip(header, columns, strict=True)
    }
    data[LINE] = pl.Series(LINE, lines, dtype=pl.Int64)
    return RawTable(table=table, name=name, header=header, frame=pl.DataFrame(data))

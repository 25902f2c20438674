"""Read a workbook's sheets without trusting the workbook.

openpyxl reads the cells, but on its own it expands a sheet to the size the sheet *declares*
(a 6 KB file declaring 1,048,576 x 16,384 cells runs for twenty minutes), reads a formula
as its cached value or, when there is none, as an empty cell, drops merged cells silently
and lets an XML parser meet a DTD. So before openpyxl sees a workbook, its archive is held
to the import's limits (``archive``) and the prolog of every XML part is parsed by
defusedxml with DTDs forbidden: a DTD, and with it every entity (billion laughs, external
files), is refused outright. A sheet is then read with openpyxl's own sheet parser
(``WorkSheetParser``, pinned with openpyxl) row by row, as the XML holds them, never padded:

- its declared dimension and the rows and columns it uses are held to the limits;
- a formula cell gives its cached value, and a formula without one becomes the violation
  "formula without a stored value" -- never an empty cell; an error value (#N/A) is one too;
- a cell longer than the field limit is a violation, not a value;
- merged cells are violations after the rows: a merged header leaves columns without names,
  merged data cells leave every cell but the first empty;
- XML that breaks off (a truncated sheet) is a violation at the row after the last one read.

Since no part with a DTD reaches openpyxl, it need not parse through defusedxml's pure-Python
parser, which reads a sheet about 1.6 times slower than the C one: ``OPENPYXL_DEFUSEDXML``
is set to False (unless set otherwise) before openpyxl is first imported.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from retour.domain.limits import ImportLimits
from retour.exchange.archive import Budget, RefusedFileError, broken, check_archive, open_archive
from retour.exchange.violations import Reason, Violation

os.environ.setdefault("OPENPYXL_DEFUSEDXML", "False")  # see the module's docstring

XML_PARTS = (".xml", ".rels", ".vml")
#: The prolog (before the root element) of an XML part must end within this many bytes.
PROLOG_BYTES = 1 << 20
_CHUNK = 1 << 16
_SAVE_AGAIN = "save the workbook again from Excel or LibreOffice"
FORMULA_WITHOUT_VALUE = (
    "formula without a stored value; save the workbook in Excel or LibreOffice first"
)
#: What openpyxl or its XML parser raise on a broken part (they are not a program error).
_BROKEN = (
    ParseError,
    DefusedXmlException,
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
)


@dataclass(frozen=True, slots=True)
class Uncached:
    """A formula cell that holds no computed value."""

    formula: str


@dataclass(frozen=True, slots=True)
class ErrorValue:
    """A cell that holds a spreadsheet error (#DIV/0!, #N/A, #VALUE!)."""

    code: str


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


# --- the workbook ------------------------------------------------------------------------


class _PrologEndError(Exception):
    pass


class _Prolog:
    """A parser target that stops at the root element: only the prolog is parsed."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _PrologEndError

    def end(self, tag: str) -> None:
        return None

    def data(self, data: str) -> None:
        return None

    def close(self) -> None:
        return None


def _prolog_problem(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> Violation | None:
    parser = DefusedXMLParser(target=_Prolog(), forbid_dtd=True)
    part = info.filename
    try:
        with archive.open(info) as stream:
            for _ in range(PROLOG_BYTES // _CHUNK):
                chunk = stream.read(_CHUNK)
                if not chunk:
                    return None  # a part without a root: openpyxl says so, if it reads it
                parser.feed(chunk)
    except _PrologEndError:
        return None
    except DefusedXmlException:
        return Violation(
            name, None, None, Reason.DTD,
            f"the part {part} declares a DTD (<!DOCTYPE ...>); DTDs and entities are refused "
            f"outright: {_SAVE_AGAIN}",
        )  # fmt: skip
    except ParseError as exc:
        return _bad_xml(name, part, exc)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        return broken(name, ".xlsx workbook", exc)
    return Violation(
        name, None, None, Reason.BAD_XML,
        f"the part {part} has no root element in its first {PROLOG_BYTES >> 20} MB; "
        f"{_SAVE_AGAIN}",
    )  # fmt: skip


def _bad_xml(name: str, part: str, exc: ParseError, line: int | None = None) -> Violation:
    at, column = getattr(exc, "position", (None, None))
    where = f"{part} line {at}, column {column}" if at is not None else part
    return Violation(
        name, line, None, Reason.BAD_XML,
        f"not well-formed XML ({where}: {_parse_reason(exc)}); {_SAVE_AGAIN}",
    )  # fmt: skip


def _parse_reason(exc: ParseError) -> str:
    return str(exc).split(":", 1)[0].strip() or "cannot be parsed"


def _check_parts(path: Path, name: str, budget: Budget) -> None:
    """The archive's sizes and every XML part's prolog; RefusedFileError."""
    archive = open_archive(path, name, ".xlsx workbook")
    with archive:
        problems = check_archive(archive, name, budget, wanted=lambda _: True)
        if problems:
            raise RefusedFileError(problems)
        infos = [i for i in archive.infolist() if i.filename.lower().endswith(XML_PARTS)]
        found = [p for i in infos if (p := _prolog_problem(archive, i, name)) is not None]
        if found:
            raise RefusedFileError(found)
        budget.used += sum(i.file_size for i in archive.infolist())


def open_workbook(path: Path, name: str, budget: Budget) -> Any:
    """The workbook (openpyxl, read-only, cached values), after its parts are checked;
    RefusedFileError with the violations of a workbook that cannot be read at all."""
    import openpyxl

    _check_parts(path, name, budget)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except ParseError as exc:
        raise RefusedFileError([_bad_xml(name, "workbook", exc)]) from None
    except Exception as exc:  # openpyxl raises what its parsers meet in a broken file
        detail = exc.strerror if isinstance(exc, OSError) else type(exc).__name__
        raise RefusedFileError(
            [
                Violation(
                    name, None, None, Reason.BAD_ARCHIVE,
                    f"not a readable .xlsx workbook ({detail}); save it from the spreadsheet "
                    "program as an Excel workbook (.xlsx)",
                )
            ]
        ) from None  # fmt: skip


# --- one sheet ---------------------------------------------------------------------------


def _parser_class() -> Any:
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        """openpyxl's sheet parser, telling a formula without a cached value and an error
        value from an empty cell."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None:
                # <v></v> is a stored empty result (=IF(A1="";"";A1)); no <v> is none at all
                formula = element.find(FORMULA_TAG)
                if formula is not None and element.find(VALUE_TAG) is None:
                    cell["value"] = Uncached("=" + (formula.text or ""))
            elif cell["data_type"] == "e":
                cell["value"] = ErrorValue(str(cell["value"]))
            return cell

    return Parser


@dataclass(slots=True)
class Merge:
    ref: str  # A1:C1
    first_row: int
    last_row: int


@dataclass(slots=True)
class SheetReader:
    """The rows of one sheet as the XML holds them: (row number, values by column)."""

    book: Any
    sheet: Any
    limits: ImportLimits
    problems: list[Violation]
    merges: list[Merge] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.sheet.title)

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        """Rows with a value; problems (limits, broken XML) are added and end the rows."""
        declared = self._declared()
        if declared is not None:
            self.problems.append(declared)
            return
        with self.sheet._get_source() as source:
            parser = _parser_class()(
                source,
                self.sheet._shared_strings,
                data_only=True,
                epoch=self.book.epoch,
                date_formats=self.book._date_formats,
                timedelta_formats=self.book._timedelta_formats,
            )
            yield from self._parsed(parser)
            self.merges = _merges(parser)

    def _parsed(self, parser: Any) -> Iterator[tuple[int, list[object]]]:
        parsed = parser.parse()
        last, used = 0, 0
        while True:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns of dates it cannot read
                try:
                    number, cells = next(parsed)
                except StopIteration:
                    return
                except _BROKEN as exc:
                    self.problems.append(self._broken(exc, last))
                    return
            width = max((c["column"] for c in cells if c["value"] is not None), default=0)
            if not width:
                continue
            used += width
            if number > self.limits.rows or width > self.limits.columns or used > self.limits.cells:
                self.problems.append(self._too_large(number, width, used))
                return
            row: list[object] = [None] * width
            for cell in cells:
                if cell["column"] <= width:
                    row[cell["column"] - 1] = cell["value"]
            last = number
            yield number, row

    def _broken(self, exc: BaseException, last: int) -> Violation:
        part = str(self.sheet._worksheet_path)
        if isinstance(exc, ParseError):
            found = _bad_xml(self.name, part, exc, last + 1)
        else:
            found = Violation(
                self.name, last + 1, None, Reason.BAD_XML,
                f"the sheet cannot be read after row {last} ({type(exc).__name__} in {part}); "
                f"{_SAVE_AGAIN}",
            )  # fmt: skip
        return found

    def _declared(self) -> Violation | None:
        rows, columns = self.sheet.max_row or 0, self.sheet.max_column or 0
        if not _over(self.limits, rows, columns):
            return None
        return Violation(
            self.name, None, None, Reason.TOO_LARGE,
            f"the sheet declares {rows:,} rows x {columns:,} columns; {_allowed(self.limits)} "
            f"({_SAVE_AGAIN}: it then declares the cells it uses)",
        )  # fmt: skip

    def _too_large(self, row: int, width: int, used: int) -> Violation:
        what = (
            f"row {row:,}" if row > self.limits.rows
            else f"{width:,} columns" if width > self.limits.columns
            else f"more than {self.limits.cells:,} cells"
        )  # fmt: skip
        return Violation(
            self.name, row, None, Reason.TOO_LARGE,
            f"the sheet uses {what}; {_allowed(self.limits)}",
        )  # fmt: skip


def _over(limits: ImportLimits, rows: int, columns: int) -> bool:
    return rows > limits.rows or columns > limits.columns or rows * columns > limits.cells


def _allowed(limits: ImportLimits) -> str:
    return (
        f"an import reads at most {limits.rows:,} rows, {limits.columns:,} columns and "
        f"{limits.cells:,} cells of a sheet (settings import_max_rows, import_max_columns, "
        "import_max_cells)"
    )


def _merges(parser: Any) -> list[Merge]:
    from openpyxl.utils import range_boundaries

    found: list[Merge] = []
    merged = getattr(parser, "merged_cells", None)
    for cell in getattr(merged, "mergeCell", None) or []:
        try:
            _, top, _, bottom = range_boundaries(str(cell.ref))
        except (ValueError, TypeError):
            continue
        found.append(Merge(str(cell.ref), int(top or 1), int(bottom or top or 1)))
    return found


def merge_problems(name: str, merges: list[Merge], header_row: int | None) -> list[Violation]:
    """Merged cells as violations: in the header, columns lose their names; below it,
    every cell but the first loses its value."""
    found: list[Violation] = []
    for merge in merges[:200]:
        if header_row is not None and merge.first_row <= header_row <= merge.last_row:
            message = (
                f"merged header cells {merge.ref}; unmerge them so that every column has its "
                "own name"
            )
        else:
            message = (
                f"merged cells {merge.ref}: only the first holds the value; unmerge them and "
                "fill in every cell"
            )
        found.append(Violation(name, merge.first_row, None, Reason.MERGED_CELLS, message))
    return found


def row_texts(
    name: str,
    number: int,
    row: list[object],
    header: list[str] | None,
    limits: ImportLimits,
    problems: list[Violation],
) -> list[str | None]:
    """A row's cells as text; formulas without a value, error values and cells over the
    field limit are added to ``problems`` (and read as empty)."""
    texts: list[str | None] = []
    for index, value in enumerate(row):
        if isinstance(value, Uncached | ErrorValue) or (
            isinstance(value, str) and len(value) > limits.field_bytes
        ):
            problems.append(_cell_problem(name, number, _column(header, index), value, limits))
            texts.append(None)
        else:
            texts.append(cell_text(value))
    return texts


def _column(header: list[str] | None, index: int) -> str:
    from openpyxl.utils import get_column_letter

    if header is not None and index < len(header) and header[index]:
        return header[index]
    return f"column {get_column_letter(index + 1)}"


def _cell_problem(
    name: str, number: int, column: str, value: object, limits: ImportLimits
) -> Violation:
    if isinstance(value, Uncached):
        return Violation(name, number, column, Reason.FORMULA, FORMULA_WITHOUT_VALUE, value.formula)
    if isinstance(value, ErrorValue):
        return Violation(
            name, number, column, Reason.ERROR_VALUE,
            "the cell holds a spreadsheet error; correct it or its formula", value.code,
        )  # fmt: skip
    return Violation(
        name, number, column, Reason.TOO_LONG,
        f"a cell of {len(str(value)):,} characters; at most {limits.field_bytes:,} "
        "(setting import_max_field_bytes)",
    )  # fmt: skip

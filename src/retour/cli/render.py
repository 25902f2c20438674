"""Rendering helpers for the CLI: tables as Rich text, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    import polars as pl

    from retour.disclosure import DisclosureRules, Language
    from retour.domain.provenance import Provenance

console = Console(highlight=False, soft_wrap=True)
#: A cell's padding, left and right.
_PADDING: Final = 2


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


class TextFormat(StrEnum):
    """The formats of an answer that is not one table of rows (a case, the database's
    description): no CSV, so ``--help`` does not offer one."""

    TABLE = "table"
    JSON = "json"


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def print_table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    numeric: Sequence[str] = (),
    header: bool = True,
) -> None:
    """A table of rows (see :func:`print_rows`)."""
    print_rows(title, columns, rows, numeric=numeric, header=header)


def print_lines(lines: Sequence[str], *, stderr: bool = False) -> None:
    """Plain lines, no markup: they may hold values from user files."""
    stream = sys.stderr if stderr else sys.stdout
    for line in lines:
        stream.write(line + "\n")


#: The columns of ``retour import --report violations.csv``, in this order.
VIOLATION_COLUMNS: Final = ("file", "line", "column", "reason", "value", "message")
REPORT_SUFFIXES: Final = (".csv", ".json")


class Violation(Protocol):
    """A violation of the exchange format (``retour.exchange.violations.Violation``)."""

    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def column(self) -> str | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def value(self) -> str | None: ...


@runtime_checkable
class ListsViolations(Protocol):
    """An error that lists violations of the exchange format (the exchange's
    ``InvalidDatasetError``; the command line does not import the exchange)."""

    @property
    def violations(self) -> Sequence[Violation]: ...
    def lines(self, limit: int = 200) -> Iterable[str]: ...


def check_report_path(path: Path) -> None:
    """Refuse a report that could not be written, before anything is imported."""
    from retour.domain.errors import UsageError

    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise UsageError(
            f"--report {path} is neither .csv nor .json.",
            hint="Name a file such as violations.csv or violations.json.",
        )
    if not path.parent.is_dir():
        raise UsageError(
            f"--report {path}: the folder {path.parent} does not exist.",
            hint="Name a file in a folder that exists.",
        )


def violation_rows(violations: Sequence[Violation]) -> list[dict[str, object]]:
    """One row per violation. The value of a v_number column is never written: it is an
    alien number, personal data (the rules already leave it out; this holds it here too)."""
    from retour.domain.tables import V_NUMBER

    return [
        {
            "file": v.file,
            "line": v.line,
            "column": v.column,
            "reason": str(v.reason),
            "value": None if v.column == V_NUMBER else v.value,
            "message": v.message,
        }
        for v in violations
    ]


def write_violations(violations: Sequence[Violation], path: Path) -> int:
    """Every violation into ``path`` (.csv: a header and a row each; .json: a list of
    objects); how many were written."""
    from retour.domain.files import write_file

    rows = violation_rows(violations)
    if path.suffix.lower() == ".json":
        write_file(path, json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return len(rows)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, VIOLATION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    write_file(path, out.getvalue())  # never through a link; a full disk named as such
    return len(rows)


def print_wide(title: str, display: pl.DataFrame, numeric: Sequence[str]) -> None:
    """A frame of display strings as a table (see :func:`print_rows`), then a blank line."""
    print_rows(title, display.columns, display.rows(), numeric=numeric)
    console.print("")


def print_rows(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    numeric: Sequence[str] = (),
    header: bool = True,
) -> None:
    """The one table printer of the command line: figures and names are never cut.

    On a terminal the table takes the terminal's width, wrapping long names and headers
    within their column when it must (between words: no column is narrower than its longest
    word, so no figure is split); when even that does not fit, the table is as narrow as it
    can be without cutting a word. In a pipe or a file it is printed as wide as its
    contents: full-width plain text, one line a row, no ellipsis.
    Cells are plain text (never read as markup: they may hold values from user files).
    """
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    texts = [(name, *(r[i] for r in cells)) for i, name in enumerate(columns)]
    natural = [max(cell_len(t) for t in column) for column in texts]
    widths = natural
    out = Console(highlight=False, width=_table_width(natural))  # a pipe: as wide as it is
    if console.is_terminal:
        words = [
            max((cell_len(w) for t in column for w in t.split()), default=1) for column in texts
        ]
        widths = _fit(natural, words, console.width - _table_width([0] * len(natural)))
        out = Console(highlight=False, width=max(console.width, _table_width(widths)),
                      force_terminal=True)  # fmt: skip
    table = Table(show_edge=False, header_style="bold", show_header=header)
    for name, width in zip(columns, widths, strict=True):
        table.add_column(
            Text(name),
            justify="right" if name in numeric else "left",
            width=width,
            overflow="fold",
        )
    for row in cells:
        table.add_row(*(Text(v) for v in row))
    if title:
        out.print(title, markup=False, soft_wrap=True)
    out.print(table)


def _table_width(widths: Sequence[int]) -> int:
    """The width of a table with these column widths: each padded, one rule between two."""
    return sum(w + _PADDING for w in widths) + max(len(widths) - 1, 0)


def _fit(natural: list[int], words: list[int], available: int) -> list[int]:
    """Column widths within ``available``: the widest columns give way first, none below its
    longest word (so no word, and no figure, is ever split)."""
    widths = list(natural)
    excess = sum(widths) - available
    while excess > 0:
        slack = [(w, i) for i, w in enumerate(widths) if w > words[i]]
        if not slack:
            break
        _, widest = max(slack)
        widths[widest] -= 1
        excess -= 1
    return widths


def print_footer(
    notes: Sequence[str], rules: DisclosureRules, origin: Provenance, lang: Language
) -> None:
    """Under a table of figures: its notes, the profile applied, the extraction date and
    data fingerprint, and the simulated-data label when so."""
    from retour.reports import labels  # not at start-up: it loads the country names
    from retour.reports.messages import _

    for note in notes:
        console.print(note, markup=False)
    console.print(labels.profile_line(rules, lang), markup=False)
    if origin.extracted_on is not None:
        extracted, data = _(labels.EXTRACTED, lang), _(labels.FINGERPRINT, lang)
        console.print(
            f"{extracted}: {origin.extracted_on.isoformat()} · {data}: {origin.fingerprint}",
            markup=False,
        )
    if origin.simulated:
        console.print(labels.SIMULATED, markup=False)

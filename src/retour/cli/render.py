"""Rendering helpers for the CLI: tables as Rich text, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    import polars as pl

    from retour.analysis.figures import Provenance
    from retour.disclosure import DisclosureRules, Language

console = Console(highlight=False, soft_wrap=True)


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
    table = Table(
        title=title, title_justify="left", show_edge=False, header_style="bold", show_header=header
    )
    for name in columns:
        table.add_column(name, justify="right" if name in numeric else "left")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


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
    from retour.domain.errors import InputError

    rows = violation_rows(violations)
    try:
        if path.suffix.lower() == ".json":
            text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
            path.write_text(text, encoding="utf-8")
            return len(rows)
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, VIOLATION_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    except OSError as exc:
        raise InputError(
            f"Cannot write the report {path}: {exc.strerror}.", hint="Choose another file."
        ) from None
    return len(rows)


def print_wide(title: str, display: pl.DataFrame, numeric: Sequence[str]) -> None:
    """A Rich table as wide as its contents need, even when the terminal (or a pipe's
    default of 80 columns) is narrower: figures are never cut off."""
    table = Table(show_edge=False, header_style="bold")
    widths = []
    for name in display.columns:
        table.add_column(name, justify="right" if name in numeric else "left", no_wrap=True)
        cells = [len(name), *(len(v or "") for v in display[name].to_list())]
        widths.append(max(cells) + 3)
    for row in display.rows():
        table.add_row(*("" if v is None else str(v) for v in row))
    wide = Console(highlight=False, width=max(console.width, sum(widths) + 2))
    wide.print(title, markup=False, soft_wrap=True)
    wide.print(table)
    wide.print("")


def print_footer(
    notes: Sequence[str], rules: DisclosureRules, origin: Provenance, lang: Language
) -> None:
    """Under a table of figures: its notes, the profile applied, the extraction date and
    data fingerprint, and the simulated-data label when so."""
    from retour.reports import labels  # not at start-up: it loads the country names

    for note in notes:
        console.print(note, markup=False)
    console.print(labels.profile_line(rules, lang), markup=False)
    if origin.extracted_on is not None:
        console.print(
            f"{labels.text(labels.EXTRACTED, lang)}: {origin.extracted_on.isoformat()} · "
            f"{labels.text(labels.FINGERPRINT, lang)}: {origin.fingerprint}",
            markup=False,
        )
    if origin.simulated:
        console.print(labels.SIMULATED, markup=False)

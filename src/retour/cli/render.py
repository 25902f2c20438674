"""Rendering helpers for the CLI: tables as Rich text, CSV or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

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

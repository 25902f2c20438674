"""Rendering helpers for the CLI: tables as Rich text, CSV or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import StrEnum

from rich.console import Console
from rich.table import Table

console = Console(highlight=False, soft_wrap=True)


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
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

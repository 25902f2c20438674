"""`retour mapping draft`: a first mapping for a source system's own export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from retour.exchange.draft import Draft

mapping_app = typer.Typer(
    help="Mappings from a source system's own files onto the exchange format (docs/mapping.md).",
    no_args_is_help=True,
)


@mapping_app.command("draft")
def draft(
    path: Annotated[
        Path, typer.Argument(help="The source's export: a folder, .zip, CSV file or .xlsx.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the mapping here (default: print it)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out.")] = False,
) -> None:
    """Draft a mapping for a source: check the lines marked CHECK, fill in those marked TODO."""
    from retour.cli.render import ListsViolations, print_lines
    from retour.domain.errors import InputError
    from retour.service import datasets

    try:
        result = datasets.draft_mapping(path, out=out, force=force)
    except InputError as exc:
        if isinstance(exc, ListsViolations):  # a broken or hostile source: say what and where
            print_lines(list(exc.lines()), stderr=True)
        raise
    if out is None:
        Console(highlight=False, soft_wrap=True).print(result.text, markup=False, end="")
    _summary(result, out)


def _summary(result: Draft, out: Path | None) -> None:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    tables = ", ".join(f"{t.value} <- {source}" for t, source in result.feeds.items())
    where = f"Wrote {out}" if out is not None else "Drafted a mapping"
    err.print(f"{where}: {tables or 'no table recognised'}.", markup=False)
    err.print(
        f"{result.matched} columns matched; {result.to_fill} to fill in (TODO), "
        f"{len(result.unsure)} to check (CHECK), {len(result.absent)} optional columns not found.",
        markup=False,
    )
    for item in result.missing:
        err.print(f"TODO: {item}: required, not found in the source", markup=False)
    for item in result.unknown:
        err.print(f"TODO: {item}: a label the draft could not place", markup=False)
    for item in result.unsure:
        err.print(f"CHECK: {item}", markup=False)

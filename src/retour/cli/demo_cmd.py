"""`retour demo`."""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.render import console, print_table
from retour.cli.session import command_app, err_console, stages

if TYPE_CHECKING:
    from retour.service.demo import DemoSummary

#: `retour demo`.
app = command_app()

SIMULATED = "gesimuleerde gegevens / simulated data"

#: What to try next, per command; only the commands this installation has are suggested.
NEXT: dict[str, str] = {
    "info": "info",
    "figures": "figures requests --years 2019-2023 --by year,kind,outcome --profile internal",
    "report": "report press --years 2019-2023 --profile public --lang nl --out press.xlsx",
    "assess": "assess --period 2023 --format table",
    "effects": "effects",
    "context": "context return-rate --citizen MA",
    "case": "case CASE_ID",
    "overdue": "overdue --profile internal",
    "serve": "serve",
    "export": "export demo-export",
}


def _registered() -> set[str]:
    """The commands of the running `retour` (its root group's)."""
    from typer._click.globals import get_current_context

    root = get_current_context().find_root()
    names = getattr(root.command, "list_commands", None)
    return set(names(root)) if names is not None else set()


@app.command("demo")
def demo(
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Replace the demo database even when users, tokens, instruments or audit "
            "entries were added to it (asked on a terminal; refused otherwise).",
        ),
    ] = False,
) -> None:
    """Simulate a national caseload, import it into a separate demo database, summarise it."""
    from retour.config import load_settings
    from retour.service.demo import demo_additions, demo_paths, run_demo

    settings = load_settings()
    if not fresh and sys.stdin.isatty() and err_console.is_terminal:
        added = demo_additions(settings)
        if added:
            question = (
                f"The demo database {demo_paths(settings)[1]} holds {added.describe()} added "
                "since the demo made it. Replace it, and remove them?"
            )
            if not typer.confirm(question, default=False, err=True):
                err_console.print("Kept the demo database as it is.", markup=False)
                raise typer.Exit(1)
            fresh = True
    with stages("demo") as progress:
        summary = run_demo(settings, fresh=fresh, progress=progress)
    _print(summary)


def _print(summary: DemoSummary) -> None:
    sim = summary.simulation
    console.print(f"[bold]retour demo[/] — {SIMULATED}")
    console.print(
        f"Simulated the {sim.scenario} scenario, {sim.years[0]}-{sim.years[1]} (seed {sim.seed}), "
        f"extracted on {sim.extracted_on}, into {sim.path}.",
        markup=False,
    )
    console.print(f"Imported into the demo database {summary.database}.", markup=False)
    console.print(f"Cases: {summary.cases:,}\n")
    requests = summary.requests
    print_table(
        "Requests by outcome",
        requests.columns,
        [tuple(f"{v:,}" if isinstance(v, int) else v for v in row) for row in requests.iter_rows()],
        numeric=("n",),
    )
    console.print()
    departures = summary.departures
    print_table(
        "Departures by type per year",
        departures.columns,
        [tuple(f"{v:,}" if isinstance(v, int) and k else v for k, v in enumerate(row))
         for row in departures.iter_rows()],
        numeric=tuple(departures.columns[1:]),
    )  # fmt: skip
    db = shlex.quote(str(summary.database))
    console.print("\nTry next:")
    example = shlex.quote(summary.example_case or "CASE_ID")
    for name, args in NEXT.items():
        if name in _registered():
            console.print(f"  retour --db {db} {args.replace('CASE_ID', example)}", markup=False)
    _print_source_export(summary)


def _print_source_export(summary: DemoSummary) -> None:
    """Where the source-style export and its mapping are, and how to import them that way."""
    exported = summary.source_export
    folder, mapping = shlex.quote(str(exported.folder)), shlex.quote(str(exported.mapping))
    mapped = shlex.quote(str(summary.database.with_name("mapped.sqlite")))
    encoding = "Windows-1252" if exported.encoding == "cp1252" else "UTF-8"
    lines = [
        "",
        "The same data as a source system exports it (Dutch headers and labels, "
        f"';' as separator, {encoding}, dd-mm-yyyy dates, extra columns), with its mapping:",
        f"  {exported.folder}",
        f"  {exported.mapping}",
        "Import it the way a real export goes in:",
        f"  retour mapping draft {folder}          # a first mapping, to check and fill in",
        f"  retour --db {mapped} import --mapping {mapping} {folder}",
    ]
    for line in lines:
        console.print(line, markup=False)

"""`retour simulate`: write a simulated dataset with known truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from retour.cli.render import console, print_table
from retour.cli.session import command_app, err_console
from retour.domain.codes import Table
from retour.domain.errors import UsageError

ProgressCallback = Callable[[str, float], None]

#: `retour simulate`.
app = command_app()


@contextmanager
def _bar() -> Iterator[ProgressCallback | bool]:
    """A progress bar on a terminal; nothing otherwise."""
    if not err_console.is_terminal:
        yield False
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<34}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("simulating", total=1.0)
        yield lambda stage, done: bar.update(task, description=stage, completed=done)


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--extracted-on {text!r} is not a date.", hint="Write it as YYYY-MM-DD."
        ) from None


@app.command("simulate")
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the dataset into.")],
    scenario: Annotated[str, typer.Option("--scenario", help="nl or eu (about 20 x nl).")] = "nl",
    years: Annotated[str, typer.Option("--years", help="2019-2023, or one year.")] = "2019-2023",
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same files.")] = 1,
    extracted_on: Annotated[
        str | None,
        typer.Option("--extracted-on", help="Extraction date (default: the day after the years)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a dataset already in --out.")
    ] = False,
    scale: Annotated[
        float, typer.Option("--scale", help="Multiply the volumes (0.25: a mid-size run).")
    ] = 1.0,
    confound: Annotated[
        bool,
        typer.Option("--confound", help="Set case mix against cooperation for some countries."),
    ] = False,
    placebos: Annotated[
        int, typer.Option("--placebos", help="Instruments with no effect at all.")
    ] = 3,
    world: Annotated[
        str, typer.Option("--world", help="easy (the default) or hard: what the field is like.")
    ] = "easy",
) -> None:
    """Simulate the return chain: a dataset in the exchange format, and truth.json."""
    from retour.service import simulation  # imported when run: the CLI starts faster

    span = simulation.parse_years(years)
    with _bar() as progress:
        summary = simulation.simulate(
            scenario, span, seed, out, _date(extracted_on), force, progress,
            scale=scale, confound=confound, placebos=placebos, world=world,
        )  # fmt: skip
    rows = [(t.value, summary.counts[t]) for t in Table]
    title = (
        f"Simulated {summary.scenario} {summary.years[0]}-{summary.years[1]}, seed "
        f"{summary.seed}, extracted on {summary.extracted_on.isoformat()}"
    )
    print_table(title, ("table", "rows"), rows, numeric=("rows",))
    console.print(
        f"Wrote {summary.path} (simulated data; the truth is in truth.json).", markup=False
    )

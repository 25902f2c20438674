"""Use case: write a simulated dataset (exchange format) and its truth.json to a folder."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from retour.domain.codes import Table
from retour.domain.errors import N_, Field, InputError, UsageError
from retour.domain.tables import SPECS
from retour.exchange.writer import DATASET_JSON
from retour.simulate.run import TRUTH_JSON, simulate_dataset, write_simulation
from retour.simulate.scenario import build_scenario

ProgressCallback = Callable[[str, float], None]

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
MAX_SPAN = 30
MAX_SEED = 2**63 - 1
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$", re.ASCII)  # not ٢٠٢٣
DATASET_FILES = frozenset({DATASET_JSON, TRUTH_JSON} | {s.file_name for s in SPECS.values()})


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    path: Path
    scenario: str
    years: tuple[int, int]
    seed: int
    extracted_on: dt.date
    counts: dict[Table, int]
    files: tuple[Path, ...]
    calibration: str  # where the calibration figures came from


def parse_years(text: str) -> tuple[int, int]:
    """'2019-2023' or '2023'."""
    match = _YEARS.match(text)
    if match is None:
        raise UsageError(
            N_("{field} {value!r} is not a year range."),
            hint=N_("Write it as 2019-2023, or one year."),
            field=Field.YEARS,
            value=text,
        )
    first = int(match.group(1))
    return first, int(match.group(2) or first)


def check_years(years: tuple[int, int]) -> None:
    first, last = years
    if first > last:
        raise UsageError(
            N_("the year range {first}-{last} runs backwards."),
            hint=N_("Write {last}-{first}."),
            first=first,
            last=last,
        )
    if first < EARLIEST_YEAR or last > LATEST_YEAR:
        raise UsageError(
            N_("the years {first}-{last} lie outside {earliest}-{latest}."),
            hint=N_("Choose years within that span."),
            first=first,
            last=last,
            earliest=EARLIEST_YEAR,
            latest=LATEST_YEAR,
        )
    if last - first + 1 > MAX_SPAN:
        raise UsageError(
            N_("{n} years is too long a range."),
            hint=N_("Simulate at most {most} years at a time."),
            n=last - first + 1,
            most=MAX_SPAN,
        )


def extraction_date(years: tuple[int, int], extracted_on: dt.date | None) -> dt.date:
    """The given extraction date, checked, or the day after the last year."""
    last = years[1]
    if extracted_on is None:
        return dt.date(last + 1, 1, 1)
    if extracted_on <= dt.date(last, 1, 1):
        raise UsageError(
            N_(
                "the extraction date {date} is not within or after {last}, the last simulated year."
            ),
            hint=N_("Give a later {field}, or end {years} earlier."),
            field=Field.EXTRACTED_ON,
            years=Field.YEARS,
            date=extracted_on.isoformat(),
            last=last,
        )
    if extracted_on.year > last + 10:
        raise UsageError(
            N_("the extraction date {date} lies more than ten years after {last}."),
            hint=N_("Give an extraction date closer to the simulated years."),
            field=Field.EXTRACTED_ON,
            date=extracted_on.isoformat(),
            last=last,
        )
    return extracted_on


def prepare_folder(out: Path, *, force: bool) -> None:
    """Refuse a file, a folder holding a dataset (unless force) or one we cannot write."""
    if out.exists() and not out.is_dir():
        raise UsageError(
            N_("{path} is a file."),
            hint=N_("Give a folder for {field}."),
            field=Field.OUT,
            path=out,
        )
    if out.is_dir() and not force:
        held = sorted(p.name for p in out.iterdir() if p.name in DATASET_FILES)
        if held:
            raise UsageError(
                N_("{path} already holds a dataset ({files})."),
                hint=N_("Choose a new or empty folder."),
                cli_hint=N_("Choose a new or empty folder, or add --force to overwrite it."),
                path=out,
                files=", ".join(held),
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            N_("{path}: cannot be created ({reason})."), path=out, reason=exc.strerror or exc
        ) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise InputError(
            N_("{path}: cannot be written (no permission)."),
            hint=N_("Choose another folder."),
            path=out,
        )


def simulate(
    scenario: str,
    years: tuple[int, int],
    seed: int,
    out: Path,
    extracted_on: dt.date | None = None,
    force: bool = False,
    progress: bool | ProgressCallback = False,
    *,
    scale: float = 1.0,
    confound: bool = False,
    placebos: int = 3,
    world: str = "easy",
) -> SimulationSummary:
    """Simulate the return chain and write the dataset and truth.json into `out`.

    `progress`: a callback (stage, fraction done), or True for a Rich progress bar on stderr.
    `scale` multiplies the volumes; `confound` sets case mix against cooperation for the
    countries in retour.simulate.scenario.CONFOUND_PAIRS; `placebos` instruments have no effect;
    `world` ``hard`` adds what the easy world leaves out (retour.simulate.hard).
    """
    check_years(years)
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(
            N_("seed {seed} is out of range."),
            hint=N_("Give a seed from 0 to {most}."),
            field=Field.SEED,
            seed=seed,
            most=MAX_SEED,
        )
    extracted = extraction_date(years, extracted_on)
    spec = build_scenario(scenario, scale=scale, confound=confound, placebos=placebos, world=world)
    prepare_folder(out, force=force)
    with _progress(progress) as report:
        simulation = simulate_dataset(spec, years, seed, extracted, report)
        report("writing", 0.85)
        try:
            files = write_simulation(simulation, out)
        except OSError as exc:
            raise InputError(
                N_("{path}: cannot be written ({reason})."), path=out, reason=exc.strerror or exc
            ) from None
        report("done", 1.0)
    return SimulationSummary(
        path=out,
        scenario=spec.name.value,
        years=years,
        seed=seed,
        extracted_on=extracted,
        counts=simulation.dataset.counts(),
        files=tuple(files),
        calibration=spec.calibration.source,
    )


def _quiet(_stage: str, _done: float) -> None:
    return None


@contextmanager
def _progress(progress: bool | ProgressCallback) -> Iterator[ProgressCallback]:
    if callable(progress):
        yield progress
        return
    if not progress:
        yield _quiet
        return
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("simulating", total=1.0)
        yield lambda stage, done: bar.update(task, description=stage, completed=done)

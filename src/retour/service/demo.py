"""`retour demo`: simulate a national caseload, import it into a demo database, summarise."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from retour.analysis.summary import departures_by_year, requests_by_outcome
from retour.config import Settings
from retour.domain.codes import Table
from retour.service.context import Retour
from retour.service.datasets import ImportReport, Progress, import_dataset, quiet
from retour.service.simulation import SimulationSummary, simulate
from retour.store import read

SCENARIO = "nl"
YEARS = (2019, 2023)
SEED = 20240126  # the day of the letter to Parliament on return cooperation


@dataclass(frozen=True, slots=True)
class DemoSummary:
    database: Path
    simulation: SimulationSummary
    imported: ImportReport
    cases: int
    requests: pl.DataFrame  # kind, outcome, n
    departures: pl.DataFrame  # year, one column per type, total
    example_case: str | None  # an open case with requests, to try `retour case` on


def demo_paths(settings: Settings) -> tuple[Path, Path]:
    """The demo's dataset folder and database: under the data directory, never the user's own."""
    base = settings.data_dir / "demo"
    return base / "dataset", base / "demo.sqlite"


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def run_demo(settings: Settings, *, progress: Progress = quiet) -> DemoSummary:
    """Simulate (fixed seed), import into a fresh demo database, and summarise what it holds."""
    dataset, database = demo_paths(settings)
    progress("simulating the nl scenario")
    simulation = simulate(SCENARIO, YEARS, SEED, dataset, force=True)
    _remove_database(database)
    with Retour(settings=settings, db_override=str(database)) as app:
        imported = import_dataset(app, dataset, progress=progress)
        progress("summarising")
        tables = (Table.CASES, Table.REQUESTS, Table.DEPARTURES)
        snapshot = read.read_dataset(app.database(), tables=tables)
        cases = read.counts(app.database())[Table.CASES]
    return DemoSummary(
        database=database,
        simulation=simulation,
        imported=imported,
        cases=cases,
        requests=requests_by_outcome(snapshot[Table.REQUESTS]),
        departures=departures_by_year(snapshot[Table.DEPARTURES]),
        example_case=_example_case(snapshot[Table.CASES], snapshot[Table.REQUESTS]),
    )


def _example_case(cases: pl.DataFrame, requests: pl.DataFrame) -> str | None:
    """The first (by id) case still open at the extraction date that has had a request."""
    open_ids = cases.filter(pl.col("closed_on").is_null()).select("case_id")
    asked = open_ids.join(requests.select("case_id").unique(), on="case_id")
    return None if asked.is_empty() else str(asked["case_id"].min())

"""One simulation: scenario + years + seed -> a dataset in the exchange format and its truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retour.domain.codes import InstrumentLevel, InstrumentStatus, Table
from retour.domain.dataset import Dataset
from retour.domain.files import write_file
from retour.exchange.writer import write_dataset
from retour.simulate.chain import simulate_chain
from retour.simulate.cooperation import Timeline, build_timeline, with_instruments
from retour.simulate.courses import (
    calibrate_courses,
    draw_nationality,
    targets,
    uniform_days,
)
from retour.simulate.hard import draw_effects, quarter_noise
from retour.simulate.scenario import MAX_PLACEBOS, PLACEBO_KINDS, Course, InstrumentSpec, Scenario
from retour.simulate.staggered import hard_instruments, react_to_requests
from retour.simulate.tables import Frame, assemble
from retour.simulate.terms import terms_truth
from retour.simulate.truth import build_truth, truth_json

TRUTH_JSON = "truth.json"
#: the latent lives run on past the extraction date (then censored); the timeline covers it
TAIL_YEARS = 3
#: one random stream each; "hard" is drawn from only in the hard world, so the easy world's
#: streams (the first six) are what they always were
STREAMS = ("drift", "placebos", "pilot", "intake", "chain", "tables", "hard")

Progress = Callable[[str, float], None]


def no_progress(_stage: str, _done: float) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Simulation:
    dataset: Dataset
    truth: dict[str, Any]


def placebo_instruments(
    scenario: Scenario, years: tuple[int, int], rng: np.random.Generator
) -> tuple[InstrumentSpec, ...]:
    """Instruments with no effect at all, on countries with requests and no other instrument.

    They start within the range (a year in from either end when the range allows), so an
    analysis sees a before and an after.
    """
    busy = {spec.country for spec in scenario.instruments}
    pool = [c for c in scenario.countries
            if c.lp_process and c.forced_return and c.code not in busy]  # fmt: skip
    pool = sorted(pool, key=lambda c: (-c.weight, c.code))[:MAX_PLACEBOS]
    count = min(scenario.placebos, len(pool))
    chosen = rng.choice(len(pool), size=count, replace=False) if count else np.empty(0, int)
    first = dt.date(years[0] + (1 if years[1] - years[0] >= 2 else 0), 1, 1)
    last = dt.date(years[1] - (1 if years[1] - years[0] >= 2 else 0), 12, 31)
    kinds = list(PLACEBO_KINDS)
    out = []
    for pick in chosen:
        kind = kinds[int(rng.integers(len(kinds)))]
        start = first + dt.timedelta(days=int(rng.integers((last - first).days + 1)))
        out.append(
            InstrumentSpec(
                pool[int(pick)].code, kind, InstrumentLevel.BILATERAL, InstrumentStatus.IN_FORCE,
                start, None, PLACEBO_KINDS[kind], None, 0.0, placebo=True,
            )
        )  # fmt: skip
    return tuple(out)


def numbered(instruments: tuple[InstrumentSpec, ...]) -> tuple[tuple[str, InstrumentSpec], ...]:
    """Ids I001... in order of start date and country, placebos among the others."""
    ordered = sorted(instruments, key=lambda s: (s.start_on, s.country, s.kind.value, s.title))
    return tuple((f"I{i:03d}", spec) for i, spec in enumerate(ordered, start=1))


def simulate_dataset(
    scenario: Scenario,
    years: tuple[int, int],
    seed: int,
    extracted_on: dt.date,
    progress: Progress = no_progress,
) -> Simulation:
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    streams = dict(zip(STREAMS, (np.random.default_rng(s) for s in children), strict=True))
    sim_years = range(years[0] - scenario.warmup_years, years[1] + 1)
    origin = dt.date(sim_years[0], 1, 1)
    horizon = dt.date(max(extracted_on.year, years[1]) + TAIL_YEARS, 12, 31)
    instruments = scenario.instruments + placebo_instruments(scenario, years, streams["placebos"])
    progress("country timelines", 0.02)
    tl, instruments = _timeline(scenario, instruments, origin, (horizon - origin).days + 1,
                                years, streams)  # fmt: skip
    progress("calibration pilot", 0.05)
    goal = targets(scenario, sim_years)
    shares = calibrate_courses(scenario, tl, sim_years, goal, streams["pilot"])
    progress("cases", 0.25)
    opened, nat, course = _intake(scenario, tl, sim_years, goal.intake, shares.cumulative(),
                                  streams["intake"])  # fmt: skip
    progress("requests, detentions, departures", 0.3)
    chain = simulate_chain(scenario, tl, opened, nat, course, streams["chain"])
    progress("tables", 0.6)
    frame = Frame(origin, tl.day(dt.date(years[0], 1, 1)), tl.day(extracted_on))
    instruments = react_to_requests(scenario, instruments, chain, origin, years, frame.cut)
    listed = numbered(instruments)
    tables = iter(np.linspace(0.6, 0.75, 8))
    dataset = assemble(
        scenario, chain, tl, frame, listed, extracted_on, streams["tables"],
        lambda table: progress(f"tables: {table}", float(next(tables))),
    )  # fmt: skip
    progress("truth", 0.75)
    truth = build_truth(scenario, tl, listed, years, extracted_on, seed, shares, goal)
    truth["terms"] = terms_truth(
        scenario, tl, dataset[Table.TERMS], dataset[Table.INSTRUMENTS], years
    )
    return Simulation(dataset, truth)


def _timeline(
    scenario: Scenario,
    instruments: tuple[InstrumentSpec, ...],
    origin: dt.date,
    days: int,
    years: tuple[int, int],
    streams: dict[str, np.random.Generator],
) -> tuple[Timeline, tuple[InstrumentSpec, ...]]:
    """The country timelines; in the hard world with its noise, effects and instruments."""
    if not scenario.is_hard:
        return build_timeline(scenario, instruments, origin, days, streams["drift"]), instruments
    rng, count = streams["hard"], len(scenario.countries)
    effects = draw_effects(scenario.hard, count, rng)
    noise = quarter_noise(scenario.hard, origin, count, days, rng)
    tl = build_timeline(scenario, instruments, origin, days, streams["drift"], noise=noise,
                        effects=effects)  # fmt: skip
    busy = {spec.country for spec in instruments}
    extra = hard_instruments(scenario, tl, busy, years, rng)
    return with_instruments(scenario, tl, extra), instruments + extra


def _intake(
    scenario: Scenario,
    tl: Timeline,
    sim_years: range,
    intake: np.ndarray,
    cumulative: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    opened, nat, course = [], [], []
    for i, year in enumerate(sim_years):
        n = round(float(intake[i]))
        opened.append(np.sort(uniform_days(tl.origin, year, n, rng)))
        nat.append(draw_nationality(scenario, n, rng))
        u = rng.random(n)
        course.append(np.searchsorted(cumulative[i], u, side="right").astype(np.int64))
    stayer = int(Course.STAYER)
    chosen = np.minimum(np.concatenate(course), stayer)
    return np.concatenate(opened), np.concatenate(nat), chosen


def write_simulation(simulation: Simulation, directory: Path) -> list[Path]:
    written = write_dataset(simulation.dataset, directory)
    path = directory / TRUTH_JSON
    write_file(path, truth_json(simulation.truth))
    return [*written, path]

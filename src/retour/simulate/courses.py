"""Volumes and courses per intake year, calibrated to DT&V's yearly figures.

Cases enter on one of four courses (:class:`~retour.simulate.scenario.Course`). How many
take each course in intake year y is solved so that the expected departures of each type
in each calendar year match DT&V's published figures:

1. a pilot draws `pilot_cases` lives per course and intake year (same scenario, same
   country timeline, its own random stream) and records, per course, intake year y and
   calendar year Y, the share of cases that depart by each type in Y;
2. with N_y cases entering in year y, the expected departures of type t in year Y are
   sum over y of N_y * x_course(y) * share_course,t(y, Y); the course shares x(y) are found
   by bounded least squares on relative errors, with a small penalty on year-to-year jumps:
   independent departures fix the willing share, forced ones the targeted share, and the
   unsupervised ones (less those of targeted cases) the absconder share.

Cases do not interact, so the pilot's shares hold for the real run up to sampling noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import lsq_linear

from retour.simulate.calibration import Calibration, YearFigures
from retour.simulate.chain import FORCED, INDEPENDENT, NEVER, UNSUPERVISED, simulate_chain
from retour.simulate.cooperation import Timeline
from retour.simulate.scenario import Course, Scenario

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
SMOOTHING = 1.0
FIRST_YEAR_WEIGHT = 0.2  # the first intake year has no stock of earlier cases behind it
MAX_SHARE = 0.8
DEPARTURE_TYPES = (INDEPENDENT, FORCED, UNSUPERVISED)


@dataclass(frozen=True, slots=True)
class Targets:
    """Expected intake and departures per simulated year, at the scenario's volume."""

    years: tuple[int, ...]
    intake: FloatArray
    departures: FloatArray  # years x (independent, forced, unsupervised)
    published: tuple[bool, ...]  # DT&V published the year's departures


@dataclass(frozen=True, slots=True)
class CourseShares:
    years: tuple[int, ...]
    shares: FloatArray  # years x (willing, targeted, absconder); stayer is the rest

    def cumulative(self) -> FloatArray:
        return np.cumsum(self.shares, axis=1)


def nearest(figures: list[YearFigures], year: int) -> YearFigures:
    return min(figures, key=lambda f: (abs(f.year - year), f.year))


def targets(scenario: Scenario, years: range) -> Targets:
    """DT&V's figures where published; elsewhere the nearest published year's.

    Intake: the nearest year with a published intake. Departures: published figures; for
    other years the intake times the departure rates (departures / intake) of the nearest
    year that has both.
    """
    cal: Calibration = scenario.calibration
    volume = scenario.volume_factor * scenario.scale
    with_intake = [f for f in cal.years if f.intake is not None]
    with_both = [f for f in with_intake if f.has_departures]
    intake, departures, published = [], [], []
    for year in years:
        n = float(nearest(with_intake, year).intake or 0) * volume
        own = cal.year(year)
        if own is not None and own.has_departures:
            row = [float(v or 0) * volume for v in (own.independent, own.forced, own.unsupervised)]
        else:
            ref = nearest(with_both, year)
            rates = [float(v or 0) / float(ref.intake or 1) for v in
                     (ref.independent, ref.forced, ref.unsupervised)]  # fmt: skip
            row = [n * r for r in rates]
        intake.append(n)
        departures.append(row)
        published.append(own is not None and own.has_departures)
    return Targets(tuple(years), np.array(intake), np.array(departures), tuple(published))


def calendar_year(origin: dt.date, days: IntArray) -> IntArray:
    stamps = np.datetime64(origin, "D") + np.minimum(days, 10**6).astype("timedelta64[D]")
    return stamps.astype("datetime64[Y]").astype(np.int64) + 1970


def uniform_days(origin: dt.date, year: int, n: int, rng: np.random.Generator) -> IntArray:
    start = (dt.date(year, 1, 1) - origin).days
    length = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    return start + rng.integers(0, length, n).astype(np.int64)


def draw_nationality(scenario: Scenario, n: int, rng: np.random.Generator) -> IntArray:
    weights = np.array([c.weight for c in scenario.countries])
    cum = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def _pilot_shares(
    scenario: Scenario, tl: Timeline, years: range, rng: np.random.Generator
) -> FloatArray:
    """share[course, type, cohort, calendar year] from a pilot run."""
    per = scenario.pilot_cases
    courses = (Course.WILLING, Course.TARGETED, Course.ABSCONDER)
    opened, nat, course = [], [], []
    for year in years:
        for c in courses:
            opened.append(uniform_days(tl.origin, year, per, rng))
            nat.append(draw_nationality(scenario, per, rng))
            course.append(np.full(per, int(c), dtype=np.int64))
    chain = simulate_chain(
        scenario, tl, np.concatenate(opened), np.concatenate(nat), np.concatenate(course), rng,
        record=False,
    )  # fmt: skip
    n_years = len(years)
    block = np.repeat(np.arange(n_years * len(courses)), per)
    cohort, which = block // len(courses), block % len(courses)
    departed = chain.depart_type >= 0
    when = calendar_year(tl.origin, np.where(departed, chain.close_day, NEVER)) - years[0]
    counted = departed & (when < n_years)
    shares = np.zeros((len(courses), len(DEPARTURE_TYPES), n_years, n_years))
    type_pos = np.full(3, -1)
    for i, t in enumerate(DEPARTURE_TYPES):
        type_pos[t] = i
    np.add.at(
        shares,
        (which[counted], type_pos[chain.depart_type[counted]], cohort[counted], when[counted]),
        1.0 / per,
    )
    return shares


def _solve(
    contribution: FloatArray, target: FloatArray, weight: FloatArray, upper: FloatArray
) -> FloatArray:
    """x >= 0, x <= upper minimising sum w (A x - b)^2 / b^2 + smoothing of x."""
    n = target.size
    scale = weight / np.maximum(target, 1.0)
    rows = contribution * scale[:, None]
    rhs = target * scale
    jumps = SMOOTHING * (np.eye(n)[1:] - np.eye(n)[:-1])
    a = np.vstack([rows, jumps])
    b = np.concatenate([rhs, np.zeros(n - 1)])
    result = lsq_linear(a, b, bounds=(np.zeros(n), np.maximum(upper, 1e-9)), method="bvls")
    solution: FloatArray = np.asarray(result.x, dtype=np.float64)
    return solution


def calibrate_courses(
    scenario: Scenario, tl: Timeline, years: range, goal: Targets, rng: np.random.Generator
) -> CourseShares:
    shares = _pilot_shares(scenario, tl, years, rng)
    n = len(years)

    def contribution(k: int, t: int) -> FloatArray:
        """[Y, y]: departures of type t in year Y per unit share of course k in year y."""
        matrix: FloatArray = (shares[k, t] * goal.intake[:, None]).T
        return matrix

    weight = np.ones(n)
    weight[0] = FIRST_YEAR_WEIGHT
    cap = np.full(n, MAX_SHARE)
    willing = _solve(contribution(0, 0), goal.departures[:, 0], weight, cap)
    targeted = _solve(contribution(1, 1), goal.departures[:, 1], weight, cap)
    by_targeted = contribution(1, 2) @ targeted
    rest = np.maximum(goal.departures[:, 2] - by_targeted, 0.0)
    room = np.maximum(1.0 - willing - targeted, 0.0)
    absconder = _solve(contribution(2, 2), rest, weight, room)
    return CourseShares(tuple(years), np.column_stack([willing, targeted, absconder]))

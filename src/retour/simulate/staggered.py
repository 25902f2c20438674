"""The hard world's instruments: staggered, some late, random and reactive placebos.

Drawn after the country timelines (a reactive placebo needs the country's worst quarter),
on countries with requests and no other instrument, the largest first: ``effects`` with a
real effect (U(0.3, 1.3) logit, one in four negative; 40% of them arriving two or three
quarters after the start), ``random_placebos`` starting on a random day, and
``reactive_placebos`` starting the day after the country's worst quarter. All start on
arbitrary days from a year into the range to a year before its end.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from retour.domain.codes import InstrumentLevel, InstrumentStatus
from retour.simulate.cooperation import Timeline
from retour.simulate.hard import QUARTER_DAYS, worst_quarter_end
from retour.simulate.scenario import PLACEBO_KINDS, InstrumentSpec, Scenario

#: the pool: this many of the largest countries without an instrument
POOL = 40


def hard_instruments(
    scenario: Scenario,
    tl: Timeline,
    busy: set[str],
    years: tuple[int, int],
    rng: np.random.Generator,
) -> tuple[InstrumentSpec, ...]:
    hw = scenario.hard
    pool = [c for c in scenario.countries
            if c.lp_process and c.forced_return and c.code not in busy]  # fmt: skip
    pool = sorted(pool, key=lambda c: (-c.weight, c.code))[:POOL]
    order = rng.permutation(len(pool))
    wanted = (hw.effects, hw.random_placebos, hw.reactive_placebos)
    first = dt.date(years[0] + (1 if years[1] - years[0] >= 2 else 0), 1, 1)
    last = dt.date(years[1] - (1 if years[1] - years[0] >= 2 else 0), 12, 31)
    span = (last - first).days + 1
    out: list[InstrumentSpec] = []
    taken = 0
    for group, count in enumerate(wanted):
        picks = order[taken : taken + count]
        taken += count
        n = picks.size
        kinds = rng.integers(len(PLACEBO_KINDS), size=n)
        starts = rng.integers(span, size=n)
        size = rng.uniform(*hw.effect_size, n) * np.where(rng.random(n) < 0.25, -1.0, 1.0)
        late = rng.random(n) < hw.late_share
        delay = np.where(late, QUARTER_DAYS * rng.integers(2, 4, n), 0)
        for i, pick in enumerate(picks):
            code = pool[int(pick)].code
            start = first + dt.timedelta(days=int(starts[i]))
            if group == 2:
                row = scenario.country_index()[code]
                end = dt.date(years[1], 4, 1) if years[1] > years[0] else last
                start = worst_quarter_end(tl.z[row], tl.origin, first, end)
            kind = list(PLACEBO_KINDS)[int(kinds[i])]
            out.append(
                InstrumentSpec(
                    code, kind, InstrumentLevel.BILATERAL, InstrumentStatus.IN_FORCE, start,
                    None, PLACEBO_KINDS[kind], None,
                    float(round(size[i], 3)) if group == 0 else 0.0,
                    placebo=group > 0,
                    delay_days=int(delay[i]) if group == 0 else 0,
                    reactive=group == 2,
                )
            )  # fmt: skip
    return tuple(out)

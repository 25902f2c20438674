"""The hard world's instruments: staggered, some late, random and reactive placebos.

Drawn after the country timelines (a reactive placebo needs the country's worst quarter),
on countries with requests and no other instrument, the largest first: ``effects`` with a
real effect (U(0.3, 1.3) logit, one in four negative; 40% of them arriving two or three
quarters after the start), ``random_placebos`` starting on a random day, and
``reactive_placebos`` starting the day after the country's worst quarter. All start on
arbitrary days from a year into the range to a year before its end.

A reactive placebo follows the worst quarter *as the country's requests show it*
(:func:`react_to_requests`, once the requests are drawn: the share of the quarter's requests
answered positive within 90 days), as a ministry reacts to its figures, not to the unseen
truth. It has no effect, so its start changes nothing else that is drawn. With
``HardWorld.reactive_to`` ``latent`` it follows the worst quarter of the latent cooperation
instead (drawn here, before the requests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np

from retour.domain.codes import InstrumentLevel, InstrumentStatus
from retour.simulate.chain import POSITIVE, Chain
from retour.simulate.cooperation import Timeline
from retour.simulate.hard import (
    QUARTER_DAYS,
    Reaction,
    observed_worst_quarter_ends,
    worst_quarter_end,
)
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
    first, last = _span(years)
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
                start = worst_quarter_end(tl.z[row], tl.origin, *reactive_span(years))
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


def _span(years: tuple[int, int]) -> tuple[dt.date, dt.date]:
    """The days instruments start on: a year in from either end when the range allows."""
    inset = 1 if years[1] - years[0] >= 2 else 0
    return dt.date(years[0] + inset, 1, 1), dt.date(years[1] - inset, 12, 31)


def reactive_span(years: tuple[int, int]) -> tuple[dt.date, dt.date]:
    """The quarters a reactive placebo may follow: from the first start day to 1 April of
    the last year (so that at least three quarters follow it)."""
    first, last = _span(years)
    return first, dt.date(years[1], 4, 1) if years[1] > years[0] else last


def react_to_requests(
    scenario: Scenario,
    instruments: tuple[InstrumentSpec, ...],
    chain: Chain,
    origin: dt.date,
    years: tuple[int, int],
    cut: int,
) -> tuple[InstrumentSpec, ...]:
    """The instruments with each reactive placebo started the day after its country's worst
    quarter as the requests show it: the share of the quarter's requests (submitted by day
    ``cut``, the extraction) answered positive within the horizon (90 days) and by ``cut``.
    A country without a quarter of ``reactive_min_requests`` requests shows no figure to
    react to: its placebo keeps the latent worst quarter. Unchanged in the easy world and
    with ``reactive_to`` ``latent``."""
    hw = scenario.hard
    reactive = [spec for spec in instruments if spec.reactive]
    if not scenario.is_hard or hw.reactive_to is not Reaction.OBSERVED or not reactive:
        return instruments
    rec, index = chain.requests, scenario.country_index()
    submitted = rec.column("submitted").astype(np.int64)
    answered = rec.column("outcome_day").astype(np.int64)
    positive = (rec.column("outcome") == POSITIVE) & (answered <= cut)
    positive &= answered - submitted <= hw.horizon_days
    seen = submitted <= cut
    country = chain.nat[rec.column("case").astype(np.int64)]
    rows = np.array(sorted({index[spec.country] for spec in reactive}), dtype=np.int64)
    ends = observed_worst_quarter_ends(
        country[seen], submitted[seen], positive[seen], origin, reactive_span(years), rows,
        hw.reactive_min_requests,
    )  # fmt: skip
    return tuple(
        replace(spec, start_on=ends[index[spec.country]])
        if spec.reactive and index[spec.country] in ends
        else spec
        for spec in instruments
    )

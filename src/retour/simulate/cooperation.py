"""Each country's latent cooperation per day, and the answer model it drives.

The latent cooperation z(c, t) of country c on day t (logit scale) is

    z(c, t) = z0(c) + drift(c, t) + sum of the effects of c's instruments that apply on t

where the drift is an Ornstein-Uhlenbeck process on a monthly grid, interpolated daily.
Everything a country does with a request submitted on day t follows from the shift
s = z(c, t) - z0(c) (see :class:`~retour.simulate.scenario.AnswerModel`):

- it never answers with probability  logistic(logit(never0(c)) - never_slope * s);
- otherwise it answers after D days, log D ~ Normal(log median0(c) - speed_slope * s, sigma);
- the answer is positive with probability logistic(z(c, t) + b_evidence + b_cooperation + b_kind).

So the standard-case index on day t (id_evidence document, person cooperating, the kind the
country's requests have that day) is exact:

    index(c, t) = (1 - never) * Phi((log 90 - log median) / sigma) * logistic(z + b_kind).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, logit, ndtr

from retour.domain.codes import InstrumentKind, InstrumentStatus, RequestKind
from retour.simulate.hard import CountryEffects
from retour.simulate.scenario import AnswerModel, InstrumentSpec, Scenario

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
DAYS_PER_MONTH = 365.25 / 12
#: country_cooperates is green while requests are possible and z is at least this
GREEN_FROM = 0.5
KIND_TO = list(RequestKind).index(RequestKind.TO)


@dataclass(frozen=True, slots=True)
class Timeline:
    """Daily arrays (countries x days) from `origin` on."""

    origin: dt.date
    z: FloatArray  # latent cooperation
    base: FloatArray  # z0 per country
    log_median0: FloatArray
    logit_never0: FloatArray
    readmission: BoolArray  # a readmission agreement applies: requests are TO
    possible: BoolArray  # requests can be made at all
    effects: CountryEffects | None = None  # the hard world's per-country draws

    @property
    def days(self) -> int:
        return int(self.z.shape[1])

    def day(self, date: dt.date) -> int:
        return (date - self.origin).days

    def date(self, day: int) -> dt.date:
        return self.origin + dt.timedelta(days=day)

    def at(self, country: NDArray[np.int64], day: NDArray[np.int64]) -> NDArray[np.int64]:
        """Flat indices into the daily arrays; days past the end read the last day."""
        return country * self.days + np.clip(day, 0, self.days - 1)


def build_timeline(
    scenario: Scenario,
    instruments: tuple[InstrumentSpec, ...],
    origin: dt.date,
    days: int,
    rng: np.random.Generator,
    *,
    noise: FloatArray | None = None,
    effects: CountryEffects | None = None,
) -> Timeline:
    """``noise`` (countries x days) is added to the drift; ``effects``: the hard world's."""
    countries = scenario.countries
    base = np.array([c.cooperation for c in countries])
    z = base[:, None] + _drift(len(countries), days, scenario.answers, rng)
    if noise is not None:
        z += noise
    readmission = np.zeros(z.shape, dtype=bool)
    _apply(scenario, instruments, origin, z, readmission)
    lp = np.array([c.lp_process for c in countries])
    forced = np.array([c.forced_return for c in countries])
    possible = (lp[:, None] | readmission) & forced[:, None]
    return Timeline(
        origin=origin,
        z=z,
        base=base,
        log_median0=np.log([c.answer_median_days for c in countries]),
        logit_never0=logit(np.array([c.never_answer for c in countries])),
        readmission=readmission,
        possible=possible,
        effects=effects,
    )


def with_instruments(
    scenario: Scenario, tl: Timeline, instruments: tuple[InstrumentSpec, ...]
) -> Timeline:
    """The timeline with more instruments' effects (none of them an agreement)."""
    z = tl.z.copy()
    _apply(scenario, instruments, tl.origin, z, np.zeros(z.shape, dtype=bool))
    return replace(tl, z=z)


def _apply(
    scenario: Scenario,
    instruments: tuple[InstrumentSpec, ...],
    origin: dt.date,
    z: FloatArray,
    readmission: BoolArray,
) -> None:
    index, days = scenario.country_index(), z.shape[1]
    for spec in instruments:
        row = index.get(spec.country)
        if row is None:
            continue
        start, end = _span(spec, origin, days)
        z[row, min(start + spec.delay_days, end) : end] += spec.effect
        if spec.kind is InstrumentKind.READMISSION_AGREEMENT and spec.status in _BINDING:
            readmission[row, start:end] = True


_BINDING = (InstrumentStatus.IN_FORCE, InstrumentStatus.ENDED)


def _span(spec: InstrumentSpec, origin: dt.date, days: int) -> tuple[int, int]:
    start = min(max((spec.start_on - origin).days, 0), days)
    end = days if spec.end_on is None else min(max((spec.end_on - origin).days, 0), days)
    return start, end


def _drift(countries: int, days: int, model: AnswerModel, rng: np.random.Generator) -> FloatArray:
    """Ornstein-Uhlenbeck drift on month starts, linearly interpolated to days."""
    months = int(days / DAYS_PER_MONTH) + 2
    rho = float(np.exp(-1.0 / (12.0 * model.drift_years)))
    shocks = rng.normal(0.0, 1.0, (countries, months))
    knots = np.empty((countries, months))
    knots[:, 0] = model.drift_sd * shocks[:, 0]
    step = model.drift_sd * np.sqrt(1.0 - rho * rho)
    for m in range(1, months):
        knots[:, m] = rho * knots[:, m - 1] + step * shocks[:, m]
    position = np.arange(days) / DAYS_PER_MONTH
    low = np.floor(position).astype(np.int64)
    frac = position - low
    return knots[:, low] * (1.0 - frac) + knots[:, low + 1] * frac


@dataclass(frozen=True, slots=True)
class AnswerLaw:
    """The answer model's parameters for given requests (arrays of one length)."""

    never: FloatArray  # probability of never answering
    log_median: FloatArray
    sigma: float
    z: FloatArray
    kind_effect: FloatArray


def answer_law(
    model: AnswerModel,
    z: FloatArray,
    base: FloatArray,
    log_median0: FloatArray,
    logit_never0: FloatArray,
    to_kind: BoolArray,
) -> AnswerLaw:
    shift = z - base
    return AnswerLaw(
        never=expit(logit_never0 - model.never_slope * shift),
        log_median=log_median0 - model.speed_slope * shift,
        sigma=model.answer_sigma,
        z=z,
        kind_effect=np.where(to_kind, model.beta_kind[KIND_TO], model.beta_kind[0]),
    )


def answered_within(law: AnswerLaw, days: float) -> FloatArray:
    within: FloatArray = (1.0 - law.never) * ndtr((np.log(days) - law.log_median) / law.sigma)
    return within


def standard_positive(law: AnswerLaw) -> FloatArray:
    """P(positive | answered) for a standard case: document, person cooperating."""
    positive: FloatArray = expit(law.z + law.kind_effect)
    return positive


def standard_index(law: AnswerLaw, horizon_days: int) -> FloatArray:
    """The cooperation index as a probability (0..1), per element."""
    return answered_within(law, horizon_days) * standard_positive(law)


def timeline_law(model: AnswerModel, tl: Timeline, rows: slice | None = None) -> AnswerLaw:
    """The answer law for every country and day of the timeline (countries x days)."""
    sel = slice(None) if rows is None else rows
    return answer_law(
        model,
        tl.z[sel],
        tl.base[sel, None],
        tl.log_median0[sel, None],
        tl.logit_never0[sel, None],
        tl.readmission[sel],
    )


def document_mean(mean_days: float, slope: float, z: FloatArray) -> FloatArray:
    """The mean days from a positive answer to the travel document at latent cooperation
    `z`: shorter where the country cooperates more."""
    return mean_days * np.exp(-slope * np.asarray(z, dtype=np.float64))

"""truth.json: what the simulation drew from, for tests and benchmarks only.

The cooperation index of DESIGN.md is computed exactly: for each country and day, the
probability that a standard-case request submitted that day (id_evidence document, person
cooperating, the kind the country's requests have that day) is answered positively within
90 days (:func:`~retour.simulate.cooperation.standard_index`); a period's index is the mean
over its days. Its Monte Carlo error is therefore 0.

An instrument's effect in index points is the mean, over the days from its start to its end
(within the range and up to the extraction date) on which requests to the country are
possible, of 100 * (index(z) - index(z without the instrument)); removing a readmission
agreement also makes the requests LP again (where an LP process exists; else the
counterfactual index is 0). Per year as well.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from retour.domain.codes import Cooperates, IdEvidence, InstrumentKind, RequestKind
from retour.simulate.cooperation import (
    Timeline,
    answer_law,
    answered_within,
    standard_index,
    standard_positive,
    timeline_law,
)
from retour.simulate.courses import CourseShares, Targets
from retour.simulate.hard import CountryEffects, DailyIndex, daily_index
from retour.simulate.scenario import InstrumentSpec, Scenario

FloatArray = NDArray[np.float64]
TRUTH_FORMAT = "retour-truth/1"
EVIDENCE = [e.value for e in IdEvidence]  # the order of the model's evidence tuples
COOPERATES = [c.value for c in Cooperates]
DIGITS = 6
POINTS = 100.0

INDEX_DEFINITION = (
    "index = 100 * mean over the period's days t of "
    "(1 - never(t)) * Phi((ln 90 - ln median(t)) / sigma) * logistic(z(t) + b_kind(t)); "
    "never(t) = logistic(logit(never0) - never_slope * (z(t) - z0)), "
    "ln median(t) = ln median0 - speed_slope * (z(t) - z0); "
    "days on which no request to the country is possible are left out"
)
HARD_INDEX_DEFINITION = (
    "index = 100 * mean over the period's days t of the kinds' mix "
    "s(t) * TO(t) + (1 - s(t)) * LP(t), s(t) the share of T&O requests that day; "
    "kind k: (1 - never(t)) * sum over k = 1..90 of P(ceil(delay) = k) * P(wait >= k) "
    "* logistic(z(t) + bonus_k), delay a fast/slow log-normal mixture around the kind's "
    "median (shifted by -speed_slope * (z(t) - z0)), wait = 30 + floor(Exp(mean)) the "
    "withdrawal for want of an answer (competing); computed exactly, no Monte Carlo; "
    "index_LP and index_TO: the same for one kind, over the days that kind is sent"
)
EFFECT_DEFINITION = (
    "effect_index_points = mean over the days d from max(start_on, range start) to "
    "min(end_on, extracted_on, range end) on which requests are possible of "
    "100 * (index(z(d)) - index(z(d) - effect_logit)); without a readmission agreement the "
    "kind is LP (index 0 where no LP process exists)"
)


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    first: dt.date
    last: dt.date


def periods(first_year: int, last_year: int) -> list[Period]:
    out = []
    for year in range(first_year, last_year + 1):
        out.append(Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31)))
        for q in range(4):
            start = dt.date(year, 3 * q + 1, 1)
            end = dt.date(year + 1, 1, 1) if q == 3 else dt.date(year, 3 * q + 4, 1)
            out.append(Period(f"{year}Q{q + 1}", start, end - dt.timedelta(days=1)))
    return out


def _r(value: float) -> float:
    return round(float(value), DIGITS)


def daily_kinds(
    scenario: Scenario, tl: Timeline, row: int, z: FloatArray, ra: NDArray[np.bool_]
) -> DailyIndex:
    """The standard case's probability per day on one country's timeline (0..1): the kinds
    mixed as the country's requests are that day, LP alone and T&O alone."""
    model = scenario.answers
    base, lm0, ln0 = tl.base[row], tl.log_median0[row], tl.logit_never0[row]
    if tl.effects is None:
        horizon = model.horizon_days
        lp = standard_index(answer_law(model, z, base, lm0, ln0, np.zeros_like(ra)), horizon)
        to = standard_index(answer_law(model, z, base, lm0, ln0, np.ones_like(ra)), horizon)
        return DailyIndex(np.where(ra, to, lp), lp, to, ra.astype(np.float64))
    shift = z - base
    never = expit(ln0 - model.never_slope * shift)
    lp_process = scenario.countries[row].lp_process
    return daily_index(
        scenario.hard, tl.effects, row, z, shift, lm0, never, ra, lp_process, model.speed_slope
    )


def _kind_days(scenario: Scenario, tl: Timeline, row: int, share: FloatArray) -> dict[str, Any]:
    possible = tl.possible[row]
    lp = possible & (share < 1.0) & scenario.countries[row].lp_process
    return {"index_LP": lp, "index_TO": possible & (share > 0.0)}


def _country_index(
    scenario: Scenario, tl: Timeline, row: int, span: list[Period]
) -> dict[str, Any]:
    law = timeline_law(scenario.answers, tl, slice(row, row + 1))
    horizon = scenario.answers.horizon_days
    kinds = daily_kinds(scenario, tl, row, tl.z[row], tl.readmission[row])
    daily = {
        "index": kinds.all * POINTS,
        "never_answers": law.never[0],
        "latent_cooperation": law.z[0],
        "readmission_agreement": tl.readmission[row].astype(np.float64),
        "to_share": kinds.to_share,
    }
    if tl.effects is None:  # the easy world's components, exact
        daily["answered_within_90_days"] = answered_within(law, horizon)[0]
        daily["positive_if_answered"] = standard_positive(law)[0]
        daily["median_answer_days"] = np.exp(law.log_median[0])
    by_kind = {"index_LP": kinds.lp * POINTS, "index_TO": kinds.to * POINTS}
    kind_days = _kind_days(scenario, tl, row, kinds.to_share)
    possible = tl.possible[row]
    out: dict[str, Any] = {}
    for period in span:
        lo, hi = tl.day(period.first), tl.day(period.last) + 1
        ok = possible[lo:hi]
        if not ok.any():
            out[period.label] = {"index": None, "note": "no request process"}
            continue
        cell: dict[str, float | None] = {k: _r(v[lo:hi][ok].mean()) for k, v in daily.items()}
        for key, values in by_kind.items():
            days = kind_days[key][lo:hi]
            cell[key] = _r(values[lo:hi][days].mean()) if days.any() else None
        cell["possible_share"] = _r(ok.mean())
        cell["error"] = 0.0
        out[period.label] = cell
    return out


def _counterfactual_index(
    scenario: Scenario, tl: Timeline, row: int, spec: InstrumentSpec, days: slice
) -> tuple[FloatArray, FloatArray]:
    z = tl.z[row, days]
    ra = tl.readmission[row, days]
    factual = daily_kinds(scenario, tl, row, z, ra).all
    cf_ra = ra.copy()
    if spec.kind is InstrumentKind.READMISSION_AGREEMENT:
        cf_ra[:] = False  # no other agreement of the same country overlaps in the scenarios
    applied = np.arange(days.start, days.stop) >= tl.day(spec.start_on) + spec.delay_days
    counter = daily_kinds(scenario, tl, row, z - spec.effect * applied, cf_ra).all
    if not scenario.countries[row].lp_process:
        counter = np.where(cf_ra, counter, 0.0)
    return factual, counter


def _instrument_effect(
    scenario: Scenario,
    tl: Timeline,
    spec: InstrumentSpec,
    first: dt.date,
    last: dt.date,
) -> dict[str, Any]:
    row = scenario.country_index()[spec.country]
    begin = max(spec.start_on, first)
    end = min(spec.end_on - dt.timedelta(days=1) if spec.end_on else last, last)
    result: dict[str, Any] = {"effect_logit": _r(spec.effect), "effect_index_points": None,
                              "by_year": {}}  # fmt: skip
    if begin > end:
        result["note"] = "not in force within the simulated range"
        return result
    lo, hi = tl.day(begin), tl.day(end) + 1
    ok = tl.possible[row, lo:hi]
    if not ok.any():
        result["note"] = "no requests to this country are possible"
        return result
    factual, counter = _counterfactual_index(scenario, tl, row, spec, slice(lo, hi))
    diff = (factual - counter) * POINTS
    result["effect_index_points"] = _r(diff[ok].mean())
    years = np.array([tl.date(d).year for d in range(lo, hi)])
    for year in np.unique(years):
        sel = (years == year) & ok
        if sel.any():
            result["by_year"][str(year)] = _r(diff[sel].mean())
    return result


def _hard_country(fx: CountryEffects | None, row: int) -> dict[str, Any]:
    if fx is None:
        return {}
    return {
        "hard": {
            "dev_evidence": dict(zip(EVIDENCE, map(_r, fx.dev_evidence[row]), strict=True)),
            "dev_cooperation": dict(zip(COOPERATES, map(_r, fx.dev_cooperation[row]), strict=True)),
            "speed_evidence_log_days": dict(
                zip(EVIDENCE, map(_r, fx.speed_evidence[row]), strict=True)
            ),
            "to_share": _r(fx.to_share[row]),
            "to_median_days": _r(np.exp(fx.to_log_median[row])),
            "to_bonus": _r(fx.to_bonus[row]),
        }
    }


def _countries(
    scenario: Scenario, instruments: list[InstrumentSpec], fx: CountryEffects | None
) -> dict[str, Any]:
    model = scenario.answers
    out = {}
    for row, c in enumerate(scenario.countries):
        agreements = [s.start_on for s in instruments if s.country == c.code
                      and s.kind is InstrumentKind.READMISSION_AGREEMENT]  # fmt: skip
        out[c.code] = {
            "weight": _r(c.weight),
            "tier": c.tier,
            "latent_cooperation_base": _r(c.cooperation),
            "answer_median_days_base": _r(c.answer_median_days),
            "answer_sigma": _r(model.answer_sigma),
            "never_answers_base": _r(c.never_answer),
            "evidence_mix": dict(zip(EVIDENCE, c.evidence_mix, strict=True)),
            "cooperates_yes": _r(c.cooperates_yes),
            "lp_process": c.lp_process,
            "forced_return": c.forced_return,
            "readmission_agreement_from": min(agreements).isoformat() if agreements else None,
        } | _hard_country(fx, row)
    return out


def _model(scenario: Scenario) -> dict[str, Any]:
    m = scenario.answers
    hard = {"hard_world": asdict(scenario.hard)} if scenario.is_hard else {}
    return hard | {
        "index_definition": HARD_INDEX_DEFINITION if scenario.is_hard else INDEX_DEFINITION,
        "effect_definition": EFFECT_DEFINITION,
        "standard_case": {
            "id_evidence": IdEvidence.DOCUMENT.value,
            "alien_cooperates": Cooperates.YES.value,
            "kind": "TO while a readmission agreement applies, else LP",
        },
        "beta_evidence": dict(zip(EVIDENCE, m.beta_evidence, strict=True)),
        "beta_cooperation": dict(zip(COOPERATES, m.beta_cooperation, strict=True)),
        "beta_kind": dict(zip([k.value for k in RequestKind], m.beta_kind, strict=True)),
        "answer_delay": "lognormal; the answer day is submitted_on + ceil(delay)",
        "answer_sigma": m.answer_sigma,
        "speed_slope": m.speed_slope,
        "never_slope": m.never_slope,
        "withdraw_no_response_days": list(m.withdraw_days),
        "horizon_days": m.horizon_days,
        "drift": {"stationary_sd": m.drift_sd, "mean_reversion_years": m.drift_years},
    }


def build_truth(
    scenario: Scenario,
    tl: Timeline,
    instruments: tuple[tuple[str, InstrumentSpec], ...],
    years: tuple[int, int],
    extracted_on: dt.date,
    seed: int,
    shares: CourseShares,
    goal: Targets,
) -> dict[str, Any]:
    span = periods(*years)
    first, last = dt.date(years[0], 1, 1), min(dt.date(years[1], 12, 31), extracted_on)
    return {
        "format": TRUTH_FORMAT,
        "note": "Simulated. For tests and benchmarks only; retour's analyses never read it.",
        "scenario": scenario.name.value,
        "seed": seed,
        "years": list(years),
        "extracted_on": extracted_on.isoformat(),
        "options": {
            "scale": scenario.scale,
            "confound": bool(scenario.confounded),
            "placebos": scenario.placebos,
            "world": scenario.world.value,
        },
        "calibration_source": scenario.calibration.source.split(" at ")[0],
        "model": _model(scenario),
        "countries": _countries(scenario, [spec for _, spec in instruments], tl.effects),
        "index": {
            c.code: _country_index(scenario, tl, row, span)
            for row, c in enumerate(scenario.countries)
        },
        "instruments": {
            instrument_id: {
                "country": spec.country,
                "kind": spec.kind.value,
                "start_on": spec.start_on.isoformat(),
                "end_on": spec.end_on.isoformat() if spec.end_on else None,
                "placebo": spec.placebo,
                "reactive": spec.reactive,
                "delay_days": spec.delay_days,
                "in_dataset": spec.start_on <= extracted_on,
                **_instrument_effect(scenario, tl, spec, first, last),
            }
            for instrument_id, spec in instruments
        },
        "confounded": [
            {"cooperates_well": good, "cooperates_poorly": bad} for good, bad in scenario.confounded
        ],
        "courses": {
            str(year): dict(
                zip(
                    ("willing", "targeted", "absconder"),
                    (_r(v) for v in shares.shares[i]),
                    strict=True,
                )
            )
            for i, year in enumerate(shares.years)
        },
        "targets": {
            str(year): {
                "intake": _r(goal.intake[i]),
                "independent": _r(goal.departures[i, 0]),
                "forced": _r(goal.departures[i, 1]),
                "unsupervised": _r(goal.departures[i, 2]),
                "published": goal.published[i],
            }
            for i, year in enumerate(goal.years)
        },
    }


def truth_json(truth: dict[str, Any]) -> str:
    return json.dumps(truth, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False) + "\n"

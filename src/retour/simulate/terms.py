"""The simulator's agreed time limits and country statuses (retour/2), and their truth.

- Statuses follow the scenario's countries: no forced return (Syria: "the room for action is
  very limited") gives ``forced_return_suspended`` for both kinds; no laissez-passer process
  (Somalia: "no process to obtain replacement travel documents") ``no_document_process``
  for LP.
- Each readmission agreement or working arrangement in force or ended gets a term for T&O
  (and for LP, one time in two), drawn from limits like those of the EU agreements: 30
  calendar days deemed accepted (Pakistan), 14 or 20 working days, 45 calendar days, with a
  document limit of 3 working days (Georgia), 14 or 30 calendar days, or none. An agreement
  whose days overlap one with a term for the same country and kind gets none.
- The chain draws answer times from each country's latent cooperation, so a fixed limit is
  missed more often by a country that cooperates less. truth.json states, per term and
  year, the probability of an answer within the limit at the country's mean latent
  cooperation that year (a working-day limit taken as 7/5 of its days), and, per year, of a
  document within its limit after a positive answer: the chain's wait for a document
  shortens as the country's latent cooperation rises (``document_cooperation_slope``), so
  document limits are missed more often by a country that cooperates less too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import numpy as np
import polars as pl
from scipy.stats import gamma

from retour.domain.codes import (
    CountryStatusKind,
    DayCount,
    RequestKind,
    Table,
    YesNo,
)
from retour.domain.dataset import empty_frame
from retour.domain.terms import TERM_KINDS, TERM_STATUSES
from retour.simulate.cooperation import Timeline, answer_law, answered_within, document_mean
from retour.simulate.scenario import Scenario

#: (reply_days, day_count, deemed_accepted) the simulator draws from.
LIMITS: Final = (
    (30, DayCount.CALENDAR, YesNo.YES),
    (14, DayCount.WORKING, YesNo.NO),
    (20, DayCount.WORKING, YesNo.NO),
    (45, DayCount.CALENDAR, YesNo.NO),
    (30, DayCount.CALENDAR, YesNo.NO),
)
#: document_days the simulator draws from (0: no document limit).
DOCUMENT_DAYS: Final = (0, 3, 14, 30)
_OPEN: Final = dt.date(9999, 12, 31)
SOURCES: Final = {
    CountryStatusKind.FORCED_RETURN_SUSPENDED: "letter to Parliament, 26 January 2024",
    CountryStatusKind.NO_DOCUMENT_PROCESS: "answers to press questions",
}


def country_statuses(scenario: Scenario, start_on: dt.date) -> pl.DataFrame:
    """The statuses of the scenario's countries, from `start_on` on."""
    rows = []
    for country in sorted(scenario.countries, key=lambda c: c.code):
        if not country.forced_return:
            status, kind = CountryStatusKind.FORCED_RETURN_SUSPENDED, None
        elif not country.lp_process:
            status, kind = CountryStatusKind.NO_DOCUMENT_PROCESS, RequestKind.LP.value
        else:
            continue
        rows.append((country.code, status.value, kind, start_on, None, SOURCES[status]))
    frame = empty_frame(Table.COUNTRY_STATUS)
    return pl.DataFrame(rows, schema=frame.schema, orient="row") if rows else frame


def draw_terms(instruments: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """One term per agreement and kind (T&O always, LP one time in two), none where the
    agreement's days overlap those of one that already has a term for the country and kind.
    A loop over the agreements: a few dozen rows."""
    agreements = instruments.filter(
        pl.col("kind").is_in(TERM_KINDS) & pl.col("status").is_in(TERM_STATUSES)
    ).sort("start_on", "instrument_id")
    taken: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
    rows: list[tuple[object, ...]] = []
    for instrument_id, country, start, end in agreements.select(
        "instrument_id", "country", "start_on", "end_on"
    ).iter_rows():
        until = end or _OPEN
        for kind in (RequestKind.TO.value, RequestKind.LP.value):
            if kind == RequestKind.LP.value and rng.random() < 0.5:
                continue
            spans = taken.setdefault((country, kind), [])
            if any(start < b and a < until for a, b in spans):
                continue
            spans.append((start, until))
            reply, count, deemed = LIMITS[int(rng.integers(len(LIMITS)))]
            document = DOCUMENT_DAYS[int(rng.integers(len(DOCUMENT_DAYS)))] or None
            rows.append((f"T{len(rows) + 1:03d}", instrument_id, kind, reply, count.value,
                         deemed.value, document))  # fmt: skip
    frame = empty_frame(Table.TERMS)
    return pl.DataFrame(rows, schema=frame.schema, orient="row") if rows else frame


def terms_truth(
    scenario: Scenario,
    tl: Timeline,
    terms: pl.DataFrame,
    instruments: pl.DataFrame,
    years: tuple[int, int],
) -> dict[str, Any]:
    """Per term: its limits and, per year it applies in, the in-time probabilities."""
    rows = {c.code: i for i, c in enumerate(scenario.countries)}
    joined = terms.join(instruments.select("instrument_id", "country", "start_on", "end_on"),
                        on="instrument_id")  # fmt: skip
    out: dict[str, Any] = {}
    for term in joined.iter_rows(named=True):
        row = rows[term["country"]]
        limit = term["reply_days"] * (7 / 5 if term["day_count"] == DayCount.WORKING else 1)
        yearly, documents = {}, {}
        for year in range(years[0], years[1] + 1):
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            if term["start_on"] > last or (term["end_on"] and term["end_on"] <= first):
                continue
            days = slice(max(0, tl.day(first)), min(tl.days, tl.day(last) + 1))
            z = np.array([tl.z[row, days].mean()])
            to_kind = np.array([term["request_kind"] == RequestKind.TO.value])
            law = answer_law(scenario.answers, z, tl.base[[row]], tl.log_median0[[row]],
                             tl.logit_never0[[row]], to_kind)  # fmt: skip
            yearly[str(year)] = round(float(answered_within(law, limit)[0]), 4)
            if term["document_days"] is not None:
                documents[str(year)] = _document_in_time(
                    scenario, term["document_days"], term["day_count"], tl.z[row, days]
                )
        out[term["term_id"]] = {
            "country": term["country"],
            "request_kind": term["request_kind"],
            "reply_days": term["reply_days"],
            "day_count": term["day_count"],
            "deemed_accepted": term["deemed_accepted"],
            "document_days": term["document_days"],
            "answer_in_time": yearly,
            "document_in_time": documents or None,
        }
    return out


def _document_in_time(scenario: Scenario, days: int, count: str, z: np.ndarray) -> float:
    """P(a document within its limit after a positive answer): the chain's gamma(2) wait,
    its mean set by the latent cooperation of each day of the year, averaged over them."""
    limit = days * (7 / 5 if count == DayCount.WORKING else 1)
    cases = scenario.cases
    mean = document_mean(cases.document_mean_days, cases.document_cooperation_slope, z)
    return round(float(np.mean(gamma.cdf(limit, 2.0, scale=mean / 2.0))), 4)

"""From simulated lives to the seven tables, censored at the extraction date.

Cases that closed before the first simulated year of the range (the warm-up years only
build up a stock) are left out with all their rows. Everything after the extraction date
is cut consistently: requests still open on that date are pending, detentions still running
have no end, departures and observations after it do not exist, and a closure after it
leaves the case open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import polars as pl
from numpy.typing import NDArray

from retour.domain.codes import (
    CloseReason,
    Condition,
    ConditionState,
    Cooperates,
    DatasetSource,
    DepartureType,
    DetentionEndReason,
    IdEvidence,
    InstrumentStatus,
    Outcome,
    RequestKind,
    RequestReason,
    Sex,
    Table,
    YesNo,
)
from retour.domain.dataset import Dataset, DatasetMeta, polars_schema
from retour.domain.tables import SPECS
from retour.simulate.chain import NEVER, NONE_CODE, PENDING, Chain
from retour.simulate.cooperation import Timeline
from retour.simulate.scenario import InstrumentSpec, Scenario
from retour.simulate.terms import country_statuses, draw_terms

IntArray = NDArray[np.int64]
EPOCH = dt.date(1970, 1, 1)
SEX_ORDER = (Sex.FEMALE, Sex.MALE, Sex.OTHER)  # codes 0, 1, 2 of chain._person


@dataclass(frozen=True, slots=True)
class Frame:
    """Where the data lie in simulated time: the timeline's origin and the two cut-offs."""

    origin: dt.date
    first_day: int  # the first day of the range
    cut: int  # the extraction date, as a day

    def dates(self, days: IntArray) -> pl.Series:
        offset = (self.origin - EPOCH).days
        return pl.Series(days + offset, dtype=pl.Int32).cast(pl.Date)

    def optional_dates(self, days: IntArray) -> pl.Series:
        return self.dates(np.where(days <= self.cut, days, 0)).set(pl.Series(days > self.cut), None)


def _codes(enum_values: list[str], codes: IntArray) -> pl.Series:
    """Enum values by code; NONE_CODE gives null."""
    table = pl.Series([*enum_values, None], dtype=pl.String)
    return table.gather(np.where(codes == NONE_CODE, len(enum_values), codes))


def _values(enum: type[StrEnum]) -> list[str]:
    return [m.value for m in enum]


def _ids(prefix: str, n: int) -> pl.Series:
    """prefix + a zero-padded number 1..n (at least seven digits): C0000123."""
    width = max(7, len(str(n)))
    number = pl.int_range(1, n + 1).cast(pl.String).str.zfill(width)
    return pl.select(pl.concat_str(pl.lit(prefix), number)).to_series()


def _frame(table: Table, columns: dict[str, pl.Series]) -> pl.DataFrame:
    schema = polars_schema(SPECS[table])
    return pl.DataFrame({name: columns[name].cast(schema[name]) for name in schema.names()})


def assemble(
    scenario: Scenario,
    chain: Chain,
    tl: Timeline,
    frame: Frame,
    instruments: tuple[tuple[str, InstrumentSpec], ...],
    extracted_on: dt.date,
    rng: np.random.Generator,
    progress: Callable[[str], None] = lambda _: None,
) -> Dataset:
    keep = (chain.opened <= frame.cut) & (chain.close_day >= frame.first_day)
    kept = np.flatnonzero(keep)
    # case_id: a random permutation, so ids say nothing about the order of opening
    number = np.full(chain.opened.size, -1, dtype=np.int64)
    number[kept] = rng.permutation(kept.size)
    case_ids = _ids("C", kept.size)
    codes = [c.code for c in scenario.countries]
    builders: dict[Table, Callable[[], pl.DataFrame]] = {
        Table.CASES: lambda: _cases(chain, kept, number, case_ids, codes, frame),
        Table.REQUESTS: lambda: _requests(chain, keep, number, case_ids, codes, frame),
        Table.DETENTIONS: lambda: _detentions(chain, keep, number, case_ids, frame),
        Table.DEPARTURES: lambda: _departures(chain, kept, number, case_ids, codes, frame),
        Table.CONDITIONS: lambda: _conditions(chain, keep, number, case_ids, frame),
        Table.INSTRUMENTS: lambda: _instruments(instruments, extracted_on),
        Table.ASSESSMENTS: lambda: _assessments(scenario, tl, frame, rng),
    }
    tables = {}
    for table, build in builders.items():
        progress(table.value)
        tables[table] = build()
    # retour/2, drawn after every other table so that their draws are as they were
    tables[Table.TERMS] = draw_terms(tables[Table.INSTRUMENTS], rng)
    tables[Table.COUNTRY_STATUS] = country_statuses(scenario, tl.origin)
    meta = DatasetMeta(source=DatasetSource.SIMULATED, extracted_on=extracted_on)
    return Dataset(tables=tables, meta=meta)


def _cases(
    chain: Chain,
    kept: IntArray,
    number: IntArray,
    case_ids: pl.Series,
    codes: list[str],
    frame: Frame,
) -> pl.DataFrame:
    close = chain.close_day[kept]
    closed = close <= frame.cut
    reason = np.where(closed, chain.close_reason[kept], NONE_CODE)
    return _frame(
        Table.CASES,
        {
            "case_id": case_ids.gather(number[kept]),
            "nationality": pl.Series(codes).gather(chain.nat[kept]),
            "opened_on": frame.dates(chain.opened[kept]),
            "sex": _codes([s.value for s in SEX_ORDER], chain.sex[kept]),
            "birth_year": pl.Series(chain.birth_year[kept]),
            "closed_on": frame.optional_dates(close),
            "close_reason": _codes(_values(CloseReason), reason),
        },
    )


def _requests(
    chain: Chain,
    keep: NDArray[np.bool_],
    number: IntArray,
    case_ids: pl.Series,
    codes: list[str],
    frame: Frame,
) -> pl.DataFrame:
    rec = chain.requests
    case = rec.column("case").astype(np.int64)
    submitted = rec.column("submitted").astype(np.int64)
    rows = np.flatnonzero(keep[case] & (submitted <= frame.cut)) if case.size else case
    case, submitted = case[rows], submitted[rows]
    outcome_day = rec.column("outcome_day")[rows].astype(np.int64)
    decided = outcome_day <= frame.cut
    document = rec.column("document")[rows].astype(np.int64)
    order = np.lexsort((number[case], submitted))
    columns = {
        "case_id": case_ids.gather(number[case]),
        "kind": _codes(_values(RequestKind), rec.column("kind")[rows].astype(np.int64)),
        "country": pl.Series(codes).gather(chain.nat[case]),
        "submitted_on": frame.dates(submitted),
        "id_evidence": _codes(_values(IdEvidence), rec.column("evidence")[rows].astype(np.int64)),
        "alien_cooperates": _codes(_values(Cooperates), rec.column("coop")[rows].astype(np.int64)),
        "outcome": _codes(
            _values(Outcome),
            np.where(decided, rec.column("outcome")[rows].astype(np.int64), PENDING),
        ),
        "outcome_on": frame.optional_dates(np.where(decided, outcome_day, NEVER)),
        "reason": _codes(
            _values(RequestReason),
            np.where(decided, rec.column("reason")[rows].astype(np.int64), NONE_CODE),
        ),
        "document_on": frame.optional_dates(np.where(decided, document, NEVER)),
    }
    unordered = pl.DataFrame({k: v for k, v in columns.items()})[order]
    unordered = unordered.with_columns(request_id=_ids("R", len(rows)))
    return _frame(Table.REQUESTS, {c: unordered[c] for c in unordered.columns})


def _detentions(
    chain: Chain, keep: NDArray[np.bool_], number: IntArray, case_ids: pl.Series, frame: Frame
) -> pl.DataFrame:
    rec = chain.detentions
    case = rec.column("case").astype(np.int64)
    start = rec.column("start").astype(np.int64)
    rows = np.flatnonzero(keep[case] & (start <= frame.cut)) if case.size else case
    case, start = case[rows], start[rows]
    end = rec.column("end")[rows].astype(np.int64)
    reason = np.where(end <= frame.cut, rec.column("reason")[rows].astype(np.int64), NONE_CODE)
    order = np.lexsort((number[case], start))
    frame_ = pl.DataFrame(
        {
            "case_id": case_ids.gather(number[case]),
            "started_on": frame.dates(start),
            "ended_on": frame.optional_dates(end),
            "end_reason": _codes(_values(DetentionEndReason), reason),
        }
    )[order]
    frame_ = frame_.with_columns(detention_id=_ids("D", len(rows)))
    return _frame(Table.DETENTIONS, {c: frame_[c] for c in frame_.columns})


def _departures(
    chain: Chain,
    kept: IntArray,
    number: IntArray,
    case_ids: pl.Series,
    codes: list[str],
    frame: Frame,
) -> pl.DataFrame:
    rows = kept[(chain.depart_type[kept] >= 0) & (chain.close_day[kept] <= frame.cut)]
    day = chain.close_day[rows]
    kind = chain.depart_type[rows]
    order = np.lexsort((number[rows], day))
    known = kind != list(DepartureType).index(DepartureType.UNSUPERVISED)
    destination = np.where(known, chain.nat[rows], len(codes))
    assisted = np.where(chain.assisted[rows] == NONE_CODE, NONE_CODE, 1 - chain.assisted[rows])
    frame_ = pl.DataFrame(
        {
            "case_id": case_ids.gather(number[rows]),
            "departed_on": frame.dates(day),
            "type": _codes(_values(DepartureType), kind),
            "destination": pl.Series([*codes, None], dtype=pl.String).gather(destination),
            "assisted": _codes(_values(YesNo), assisted),
        }
    )[order]
    frame_ = frame_.with_columns(departure_id=_ids("V", len(rows)))
    return _frame(Table.DEPARTURES, {c: frame_[c] for c in frame_.columns})


#: conditions in alphabetical order, the order the writer sorts them in
_CONDITION_RANK = np.argsort(np.argsort(_values(Condition)))
_DAY_BITS = 20  # days from the origin fit in 20 bits (2,800 years)
_CONDITION_BITS = 3


def _conditions(
    chain: Chain, keep: NDArray[np.bool_], number: IntArray, case_ids: pl.Series, frame: Frame
) -> pl.DataFrame:
    rec = chain.conditions
    case = rec.column("case").astype(np.int64)
    day = rec.column("day").astype(np.int64)
    limit = np.minimum(chain.close_day, frame.cut)
    rows = np.flatnonzero(keep[case] & (day <= limit[case]))
    condition = rec.column("condition")[rows].astype(np.int64)
    # one observation per case, condition and day: the last one drawn (a stable sort keeps
    # the order of drawing within a key)
    key = (
        (number[case[rows]] << (_CONDITION_BITS + _DAY_BITS))
        | (_CONDITION_RANK[condition] << _DAY_BITS)
        | day[rows]
    )
    order = np.argsort(key, kind="stable")
    key = key[order]
    last = np.append(key[1:] != key[:-1], True)
    picked = rows[order[last]]
    return _frame(
        Table.CONDITIONS,
        {
            "case_id": case_ids.gather(number[case[picked]]),
            "observed_on": frame.dates(day[picked]),
            "condition": _codes(
                _values(Condition), rec.column("condition")[picked].astype(np.int64)
            ),
            "state": _codes(_values(ConditionState), rec.column("state")[picked].astype(np.int64)),
        },
    )


def _instruments(
    instruments: tuple[tuple[str, InstrumentSpec], ...], extracted_on: dt.date
) -> pl.DataFrame:
    rows = []
    for instrument_id, spec in instruments:
        if spec.start_on > extracted_on:
            continue
        ended = spec.end_on is not None and spec.end_on <= extracted_on
        status = spec.status
        if status is InstrumentStatus.ENDED and not ended:
            status = InstrumentStatus.IN_FORCE
        rows.append(
            {
                "instrument_id": instrument_id,
                "country": spec.country,
                "kind": spec.kind.value,
                "level": spec.level.value,
                "status": status.value,
                "start_on": spec.start_on,
                "end_on": spec.end_on if ended else None,
                "title": spec.title,
                "source": spec.source,
            }
        )
    return pl.DataFrame(rows, schema=polars_schema(SPECS[Table.INSTRUMENTS]), orient="row")


#: The ministry's judgement: level 1..5 from the year's mean latent cooperation plus noise.
ASSESSMENT_CUTS = np.array([0.0, 0.6, 1.2, 1.9])
ASSESSMENT_NOISE = 0.3


def _assessments(
    scenario: Scenario, tl: Timeline, frame: Frame, rng: np.random.Generator
) -> pl.DataFrame:
    rows = []
    first = tl.date(frame.first_day).year
    last = tl.date(frame.cut).year
    for year in range(first, last + 1):
        on = dt.date(year, 12, 15)
        if on > tl.date(frame.cut):
            continue
        lo, hi = tl.day(dt.date(year, 1, 1)), tl.day(dt.date(year, 12, 1))
        mean = tl.z[:, lo:hi].mean(axis=1) + rng.normal(0, ASSESSMENT_NOISE, len(tl.base))
        levels = 1 + np.searchsorted(ASSESSMENT_CUTS, mean)
        for country, level in zip(scenario.countries, levels, strict=True):
            rows.append({"country": country.code, "assessed_on": on, "level": int(level),
                         "note": None})  # fmt: skip
    return pl.DataFrame(rows, schema=polars_schema(SPECS[Table.ASSESSMENTS]), orient="row")

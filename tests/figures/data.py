"""A random but valid dataset with every shape the figures meet: countries with many and
with few requests (so the public profile suppresses), all answers and reasons, detentions
released and followed (or not) by a departure without supervision on the edges of the
30 days, departures of every type. Plain Python with a seeded RNG; no personal data.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from retour.domain import codes
from retour.domain.codes import Table
from retour.domain.dataset import Dataset, DatasetMeta, polars_schema
from retour.domain.tables import SPECS

EXTRACTED = dt.date(2024, 3, 1)
FIRST = dt.date(2017, 1, 1)
#: Countries and their weights: a few large, several small (suppression), specials.
COUNTRIES = {
    "MA": 30, "DZ": 20, "NG": 25, "IQ": 15, "AF": 12, "ER": 6, "SO": 6, "GM": 2,
    "MN": 1, "XK": 1, "STLS": 1, "UNK": 1, "CD": 2,
}  # fmt: skip
OUTCOMES = {"positive": 40, "negative": 20, "withdrawn": 25, "pending": 15}


def _day(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=rng.randint(0, max(0, (high - low).days)))


def _frame(table: Table, rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=polars_schema(SPECS[table]), orient="row")


def make(
    requests: int = 1500, *, seed: int = 1, simulated: bool = False, cases: int | None = None
) -> Dataset:
    rng = random.Random(seed)
    countries = list(COUNTRIES)
    weights = list(COUNTRIES.values())
    case_rows = []
    for i in range(cases or max(1, requests // 3)):
        case_rows.append(
            {
                "case_id": f"C{i:05d}",
                "nationality": rng.choices(countries, weights)[0],
                "opened_on": _day(rng, dt.date(2016, 1, 1), dt.date(2016, 12, 31)),
                "sex": None,
                "birth_year": None,
                "closed_on": None,
                "close_reason": None,
            }
        )
    request_rows = []
    for i in range(requests):
        case = rng.choice(case_rows)
        submitted = _day(rng, FIRST, EXTRACTED)
        outcome = rng.choices(list(OUTCOMES), list(OUTCOMES.values()))[0]
        answered = outcome != codes.Outcome.PENDING
        outcome_on = _day(rng, submitted, min(EXTRACTED, submitted + dt.timedelta(400)))
        refused = outcome in (codes.Outcome.NEGATIVE, codes.Outcome.WITHDRAWN)
        document = None
        if outcome == codes.Outcome.POSITIVE and rng.random() < 0.5:
            document = _day(rng, outcome_on, EXTRACTED)
        request_rows.append(
            {
                "request_id": f"R{i:06d}",
                "case_id": case["case_id"],
                "kind": rng.choice(["LP", "LP", "TO"]),
                "country": case["nationality"]
                if rng.random() < 0.9
                else rng.choices(countries, weights)[0],
                "submitted_on": submitted,
                "id_evidence": rng.choice([e.value for e in codes.IdEvidence]),
                "alien_cooperates": rng.choice([c.value for c in codes.Cooperates]),
                "outcome": outcome,
                "outcome_on": outcome_on if answered else None,
                "reason": rng.choice([r.value for r in codes.RequestReason]) if refused else None,
                "document_on": document,
            }
        )
    detention_rows: list[dict[str, object]] = []
    departure_rows: list[dict[str, object]] = []
    end_reasons = [r.value for r in codes.DetentionEndReason]
    for case in case_rows:
        start = _day(rng, FIRST, EXTRACTED - dt.timedelta(days=200))
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            started = start
            ended = started + dt.timedelta(days=rng.randint(0, 120))
            if ended > EXTRACTED:
                break
            still = rng.random() < 0.05
            reason = rng.choice(end_reasons)
            detention_rows.append(
                {
                    "detention_id": f"D{len(detention_rows):05d}",
                    "case_id": case["case_id"],
                    "started_on": started,
                    "ended_on": None if still else ended,
                    "end_reason": None if still else reason,
                }
            )
            if still:
                break
            if rng.random() < 0.5:
                # on the edges of the 30 days: 0, 30 and 31 days after release, and beyond
                after = rng.choice([0, 1, 15, 29, 30, 31, 45, 200])
                departed = ended + dt.timedelta(days=after)
                if departed <= EXTRACTED:
                    kind = rng.choice(["unsupervised", "unsupervised", "independent", "forced"])
                    departure_rows.append(
                        _departure(rng, case, departed, kind, len(departure_rows))
                    )
            start = ended + dt.timedelta(days=rng.randint(1, 300))
    for case in rng.sample(case_rows, k=len(case_rows) // 4):
        departed = _day(rng, FIRST, EXTRACTED)
        kind = rng.choice([t.value for t in codes.DepartureType])
        departure_rows.append(_departure(rng, case, departed, kind, len(departure_rows)))
    meta = DatasetMeta(
        source="simulated" if simulated else "figures test data", extracted_on=EXTRACTED
    )
    return Dataset(
        {
            Table.CASES: _frame(Table.CASES, case_rows),
            Table.REQUESTS: _frame(Table.REQUESTS, request_rows),
            Table.DETENTIONS: _frame(Table.DETENTIONS, detention_rows),
            Table.DEPARTURES: _frame(Table.DEPARTURES, departure_rows),
        },
        meta,
    )


def _departure(
    rng: random.Random, case: dict[str, object], day: dt.date, kind: str, index: int
) -> dict[str, object]:
    return {
        "departure_id": f"P{index:05d}",
        "case_id": case["case_id"],
        "departed_on": day,
        "type": kind,
        "destination": rng.choice([None, case["nationality"], "DE"]),
        "assisted": rng.choice([None, "yes", "no"]),
    }

"""Small datasets for the five conditions and the case view.

- :func:`tiny`: four cases whose states on 2023-06-29 and 2023-06-30 are known by hand.
- :func:`edges`: a random but valid dataset full of edges -- observations on the date and the
  day after, cases opened or closed on the date, conditions never observed, explicit
  ``unknown`` observations, repeated states, countries with few cases (suppression) --
  written to CSV for the plain-Python oracle.
Plain Python with a seeded RNG; sex and birth year are filled, and nothing may print them.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from retour.domain import codes
from retour.domain.codes import Table
from retour.domain.dataset import Dataset, DatasetMeta, polars_schema
from retour.domain.tables import SPECS

CONDITIONS = [c.value for c in codes.Condition]
STATES = [s.value for s in codes.ConditionState]
EXTRACTED = dt.date(2024, 1, 1)
D = dt.date


def frame(table: Table, rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=polars_schema(SPECS[table]), orient="row")


def case(
    case_id: str,
    nationality: str,
    opened: dt.date,
    closed: dt.date | None = None,
    reason: str | None = None,
) -> dict[str, object]:
    return {
        "case_id": case_id,
        "nationality": nationality,
        "opened_on": opened,
        "sex": "F",
        "birth_year": 1990,
        "closed_on": closed,
        "close_reason": reason if closed else None,
    }


def obs(case_id: str, day: dt.date, condition: str, state: str) -> dict[str, object]:
    return {"case_id": case_id, "observed_on": day, "condition": condition, "state": state}


def all_five(case_id: str, day: dt.date, state: str = "green") -> list[dict[str, object]]:
    return [obs(case_id, day, c, state) for c in CONDITIONS]


def tiny() -> Dataset:
    """Four cases; on 2023-06-30:

    - A (MA) all green from 2023-01-01, removable red *on* 2023-06-30: blocked by removable
      alone (on 2023-06-29 still all green);
    - B (MA) all green, closed on 2023-06-30: not open that day (open the day before);
    - C (DZ) opened on 2023-06-30, never observed: open, all five unknown;
    - D (DZ) four green from 2023-02-01, identity never observed: identity alone blocks.
    """
    cases = [
        case("A", "MA", D(2023, 1, 1)),
        case("B", "MA", D(2023, 1, 1), D(2023, 6, 30), "departed"),
        case("C", "DZ", D(2023, 6, 30)),
        case("D", "DZ", D(2023, 2, 1)),
    ]
    conditions = [
        *all_five("A", D(2023, 1, 1)),
        obs("A", D(2023, 6, 30), "removable", "red"),
        *all_five("B", D(2023, 1, 1)),
        *[obs("D", D(2023, 2, 1), c, "green") for c in CONDITIONS if c != "identity"],
    ]
    departures = [
        {
            "departure_id": "V1",
            "case_id": "B",
            "departed_on": D(2023, 6, 30),
            "type": "forced",
            "destination": "MA",
            "assisted": None,
        }
    ]
    return Dataset(
        {
            Table.CASES: frame(Table.CASES, cases),
            Table.CONDITIONS: frame(Table.CONDITIONS, conditions),
            Table.DEPARTURES: frame(Table.DEPARTURES, departures),
        },
        DatasetMeta(source="tests", extracted_on=EXTRACTED),
    )


#: Countries and weights: several large, some small (public suppresses), specials.
COUNTRIES = {"MA": 30, "DZ": 20, "NG": 25, "IQ": 15, "ER": 5, "GM": 2, "MN": 1, "STLS": 1}
#: Dates the tests ask about; the edges are built around them.
ON = D(2023, 6, 30)
FIRST = D(2021, 1, 1)


def edges(n: int = 600, *, seed: int = 3) -> Dataset:
    rng = random.Random(seed)
    countries = list(COUNTRIES)
    weights = list(COUNTRIES.values())
    cases, conditions = [], []
    for i in range(n):
        case_id = f"K{i:05d}"
        opened = rng.choice(
            [ON, ON + dt.timedelta(days=1), FIRST + dt.timedelta(days=rng.randint(0, 900))]
        )
        closed = None
        if rng.random() < 0.4:
            closed = rng.choice(
                [ON, ON - dt.timedelta(days=1), ON + dt.timedelta(days=1),
                 opened + dt.timedelta(days=rng.randint(0, 700))]
            )  # fmt: skip
            closed = max(closed, opened)
            if closed > EXTRACTED - dt.timedelta(days=1):
                closed = None
        cases.append(case(case_id, rng.choices(countries, weights)[0], opened, closed, "other"))
        last = min(closed or EXTRACTED, EXTRACTED - dt.timedelta(days=1))
        for condition in CONDITIONS:
            if rng.random() < 0.08:
                continue  # never observed: unknown
            days = {opened + dt.timedelta(days=rng.randint(0, max(0, (last - opened).days)))
                    for _ in range(rng.randint(1, 4))}  # fmt: skip
            if rng.random() < 0.3:
                days |= {ON, ON + dt.timedelta(days=1), opened}
            for day in sorted(d for d in days if d <= last):
                state = rng.choices(STATES, [70, 20, 10])[0]
                conditions.append(obs(case_id, day, condition, state))
    return Dataset(
        {
            Table.CASES: frame(Table.CASES, cases),
            Table.CONDITIONS: frame(Table.CONDITIONS, conditions),
        },
        DatasetMeta(source="tests", extracted_on=EXTRACTED),
    )

"""Instrument effects by difference in differences, on synthetic requests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from retour.analysis.effects import COLUMNS, Verdict, instrument_effects
from retour.domain.codes import InstrumentKind, InstrumentLevel, InstrumentStatus, Table
from retour.domain.dataset import empty_frame

from .synthetic import Country, generate

YEARS = (2020, 2021, 2022, 2023)
AS_OF = dt.date(2024, 1, 1)


def _instruments(rows: list[tuple[str, str, dt.date]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "instrument_id": [r[0] for r in rows],
            "country": [r[1] for r in rows],
            "kind": [InstrumentKind.VISA_MEASURE.value] * len(rows),
            "level": [InstrumentLevel.EU.value] * len(rows),
            "status": [InstrumentStatus.IN_FORCE.value] * len(rows),
            "start_on": [r[2] for r in rows],
            "end_on": [None] * len(rows),
            "title": ["Visa measures"] * len(rows),
            "source": [None] * len(rows),
        },
        schema=empty_frame(Table.INSTRUMENTS).schema,
    )
    return frame


@pytest.fixture(scope="module")
def effects() -> pl.DataFrame:
    rng = np.random.default_rng(4)
    countries = []
    for i in range(24):
        z = float(rng.normal(0.8, 0.9))
        drift = {y: z + float(rng.normal(0, 0.2)) for y in YEARS}
        countries.append(Country(f"X{chr(65 + i)}", z, float(rng.uniform(20, 120)),
                                 float(rng.uniform(0.02, 0.3)), 400, z_by_year=drift))  # fmt: skip
    # the treated country: from 2022 on its cooperation rises by 1.2 logit
    countries.append(Country("TT", 0.3, 40, 0.1, 600, z_by_year={2022: 1.5, 2023: 1.5}))
    countries.append(Country("PP", 0.6, 40, 0.1, 600))  # a placebo lands here
    data = generate(countries, YEARS, AS_OF, seed=8)
    instruments = _instruments(
        [
            ("I1", "TT", dt.date(2022, 1, 1)),
            ("I2", "PP", dt.date(2022, 1, 1)),
            ("I3", "TT", dt.date(2015, 6, 1)),  # long before the data
            ("I4", "ZZ", dt.date(2022, 1, 1)),  # no requests to ZZ
            ("I5", "PP", dt.date(2023, 11, 1)),  # after it, too little time
        ]
    )
    return instrument_effects(data.requests, instruments, AS_OF).table


def _row(effects: pl.DataFrame, instrument: str) -> dict[str, object]:
    return effects.filter(pl.col("instrument_id") == instrument).row(0, named=True)


def test_a_real_rise_is_an_increase_of_about_its_size(effects: pl.DataFrame) -> None:
    row = _row(effects, "I1")
    assert row["verdict"] == Verdict.INCREASE
    assert row["lower"] > 0  # type: ignore[operator]
    assert row["effect_logit"] == pytest.approx(1.2, abs=0.5)
    assert row["controls"] >= 8  # type: ignore[operator]
    assert row["note"] == "overlaps with I3" or row["note"] is None


def test_no_effect_is_no_clear_change(effects: pl.DataFrame) -> None:
    row = _row(effects, "I2")
    assert row["verdict"] == Verdict.NO_CLEAR_CHANGE
    assert row["lower"] < 0 < row["upper"]  # type: ignore[operator]


def test_what_the_data_cannot_tell_is_too_little_data(effects: pl.DataFrame) -> None:
    for instrument in ("I3", "I4", "I5"):
        row = _row(effects, instrument)
        assert row["verdict"] == Verdict.TOO_LITTLE_DATA
        assert row["effect"] is None and row["lower"] is None
        assert row["note"]


def test_columns(effects: pl.DataFrame) -> None:
    assert tuple(effects.columns) == COLUMNS
    assert set(effects["verdict"]) <= {
        Verdict.INCREASE, Verdict.DECREASE, Verdict.NO_CLEAR_CHANGE, Verdict.TOO_LITTLE_DATA,
    }  # fmt: skip


def test_no_instruments_no_rows() -> None:
    data = generate([Country("AA", 1.0, 30, 0.1, 100)], (2023,), AS_OF)
    table = instrument_effects(data.requests, _instruments([]), AS_OF).table
    assert table.is_empty() and tuple(table.columns) == COLUMNS

"""Due dates against an independent, row-by-row count of days with the holidays calendar."""

from __future__ import annotations

import datetime as dt

import holidays
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retour.domain.terms import due_dates

_NL = holidays.country_holidays("NL", years=range(2000, 2040))


def oracle(start: dt.date, days: int, working: bool) -> dt.date:
    """Step one day at a time; count a day if it is of the term's count."""
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if not working or (day.weekday() < 5 and day not in _NL):
            counted += 1
    return day


# Dates that matter: year ends, Easter, King's Day (and Queen's Day before 2014), Christmas.
_SPECIAL = [
    dt.date(y, m, d)
    for y in range(2012, 2027)
    for m, d in ((12, 31), (12, 24), (1, 1), (4, 26), (4, 27), (4, 30), (5, 5), (12, 27))
] + [e for e, name in _NL.items() if "Easter" in name or "Good Friday" in name]

starts = st.one_of(
    st.dates(dt.date(2012, 1, 1), dt.date(2030, 12, 31)),
    st.sampled_from(sorted(_SPECIAL)).flatmap(
        lambda d: st.integers(-6, 6).map(lambda k: d + dt.timedelta(days=k))
    ),
)
rows = st.lists(st.tuples(starts, st.integers(1, 365), st.booleans()), min_size=1, max_size=60)


@settings(max_examples=300)
@given(rows)
def test_due_dates_equal_a_day_by_day_count(rows: list[tuple[dt.date, int, bool]]) -> None:
    start = np.array([r[0] for r in rows], dtype="datetime64[D]")
    days = np.array([r[1] for r in rows], dtype=np.int64)
    working = np.array([r[2] for r in rows])
    got = due_dates(start, days, working).astype(dt.date).tolist()
    assert got == [oracle(*r) for r in rows]


@pytest.mark.parametrize(
    ("start", "days", "working", "due"),
    [
        pytest.param(dt.date(2024, 4, 26), 1, True, dt.date(2024, 4, 29), id="kings-day-saturday"),
        pytest.param(dt.date(2023, 4, 26), 1, True, dt.date(2023, 4, 28), id="kings-day-thursday"),
        pytest.param(dt.date(2024, 3, 28), 1, True, dt.date(2024, 4, 2), id="easter"),
        pytest.param(dt.date(2024, 12, 24), 2, True, dt.date(2024, 12, 30), id="christmas"),
        pytest.param(dt.date(2023, 12, 29), 1, True, dt.date(2024, 1, 2), id="year-end"),
        pytest.param(dt.date(2024, 4, 27), 1, True, dt.date(2024, 4, 29), id="start-on-holiday"),
        pytest.param(dt.date(2023, 12, 31), 1, False, dt.date(2024, 1, 1), id="calendar-year-end"),
        pytest.param(dt.date(2024, 2, 28), 30, False, dt.date(2024, 3, 29), id="calendar-leap"),
    ],
)
def test_known_due_dates(start: dt.date, days: int, working: bool, due: dt.date) -> None:
    got = due_dates(np.array([start], "datetime64[D]"), np.array([days]), np.array([working]))
    assert got.astype(dt.date).tolist() == [due] == [oracle(start, days, working)]


def test_missing_starts_and_limits_give_no_due_date() -> None:
    start = np.array(["2024-01-05", "NaT", "2024-01-05"], dtype="datetime64[D]")
    got = due_dates(start, np.array([3, 3, 0]), np.array([True, True, False]))
    assert str(got[0]) == "2024-01-10"
    assert np.isnat(got[1:]).all()

"""Due dates under agreed time limits (retour/2 terms), for whole columns at once.

A term's limit counts days after a start (the submission, or a positive answer): day 1 is
the first day after it of that count. Calendar days count every day. Working days are
Monday to Friday less the public holidays of the Netherlands as the `holidays` package
knows them (New Year, Good Friday, Easter Monday, King's Day, Ascension, Whit Monday,
Christmas, and Liberation Day in the years it is a day off for everyone).

Why numpy's `busday_offset` with roll="backward": a start on a weekend or holiday first
rolls back to the working day before it, and adding n working days from there lands on the
n-th working day *after* the start, which is exactly "day 1 is the first working day after".
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt

from retour.domain.codes import InstrumentKind, InstrumentStatus

#: The instrument kinds that may set terms (CONTRACT.md, retour/2).
TERM_KINDS: Final = (
    InstrumentKind.READMISSION_AGREEMENT.value,
    InstrumentKind.WORKING_ARRANGEMENT.value,
)
#: The instrument statuses under which its terms apply.
TERM_STATUSES: Final = (InstrumentStatus.IN_FORCE.value, InstrumentStatus.ENDED.value)

#: numpy's day unit, as the frames hand dates over.
DAY = "datetime64[D]"


@lru_cache(maxsize=8)
def dutch_holidays(first_year: int, last_year: int) -> npt.NDArray[np.datetime64]:
    """The public holidays of the Netherlands from first_year to last_year, sorted."""
    import holidays  # when due dates are computed, not whenever the rules are loaded

    days = holidays.country_holidays("NL", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype=DAY)


@lru_cache(maxsize=8)
def _calendar(first_year: int, last_year: int) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=dutch_holidays(first_year, last_year))


def due_dates(
    start: npt.NDArray[np.datetime64],
    days: npt.NDArray[np.int64],
    working: npt.NDArray[np.bool_],
) -> npt.NDArray[np.datetime64]:
    """The last day of each limit: `days` calendar or (where `working`) working days after
    `start`. NaT where start or days is missing (days < 1 counts as missing)."""
    start = np.asarray(start, dtype=DAY)
    days = np.asarray(days, dtype=np.int64)
    working = np.asarray(working, dtype=np.bool_)
    valid = ~np.isnat(start) & (days >= 1)
    due = np.full(start.shape, np.datetime64("NaT"), dtype=DAY)
    if not valid.any():
        return due
    due[valid] = start[valid] + days[valid].astype("timedelta64[D]")
    chosen = valid & working
    if chosen.any():
        first, last = _years(start[chosen], days[chosen])
        due[chosen] = np.busday_offset(
            start[chosen], days[chosen], roll="backward", busdaycal=_calendar(first, last)
        )
    return due


def _years(start: npt.NDArray[np.datetime64], days: npt.NDArray[np.int64]) -> tuple[int, int]:
    """The years a calendar must cover: from the earliest start to a margin past the latest
    (365 working days are under 18 months)."""
    first = int(start.min().astype("datetime64[Y]").astype(int)) + 1970
    last = int(start.max().astype("datetime64[Y]").astype(int)) + 1970
    return first, last + 1 + int(days.max()) // 200

"""An independent count of the five conditions from the exported CSV files.

Plain Python -- the csv module, datetime, dictionaries -- and none of retour's Polars or
SQL code: for each case open on the date, each condition's latest observation on or before
it, no observation meaning unknown.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

CONDITIONS = ("removable", "country_cooperates", "identity", "available", "alien_cooperates")


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    path = folder / f"{table}.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def states_on(folder: Path, on: dt.date) -> dict[str, tuple[str, dict[str, str]]]:
    """case_id -> (nationality, {condition: state}) for the cases open on ``on``."""
    latest: dict[tuple[str, str], tuple[dt.date, str]] = {}
    for row in rows(folder, "conditions"):
        day = _date(row["observed_on"])
        assert day is not None
        if day > on:
            continue
        key = (row["case_id"], row["condition"])
        if key not in latest or latest[key][0] < day:
            latest[key] = (day, row["state"])
    out = {}
    for row in rows(folder, "cases"):
        opened, closed = _date(row["opened_on"]), _date(row["closed_on"])
        assert opened is not None
        if opened > on or (closed is not None and closed <= on):
            continue
        states = {c: latest.get((row["case_id"], c), (on, "unknown"))[1] for c in CONDITIONS}
        out[row["case_id"]] = (row["nationality"], states)
    return out


def counts(folder: Path, on: dt.date) -> dict[str, Counter[str]]:
    """nationality -> Counter of open_cases, all_green, <condition>_not_green and
    only_<condition>; the key "total" sums all nationalities."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for nationality, states in states_on(folder, on).values():
        blocked = [c for c in CONDITIONS if states[c] != "green"]
        for key in (nationality, "total"):
            out[key]["open_cases"] += 1
            out[key]["all_green"] += not blocked
            for c in blocked:
                out[key][f"{c}_not_green"] += 1
            if len(blocked) == 1:
                out[key][f"only_{blocked[0]}"] += 1
    return out


def month_ends(first: int, last: int) -> list[dt.date]:
    ends = []
    for year in range(first, last + 1):
        for month in range(1, 13):
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            ends.append(following - dt.timedelta(days=1))
    return ends


def monthly(folder: Path, first: int, last: int) -> dict[tuple[str, str], int]:
    """(month end ISO, nationality or "total") -> all-green cases, every month counted anew."""
    out: dict[tuple[str, str], int] = Counter()
    for end in month_ends(first, last):
        for key, counter in counts(folder, end).items():
            out[(end.isoformat(), key)] = counter["all_green"]
    return out

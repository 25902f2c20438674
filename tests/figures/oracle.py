"""An independent recount of the figures from the exported CSV files.

Plain Python: the ``csv`` module, ``datetime`` and ``collections.Counter``; none of retour's
Polars or SQL code. Each function returns a Counter from a tuple of the asked dimensions
(as strings; years as int) to an exact count.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

Key = tuple[object, ...]


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _year(text: str) -> int | None:
    return dt.date.fromisoformat(text).year if text else None


def _key(row: dict[str, object], by: Sequence[str]) -> Key:
    return tuple(row[d] for d in by)


def requests(
    folder: Path,
    by: Sequence[str],
    years: Iterable[int],
    kinds: Iterable[str] = ("LP", "TO"),
    cohort: str = "submitted",
    outcomes: Iterable[str] = ("positive", "negative", "withdrawn", "pending"),
) -> Counter[Key]:
    wanted_years, wanted_kinds, wanted_outcomes = set(years), set(kinds), set(outcomes)
    counts: Counter[Key] = Counter()
    for row in rows(folder, "requests"):
        year = _year(row["submitted_on"] if cohort == "submitted" else row["outcome_on"])
        if year not in wanted_years or row["kind"] not in wanted_kinds:
            continue
        if row["outcome"] not in wanted_outcomes:
            continue
        counts[_key({**row, "year": year}, by)] += 1
    return counts


def not_confirmed(
    folder: Path, kind: str, years: Iterable[int]
) -> dict[tuple[str, str], float | None]:
    """The share not confirmed of the requests of ``kind``: (negative + withdrawn) /
    (positive + negative + withdrawn), per (country, year), per country over all years
    (year ``total``), per year over all countries (country ``total``) and over both;
    None where no request was answered or withdrawn."""
    wanted = set(years)
    countries: set[str] = set()
    answered: Counter[tuple[str, str]] = Counter()
    refused: Counter[tuple[str, str]] = Counter()
    for row in rows(folder, "requests"):
        year = _year(row["submitted_on"])
        if year not in wanted or row["kind"] != kind:
            continue
        countries.add(row["country"])
        for key in itertools.product((row["country"], "total"), (str(year), "total")):
            if row["outcome"] in ("positive", "negative", "withdrawn"):
                answered[key] += 1
                refused[key] += row["outcome"] != "positive"
    # a country with a request in any of the years has a share in every one of them
    keys = itertools.product([*countries, "total"], [*map(str, sorted(wanted)), "total"])
    return {key: refused[key] / answered[key] if answered[key] else None for key in keys}


def _nationalities(folder: Path) -> dict[str, str]:
    return {row["case_id"]: row["nationality"] for row in rows(folder, "cases")}


def detentions(
    folder: Path, by: Sequence[str], years: Iterable[int], within: int = 30
) -> tuple[Counter[Key], Counter[Key]]:
    """(ended, released and followed by an unsupervised departure within ``within`` days)."""
    wanted = set(years)
    nationality = _nationalities(folder)
    unsupervised: dict[str, list[dt.date]] = {}
    for row in rows(folder, "departures"):
        if row["type"] == "unsupervised":
            unsupervised.setdefault(row["case_id"], []).append(
                dt.date.fromisoformat(row["departed_on"])
            )
    ended: Counter[Key] = Counter()
    followed: Counter[Key] = Counter()
    for row in rows(folder, "detentions"):
        if not row["ended_on"]:
            continue
        end = dt.date.fromisoformat(row["ended_on"])
        if end.year not in wanted:
            continue
        values = {**row, "year": end.year, "nationality": nationality[row["case_id"]]}
        ended[_key(values, by)] += 1
        if row["end_reason"] == "removed":
            continue
        days = [(day - end).days for day in unsupervised.get(row["case_id"], [])]
        if any(0 <= d <= within for d in days):
            followed[_key(values, by)] += 1
    return ended, followed


def departures(folder: Path, by: Sequence[str], years: Iterable[int]) -> Counter[Key]:
    wanted = set(years)
    nationality = _nationalities(folder)
    counts: Counter[Key] = Counter()
    for row in rows(folder, "departures"):
        year = _year(row["departed_on"])
        if year not in wanted:
            continue
        values = {**row, "year": year, "nationality": nationality[row["case_id"]]}
        counts[_key(values, by)] += 1
    return counts

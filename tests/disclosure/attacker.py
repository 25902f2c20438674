"""A reader who tries to give back counts from published shares, written independently of
retour.disclosure.

What the reader knows: the rules (``suppress_below``, ``round_to``), the published rounded
number of requests ``N`` of a row and a published share ``s`` of it. What the reader tries:
every number of requests ``n`` that rounds to ``N`` (a shown count is rounded half up and a
non-zero count never to 0) and every count ``k`` with ``k / n`` equal to ``s`` within the
precision the share was published at (``tolerance``: 1e-9 for a number in JSON, half a
percent for a whole percentage). The share *pins a small count* when every such ``k`` lies in
``1 .. suppress_below - 1``, or every complement ``n - k`` does: the reader then knows that
a count under the threshold is behind the share, and a table would have said only "<5".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The shares and rates of an assessment row, each a share of (at most) its requests.
ASSESSMENT_SHARES = (
    "answer_rate_90d",
    "confirmation_observed",
    "confirmation_expected",
    "document_within_30d",
    "naive_positive_share",
)
EXACT = 1e-9
PERCENT = 0.005 + 1e-9


def rounded(count: int, round_to: int) -> int:
    """A count as a table shows it: half up to a multiple of ``round_to``, never to 0."""
    if count == 0 or round_to == 1:
        return count
    return max((count + round_to // 2) // round_to * round_to, round_to)


def requests_behind(shown: int, round_to: int) -> np.ndarray:
    """Every count that is shown as ``shown`` after rounding to ``round_to``."""
    if shown == 0:
        return np.array([0])
    low = 1 if shown == round_to else shown - round_to // 2
    high = shown + round_to - round_to // 2 - 1
    return np.arange(max(low, 1), high + 1)


@dataclass(frozen=True)
class Reading:
    """What the reader got from one share: the numerators and complements it allows."""

    numerators: frozenset[int]
    complements: frozenset[int]

    def pins_small(self, below: int) -> bool:
        small = set(range(1, below))
        return any(bool(found) and found <= small for found in (self.numerators, self.complements))


def read_share(share: float, shown_n: int, round_to: int, tolerance: float) -> Reading:
    """Every (k, n) consistent with a share ``share`` of a row of ``shown_n`` requests."""
    numerators: set[int] = set()
    complements: set[int] = set()
    for n in requests_behind(shown_n, round_to).tolist():
        low = max(math.ceil((share - tolerance) * n), 0)
        high = min(math.floor((share + tolerance) * n), n)
        numerators.update(range(low, high + 1))
        complements.update(n - k for k in range(low, high + 1))
    return Reading(frozenset(numerators), frozenset(complements))


def pinned_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    shares: Iterable[str] = ASSESSMENT_SHARES,
    count: str = "n_requests",
    below: int = 5,
    round_to: int = 10,
    tolerance: float = EXACT,
) -> list[tuple[Mapping[str, Any], str]]:
    """The rows (with the share) of which some published share pins a count under ``below``."""
    found = []
    columns = tuple(shares)
    for row in rows:
        n = row.get(count)
        if n is None:
            continue
        for column in columns:
            value = row.get(column)
            if value is None:
                continue
            if read_share(float(value), int(n), round_to, tolerance).pins_small(below):
                found.append((row, column))
                break
    return found

"""The public press workbook read as one whole by an attacker.

Each table of the workbook is protected on its own (retour.disclosure). Its sheets share
their counts: a year's negative answers on sheet 1 are the sum of the countries' on sheets
2 and 3 and of the reasons' on sheet 4; on a country sheet, a country's requests made in a
year (one table) are the sum of its answers that year (another table). The shares not
confirmed on the country sheets are computed from the figures shown beside them, and
hidden where one of those is hidden: the test checks exactly that, so they tell the
attacker nothing more. Here a linear-programming attacker takes every
published figure of all sheets together -- a rounded figure ``v`` says the count lies in
``v - 5 .. v + 4`` (rounded half up, never to 0), ``0`` is 0, ``<5`` is 1..4, ``x`` at
least 1 -- and, for every hidden cell, finds the smallest and the largest count consistent
with all of it. No hidden cell may come out as one number.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from .check import TOTAL, Cells
from .conftest import Loaded
from .test_press import (
    answers_of,
    assert_shares_follow_the_figures,
    countries_of,
    grids_of,
    press,
    reasons_of,
)

KINDS = ("LP", "TO")
REFUSALS = ("negative", "withdrawn")
OTHERS = ("positive", "pending")
SHEET = {"LP": "LP per land", "TO": "T&O per land"}
HIDDEN = ("<5", "x")


#: The reason of an answer that has none (positive, pending).
NO_REASON = "-"


class Attacker:
    """Unknown counts (a variable per kind, country, answer, reason and year; the answers
    without a reason have one, ``-``) and what the workbook says of them."""

    def __init__(self, countries: Sequence[str], reasons: dict[tuple[str, str], list[str]],
                 years: Sequence[str]) -> None:  # fmt: skip
        self.years = list(years)
        reasons = reasons | {(k, o): [NO_REASON] for k in KINDS for o in OTHERS}
        keys: list[tuple[str, ...]] = [
            (kind, country, outcome, reason, year)
            for kind, outcome in itertools.product(KINDS, (*REFUSALS, *OTHERS))
            for country in countries
            for reason in reasons.get((kind, outcome), [])
            for year in years
        ]
        self.index = {key: i for i, key in enumerate(keys)}
        self.rows: list[np.ndarray] = []
        self.low: list[float] = []
        self.high: list[float] = []
        self.hidden: list[tuple[str, np.ndarray]] = []
        self._system: tuple[sparse.csr_matrix, np.ndarray] | None = None

    def form(self, match: dict[int, Iterable[str]], width: int = 5) -> np.ndarray:
        """The sum of the variables whose key (of ``width`` parts) has, at each position
        in ``match``, one of the values given."""
        row = np.zeros(len(self.index))
        for key, i in self.index.items():
            if len(key) == width and all(key[p] in values for p, values in match.items()):
                row[i] = 1.0
        return row

    def says(self, name: str, shown: str, row: np.ndarray) -> None:
        assert row.any(), f"{name}: no count stands behind it"
        if shown == "<5":
            bounds = (1.0, 4.0)
        elif shown == "x":
            bounds = (1.0, np.inf)
        elif int(shown) == 0:
            bounds = (0.0, 0.0)
        else:
            bounds = (max(1.0, int(shown) - 5.0), int(shown) + 4.0)
        self._system = None
        self.rows.append(row)
        self.low.append(bounds[0])
        self.high.append(bounds[1])
        if shown in HIDDEN:
            self.hidden.append((name, row))

    def says_share(self, share: float, precision: float, refused: np.ndarray,
                   answered: np.ndarray) -> None:  # fmt: skip
        """A share of the *exact* counts, printed to ``precision``: refused / answered
        within half of it -- two linear constraints (answered > 0)."""
        half = precision / 2
        self.rows.append(refused - (share + half) * answered)  # refused <= (s + h) answered
        self.rows.append((share - half) * answered - refused)  # refused >= (s - h) answered
        self.low += [-np.inf, -np.inf]
        self.high += [0.0, 0.0]
        self._system = None

    def years_of(self, year: str) -> list[str]:
        return self.years if year == TOTAL else [year]

    def narrowest(self, row: np.ndarray) -> tuple[float, float]:
        """The smallest and largest value of ``row`` consistent with everything said."""
        if self._system is None:
            matrix = sparse.csr_matrix(np.array(self.rows))
            high, low = np.array(self.high), np.array(self.low)
            above, below = np.isfinite(high), np.isfinite(low)
            a_ub = sparse.vstack([matrix[above], -matrix[below]], format="csr")
            b_ub = np.concatenate([high[above], -low[below]])
            self._system = (a_ub, b_ub)
        a_ub, b_ub = self._system
        ends = []
        for sign in (1.0, -1.0):
            result = linprog(sign * row, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
            assert result.status in (0, 3), result.message  # solved, or unbounded above
            ends.append(sign * result.fun if result.status == 0 else np.inf)
        return ends[0], ends[1]


def _answers(answer: str) -> Sequence[str]:
    """The answers a column counts: one, or all four (``total``: every request made)."""
    return (*REFUSALS, *OTHERS) if answer == TOTAL else (answer,)


def _sheet_one(attacker: Attacker, cells: Cells, kind: str) -> None:
    for (year, answer), shown in cells.items():
        row = attacker.form({0: [kind], 2: _answers(answer), 4: attacker.years_of(year)})
        attacker.says(f"totals {kind} {year} {answer}", shown, row)


def _country_sheet(attacker: Attacker, cells: Cells, kind: str) -> None:
    """Every figure of a country sheet: per country (or all, on the totals row), answer
    (or every request made) and year (or all years)."""
    for (country, answer, year), shown in cells.items():
        match: dict[int, Iterable[str]] = {0: [kind], 2: _answers(answer)}
        match[4] = attacker.years_of(year)
        if country != TOTAL:
            match[1] = [country]
        attacker.says(f"{kind} {country} {answer} {year}", shown, attacker.form(match))


def _reasons_sheet(attacker: Attacker, cells: Cells) -> None:
    for (kind, outcome, reason, year), shown in cells.items():
        match: dict[int, Iterable[str]] = {2: REFUSALS, 4: attacker.years_of(year)}
        if kind != TOTAL:
            match |= {0: [kind], 2: [outcome], 3: [reason]}
        attacker.says(f"reasons {kind} {outcome} {reason} {year}", shown, attacker.form(match))


@pytest.mark.slow
def test_no_hidden_cell_of_the_workbook_can_be_pinned_from_all_its_sheets(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "public.xlsx"
    assert press(capsys, path, "--profile", "public", "--confidential", "MA,DZ")[0] == 0
    grids = grids_of(path)
    answers = {kind: answers_of(grids["Totalen"], k) for k, kind in enumerate(KINDS)}
    countries = {kind: countries_of(grids[SHEET[kind]]) for kind in KINDS}
    for kind in KINDS:  # the shares add nothing to the figures: checked, then left out
        assert_shares_follow_the_figures(grids[SHEET[kind]])
    reasons = reasons_of(grids["Redenen"], "nl")
    years = sorted({k[-1] for k in reasons} - {TOTAL})
    listed = sorted({k[0] for cells in countries.values() for k in cells} - {TOTAL})
    by_answer: dict[tuple[str, str], list[str]] = {}
    for kind, outcome, reason, _ in reasons:
        if kind != TOTAL and reason not in by_answer.setdefault((kind, outcome), []):
            by_answer[(kind, outcome)].append(reason)
    attacker = Attacker(listed, by_answer, years)
    for kind in KINDS:
        _sheet_one(attacker, answers[kind], kind)
        _country_sheet(attacker, countries[kind], kind)
    _reasons_sheet(attacker, reasons)
    assert len(attacker.hidden) >= 10, "the test data should make the profile hide cells"
    pinned = {}
    for name, row in attacker.hidden:
        low, high = attacker.narrowest(row)
        if high - low < 1.0 - 1e-6:
            pinned[name] = (low, high)
    assert not pinned, f"hidden cells the sheets together give away: {pinned}"


def test_the_attacker_finds_what_the_sheets_give_away_together() -> None:
    """Four countries' "<5" on a country sheet, and "<5" for their sum on sheet 1: each
    must be 1 -- no single sheet says so."""
    countries = ["AF", "ER", "NG", "SO"]
    attacker = Attacker(countries, {("TO", "negative"): ["other"]}, ["2020"])
    for country in countries:
        row = attacker.form({0: ["TO"], 1: [country], 2: ["negative"]})
        attacker.says(f"TO {country} negative 2020", "<5", row)
    attacker.says("totals TO 2020 negative", "<5", attacker.form({0: ["TO"], 2: ["negative"]}))
    assert attacker.narrowest(attacker.hidden[0][1]) == pytest.approx((1.0, 1.0))
    lone = Attacker(countries, {("TO", "negative"): ["other"]}, ["2020"])
    lone.says("TO AF negative 2020", "<5", lone.form({1: ["AF"]}))
    assert lone.narrowest(lone.hidden[0][1]) == pytest.approx((1.0, 4.0))


def test_a_share_of_the_exact_counts_would_give_a_hidden_count_away() -> None:
    """20 positive (rounded: 15..24) and "<5" negative: the exact share 9.1% (2 of 22)
    leaves the negative answers one number. The workbook shows "x" for such a share
    (tests above): it is computed from the figures shown only, and hidden with them."""
    attacker = Attacker(["AF"], {("TO", "negative"): ["other"]}, ["2020"])
    positive = attacker.form({2: ["positive"]})
    negative = attacker.form({2: ["negative"]})
    attacker.says("TO AF positive 2020", "20", positive)
    attacker.says("TO AF negative 2020", "<5", negative)
    assert attacker.narrowest(negative)[1] - attacker.narrowest(negative)[0] >= 3 - 1e-6
    attacker.says_share(2 / 22, 0.001, negative, positive + negative)
    low, high = attacker.narrowest(negative)
    assert high - low < 1.0 and low <= 2.0 <= high

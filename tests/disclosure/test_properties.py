"""Properties of the three profiles on random tables, and an attacker who solves LPs.

The attacker knows the additive structure of the table (rows, columns, totals), what each
shown figure means, and -- for the guarantee -- every shown figure exactly. For each hidden
cell it minimises and maximises the cell over everything consistent with that knowledge
(scipy's linprog). The guarantee of retour.disclosure.suppression is that the range is never
a single value; the same must then hold for the weaker, rounded knowledge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from retour.disclosure import (
    IS_TOTAL,
    OTHER_COUNTRIES,
    CellStatus,
    DisclosedTable,
    DisclosureRules,
    Profile,
    disclose_table,
)
from retour.disclosure.suppression import LinkedCells, audit

COUNTRIES = ["AF", "DZ", "ET", "IQ", "MA", "NG", "SO", "SY", "XK", "UNK"]
OUTCOMES = ["positive", "negative", "withdrawn", "pending", "a", "b", "c", "d"]
Matrix = npt.NDArray[np.int64]

#: Skewed towards small counts: zeros, ones (the labels' lower bound), "<5" counts, counts at
#: and just above the threshold, and some large ones.
counts = st.one_of(
    st.just(0),
    st.just(1),
    st.integers(1, 4),
    st.integers(5, 7),
    st.integers(0, 60),
    st.integers(0, 3000),
)


@dataclass(frozen=True)
class Case:
    frame: pl.DataFrame  # long: country, outcome, n
    confidential: frozenset[str]
    two_d: bool


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n_rows = draw(st.integers(1, 8))
    n_cols = draw(st.integers(1, 8))
    countries = draw(
        st.lists(st.sampled_from(COUNTRIES), min_size=n_rows, max_size=n_rows, unique=True)
    )
    values = draw(st.lists(counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    keep_zeros = draw(st.booleans())
    rows = [
        (country, OUTCOMES[j], values[i * n_cols + j])
        for i, country in enumerate(countries)
        for j in range(n_cols)
    ]
    frame = pl.DataFrame(rows, schema=["country", "outcome", "n"], orient="row")
    if not keep_zeros:  # missing combinations count as 0
        frame = frame.filter(pl.col("n") > 0)
    confidential = frozenset(draw(st.sets(st.sampled_from(COUNTRIES), max_size=4)))
    return Case(frame, confidential, draw(st.booleans()))


public_rules = st.builds(
    DisclosureRules,
    st.just(Profile.PUBLIC),
    st.just(frozenset()),
    st.sampled_from([5, 5, 5, 3, 10]),
    st.sampled_from([10, 10, 10, 1, 5, 100]),
)


def disclose(case: Case, rules: DisclosureRules) -> DisclosedTable:
    column = "outcome" if case.two_d else None
    return disclose_table(case.frame, rows=["country"], column=column, rules=rules)


def grid(table: DisclosedTable, frame: pl.DataFrame) -> npt.NDArray[np.object_]:
    """The (R+1) x (C+1) cells of a wide frame, totals last (one column for a list)."""
    return np.array(frame.select(table.value_columns).rows(), dtype=object)


def lines(shape: tuple[int, int], two_d: bool) -> Matrix:
    """One equation per additive line: cells minus the line's total is 0."""
    index = np.arange(shape[0] * shape[1]).reshape(shape)
    groups = [index[:, j] for j in range(shape[1])]
    if two_d:
        groups += [index[i, :] for i in range(shape[0])]
    equations = np.zeros((len(groups), index.size), dtype=np.int64)
    for row, group in enumerate(groups):
        equations[row, group[:-1]] = 1
        equations[row, group[-1]] = -1
    return equations


def reader_bounds(
    status: str, shown: int | None, exact: int, rules: DisclosureRules, knows_shown_exactly: bool
) -> tuple[int, int | None]:
    """What the attacker knows of one cell, derived here independently of the module."""
    below, step = rules.suppress_below, rules.round_to
    if status == CellStatus.SUPPRESSED_PRIMARY:
        return 1, below - 1
    if status == CellStatus.SUPPRESSED_SECONDARY:  # stronger than the label "x" tells
        return (below if exact >= below else 1), None
    assert shown is not None
    if status == CellStatus.EXACT or knows_shown_exactly:
        return exact, exact
    half = step // 2
    low = shown - half if shown > step else 1  # a count under step/2 is shown as step
    return max(low, below), shown + step - half - 1


def feasible_ranges(
    table: DisclosedTable, knows_shown_exactly: bool
) -> dict[tuple[int, int], tuple[float, float]]:
    """For every hidden cell, its minimum and maximum over all consistent tables."""
    status = grid(table, table.status)
    shown = grid(table, table.shown)
    exact = grid(table, table.audit_exact())
    equations = lines(status.shape, table.column is not None)
    bounds = [
        reader_bounds(s, v, x, table.rules, knows_shown_exactly)
        for s, v, x in zip(status.ravel(), shown.ravel(), exact.ravel(), strict=True)
    ]
    truth = exact.ravel().astype(float)
    assert np.allclose(equations @ truth, 0)
    for (low, high), x in zip(bounds, truth, strict=True):
        assert low <= x and (high is None or x <= high), "the truth must be consistent"
    ranges = {}
    for k, s in enumerate(status.ravel()):
        if s not in (CellStatus.SUPPRESSED_PRIMARY, CellStatus.SUPPRESSED_SECONDARY):
            continue
        objective = np.zeros(len(bounds))
        objective[k] = 1
        low = linprog(objective, A_eq=equations, b_eq=np.zeros(len(equations)), bounds=bounds)
        high = linprog(-objective, A_eq=equations, b_eq=np.zeros(len(equations)), bounds=bounds)
        assert low.status == 0 and high.status in (0, 3), (low.message, high.message)
        top = np.inf if high.status == 3 else -high.fun
        ranges[divmod(k, status.shape[1])] = (low.fun, top)
    return ranges


# --- internal and parliament ---------------------------------------------------------


def exact_pivot(case: Case, pooled: bool) -> pl.DataFrame:
    frame = case.frame
    if pooled:
        secret = pl.col("country").is_in(sorted(case.confidential))
        frame = frame.with_columns(
            pl.when(secret).then(pl.lit(OTHER_COUNTRIES)).otherwise("country").alias("country")
        )
    return frame.group_by("country").agg(pl.col("n").sum())


@given(cases())
def test_internal_shows_every_count_exactly(case: Case) -> None:
    rules = DisclosureRules(Profile.INTERNAL, case.confidential)
    table = disclose(case, rules)
    assert table.shown.equals(table.audit_exact())
    assert set(grid(table, table.status).ravel()) <= {CellStatus.EXACT}
    named = table.shown.filter(~pl.col(IS_TOTAL))
    last = table.value_columns[-1]
    expected = exact_pivot(case, pooled=False)
    assert (
        named.select("country", pl.col(last).alias("n"))
        .sort("country")
        .equals(expected.sort("country"))
    )
    assert table.notes == ()


@given(cases())
def test_parliament_pools_exactly_and_names_no_confidential_country(case: Case) -> None:
    rules = DisclosureRules(Profile.PARLIAMENT, case.confidential)
    table = disclose(case, rules)
    shown_countries = set(table.shown["country"].drop_nulls())
    assert not shown_countries & case.confidential
    assert table.shown.equals(table.audit_exact())
    last = table.value_columns[-1]
    expected = exact_pivot(case, pooled=bool(case.confidential))
    named = table.shown.filter(~pl.col(IS_TOTAL)).select("country", pl.col(last).alias("n"))
    assert named.sort("country").equals(expected.sort("country"))
    grand = table.shown.filter(pl.col(IS_TOTAL))[last].item()
    assert grand == case.frame["n"].sum()
    display = table.to_display_frame("en")
    assert not set(display["country"]) & case.confidential
    assert ("other countries" in set(display["country"])) == (OTHER_COUNTRIES in shown_countries)


# --- public --------------------------------------------------------------------------


@given(cases(), public_rules)
@settings(max_examples=150)
def test_public_rounds_and_suppresses_every_small_count(case: Case, rules: DisclosureRules) -> None:
    table = disclose(case, rules)
    status = grid(table, table.status)
    shown = grid(table, table.shown)
    exact = grid(table, table.audit_exact())
    hidden = np.isin(status, [CellStatus.SUPPRESSED_PRIMARY, CellStatus.SUPPRESSED_SECONDARY])
    small = (exact >= 1) & (exact < rules.suppress_below)
    assert (hidden == (shown == None)).all()  # noqa: E711 -- elementwise on an object array
    assert hidden[small].all(), "every count 1..suppress_below-1 is hidden"
    assert not hidden[exact == 0].any(), "zero is never hidden"
    assert (exact[status == CellStatus.SUPPRESSED_PRIMARY] < rules.suppress_below).all()
    visible = ~hidden
    assert all(v % rules.round_to == 0 for v in shown[visible])
    assert ((shown[visible] == 0) == (exact[visible] == 0)).all(), "a shown 0 is a true 0"
    near = np.abs(
        shown[visible & (exact >= rules.round_to)] - exact[visible & (exact >= rules.round_to)]
    )
    assert (near <= rules.round_to / 2).all()
    expected = {CellStatus.ROUNDED} if rules.round_to > 1 else {CellStatus.EXACT}
    assert set(status[visible & (exact > 0)]) <= expected


@given(cases(), public_rules)
@settings(max_examples=150)
def test_public_never_leaves_one_hidden_cell_in_a_line(case: Case, rules: DisclosureRules) -> None:
    """Every row and column -- totals row and column included -- counting its own total."""
    table = disclose(case, rules)
    status = grid(table, table.status)
    hidden = np.isin(status, [CellStatus.SUPPRESSED_PRIMARY, CellStatus.SUPPRESSED_SECONDARY])
    per_line = [hidden[:, j].sum() for j in range(hidden.shape[1])]
    if table.column is not None:
        per_line += [hidden[i, :].sum() for i in range(hidden.shape[0])]
    assert 1 not in per_line


@given(cases(), public_rules)
@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_attacker_cannot_recompute_any_hidden_cell(case: Case, rules: DisclosureRules) -> None:
    """The guarantee: even knowing every shown figure exactly, no hidden cell is pinned.

    Then, a fortiori, with the rounded figures the reader actually gets.
    """
    table = disclose(case, rules)
    for knows_shown_exactly in (True, False):
        for where, (low, high) in feasible_ranges(table, knows_shown_exactly).items():
            assert high - low >= 1 - 1e-7, (where, low, high, knows_shown_exactly)


@given(cases(), public_rules)
def test_same_table_gives_same_pattern(case: Case, rules: DisclosureRules) -> None:
    first = disclose(case, rules)
    shuffled = Case(
        case.frame.sample(fraction=1, shuffle=True, seed=7), case.confidential, case.two_d
    )
    again = disclose(shuffled, rules)
    assert first.shown.equals(again.shown)
    assert first.status.equals(again.status)
    assert first.notes == again.notes


@given(cases(), st.sampled_from([5, 3]), st.sampled_from([10, 1]))
def test_public_applies_the_parliament_pooling(case: Case, below: int, step: int) -> None:
    rules = DisclosureRules(Profile.PUBLIC, case.confidential, below, step)
    table = disclose(case, rules)
    assert not set(table.shown["country"].drop_nulls()) & case.confidential
    grand = table.audit_exact().filter(pl.col(IS_TOTAL))[table.value_columns[-1]].item()
    assert grand == case.frame["n"].sum()


# --- the audit itself, against the LP, on arbitrary patterns -------------------------


@st.composite
def patterns(draw: st.DrawFn) -> tuple[Matrix, list[CellStatus | None], bool]:
    """A random table and a random hiding pattern (safe or not) honouring the labels."""
    two_d = draw(st.booleans())
    n_rows, n_cols = draw(st.integers(1, 5)), draw(st.integers(1, 5)) if two_d else 1
    values = draw(st.lists(counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    inner = np.array(values, dtype=np.int64).reshape(n_rows, n_cols)
    cells = LinkedCells.grid(inner) if two_d else LinkedCells.line(inner[:, 0])
    statuses: list[CellStatus | None] = []
    for x in cells.value.tolist():
        if x == 0:
            statuses.append(None)
        elif x < 5:
            statuses.append(
                draw(
                    st.sampled_from(
                        [CellStatus.SUPPRESSED_PRIMARY] * 3 + [CellStatus.SUPPRESSED_SECONDARY]
                    )
                )
            )
        else:
            statuses.append(draw(st.sampled_from([None, CellStatus.SUPPRESSED_SECONDARY])))
    return inner, statuses, two_d


@given(patterns())
@settings(max_examples=200, deadline=None)
def test_audit_agrees_with_the_linear_program(
    pattern: tuple[Matrix, list[CellStatus | None], bool],
) -> None:
    inner, statuses, two_d = pattern
    cells = LinkedCells.grid(inner) if two_d else LinkedCells.line(inner[:, 0])
    shape = (inner.shape[0] + 1, inner.shape[1] + 1) if two_d else (inner.shape[0] + 1, 1)
    equations = lines(shape, two_d)
    rules = DisclosureRules(Profile.PUBLIC, round_to=1)
    bounds = [
        reader_bounds(s or CellStatus.EXACT, x, x, rules, knows_shown_exactly=True)
        for s, x in zip(statuses, cells.value.tolist(), strict=True)
    ]
    pinned = []
    for k, s in enumerate(statuses):
        if s is None:
            continue
        objective = np.zeros(len(bounds))
        objective[k] = 1
        low = linprog(objective, A_eq=equations, b_eq=np.zeros(len(equations)), bounds=bounds)
        high = linprog(-objective, A_eq=equations, b_eq=np.zeros(len(equations)), bounds=bounds)
        top = np.inf if high.status == 3 else -high.fun
        if top - low.fun < 1 - 1e-7:
            pinned.append(k)
    assert audit(cells, statuses, 5) == pinned


@pytest.mark.parametrize(
    ("inner", "statuses", "pinned"),
    [
        # one hidden cell beside a shown total: recomputed
        ([[3, 40]], ["p", None, None, "p", None, None], [0, 3]),
        # 1 + 5 = 6: "x" is at least 5 and "<5" at least 1, so both are pinned
        ([[1, 5]], ["p", "s", None, "p", "s", None], [0, 1, 3, 4]),
    ],
    ids=["single", "bounds"],
)
def test_audit_catches_known_attacks(
    inner: list[list[int]], statuses: list[str | None], pinned: list[int]
) -> None:
    code = {"p": CellStatus.SUPPRESSED_PRIMARY, "s": CellStatus.SUPPRESSED_SECONDARY, None: None}
    cells = LinkedCells.grid(np.array(inner, dtype=np.int64))
    assert audit(cells, [code[s] for s in statuses], 5) == pinned

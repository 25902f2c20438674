"""The cross-release check's LP solver (one HiGHS model per part, warm-started from cell to
cell) against scipy's ``linprog`` solving each LP afresh: the same bounds, the same
infeasible and unbounded answers, on random problems of the check's shape."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from retour.disclosure.across import _proven, _Solver, _spread, _width

SLACK = 2.0


def fresh(
    equal: sparse.csr_matrix,
    upper: sparse.csr_matrix,
    bounds: list[tuple[float, float | None]],
    objective: np.ndarray,
) -> tuple[int, float]:
    rows_eq, rows_up = equal.shape[0], upper.shape[0]
    result = linprog(
        objective,
        A_ub=upper if rows_up else None,
        b_ub=np.full(rows_up, SLACK) if rows_up else None,
        A_eq=equal if rows_eq else None,
        b_eq=np.zeros(rows_eq) if rows_eq else None,
        bounds=bounds,
        method="highs",
    )
    return int(result.status), float(result.fun) if result.status == 0 else math.nan


def reference(
    equal: sparse.csr_matrix,
    upper: sparse.csr_matrix,
    bounds: list[tuple[float, float | None]],
    var: int,
) -> tuple[float, float] | None:
    if fresh(equal, upper, bounds, np.zeros(equal.shape[1]))[0] == 2:
        return None
    found = []
    for sign in (1.0, -1.0):
        objective = np.zeros(equal.shape[1])
        objective[var] = sign
        status, value = fresh(equal, upper, bounds, objective)
        # a feasible problem said "infeasible" with an objective: HiGHS's presolve found it
        # unbounded or infeasible, and scipy reports both as infeasible -- here unbounded
        found.append(math.inf if status in (2, 3) else sign * value)
    return found[0], found[1]


Bounds = list[tuple[float, float | None]]


def _random_problem(
    rng: np.random.Generator,
) -> tuple[int, sparse.csr_matrix, sparse.csr_matrix, Bounds]:
    """A small random LP of the check's shape: additive lines, corrections, cell bounds."""
    n = int(rng.integers(2, 14))
    equal = sparse.csr_matrix(rng.integers(-1, 2, size=(int(rng.integers(0, 5)), n)) * 1.0)
    upper = sparse.csr_matrix(rng.integers(-1, 2, size=(int(rng.integers(0, 4)), n)) * 1.0)
    bounds: Bounds = [
        (float(rng.integers(0, 5)), None if rng.random() < 0.3 else float(rng.integers(5, 20)))
        for _ in range(n)
    ]
    return n, equal, upper, bounds


@pytest.mark.parametrize("seed", range(8))
def test_the_kept_model_answers_as_a_fresh_linprog(seed: int) -> None:
    rng = np.random.default_rng(seed)
    answers = set()
    for _ in range(40):
        n, equal, upper, bounds = _random_problem(rng)
        solver = _Solver(n, equal, upper, bounds, SLACK)
        for var in rng.permutation(n):
            got = solver.interval(int(var))
            expected = reference(equal, upper, bounds, int(var))
            answers.add("infeasible" if expected is None else "bounded")
            if expected is None or got is None:
                assert got is expected is None
                continue
            assert got == pytest.approx(expected, abs=1e-6)
            answers.add("unbounded" if math.isinf(expected[1]) else "finite")
        assert solver.feasible() == (fresh(equal, upper, bounds, np.zeros(n))[0] == 0)
    assert {"infeasible", "unbounded", "finite"} <= answers  # every kind of answer was met


@pytest.mark.parametrize("seed", range(8))
def test_the_solutions_met_never_claim_safety_the_lp_denies(seed: int) -> None:
    """The shortcut of the check (a cell spread wide enough by the solutions met needs no LP
    of its own) against fresh LPs: every point seen lies inside the cell's true interval,
    and a cell called safe is at least as wide as asked."""
    rng = np.random.default_rng(100 + seed)
    claimed = denied = 0
    for _ in range(40):
        n, equal, upper, bounds = _random_problem(rng)
        if fresh(equal, upper, bounds, np.zeros(n))[0] != 0:
            continue
        solver = _Solver(n, equal, upper, bounds, SLACK)
        hidden = rng.permutation(n)[: int(rng.integers(1, n + 1))]
        wants = rng.integers(1, 12, len(hidden)).astype(np.float64)
        _spread(solver, hidden, wants, seed=seed)
        for var, want in zip(hidden.tolist(), wants.tolist(), strict=True):
            expected = reference(equal, upper, bounds, var)
            assert expected is not None
            low, high = solver.seen(var)
            assert expected[0] - 1e-6 <= low <= high <= expected[1] + 1e-6
            safe = _proven(solver, var, want)
            wide = _width(expected) >= want
            assert wide or not safe, (var, want, expected, solver.seen(var))
            claimed += safe
            denied += not wide
    assert claimed and denied  # both kinds of cell were met

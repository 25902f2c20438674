"""The nested GLMM solver against a dense reference, and its variance estimates."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from retour.analysis.glmm import Family, Glmm, GlmmData, Nesting

COUNTRIES, PERIODS, INTERVALS = 10, 4, 3


def _problem(family: Family, seed: int, *, drop: int = 8) -> tuple[GlmmData, np.ndarray]:
    """Rows nested country > country x period > x interval, two rows per leaf, some leaves
    without rows; returns the data and the leaf of each row."""
    rng = np.random.default_rng(seed)
    cells = COUNTRIES * PERIODS
    leaves = cells * INTERVALS
    parent_cell = np.repeat(np.arange(COUNTRIES), PERIODS)
    parent_leaf = np.repeat(np.arange(cells), INTERVALS)
    leaf = np.repeat(np.arange(leaves), 2)
    n = leaf.size
    x = np.column_stack([np.ones(n), rng.normal(size=n), (leaf % INTERVALS == 1).astype(float)])
    effects = (
        rng.normal(0, 0.8, COUNTRIES)[parent_cell[parent_leaf[leaf]]]
        + rng.normal(0, 0.4, cells)[parent_leaf[leaf]]
        + rng.normal(0, 0.3, leaves)[leaf]
    )
    eta = x @ np.array([-1.0, 0.5, 0.3]) + effects
    trials = None
    if family is Family.POISSON:
        offset = np.log(rng.uniform(1, 20, n))
        y = rng.poisson(np.exp(eta + offset)).astype(float)
    else:
        offset = np.zeros(n)
        trials = rng.integers(1, 15, n).astype(float)
        y = rng.binomial(trials.astype(int), expit(eta)).astype(float)
    keep = ~np.isin(leaf, rng.choice(leaves, drop, replace=False))
    nesting = Nesting(leaf[keep], (parent_cell, parent_leaf), (COUNTRIES, cells, leaves))
    data = GlmmData(
        family, y[keep], x[keep], offset[keep], nesting, None if trials is None else trials[keep]
    )
    return data, leaf[keep]


def _dense_mode(
    data: GlmmData, variances: list[float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton on the full design [X, Z] with the prior as a ridge: mode and covariance."""
    nest = data.nesting
    cells, leaves = nest.sizes[1], nest.sizes[2]
    rows = np.arange(data.y.size)
    z = np.zeros((data.y.size, COUNTRIES + cells + leaves))
    leaf = nest.leaf
    z[rows, nest.parents[0][nest.parents[1][leaf]]] = 1
    z[rows, COUNTRIES + nest.parents[1][leaf]] = 1
    z[rows, COUNTRIES + cells + leaf] = 1
    design = np.hstack([data.x, z])
    precision = np.concatenate(
        [np.full(data.p, 1e-8)]
        + [np.full(size, 1 / v) for size, v in zip(nest.sizes, variances, strict=True)]
    )
    theta = np.zeros(design.shape[1])
    for _ in range(100):
        eta = design @ theta + data.offset
        if data.family is Family.POISSON:
            mu = np.exp(eta)
            w = mu
        else:
            assert data.trials is not None
            p = expit(eta)
            mu, w = data.trials * p, data.trials * p * (1 - p)
        hessian = design.T @ (design * w[:, None]) + np.diag(precision)
        step = np.linalg.solve(hessian, design.T @ (data.y - mu) - precision * theta)
        theta += step
        if np.abs(step).max() < 1e-13:
            break
    return theta, np.linalg.inv(hessian), design


@pytest.mark.parametrize("family", list(Family))
@pytest.mark.parametrize("seed", [1, 2])
def test_mode_and_posterior_equal_the_dense_reference(family: Family, seed: int) -> None:
    data, _ = _problem(family, seed)
    variances = [0.6, 0.2, 0.1]
    fit = Glmm(data, variances=variances, estimate=(False, False, False)).fit()
    assert fit.converged
    theta, cov, _ = _dense_mode(data, variances)
    sizes = data.nesting.sizes
    np.testing.assert_allclose(fit.beta, theta[:3], atol=1e-9)
    offsets = np.cumsum([3, *sizes])
    for level in range(3):
        np.testing.assert_allclose(
            fit.b[level], theta[offsets[level] : offsets[level + 1]], atol=1e-9
        )
    np.testing.assert_allclose(fit.cov_beta, cov[:3, :3], atol=1e-10)

    # a linear combination of leaf predictions per cell, as the index uses
    rng = np.random.default_rng(seed)
    nodes = np.arange(sizes[2])
    target = data.nesting.parents[1][nodes]
    coef = rng.normal(size=nodes.size)
    x = np.column_stack([np.ones(nodes.size), np.full(nodes.size, 0.2), (nodes % INTERVALS == 1)])
    got = fit.variance(2, nodes, x.astype(float), coef, target, sizes[1])
    rows = np.zeros((nodes.size, theta.size))
    rows[:, :3] = x
    rows[nodes, 3 + data.nesting.parents[0][target]] = 1
    rows[nodes, 3 + sizes[0] + target] = 1
    rows[nodes, 3 + sizes[0] + sizes[1] + nodes] = 1
    combined = np.zeros((sizes[1], theta.size))
    np.add.at(combined, target, rows * coef[:, None])
    want = np.einsum("ti,ij,tj->t", combined, cov, combined)
    np.testing.assert_allclose(got, want, rtol=1e-9)

    # and the predictor of each cell (level 1)
    cells = np.arange(sizes[1])
    x1 = np.tile([1.0, 0.0, 0.0], (cells.size, 1))
    got1 = fit.variance(1, cells, x1, np.ones(cells.size), cells, cells.size)
    rows1 = np.zeros((cells.size, theta.size))
    rows1[:, 0] = 1
    rows1[cells, 3 + data.nesting.parents[0][cells]] = 1
    rows1[cells, 3 + sizes[0] + cells] = 1
    np.testing.assert_allclose(got1, np.einsum("ti,ij,tj->t", rows1, cov, rows1), rtol=1e-9)


def test_fixed_beta_and_no_columns() -> None:
    """With beta fixed (and zero columns) only the intercepts are solved for."""
    data, _ = _problem(Family.POISSON, 3)
    beta = np.array([-1.0, 0.5, 0.3])
    shifted = GlmmData(
        data.family, data.y, np.zeros((data.y.size, 0)), data.offset + data.x @ beta, data.nesting
    )
    variances = [0.5, 0.2, 0.1]
    free = Glmm(data, variances=variances, estimate=(False,) * 3, fixed_beta=beta).fit()
    empty = Glmm(shifted, variances=variances, estimate=(False,) * 3, fixed_beta=np.zeros(0)).fit()
    for level in range(3):
        np.testing.assert_allclose(free.b[level], empty.b[level], atol=1e-10)
    np.testing.assert_allclose(free.beta, beta)


def test_variances_are_recovered_from_a_large_problem() -> None:
    rng = np.random.default_rng(5)
    countries, periods = 60, 8
    cells = countries * periods
    parent = np.repeat(np.arange(countries), periods)
    leaf = np.repeat(np.arange(cells), 4)
    n = leaf.size
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    eta = x @ np.array([-0.5, 0.8]) + rng.normal(0, 1.0, countries)[parent[leaf]]
    eta += rng.normal(0, 0.4, cells)[leaf]
    trials = np.full(n, 40.0)
    y = rng.binomial(40, expit(eta)).astype(float)
    data = GlmmData(
        Family.BINOMIAL, y, x, np.zeros(n), Nesting(leaf, (parent,), (countries, cells)), trials
    )
    fit = Glmm(data).fit()
    assert fit.converged
    sd = np.sqrt(fit.variances)
    assert sd[0] == pytest.approx(1.0, abs=0.25)
    assert sd[1] == pytest.approx(0.4, abs=0.08)
    np.testing.assert_allclose(fit.beta, [-0.5, 0.8], atol=0.3)


def test_a_level_without_variation_shrinks_to_nothing() -> None:
    rng = np.random.default_rng(8)
    countries, periods = 30, 5
    cells = countries * periods
    parent = np.repeat(np.arange(countries), periods)
    leaf = np.arange(cells)
    eta = -1.0 + rng.normal(0, 0.7, countries)[parent]
    exposure = np.full(cells, 200.0)
    y = rng.poisson(np.exp(eta) * exposure).astype(float)
    data = GlmmData(
        Family.POISSON,
        y,
        np.ones((cells, 1)),
        np.log(exposure),
        Nesting(leaf, (parent,), (countries, cells)),
    )
    fit = Glmm(data).fit()
    assert np.sqrt(fit.variances[1]) < 0.05
    assert np.sqrt(fit.variances[0]) == pytest.approx(0.7, abs=0.25)

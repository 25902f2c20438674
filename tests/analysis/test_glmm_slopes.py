"""Random slopes at the top level of the GLMM, pinned to a dense fit of the same likelihood.

The reference builds the full design [X, Z] -- beta, each country's intercept and slopes,
every deeper node's intercept -- with the priors as a ridge, and runs plain Newton on it
(no elimination, no structure): the mode and the inverse Hessian are then the Laplace
posterior the solver must reproduce. The same likelihood is also maximised by
``scipy.optimize.minimize`` as a check of the reference itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit

from retour.analysis.glmm import Family, Glmm, GlmmData, Nesting, fit_from_parts, fit_parts

COUNTRIES, PERIODS, INTERVALS = 12, 3, 2
SLOPES = (1, 2)
SIGMA2 = [0.5, 0.15, 0.1]
TAU2 = [0.4, 0.2]


def _problem(family: Family, seed: int) -> GlmmData:
    """country > country x period > x interval, rows with a continuous and a binary
    covariate whose effects differ by country."""
    rng = np.random.default_rng(seed)
    cells, leaves = COUNTRIES * PERIODS, COUNTRIES * PERIODS * INTERVALS
    parent_cell = np.repeat(np.arange(COUNTRIES), PERIODS)
    parent_leaf = np.repeat(np.arange(cells), INTERVALS)
    leaf = np.repeat(np.arange(leaves), 3)
    n = leaf.size
    country = parent_cell[parent_leaf[leaf]]
    x = np.column_stack([np.ones(n), rng.normal(size=n), rng.random(n) < 0.4])
    x = x.astype(float)
    own = rng.normal(0, [0.6, 0.5], (COUNTRIES, 2))[country]
    eta = x @ np.array([-1.0, 0.4, -0.6]) + np.sum(x[:, 1:] * own, axis=1)
    eta += rng.normal(0, 0.6, COUNTRIES)[country] + rng.normal(0, 0.3, cells)[parent_leaf[leaf]]
    nesting = Nesting(leaf, (parent_cell, parent_leaf), (COUNTRIES, cells, leaves))
    if family is Family.POISSON:
        offset = np.log(rng.uniform(1, 20, n))
        y = rng.poisson(np.exp(eta + offset)).astype(float)
        return GlmmData(family, y, x, offset, nesting, slopes=SLOPES)
    trials = rng.integers(1, 15, n).astype(float)
    y = rng.binomial(trials.astype(int), expit(eta)).astype(float)
    return GlmmData(family, y, x, np.zeros(n), nesting, trials, slopes=SLOPES)


def _design(data: GlmmData) -> tuple[np.ndarray, np.ndarray]:
    """The dense design [X, intercepts and slopes per country, cells, leaves] and the prior
    precision of each column."""
    nest = data.nesting
    cells, leaves = nest.sizes[1], nest.sizes[2]
    n = data.y.size
    rows = np.arange(n)
    cell = nest.parents[1][nest.leaf]
    country = nest.parents[0][cell]
    blocks = [data.x]
    for column in (None, *SLOPES):
        z = np.zeros((n, COUNTRIES))
        z[rows, country] = 1.0 if column is None else data.x[:, column]
        blocks.append(z)
    z_cell, z_leaf = np.zeros((n, cells)), np.zeros((n, leaves))
    z_cell[rows, cell] = 1.0
    z_leaf[rows, nest.leaf] = 1.0
    precision = np.concatenate(
        [np.full(data.p, 1e-8), np.full(COUNTRIES, 1 / SIGMA2[0])]
        + [np.full(COUNTRIES, 1 / t) for t in TAU2]
        + [np.full(cells, 1 / SIGMA2[1]), np.full(leaves, 1 / SIGMA2[2])]
    )
    return np.hstack([*blocks, z_cell, z_leaf]), precision


def _objective(data: GlmmData, design: np.ndarray, precision: np.ndarray, theta: np.ndarray):
    """Minus the penalised log-likelihood, its gradient and Hessian."""
    eta = design @ theta + data.offset
    if data.family is Family.POISSON:
        mu = np.exp(eta)
        value = -np.sum(data.y * eta - mu)
        w = mu
    else:
        assert data.trials is not None
        p = expit(eta)
        mu, w = data.trials * p, data.trials * p * (1 - p)
        value = -np.sum(data.y * eta - data.trials * np.logaddexp(0, eta))
    value += 0.5 * np.sum(precision * theta * theta)
    gradient = -design.T @ (data.y - mu) + precision * theta
    hessian = design.T @ (design * w[:, None]) + np.diag(precision)
    return value, gradient, hessian


def _dense(data: GlmmData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    design, precision = _design(data)
    theta = np.zeros(design.shape[1])
    for _ in range(100):
        _, gradient, hessian = _objective(data, design, precision, theta)
        step = np.linalg.solve(hessian, -gradient)
        theta += step
        if np.abs(step).max() < 1e-13:
            break
    _, _, hessian = _objective(data, design, precision, theta)
    return theta, np.linalg.inv(hessian), design


def _fit(data: GlmmData):
    return Glmm(
        data, variances=SIGMA2, estimate=(False,) * 3, slope_variances=TAU2, estimate_slopes=False
    ).fit()


@pytest.mark.parametrize("family", list(Family), ids=lambda f: f.value)
@pytest.mark.parametrize("seed", [1, 2])
def test_mode_and_posterior_equal_the_dense_reference(family: Family, seed: int) -> None:
    data = _problem(family, seed)
    fit = _fit(data)
    assert fit.converged
    theta, cov, _ = _dense(data)
    p, c = data.p, COUNTRIES
    np.testing.assert_allclose(fit.beta, theta[:p], atol=1e-8)
    np.testing.assert_allclose(fit.b[0], theta[p : p + c], atol=1e-8)
    np.testing.assert_allclose(fit.u, theta[p + c : p + 3 * c].reshape(2, c).T, atol=1e-8)
    cells = data.nesting.sizes[1]
    np.testing.assert_allclose(fit.b[1], theta[p + 3 * c : p + 3 * c + cells], atol=1e-8)
    np.testing.assert_allclose(fit.b[2], theta[p + 3 * c + cells :], atol=1e-8)
    np.testing.assert_allclose(fit.cov_beta, cov[:p, :p], rtol=1e-7, atol=1e-11)

    # linear combinations of leaf predictions with their own covariates, per cell
    rng = np.random.default_rng(seed)
    leaves = data.nesting.sizes[2]
    node = np.arange(leaves)
    target = data.nesting.parents[1][node]
    x = np.column_stack([np.ones(leaves), rng.normal(size=leaves), rng.random(leaves) < 0.5])
    coef = rng.normal(size=leaves)
    got = fit.variance(2, node, x.astype(float), coef, target, cells)
    rows = np.zeros((leaves, theta.size))
    rows[:, :p] = x
    country = data.nesting.parents[0][target]
    rows[node, p + country] = 1.0
    for k, column in enumerate(SLOPES):
        rows[node, p + (k + 1) * c + country] = x[:, column]
    rows[node, p + 3 * c + target] = 1.0
    rows[node, p + 3 * c + cells + node] = 1.0
    combined = np.zeros((cells, theta.size))
    np.add.at(combined, target, rows * coef[:, None])
    want = np.einsum("ti,ij,tj->t", combined, cov, combined)
    np.testing.assert_allclose(got, want, rtol=1e-7)
    np.testing.assert_allclose(
        fit.eta(2, node, x.astype(float)), rows @ theta, atol=1e-8
    )  # the predictor

    # a country's standard case (the top level, covariates at 0)
    top = np.arange(c)
    x0 = np.tile([1.0, 0.0, 0.0], (c, 1))
    rows0 = np.zeros((c, theta.size))
    rows0[:, 0] = 1.0
    rows0[top, p + top] = 1.0
    got0 = fit.variance(0, top, x0, np.ones(c), top, c)
    np.testing.assert_allclose(got0, np.einsum("ti,ij,tj->t", rows0, cov, rows0), rtol=1e-7)


@pytest.mark.parametrize("family", list(Family), ids=lambda f: f.value)
def test_the_dense_reference_is_the_optimum_scipy_finds(family: Family) -> None:
    data = _problem(family, 3)
    design, precision = _design(data)
    found = minimize(
        lambda t: _objective(data, design, precision, t)[0],
        np.zeros(design.shape[1]),
        jac=lambda t: _objective(data, design, precision, t)[1],
        hess=lambda t: _objective(data, design, precision, t)[2],
        method="trust-exact",
        options={"gtol": 1e-10},
    )
    fit = _fit(data)
    np.testing.assert_allclose(fit.beta, found.x[: data.p], atol=1e-6)
    np.testing.assert_allclose(fit.u[:, 0], found.x[data.p + 12 : data.p + 24], atol=1e-6)


def test_no_slope_variance_gives_the_intercept_model() -> None:
    """Slopes held at a negligible variance: the fit is the random-intercept fit."""
    data = _problem(Family.BINOMIAL, 4)
    plain = GlmmData(data.family, data.y, data.x, data.offset, data.nesting, data.trials)
    without = Glmm(plain, variances=SIGMA2, estimate=(False,) * 3).fit()
    tiny = Glmm(
        data, variances=SIGMA2, estimate=(False,) * 3, slope_variances=[1e-12, 1e-12],
        estimate_slopes=False,
    ).fit()  # fmt: skip
    np.testing.assert_allclose(tiny.beta, without.beta, atol=1e-8)
    np.testing.assert_allclose(tiny.b[2], without.b[2], atol=1e-8)
    np.testing.assert_allclose(tiny.cov_beta, without.cov_beta, rtol=1e-6)


def test_slope_variances_are_recovered() -> None:
    """A slope that varies by country (sd 0.6) and one that does not (sd 0)."""
    rng = np.random.default_rng(11)
    countries, periods, per = 80, 4, 6
    cells = countries * periods
    parent = np.repeat(np.arange(countries), periods)
    leaf = np.repeat(np.arange(cells), per)
    n = leaf.size
    country = parent[leaf]
    x = np.column_stack([np.ones(n), np.tile([0, 1, 0, 1, 1, 0], cells), rng.random(n) < 0.5])
    x = x.astype(float)
    eta = -0.3 + 0.5 * x[:, 1] - 0.4 * x[:, 2] + rng.normal(0, 0.6, countries)[country] * x[:, 1]
    eta += rng.normal(0, 0.8, countries)[country] + rng.normal(0, 0.3, cells)[leaf]
    trials = np.full(n, 30.0)
    y = rng.binomial(30, expit(eta)).astype(float)
    nesting = Nesting(leaf, (parent,), (countries, cells))
    data = GlmmData(Family.BINOMIAL, y, x, np.zeros(n), nesting, trials, slopes=(1, 2))
    fit = Glmm(data).fit()
    assert fit.converged
    sd = np.sqrt(fit.slope_variances)
    assert sd[0] == pytest.approx(0.6, abs=0.15)
    assert sd[1] < 0.15
    assert np.sqrt(fit.variances[0]) == pytest.approx(0.8, abs=0.2)
    assert np.sqrt(fit.variances[1]) == pytest.approx(0.3, abs=0.08)


def test_a_fit_with_slopes_comes_back_from_its_parts() -> None:
    data = _problem(Family.POISSON, 5)
    fit = Glmm(data).fit()
    back = fit_from_parts(fit_parts(fit))
    assert back.data.slopes == SLOPES
    node = np.arange(data.nesting.sizes[2])
    x = np.tile([1.0, 0.5, 1.0], (node.size, 1))
    target = data.nesting.parents[1][node]
    cells = data.nesting.sizes[1]
    coef = np.ones(node.size)
    np.testing.assert_array_equal(back.eta(2, node, x), fit.eta(2, node, x))
    np.testing.assert_array_equal(
        back.variance(2, node, x, coef, target, cells),
        fit.variance(2, node, x, coef, target, cells),
    )

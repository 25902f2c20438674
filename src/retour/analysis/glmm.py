"""A generalised linear model with nested random intercepts, fitted by penalised IRLS.

The model, for aggregated rows i::

    eta_i = x_i' beta + offset_i + b_1[g_1(i)] + b_2[g_2(i)] + ... + b_L[g_L(i)]

with Poisson counts (``y`` events, the log exposure in ``offset``) or binomial counts (``y``
successes of ``trials``), canonical links. The groups are *nested*: every node of level
l + 1 lies in exactly one node of level l (e.g. country > country x period). Each level has
its own variance, b_l ~ N(0, sigma_l^2), estimated from the data (empirical Bayes): this
is what shrinks a country with few requests towards the average, by as much as the data
say the countries really differ. ``beta`` may carry a Gaussian ridge prior per coordinate
(precision 0 = a plain fixed effect).

Fitting. The penalised log-likelihood is maximised by Newton's method (IRLS). Nesting makes
the Hessian sparse in a way that eliminates exactly and cheaply: the deepest level's nodes
are eliminated first (each is a scalar), which leaves every parent with one effective
scalar again, and so on up to a small dense system for ``beta``. Each step costs a few
passes over the rows and one p x p solve, whatever the number of nodes. The variances
are updated between Newton steps by MacKay's fixed point (sigma^2 = sum b^2 / (n - sum
Var(b) / sigma^2)), the REML-like estimate of the Laplace approximation.

Uncertainty. At the mode, the Laplace posterior is Gaussian with the penalised Hessian as
precision. Its nested structure gives every node total T_n (the sum of its own and its
ancestors' intercepts) as

    T_n - mode = (1 - f_n) (T_parent - mode) - (X_n / D_n)' (beta - mode) + e_n,

with independent e_n ~ N(0, 1 / D_n), so the variance of any linear combination of
predictions -- including the uncertainty of ``beta`` -- follows from per-node sums
(:meth:`GlmmFit.variance`). That is what the index's intervals are built from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.special import expit

from retour.domain.parts import Json, Parts, PartsError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Variances are kept within these bounds (logit or log scale).
MIN_VARIANCE = 1e-6
MAX_VARIANCE = 100.0
#: A tiny ridge on every coefficient keeps empty columns (e.g. a kind with no requests) at 0.
RIDGE = 1e-8


class Family(StrEnum):
    POISSON = "poisson"
    BINOMIAL = "binomial"


@dataclass(frozen=True, slots=True)
class Nesting:
    """The nested groups: ``leaf`` gives each row's node at the deepest level; ``parents[l]``
    gives, for each node of level l + 1, its node at level l (levels counted from the top).
    ``sizes[l]`` is the number of nodes of level l; nodes without rows are allowed (their
    intercept is their prior: 0 around the parent)."""

    leaf: IntArray
    parents: tuple[IntArray, ...]
    sizes: tuple[int, ...]

    @property
    def levels(self) -> int:
        return len(self.sizes)


@dataclass(frozen=True, slots=True)
class GlmmData:
    """Aggregated rows: response, design, offset and nesting.

    The design is given as its distinct rows ``x`` (m x p) and, per data row, the index of
    its design row (``design``; None means row i uses x[i]). Aggregated survival data have
    few distinct design rows (interval x case mix x period) and many data rows, so sums over
    rows become sums over design rows: cheap, and no large matrix products.
    """

    family: Family
    y: FloatArray
    x: FloatArray  # distinct design rows x p
    offset: FloatArray
    nesting: Nesting
    trials: FloatArray | None = None  # binomial only
    design: IntArray | None = None

    @property
    def p(self) -> int:
        return int(self.x.shape[1])

    @property
    def rows(self) -> IntArray:
        """The design row of every data row."""
        if self.design is None:
            return np.arange(self.y.size, dtype=np.int64)
        return self.design


@dataclass(slots=True)
class GlmmFit:
    """The posterior mode and what the Laplace posterior needs.

    Per level l (arrays over its nodes): ``b`` the intercepts, ``total`` the node totals
    (own plus ancestors' intercepts), ``d`` the effective precision D, ``f`` = s / D (how
    much of the parent's deviation the node passes on: 1 - f), ``g`` (nodes x p) the
    loading of the node total on beta, and ``v`` the variance of the node total that does
    not come from beta.
    """

    data: GlmmData
    beta: FloatArray
    cov_beta: FloatArray
    variances: FloatArray
    b: list[FloatArray]
    total: list[FloatArray]
    d: list[FloatArray]
    f: list[FloatArray]
    g: list[FloatArray]
    v: list[FloatArray]
    iterations: int
    converged: bool
    loglik: float
    history: list[FloatArray] = field(default_factory=list)

    @property
    def nesting(self) -> Nesting:
        return self.data.nesting

    def eta(self, level: int, node: IntArray, x: FloatArray) -> FloatArray:
        """Linear predictors x' beta + T_node for prediction rows at ``level``."""
        return np.asarray(x @ self.beta + self.total[level][node], dtype=np.float64)

    def variance(
        self,
        level: int,
        node: IntArray,
        x: FloatArray,
        coef: FloatArray,
        target: IntArray,
        targets: int,
    ) -> FloatArray:
        """Posterior variance of sum_{rows r of target t} coef_r * eta_r, for each target.

        Prediction rows r sit at nodes ``node`` of ``level`` with covariates ``x``; the
        linear combinations are independent of the offsets. Covariances between rows of a
        target through shared ancestors and through beta are included.
        """
        nest = self.nesting
        loading = (x + self.g[level][node]) * coef[:, None]
        summed = _segment_rows(target, loading, targets)
        out = np.asarray(np.einsum("tp,pq,tq->t", summed, self.cov_beta, summed), dtype=float)
        chain = np.asarray(coef, dtype=np.float64).copy()  # coef times the loading on e_k
        current = node
        for lv in range(level, -1, -1):
            key = target.astype(np.int64) * nest.sizes[lv] + current
            uniq, inverse = np.unique(key, return_inverse=True)
            s = np.bincount(inverse, weights=chain, minlength=uniq.size)
            nodes = uniq % nest.sizes[lv]
            out += np.bincount(
                uniq // nest.sizes[lv], weights=s * s / self.d[lv][nodes], minlength=targets
            )
            if lv > 0:
                chain = chain * (1.0 - self.f[lv][current])
                current = nest.parents[lv - 1][current]
        return out


# -- taken apart and put back together (no pickle) ----------------------------------------------

#: The per-level array lists of a fit, as parts ``name.level``.
_LEVEL_ARRAYS = ("b", "total", "d", "f", "g", "v")


def fit_parts(fit: GlmmFit) -> Parts:
    """The fit as plain parts: every array it holds, its data's included (exact)."""
    data, nest = fit.data, fit.data.nesting
    levels = nest.levels
    arrays: dict[str, NDArray[Any]] = {
        "y": data.y,
        "x": data.x,
        "offset": data.offset,
        "leaf": nest.leaf,
        "beta": fit.beta,
        "cov_beta": fit.cov_beta,
        "variances": fit.variances,
        "history": np.array(fit.history, dtype=np.float64).reshape(len(fit.history), levels),
    }
    arrays |= {f"parents.{lv}": parent for lv, parent in enumerate(nest.parents)}
    for name in _LEVEL_ARRAYS:
        arrays |= {f"{name}.{lv}": array for lv, array in enumerate(getattr(fit, name))}
    if data.trials is not None:
        arrays["trials"] = data.trials
    if data.design is not None:
        arrays["design"] = data.design
    meta: dict[str, Json] = {
        "family": data.family.value,
        "sizes": [*nest.sizes],
        "iterations": fit.iterations,
        "converged": fit.converged,
        "loglik": fit.loglik,
    }
    return Parts(meta, arrays)


def fit_from_parts(parts: Parts) -> GlmmFit:
    """The fit :func:`fit_parts` took apart; :class:`PartsError` if the parts do not make one."""
    sizes = parts.counts("sizes")
    if not sizes:
        raise PartsError("a fit has at least one level")
    levels = len(sizes)
    x = parts.array("x", np.float64, 2)
    p = x.shape[1]
    level = {
        name: [_level_array(parts, name, lv, sizes[lv], p) for lv in range(levels)]
        for name in _LEVEL_ARRAYS
    }
    history = parts.array("history", np.float64, 2)
    if history.shape[1] != levels:
        raise PartsError(f"array 'history' does not have {levels} columns")
    return GlmmFit(
        data=_data_from_parts(parts, sizes, x),
        beta=_shaped(parts.array("beta", np.float64, 1), (p,), "beta"),
        cov_beta=_shaped(parts.array("cov_beta", np.float64, 2), (p, p), "cov_beta"),
        variances=_shaped(parts.array("variances", np.float64, 1), (levels,), "variances"),
        b=level["b"],
        total=level["total"],
        d=level["d"],
        f=level["f"],
        g=level["g"],
        v=level["v"],
        iterations=parts.value("iterations", int),
        converged=parts.value("converged", bool),
        loglik=parts.value("loglik", float),
        history=list(history),
    )


def _data_from_parts(parts: Parts, sizes: tuple[int, ...], x: FloatArray) -> GlmmData:
    family = parts.value("family", str)
    if family not in set(Family):
        raise PartsError(f"unknown family {family!r}")
    y = parts.array("y", np.float64, 1)
    rows = (y.size,)
    parents = tuple(
        _nodes(parts, f"parents.{lv}", (sizes[lv + 1],), sizes[lv]) for lv in range(len(sizes) - 1)
    )
    trials = parts.array("trials", np.float64, 1) if "trials" in parts.arrays else None
    design = _nodes(parts, "design", rows, x.shape[0]) if "design" in parts.arrays else None
    return GlmmData(
        Family(family),
        y,
        x,
        _shaped(parts.array("offset", np.float64, 1), rows, "offset"),
        Nesting(_nodes(parts, "leaf", rows, sizes[-1]), parents, sizes),
        trials=None if trials is None else _shaped(trials, rows, "trials"),
        design=design,
    )


def _nodes(parts: Parts, name: str, shape: tuple[int, ...], bound: int) -> IntArray:
    """An index array of this shape whose values lie in 0 .. bound - 1."""
    array = _shaped(parts.array(name, np.int64, 1), shape, name)
    if array.size and not (array.min() >= 0 and array.max() < bound):
        raise PartsError(f"array {name!r} points outside 0..{bound - 1}")
    return array


def _level_array(parts: Parts, name: str, level: int, size: int, p: int) -> FloatArray:
    ndim = 2 if name == "g" else 1
    shape = (size, p) if ndim == 2 else (size,)
    return _shaped(parts.array(f"{name}.{level}", np.float64, ndim), shape, name)


def _shaped(array: NDArray[np.generic], shape: tuple[int, ...], name: str) -> NDArray[Any]:
    if array.shape != shape:
        raise PartsError(f"array {name!r} has shape {array.shape}, not {shape}")
    return array


def _segment_rows(index: IntArray, values: FloatArray, size: int) -> FloatArray:
    """Row sums of ``values`` (n x p) per ``index`` (size groups) -> size x p."""
    n = index.size
    ind = sparse.csr_matrix((np.ones(n), (index, np.arange(n))), shape=(size, n))
    return np.asarray(ind @ values, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _Maps:
    """Precomputed sparse structure: data rows by (leaf, design row), nodes -> parents."""

    order: IntArray  # data rows sorted by leaf
    leaf_design: sparse.csr_matrix  # leaves x design rows; data = weights in `order`
    to_parent: tuple[sparse.csr_matrix, ...]  # [l]: level l+1 nodes -> level l nodes


def _maps(data: GlmmData) -> _Maps:
    nest = data.nesting
    rows = data.rows
    leaves = nest.sizes[-1]
    order = np.argsort(nest.leaf, kind="stable").astype(np.int64)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(nest.leaf, minlength=leaves))])
    leaf_design = sparse.csr_matrix(
        (np.ones(order.size), rows[order], indptr), shape=(leaves, data.x.shape[0])
    )
    ups = tuple(
        sparse.csr_matrix(
            (np.ones(nest.sizes[lv + 1]), (nest.parents[lv], np.arange(nest.sizes[lv + 1]))),
            shape=(nest.sizes[lv], nest.sizes[lv + 1]),
        )
        for lv in range(nest.levels - 1)
    )
    return _Maps(order, leaf_design, ups)


@dataclass(slots=True)
class _Elimination:
    s: list[FloatArray]
    xs: list[FloatArray]
    rhs: list[FloatArray]
    d: list[FloatArray]
    f: list[FloatArray]
    h_beta: FloatArray
    rhs_beta: FloatArray


def _moments(data: GlmmData, eta: FloatArray) -> tuple[FloatArray, FloatArray, float]:
    """Working weights, score residuals and the log-likelihood (without constants)."""
    if data.family is Family.POISSON:
        mu = np.exp(np.minimum(eta, 50.0))
        return mu, data.y - mu, float(np.sum(data.y * eta - mu))
    assert data.trials is not None
    p = expit(eta)
    loglik = float(np.sum(data.y * eta - data.trials * _log1pexp(eta)))
    return data.trials * p * (1.0 - p), data.y - data.trials * p, loglik


def _log1pexp(eta: FloatArray) -> FloatArray:
    out = np.logaddexp(0.0, eta)
    return np.asarray(out, dtype=np.float64)


class Glmm:
    """Fit :class:`GlmmData`: ``fit()`` returns a :class:`GlmmFit`."""

    def __init__(
        self,
        data: GlmmData,
        *,
        prior_precision: FloatArray | None = None,
        variances: Sequence[float] | None = None,
        estimate: Sequence[bool] | None = None,
        fixed_beta: FloatArray | None = None,
        min_variances: Sequence[float] | None = None,
    ) -> None:
        levels = data.nesting.levels
        self.data = data
        self.maps = _maps(data)
        self.precision = (
            np.zeros(data.p) if prior_precision is None else np.asarray(prior_precision, float)
        ) + RIDGE
        self.sigma2 = np.asarray(variances if variances is not None else [1.0] * levels, float)
        self.estimate = tuple(estimate) if estimate is not None else (True,) * levels
        self.fixed_beta = fixed_beta
        self.min_variances = np.asarray(
            min_variances if min_variances is not None else [MIN_VARIANCE] * levels, float
        )
        self._speed = np.ones(levels)
        self._last_change = np.zeros(levels)

    def _precision(self, lv: int) -> FloatArray:
        """The prior precision of the nodes of level ``lv``."""
        return np.full(self.data.nesting.sizes[lv], 1.0 / self.sigma2[lv])

    # -- the linear algebra ----------------------------------------------------------------

    def _eta(self, beta: FloatArray, b: list[FloatArray]) -> FloatArray:
        data, nest = self.data, self.data.nesting
        total = _totals(nest, b)
        fixed = (data.x @ beta)[data.rows]
        return np.asarray(fixed + data.offset + total[-1][nest.leaf], dtype=np.float64)

    def _eliminate(
        self, beta: FloatArray, b: list[FloatArray], w: FloatArray, r: FloatArray
    ) -> _Elimination:
        data, nest, maps = self.data, self.data.nesting, self.maps
        levels, m = nest.levels, data.x.shape[0]
        rows = data.rows
        w_design = np.bincount(rows, weights=w, minlength=m)
        r_design = np.bincount(rows, weights=r, minlength=m)
        h_beta = data.x.T @ (data.x * w_design[:, None]) + np.diag(self.precision)
        rhs_beta = data.x.T @ r_design - self.precision * beta
        leaves = nest.sizes[-1]
        s_raw = np.bincount(nest.leaf, weights=w, minlength=leaves).astype(np.float64)
        e_raw = np.bincount(nest.leaf, weights=r, minlength=leaves).astype(np.float64)
        maps.leaf_design.data = w[maps.order]
        x_raw = np.asarray(maps.leaf_design @ data.x, dtype=np.float64)
        s: list[FloatArray] = [np.empty(0)] * levels
        xs: list[FloatArray] = [np.empty((0, data.p))] * levels
        rhs: list[FloatArray] = [np.empty(0)] * levels
        d: list[FloatArray] = [np.empty(0)] * levels
        f: list[FloatArray] = [np.empty(0)] * levels
        for lv in range(levels - 1, -1, -1):
            s[lv], xs[lv] = s_raw, x_raw
            precision = self._precision(lv)
            rhs[lv] = e_raw - b[lv] * precision
            d[lv] = s_raw + precision
            f[lv] = s_raw / d[lv]
            scaled = x_raw / d[lv][:, None]
            h_beta -= scaled.T @ x_raw
            rhs_beta -= scaled.T @ rhs[lv]
            if lv > 0:
                up = maps.to_parent[lv - 1]
                keep = 1.0 - f[lv]
                s_raw = np.asarray(up @ (s_raw * keep), dtype=np.float64)
                x_raw = np.asarray(up @ (x_raw * keep[:, None]), dtype=np.float64)
                e_raw = np.asarray(up @ (e_raw - f[lv] * rhs[lv]), dtype=np.float64)
        return _Elimination(s, xs, rhs, d, f, h_beta, rhs_beta)

    def _step(self, el: _Elimination) -> tuple[FloatArray, list[FloatArray]]:
        nest = self.data.nesting
        if self.fixed_beta is None:
            delta_beta = np.asarray(
                np.linalg.solve(_symmetric(el.h_beta), el.rhs_beta), dtype=np.float64
            )
        else:
            delta_beta = np.zeros(self.data.p)
        deltas: list[FloatArray] = []
        above = np.zeros(nest.sizes[0])
        for lv in range(nest.levels):
            if lv > 0:
                above = (above + deltas[-1])[nest.parents[lv - 1]]
            delta = (el.rhs[lv] - el.xs[lv] @ delta_beta - el.s[lv] * above) / el.d[lv]
            deltas.append(delta)
        return delta_beta, deltas

    def _penalty(self, beta: FloatArray, b: list[FloatArray]) -> float:
        penalty = 0.5 * float(np.sum(self.precision * beta * beta))
        for lv, bl in enumerate(b):
            penalty += 0.5 * float(np.sum(bl * bl * self._precision(lv)))
        return penalty

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, *, max_iter: int = 400, tol: float = 1e-7, variance_tol: float = 1e-4) -> GlmmFit:
        """Newton steps, each followed by an update of the variances, until both settle.

        Every iteration eliminates once: the step and the variance update share it.
        """
        nest = self.data.nesting
        beta = np.zeros(self.data.p) if self.fixed_beta is None else self.fixed_beta.copy()
        b = [np.zeros(n) for n in nest.sizes]
        w, r, loglik = _moments(self.data, self._eta(beta, b))
        converged = False
        history: list[FloatArray] = []
        iteration = 0
        while iteration < max_iter:
            iteration += 1
            el = self._eliminate(beta, b, w, r)
            delta_beta, deltas = self._step(el)
            objective = loglik - self._penalty(beta, b)
            step = 1.0
            for _ in range(30):
                new_beta = beta + step * delta_beta
                new_b = [bl + step * dl for bl, dl in zip(b, deltas, strict=True)]
                new_w, new_r, new_loglik = _moments(self.data, self._eta(new_beta, new_b))
                if new_loglik - self._penalty(new_beta, new_b) >= objective - 1e-9 * (
                    1.0 + abs(objective)
                ):
                    break
                step /= 2.0
            beta, b, w, r, loglik = new_beta, new_b, new_w, new_r, new_loglik
            size = max(
                float(np.max(np.abs(delta_beta), initial=0.0)),
                *(float(np.max(np.abs(dl), initial=0.0)) for dl in deltas),
            )
            # the variances move once the mode has settled near its first values: updating
            # from the first, far-off steps would collapse them and cost many iterations
            settled = size * step < 1e-2 or iteration > 10
            moved = self._update_variances(el, b) if settled else np.inf
            history.append(self.sigma2.copy())
            if size * step < tol and moved < variance_tol:
                converged = True
                break
        return self._posterior(beta, b, iteration, converged, loglik, history)

    def _update_variances(self, el: _Elimination, b: list[FloatArray]) -> float:
        """MacKay's update of each estimated level variance from the posterior of the last
        elimination and the new mode; returns the largest change of log variance.

        The intercepts' posterior variances here leave out the (small) share that comes from
        the uncertainty of beta: the update stays cheap; the final posterior includes it.
        """
        if not any(self.estimate):
            return 0.0
        nest = self.data.nesting
        v = _node_variances(nest, el)
        moved = 0.0
        for lv, free in enumerate(self.estimate):
            if not free or b[lv].size == 0:
                continue
            if lv == 0:
                var_b = 1.0 / el.d[lv]
            else:
                f = el.f[lv]
                var_b = f * f * v[lv - 1][nest.parents[lv - 1]] + 1.0 / el.d[lv]
            dof = float(np.sum(1.0 - np.minimum(var_b / self.sigma2[lv], 1.0)))
            ss = float(np.sum(b[lv] * b[lv]))
            new = ss / max(dof, 0.5) if dof > 0 else MIN_VARIANCE
            new = float(np.clip(new, self.min_variances[lv], MAX_VARIANCE))
            change = float(np.log(new) - np.log(self.sigma2[lv]))
            # over-relaxation while the variance keeps moving the same way (the fixed-point
            # iteration creeps when a level's variance is small)
            if change * self._last_change[lv] > 0:
                self._speed[lv] = min(self._speed[lv] * 1.5, 8.0)
            else:
                self._speed[lv] = 1.0
            self._last_change[lv] = change
            moved = max(moved, abs(change))
            stepped = np.log(self.sigma2[lv]) + self._speed[lv] * change
            self.sigma2[lv] = float(np.clip(np.exp(stepped), self.min_variances[lv], MAX_VARIANCE))
        return moved

    def _cov_beta(self, el: _Elimination) -> FloatArray:
        if self.fixed_beta is not None:
            return np.zeros((self.data.p, self.data.p))
        return np.asarray(np.linalg.inv(_symmetric(el.h_beta)), dtype=np.float64)

    def _posterior(
        self,
        beta: FloatArray,
        b: list[FloatArray],
        iterations: int,
        converged: bool,
        loglik: float,
        history: list[FloatArray],
    ) -> GlmmFit:
        w, r, _ = _moments(self.data, self._eta(beta, b))
        el = self._eliminate(beta, b, w, r)
        cov_beta = self._cov_beta(el)
        g, v = _loadings(self.data.nesting, el)
        return GlmmFit(
            data=self.data,
            beta=beta,
            cov_beta=cov_beta,
            variances=self.sigma2.copy(),
            b=b,
            total=_totals(self.data.nesting, b),
            d=el.d,
            f=el.f,
            g=g,
            v=v,
            iterations=iterations,
            converged=converged,
            loglik=loglik,
            history=history,
        )


def _symmetric(matrix: FloatArray) -> FloatArray:
    return 0.5 * (matrix + matrix.T)


def _totals(nest: Nesting, b: list[FloatArray]) -> list[FloatArray]:
    totals = [b[0]]
    for lv in range(1, nest.levels):
        totals.append(totals[-1][nest.parents[lv - 1]] + b[lv])
    return totals


def _node_variances(nest: Nesting, el: _Elimination) -> list[FloatArray]:
    """Per level: the variance of each node total that does not come from beta."""
    v: list[FloatArray] = [1.0 / el.d[0]]
    for lv in range(1, nest.levels):
        keep = 1.0 - el.f[lv]
        v.append(keep * keep * v[-1][nest.parents[lv - 1]] + 1.0 / el.d[lv])
    return v


def _loadings(nest: Nesting, el: _Elimination) -> tuple[list[FloatArray], list[FloatArray]]:
    """Per level: G (loading of node totals on beta) and V (their variance not from beta)."""
    g: list[FloatArray] = [-el.xs[0] / el.d[0][:, None]]
    for lv in range(1, nest.levels):
        keep = 1.0 - el.f[lv]
        g.append(keep[:, None] * g[-1][nest.parents[lv - 1]] - el.xs[lv] / el.d[lv][:, None])
    return g, _node_variances(nest, el)

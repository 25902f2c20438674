"""A generalised linear model with nested random intercepts and, at the top level, random
slopes, fitted by penalised IRLS.

The model, for aggregated rows i in top-level group c(i) (e.g. a country)::

    eta_i = x_i' beta + offset_i + z_i' u[c(i)] + b_2[g_2(i)] + ... + b_L[g_L(i)]

with Poisson counts (``y`` events, the log exposure in ``offset``) or binomial counts (``y``
successes of ``trials``), canonical links. ``z_i = (1, x_i[slopes])``: the top level carries
an intercept and, for the columns of ``x`` named in ``GlmmData.slopes``, its own deviation
from their shared coefficient -- random slopes, e.g. a country's own effect of missing
identity documents. The deeper groups are *nested* intercepts: every node of level l + 1
lies in exactly one node of level l (e.g. country > country x period). Each level's
intercepts have their own variance, b_l ~ N(0, sigma_l^2), and each slope its own,
u_k ~ N(0, tau_k^2), independent of the intercept (lme4's ``(1 + x || country)``: with the
reference coding of the case mix, the intercept is the standard case's own deviation and a
slope how much more or less a country's undocumented cases weigh than elsewhere), all
estimated from the data (empirical Bayes): this shrinks a country with few requests, or few
cases of a kind, towards the shared effects, by as much as the data say the countries
really differ. ``beta`` may carry a Gaussian ridge prior per coordinate (precision 0 = a
plain fixed effect). Without slopes the model is the nested random-intercept model.

Fitting. The penalised log-likelihood is maximised by Newton's method (IRLS). Nesting makes
the Hessian sparse in a way that eliminates exactly and cheaply: the deepest level's nodes
are eliminated first (each is a scalar), which leaves every parent with one effective
scalar again, and so on up to the top level, whose nodes are small blocks (1 + slopes
square; their crossings with the eliminated nodes are collected on the way), and a small
dense system for ``beta``. Each step costs a few passes over the rows, one small solve per
top node and one p x p solve, whatever the number of nodes. The variances are updated
between Newton steps by MacKay's fixed point (sigma^2 = sum b^2 / (n - sum Var(b) /
sigma^2)), the REML-like estimate of the Laplace approximation.

Uncertainty. At the mode, the Laplace posterior is Gaussian with the penalised Hessian as
precision. Given beta, a top node's block is Gaussian with covariance ``a_inv`` and mean
shifted by ``-m_top (beta - mode)``; below it, the sum S_n of a node's own and its deeper
ancestors' intercepts moves as

    S_n - mode = (1 - f_n) (S_parent - mode) + h_n' (u_c - mode) + g_n' (beta - mode) + e_n,

with independent e_n ~ N(0, 1 / D_n), so the variance of any linear combination of
predictions -- including the uncertainty of ``beta`` and of the country's own slopes --
follows from per-node sums (:meth:`GlmmFit.variance`). That is what the index's intervals
are built from.
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
#: The slopes' variances start here (a moderate spread: the fixed point moves it).
START_SLOPE_VARIANCE = 0.1


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

    def top(self, level: int, node: IntArray) -> IntArray:
        """The top-level node of each ``node`` of ``level``."""
        for lv in range(level, 0, -1):
            node = self.parents[lv - 1][node]
        return node


@dataclass(frozen=True, slots=True)
class GlmmData:
    """Aggregated rows: response, design, offset and nesting.

    The design is given as its distinct rows ``x`` (m x p) and, per data row, the index of
    its design row (``design``; None means row i uses x[i]). Aggregated survival data have
    few distinct design rows (interval x case mix x period) and many data rows, so sums over
    rows become sums over design rows: cheap, and no large matrix products. ``slopes``: the
    columns of ``x`` whose coefficients also vary by top-level node (random slopes).
    """

    family: Family
    y: FloatArray
    x: FloatArray  # distinct design rows x p
    offset: FloatArray
    nesting: Nesting
    trials: FloatArray | None = None  # binomial only
    design: IntArray | None = None
    slopes: tuple[int, ...] = ()

    @property
    def p(self) -> int:
        return int(self.x.shape[1])

    @property
    def q(self) -> int:
        """The size of a top node's block: its intercept and its slopes."""
        return 1 + len(self.slopes)

    @property
    def rows(self) -> IntArray:
        """The design row of every data row."""
        if self.design is None:
            return np.arange(self.y.size, dtype=np.int64)
        return self.design

    def z(self, x: FloatArray) -> FloatArray:
        """The top level's design (1, x[slopes]) of design rows ``x``."""
        return np.hstack([np.ones((x.shape[0], 1)), x[:, list(self.slopes)]])


@dataclass(slots=True)
class GlmmFit:
    """The posterior mode and what the Laplace posterior needs.

    ``b[l]`` the intercepts of level l, ``total[l]`` the node totals (own plus ancestors'
    intercepts), ``u`` (top nodes x slopes) the top nodes' own slopes. Per level below the
    top (arrays over its nodes): ``d`` the effective precision D, ``f`` = s / D (how much of
    the parent's deviation the node passes on: 1 - f), ``g`` (nodes x p) and ``h`` (nodes x
    q) the loadings of S_n on beta and on the top node's block, ``v`` the variance of S_n
    that comes from neither; level 0 holds ``d`` = the block's own intercept precision and
    zeros. ``a_inv`` (tops x q x q) is the top block's covariance given beta and ``m_top``
    (tops x q x p) its loading on beta.
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
    u: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    slope_variances: FloatArray = field(default_factory=lambda: np.zeros(0))
    h: list[FloatArray] = field(default_factory=list)
    a_inv: FloatArray = field(default_factory=lambda: np.zeros((0, 1, 1)))
    m_top: FloatArray = field(default_factory=lambda: np.zeros((0, 1, 0)))
    history: list[FloatArray] = field(default_factory=list)

    @property
    def nesting(self) -> Nesting:
        return self.data.nesting

    def eta(self, level: int, node: IntArray, x: FloatArray) -> FloatArray:
        """Linear predictors x' beta + (top node's slopes) + T_node for prediction rows."""
        out = x @ self.beta + self.total[level][node]
        if self.data.slopes:
            top = self.nesting.top(level, node)
            out = out + np.sum(x[:, list(self.data.slopes)] * self.u[top], axis=1)
        return np.asarray(out, dtype=np.float64)

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
        target through shared ancestors, the top node's slopes and beta are included.
        """
        nest = self.nesting
        tops = nest.sizes[0]
        top = nest.top(level, node)
        zh = self.data.z(x) + self.h[level][node]
        through_top = np.einsum("rq,rqp->rp", zh, self.m_top[top])
        loading = (x + self.g[level][node] - through_top) * coef[:, None]
        summed = _segment_rows(target, loading, targets)
        out = np.asarray(np.einsum("tp,pq,tq->t", summed, self.cov_beta, summed), dtype=float)
        key = target.astype(np.int64) * tops + top
        uniq, inverse = np.unique(key, return_inverse=True)
        block = _segment_rows(inverse, zh * coef[:, None], uniq.size)
        quad = np.einsum("ui,uij,uj->u", block, self.a_inv[uniq % tops], block)
        out += np.bincount(uniq // tops, weights=quad, minlength=targets)
        chain = np.asarray(coef, dtype=np.float64).copy()  # coef times the loading on e_k
        current = node
        for lv in range(level, 0, -1):
            key = target.astype(np.int64) * nest.sizes[lv] + current
            uniq, inverse = np.unique(key, return_inverse=True)
            s = np.bincount(inverse, weights=chain, minlength=uniq.size)
            nodes = uniq % nest.sizes[lv]
            out += np.bincount(
                uniq // nest.sizes[lv], weights=s * s / self.d[lv][nodes], minlength=targets
            )
            chain = chain * (1.0 - self.f[lv][current])
            current = nest.parents[lv - 1][current]
        return out


# -- taken apart and put back together (no pickle) ----------------------------------------------

#: The per-level array lists of a fit, as parts ``name.level``.
_LEVEL_ARRAYS = ("b", "total", "d", "f", "g", "v", "h")
#: Its other arrays, with their number of dimensions.
_FIT_ARRAYS = (
    ("beta", 1),
    ("cov_beta", 2),
    ("variances", 1),
    ("u", 2),
    ("slope_variances", 1),
    ("a_inv", 3),
    ("m_top", 3),
)


def fit_parts(fit: GlmmFit) -> Parts:
    """The fit as plain parts: every array it holds, its data's included (exact)."""
    data, nest = fit.data, fit.data.nesting
    width = nest.levels + len(data.slopes)
    arrays: dict[str, NDArray[Any]] = {
        "y": data.y,
        "x": data.x,
        "offset": data.offset,
        "leaf": nest.leaf,
        "history": np.array(fit.history, dtype=np.float64).reshape(len(fit.history), width),
    }
    arrays |= {name: getattr(fit, name) for name, _ in _FIT_ARRAYS}
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
        "slopes": [*data.slopes],
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
    slopes = parts.counts("slopes") if "slopes" in parts.meta else ()
    if any(s >= p for s in slopes):
        raise PartsError(f"a slope column lies outside the {p} columns")
    q = 1 + len(slopes)
    level = {
        name: [_level_array(parts, name, lv, sizes[lv], p, q) for lv in range(levels)]
        for name in _LEVEL_ARRAYS
    }
    shapes = {
        "beta": (p,),
        "cov_beta": (p, p),
        "variances": (levels,),
        "u": (sizes[0], len(slopes)),
        "slope_variances": (len(slopes),),
        "a_inv": (sizes[0], q, q),
        "m_top": (sizes[0], q, p),
    }
    arrays = {
        name: _shaped(parts.array(name, np.float64, ndim), shapes[name], name)
        for name, ndim in _FIT_ARRAYS
    }
    history = parts.array("history", np.float64, 2)
    if history.shape[1] != levels + len(slopes):
        raise PartsError(f"array 'history' does not have {levels + len(slopes)} columns")
    return GlmmFit(
        data=_data_from_parts(parts, sizes, x, tuple(slopes)),
        b=level["b"],
        total=level["total"],
        d=level["d"],
        f=level["f"],
        g=level["g"],
        v=level["v"],
        h=level["h"],
        iterations=parts.value("iterations", int),
        converged=parts.value("converged", bool),
        loglik=parts.value("loglik", float),
        history=list(history),
        **arrays,
    )


def _data_from_parts(
    parts: Parts, sizes: tuple[int, ...], x: FloatArray, slopes: tuple[int, ...]
) -> GlmmData:
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
        slopes=slopes,
    )


def _nodes(parts: Parts, name: str, shape: tuple[int, ...], bound: int) -> IntArray:
    """An index array of this shape whose values lie in 0 .. bound - 1."""
    array = _shaped(parts.array(name, np.int64, 1), shape, name)
    if array.size and not (array.min() >= 0 and array.max() < bound):
        raise PartsError(f"array {name!r} points outside 0..{bound - 1}")
    return array


def _level_array(parts: Parts, name: str, level: int, size: int, p: int, q: int) -> FloatArray:
    width = {"g": p, "h": q}.get(name)
    shape = (size,) if width is None else (size, width)
    return _shaped(parts.array(f"{name}.{level}", np.float64, len(shape)), shape, name)


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
    """Precomputed sparse structure: data rows by (leaf, design row), nodes -> parents,
    nodes -> their top node, and each data row's (top node, design row) cell."""

    order: IntArray  # data rows sorted by leaf
    leaf_design: sparse.csr_matrix  # leaves x design rows; data = weights in `order`
    to_parent: tuple[sparse.csr_matrix, ...]  # [l]: level l+1 nodes -> level l nodes
    top_of: tuple[IntArray, ...]  # [l]: the top node of each node of level l
    to_top: tuple[sparse.csr_matrix, ...]  # [l]: level l nodes -> top nodes
    top_design: IntArray  # per data row: top node x m + design row


def _maps(data: GlmmData) -> _Maps:
    nest = data.nesting
    rows = data.rows
    leaves, tops = nest.sizes[-1], nest.sizes[0]
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
    top_of = tuple(
        nest.top(lv, np.arange(size, dtype=np.int64)) for lv, size in enumerate(nest.sizes)
    )
    to_top = tuple(
        sparse.csr_matrix((np.ones(size), (top_of[lv], np.arange(size))), shape=(tops, size))
        for lv, size in enumerate(nest.sizes)
    )
    top_design = top_of[-1][nest.leaf] * data.x.shape[0] + rows
    return _Maps(order, leaf_design, ups, top_of, to_top, top_design)


@dataclass(slots=True)
class _Elimination:
    s: list[FloatArray]
    xs: list[FloatArray]
    rhs: list[FloatArray]
    d: list[FloatArray]
    f: list[FloatArray]
    block: FloatArray  # tops x q x q: the top block's reduced precision
    block_beta: FloatArray  # tops x q x p: its reduced crossing with beta
    block_rhs: FloatArray  # tops x q
    h_beta: FloatArray
    rhs_beta: FloatArray
    a_inv: FloatArray = field(default_factory=lambda: np.zeros((0, 1, 1)))
    m_top: FloatArray = field(default_factory=lambda: np.zeros((0, 1, 0)))


@dataclass(frozen=True, slots=True)
class _Chain:
    """Per level below the top: the loadings of S_n on beta (g) and on the top block (h),
    and its variance from neither (v); level 0 holds zeros."""

    g: list[FloatArray]
    h: list[FloatArray]
    v: list[FloatArray]


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


def _node_z(data: GlmmData, s: FloatArray, xs: FloatArray) -> FloatArray:
    """A node's crossing with its top block: (its weight, its weighted slope columns)."""
    return np.hstack([s[:, None], xs[:, list(data.slopes)]])


def _outer_sum(to_top: sparse.csr_matrix, a: FloatArray, b: FloatArray) -> FloatArray:
    """Per top node: the sum over its nodes of a_n b_n' (nodes x i, nodes x j)."""
    outer = (a[:, :, None] * b[:, None, :]).reshape(a.shape[0], -1)
    out = np.asarray(to_top @ outer, dtype=np.float64)
    return out.reshape(to_top.shape[0], a.shape[1], b.shape[1])


@dataclass(slots=True)
class _State:
    """Where the Newton iteration is: coefficients, intercepts and slopes."""

    beta: FloatArray
    b: list[FloatArray]
    u: FloatArray  # tops x slopes

    def moved(self, step: float, delta: _State) -> _State:
        return _State(
            self.beta + step * delta.beta,
            [bl + step * dl for bl, dl in zip(self.b, delta.b, strict=True)],
            self.u + step * delta.u,
        )

    def largest(self) -> float:
        return max(
            float(np.max(np.abs(self.beta), initial=0.0)),
            float(np.max(np.abs(self.u), initial=0.0)),
            *(float(np.max(np.abs(bl), initial=0.0)) for bl in self.b),
        )


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
        slope_variances: Sequence[float] | None = None,
        estimate_slopes: bool = True,
    ) -> None:
        levels, k = data.nesting.levels, len(data.slopes)
        self.data = data
        self.maps = _maps(data)
        self.precision = (
            np.zeros(data.p) if prior_precision is None else np.asarray(prior_precision, float)
        ) + RIDGE
        self.sigma2 = np.asarray(variances if variances is not None else [1.0] * levels, float)
        self.tau2 = np.asarray(
            slope_variances if slope_variances is not None else [START_SLOPE_VARIANCE] * k,
            float,
        )
        self.estimate = tuple(estimate) if estimate is not None else (True,) * levels
        self.estimate_slopes = estimate_slopes
        self.fixed_beta = fixed_beta
        self.min_variances = np.asarray(
            min_variances if min_variances is not None else [MIN_VARIANCE] * levels, float
        )
        self._speed = np.ones(levels + k)
        self._last_change = np.zeros(levels + k)

    def _precision(self, lv: int) -> FloatArray:
        """The prior precision of the nodes of level ``lv``."""
        return np.full(self.data.nesting.sizes[lv], 1.0 / self.sigma2[lv])

    def _block_prior(self) -> FloatArray:
        """The prior precision of a top block (intercept, slopes): a diagonal."""
        return np.concatenate([[1.0 / self.sigma2[0]], 1.0 / self.tau2])

    # -- the linear algebra ----------------------------------------------------------------

    def _eta(self, state: _State) -> FloatArray:
        data, nest = self.data, self.data.nesting
        total = _totals(nest, state.b)
        fixed = (data.x @ state.beta)[data.rows]
        eta = fixed + data.offset + total[-1][nest.leaf]
        if data.slopes:
            own = np.einsum("mk,tk->tm", data.x[:, list(data.slopes)], state.u).ravel()
            eta = eta + own[self.maps.top_design]
        return np.asarray(eta, dtype=np.float64)

    def _eliminate(self, state: _State, w: FloatArray, r: FloatArray) -> _Elimination:
        data, nest, maps = self.data, self.data.nesting, self.maps
        levels, m = nest.levels, data.x.shape[0]
        rows = data.rows
        w_design = np.bincount(rows, weights=w, minlength=m)
        r_design = np.bincount(rows, weights=r, minlength=m)
        h_beta = data.x.T @ (data.x * w_design[:, None]) + np.diag(self.precision)
        rhs_beta = data.x.T @ r_design - self.precision * state.beta
        leaves, tops, q = nest.sizes[-1], nest.sizes[0], data.q
        s_raw = np.bincount(nest.leaf, weights=w, minlength=leaves).astype(np.float64)
        e_raw = np.bincount(nest.leaf, weights=r, minlength=leaves).astype(np.float64)
        maps.leaf_design.data = w[maps.order]
        x_raw = np.asarray(maps.leaf_design @ data.x, dtype=np.float64)
        el = _Elimination(
            [np.empty(0)] * levels, [np.empty((0, data.p))] * levels, [np.empty(0)] * levels,
            [np.empty(0)] * levels, [np.empty(0)] * levels, np.zeros((tops, q, q)),
            np.zeros((tops, q, data.p)), np.zeros((tops, q)), h_beta, rhs_beta,
        )  # fmt: skip
        for lv in range(levels - 1, 0, -1):
            el.s[lv], el.xs[lv] = s_raw, x_raw
            precision = self._precision(lv)
            el.rhs[lv] = e_raw - state.b[lv] * precision
            el.d[lv] = s_raw + precision
            el.f[lv] = s_raw / el.d[lv]
            scaled = x_raw / el.d[lv][:, None]
            el.h_beta -= scaled.T @ x_raw
            el.rhs_beta -= scaled.T @ el.rhs[lv]
            if data.slopes:
                z = _node_z(data, s_raw, x_raw)
                zd = z / el.d[lv][:, None]
                el.block -= _outer_sum(maps.to_top[lv], zd, z)
                el.block_beta -= _outer_sum(maps.to_top[lv], zd, x_raw)
                el.block_rhs -= np.asarray(maps.to_top[lv] @ (zd * el.rhs[lv][:, None]))
            up = maps.to_parent[lv - 1]
            keep = 1.0 - el.f[lv]
            s_raw = np.asarray(up @ (s_raw * keep), dtype=np.float64)
            x_raw = np.asarray(up @ (x_raw * keep[:, None]), dtype=np.float64)
            e_raw = np.asarray(up @ (e_raw - el.f[lv] * el.rhs[lv]), dtype=np.float64)
        self._top_block(el, state, w, r, (s_raw, x_raw, e_raw))
        return el

    def _top_block(
        self,
        el: _Elimination,
        state: _State,
        w: FloatArray,
        r: FloatArray,
        raw: tuple[FloatArray, FloatArray, FloatArray],
    ) -> None:
        """The top nodes' blocks, reduced by everything below them, and their elimination
        from the system for beta."""
        data, maps = self.data, self.maps
        s_raw, x_raw, e_raw = raw
        tops, m = data.nesting.sizes[0], data.x.shape[0]
        prior = self._block_prior()
        position = np.column_stack([state.b[0], state.u])
        if data.slopes:
            weights = np.bincount(maps.top_design, weights=w, minlength=tops * m)
            resid = np.bincount(maps.top_design, weights=r, minlength=tops * m)
            weights, resid = weights.reshape(tops, m), resid.reshape(tops, m)
            z = data.z(data.x)
            el.block += np.einsum("tm,mi,mj->tij", weights, z, z)
            el.block_beta += np.einsum("tm,mi,mp->tip", weights, z, data.x)
            el.block_rhs += resid @ z
        else:
            el.block += s_raw[:, None, None]
            el.block_beta += x_raw[:, None, :]
            el.block_rhs += e_raw[:, None]
        el.block += np.diag(prior)[None, :, :]
        el.block_rhs -= position * prior[None, :]
        el.s[0], el.xs[0], el.rhs[0] = s_raw, x_raw, el.block_rhs[:, 0]
        el.d[0] = el.block[:, 0, 0]
        el.f[0] = s_raw / el.d[0]
        el.a_inv = np.asarray(
            np.linalg.inv(0.5 * (el.block + el.block.transpose(0, 2, 1))), dtype=np.float64
        )
        el.m_top = np.einsum("tij,tjp->tip", el.a_inv, el.block_beta)
        el.h_beta -= np.einsum("tqp,tqr->pr", el.block_beta, el.m_top)
        el.rhs_beta -= np.einsum("tqp,tq->p", el.m_top, el.block_rhs)

    def _step(self, el: _Elimination) -> _State:
        data, nest, maps = self.data, self.data.nesting, self.maps
        if self.fixed_beta is None:
            delta_beta = np.asarray(
                np.linalg.solve(_symmetric(el.h_beta), el.rhs_beta), dtype=np.float64
            )
        else:
            delta_beta = np.zeros(data.p)
        reduced = el.block_rhs - np.einsum("tip,p->ti", el.block_beta, delta_beta)
        delta_block = np.einsum("tij,tj->ti", el.a_inv, reduced)
        deltas: list[FloatArray] = [delta_block[:, 0]]
        above = np.zeros(0)
        for lv in range(1, nest.levels):
            if lv == 1:
                above = np.zeros(nest.sizes[1])
            else:
                above = (above + deltas[-1])[nest.parents[lv - 1]]
            z = _node_z(data, el.s[lv], el.xs[lv])
            through_top = np.sum(z * delta_block[maps.top_of[lv]], axis=1)
            delta = (el.rhs[lv] - el.xs[lv] @ delta_beta - through_top - el.s[lv] * above) / el.d[
                lv
            ]
            deltas.append(delta)
        return _State(delta_beta, deltas, delta_block[:, 1:])

    def _penalty(self, state: _State) -> float:
        penalty = 0.5 * float(np.sum(self.precision * state.beta * state.beta))
        for lv, bl in enumerate(state.b):
            penalty += 0.5 * float(np.sum(bl * bl * self._precision(lv)))
        return penalty + 0.5 * float(np.sum(state.u * state.u / self.tau2[None, :]))

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, *, max_iter: int = 400, tol: float = 1e-7, variance_tol: float = 1e-4) -> GlmmFit:
        """Newton steps, each followed by an update of the variances, until both settle.

        Every iteration eliminates once: the step and the variance update share it.
        """
        nest = self.data.nesting
        state = _State(
            np.zeros(self.data.p) if self.fixed_beta is None else self.fixed_beta.copy(),
            [np.zeros(n) for n in nest.sizes],
            np.zeros((nest.sizes[0], len(self.data.slopes))),
        )
        w, r, loglik = _moments(self.data, self._eta(state))
        converged = False
        history: list[FloatArray] = []
        iteration = 0
        while iteration < max_iter:
            iteration += 1
            el = self._eliminate(state, w, r)
            delta = self._step(el)
            objective = loglik - self._penalty(state)
            step = 1.0
            for _ in range(30):
                new = state.moved(step, delta)
                new_w, new_r, new_loglik = _moments(self.data, self._eta(new))
                if new_loglik - self._penalty(new) >= objective - 1e-9 * (1.0 + abs(objective)):
                    break
                step /= 2.0
            state, w, r, loglik = new, new_w, new_r, new_loglik
            size = delta.largest()
            # the variances move once the mode has settled near its first values: updating
            # from the first, far-off steps would collapse them and cost many iterations
            settled = size * step < 1e-2 or iteration > 10
            moved = self._update_variances(el, state) if settled else np.inf
            history.append(np.concatenate([self.sigma2, self.tau2]))
            if size * step < tol and moved < variance_tol:
                converged = True
                break
        return self._posterior(state, iteration, converged, loglik, history)

    def _update_variances(self, el: _Elimination, state: _State) -> float:
        """MacKay's update of each estimated variance from the posterior of the last
        elimination and the new mode; returns the largest change of log variance.

        The intercepts' and slopes' posterior variances here leave out the (small) share
        that comes from the uncertainty of beta: the update stays cheap; the final
        posterior includes it.
        """
        nest, levels = self.data.nesting, self.data.nesting.levels
        moved = 0.0
        if self.estimate_slopes:
            for k in range(len(self.data.slopes)):
                var_u = el.a_inv[:, k + 1, k + 1]
                self.tau2[k], change = self._mackay(
                    levels + k, self.tau2[k], var_u, state.u[:, k], MIN_VARIANCE
                )
                moved = max(moved, change)
        if not any(self.estimate):
            return moved
        chain = _chain(self.data, el, self.maps)
        for lv, free in enumerate(self.estimate):
            if not free or state.b[lv].size == 0:
                continue
            if lv == 0:
                var_b = el.a_inv[:, 0, 0]
            else:
                parent = nest.parents[lv - 1]
                z = _node_z(self.data, el.s[lv], el.xs[lv])
                a = -el.f[lv][:, None] * chain.h[lv - 1][parent] - z / el.d[lv][:, None]
                top = el.a_inv[self.maps.top_of[lv]]
                var_b = (
                    np.einsum("ni,nij,nj->n", a, top, a)
                    + el.f[lv] ** 2 * chain.v[lv - 1][parent]
                    + 1.0 / el.d[lv]
                )
            self.sigma2[lv], change = self._mackay(
                lv, self.sigma2[lv], var_b, state.b[lv], self.min_variances[lv]
            )
            moved = max(moved, change)
        return moved

    def _mackay(
        self, slot: int, current: float, var: FloatArray, mode: FloatArray, floor: float
    ) -> tuple[float, float]:
        """One fixed-point step for one variance: (new variance, |change of its log|)."""
        dof = float(np.sum(1.0 - np.minimum(var / current, 1.0)))
        ss = float(np.sum(mode * mode))
        new = ss / max(dof, 0.5) if dof > 0 else MIN_VARIANCE
        new = float(np.clip(new, floor, MAX_VARIANCE))
        change = float(np.log(new) - np.log(current))
        # over-relaxation while the variance keeps moving the same way (the fixed-point
        # iteration creeps when a level's variance is small)
        if change * self._last_change[slot] > 0:
            self._speed[slot] = min(self._speed[slot] * 1.5, 8.0)
        else:
            self._speed[slot] = 1.0
        self._last_change[slot] = change
        stepped = np.log(current) + self._speed[slot] * change
        return float(np.clip(np.exp(stepped), floor, MAX_VARIANCE)), abs(change)

    def _cov_beta(self, el: _Elimination) -> FloatArray:
        if self.fixed_beta is not None:
            return np.zeros((self.data.p, self.data.p))
        return np.asarray(np.linalg.inv(_symmetric(el.h_beta)), dtype=np.float64)

    def _posterior(
        self,
        state: _State,
        iterations: int,
        converged: bool,
        loglik: float,
        history: list[FloatArray],
    ) -> GlmmFit:
        w, r, _ = _moments(self.data, self._eta(state))
        el = self._eliminate(state, w, r)
        chain = _chain(self.data, el, self.maps)
        return GlmmFit(
            data=self.data,
            beta=state.beta,
            cov_beta=self._cov_beta(el),
            variances=self.sigma2.copy(),
            b=state.b,
            total=_totals(self.data.nesting, state.b),
            d=el.d,
            f=el.f,
            g=chain.g,
            v=chain.v,
            iterations=iterations,
            converged=converged,
            loglik=loglik,
            u=state.u,
            slope_variances=self.tau2.copy(),
            h=chain.h,
            a_inv=el.a_inv,
            m_top=el.m_top,
            history=history,
        )


def _symmetric(matrix: FloatArray) -> FloatArray:
    return 0.5 * (matrix + matrix.T)


def _totals(nest: Nesting, b: list[FloatArray]) -> list[FloatArray]:
    totals = [b[0]]
    for lv in range(1, nest.levels):
        totals.append(totals[-1][nest.parents[lv - 1]] + b[lv])
    return totals


def _chain(data: GlmmData, el: _Elimination, maps: _Maps) -> _Chain:
    """The loadings g, h and variances v of every node below the top (:class:`GlmmFit`)."""
    nest = data.nesting
    tops = nest.sizes[0]
    g: list[FloatArray] = [np.zeros((tops, data.p))]
    h: list[FloatArray] = [np.zeros((tops, data.q))]
    v: list[FloatArray] = [np.zeros(tops)]
    for lv in range(1, nest.levels):
        parent = nest.parents[lv - 1]
        keep = 1.0 - el.f[lv]
        z = _node_z(data, el.s[lv], el.xs[lv])
        d = el.d[lv][:, None]
        g.append(keep[:, None] * g[-1][parent] - el.xs[lv] / d)
        h.append(keep[:, None] * h[-1][parent] - z / d)
        v.append(keep * keep * v[-1][parent] + 1.0 / el.d[lv])
    return _Chain(g, h, v)

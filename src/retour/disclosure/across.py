"""Safety across releases: a new public release checked together with the earlier ones.

The attacker (``MODEL_VERSION``; docs/releases.md states it for readers) holds every earlier
public release of the same table and the new one, their cells as shown, and knows:

- the rules of each (threshold, rounding): a ``rounded`` count ``v`` lies in the counts that
  round to ``v`` and is at least the threshold, ``<5`` is 1 .. threshold - 1, ``x`` is at
  least 1, an ``exact`` figure (a 0) is what it says;
- each table's additive structure: every row and every column adds up to its total;
- how the counts change between extracts. Releases of the same data (the same fingerprint)
  show the same counts. Between one extract and a later one, requests are only added and
  a pending request can be answered, never the reverse, so a cell that is not a pending
  one does not fall -- except by corrections, which the attacker allows as a *slack*: a
  cell falls by at most ``slack`` between consecutive extracts. The attacker takes the
  smallest slack of :data:`SLACKS` under which all the releases are consistent (the
  strongest reading the releases do not contradict). Pending cells may rise and fall.

For every hidden cell of every release the attacker minimises and maximises the cell over
everything consistent with that knowledge (a linear program, HiGHS). The cell is *pinned*
when that interval is narrower than the protection: for a ``<5`` cell the whole range
1 .. threshold - 1, for an ``x`` cell a rounding step (``round_to - 1``), in either case no
more than the cell had before the new release -- for the new release's cells, what their own
release alone leaves them and what the earlier releases leave them when the new one shows
nothing but its zeros and the cell's label; for the earlier releases' cells, what the
earlier releases together leave them (the new release must not take protection away; it
cannot give back what is already out).

:func:`carried` gives the cells a new release must hide because an earlier release of the
same table hid them; :func:`check` finds the pinned cells, and :func:`more_to_hide` the
cells of the new release to hide next (greedily: one shown cell per pinned cell, on the
pinned cell's lines). The gate (:func:`~retour.disclosure.table.disclose_table`'s
``hide``) does the hiding; the service loops until nothing is pinned.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl

from retour.disclosure.suppression import CellStatus
from retour.disclosure.table import KEY_SEPARATOR, TOTAL

if TYPE_CHECKING:
    from scipy import sparse

#: The attacker model's version, recorded with every check.
MODEL_VERSION: Final = "cross-release/1"
#: The slacks of corrections the attacker tries, smallest first (cells per extract).
SLACKS: Final = (0, 1, 2, 5, 10, 50)
#: A count of requests still waiting for an answer (a cell ``outcome=pending``, a table of
#: pending requests) names this: such counts rise and fall between extracts.
PENDING: Final = "pending"
#: The columns of a held release's cells.
CELL_FRAME: Final = ("table", "ident", "dims", "shown", "status")

_PRIMARY: Final = CellStatus.SUPPRESSED_PRIMARY.value
_SECONDARY: Final = CellStatus.SUPPRESSED_SECONDARY.value
_ROUNDED: Final = CellStatus.ROUNDED.value
_EPS: Final = 1e-6
#: At most this many rounds of random pushes per part (:func:`_spread`), each one LP; they
#: stop when fewer than SPREAD_LEAST cells are left or a round leaves more than SPREAD_KEEP
#: of them unproven.
SPREAD_ROUNDS: Final = 12
SPREAD_LEAST: Final = 4
SPREAD_KEEP: Final = 0.9
SPREAD_FLIP: Final = 0.3

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class HeldRelease:
    """A public release as the attacker holds it.

    ``cells``: ``table`` (which table: the same key in two releases is the same question),
    ``ident`` (which count: the same in two releases is the same count, at two extracts),
    ``dims`` (the cell's key in its table), ``shown`` and ``status`` as registered.
    ``release_id`` is None for the release being made.
    """

    release_id: int | None
    fingerprint: str | None
    suppress_below: int
    round_to: int
    cells: pl.DataFrame


@dataclass(frozen=True)
class Pinned:
    """A hidden cell the attacker narrows too far: its interval and the protection asked."""

    release_id: int | None
    table: str
    dims: str
    low: float
    high: float
    required: float


@dataclass(frozen=True)
class Check:
    """What :func:`check` found: the releases compared (the earlier ones' ids), the hidden
    cells checked (those whose table an earlier release shares), the slack of corrections
    the attacker could assume, and the pinned cells."""

    compared: tuple[int, ...]
    cells_checked: int
    slack: int | None
    pinned: tuple[Pinned, ...] = field(default=())


def carried(earlier: Sequence[HeldRelease], new: pl.DataFrame) -> dict[str, set[str]]:
    """Per table of ``new`` (cells with ``table``, ``ident``, ``dims``), the keys of the
    cells that an earlier release of the same table hid: the new release hides them too."""
    hidden = [
        r.cells.filter(pl.col("status").is_in([_PRIMARY, _SECONDARY])).select("ident")
        for r in earlier
    ]
    if not hidden:
        return {}
    before = pl.concat(hidden).unique()
    found = new.join(before, on="ident", how="semi").select("table", "dims")
    plan: dict[str, set[str]] = {}
    for table, dims in found.iter_rows():
        plan.setdefault(table, set()).add(dims)
    return plan


# -- the linear programs -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    """All held cells of the tables checked, as LP variables with their constraints."""

    cells: pl.DataFrame  # one row per variable: rel, table, ident, dims, status, low, high
    equal: sparse.csr_matrix  # additive lines and same-data links: equal @ x == 0
    upper: sparse.csr_matrix  # corrections: upper @ x <= slack
    component: IntArray


def _bounds(frame: pl.DataFrame, below: pl.Expr, step: pl.Expr) -> pl.DataFrame:
    """What a reader knows of each cell from what is shown and the rules."""
    value = pl.col("shown").cast(pl.Int64, strict=False)
    half = step // 2
    low = (
        pl.when(pl.col("status") == _PRIMARY)
        .then(1)
        .when(pl.col("status") == _SECONDARY)
        .then(1)
        .when(pl.col("status") == _ROUNDED)
        .then(pl.max_horizontal(pl.when(value == step).then(1).otherwise(value - half), below))
        .otherwise(value)
    )
    high = (
        pl.when(pl.col("status") == _PRIMARY)
        .then(below - 1)
        .when(pl.col("status") == _SECONDARY)
        .then(None)
        .when(pl.col("status") == _ROUNDED)
        .then(value + step - half - 1)
        .otherwise(value)
    )
    return frame.with_columns(
        low.cast(pl.Float64).alias("low"), high.cast(pl.Float64).alias("high")
    )


def _held(releases: Sequence[HeldRelease], tables: set[str]) -> pl.DataFrame:
    frames = []
    for rel, r in enumerate(releases):
        cells = r.cells.select(CELL_FRAME).filter(pl.col("table").is_in(sorted(tables)))
        frames.append(
            cells.with_columns(
                pl.lit(rel, dtype=pl.Int64).alias("rel"),
                pl.lit(r.fingerprint, dtype=pl.String).alias("fingerprint"),
                pl.lit(r.suppress_below, dtype=pl.Int64).alias("_below"),
                pl.lit(r.round_to, dtype=pl.Int64).alias("_step"),
            )
        )
    frame = pl.concat(frames, how="vertical").with_row_index("var")
    frame = _bounds(frame, pl.col("_below"), pl.col("_step"))
    # a cell's row is its key without the column's part; its column is that part
    row = pl.col("dims").str.replace(r"(^|;)[^;]*$", "")
    column = pl.col("dims").str.extract(r"([^;]*)$")
    total_row = row.str.split(KEY_SEPARATOR).list.eval(
        pl.element().str.ends_with(f"={TOTAL}")
    ).list.all() & (row != "")
    return frame.with_columns(
        row.alias("_row"),
        column.alias("_col"),
        column.str.ends_with(f"={TOTAL}").alias("_total_col"),
        total_row.alias("_total_row"),
    ).with_columns(pl.col("_total_col").any().over("rel", "table").alias("_grid"))


def _lines(frame: pl.DataFrame) -> tuple[list[IntArray], list[IntArray], list[FloatArray]]:
    """The additive lines: per release and table, each row (of a grid) and each column adds
    up to its total -- as (line, variable, coefficient) triples."""
    rows, cols, vals = [], [], []
    for by, total, only_grid in (("_row", "_total_col", True), ("_col", "_total_row", False)):
        part = frame.filter(pl.col("_grid")) if only_grid else frame
        line = part.select(pl.struct("rel", "table", by).rank("dense").cast(pl.Int64) - 1)
        rows.append(line.to_series().to_numpy())
        cols.append(part["var"].to_numpy().astype(np.int64))
        vals.append(np.where(part[total].to_numpy(), -1.0, 1.0))
    offset = 0
    for i in range(len(rows)):
        rows[i] = rows[i] + offset
        offset = int(rows[i].max()) + 1 if len(rows[i]) else offset
    return rows, cols, vals


def _links(frame: pl.DataFrame, monotone: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pairs of consecutive releases' variables of one count: (equal) those of the same
    data, (falls at most by the slack) the others that are not pending cells."""
    ordered = frame.select("var", "ident", "rel", "fingerprint", "dims").sort("ident", "rel")
    paired = ordered.with_columns(
        pl.col("var").shift(-1).over("ident").alias("next"),
        pl.col("fingerprint").shift(-1).over("ident").alias("next_fp"),
    ).filter(pl.col("next").is_not_null())
    same = paired.filter(pl.col("fingerprint").eq_missing(pl.col("next_fp")))
    later = paired.filter(
        pl.col("fingerprint").ne_missing(pl.col("next_fp"))
        & ~pl.col("ident").str.contains(PENDING, literal=True)
    )
    return same.select("var", "next"), later.select("var", "next") if monotone else later.clear()


def _problem(releases: Sequence[HeldRelease], tables: set[str], monotone: bool) -> _Problem:
    from scipy import sparse  # here: not at start-up (every published figure imports this)

    frame = _held(releases, tables)
    n = frame.height
    rows, cols, vals = _lines(frame)
    same, later = _links(frame, monotone)
    start = int(max((r.max() for r in rows if len(r)), default=-1)) + 1
    k = same.height
    rows.append(np.repeat(np.arange(start, start + k), 2))
    cols.append(same.select(pl.concat_list("var", "next")).to_series().explode().to_numpy())
    vals.append(np.tile([1.0, -1.0], k))
    equal = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols).astype(np.int64))),
        shape=(start + k, n),
    )
    m = later.height
    upper = sparse.csr_matrix(
        (
            np.tile([1.0, -1.0], m),
            (
                np.repeat(np.arange(m), 2),
                later.select(pl.concat_list("var", "next")).to_series().explode().to_numpy(),
            ),
        ),
        shape=(m, n),
    )
    from scipy.sparse.csgraph import connected_components  # here: not at start-up

    graph = (abs(equal).T @ abs(equal)) + (abs(upper).T @ abs(upper))
    _, component = connected_components(graph, directed=False)
    return _Problem(
        frame.select("var", "rel", "table", "ident", "dims", "status", "low", "high"),
        equal,
        upper,
        component.astype(np.int64),
    )


@dataclass
class _Solver:
    """The LPs of one connected part of the problem (some of its releases, or all).

    One HiGHS model per part, kept between its LPs: the bounds of each hidden cell are two
    LPs that differ from the last only in their objective, so HiGHS starts each from the
    previous basis (warm start) instead of building and presolving the model again, as
    ``scipy.optimize.linprog`` does on every call. The model is scipy's own binding of HiGHS
    (``scipy.optimize._highspy``, what ``linprog(method="highs")`` itself calls, at the scipy
    version pyproject pins): the ``highspy`` package would add a dependency and prints its
    banner on standard output, into a CSV written there.

    Every optimal solution is a point the attacker cannot rule out, so each variable's
    lowest and highest value over the solutions met so far (:meth:`seen`) lie inside its
    true interval: a cell already that wide needs no LP of its own (:func:`_pinned_in`).
    """

    c_count: int
    equal: sparse.csr_matrix
    upper: sparse.csr_matrix
    bounds: list[tuple[float, float | None]]
    slack: float
    _model: Any = field(default=None, init=False, repr=False)
    _cold: bool = field(default=True, init=False, repr=False)
    _costed: tuple[int, ...] = field(default=(), init=False, repr=False)
    _exact: dict[tuple[int, float], tuple[_Outcome, float]] = field(
        default_factory=dict, init=False, repr=False
    )
    _low: FloatArray | None = field(default=None, init=False, repr=False)
    _high: FloatArray | None = field(default=None, init=False, repr=False)
    solves: int = field(default=0, init=False)
    pulled: tuple[int, ...] | None = field(default=None, init=False)

    def interval(self, var: int) -> tuple[float, float] | None:
        """Min and max of variable ``var`` (local index); None when infeasible."""
        found = []
        for sign in (1.0, -1.0):
            status, value = self.bound(var, sign)
            if status is _Outcome.INFEASIBLE:
                return None
            # unbounded: only upwards can a count be
            found.append(math.inf if status is _Outcome.UNBOUNDED else sign * value)
        return found[0], found[1]

    def bound(self, var: int, sign: float) -> tuple[_Outcome, float]:
        """The minimum of ``sign`` times variable ``var``, solved once."""
        if (var, sign) not in self._exact:
            self._exact[(var, sign)] = self._solve((var,), sign)
        return self._exact[(var, sign)]

    def feasible(self, pull: Sequence[int] = ()) -> bool:
        """Whether the part is consistent, solved with the variables ``pull`` all pulled
        down (a first point for :meth:`seen`; :func:`_spread` starts with it)."""
        found = self._solve(tuple(pull), 1.0)[0] is _Outcome.OPTIMAL
        self.pulled = tuple(pull) if found else None
        return found

    def push(self, variables: Sequence[int], signs: Sequence[float]) -> None:
        """A solution minimising the sum of ``signs`` times ``variables``: a point for
        :meth:`seen`, nothing more."""
        self._solve(tuple(variables), list(signs))

    def rebound(self, var: int, low: float, high: float | None) -> None:
        """Variable ``var`` between other bounds from now on (the bounds solved are gone)."""
        self.bounds[var] = (low, high)
        self._exact.clear()
        self._low = self._high = None
        if self._model is not None:
            from scipy.optimize._highspy import _core  # here: not at start-up

            self._model.changeColBounds(var, low, _core.kHighsInf if high is None else high)

    def seen(self, var: int) -> tuple[float, float]:
        """The lowest and highest value of ``var`` in the solutions met so far."""
        if self._low is None or self._high is None:
            return math.inf, -math.inf
        return float(self._low[var]), float(self._high[var])

    def _solve(
        self, variables: tuple[int, ...], sign: float | list[float]
    ) -> tuple[_Outcome, float]:
        """Minimise ``sign`` (one, or one per variable) times the sum of ``variables``
        (none: no objective)."""
        from scipy.optimize._highspy import _core  # here: not at start-up

        model = self._model if self._model is not None else self._build(_core)
        for var in self._costed:
            model.changeColCost(var, 0.0)
        signs = sign if isinstance(sign, list) else [sign] * len(variables)
        for var, cost in zip(variables, signs, strict=True):
            model.changeColCost(var, cost)
        self._costed = variables
        model.run()
        self._warm(model)
        self.solves += 1
        found = _read(model, _core)
        if found is None:  # "unbounded or infeasible" (a warm start may stop there)
            model.clearSolver()  # decided from a cold start
            model.run()
            found = _read(model, _core) or (_Outcome.INFEASIBLE, math.nan)
        if found[0] is _Outcome.OPTIMAL:
            self._saw(np.asarray(model.getSolution().col_value, dtype=np.float64))
        return found

    def _saw(self, point: FloatArray) -> None:
        if self._low is None or self._high is None:
            self._low, self._high = point.copy(), point.copy()
        else:
            np.minimum(self._low, point, out=self._low)
            np.maximum(self._high, point, out=self._high)

    def _build(self, core: Any) -> Any:
        from scipy import sparse

        matrix = sparse.vstack([self.equal, self.upper]).tocsc()
        n_eq, n_up = self.equal.shape[0], self.upper.shape[0]
        lp = core.HighsLp()
        lp.num_col_ = self.c_count
        lp.num_row_ = n_eq + n_up
        lp.col_cost_ = np.zeros(self.c_count)
        lp.col_lower_ = np.array([low for low, _ in self.bounds], dtype=np.float64)
        lp.col_upper_ = np.array(
            [core.kHighsInf if high is None else high for _, high in self.bounds],
            dtype=np.float64,
        )
        lp.row_lower_ = np.concatenate([np.zeros(n_eq), np.full(n_up, -core.kHighsInf)])
        lp.row_upper_ = np.concatenate([np.zeros(n_eq), np.full(n_up, self.slack)])
        lp.a_matrix_.format_ = core.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(np.float64)
        model = core._Highs()
        model.setOptionValue("output_flag", False)
        model.passModel(lp)
        self._model = model
        self._cold = True  # the first run from nothing: HiGHS's defaults (presolve, dual)
        return model

    def _warm(self, model: Any) -> None:
        """After the first run: each LP differs from the last in its objective (or one
        variable's bounds) only, so the last basis stays primal feasible and primal simplex
        without presolve starts from it."""
        if self._cold:
            model.setOptionValue("presolve", "off")
            model.setOptionValue("simplex_strategy", 4)
            self._cold = False


class _Outcome(Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"


def _read(model: Any, core: Any) -> tuple[_Outcome, float] | None:
    """What the last run of ``model`` found; None when HiGHS could not tell which."""
    status = model.getModelStatus()
    if status == core.HighsModelStatus.kOptimal:
        return _Outcome.OPTIMAL, float(model.getInfo().objective_function_value)
    if status == core.HighsModelStatus.kUnbounded:
        return _Outcome.UNBOUNDED, math.inf
    if status == core.HighsModelStatus.kInfeasible:
        return _Outcome.INFEASIBLE, math.nan
    return None


def _solver(problem: _Problem, keep: npt.NDArray[np.bool_], slack: float) -> _Solver:
    """The LP over the variables ``keep`` (a mask), with the constraints among them only."""
    from scipy import sparse

    index = np.flatnonzero(keep)
    equal = problem.equal[:, index]
    upper = problem.upper[:, index]
    # a constraint that reaches a variable outside is dropped (it says nothing without it)
    full_eq = np.asarray(abs(problem.equal).sum(axis=1)).ravel()
    full_up = np.asarray(abs(problem.upper).sum(axis=1)).ravel()
    inside_eq = np.asarray(abs(equal).sum(axis=1)).ravel()
    inside_up = np.asarray(abs(upper).sum(axis=1)).ravel()
    equal = equal[(inside_eq == full_eq) & (inside_eq > 0)]
    upper = upper[(inside_up == full_up) & (inside_up > 0)]
    low = problem.cells["low"].to_numpy()[index]
    high = problem.cells["high"].fill_null(np.nan).to_numpy()[index]
    bounds = [(float(a), None if np.isnan(b) else float(b)) for a, b in zip(low, high, strict=True)]
    return _Solver(len(index), sparse.csr_matrix(equal), sparse.csr_matrix(upper), bounds, slack)


def _width(interval: tuple[float, float]) -> float:
    low, high = interval
    if math.isinf(high):
        return math.inf
    return float(math.floor(high + _EPS) - math.ceil(low - _EPS))


def _protection(status: str, below: int, step: int) -> float:
    if status == _PRIMARY:
        return float(max(below - 2, 0))
    return float(max(step - 1, 1))


#: What :func:`check` found per part of a problem, by the part's contents (:func:`_part_key`).
Memo = dict[str, "tuple[Pinned, ...] | bool"]


def check(
    earlier: Sequence[HeldRelease],
    new: HeldRelease,
    *,
    monotone: bool = True,
    memo: Memo | None = None,
) -> Check:
    """The new release checked together with the earlier releases of its tables.

    ``memo``, kept by the caller between the checks of one release while it hides more,
    holds each part's pinned cells by what the part holds: a part whose cells, rules and
    links are all as in an earlier check (hiding more touched other tables) is not solved
    again -- its LPs would be the very same."""
    tables = set(new.cells["table"].unique().to_list())
    relevant = [r for r in earlier if r.cells.filter(pl.col("table").is_in(sorted(tables))).height]
    compared = tuple(r.release_id for r in relevant if r.release_id is not None)
    if not relevant:
        return Check(compared, 0, None)
    # a release of the same data showing the same cells as one already held tells nothing
    # more (its counts equal that one's): one of them is enough
    seen: set[tuple[str | None, int]] = set()
    distinct = []
    for r in [*relevant, new]:
        cells = r.cells.filter(pl.col("table").is_in(sorted(tables)))
        key = (r.fingerprint, int(cells.select("ident", "shown", "status").hash_rows().sum()))
        if key in seen and r is new:
            return Check(compared, 0, None)
        if key not in seen:
            seen.add(key)
            distinct.append(r)
    releases = distinct
    problem = _problem(releases, tables, monotone)
    cells = problem.cells.with_columns(pl.Series("_component", problem.component))
    spread = cells.group_by("_component").agg(pl.col("rel").n_unique().alias("_releases"))
    linked = cells.join(spread, on="_component").filter(pl.col("_releases") > 1)
    hidden = linked.filter(pl.col("status").is_in([_PRIMARY, _SECONDARY]))
    new_rel = len(releases) - 1
    memo = {} if memo is None else memo
    digests = {
        int(c): _part_key(problem, releases, int(c), (new_rel, monotone))
        for c in linked["_component"].unique().sort().to_list()
    }
    slack, solvers = _slack(problem, digests, hidden, memo)
    if slack is None:
        return Check(compared, hidden.height, None)
    pinned: list[Pinned] = []
    for component in hidden["_component"].unique().sort().to_list():
        part = f"{digests[int(component)]}|{slack}"
        if part not in memo:
            memo[part] = tuple(
                _pinned_in(
                    problem, releases, hidden, int(component), new_rel, float(slack),
                    solvers.get(int(component)),
                )
            )  # fmt: skip
        found = memo[part]
        assert isinstance(found, tuple)
        pinned += found
    return Check(compared, hidden.height, slack, tuple(pinned))


def _part_key(
    problem: _Problem, releases: Sequence[HeldRelease], component: int, more: tuple[object, ...]
) -> str:
    """Everything a part's LPs are made of but the slack: its cells (release, count, key,
    status, bounds), the rules and data of the releases they are from, and ``more`` (which
    release is the new one, whether counts only grow)."""
    part = problem.cells.filter(pl.Series(problem.component == component)).drop("var")
    held = [(r.release_id, r.fingerprint, r.suppress_below, r.round_to) for r in releases]
    digest = hashlib.sha256(repr((more, held)).encode())
    digest.update(part.write_csv().encode())
    return digest.hexdigest()


def _slack(
    problem: _Problem, digests: Mapping[int, str], hidden: pl.DataFrame, memo: Memo
) -> tuple[int | None, dict[int, _Solver]]:
    """The smallest slack of corrections under which every linked part is consistent,
    with the parts' models solved for it, their hidden cells pulled down (kept for their
    bounds). A part's consistency under a slack is kept in ``memo`` too."""
    for slack in SLACKS:
        solvers: dict[int, _Solver] = {}
        for component, digest in digests.items():
            key = f"{digest}|{slack}|feasible"
            if key not in memo:
                keep = problem.component == component
                solver = _solver(problem, keep, float(slack))
                mine = hidden.filter(pl.col("_component") == component)["var"].to_numpy()
                memo[key] = solver.feasible((np.cumsum(keep) - 1)[mine].tolist())
                solvers[component] = solver
            if not memo[key]:
                break
        else:
            return slack, solvers
    return None, {}


def _pinned_in(
    problem: _Problem,
    releases: Sequence[HeldRelease],
    hidden: pl.DataFrame,
    component: int,
    new_rel: int,
    slack: float,
    solver: _Solver | None = None,
) -> list[Pinned]:
    """The pinned cells of one connected part. Two LPs first pull every hidden cell of the
    part down and then up; their solutions (and every later LP's) are points the attacker
    cannot rule out, so a cell they already spread as wide as its protection is safe
    without an LP of its own (:meth:`_Solver.seen`). Only the others get their minimum and
    maximum solved, and each of those bounds is skipped too once the solutions met by then
    spread the cell wide enough."""
    keep = problem.component == component
    local = np.cumsum(keep) - 1
    solver = solver or _solver(problem, keep, slack)
    mine = hidden.filter(pl.col("_component") == component).select(
        "var", "rel", "table", "dims", "status"
    )
    wants = np.array(
        [
            _protection(status, releases[rel].suppress_below, releases[rel].round_to)
            for rel, status in mine.select("rel", "status").iter_rows()
        ],
        dtype=np.float64,
    )
    _spread(solver, local[mine["var"].to_numpy()], wants, seed=component)
    references = _References(problem, keep, new_rel, slack)
    found = []
    rows = mine.select("var", "rel", "table", "dims").iter_rows()
    for (var, rel, table, dims), want in zip(rows, wants, strict=True):
        held = releases[rel]
        at = int(local[var])
        if _proven(solver, at, want):
            continue
        interval = solver.interval(at)
        if interval is None or _width(interval) >= want:
            continue
        required = min(want, references.width(var, rel == new_rel, _width(interval)))
        if _width(interval) < required:
            found.append(Pinned(held.release_id, table, dims, interval[0], interval[1], required))
    return found


def _spread(solver: _Solver, variables: IntArray, wants: FloatArray, *, seed: int) -> None:
    """Solutions that spread ``variables`` towards their protection ``wants``: all down,
    all up, then rounds that push each cell not yet wide enough up or down at random, while
    a round still proves a good share of the rest (the points are only ever used to skip
    an LP of a cell they already show wide enough; which points they are changes nothing
    else)."""
    if solver.pulled != tuple(variables.tolist()):  # not yet by the consistency check
        solver.push(variables.tolist(), [1.0] * len(variables))
    solver.push(variables.tolist(), [-1.0] * len(variables))
    rng = np.random.default_rng(seed)
    open_ = _unproven(solver, variables, wants)
    for _ in range(SPREAD_ROUNDS):
        if open_.sum() < SPREAD_LEAST:
            return
        # a cell seen at its lowest bound goes up, one seen higher down; a few at random
        lowest = np.array([solver.bounds[int(v)][0] for v in variables[open_]])
        seen = np.array([solver.seen(int(v))[0] for v in variables[open_]])
        signs = np.where(seen <= lowest + _EPS, -1.0, 1.0)
        signs = np.where(rng.random(len(signs)) < SPREAD_FLIP, -signs, signs)
        solver.push(variables[open_].tolist(), signs.tolist())
        still = _unproven(solver, variables, wants)
        if still.sum() > SPREAD_KEEP * open_.sum():
            return
        open_ = still


def _unproven(solver: _Solver, variables: IntArray, wants: FloatArray) -> npt.NDArray[np.bool_]:
    spans = [_width(solver.seen(int(v))) for v in variables]
    return np.asarray(spans, dtype=np.float64) < wants


def _proven(solver: _Solver, var: int, want: float) -> bool:
    """Whether the solutions met (solving the cell's own bounds only while they do not
    suffice) spread variable ``var`` at least ``want`` wide: then it is safe."""
    for sign in (1.0, -1.0):
        if _width(solver.seen(var)) >= want:
            return True
        status, _ = solver.bound(var, sign)
        if status is _Outcome.INFEASIBLE:
            return True  # nothing the attacker can hold: not pinned (as interval's None)
        if status is _Outcome.UNBOUNDED and sign < 0:
            return True  # upwards without end
    return _width(solver.seen(var)) >= want


@dataclass
class _References:
    """How wide a hidden cell of one part may be asked to stay (:meth:`width`), with the
    part's models kept from cell to cell: the earlier releases alone, the new release
    alone, and all of them with the new release's non-zero cells unknown but the one asked
    about."""

    problem: _Problem
    keep: npt.NDArray[np.bool_]
    new_rel: int
    slack: float
    _solvers: dict[str, _Solver] = field(default_factory=dict, init=False)

    def width(self, var: int, is_new: bool, below: float) -> float:
        """For an earlier release's cell, as wide as the earlier releases together leave
        it; for the new release's, as wide as its own release alone leaves it, and no wider
        than the earlier releases leave it when the new release shows nothing but its zeros
        and the cell's own label. Once the answer is known to be at most ``below`` (the
        cell's interval, so it is not pinned), the rest is not solved."""
        rel_of = self.problem.cells["rel"].to_numpy()
        if not is_new:
            return self._width("before", self.keep & (rel_of != self.new_rel), var)
        own = self._width("alone", self.keep & (rel_of == self.new_rel), var)
        if own <= below:
            return own
        return min(own, self._masked(var))

    def _width(self, name: str, mask: npt.NDArray[np.bool_], var: int) -> float:
        if name not in self._solvers:
            self._solvers[name] = _solver(self.problem, mask, self.slack)
        interval = self._solvers[name].interval(int(np.cumsum(mask)[var] - 1))
        return _width(interval) if interval is not None else math.inf

    def _masked(self, var: int) -> float:
        """The part's model with the new release's non-zero cells unknown (at least 1, or
        their own lower bound when less) -- but ``var``, put back to its bounds for the
        LPs of its own and relaxed again after them."""
        rel_of = self.problem.cells["rel"].to_numpy()
        index = np.flatnonzero(self.keep)
        at = int(np.cumsum(self.keep)[var] - 1)
        masked = self._solvers.get("masked")
        if masked is None:
            masked = _solver(self.problem, self.keep, self.slack)
            for k, v in enumerate(index.tolist()):
                low, high = masked.bounds[k]
                if rel_of[v] == self.new_rel and not (low == 0 and high == 0):
                    masked.bounds[k] = (min(1.0, low), None)
            self._solvers["masked"] = masked
        relaxed = masked.bounds[at]
        low = float(self.problem.cells["low"][int(var)])
        high = self.problem.cells["high"][int(var)]
        masked.rebound(at, low, None if high is None else float(high))
        interval = masked.interval(at)
        masked.rebound(at, *relaxed)
        return _width(interval) if interval is not None else math.inf


# -- what to hide next ----------------------------------------------------------------------


def more_to_hide(
    pinned: Sequence[Pinned], new: pl.DataFrame, exact: pl.DataFrame
) -> dict[str, set[str]]:
    """Per table, cells of the new release to hide next (as ``x``): for each pinned cell,
    the smallest non-zero cell of the new release not yet ``x`` -- shown or ``<5``, whose
    label bounds it -- the same count first, then on its row or column, then anywhere in
    its table.

    ``new``: the new release's cells (``table``, ``dims``, ``status``); ``exact``: their
    exact counts (``table``, ``dims``, ``n``), which only the maker of a release knows.
    """
    shown = (
        new.filter(pl.col("status") != _SECONDARY)
        .join(exact, on=["table", "dims"])
        .filter(pl.col("n") > 0)
        .with_columns(
            pl.col("dims").str.replace(r"(^|;)[^;]*$", "").alias("_row"),
            pl.col("dims").str.extract(r"([^;]*)$").alias("_col"),
        )
    )
    plan: dict[str, set[str]] = {}
    for cell in pinned:
        row = cell.dims.rsplit(KEY_SEPARATOR, 1)[0] if KEY_SEPARATOR in cell.dims else ""
        col = cell.dims.rsplit(KEY_SEPARATOR, 1)[-1]
        mine = shown.filter(pl.col("table") == cell.table)
        taken = plan.get(cell.table, set())
        mine = mine.filter(~pl.col("dims").is_in(sorted(taken)))
        for choice in (
            mine.filter(pl.col("dims") == cell.dims),
            mine.filter((pl.col("_row") == row) | (pl.col("_col") == col)),
            mine,
        ):
            if choice.height:
                dims = choice.sort("n", "dims")["dims"][0]
                plan.setdefault(cell.table, set()).add(dims)
                break
    return plan

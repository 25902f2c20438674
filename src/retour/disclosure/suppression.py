"""Primary and complementary suppression, and rounding, for the ``public`` profile.

The table as a graph
--------------------
A table with totals is a set of additive *lines*: every row adds up to its row total,
every column to its column total, the row totals and the column totals each add up to the
grand total. Give every line a vertex; every cell (totals included) then lies on exactly two
lines and is an edge between them (a one-dimensional list has one line: its cells are
parallel edges between the line and a second, dummy vertex). With a sign per cell (+1 for
inner cells and the grand total, -1 for row and column totals), the signed values form a
*circulation*: at every vertex they add up to zero.

A reader who knows the shown figures can change the hidden ones only along cycles of hidden
cells: if a cell goes up by one, another hidden cell on each of its two lines must
compensate, and so on until the change closes a cycle. Whether a cell can move at all, given
what the reader knows of each hidden cell's range, is therefore a directed-cycle question in
the *residual graph*: cell ``c`` offers an arc in the direction that raises its value when
it may still go up, and one in the other direction when it may still go down. A hidden cell
can be recomputed exactly if and only if no directed cycle passes through it
(:meth:`_Search.protected`). For these tables the constraint matrix is totally unimodular,
so this is exact: it agrees with a linear program over the same knowledge, and the extreme
values are integers.

The algorithm
-------------
1. Primary: every count from 1 to ``suppress_below - 1`` (totals included) is hidden
   (shown ``<5``). Zero is not sensitive and never hidden.
2. Complementary: for each hidden cell that can still be recomputed (interior cells first,
   then totals, then the grand total; in row-major order), find the cheapest cycle through
   it (Dijkstra) that uses hidden cells for free and hides new cells at a cost, compared
   lexicographically: first the number of "<5" labels that would have to go (see 3), then
   whether the grand total is hidden, then the number of row/column totals hidden, then the
   sum of the counts hidden. So interior cells are preferred to totals, small counts to
   large, and cells already hidden are reused. A line whose only other non-zero cell is its
   total gets its total hidden (the cycle has no other way out of that line); when the
   total is itself under the threshold it is already hidden, as in ``[3, 0 | 3]``. Every
   cell on the chosen cycle -- the old one and the new ones -- can then move, and hiding
   more cells later never takes that away, so one pass suffices; a final :func:`audit`
   checks every hidden cell again and refuses to return an unsafe table.
3. Rarely the "<5" labels themselves give counts away: four "<5" cells adding up to a "<5"
   total must all be 1, whatever else is hidden. Hiding more cells cannot help; instead such
   a cell (here: the total) is shown as ``x`` instead of ``<5`` (status
   ``SUPPRESSED_SECONDARY``), which drops the label's upper bound. A cycle always exists once
   that is allowed (every non-zero cell may then go up), so the algorithm never fails.
4. Rounding: every shown non-zero count is rounded half up to a multiple of ``round_to``,
   and never to 0 (a shown 0 is always a true 0). Totals are rounded from the exact totals,
   so rounded cells need not add up to their rounded total.

The guarantee
-------------
Take a reader who knows the table's additive structure, every shown figure *exactly* (more
than rounding lets anyone know), that a shown 0 is 0, that every shown non-zero count is at
least ``suppress_below``, that a ``<5`` cell holds 1..``suppress_below - 1``, and -- more
than the ``x`` label says -- that an ``x`` cell holds at least ``suppress_below`` unless it
is a relabelled small count (then at least 1). For every hidden cell there are two tables of
non-negative integers, both consistent with all of that, in which the cell differs: no
hidden cell can be recomputed exactly. Rounding only widens what a reader can know, so the
same holds for the published, rounded table.

Not promised: the ``<5`` label itself says a count is 1..4 (DT&V's practice); a hidden
cell's possible range may be as narrow as two values (no wider protection interval is
sought); tables cut from the same data are protected one by one, not jointly against
differencing; and a reader who reasons about this algorithm's own choices is not modelled.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class CellStatus(StrEnum):
    """How a cell is shown.

    - ``EXACT``: the exact count (internal, parliament; and every 0).
    - ``ROUNDED``: the count rounded to ``round_to`` (public).
    - ``SUPPRESSED_PRIMARY``: a count from 1 to ``suppress_below - 1``, shown ``<5``.
    - ``SUPPRESSED_SECONDARY``: hidden so that no other hidden count can be recomputed,
      shown ``x`` (the CBS sign for "geheim"). Usually a count of at least
      ``suppress_below``; rarely a small count whose ``<5`` label would give it away.
    """

    EXACT = "exact"
    ROUNDED = "rounded"
    SUPPRESSED_PRIMARY = "suppressed_primary"
    SUPPRESSED_SECONDARY = "suppressed_secondary"

    @property
    def suppressed(self) -> bool:
        return self in (CellStatus.SUPPRESSED_PRIMARY, CellStatus.SUPPRESSED_SECONDARY)


class Level(IntEnum):
    """Where a cell sits: inside the table, on a margin (row or column total), or the corner."""

    INNER = 0
    MARGIN = 1
    GRAND = 2


@dataclass(frozen=True)
class LinkedCells:
    """The cells of a table with totals, as edges between the additive lines they lie on.

    Cell ``k`` joins vertices ``first[k]`` and ``second[k]``; ``sign[k] * value[k]`` summed
    over the cells at any vertex is zero. Build with :meth:`grid` or :meth:`line`.
    """

    first: IntArray
    second: IntArray
    sign: IntArray
    value: IntArray
    level: IntArray
    vertices: int

    @classmethod
    def grid(cls, inner: IntArray) -> LinkedCells:
        """An R x C table plus row totals, column totals and grand total.

        Cells are numbered row-major over the (R+1) x (C+1) extended table: the row totals
        are the last column, the column totals the last row, the grand total the last cell.
        """
        rows, cols = inner.shape
        extended = np.zeros((rows + 1, cols + 1), dtype=np.int64)
        extended[:rows, :cols] = inner
        extended[:rows, cols] = inner.sum(axis=1)
        extended[rows, :cols] = inner.sum(axis=0)
        extended[rows, cols] = inner.sum()
        i, j = np.indices(extended.shape)
        level = (i == rows).astype(np.int64) + (j == cols).astype(np.int64)
        return cls(
            first=i.ravel().astype(np.int64),
            second=(rows + 1 + j).ravel().astype(np.int64),
            sign=np.where(level == Level.MARGIN, -1, 1).ravel().astype(np.int64),
            value=extended.ravel(),
            level=level.ravel(),
            vertices=rows + cols + 2,
        )

    @classmethod
    def line(cls, items: IntArray) -> LinkedCells:
        """A list of counts plus its total (the last cell)."""
        n = len(items)
        return cls(
            first=np.zeros(n + 1, dtype=np.int64),
            second=np.ones(n + 1, dtype=np.int64),
            sign=np.append(np.ones(n, dtype=np.int64), -1),
            value=np.append(items.astype(np.int64), items.sum()).astype(np.int64),
            level=np.append(np.zeros(n, dtype=np.int64), int(Level.GRAND)),
            vertices=2,
        )

    def __len__(self) -> int:
        return len(self.value)


class _State(IntEnum):
    VISIBLE = 0
    PRIMARY = 1
    SECONDARY = 2


class _Action(IntEnum):
    NONE = 0  # an already hidden cell, used as it is
    HIDE = 1  # a shown cell becomes "x"
    RELABEL = 2  # a "<5" cell becomes "x"


#: (labels dropped, grand total hidden, margins hidden, sum of counts hidden)
Cost = tuple[int, int, int, int]
_FREE: Cost = (0, 0, 0, 0)
_RELABEL: Cost = (1, 0, 0, 0)


def _add(a: Cost, b: Cost) -> Cost:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3])


class _Search:
    """Cycle searches in the residual graph of a table's hidden cells."""

    def __init__(self, cells: LinkedCells, state: list[_State], suppress_below: int) -> None:
        self.cells = cells
        self.state = state
        self.below = suppress_below
        self.value = cells.value.tolist()
        self.sign = cells.sign.tolist()
        self.first = cells.first.tolist()
        self.second = cells.second.tolist()
        self.level = cells.level.tolist()
        self.adjacent: list[list[int]] = [[] for _ in range(cells.vertices)]
        self.hidden: list[list[int]] = [[] for _ in range(cells.vertices)]
        for k in range(len(cells)):
            for vertex in (self.first[k], self.second[k]):
                self.adjacent[vertex].append(k)
                if state[k] is not _State.VISIBLE:
                    self.hidden[vertex].append(k)

    def _step(self, k: int, delta: int, allow_new: bool) -> tuple[Cost, _Action] | None:
        """What moving cell ``k`` by ``delta`` costs, or None when the reader rules it out."""
        value, target = self.value[k], self.value[k] + delta
        state = self.state[k]
        if state is _State.PRIMARY:
            if 1 <= target < self.below:
                return _FREE, _Action.NONE
            return (_RELABEL, _Action.RELABEL) if allow_new and target >= 1 else None
        if state is _State.SECONDARY:
            floor = self.below if value >= self.below else 1
            return (_FREE, _Action.NONE) if target >= floor else None
        if allow_new and value > 0 and target >= self.below:
            level = self.level[k]
            return (0, int(level == Level.GRAND), int(level == Level.MARGIN), value), _Action.HIDE
        return None

    def _arc(self, k: int, source: int) -> tuple[int, int]:
        """The far end of cell ``k`` seen from ``source`` and the change that arc means."""
        if source == self.first[k]:
            return self.second[k], self.sign[k]
        return self.first[k], -self.sign[k]

    def _path(
        self, start: int, goal: int, skip: int, allow_new: bool
    ) -> tuple[Cost, list[tuple[int, _Action]]] | None:
        """The cheapest residual path from ``start`` to ``goal`` avoiding cell ``skip``."""
        best: dict[int, Cost] = {start: _FREE}
        came: dict[int, tuple[int, int, _Action]] = {}
        heap: list[tuple[Cost, int]] = [(_FREE, start)]
        while heap:
            cost, here = heapq.heappop(heap)
            if cost != best[here]:
                continue
            if here == goal:
                return cost, self._trace(came, start, goal)
            for k in self.adjacent[here]:
                if k == skip:
                    continue
                there, delta = self._arc(k, here)
                step = self._step(k, delta, allow_new)
                if step is None:
                    continue
                total = _add(cost, step[0])
                if there not in best or total < best[there]:
                    best[there] = total
                    came[there] = (here, k, step[1])
                    heapq.heappush(heap, (total, there))
        return None

    @staticmethod
    def _trace(
        came: dict[int, tuple[int, int, _Action]], start: int, goal: int
    ) -> list[tuple[int, _Action]]:
        steps: list[tuple[int, _Action]] = []
        here = goal
        while here != start:
            here, k, action = came[here]
            steps.append((k, action))
        return steps

    def _cycle(self, e: int, allow_new: bool) -> tuple[Cost, list[tuple[int, _Action]]] | None:
        """The cheapest residual cycle through cell ``e``, in either direction."""
        found: list[tuple[Cost, list[tuple[int, _Action]]]] = []
        for source in (self.first[e], self.second[e]):
            target, delta = self._arc(e, source)
            own = self._step(e, delta, allow_new)
            if own is None:
                continue
            path = self._path(target, source, e, allow_new)
            if path is not None:
                found.append((_add(own[0], path[0]), [(e, own[1]), *path[1]]))
        return min(found, key=lambda option: option[0]) if found else None

    def protected(self, e: int) -> bool:
        """Whether hidden cell ``e`` can move: some directed cycle of hidden cells holds it."""
        for source in (self.first[e], self.second[e]):
            target, delta = self._arc(e, source)
            if self._step(e, delta, False) is not None and self._reaches(target, source, e):
                return True
        return False

    def _reaches(self, start: int, goal: int, skip: int) -> bool:
        """Whether a residual path of hidden cells leads from ``start`` to ``goal``."""
        seen, todo = {start}, [start]
        while todo:
            here = todo.pop()
            for k in self.hidden[here]:
                there, delta = self._arc(k, here)
                if k == skip or there in seen or self._step(k, delta, False) is None:
                    continue
                if there == goal:
                    return True
                seen.add(there)
                todo.append(there)
        return False

    def protect(self, e: int) -> None:
        """Hide (or relabel) the cells of the cheapest cycle through ``e``."""
        cycle = self._cycle(e, allow_new=True)
        if cycle is None:  # cannot happen: every non-zero cell may go up (module docstring)
            raise RuntimeError(f"no complementary suppression found for cell {e}")
        for k, action in cycle[1]:
            if action is _Action.HIDE:
                self.hidden[self.first[k]].append(k)
                self.hidden[self.second[k]].append(k)
            if action is not _Action.NONE:
                self.state[k] = _State.SECONDARY


def primary(values: IntArray, suppress_below: int) -> BoolArray:
    """The counts hidden for themselves: 1 .. suppress_below - 1."""
    return (values >= 1) & (values < suppress_below)


_STATE = {
    CellStatus.SUPPRESSED_PRIMARY: _State.PRIMARY,
    CellStatus.SUPPRESSED_SECONDARY: _State.SECONDARY,
}
_STATUS: dict[_State, CellStatus | None] = {
    _State.VISIBLE: None,
    _State.PRIMARY: CellStatus.SUPPRESSED_PRIMARY,
    _State.SECONDARY: CellStatus.SUPPRESSED_SECONDARY,
}


def suppress(
    cells: LinkedCells, suppress_below: int, hide: BoolArray | None = None
) -> list[CellStatus | None]:
    """Primary and complementary suppression of ``cells``.

    ``hide`` marks cells that must be hidden as ``x`` whatever their count (a cell hidden in
    an earlier release of the same table, :mod:`retour.disclosure.across`): each non-zero
    one is hidden as ``x`` (a small count too: its ``<5`` label would bound it) and
    protected by complementary suppression like a primary cell (a 0 is never hidden: a
    shown 0 is a true 0).

    Returns, per cell, ``SUPPRESSED_PRIMARY``, ``SUPPRESSED_SECONDARY`` or None (shown).
    Deterministic: the same table (and ``hide``) gives the same pattern. See the module
    docstring for the guarantee; the result always passes :func:`audit`.
    """
    small = primary(cells.value, suppress_below)
    forced = np.zeros(len(cells), dtype=bool) if hide is None else hide & (cells.value > 0)
    state = [
        _State.SECONDARY if f else _State.PRIMARY if s else _State.VISIBLE
        for s, f in zip(small.tolist(), forced.tolist(), strict=True)
    ]
    search = _Search(cells, state, suppress_below)
    order = sorted(np.flatnonzero(small | forced).tolist(), key=lambda k: (search.level[k], k))
    for e in order:
        if not search.protected(e):
            search.protect(e)
    statuses = [_STATUS[s] for s in state]
    exposed = audit(cells, statuses, suppress_below)
    if exposed:  # defensive: never hand out a table whose hidden cells can be recomputed
        raise RuntimeError(f"suppression audit failed for cells {exposed}")
    return statuses


def audit(
    cells: LinkedCells, statuses: Sequence[CellStatus | None], suppress_below: int
) -> list[int]:
    """The hidden cells a reader could recompute exactly; empty when the pattern is safe.

    The reader is the one of the module docstring: every shown cell (status None, EXACT or
    ROUNDED) known exactly, ``SUPPRESSED_PRIMARY`` in 1..suppress_below-1,
    ``SUPPRESSED_SECONDARY`` at least suppress_below (at least 1 for a small count).
    Works for any pattern, not only those :func:`suppress` makes.
    """
    state = [_STATE.get(s, _State.VISIBLE) if s is not None else _State.VISIBLE for s in statuses]
    search = _Search(cells, state, suppress_below)
    return [k for k, s in enumerate(state) if s is not _State.VISIBLE and not search.protected(k)]


def round_counts(values: IntArray, round_to: int) -> IntArray:
    """Round counts half up to a multiple of ``round_to``; a non-zero count never becomes 0.

    With ``round_to`` 10: 0 -> 0, 1..14 -> 10, 15..24 -> 20, 25 -> 30.
    """
    if round_to == 1:
        return values.astype(np.int64)
    rounded = (values + round_to // 2) // round_to * round_to
    return np.where(values == 0, 0, np.maximum(rounded, round_to)).astype(np.int64)

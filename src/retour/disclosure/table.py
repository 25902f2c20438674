"""Disclose a table of counts under a profile: :func:`disclose_table` -> :class:`DisclosedTable`.

Input is a *long* table of exact counts: dimension columns plus one integer count column
(``n``). Output is a *wide* table ready to render: one row per combination of the row
dimensions, one value column per value of the column dimension, a ``total`` column, and a
totals row at the bottom (marked by ``is_total``). Without a column dimension the output is
a list: one value column and a totals row.

How to render
-------------
- CLI table, HTML, text: :meth:`DisclosedTable.to_display_frame` gives strings only, with
  ``<5`` and ``x`` in place, row labels translated ("overige landen", "Totaal"). Print
  :meth:`DisclosedTable.notes_in` below it.
- Workbook: write :attr:`DisclosedTable.shown` (integers; null where a cell is hidden) and
  use :attr:`DisclosedTable.status` to put ``<5``/``x`` in the null cells, or simply write
  the display frame. Print the notes below the table.
- The exact counts are kept in the table for tests and audits only
  (:meth:`DisclosedTable.audit_exact`); nothing a renderer needs lives there. Never render
  them under a profile other than ``internal``.

Totals are computed from exact counts and then rounded (public), so shown cells need not add
up to their shown total; a note says so. The table has no subtotals, and a renderer must not
add any: a figure computed from shown cells is not protected.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from retour.disclosure.profiles import (
    COUNTRY_COLUMNS,
    OTHER_COUNTRIES,
    OTHER_COUNTRIES_LABEL,
    DisclosureRules,
    Profile,
    pool_confidential,
)
from retour.disclosure.suppression import (
    BoolArray,
    CellStatus,
    IntArray,
    LinkedCells,
    round_counts,
    suppress,
)
from retour.domain.language import Language

#: Name of the row-total column in the wide frames.
TOTAL = "total"
#: Boolean column marking the totals row (its dimension columns are null).
IS_TOTAL = "is_total"
#: Name of the column holding the value column's name in :meth:`DisclosedTable.to_long`.
COLUMN = "column"
#: Label of the totals row and column per language.
TOTAL_LABEL = {"nl": "Totaal", "en": "Total"}
#: Shown in place of a complementary-suppressed count (CBS: "x = geheim").
SECONDARY_SIGN = "x"
#: Polars dtype of the status frame's value columns.
STATUS_DTYPE = pl.Enum([s.value for s in CellStatus])
#: A cell's key (as the register of releases keeps it): ``name=value`` per row dimension
#: (``total`` on the totals row), then the column's (``value=n`` for a list), joined by this.
KEY_SEPARATOR = ";"
#: The name of a list's column dimension in a cell's key.
LIST_COLUMN = "value"


@dataclass(frozen=True)
class Note:
    """A note to print with a table, in Dutch and English."""

    nl: str
    en: str

    def text(self, lang: Language) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True, eq=False)
class DisclosedTable:
    """A table after its profile's rules: what may be shown, and how.

    Attributes:
        rules: the rules applied (profile, confidential list, thresholds).
        row_dims: the row dimension columns.
        column: the column dimension, or None for a list.
        value_columns: names of the value columns in :attr:`shown` and :attr:`status`, in
            order; ``str()`` of each value of the column dimension, then ``total``. For a
            list: just the count column's name.
        shown: row dimensions, ``is_total``, and the value columns as Int64: the number to
            show (rounded under public), null where the cell is suppressed.
        status: same layout; the value columns hold the :class:`CellStatus` of each cell.
        notes: notes to print with the table.
    """

    rules: DisclosureRules
    row_dims: tuple[str, ...]
    column: str | None
    value_columns: tuple[str, ...]
    shown: pl.DataFrame
    status: pl.DataFrame
    notes: tuple[Note, ...]
    _exact: pl.DataFrame = field(repr=False, compare=False)

    @property
    def profile(self) -> Profile:
        return self.rules.profile

    def audit_exact(self) -> pl.DataFrame:
        """The exact counts in the layout of :attr:`shown`. For tests and audits only.

        Under ``parliament`` and ``public`` these are the figures the profile exists to
        withhold: never render them.
        """
        return self._exact

    def to_long(self) -> pl.DataFrame:
        """One row per cell: row dimensions, ``is_total``, ``column`` (the value column's
        name, ``total`` for the row totals), ``shown`` (Int64, null when suppressed) and
        ``status``. Handy for a web API or a writer that visits cells one by one."""
        index = [*self.row_dims, IS_TOTAL]
        on = list(self.value_columns)
        shown = self.shown.unpivot(on, index=index, variable_name=COLUMN, value_name="shown")
        status = self.status.unpivot(on, index=index, variable_name=COLUMN, value_name="status")
        return shown.with_columns(status["status"])

    def notes_in(self, lang: Language = "nl") -> list[str]:
        """The notes as text in ``lang``."""
        return [note.text(lang) for note in self.notes]

    def to_display_frame(self, lang: Language = "nl") -> pl.DataFrame:
        """Strings only, ready to print: labels translated, ``<5`` and ``x`` in place.

        The row dimension columns keep their names; the totals row is labelled "Totaal" /
        "Total" in the first of them; the ``total`` column is renamed to that label.
        """
        labels = [self._label(d, lang) for d in self.row_dims]
        primary = f"<{self.rules.suppress_below}"
        values = [
            pl.when(self.status[c] == CellStatus.SUPPRESSED_PRIMARY.value)
            .then(pl.lit(primary))
            .when(self.status[c] == CellStatus.SUPPRESSED_SECONDARY.value)
            .then(pl.lit(SECONDARY_SIGN))
            .otherwise(pl.col(c).cast(pl.String))
            .alias(self._header(c, lang))
            for c in self.value_columns
        ]
        return self.shown.select(*labels, *values)

    def _label(self, dim: str, lang: Language) -> pl.Expr:
        text = pl.col(dim).cast(pl.String)
        if self.rules.pools:
            text = text.replace(OTHER_COUNTRIES, OTHER_COUNTRIES_LABEL[lang])
        on_total = TOTAL_LABEL[lang] if dim == self.row_dims[0] else ""
        return pl.when(pl.col(IS_TOTAL)).then(pl.lit(on_total)).otherwise(text).alias(dim)

    def _header(self, name: str, lang: Language) -> str:
        if self.column is not None and name == TOTAL:
            return TOTAL_LABEL[lang]
        if self.rules.pools and name == OTHER_COUNTRIES:
            return OTHER_COUNTRIES_LABEL[lang]
        return name


def disclose_table(
    frame: pl.DataFrame,
    *,
    rows: list[str],
    column: str | None,
    value: str = "n",
    rules: DisclosureRules,
    countries: Sequence[str] = COUNTRY_COLUMNS,
    hide: Collection[str] = (),
) -> DisclosedTable:
    """Apply ``rules`` to a long table of exact counts.

    Args:
        frame: dimension columns and the integer count column ``value`` (no nulls, no
            negative counts). Columns not named in ``rows``/``column`` are summed over.
        rows: the row dimensions (at least one); several give one row per combination,
            without subtotals.
        column: the column dimension, or None for a list with a total.
        value: the count column.
        rules: the profile's rules.
        countries: which dimensions hold country codes to pool (``internal``: none are).
        hide: the keys (:func:`cell_keys`) of cells that must be hidden whatever their
            count, under a profile that suppresses: cells hidden in an earlier release of
            the same table (:mod:`retour.disclosure.across`); complementary suppression
            protects them as it protects the small counts.

    Rows and columns are sorted by their values, the pooled "other countries" last; combinations
    missing from ``frame`` count as 0. Under ``public`` every cell, totals included, is
    rounded or suppressed as :mod:`retour.disclosure.suppression` describes, which also
    states the guarantee.
    """
    dims = [*rows, *([column] if column is not None else [])]
    _check_input(frame, dims, value)
    pooled_dims = [d for d in dims if d in countries] if rules.pools else []
    counts = frame.select(*dims, value)
    for dim in pooled_dims:
        counts = pool_confidential(counts, dim, rules, counts=[value])
    counts = counts.group_by(dims).agg(pl.col(value).sum())
    row_keys = _keys(counts, rows, pooled_dims)
    if column is None:
        cells = LinkedCells.line(_matrix(counts, row_keys, None, rows, None, value)[:, 0])
        headers = [value]
    else:
        column_keys = _keys(counts, [column], pooled_dims)
        cells = LinkedCells.grid(_matrix(counts, row_keys, column_keys, rows, column, value))
        headers = [*(str(k) for k in column_keys[column].to_list()), TOTAL]
    _check_headers(headers, rows)
    return _assemble(cells, rules, row_keys, column, headers, bool(pooled_dims), hide)


def redisclose(table: DisclosedTable, hide: Collection[str]) -> DisclosedTable:
    """``table`` disclosed again from its exact counts with the cells of ``hide`` (keys,
    :func:`cell_keys`) hidden as well: the same gate as :func:`disclose_table`."""
    exact = table.audit_exact()
    inner = exact.filter(~pl.col(IS_TOTAL))
    row_keys = inner.select(table.row_dims)
    values = inner.select(table.value_columns).to_numpy().astype(np.int64)
    if table.column is None:
        cells = LinkedCells.line(values[:, 0])
    else:
        cells = LinkedCells.grid(values[:, :-1])
    pooled = _POOLED in table.notes
    return _assemble(
        cells, table.rules, row_keys, table.column, list(table.value_columns), pooled, hide
    )


def cell_keys(
    row_keys: pl.DataFrame, column: str | None, headers: Sequence[str]
) -> npt.NDArray[np.str_]:
    """The keys of a table's cells in row-major order over the extended table (the totals
    row last, the row totals the last column): ``country=MA;year=2023``,
    ``country=total;year=total``, ``country=MA;value=n`` for a list."""
    labels = pl.concat([row_keys, row_keys.clear(1)])
    parts = [
        pl.concat_str(pl.lit(f"{d}="), pl.col(d).cast(pl.String).fill_null(TOTAL))
        for d in row_keys.columns
    ]
    rows = labels.select(pl.concat_str(parts, separator=KEY_SEPARATOR).alias("k"))["k"]
    name = column or LIST_COLUMN
    tails = np.array([f"{KEY_SEPARATOR}{name}={h}" for h in headers], dtype=object)
    keys = np.char.add(np.asarray(rows.to_list(), dtype=str)[:, None], tails.astype(str)[None, :])
    return keys.ravel()


def _check_input(frame: pl.DataFrame, dims: list[str], value: str) -> None:
    if not dims or dims[0] == value:
        raise ValueError("disclose_table needs at least one row dimension")
    missing = [c for c in [*dims, value] if c not in frame.columns]
    if missing:
        raise ValueError(f"disclose_table: no column(s) {missing} in {frame.columns}")
    if len(set(dims)) != len(dims) or value in dims:
        raise ValueError(f"disclose_table: dimensions {dims} and count {value!r} must differ")
    if not frame.schema[value].is_integer():
        raise ValueError(f"disclose_table: count column {value!r} must be integer")
    nulls = frame.select(pl.col(*dims, value).null_count()).row(0)
    if any(nulls):
        raise ValueError(f"disclose_table: nulls in {[*dims, value]}: {nulls}")
    if frame.select((pl.col(value) < 0).any()).item():
        raise ValueError(f"disclose_table: negative counts in {value!r}")


def _check_headers(headers: list[str], rows: list[str]) -> None:
    clash = set(headers) & {*rows, IS_TOTAL} or {COLUMN, IS_TOTAL} & set(rows)
    if clash or len(set(headers)) != len(headers):
        raise ValueError(f"disclose_table: column values clash with column names: {headers}")


def _keys(counts: pl.DataFrame, dims: list[str], pooled: list[str]) -> pl.DataFrame:
    """The distinct values of ``dims``, sorted, "other countries" last."""
    order: list[pl.Expr] = []
    for dim in dims:
        if dim in pooled:
            order.append(pl.col(dim) == OTHER_COUNTRIES)
        order.append(pl.col(dim))
    return counts.select(dims).unique().sort(order)


def _matrix(
    counts: pl.DataFrame,
    row_keys: pl.DataFrame,
    column_keys: pl.DataFrame | None,
    rows: list[str],
    column: str | None,
    value: str,
) -> IntArray:
    """The counts as a rows x columns array (one column when there is no column dimension)."""
    located = counts.join(row_keys.with_row_index("_row"), on=rows, how="left")
    width = 1
    at_column = np.zeros(located.height, dtype=np.int64)
    if column_keys is not None and column is not None:
        located = located.join(column_keys.with_row_index("_col"), on=column, how="left")
        width = column_keys.height
        at_column = located["_col"].to_numpy().astype(np.int64)
    matrix = np.zeros((row_keys.height, width), dtype=np.int64)
    matrix[located["_row"].to_numpy().astype(np.int64), at_column] = located[value].to_numpy()
    return matrix


def _assemble(
    cells: LinkedCells,
    rules: DisclosureRules,
    row_keys: pl.DataFrame,
    column: str | None,
    headers: list[str],
    pooled: bool,
    hide: Collection[str] = (),
) -> DisclosedTable:
    shape = (row_keys.height + 1, len(headers))
    forced = None
    if hide:
        keys = cell_keys(row_keys, column, headers)
        forced = np.isin(keys, np.asarray(sorted(hide), dtype=str))
    statuses = _statuses(cells, rules, forced)
    hidden = np.array([s.suppressed for s in statuses], dtype=bool).reshape(shape)
    exact = cells.value.reshape(shape)
    shown = round_counts(exact, rules.round_to) if rules.rounds else exact
    status = np.array([s.value for s in statuses], dtype=object).reshape(shape)
    labels = pl.concat([row_keys, row_keys.clear(1)]).with_columns(
        pl.Series(IS_TOTAL, [False] * row_keys.height + [True])
    )

    def frame(series: list[pl.Series]) -> pl.DataFrame:
        return pl.concat([labels, pl.DataFrame(series)], how="horizontal")

    columns = list(enumerate(headers))
    return DisclosedTable(
        rules=rules,
        row_dims=tuple(row_keys.columns),
        column=column,
        value_columns=tuple(headers),
        shown=frame([_masked(h, shown[:, j], hidden[:, j]) for j, h in columns]),
        status=frame([pl.Series(h, status[:, j], dtype=STATUS_DTYPE) for j, h in columns]),
        notes=_notes(rules, pooled, statuses),
        _exact=frame([pl.Series(h, exact[:, j], dtype=pl.Int64) for j, h in columns]),
    )


def _masked(name: str, values: IntArray, hidden: BoolArray) -> pl.Series:
    """``values`` as Int64, null where ``hidden``."""
    series = pl.Series(name, values, dtype=pl.Int64)
    return pl.select(pl.when(~pl.lit(pl.Series(hidden))).then(series)).to_series().alias(name)


def _statuses(
    cells: LinkedCells, rules: DisclosureRules, hide: BoolArray | None = None
) -> list[CellStatus]:
    hidden = (
        suppress(cells, rules.suppress_below, hide) if rules.suppresses else [None] * len(cells)
    )
    shown_as = CellStatus.ROUNDED if rules.rounds else CellStatus.EXACT
    visible = np.where(cells.value > 0, shown_as.value, CellStatus.EXACT.value).tolist()
    return [h if h is not None else CellStatus(v) for h, v in zip(hidden, visible, strict=True)]


_POOLED = Note(
    "Een aantal landen is samengevoegd tot 'overige landen'.",
    "Some countries are pooled as 'other countries'.",
)

_MULTIPLES = {
    5: ("vijftallen", "fives"),
    10: ("tientallen", "tens"),
    100: ("honderdtallen", "hundreds"),
    1000: ("duizendtallen", "thousands"),
}


def _notes(rules: DisclosureRules, pooled: bool, statuses: list[CellStatus]) -> tuple[Note, ...]:
    """The notes a reader needs to read the table right."""
    notes: list[Note] = []
    if pooled:
        notes.append(_POOLED)
    below = rules.suppress_below
    nl_to, en_to = _MULTIPLES.get(
        rules.round_to, (f"veelvouden van {rules.round_to}", f"multiples of {rules.round_to}")
    )
    if rules.rounds and rules.suppresses:
        notes.append(
            Note(
                f"Aantallen afgerond op {nl_to}; aantallen onder {below} niet getoond (<{below}).",
                f"Counts rounded to {en_to}; counts under {below} not shown (<{below}).",
            )
        )
    elif rules.rounds:
        notes.append(Note(f"Aantallen afgerond op {nl_to}.", f"Counts rounded to {en_to}."))
    elif rules.suppresses:
        notes.append(
            Note(
                f"Aantallen onder {below} niet getoond (<{below}).",
                f"Counts under {below} not shown (<{below}).",
            )
        )
    if CellStatus.SUPPRESSED_SECONDARY in statuses:
        notes.append(
            Note(
                f"{SECONDARY_SIGN}: niet getoond, omdat anders een ander aantal te berekenen is.",
                f"{SECONDARY_SIGN}: not shown, because another count could otherwise be "
                "worked out.",
            )
        )
    if rules.rounds:
        notes.append(
            Note(
                "Totalen zijn berekend uit de exacte aantallen en daarna afgerond; de "
                "afgeronde aantallen tellen daardoor niet altijd op tot het totaal.",
                "Totals are computed from the exact counts and then rounded, so the rounded "
                "counts need not add up to the total.",
            )
        )
    return tuple(notes)

"""A figures answer: the disclosed tables of one question (requests, detentions, departures),
with the question, the rules, provenance and notes: :class:`Figures` of :class:`FigureTable`.

Made by :mod:`retour.service.figures` from :func:`~retour.disclosure.table.disclose_table`'s
tables, rendered by :mod:`retour.reports.tabular` (CSV, JSON) and the faces' tables; its
cells are the tables' published cells, nothing computed from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from retour.analysis.figures import Cohort, Subject
from retour.disclosure.profiles import DisclosureRules
from retour.disclosure.suppression import CellStatus
from retour.disclosure.table import IS_TOTAL, SECONDARY_SIGN, TOTAL, DisclosedTable, Note
from retour.domain.language import Language
from retour.domain.provenance import Provenance

#: Follows a country column's name in CSV and JSON: ``country_name``.
NAME_SUFFIX: Final = "_name"


@dataclass(frozen=True)
class FigureTable:
    """One disclosed table of a figures answer.

    ``name`` identifies it in CSV and JSON (``requests``, ``ended``, ``unsupervised``,
    ``departures``); ``by`` lists its dimensions in the order asked (``--by``).
    """

    name: str
    title: Note
    by: tuple[str, ...]
    table: DisclosedTable

    @property
    def rules(self) -> DisclosureRules:
        return self.table.rules

    def cells(self) -> pl.DataFrame:
        """One row per cell, row by row: the ``by`` columns (``total`` where a total runs
        over that dimension), ``n`` (the figure as shown: a number, ``<5`` or ``x``),
        ``shown`` (Int64, null when hidden) and ``status``.

        The ``by`` columns are strings, ``OTHER`` for pooled countries.
        """
        table = self.table
        index = [*table.row_dims, IS_TOTAL, "_row"]
        # Value columns by position: their names are data (years, codes), not identifiers.
        on = [f"_v{i}" for i in range(len(table.value_columns))]
        renamed = dict(zip(table.value_columns, on, strict=True))
        shown = (
            table.shown.rename(renamed)
            .with_row_index("_row")
            .unpivot(on, index=index, variable_name="_v", value_name="shown")
        )
        status = (
            table.status.rename(renamed)
            .with_row_index("_row")
            .unpivot(on, index=index, variable_name="_v", value_name="status")
        )
        position = pl.DataFrame(
            {"_v": on, "_col": list(table.value_columns), "_at": list(range(len(on)))}
        )
        cells = (
            shown.with_columns(status["status"].cast(pl.String))
            .join(position, on="_v")
            .sort("_row", "_at")
        )
        dims = [pl.col(d).cast(pl.String).fill_null(TOTAL) for d in table.row_dims]
        if table.column is not None:
            dims.append(pl.col("_col").alias(table.column))
        primary = f"<{table.rules.suppress_below}"
        n = (
            pl.when(pl.col("status") == CellStatus.SUPPRESSED_PRIMARY.value)
            .then(pl.lit(primary))
            .when(pl.col("status") == CellStatus.SUPPRESSED_SECONDARY.value)
            .then(pl.lit(SECONDARY_SIGN))
            .otherwise(pl.col("shown").cast(pl.String))
            .alias("n")
        )
        return cells.select(*dims, n, "shown", "status").select(*self.by, "n", "shown", "status")


@dataclass(frozen=True)
class Figures:
    """The answer to a figures question, disclosed and ready to render."""

    subject: Subject
    years: tuple[int, ...]
    by: tuple[str, ...]
    rules: DisclosureRules
    provenance: Provenance
    tables: tuple[FigureTable, ...]
    notes: tuple[Note, ...]
    cohort: Cohort | None = None
    kinds: tuple[str, ...] = ()

    def notes_in(self, lang: Language) -> list[str]:
        """The question's notes, then each table's disclosure notes (each note once)."""
        seen: dict[str, None] = {}
        for note in [*self.notes, *(n for t in self.tables for n in t.table.notes)]:
            seen.setdefault(note.text(lang), None)
        return list(seen)

"""One CSV renderer and one JSON renderer for every face: :func:`csv_text` and :func:`json_text`.

CSV takes a published value (:class:`~retour.disclosure.Published`): a figures answer (one
row per cell, ``n`` as shown: ``<5``, ``x``) or published estimates (one row per published
row, shares to four decimals, an empty field where a value is withheld). JSON takes a
document of :mod:`retour.reports.models`, which only published values make. Both return
text; the faces choose where it goes (a terminal, a download, an API response) and the
services record the export.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence

import polars as pl
from pydantic import BaseModel

from retour.disclosure import COUNTRY_COLUMNS, DisclosedEstimates, Language, Published
from retour.disclosure.figures import NAME_SUFFIX, Figures
from retour.disclosure.published import Tabular, accept
from retour.reports import labels

#: Decimals of a share or rate in CSV (trailing zeros dropped).
CSV_DECIMALS = 4


def json_text(document: BaseModel) -> str:
    """The document as indented JSON, UTF-8 text unescaped, ending in a newline; a field
    the document was not given (one that does not apply) is left out, not written null."""
    data = document.model_dump(mode="json", exclude_unset=True)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def csv_text(
    published: Published,
    *,
    names: Language | None = None,
    only: tuple[str, str] | None = None,
) -> str:
    """The published value as CSV: a header row, then its rows.

    For a figures answer: a ``table`` column when there are several tables, the ``by``
    columns (a country column followed by its name in ``names``, when given), then ``n``;
    ``only`` = (dimension, code) keeps the cells of that one code. For estimates: their
    published columns as they are. For an answer that lays itself out
    (:class:`~retour.disclosure.published.Tabular`): its table.
    """
    accept(published, "csv")
    rows: Iterator[Sequence[object]]
    if isinstance(published, Figures):
        header, rows = _figures_header(published, names), _figures_rows(published, names, only)
    elif isinstance(published, DisclosedEstimates):
        header, rows = published.frame.columns, _estimate_rows(published.frame)
    elif isinstance(published, Tabular):
        header, found = published.csv_table(names)
        rows = iter(found)
    else:
        raise TypeError(f"csv: no CSV layout for {type(published).__name__}")
    return table_csv(header, rows)


def table_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A header row and rows as CSV text (``\\n`` line ends): the one CSV writer, for
    published values (:func:`csv_text`) and for registers that hold no figures of their
    own (the register of releases)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _figures_header(answer: Figures, names: Language | None) -> list[str]:
    header = ["table"] if len(answer.tables) > 1 else []
    for dim in answer.by:
        header += [dim, dim + NAME_SUFFIX] if names and dim in COUNTRY_COLUMNS else [dim]
    return [*header, "n"]


def _figures_rows(
    answer: Figures, names: Language | None, only: tuple[str, str] | None
) -> Iterator[Sequence[object]]:
    several = len(answer.tables) > 1
    for table in answer.tables:
        cells = table.cells()
        if only is not None and only[0] in table.by:
            cells = cells.filter(pl.col(only[0]) == only[1])
        for row in cells.iter_rows(named=True):
            values: list[object] = [table.name] if several else []
            for dim in answer.by:
                values.append(row[dim])
                if names and dim in COUNTRY_COLUMNS:
                    values.append(labels.cell_country_name(row[dim], names))
            yield [*values, row["n"]]


def _estimate_rows(frame: pl.DataFrame) -> Iterator[Sequence[object]]:
    for row in frame.iter_rows():
        yield ["" if v is None else _csv_value(v) for v in row]


def _csv_value(value: object) -> object:
    if isinstance(value, float):
        return f"{value:.{CSV_DECIMALS}f}".rstrip("0").rstrip(".")
    return value

"""Cell violations of a mapped table, reworded in its source's terms.

The rules are the exchange format's own (`rules.cell_checks`), run on the mapped text; only
the advice differs. A direct import says "use one of: positive, negative, ..."; a mapped one
must say which *source* labels its mapping knows, since the user fixes the source or the
mapping, never the exchange codes.
"""

from __future__ import annotations

import re

import polars as pl

from retour.domain.codes import Table
from retour.exchange.container import Container, SourceLabels
from retour.exchange.violations import Reason

#: How many known labels a message lists before it says "and N more".
SHOWN_LABELS = 12


def known_text(labels: tuple[str, ...]) -> str:
    """The labels of a value map as a message lists them."""
    shown = ", ".join(label if label else "(empty)" for label in labels[:SHOWN_LABELS])
    rest = len(labels) - SHOWN_LABELS
    return shown + (f" and {rest} more" if rest > 0 else "")


def _known(source: SourceLabels) -> dict[str, str]:
    """Source column header -> its message, for every column with a value map."""
    return {
        source.columns.get(column, column): known_text(labels)
        for column, labels in source.known.items()
    }


def in_source_terms(found: pl.DataFrame, source: SourceLabels | None) -> pl.DataFrame:
    """Reword unknown codes, countries and dates of a mapped table (a direct one is kept)."""
    if source is None or found.is_empty():
        return found
    known = _known(source)
    reason, column = pl.col("reason"), pl.col("column")
    coded = reason.is_in([Reason.UNKNOWN_CODE.value, Reason.UNKNOWN_COUNTRY.value])
    mapped = coded & column.is_in(list(known))
    knows = column.replace_strict(known, default=None, return_dtype=pl.String)
    unknown_value = pl.format("unknown value '{}'; the mapping knows {}", pl.col("value"), knows)
    country = (
        "unknown country; write an ISO 3166-1 code (alpha-2 or alpha-3) or the country's "
        "Dutch or English name"
        if source.countries_by_name
        else "unknown country; write an ISO 3166-1 alpha-2 code, or set "
        '[read] countries = "names" in the mapping to read names and alpha-3 codes'
    )
    return found.with_columns(
        message=pl.when(mapped)
        .then(unknown_value)
        .when(reason == Reason.UNKNOWN_COUNTRY.value)
        .then(pl.lit(country))
        .when(reason == Reason.NOT_A_DATE.value)
        .then(pl.lit(f"not a calendar date written {source.dates}"))
        .otherwise(pl.col("message")),
        value=pl.when(mapped).then(pl.lit(None, pl.String)).otherwise(pl.col("value")),
    )


def _file_terms(container: Container) -> dict[str, dict[str, str]]:
    """Per source file: exchange-format identifier -> source header, for every mapped table
    read from it (a flat register's cases and requests together)."""
    terms: dict[str, dict[str, str]] = {}
    for raw in container.tables.values():
        if raw.source is not None:
            found = terms.setdefault(raw.name, {})
            for column, header in raw.source.columns.items():
                if "_" in column:  # identifiers such as submitted_on, not words like outcome
                    found.setdefault(column, header)
    return terms


def messages_in_source_terms(found: pl.DataFrame, container: Container) -> pl.DataFrame:
    """The exchange format's names in the messages of a mapped import, in the source's terms:
    "before submitted_on" becomes "before Datum bekendstelling", "no such case in cases.csv"
    names the file or sheet the cases came from. A direct import's messages are kept."""
    if container.source_order is None or found.is_empty():
        return found
    base = pl.col("message")
    cases = container.tables.get(Table.CASES)
    if cases is not None:
        base = base.str.replace_all("cases.csv", cases.name, literal=True)
    message = base
    for file, terms in _file_terms(container).items():
        renamed = base
        for column, header in sorted(terms.items(), key=lambda t: -len(t[0])):
            renamed = renamed.str.replace_all(
                rf"\b{re.escape(column)}\b", header.replace("$", "$$")
            )
        message = pl.when(pl.col("file") == file).then(renamed).otherwise(message)
    return found.with_columns(message=message)

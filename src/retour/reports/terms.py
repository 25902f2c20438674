"""Renderers of the time-limit answers: the overdue list or counts, and the compliance table,
as text rows, CSV, JSON and an xlsx workbook (bytes). They take published values only: the
list (internal), disclosed tables, and the compliance table built from shown counts.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import polars as pl

from retour.analysis.terms import OVERDUE_COLUMNS
from retour.disclosure import IS_TOTAL, SECONDARY_SIGN, CellStatus, DisclosedTable, Language
from retour.reports import labels
from retour.reports.messages import N_, _, decimal, percent
from retour.reports.tabular import table_csv

if TYPE_CHECKING:
    import xlsxwriter

#: Headers of the overdue list on a screen and in a workbook (CSV keeps the codes).
OVERDUE_HEADERS: Final = {
    "request_id": N_("request"),
    "case_id": N_("case"),
    "country": N_("country"),
    "kind": N_("kind"),
    "submitted_on": N_("submitted"),
    "due_on": N_("due"),
    "days_over": N_("days over"),
    "what": N_("overdue"),
    "deemed_accepted": N_("deemed accepted"),
}
WHAT: Final = {"answer": N_("answer"), "document": N_("travel document")}
STATUS: Final = {
    "forced_return_suspended": N_("forced return suspended"),
    "no_document_process": N_("no document process"),
    "no_diplomatic_relations": N_("no diplomatic relations"),
}
YES_NO: Final = {"yes": N_("yes"), "no": N_("no")}
#: How a term's days are counted, in words.
DAY_COUNTS: Final = {"calendar": N_("calendar days"), "working": N_("working days")}
#: The headers of `retour figures terms` (CSV keeps the column names).
COMPLIANCE_HEADERS: Final = {
    "country": N_("country"),
    "kind": N_("kind"),
    "year": N_("year"),
    "with_terms": N_("with terms"),
    "answered_in_time": N_("answered in time"),
    "answered_late": N_("answered late"),
    "not_answered": N_("not answered"),
    "withdrawn_before_due": N_("withdrawn before due"),
    "in_time_share": N_("in time (share)"),
    "median_days_to_answer": N_("median days to answer"),
    "documents_in_time": N_("documents in time"),
    "documents_late": N_("documents late"),
    "documents_missing": N_("documents missing"),
    "documents_in_time_share": N_("documents in time (share)"),
}


def overdue_title(
    on: dt.date, country: str | None, kind: str | None, lang: Language, what: str | None = None
) -> str:
    """The caption of an overdue answer: the date and every filter applied."""
    parts = [_("Overdue on {date}", lang, date=on.isoformat())]
    if country:
        parts.append(_("country {country}", lang, country=country))
    if kind:
        parts.append(_("kind {kind}", lang, kind=kind))
    if what:
        parts.append(_("only {what}", lang, what=_(WHAT[what], lang)))
    return " — ".join(parts)


def status_notes(statuses: pl.DataFrame, lang: Language) -> list[str]:
    """One line per status that holds: its requests are not listed."""
    lines = []
    for country, kind, status, start in statuses.sort("country", "kind").iter_rows():
        which = kind or _("LP and TO", lang)
        lines.append(
            _(
                "Not listed: {country} ({kind}), {status} since {date}.",
                lang,
                country=country,
                kind=which,
                status=_(STATUS.get(status, status), lang),
                date=start.isoformat(),
            )
        )
    return lines


def not_assessed_text(status: str, since: dt.date | str | None, lang: Language) -> str:
    """What stands where an index would: "not assessed: forced return suspended since
    2012-01-01" (the status that holds in words, and its start)."""
    words = _(STATUS.get(status, status), lang)
    if since is None:
        return _("not assessed: {status}", lang, status=words)
    day = since.isoformat() if isinstance(since, dt.date) else since
    return _("not assessed: {status} since {date}", lang, status=words, date=day)


def overdue_rows(listed: pl.DataFrame, lang: Language) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the overdue list for a screen or a sheet."""
    headers = [_(OVERDUE_HEADERS[c], lang) for c in OVERDUE_COLUMNS]
    rows: list[list[object]] = []
    for row in listed.select(OVERDUE_COLUMNS).iter_rows():
        values = list(row)
        values[4], values[5] = values[4].isoformat(), values[5].isoformat()
        values[7] = _(WHAT[values[7]], lang)
        values[8] = _(YES_NO[values[8]], lang) if values[8] else ""
        rows.append(values)
    return headers, rows


def counts_display(table: DisclosedTable, lang: Language) -> pl.DataFrame:
    """The disclosed counts as text to show: `what` in words, the dimensions' headers in
    `lang`, the bands as they are."""
    display = table.to_display_frame(lang)
    words = {code: _(message, lang) for code, message in WHAT.items()}
    display = display.with_columns(pl.col("what").replace(words))
    return display.rename({d: _(OVERDUE_HEADERS[d], lang) for d in table.row_dims})


def overdue_csv(listed: pl.DataFrame) -> str:
    """The list with OVERDUE_COLUMNS exactly; codes and ISO dates."""
    return listed.select(OVERDUE_COLUMNS).write_csv(date_format="%Y-%m-%d", line_terminator="\n")


def counts_csv(table: DisclosedTable) -> str:
    """Disclosed counts, one row per cell: the row dimensions, the band, the count as
    shown (``<5``, ``x`` where hidden)."""
    long = table.to_long().filter(~pl.col(IS_TOTAL) & (pl.col("column") != "total"))
    shown = _shown_text(long, table.rules.suppress_below)
    cells = long.select(*table.row_dims, "column").iter_rows()
    rows = ([*row, text] for row, text in zip(cells, shown, strict=True))
    return table_csv([*table.row_dims, "days_over_band", "n"], rows)


def _signs(below: int) -> dict[str, str]:
    return {CellStatus.SUPPRESSED_PRIMARY.value: f"<{below}",
            CellStatus.SUPPRESSED_SECONDARY.value: SECONDARY_SIGN}  # fmt: skip


def _shown_text(long: pl.DataFrame, below: int) -> list[str]:
    status = long.get_column("status").cast(pl.String).to_list()
    shown = long.get_column("shown").to_list()
    signs = _signs(below)
    return [
        signs.get(s, str(v) if v is not None else "") for s, v in zip(status, shown, strict=True)
    ]


def overdue_json(
    head: dict[str, object], listed: pl.DataFrame | None, table: DisclosedTable | None
) -> str:
    """The answer as JSON: the head (date, filters, profile, provenance) and its rows."""
    doc: dict[str, object] = dict(head)
    if listed is not None:
        doc["rows"] = (
            listed.select(OVERDUE_COLUMNS)
            .with_columns(pl.col("submitted_on", "due_on").dt.to_string("%Y-%m-%d"))
            .to_dicts()
        )
    if table is not None:
        long = table.to_long().filter(~pl.col(IS_TOTAL) & (pl.col("column") != "total"))
        cells = long.select(*table.row_dims, pl.col("column").alias("days_over_band")).to_dicts()
        for cell, text in zip(cells, _shown_text(long, table.rules.suppress_below), strict=True):
            cell["n"] = text
        doc["counts"] = cells
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def overdue_workbook(
    caption: Sequence[str],
    listed: pl.DataFrame | None,
    table: DisclosedTable | None,
    lang: Language,
) -> bytes:
    """A summary sheet (counts per country, kind and what; disclosed unless internal) and one
    sheet per country (its requests, or its counts), each headed by the caption lines."""
    out = io.BytesIO()
    import xlsxwriter  # only when a workbook is written: it takes time to import

    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    if listed is not None:
        summary = listed.group_by("country", "kind", "what").agg(pl.len().alias("n"))
        summary = summary.sort("country", "kind", "what")
        _sheet(book, _("Summary", lang), caption, *_summary_rows(summary, lang), bold)
        for country in sorted(set(listed.get_column("country").to_list())):
            rows = listed.filter(pl.col("country") == country)
            _sheet(book, country, caption, *overdue_rows(rows, lang), bold)
    elif table is not None:
        display = counts_display(table, lang)
        _sheet(book, _("Summary", lang), caption, display.columns, display.rows(), bold)
        codes = table.shown.filter(~pl.col(IS_TOTAL)).get_column("country").to_list()
        first = display.columns[0]
        for country in sorted(set(codes)):
            mine = display.filter(pl.col(first) == country)
            name = labels.country_name(country, lang) if country == "OTHER" else country
            _sheet(book, name[:31], caption, display.columns, mine.rows(), bold)
    book.close()
    return out.getvalue()


def _summary_rows(summary: pl.DataFrame, lang: Language) -> tuple[list[str], list[list[object]]]:
    headers = [_(OVERDUE_HEADERS[c], lang) for c in ("country", "kind", "what")] + ["n"]
    rows = [[c, k, _(WHAT[w], lang), n] for c, k, w, n in summary.iter_rows()]
    return headers, rows


_NUMBERS: Final = frozenset({int, float, bool})


def _sheet(
    book: xlsxwriter.Workbook,
    name: str,
    caption: Sequence[str],
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    bold: object,
) -> None:
    sheet = book.add_worksheet(name)
    for i, line in enumerate(caption):
        sheet.write_string(i, 0, line, bold if i == 0 else None)
    top = len(caption) + 1
    for j, header in enumerate(headers):
        sheet.write_string(top, j, str(header), bold)
        sheet.set_column(j, j, max(10, len(str(header)) + 2))
    # tens of thousands of rows: the writers bound once, a cell's type by its class
    number, text = sheet.write_number, sheet.write_string
    for i, row in enumerate(rows, start=top + 1):
        for j, value in enumerate(row):
            if value.__class__ in _NUMBERS:
                number(i, j, value)
            else:
                text(i, j, "" if value is None else str(value))


# -- figures terms -----------------------------------------------------------------------------


COMPLIANCE_NOTE: Final = N_(
    "Requests with agreed time limits whose answer was due on or before the extraction "
    "date, by year of submission. In time: answered (positive or negative) on or before the "
    "due date. Withdrawn before the due date: left out of the share. Median days: calendar "
    "days from submission to answer."
)


def compliance_cells(
    published: pl.DataFrame,
    status: pl.DataFrame,
    by: Sequence[str],
    lang: Language | None,
    below: int,
) -> tuple[list[str], list[list[str]]]:
    """The compliance table as text: counts as shown (``<5``, ``x``), shares as percentages
    (CSV: four decimals), empty where hidden; the totals row last. `lang` None: CSV."""
    columns = [c for c in published.columns if c != IS_TOTAL]
    counts = [c for c in status.columns if c not in (*by, IS_TOTAL)]
    signs = _signs(below)
    rows: list[list[str]] = []
    for shown, marks in zip(published.iter_rows(named=True), status.iter_rows(named=True),
                            strict=True):  # fmt: skip
        row = []
        for c in columns:
            value = shown[c]
            if c in counts and marks[c] in signs:
                row.append(signs[marks[c]])
            elif c in by:
                total = lang is not None and shown[IS_TOTAL] and c == by[0]
                row.append(
                    _("Total", lang) if total and lang else "" if value is None else str(value)
                )
            else:
                row.append(_number(c, value, lang))
        rows.append(row)
    headers = columns if lang is None else [_(COMPLIANCE_HEADERS[c], lang) for c in columns]
    return headers, rows


def _number(column: str, value: object, lang: Language | None) -> str:
    return number_text(value, lang, share=column.endswith("_share"))


def number_text(value: object, lang: Language | None, *, share: bool) -> str:
    """A number of a published table: for CSV and JSON (`lang` None) plain, a share with at
    most four decimals (0.2486); for a reader through the catalog's Babel helpers, a share
    in whole percent (25%), a median in the language's decimals (45,5 / 45.5)."""
    if value is None:
        return ""
    if share and isinstance(value, float):
        if lang is None:
            return f"{value:.4f}".rstrip("0").rstrip(".") if value else "0"
        return percent(value, 0, lang)
    if isinstance(value, float):
        if lang is None:
            return f"{value:g}"
        return decimal(value, 0 if value.is_integer() else 1, lang)
    return str(value)


def compliance_csv(
    published: pl.DataFrame, status: pl.DataFrame, by: Sequence[str], below: int
) -> str:
    return table_csv(*compliance_cells(published, status, by, None, below))


def compliance_json(
    head: dict[str, object],
    published: pl.DataFrame,
    status: pl.DataFrame,
    by: Sequence[str],
    below: int,
) -> str:
    headers, rows = compliance_cells(published, status, by, None, below)
    doc = {**head, "rows": [dict(zip(headers, r, strict=True)) for r in rows]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

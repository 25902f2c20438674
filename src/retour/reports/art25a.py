"""Renderers of the Article 25a indicators: text cells (screen and CSV), JSON, and the
questionnaire workbook (xlsx bytes, one block per country, laid out to print).

They take published values only (:class:`~retour.disclosure.Published`): the indicators made
from the counts as shown, and the workbook's report with the index as the gate published it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from retour.analysis.art25a import ART25A_COLUMNS, COUNTS
from retour.disclosure import (
    IS_TOTAL,
    SECONDARY_SIGN,
    CellStatus,
    DisclosedTable,
    DisclosureRules,
    Language,
)
from retour.disclosure import accept as accepted
from retour.domain.provenance import Provenance
from retour.reports import labels
from retour.reports.messages import N_, _, decimal
from retour.reports.press import FOOTER_SIZE, row_points, text_lines
from retour.reports.terms import STATUS, not_assessed_text, number_text

NOT_ASSESSED: Final = "not_assessed"
TITLE: Final = N_("Article 25a Visa Code: indicators for {year}")
SHEET: Final = N_("Art. 25a {year}")
ALL_COUNTRIES: Final = N_("All countries together")

#: What each indicator is, and what retour cannot know about it.
INDICATOR: Final[dict[str, tuple[str, str]]] = {
    "return_decisions": (
        N_("Return decisions (cases opened in the year)"),
        N_(
            "Cases of this nationality opened in the year stand for return decisions; retour "
            "does not see decisions taken outside the return service's cases."
        ),
    ),
    "returns": (
        N_("Returns (forced or independent departures)"),
        N_(
            "Departures recorded by the return service. retour does not know whether a return "
            "went by a charter flight (national or a joint Frontex operation)."
        ),
    ),
    "return_rate": (
        N_("Return rate"),
        N_(
            "Returns in the year divided by return decisions in the year. This is not a cohort "
            "rate: the returns of a year include people whose case opened in earlier years."
        ),
    ),
    "requests": (
        N_("Readmission requests and LP applications submitted"),
        N_("Requests to this country submitted in the year (LP and T&O)."),
    ),
    "positive": (
        N_("Answered positive"),
        N_(
            "Of the requests of the year, answered positive by the extraction date; requests "
            "still pending may yet be answered."
        ),
    ),
    "positive_share": (
        N_("Share answered positive"),
        N_("Positive answers as a share of all requests of the year, pending ones included."),
    ),
    "answered_in_time_share": (
        N_("Answered within the agreed time limit"),
        N_(
            "Of the requests with an agreed time limit whose answer was due by the extraction "
            "date: answered (positive or negative) in time. Empty where no limit is agreed."
        ),
    ),
    "median_days_to_answer": (
        N_("Median days to answer"),
        N_(
            "Calendar days from submission to a positive or negative answer, over the "
            "requests of the year answered by the extraction date."
        ),
    ),
    "documents_in_time_share": (
        N_("Travel documents within the agreed time limit"),
        N_(
            "Travel documents issued within the agreed limit after a positive answer. retour "
            "does not know whether the country accepted the EU travel document instead."
        ),
    ),
}
#: The indicators' headers on a screen.
SHORT: Final[dict[str, str]] = {
    "return_decisions": N_("decisions"),
    "returns": N_("returns"),
    "return_rate": N_("return rate"),
    "requests": N_("requests"),
    "positive": N_("positive"),
    "positive_share": N_("positive (share)"),
    "answered_in_time_share": N_("answered in time"),
    "median_days_to_answer": N_("median days to answer"),
    "documents_in_time_share": N_("documents in time"),
}
HEADERS: Final = (N_("Indicator"), N_("Value"))
NOT_ASSESSED_LINE: Final = N_("Not assessed: {status} since {date}.")
NO_TERMS: Final = N_("no agreed time limit")
REASONS: Final = N_("Answers by reason")
REASON_HEADERS: Final = (N_("Reason"), N_("negative"), N_("withdrawn"))
NO_REASONS: Final = N_("No requests of the year answered negatively or withdrawn.")
INSTRUMENTS: Final = N_("Instruments in force in {year}")
NO_INSTRUMENTS: Final = N_("None recorded.")
SINCE: Final = N_("since {date}")
TERM: Final = N_("{kind}: answer within {days} {count} days")
DEEMED: Final = N_("no answer counts as acceptance")
DOCUMENT: Final = N_("travel document within {days} days of a positive answer")
DAY_COUNT: Final = {"calendar": N_("calendar"), "working": N_("working")}
INDEX: Final = N_("Cooperation index ({level}% interval)")
INDEX_NOTE: Final = N_("The index of the year's requests (docs/cooperation-index.md).")
TOO_LITTLE: Final = N_("too little data")
NOT_ASSESSED_SHORT: Final = N_("not assessed")
NO_VALUE: Final = "\N{EN DASH}"
SHARES: Final = ("return_rate", "positive_share", "answered_in_time_share",
                 "documents_in_time_share")  # fmt: skip
_WIDTHS: Final = (40.0, 16.0, 62.0)


@dataclass(frozen=True, slots=True)
class Art25aFigures:
    """The indicators of one year per country after the profile: ``published`` holds
    country, is_total, ART25A_COLUMNS[1:] and not_assessed (counts as shown, null where
    hidden; shares of shown counts); ``status`` the CellStatus of its four counts."""

    year: int
    rules: DisclosureRules
    origin: Provenance
    published: pl.DataFrame
    status: pl.DataFrame
    statuses: pl.DataFrame  # country, kind, status, start_on: held in the year
    reasons: DisclosedTable  # country, outcome x reason (refusals and withdrawals)

    def csv_table(self, names: Language | None) -> tuple[list[str], list[list[object]]]:
        """The CSV layout: ART25A_COLUMNS exactly, then not_assessed (`names` unused: the
        codes are the interface)."""
        return indicator_cells(self.published, self.status, self.rules, None)


@dataclass(frozen=True, slots=True)
class Art25aReport:
    """What the questionnaire workbook shows: the figures, the instruments in force, and the
    index of the year with its interval (as the disclosure gate published it)."""

    figures: Art25aFigures
    instruments: pl.DataFrame
    index: pl.DataFrame  # country, index, lower, upper (null: too little data)
    level: float

    @property
    def rules(self) -> DisclosureRules:
        return self.figures.rules


def indicator_note(column: str, lang: Language) -> str:
    """An indicator's name and what it is, as one line under a table."""
    name, note = INDICATOR[column]
    return ": ".join((_(name, lang), _(note, lang)))


def _signs(below: int) -> dict[str, str]:
    return {CellStatus.SUPPRESSED_PRIMARY.value: f"<{below}",
            CellStatus.SUPPRESSED_SECONDARY.value: SECONDARY_SIGN}  # fmt: skip


def indicator_cells(
    published: pl.DataFrame, status: pl.DataFrame, rules: DisclosureRules, lang: Language | None
) -> tuple[list[str], list[list[object]]]:
    """Headers and rows: counts as shown (``<5``, ``x`` where hidden), shares to four
    decimals (CSV) or in percent (`lang`), empty where withheld; the totals row last with
    an empty country (a screen: "Total")."""
    signs = _signs(rules.suppress_below)
    columns = [*ART25A_COLUMNS, NOT_ASSESSED]
    rows: list[list[object]] = []
    for shown, marks in zip(published.iter_rows(named=True), status.iter_rows(named=True),
                            strict=True):  # fmt: skip
        row: list[object] = []
        for c in columns:
            value = shown[c]
            if c in COUNTS and marks[c] in signs:
                row.append(signs[marks[c]])
            elif c == "country":
                total = lang is not None and shown[IS_TOTAL]
                row.append(_("Total", lang) if total and lang else value or "")
            elif c == NOT_ASSESSED:
                row.append(_(STATUS[value], lang) if value and lang else value or "")
            else:
                row.append(_number(c, value, lang))
        rows.append(row)
    if lang is None:
        return columns, rows
    return [_(labels.DIMENSION["country"], lang), *(c for c in columns[1:])], rows


def _number(column: str, value: object, lang: Language | None) -> str:
    return number_text(value, lang, share=column in SHARES)


def indicators_json(found: Art25aFigures, head: dict[str, object]) -> str:
    """The indicators as JSON: the head (year, profile, provenance, statuses) and a row per
    country as the CSV has it (a hidden count as ``<5`` or ``x``)."""
    accepted(found, "json")
    headers, rows = indicator_cells(found.published, found.status, found.rules, None)
    out = []
    for row in rows:
        cell = dict(zip(headers, row, strict=True))
        for c in headers[1:]:
            text = cell[c]
            if isinstance(text, str) and text and c not in (NOT_ASSESSED,):
                cell[c] = _parsed(text)
            elif text == "":
                cell[c] = None
        out.append(cell)
    return json.dumps({**head, "rows": out}, indent=2, ensure_ascii=False) + "\n"


def _parsed(text: str) -> object:
    try:
        number = float(text)
    except ValueError:
        return text  # <5, x
    return int(number) if number.is_integer() and "." not in text else number


# -- the workbook -----------------------------------------------------------------------------


def workbook(report: Art25aReport, lang: Language) -> bytes:
    """The questionnaire workbook: one sheet, a block per country (a page each), all
    countries together first."""
    accepted(report, "xlsx")
    out = io.BytesIO()
    import xlsxwriter  # only when a workbook is written: it takes time to import

    book = xlsxwriter.Workbook(out, {"in_memory": True})
    _Book(book, report, lang).write()
    book.close()
    return out.getvalue()


class _Book:
    def __init__(self, book: Any, report: Art25aReport, lang: Language) -> None:
        self.book, self.report, self.lang = book, report, lang
        found = report.figures
        self.year = found.year
        self.signs = _signs(found.rules.suppress_below)
        origin = found.origin
        properties: dict[str, Any] = {
            "title": self.t(TITLE, year=self.year),
            "comments": labels.SIMULATED if origin.simulated else "",
        }
        book.set_properties(properties)
        top = {"valign": "top", "text_wrap": True}
        add = book.add_format
        self.title = add({"bold": True, "font_size": 13, **top})
        self.meta = add({"italic": True, "font_color": "#444444", **top})
        self.warning = add({"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE", **top})
        self.country = add({"bold": True, "font_size": 12, "bottom": 2, **top})
        self.header = add({"bold": True, "bottom": 1, "bg_color": "#E7E6E6", **top})
        self.sub = add({"bold": True, "italic": True, **top})
        self.wrap = add(top)
        self.note = add({"italic": True, "font_size": 9, "font_color": "#444444", **top})
        self.number = add({"num_format": "#,##0", "align": "right", **top})
        percent = "0%" if found.rules.rounds else "0.0%"
        self.share = add({"num_format": percent, "align": "right", **top})
        self.days = add({"num_format": "0" if found.rules.rounds else "0.0", "align": "right",
                         **top})  # fmt: skip
        self.text_right = add({"align": "right", **top})

    def t(self, message: str, **values: object) -> str:
        return _(message, self.lang, **values)

    def write(self) -> None:
        sheet = self.book.add_worksheet(self.t(SHEET, year=self.year)[:31])
        row = self._top(sheet)
        found = self.report.figures
        breaks: list[int] = []
        ordered = found.published.sort(IS_TOTAL, descending=True, maintain_order=True)
        marks = found.status.sort(IS_TOTAL, descending=True, maintain_order=True)
        for shown, status in zip(ordered.iter_rows(named=True), marks.iter_rows(named=True),
                                 strict=True):  # fmt: skip
            if breaks or row > 8:
                breaks.append(row)
            row = self._block(sheet, row, shown, status)
        self._page(sheet, row, breaks)

    def _line(self, sheet: Any, row: int, text: str, fmt: Any, size: int = 10) -> int:
        sheet.merge_range(row, 0, row, len(_WIDTHS) - 1, text, fmt)
        bold = fmt in (self.title, self.warning, self.country)
        sheet.set_row(row, row_points(text_lines(text, sum(_WIDTHS), size, bold), size))
        return row + 1

    def _top(self, sheet: Any) -> int:
        found = self.report.figures
        origin = found.origin
        day = origin.extracted_on.isoformat() if origin.extracted_on else "?"
        row = self._line(sheet, 0, self.t(TITLE, year=self.year), self.title, 13)
        meta = f"{self.t(labels.EXTRACTED)}: {day} · {labels.profile_line(found.rules, self.lang)}"
        row = self._line(sheet, row, meta, self.meta)
        if origin.simulated:
            row = self._line(sheet, row, self.t(labels.SIMULATED_WARNING), self.warning)
        return row + 1

    def _block(self, sheet: Any, row: int, shown: dict[str, Any], status: dict[str, Any]) -> int:
        code = shown["country"]
        total = bool(shown[IS_TOTAL])
        name = (
            self.t(ALL_COUNTRIES) if total else f"{labels.country_name(code, self.lang)} ({code})"
        )
        row = self._line(sheet, row, name, self.country, 12)
        held = self._held(code) if not total else None
        if held is not None:
            row = self._line(sheet, row, held, self.warning)
        row = self._row(sheet, row, [self.t(h) for h in HEADERS], self.header)
        for column in ART25A_COLUMNS[1:]:
            label, note = INDICATOR[column]
            row = self._indicator(sheet, row, column, self.t(label), self.t(note), shown, status)
        if not total:
            row = self._reasons(sheet, row + 1, code)
            row = self._instruments(sheet, row + 1, code)
            row = self._index(sheet, row + 1, code, held is not None)
        return row + 1

    def _row(self, sheet: Any, row: int, values: Sequence[str], fmt: Any) -> int:
        for j, value in enumerate(values):
            sheet.write_string(row, j, value, fmt)
        bold = fmt is self.header
        lines = max(text_lines(v, w, bold=bold) for v, w in zip(values, _WIDTHS, strict=False))
        sheet.set_row(row, row_points(lines))
        return row + 1

    def _indicator(self, sheet: Any, row: int, column: str, label: str, note: str,
                   shown: dict[str, Any], status: dict[str, Any]) -> int:  # fmt: skip
        value = shown[column]
        sheet.write_string(row, 0, label, self.wrap)
        if column in COUNTS and status[column] in self.signs:
            sheet.write_string(row, 1, self.signs[status[column]], self.text_right)
        elif value is None:
            empty = column == "answered_in_time_share" and not self._has_terms(shown)
            sheet.write_string(row, 1, self.t(NO_TERMS) if empty else NO_VALUE, self.text_right)
        else:
            fmt = self.share if column in SHARES else self.days if "days" in column else self.number
            sheet.write_number(row, 1, value, fmt)
        sheet.set_row(row, row_points(text_lines(label, _WIDTHS[0])))
        return self._note_line(sheet, row + 1, note)

    def _note_line(self, sheet: Any, row: int, note: str) -> int:
        """What an indicator is, on a line of its own under it, across the block."""
        sheet.merge_range(row, 0, row, len(_WIDTHS) - 1, note, self.note)
        sheet.set_row(row, row_points(text_lines(note, sum(_WIDTHS), 9) + 1, 9))
        return row + 1

    def _has_terms(self, shown: dict[str, Any]) -> bool:
        code = shown["country"]
        mine = self.report.instruments.filter(
            (pl.col("country") == code) & pl.col("request_kind").is_not_null()
        )
        return shown[IS_TOTAL] or not mine.is_empty()

    def _held(self, code: str) -> str | None:
        held = self.report.figures.statuses.filter(pl.col("country") == code)
        if held.is_empty():
            return None
        first = self._first_status(code)
        status = self.t(STATUS.get(first["status"], first["status"]))
        kind = first["kind"]
        text = self.t(NOT_ASSESSED_LINE, status=status, date=first["start_on"].isoformat())
        return f"{text} ({labels.code_label(kind, self.lang)})" if kind else text

    def _reasons(self, sheet: Any, row: int, code: str) -> int:
        table = self.report.figures.reasons
        row = self._line(sheet, row, self.t(REASONS), self.sub)
        cells = table.to_long().filter(~pl.col(IS_TOTAL) & (pl.col("country") == code))
        cells = cells.filter(pl.col("column") != "total")
        found: dict[str, dict[str, str]] = {}
        for outcome, reason, value, mark in cells.select(
            "outcome", "column", "shown", pl.col("status").cast(pl.String)
        ).iter_rows():
            if outcome is None:
                continue
            text = self.signs.get(mark, "" if value is None else str(value))
            if text not in ("", "0"):
                found.setdefault(reason, {})[outcome] = text
        if not found:
            return self._line(sheet, row, self.t(NO_REASONS), self.wrap)
        row = self._row(sheet, row, [self.t(h) for h in REASON_HEADERS], self.header)
        for reason in sorted(found):
            label = (
                self.t(N_("not stated"))
                if reason == "none"
                else labels.code_label(reason, self.lang)
            )
            parts = found[reason]
            values = [label, parts.get("negative", "0"), parts.get("withdrawn", "0")]
            sheet.write_string(row, 0, values[0], self.wrap)
            sheet.write_string(row, 1, values[1], self.text_right)
            sheet.write_string(row, 2, values[2], self.wrap)
            row += 1
        return row

    def _instruments(self, sheet: Any, row: int, code: str) -> int:
        # the charts' words, with the effects analysis behind them: for a workbook only, so
        # that retour figures art25a starts without them
        from retour.reports.charts import INSTRUMENT_TEXT

        row = self._line(sheet, row, self.t(INSTRUMENTS, year=self.year), self.sub)
        mine = self.report.instruments.filter(pl.col("country") == code)
        if mine.is_empty():
            return self._line(sheet, row, self.t(NO_INSTRUMENTS), self.wrap)
        for ident in dict.fromkeys(mine.get_column("instrument_id").to_list()):
            rows = mine.filter(pl.col("instrument_id") == ident)
            first = rows.row(0, named=True)
            kind = self.t(INSTRUMENT_TEXT.get(first["kind"], first["kind"]))
            terms = [self._term(t) for t in rows.iter_rows(named=True) if t["request_kind"]]
            since = self.t(SINCE, date=first["start_on"].isoformat())
            detail = "; ".join([since, *terms])
            row = self._row(sheet, row, [first["title"] or ident, kind, detail], self.wrap)
        return row

    def _term(self, term: dict[str, Any]) -> str:
        count = self.t(DAY_COUNT.get(term["day_count"], term["day_count"]))
        kind = labels.code_label(term["request_kind"], self.lang)
        text = self.t(TERM, kind=kind, days=term["reply_days"], count=count)
        if term["deemed_accepted"] == "yes":
            text += f" ({self.t(DEEMED)})"
        if term["document_days"] is not None:
            text += ", " + self.t(DOCUMENT, days=term["document_days"])
        return text

    def _index(self, sheet: Any, row: int, code: str, held: bool) -> int:
        level = round(self.report.level * 100)
        label = self.t(INDEX, level=level)
        mine = self.report.index.filter(pl.col("country") == code)
        note = self.t(INDEX_NOTE)
        if held:
            value = self.t(NOT_ASSESSED_SHORT)
            first = self._first_status(code)
            note = not_assessed_text(first["status"], first["start_on"], self.lang)
        elif mine.is_empty() or mine.get_column("index")[0] is None:
            value = self.t(TOO_LITTLE)
        else:
            r = mine.row(0, named=True)
            low, high = _points(r["lower"], self.lang), _points(r["upper"], self.lang)
            value = f"{_points(r['index'], self.lang)} ({low}\N{EN DASH}{high})"
        sheet.write_string(row, 0, label, self.sub)
        sheet.write_string(row, 1, value, self.text_right)
        sheet.write_string(row, 2, note, self.note)
        sheet.set_row(row, row_points(max(text_lines(label, _WIDTHS[0], bold=True),
                                          text_lines(value, _WIDTHS[1]),
                                          text_lines(note, _WIDTHS[2], 9) + 1)))  # fmt: skip
        return row + 1

    def _first_status(self, code: str) -> dict[str, Any]:
        held = self.report.figures.statuses.filter(pl.col("country") == code).sort("start_on")
        return held.row(0, named=True)

    def _page(self, sheet: Any, last_row: int, breaks: list[int]) -> None:
        for j, width in enumerate(_WIDTHS):
            sheet.set_column(j, j, width)
        sheet.set_paper(9)
        sheet.set_portrait()  # a block is tall: portrait, fitted to the page's width
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
        sheet.fit_to_pages(1, 0)
        sheet.print_area(0, 0, max(0, last_row - 1), len(_WIDTHS) - 1)
        sheet.set_h_pagebreaks(breaks[:1023])
        found = self.report.figures
        day = found.origin.extracted_on.isoformat() if found.origin.extracted_on else "?"
        profile = found.rules.profile
        right = (f"{self.t(labels.EXTRACTED)} {day} · {self.t(labels.META['profile'])} "
                 f"{profile.value} ({self.t(labels.PROFILE_NAME[profile])})")  # fmt: skip
        size = f"&{FOOTER_SIZE}"
        sheet.set_footer(
            f"&L{size}&A&C{size}{self.t(labels.PAGE_OF)}&R{size}{_escaped(right)}",
            {"margin": 0.3},
        )
        if found.origin.simulated:
            sheet.set_header(f"&C{size}&B{_escaped(self.t(labels.SIMULATED_WARNING))}",
                             {"margin": 0.3})  # fmt: skip


def _points(value: float | None, lang: Language) -> str:
    return NO_VALUE if value is None else decimal(value, 0, lang)


def _escaped(value: str) -> str:
    return value.replace("&", "&&")

"""The press workbook: four sheets of figures and a sheet of definitions, ready to print.

Renders disclosed tables only; it never sees exact counts other than those a profile lets
through, never adds figures up, and never touches the database. Sheets:

1. per year of submission, LP and T&O side by side: submitted (the row total), positive,
   negative, withdrawn, still pending; a totals row;
2. per country of origin, the T&O requests: per year and over all the years, submitted
   (the denominator), positive, negative, withdrawn, still pending and the share not
   confirmed; countries by volume, a totals row (the figures of sheet 1);
3. the same for LP;
4. the negative and withdrawn requests of both kinds by reason (the third part of the
   question "how often, from which countries, with what reason"), per year: a withdrawal
   says why it was withdrawn (no answer obtained, the person absconded, ...);
5. definitions (LP, T&O, bekendstelling, each answer, the share), the profile applied, the
   notes of the tables, the extraction date, the data fingerprint, real or simulated data.

Every sheet carries the extraction date and profile under its title, and a warning line
when the data are simulated. Headers are frozen; totals are bold. Cells hidden by the
profile hold the text ``<5`` or ``x``; every other figure is a number. No formulas: a sum of
rounded cells is not the published total.

Every sheet prints: A4, landscape when wider than a portrait page, one page wide, the
column headers repeated on each page, and a footer with the sheet's name, the page number,
the extraction date and the profile. Titles and notes are merged across the table's width
and wrapped, with row heights computed from their length (a spreadsheet does not size
merged or wrapped cells itself when printing).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from retour.analysis.figures import YEAR
from retour.disclosure import (
    IS_TOTAL,
    OTHER_COUNTRIES,
    SECONDARY_SIGN,
    TOTAL,
    CellStatus,
    DisclosedTable,
    DisclosureRules,
    Language,
    Note,
    accept,
)
from retour.domain.codes import Outcome, RequestKind
from retour.domain.errors import InputError
from retour.domain.files import write_file
from retour.domain.provenance import Provenance
from retour.domain.releases import SinceRelease
from retour.reports import labels
from retour.reports.messages import N_, _

#: Sheet 1's columns per kind: the key in the disclosed table and the header's label key.
ANSWER_COLUMNS: tuple[tuple[str, str], ...] = (
    (TOTAL, "submitted"),
    (Outcome.POSITIVE.value, Outcome.POSITIVE.value),
    (Outcome.NEGATIVE.value, Outcome.NEGATIVE.value),
    (Outcome.WITHDRAWN.value, Outcome.WITHDRAWN.value),
    (Outcome.PENDING.value, Outcome.PENDING.value),
)
#: The answers a share not confirmed is computed from: (negative + withdrawn) / all three.
ANSWERED: tuple[str, ...] = (
    Outcome.POSITIVE.value,
    Outcome.NEGATIVE.value,
    Outcome.WITHDRAWN.value,
)
NOT_CONFIRMED: tuple[str, ...] = (Outcome.NEGATIVE.value, Outcome.WITHDRAWN.value)
#: The column of a country sheet's group (a year, or all years) holding the share.
SHARE = "not_confirmed"
#: A country sheet's columns per group: made (the total), the answers, the share.
COUNTRY_COLUMNS: tuple[str, ...] = (*(c for c, _ in ANSWER_COLUMNS), SHARE)
#: Rows above the column headers on each figures sheet: title, provenance, warning.
HEADER_ROW = 3
KINDS: tuple[RequestKind, ...] = (RequestKind.LP, RequestKind.TO)
#: The order of the kinds on the country sheets and the sheet of reasons.
KIND_ORDER: tuple[RequestKind, ...] = (RequestKind.TO, RequestKind.LP)

#: The font of every cell: Arial (Liberation Sans where it is missing has the same metrics),
#: so that widths and wrapped lines are the same in Excel and in LibreOffice.
FONT: dict[str, Any] = {"font_name": "Arial", "font_size": 10}
#: Row heights in points per line of text, by font size (Arial).
LINE_POINTS = {9: 11.5, 10: 12.75, 13: 16.5}
#: Widths (in characters of the column-width unit) that fit an A4 page upright at 100%.
PORTRAIT_WIDTH = 95
#: Page footer and header font size.
FOOTER_SIZE = 8


class ShareStatus(StrEnum):
    """How a share not confirmed is shown."""

    SHOWN = "shown"
    #: a count behind it is hidden: the share is not shown either (``x``)
    HIDDEN = "hidden"
    #: no request answered or withdrawn: nothing to divide (an en dash)
    NO_ANSWERS = "no_answers"


@dataclass(frozen=True)
class CountryTables:
    """One kind's country sheet, already disclosed.

    Attributes:
        answers: per answer (its code), rows ``country``, column ``year``: every country
            with a request of the kind has a row in each.
        made: rows ``country``, column ``year``: every request, whatever its answer.
        shares: the share not confirmed per ``country`` (null on the totals row, whose
            counts are those of sheet 1) and ``column`` (a year, or ``total``): ``share``
            (Float64, null unless shown) and ``status`` (:class:`ShareStatus`). Computed by
            the service from the published counts only.
    """

    answers: Mapping[str, DisclosedTable]
    made: DisclosedTable
    shares: pl.DataFrame

    @property
    def notes(self) -> tuple[Note, ...]:
        return _unique([*(n for t in self.answers.values() for n in t.notes), *self.made.notes])


@dataclass(frozen=True)
class PressTables:
    """What the workbook shows, already disclosed.

    Attributes:
        years: the years of submission covered.
        answers: per kind, rows ``year``, column ``outcome``.
        countries: per kind, the tables of its country sheet.
        reasons: rows ``kind, outcome, reason`` (negative, withdrawn), column ``year``.
        rules: the rules every table was disclosed with.
        provenance: extraction date, fingerprint, simulated or not.
        notes: notes on the question itself (e.g. a year that runs to the extraction date).
    """

    years: tuple[int, ...]
    answers: Mapping[RequestKind, DisclosedTable]
    countries: Mapping[RequestKind, CountryTables]
    reasons: DisclosedTable
    rules: DisclosureRules
    provenance: Provenance
    notes: tuple[Note, ...] = field(default_factory=tuple)

    def all_notes(self) -> list[Note]:
        """The question's notes and every table's disclosure notes, each once."""
        tables = [*self.answers.values(), self.reasons]
        notes = [*self.notes, *(n for t in tables for n in t.notes)]
        notes += [n for c in self.countries.values() for n in c.notes]
        return list(_unique(notes))


def write_press_workbook(
    tables: PressTables, path: Path, lang: Language = "nl", since: SinceRelease | None = None
) -> Path:
    """Write the workbook to ``path`` (through :func:`~retour.domain.files.write_file`: never
    through a link, a full disk named as such)."""
    return write_file(path, press_workbook_bytes(tables, lang, since))


def press_workbook_bytes(
    tables: PressTables, lang: Language = "nl", since: SinceRelease | None = None
) -> bytes:
    """The workbook's bytes, made in memory; an InputError when it cannot be made. With
    ``since``, a last sheet sets the figures beside an earlier release's, with causes."""
    accept(tables, "xlsx")
    options = {
        "default_format_properties": dict(FONT),
        "default_row_height": 17,
        "in_memory": True,  # no temporary file per sheet, written and removed again
    }
    made = io.BytesIO()
    workbook = xlsxwriter.Workbook(made, options)
    try:
        writer = _Writer(workbook, tables, lang)
        writer.totals_sheet()
        for kind in KIND_ORDER:
            writer.country_sheet(kind)
        writer.reasons_sheet()
        writer.definitions_sheet()
        if since is not None:
            writer.since_sheet(since)
    finally:
        try:
            workbook.close()
        except (OSError, XlsxWriterException) as exc:
            raise InputError(
                N_("The press workbook cannot be made ({reason})."),
                hint=N_("Try again; if it happens again, report it with what you asked for."),
                reason=exc,
            ) from None
    return made.getvalue()


def text_lines(value: str, width: float, size: int = 10, bold: bool = False) -> int:
    """How many lines ``value`` takes when wrapped in a column ``width`` characters wide.

    An estimate from the text's length, on the safe side: an average character of Arial is
    narrower than the digit that sets the width unit, a bold one wider; every paragraph
    (``\\n``) starts a line, and a line breaks at a word, so it holds a little less."""
    scale = size / 10 * (1.1 if bold else 1.0)
    room = max(1.0, (width - 1) / scale * 0.95)
    return sum(max(1, math.ceil(len(part) * 0.8 / room)) for part in value.split("\n"))


def row_points(lines: int, size: int = 10) -> float:
    """The row height that shows ``lines`` lines of text in font ``size``."""
    return round(lines * LINE_POINTS.get(size, size * 1.3) + 3, 2)


class _Writer:
    def __init__(self, workbook: Any, tables: PressTables, lang: Language) -> None:
        self.book = workbook
        self.tables = tables
        self.lang = lang
        origin = tables.provenance
        properties: dict[str, Any] = {
            "title": _(labels.PRESS_TITLE["totals"], lang, years=self.years_text),
            "comments": labels.SIMULATED if origin.simulated else "",
        }
        if origin.extracted_on is not None:  # the same data give the same file
            day = origin.extracted_on
            properties["created"] = dt.datetime(day.year, day.month, day.day)
        workbook.set_properties(properties)
        self._formats(workbook.add_format)

    def _formats(self, add: Any) -> None:
        top = {"valign": "top", "text_wrap": True}
        self.title = add({"bold": True, "font_size": 13, **top})
        self.meta = add({"italic": True, "font_color": "#444444", **top})
        self.warning = add({"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE", **top})
        self.header = add({"bold": True, "bottom": 1, "bg_color": "#E7E6E6", **top})
        self.header_number = add(
            {"bold": True, "bottom": 1, "bg_color": "#E7E6E6", "align": "right", **top}
        )
        self.upright = add(
            {
                "bold": True,
                "bottom": 1,
                "bg_color": "#E7E6E6",
                "rotation": 90,
                "align": "center",
                "valign": "bottom",
            }
        )
        self.group = add(
            {"bold": True, "align": "center", "bottom": 1, "left": 1, "bg_color": "#D0CECE"}
        )
        self.label = add({})
        self.number = add({"num_format": "#,##0"})
        self.hidden = add({"align": "right"})
        self.total_label = add({"bold": True, "top": 1})
        self.total_number = add({"bold": True, "top": 1, "num_format": "#,##0"})
        self.total_hidden = add({"bold": True, "top": 1, "align": "right"})
        # a share of rounded counts is rough: whole percents; of exact counts one decimal
        percent = "0%" if self.tables.rules.rounds else "0.0%"
        self.share = add({"num_format": percent, "italic": True, "right": 1})
        self.share_hidden = add({"align": "right", "italic": True, "right": 1})
        self.total_share = add({"num_format": percent, "bold": True, "top": 1, "right": 1})
        self.total_share_hidden = add({"align": "right", "bold": True, "top": 1, "right": 1})
        self.note = add({"italic": True, "font_size": 9, "font_color": "#444444", **top})
        self.term = add({"bold": True, **top})
        self.wrap = add(top)
        self.warning_wrap = add(
            {"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE", **top}
        )

    @property
    def years_text(self) -> str:
        return labels.years_text(list(self.tables.years))

    def t(self, message: str) -> str:
        """A message of the catalog in the workbook's language."""
        return _(message, self.lang)

    # -- common parts ----------------------------------------------------------------------

    def _banner(
        self, sheet: Any, row: int, value: str, fmt: Any, widths: Sequence[float], size: int
    ) -> None:
        """A line of text across the whole table, wrapped, its row as high as it needs."""
        last = len(widths) - 1
        if last > 0:
            sheet.merge_range(row, 0, row, last, value, fmt)
        else:
            sheet.write_string(row, 0, value, fmt)
        bold = fmt in (self.title, self.warning)
        lines = text_lines(value, sum(widths), size, bold)
        sheet.set_row(row, row_points(lines, size))

    def _header_height(
        self, sheet: Any, row: int, headers: Sequence[str], widths: Sequence[float]
    ) -> None:
        """A header row as high as its longest wrapped header needs."""
        lines = max(text_lines(h, w, bold=True) for h, w in zip(headers, widths, strict=False))
        sheet.set_row(row, row_points(lines))

    def _top(self, sheet: Any, title: str, widths: Sequence[float]) -> None:
        """Title, provenance line, and the simulated-data warning when it applies."""
        origin = self.tables.provenance
        self._banner(sheet, 0, title, self.title, widths, 13)
        self._banner(sheet, 1, self._provenance_line(), self.meta, widths, 10)
        if origin.simulated:
            self._banner(sheet, 2, self.t(labels.SIMULATED_WARNING), self.warning, widths, 10)

    def _provenance_line(self) -> str:
        origin = self.tables.provenance
        day = origin.extracted_on.isoformat() if origin.extracted_on else "?"
        profile = self.tables.rules.profile
        return (
            f"{self.t(labels.EXTRACTED)}: {day} · {self.t(labels.META['profile'])}: "
            f"{profile.value} ({self.t(labels.PROFILE_NAME[profile])})"
        )

    def _page(
        self, sheet: Any, widths: Sequence[float], last_row: int, repeat: tuple[int, int] | None
    ) -> None:
        """Page setup: A4, landscape when wide, one page wide, headers repeated, footer."""
        for j, width in enumerate(widths):
            sheet.set_column(j, j, width)
        sheet.set_paper(9)
        if sum(widths) > PORTRAIT_WIDTH:
            sheet.set_landscape()
        else:
            sheet.set_portrait()
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
        sheet.fit_to_pages(1, 0)
        sheet.print_area(0, 0, last_row, len(widths) - 1)
        if repeat is not None:
            sheet.repeat_rows(*repeat)
        origin = self.tables.provenance
        day = origin.extracted_on.isoformat() if origin.extracted_on else "?"
        profile = self.tables.rules.profile
        right = (
            f"{self.t(labels.EXTRACTED)} {day} · {self.t(labels.META['profile'])} "
            f"{profile.value} ({self.t(labels.PROFILE_NAME[profile])})"
        )
        size = f"&{FOOTER_SIZE}"
        sheet.set_footer(
            f"&L{size}&A&C{size}{self.t(labels.PAGE_OF)}&R{size}{_escaped(right)}", {"margin": 0.3}
        )
        if origin.simulated:
            warning = _escaped(self.t(labels.SIMULATED_WARNING))
            sheet.set_header(f"&C{size}&B{warning}", {"margin": 0.3})

    def _cell(
        self, sheet: Any, row: int, col: int, value: int | None, status: str, total: bool
    ) -> None:
        """One figure: a number, or the text the profile shows instead of it."""
        hidden = self.total_hidden if total else self.hidden
        if status == CellStatus.SUPPRESSED_PRIMARY.value:
            sheet.write_string(row, col, f"<{self.tables.rules.suppress_below}", hidden)
        elif status == CellStatus.SUPPRESSED_SECONDARY.value:
            sheet.write_string(row, col, SECONDARY_SIGN, hidden)
        else:
            sheet.write_number(row, col, value or 0, self.total_number if total else self.number)

    def _share(
        self, sheet: Any, row: int, col: int, share: tuple[float | None, str], total: bool
    ) -> None:
        value, status = share
        if status == ShareStatus.SHOWN and value is not None:
            sheet.write_number(row, col, value, self.total_share if total else self.share)
            return
        sign = SECONDARY_SIGN if status == ShareStatus.HIDDEN else labels.NO_SHARE
        sheet.write_string(row, col, sign, self.total_share_hidden if total else self.share_hidden)

    def _notes(self, sheet: Any, row: int, notes: Sequence[Note], widths: Sequence[float]) -> int:
        for note in notes:
            self._banner(sheet, row, note.text(self.lang), self.note, widths, 9)
            row += 1
        return row

    # -- sheet 1 ---------------------------------------------------------------------------

    def totals_sheet(self) -> None:
        sheet = self.book.add_worksheet(self.t(labels.PRESS_SHEETS["totals"]))
        width = len(ANSWER_COLUMNS)
        widths = [10.0, *([14.0] * (2 * width))]
        self._top(sheet, self.t(labels.PRESS_TITLE["totals"]).format(years=self.years_text), widths)
        group_row, head_row = HEADER_ROW, HEADER_ROW + 1
        sheet.write_string(head_row, 0, self.t(labels.DIMENSION[YEAR]), self.header)
        sheet.write_blank(group_row, 0, None, self.group)
        for k, kind in enumerate(KINDS):
            first = 1 + k * width
            sheet.merge_range(
                group_row, first, group_row, first + width - 1,
                self.t(labels.KIND_LONG[kind]), self.group,
            )  # fmt: skip
            for j, (_key, header) in enumerate(ANSWER_COLUMNS):
                sheet.write_string(
                    head_row, first + j, self.t(labels.PRESS_ANSWER[header]), self.header_number
                )
        row = head_row + 1
        cells = {kind: _cells(self.tables.answers[kind]) for kind in KINDS}
        for key in [*(str(y) for y in self.tables.years), TOTAL]:
            total = key == TOTAL
            if total:
                sheet.write_string(row, 0, self.t(labels.TOTAL), self.total_label)
            else:
                sheet.write_number(row, 0, int(key), self.label)
            for k, kind in enumerate(KINDS):
                for j, (column, _header) in enumerate(ANSWER_COLUMNS):
                    value, status = cells[kind].get((key, column), (0, CellStatus.EXACT.value))
                    self._cell(sheet, row, 1 + k * width + j, value, status, total)
            row += 1
        notes = self.tables.notes + _unique(
            [n for kind in KINDS for n in self.tables.answers[kind].notes]
        )
        last = self._notes(sheet, row + 1, notes, widths) - 1
        self._header_height(sheet, head_row, [self.t(labels.PRESS_ANSWER[h]) for _key, h in
                            ANSWER_COLUMNS], widths[1:])  # fmt: skip
        sheet.freeze_panes(head_row + 1, 1)
        self._page(sheet, widths, last, (group_row, head_row))

    # -- sheets 2 and 3 ----------------------------------------------------------------------

    def country_sheet(self, kind: RequestKind) -> None:
        """Per country (by volume) one row; per year and over all years a group of columns:
        submitted, the four answers, the share not confirmed. The totals row is sheet 1's."""
        sheet = self.book.add_worksheet(self.t(labels.PRESS_SHEETS[kind.value]))
        tables = self.tables.countries[kind]
        groups = [*(str(y) for y in self.tables.years), TOTAL]
        rows = self._country_order(tables.made)
        name_width = max([len(labels.country_name(c, self.lang)) for c in rows] + [8])
        # narrow columns under upright headers: one group per year and one for all years
        share = 5.5 if self.tables.rules.rounds else 6.5  # "100%", "100.0%"
        per_year, together = [6.0] * 5 + [share], [7.5] * 5 + [share]
        widths = [5.0, min(name_width + 1.0, 28.0), *per_year * (len(groups) - 1), *together]
        title = self.t(labels.PRESS_TITLE[kind.value]).format(years=self.years_text)
        self._top(sheet, title, widths)
        self._country_headers(sheet, groups)
        answers = {code: _cells(table) for code, table in tables.answers.items()}
        made = _cells(tables.made)
        shares = _shares(tables.shares)
        row = HEADER_ROW + 2
        for country in rows:
            code = "" if country == OTHER_COUNTRIES else country
            sheet.write_string(row, 0, code, self.label)
            sheet.write_string(row, 1, labels.country_name(country, self.lang), self.label)
            for g, group in enumerate(groups):
                at = 2 + g * len(COUNTRY_COLUMNS)
                for j, column in enumerate(COUNTRY_COLUMNS[:-1]):
                    cell = (
                        made[(country, group)]
                        if column == TOTAL
                        else answers[column][(country, group)]
                    )
                    self._cell(sheet, row, at + j, *cell, total=False)
                self._share(
                    sheet, row, at + len(COUNTRY_COLUMNS) - 1, shares[(country, group)], False
                )
            row += 1
        self._country_totals(sheet, row, kind, groups, shares)
        row += 1
        if not rows:
            self._banner(sheet, row, self.t(labels.NO_REQUESTS), self.note, widths, 9)
            row += 1
        notes = [
            *self.tables.notes,
            *tables.notes,
            *(_note(labels.SHARE_NOTE[k]) for k in self._share_notes()),
        ]
        last = self._notes(sheet, row + 1, notes, widths) - 1
        sheet.freeze_panes(HEADER_ROW + 2, 2)
        self._page(sheet, widths, last, (HEADER_ROW, HEADER_ROW + 1))

    def _share_notes(self) -> list[str]:
        keys = ["computed"]
        if self.tables.rules.rounds:
            keys.append("rounded")
        return [*keys, "none", "reasons"]

    def _country_headers(self, sheet: Any, groups: Sequence[str]) -> None:
        group_row, head_row = HEADER_ROW, HEADER_ROW + 1
        sheet.write_blank(group_row, 0, None, self.group)
        sheet.write_blank(group_row, 1, None, self.group)
        sheet.write_string(head_row, 0, self.t(labels.DIMENSION["code"]), self.header)
        sheet.write_string(head_row, 1, self.t(labels.DIMENSION["country"]), self.header)
        size = len(COUNTRY_COLUMNS)
        names = [self.t(labels.PRESS_ANSWER[_answer_key(c)]) for c in COUNTRY_COLUMNS]
        for g, group in enumerate(groups):
            first = 2 + g * size
            name = (
                self.t(labels.ALL_YEARS).format(years=self.years_text) if group == TOTAL else group
            )
            sheet.merge_range(group_row, first, group_row, first + size - 1, name, self.group)
            for j, header in enumerate(names):
                sheet.write_string(head_row, first + j, header, self.upright)
        # upright text: the row as high as the longest header is long (bold Arial 10)
        sheet.set_row(head_row, round(max(len(n) for n in names) * 5.7 + 10, 1))

    def _country_totals(
        self,
        sheet: Any,
        row: int,
        kind: RequestKind,
        groups: Sequence[str],
        shares: Mapping[tuple[str | None, str], tuple[float | None, str]],
    ) -> None:
        """The totals row: every country together, the very figures of sheet 1."""
        totals = _cells(self.tables.answers[kind])
        sheet.write_string(row, 0, self.t(labels.TOTAL), self.total_label)
        sheet.write_string(row, 1, "", self.total_label)
        size = len(COUNTRY_COLUMNS)
        for g, group in enumerate(groups):
            for j, column in enumerate(COUNTRY_COLUMNS[:-1]):
                value, status = totals.get((group, column), (0, CellStatus.EXACT.value))
                self._cell(sheet, row, 2 + g * size + j, value, status, True)
            self._share(sheet, row, 2 + g * size + size - 1, shares[(None, group)], True)

    def _country_order(self, made: DisclosedTable) -> list[str]:
        """Countries by their published number of requests over all years, the largest
        first (hidden ones after the shown), then by name; "other countries" last. The
        order follows the published figures only, so it tells nothing they do not."""
        frame = made.shown.filter(~pl.col(IS_TOTAL))
        keys = [(str(c), v) for c, v in zip(frame["country"], frame[TOTAL], strict=True)]
        keys.sort(
            key=lambda k: (
                k[0] == OTHER_COUNTRIES,
                k[1] is None,
                -(k[1] or 0),
                labels.country_name(k[0], self.lang).casefold(),
                k[0],
            )
        )
        return [k[0] for k in keys]

    # -- sheet 4 ---------------------------------------------------------------------------

    def reasons_sheet(self) -> None:
        sheet = self.book.add_worksheet(self.t(labels.PRESS_SHEETS["reasons"]))
        table = self.tables.reasons
        dims = len(table.row_dims)
        columns = [*(str(y) for y in self.tables.years), TOTAL]
        widths = [8.0, 14.0, 40.0, *([9.0] * len(columns))]
        title = self.t(labels.PRESS_TITLE["reasons"]).format(years=self.years_text)
        self._top(sheet, title, widths)
        headers = [
            *(self.t(labels.DIMENSION[d]) for d in table.row_dims),
            *columns[:-1],
            self.t(labels.TOTAL),
        ]
        for j, header in enumerate(headers):
            fmt = self.header if j < dims else self.header_number
            sheet.write_string(HEADER_ROW, j, header, fmt)
        self._header_height(sheet, HEADER_ROW, headers, widths)
        cells = _cells(table)
        rows = _reason_rows(table, self.lang)
        for i, key in enumerate(rows):
            row = HEADER_ROW + 1 + i
            total = self._reason_labels(sheet, row, key)
            for j, column in enumerate(columns):
                value, status = cells.get((key, column), (0, CellStatus.EXACT.value))
                self._cell(sheet, row, dims + j, value, status, total)
        row = HEADER_ROW + 1 + len(rows)
        if len(rows) == 1:
            self._banner(sheet, row, self.t(labels.NO_ROWS), self.note, widths, 9)
            row += 1
        last = self._notes(sheet, row + 1, self.tables.notes + table.notes, widths) - 1
        sheet.freeze_panes(HEADER_ROW + 1, dims)
        self._page(sheet, widths, last, (HEADER_ROW, HEADER_ROW))

    def _reason_labels(self, sheet: Any, row: int, key: tuple[str | None, ...]) -> bool:
        """The row's kind, answer and reason in words, or "Total"; whether it is the total."""
        if all(v is None for v in key):
            for j in range(len(key)):
                label = self.t(labels.TOTAL) if j == 0 else ""
                sheet.write_string(row, j, label, self.total_label)
            return True
        for j, code in enumerate(key):
            sheet.write_string(row, j, labels.code_label(str(code), self.lang), self.label)
        return False

    # -- sheet 5 ---------------------------------------------------------------------------

    def definitions_sheet(self) -> None:
        sheet = self.book.add_worksheet(self.t(labels.PRESS_SHEETS["definitions"]))
        origin = self.tables.provenance
        widths = [30.0, 95.0]
        self._banner(sheet, 0, self.t(labels.PRESS_TITLE["definitions"]), self.title, widths, 13)
        if origin.simulated:
            self._banner(sheet, 1, self.t(labels.SIMULATED_WARNING), self.warning, widths, 10)
        row = HEADER_ROW
        for word, meaning in labels.DEFINITIONS:
            self._definition(sheet, row, self.t(word), self.t(meaning), self.wrap, widths)
            row += 1
        row += 1
        data = labels.SIMULATED if origin.simulated else self.t(labels.META["real"])
        for term, value in self._facts(data):
            fmt = self.warning_wrap if value == data and origin.simulated else self.wrap
            self._definition(sheet, row, term, value, fmt, widths)
            row += 1
        sheet.freeze_panes(HEADER_ROW, 0)
        self._page(sheet, widths, row - 1, None)

    def since_sheet(self, since: SinceRelease) -> None:
        """Every cell beside the earlier release's figure, and why they differ."""
        earlier = since.earlier
        made = earlier.made_at.date().isoformat()
        sheet = self.book.add_worksheet(_(N_("Since release {id}"), self.lang, id=earlier.id))
        widths = [26.0, 44.0, 16.0, 12.0, 40.0]
        title = _(N_("The figures beside release {id} of {date}"), self.lang, id=earlier.id,
                  date=made)  # fmt: skip
        self._banner(sheet, 0, title, self.title, widths, 13)
        heads = [N_("Part"), N_("Cell"), N_("Release {id}"), N_("Now"), N_("Why")]
        for col, head in enumerate(heads):
            sheet.write_string(HEADER_ROW - 1, col, _(head, self.lang, id=earlier.id), self.header)
        from retour.reports.releases import CAUSES  # with its documents: only for this sheet

        for row, cell in enumerate(since.cells, start=HEADER_ROW):
            sheet.write_string(row, 0, part_text(cell.part, self.lang), self.label)
            sheet.write_string(row, 1, dims_text(cell.dims, self.lang), self.label)
            sheet.write_string(row, 2, cell.before or "", self.hidden)
            sheet.write_string(row, 3, cell.after or "", self.hidden)
            sheet.write_string(row, 4, _(CAUSES[cell.cause.value], self.lang), self.label)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(HEADER_ROW, 0)
        self._page(sheet, widths, HEADER_ROW + len(since.cells) - 1, None)

    def _definition(
        self, sheet: Any, row: int, term: str, meaning: str, fmt: Any, widths: Sequence[float]
    ) -> None:
        """A term and its meaning, the row as high as the longer of the two needs."""
        sheet.write_string(row, 0, term, self.term)
        sheet.write_string(row, 1, meaning, fmt)
        lines = max(text_lines(term, widths[0], bold=True), text_lines(meaning, widths[1]))
        sheet.set_row(row, row_points(lines))

    def _facts(self, data: str) -> list[tuple[str, str]]:
        origin = self.tables.provenance
        day = origin.extracted_on.isoformat() if origin.extracted_on else "?"
        facts: list[tuple[str, str]] = [
            (self.t(labels.META["years"]), self.years_text),
            (
                self.t(labels.META["profile"]),
                labels.profile_summary(self.tables.rules, self.lang),
            ),
            (self.t(labels.META["extracted"]), day),
            (
                self.t(labels.META["fingerprint"]),
                f"{origin.fingerprint or '?'} — {self.t(labels.META['fingerprint_note'])}",
            ),
            (self.t(labels.META["source"]), labels.source_text(origin.source, self.lang)),
            (self.t(labels.META["data"]), data),
        ]
        notes = self.tables.all_notes()
        if notes:
            facts.append(
                (self.t(labels.META["notes"]), "\n".join(n.text(self.lang) for n in notes))
            )
        return facts


def _reason_rows(table: DisclosedTable, lang: Language) -> list[tuple[str | None, ...]]:
    """The rows of the sheet of reasons: T&O before LP, negative before withdrawn, reasons
    by their label in the sheet's language; the total last."""
    dims = list(table.row_dims)
    keys = [tuple(row[d] for d in dims) for row in table.shown.iter_rows(named=True)]
    inner = [k for k in keys if not all(v is None for v in k)]
    kinds = [k.value for k in KIND_ORDER]
    outcomes = [Outcome.NEGATIVE.value, Outcome.WITHDRAWN.value]

    def order(key: tuple[str | None, ...]) -> tuple[int, int, str]:
        kind, outcome, reason = (str(v) for v in key)
        rank = outcomes.index(outcome) if outcome in outcomes else len(outcomes)
        return kinds.index(kind), rank, labels.code_label(reason, lang).casefold()

    inner.sort(key=order)
    return [*inner, *(k for k in keys if all(v is None for v in k))]


def _answer_key(column: str) -> str:
    return "submitted" if column == TOTAL else column


def _cells(table: DisclosedTable) -> dict[tuple[Any, str], tuple[int | None, str]]:
    """(row key, value column) -> (shown figure, status). The row key is the row's single
    dimension value, or the tuple of them; totals rows have None (or a tuple of None).

    Column by column from Python lists: a dictionary of a few thousand cells, built without
    iterating the frames row by row."""
    dims = list(table.row_dims)
    shown = table.shown.to_dict(as_series=False)
    status = table.status.to_dict(as_series=False)  # an Enum column gives its strings
    keys: list[Any]
    if len(dims) == 1:
        keys = [
            TOTAL if t else str(v) for v, t in zip(shown[dims[0]], shown[IS_TOTAL], strict=True)
        ]
    else:
        keys = list(zip(*(shown[d] for d in dims), strict=True))
    cells: dict[tuple[Any, str], tuple[int | None, str]] = {}
    for column in table.value_columns:
        for key, value, state in zip(keys, shown[column], status[column], strict=True):
            cells[(key, column)] = (value, state)
    return cells


def _shares(frame: pl.DataFrame) -> dict[tuple[str | None, str], tuple[float | None, str]]:
    """(country or None for the totals row, column) -> (share, status)."""
    return {
        (row["country"], row["column"]): (row["share"], row["status"])
        for row in frame.iter_rows(named=True)
    }


def _note(message: str) -> Note:
    return labels.note(message)


def _escaped(value: str) -> str:
    """Text for a page header or footer: a literal ``&`` is written ``&&``."""
    return value.replace("&", "&&")


def _unique(notes: Sequence[Note]) -> tuple[Note, ...]:
    return tuple({(n.nl, n.en): n for n in notes}.values())


def part_text(part: str, lang: Language) -> str:
    """Where a registered cell of the press workbook is, in words: its sheet, and the kind
    of request or the answer of its table (``countries.LP.answers.positive``: "LP by
    country · positive"); a part the workbook does not know as is."""
    words = part.split(".")
    if words[0] == "answers" and len(words) == 2:
        totals = _(labels.PRESS_SHEETS["totals"], lang)
        return f"{totals} · {labels.code_label(words[1], lang)}"
    if words[0] == "countries" and len(words) >= 3 and words[1] in labels.PRESS_SHEETS:
        answer = "submitted" if words[2] == "made" else words[-1]
        table = labels.PRESS_ANSWER.get(answer)
        sheet = _(labels.PRESS_SHEETS[words[1]], lang)
        return sheet if table is None else " · ".join((sheet, _(table, lang)))
    if part in labels.PRESS_SHEETS:
        return _(labels.PRESS_SHEETS[part], lang)
    return part


def dims_text(dims: str, lang: Language) -> str:
    """A registered cell's key in words: each dimension's name and value (``country=MA;
    year=2023``: "Country Morocco, Year 2023"), a total as "Total"."""
    said = []
    for pair in dims.split(";"):
        name, _sep, value = pair.partition("=")
        heading = labels.DIMENSION.get(name)
        if value == "total":
            shown = _(labels.TOTAL, lang)
        elif name == "country":
            shown = f"{labels.country_name(value, lang)} ({value})"
        else:
            shown = labels.code_label(value, lang)
        said.append(shown if heading is None else " ".join((_(heading, lang), shown)))
    return ", ".join(said)

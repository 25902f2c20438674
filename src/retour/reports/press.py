"""The press workbook: four sheets of figures and a sheet of definitions.

Renders disclosed tables only; it never sees exact counts other than those a profile lets
through, and never touches the database. Sheets:

1. per year of submission, LP and T&O side by side: submitted (the row total), positive,
   negative, withdrawn / no answer, still pending; a totals row;
2. per country of origin, the T&O requests answered negatively or withdrawn, per year;
3. the same for LP;
4. the negative and withdrawn requests of both kinds by reason (the third part of the
   question "how often, from which countries, with what reason"), per year;
5. definitions (LP, T&O, bekendstelling, each answer), the profile applied, the notes of
   the tables, the extraction date, the data fingerprint, real or simulated data.

Every sheet carries the extraction date and profile under its title, and a warning line
when the data are simulated. Headers are frozen; totals are bold. Cells hidden by the
profile hold the text ``<5`` or ``x``; every other figure is a number. No formulas: a sum of
rounded cells is not the published total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from retour.analysis.figures import YEAR, Provenance
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
)
from retour.domain.codes import Outcome, RequestKind
from retour.domain.errors import InputError
from retour.reports import labels
from retour.reports.labels import text

#: Sheet 1's columns per kind: the key in the disclosed table and the header's label key.
ANSWER_COLUMNS: tuple[tuple[str, str], ...] = (
    (TOTAL, "submitted"),
    (Outcome.POSITIVE.value, Outcome.POSITIVE.value),
    (Outcome.NEGATIVE.value, Outcome.NEGATIVE.value),
    (Outcome.WITHDRAWN.value, Outcome.WITHDRAWN.value),
    (Outcome.PENDING.value, Outcome.PENDING.value),
)
#: Rows above the column headers on each figures sheet: title, provenance, warning.
HEADER_ROW = 3
KINDS: tuple[RequestKind, ...] = (RequestKind.LP, RequestKind.TO)
#: The order of the kinds on the country sheets and the sheet of reasons.
KIND_ORDER: tuple[RequestKind, ...] = (RequestKind.TO, RequestKind.LP)


@dataclass(frozen=True)
class PressTables:
    """What the workbook shows, already disclosed.

    Attributes:
        years: the years of submission covered.
        answers: per kind, rows ``year``, column ``outcome``.
        refusals: per kind, rows ``country, outcome`` (negative, withdrawn), column ``year``.
        reasons: rows ``kind, outcome, reason`` (negative, withdrawn), column ``year``.
        rules: the rules every table was disclosed with.
        provenance: extraction date, fingerprint, simulated or not.
        notes: notes on the question itself (e.g. a year that runs to the extraction date).
    """

    years: tuple[int, ...]
    answers: Mapping[RequestKind, DisclosedTable]
    refusals: Mapping[RequestKind, DisclosedTable]
    reasons: DisclosedTable
    rules: DisclosureRules
    provenance: Provenance
    notes: tuple[Note, ...] = field(default_factory=tuple)

    def all_notes(self) -> list[Note]:
        """The question's notes and every table's disclosure notes, each once."""
        seen: dict[tuple[str, str], Note] = {}
        tables = [*self.answers.values(), *self.refusals.values(), self.reasons]
        for note in [*self.notes, *(n for t in tables for n in t.notes)]:
            seen.setdefault((note.nl, note.en), note)
        return list(seen.values())


def sheet_names(lang: Language) -> list[str]:
    """The sheet names in order: totals, T&O by country, LP by country, reasons,
    definitions."""
    keys = ("totals", "TO", "LP", "reasons", "definitions")
    return [text(labels.PRESS_SHEETS[k], lang) for k in keys]


def write_press_workbook(tables: PressTables, path: Path, lang: Language = "nl") -> Path:
    """Write the workbook to ``path``; an InputError when it cannot be written."""
    workbook = xlsxwriter.Workbook(str(path))
    try:
        writer = _Writer(workbook, tables, lang)
        writer.totals_sheet()
        for kind in KIND_ORDER:
            writer.country_sheet(kind)
        writer.reasons_sheet()
        writer.definitions_sheet()
    finally:
        try:
            workbook.close()
        except (OSError, XlsxWriterException) as exc:
            raise InputError(
                f"{path}: the workbook cannot be written ({exc}).",
                hint="Check the folder exists and is writable, and the file is not open.",
            ) from None
    return path


class _Writer:
    def __init__(self, workbook: Any, tables: PressTables, lang: Language) -> None:
        self.book = workbook
        self.tables = tables
        self.lang = lang
        origin = tables.provenance
        properties: dict[str, Any] = {
            "title": text(labels.PRESS_TITLE["totals"], lang).format(years=self.years_text),
            "comments": labels.SIMULATED if origin.simulated else "",
        }
        if origin.extracted_on is not None:  # the same data give the same file
            day = origin.extracted_on
            properties["created"] = dt.datetime(day.year, day.month, day.day)
        workbook.set_properties(properties)
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 13})
        self.meta = add({"italic": True, "font_color": "#444444"})
        self.warning = add({"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE"})
        self.header = add(
            {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#E7E6E6"}
        )
        self.group = add({"bold": True, "align": "center", "bottom": 1, "bg_color": "#D0CECE"})
        self.label = add({})
        self.number = add({"num_format": "#,##0"})
        self.hidden = add({"align": "right"})
        self.total_label = add({"bold": True, "top": 1})
        self.total_number = add({"bold": True, "top": 1, "num_format": "#,##0"})
        self.total_hidden = add({"bold": True, "top": 1, "align": "right"})
        self.note = add({"italic": True, "font_size": 9, "font_color": "#444444"})
        self.term = add({"bold": True, "valign": "top", "text_wrap": True})
        self.wrap = add({"text_wrap": True, "valign": "top"})

    @property
    def years_text(self) -> str:
        return labels.years_text(list(self.tables.years))

    def t(self, pair: labels.Pair) -> str:
        return text(pair, self.lang)

    # -- common parts ----------------------------------------------------------------------

    def _top(self, sheet: Any, title: str) -> None:
        """Title, provenance line, and the simulated-data warning when it applies."""
        origin = self.tables.provenance
        sheet.write_string(0, 0, title, self.title)
        day = origin.extracted_on.isoformat() if origin.extracted_on else "?"
        profile = self.tables.rules.profile
        line = (
            f"{self.t(labels.EXTRACTED)}: {day} · {self.t(labels.META['profile'])}: "
            f"{profile.value} ({self.t(labels.PROFILE_NAME[profile])})"
        )
        sheet.write_string(1, 0, line, self.meta)
        if origin.simulated:
            sheet.write_string(2, 0, self.t(labels.SIMULATED_WARNING), self.warning)

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

    def _notes(self, sheet: Any, row: int, notes: Sequence[Note]) -> int:
        for note in notes:
            sheet.write_string(row, 0, note.text(self.lang), self.note)
            row += 1
        return row

    # -- sheet 1 ---------------------------------------------------------------------------

    def totals_sheet(self) -> None:
        sheet = self.book.add_worksheet(text(labels.PRESS_SHEETS["totals"], self.lang))
        self._top(sheet, self.t(labels.PRESS_TITLE["totals"]).format(years=self.years_text))
        group_row, head_row = HEADER_ROW, HEADER_ROW + 1
        sheet.write_string(head_row, 0, self.t(labels.DIMENSION[YEAR]), self.header)
        width = len(ANSWER_COLUMNS)
        for k, kind in enumerate(KINDS):
            first = 1 + k * width
            sheet.merge_range(
                group_row, first, group_row, first + width - 1,
                self.t(labels.KIND_LONG[kind]), self.group,
            )  # fmt: skip
            for j, (_, header) in enumerate(ANSWER_COLUMNS):
                sheet.write_string(
                    head_row, first + j, self.t(labels.PRESS_ANSWER[header]), self.header
                )
        row = head_row + 1
        cells = {kind: _cells(self.tables.answers[kind]) for kind in KINDS}
        keys = [*(str(y) for y in self.tables.years), TOTAL]
        for key in keys:
            total = key == TOTAL
            label = self.t(labels.TOTAL) if total else int(key)
            fmt = self.total_label if total else self.label
            if total:
                sheet.write_string(row, 0, str(label), fmt)
            else:
                sheet.write_number(row, 0, label, fmt)
            for k, kind in enumerate(KINDS):
                for j, (column, _) in enumerate(ANSWER_COLUMNS):
                    value, status = cells[kind].get((key, column), (0, CellStatus.EXACT.value))
                    self._cell(sheet, row, 1 + k * width + j, value, status, total)
            row += 1
        notes = self.tables.notes + _unique(
            [n for kind in KINDS for n in self.tables.answers[kind].notes]
        )
        self._notes(sheet, row + 1, notes)
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 2 * width, 14)
        sheet.set_row(head_row, 32)
        sheet.freeze_panes(head_row + 1, 1)

    # -- sheets 2 and 3 ----------------------------------------------------------------------

    def country_sheet(self, kind: RequestKind) -> None:
        sheet = self.book.add_worksheet(text(labels.PRESS_SHEETS[kind.value], self.lang))
        self._top(sheet, self.t(labels.PRESS_TITLE[kind.value]).format(years=self.years_text))
        table = self.tables.refusals[kind]
        head = HEADER_ROW
        headers = [
            self.t(labels.DIMENSION["code"]),
            self.t(labels.DIMENSION["country"]),
            self.t(labels.DIMENSION["outcome"]),
            *(str(y) for y in self.tables.years),
            self.t(labels.TOTAL),
        ]
        for j, header in enumerate(headers):
            sheet.write_string(head, j, header, self.header)
        columns = [*(str(y) for y in self.tables.years), TOTAL]
        cells = _cells(table)
        rows = self._country_rows(table)
        row = head + 1
        name_width = len(headers[1])
        for key in rows:
            country, outcome, total = key
            if total:
                sheet.write_string(row, 0, self.t(labels.TOTAL), self.total_label)
                sheet.write_string(row, 1, "", self.total_label)
                sheet.write_string(row, 2, "", self.total_label)
            else:
                code = "" if country == OTHER_COUNTRIES else country
                name = labels.country_name(country, self.lang)
                name_width = max(name_width, len(name))
                sheet.write_string(row, 0, code, self.label)
                sheet.write_string(row, 1, name, self.label)
                sheet.write_string(row, 2, labels.code_label(outcome, self.lang), self.label)
            for j, column in enumerate(columns):
                value, status = cells.get((_row_key(key), column), (0, CellStatus.EXACT.value))
                self._cell(sheet, row, 3 + j, value, status, total)
            row += 1
        if len(rows) == 1:
            sheet.write_string(row, 0, self.t(labels.NO_ROWS), self.note)
            row += 1
        self._notes(sheet, row + 1, self.tables.notes + table.notes)
        sheet.set_column(0, 0, 7)
        sheet.set_column(1, 1, min(name_width + 2, 45))
        sheet.set_column(2, 2, 36)
        sheet.set_column(3, 3 + len(columns) - 1, 10)
        sheet.freeze_panes(head + 1, 3)

    def _country_rows(self, table: DisclosedTable) -> list[tuple[str, str, bool]]:
        """Rows by country name in the sheet's language, "other countries" and the total
        last. Reordering rows changes nothing a reader can work out."""
        frame = table.shown
        keys = [
            (row["country"], row["outcome"], bool(row[IS_TOTAL]))
            for row in frame.select("country", "outcome", IS_TOTAL).iter_rows(named=True)
        ]
        inner = [k for k in keys if not k[2]]
        inner.sort(
            key=lambda k: (
                k[0] == OTHER_COUNTRIES,
                labels.country_name(k[0], self.lang).casefold(),
                k[0],
                k[1],
            )
        )
        return [*inner, *(k for k in keys if k[2])]

    # -- sheet 4 ---------------------------------------------------------------------------

    def reasons_sheet(self) -> None:
        sheet = self.book.add_worksheet(text(labels.PRESS_SHEETS["reasons"], self.lang))
        self._top(sheet, self.t(labels.PRESS_TITLE["reasons"]).format(years=self.years_text))
        table = self.tables.reasons
        dims = len(table.row_dims)
        columns = [*(str(y) for y in self.tables.years), TOTAL]
        headers = [
            *(self.t(labels.DIMENSION[d]) for d in table.row_dims),
            *columns[:-1],
            self.t(labels.TOTAL),
        ]
        for j, header in enumerate(headers):
            sheet.write_string(HEADER_ROW, j, header, self.header)
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
            sheet.write_string(row, 0, self.t(labels.NO_ROWS), self.note)
            row += 1
        self._notes(sheet, row + 1, self.tables.notes + table.notes)
        for j, width in enumerate((12, 36, 32)):
            sheet.set_column(j, j, width)
        sheet.set_column(dims, dims + len(columns) - 1, 10)
        sheet.freeze_panes(HEADER_ROW + 1, dims)

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
        sheet = self.book.add_worksheet(text(labels.PRESS_SHEETS["definitions"], self.lang))
        origin = self.tables.provenance
        rules = self.tables.rules
        sheet.write_string(0, 0, self.t(labels.PRESS_TITLE["definitions"]), self.title)
        if origin.simulated:
            sheet.write_string(1, 0, self.t(labels.SIMULATED_WARNING), self.warning)
        row = HEADER_ROW
        for word, meaning in labels.DEFINITIONS:
            sheet.write_string(row, 0, self.t(word), self.term)
            sheet.write_string(row, 1, self.t(meaning), self.wrap)
            row += 1
        row += 1
        day = origin.extracted_on.isoformat() if origin.extracted_on else "?"
        data = labels.SIMULATED if origin.simulated else self.t(labels.META["real"])
        facts: list[tuple[str, str]] = [
            (self.t(labels.META["years"]), self.years_text),
            (self.t(labels.META["profile"]), labels.profile_summary(rules, self.lang)),
            (self.t(labels.META["extracted"]), day),
            (
                self.t(labels.META["fingerprint"]),
                f"{origin.fingerprint or '?'} — {self.t(labels.META['fingerprint_note'])}",
            ),
            (self.t(labels.META["source"]), origin.source or "?"),
            (self.t(labels.META["data"]), data),
        ]
        notes = self.tables.all_notes()
        if notes:
            facts.append(
                (self.t(labels.META["notes"]), "\n".join(n.text(self.lang) for n in notes))
            )
        for term, value in facts:
            sheet.write_string(row, 0, term, self.term)
            sheet.write_string(
                row, 1, value, self.warning if value == data and origin.simulated else self.wrap
            )
            row += 1
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 1, 100)
        sheet.freeze_panes(HEADER_ROW, 0)


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


def _row_key(key: tuple[str, str, bool]) -> tuple[object, ...]:
    country, outcome, total = key
    return (None, None) if total else (country, outcome)


def _cells(table: DisclosedTable) -> dict[tuple[Any, str], tuple[int | None, str]]:
    """(row key, value column) -> (shown figure, status). The row key is the row's single
    dimension value, or the tuple of them; totals rows have None (or a tuple of None)."""
    dims = list(table.row_dims)
    shown = table.shown.iter_rows(named=True)
    status = table.status.iter_rows(named=True)
    cells: dict[tuple[Any, str], tuple[int | None, str]] = {}
    for values, states in zip(shown, status, strict=True):
        if len(dims) == 1:
            key: Any = TOTAL if values[IS_TOTAL] else str(values[dims[0]])
        else:
            key = tuple(values[d] for d in dims)
        for column in table.value_columns:
            cells[(key, column)] = (values[column], str(states[column]))
    return cells


def _unique(notes: Sequence[Note]) -> tuple[Note, ...]:
    return tuple({(n.nl, n.en): n for n in notes}.values())

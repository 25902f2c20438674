"""Write a dataset the way a source system exports it, with the mapping that reads it back.

Dutch or English headers and labels, ';' and Windows-1252 as Dutch Excel writes them,
dd-mm-yyyy dates, country names or alpha-3 codes, an officer's name and a location as extra
columns, and optionally one flat register (a row per request, the case's columns repeated)
or one workbook with date cells and Excel's default sheet name. Tests, the benchmark and
the demo use it to show the way a real export takes into retour.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
import pycountry

from retour.domain.codes import Table
from retour.domain.countries import country_codes
from retour.domain.dataset import Dataset, DatasetMeta
from retour.domain.files import write_file
from retour.domain.tables import SPECS, ColumnType, TableSpec
from retour.exchange import country_names, synonyms
from retour.exchange.mapping import FORMAT

REGISTER = {"nl": "Register", "en": "Register"}
WORKBOOK_SHEET = "Blad1"  # Excel's default name for a first sheet, in Dutch
EXTRAS = {"nl": ("Behandelaar", "Locatie"), "en": ("Officer", "Location")}
EXTRA_VALUES = ("Officer A", "Location B")


@dataclass(frozen=True, slots=True)
class SourceStyle:
    language: str = "nl"  # headers and labels: "nl" or "en"
    delimiter: str = ";"
    encoding: str = "cp1252"  # falls back to utf-8 when the text needs it
    date_format: str = "%d-%m-%Y"
    countries: str = "names"  # "names" (in `language`), "alpha-3" or "codes"
    flat: bool = False  # cases and requests in one register
    workbook: bool = False  # one .xlsx (date cells, numbers as text when asked)
    numbers_as_text: bool = False  # workbook: whole numbers in text cells
    extra_columns: bool = True


def _header(table: Table, column: str, language: str) -> str:
    return synonyms.written(synonyms.COLUMNS[(table, column)], language)


def _country_names(language: str) -> dict[str, str]:
    """Code -> the CLDR short name in `language` (codes without one keep the code)."""
    found = {code: code for code in country_codes()}
    for code, dutch, english in country_names.cldr_rows():
        found[code] = dutch if language == "nl" else english
    specials = {"STLS": ("Staatloos", "Stateless"), "UNK": ("Onbekend", "Unknown")}
    for code, (dutch, english) in specials.items():
        found[code] = dutch if language == "nl" else english
    return found


def _alpha3() -> dict[str, str]:
    codes = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    return {**codes, "STLS": "XXA", "UNK": "XXX", "XK": "XKX"}


def _labels(table: Table, column: str, style: SourceStyle) -> dict[str, str] | None:
    spec_column = SPECS[table].column(column)
    if spec_column.type is ColumnType.COUNTRY:
        if style.countries == "codes":
            return None
        return _alpha3() if style.countries == "alpha-3" else _country_names(style.language)
    words = synonyms.value_words(table, column)
    if spec_column.type is not ColumnType.CODE or words is None:
        return None
    return {code: synonyms.written(w, style.language) for code, w in words.items()}


def source_frame(dataset: Dataset, table: Table, style: SourceStyle) -> pl.DataFrame:
    """One table with the source's headers, labels and (text) dates."""
    spec = SPECS[table]
    exprs = []
    for column in spec.columns:
        expr = pl.col(column.name)
        labels = _labels(table, column.name, style)
        if labels is not None:
            expr = expr.replace_strict(labels, default=expr, return_dtype=pl.String)
        if column.type is ColumnType.DATE and not style.workbook:
            expr = expr.dt.to_string(style.date_format)
        exprs.append(expr.alias(_header(table, column.name, style.language)))
    frame = dataset[table].select(exprs)
    if style.extra_columns:
        for name, value in zip(EXTRAS[style.language], EXTRA_VALUES, strict=True):
            frame = frame.with_columns(pl.lit(value).alias(name))
    return frame


def _flat(dataset: Dataset, style: SourceStyle) -> pl.DataFrame:
    """Requests with their case's columns; cases without a request get a row of their own."""
    cases = source_frame(dataset, Table.CASES, _no_extras(style))
    requests = source_frame(dataset, Table.REQUESTS, style)
    key = _header(Table.CASES, "case_id", style.language)
    joined = requests.join(cases, on=key, how="left", maintain_order="left")
    alone = cases.join(requests.select(key), on=key, how="anti")
    return pl.concat([joined, alone], how="diagonal_relaxed")


def _no_extras(style: SourceStyle) -> SourceStyle:
    return replace(style, extra_columns=False)


def _file_names(style: SourceStyle) -> dict[Table, str]:
    names = {t: synonyms.written(w, style.language) for t, w in synonyms.TABLES.items()}
    if style.flat:
        names[Table.CASES] = names[Table.REQUESTS] = (
            WORKBOOK_SHEET if style.workbook else REGISTER[style.language]
        )
    return names


def source_frames(dataset: Dataset, style: SourceStyle) -> dict[str, pl.DataFrame]:
    """Source file (or sheet) name -> its frame."""
    names = _file_names(style)
    frames: dict[str, pl.DataFrame] = {}
    for table in synonyms.TABLES:  # the tables a source system's words are known for
        if style.flat and table in (Table.CASES, Table.REQUESTS):
            frames[names[table]] = _flat(dataset, style)
        else:
            frames[names[table]] = source_frame(dataset, table, style)
    return frames


def _encoded(texts: dict[str, str], encoding: str) -> tuple[dict[str, bytes], str]:
    try:
        return {n: t.encode(encoding) for n, t in texts.items()}, encoding
    except UnicodeEncodeError:
        return {n: t.encode("utf-8") for n, t in texts.items()}, "utf-8"


def _write_workbook(frames: dict[str, pl.DataFrame], path: Path, style: SourceStyle) -> None:
    import xlsxwriter

    made = io.BytesIO()
    book = xlsxwriter.Workbook(made)
    dates = book.add_format({"num_format": "dd-mm-yyyy"})
    for name, frame in frames.items():
        sheet = book.add_worksheet(name)
        for col, header in enumerate(frame.columns):
            sheet.write_string(0, col, header)
            for row, value in enumerate(frame.get_column(header).to_list(), start=1):
                if value is None:
                    continue
                if isinstance(value, int) and not style.numbers_as_text:
                    sheet.write_number(row, col, value)
                elif hasattr(value, "isoformat") and not isinstance(value, str):
                    sheet.write_datetime(row, col, value, dates)
                else:
                    sheet.write_string(row, col, str(value))
    book.close()
    write_file(path, made.getvalue())


def write_source(dataset: Dataset, path: Path, style: SourceStyle) -> str:
    """Write `dataset` in `style` at `path` (a folder, or an .xlsx when style.workbook);
    return the text of the mapping that imports it."""
    frames = source_frames(dataset, style)
    if style.workbook:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_workbook(frames, path, style)
        return mapping_text(dataset.meta, style, "utf-8")
    texts = {
        name: frame.write_csv(separator=style.delimiter, line_terminator="\r\n")
        for name, frame in frames.items()
    }
    data, encoding = _encoded(texts, style.encoding)
    path.mkdir(parents=True, exist_ok=True)
    for name, content in data.items():
        write_file(path / f"{name}.csv", content)
    return mapping_text(dataset.meta, style, encoding)


# --- the mapping --------------------------------------------------------------------------


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _table_lines(table: Table, spec: TableSpec, style: SourceStyle, source: str) -> list[str]:
    lines = [f"[tables.{table.value}]", f"from = {_q(source)}"]
    if style.flat and table is Table.CASES:
        lines.append("distinct = true")
    if style.flat and table is Table.REQUESTS:
        lines.append('skip_if_empty = "request_id"')
    lines.append(f"[tables.{table.value}.columns]")
    lines += [f"{c.name} = {_q(_header(table, c.name, style.language))}" for c in spec.columns]
    for column in spec.columns:
        labels = _labels(table, column.name, style)
        if labels is None or column.type is ColumnType.COUNTRY:
            continue
        lines.append(f"[tables.{table.value}.values.{column.name}]")
        lines += [f"{_q(label)} = {_q(code)}" for code, label in labels.items()]
    return [*lines, ""]


def mapping_text(meta: DatasetMeta, style: SourceStyle, encoding: str) -> str:
    """The mapping that reads a dataset written in `style` back into the exchange format."""
    lines = [f"format = {_q(FORMAT)}", "", "[dataset]"]
    if meta.source is not None:
        lines.append(f"source = {_q(meta.source)}")
    if meta.extracted_on is not None:
        lines.append(f"extracted_on = {meta.extracted_on.isoformat()}")
    lines += ["", "[read]"]
    if not style.workbook:
        lines += [f"encoding = {_q(encoding)}", f"delimiter = {_q(style.delimiter)}"]
        lines.append(f"date_format = {_q(style.date_format)}")
    lines += [f'countries = "{"codes" if style.countries == "codes" else "names"}"', ""]
    names = _file_names(style)
    for table in synonyms.TABLES:
        lines += _table_lines(table, SPECS[table], style, names[table])
    return "\n".join(lines)

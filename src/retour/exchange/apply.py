"""Apply a mapping to a source: the exchange-format tables it holds, ready for validation.

The result is a Container like a direct import's, with every cell as exchange-format text
and the line it came from, so `validate` checks a mapped row with exactly the rules a
direct one meets; only the names in its messages are the source's (`SourceLabels`).
Everything is a Polars expression over whole columns; value maps, country names and
alien numbers are looked up once per distinct value.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from retour.domain.codes import Table
from retour.domain.limits import DEFAULT_LIMITS, ImportLimits
from retour.domain.tables import V_NUMBER, Column, ColumnType, TableSpec
from retour.exchange import country_names, sniff
from retour.exchange.container import LINE, Container, RawTable, SourceLabels
from retour.exchange.mapping import CountryStyle, Mapping, MappingError, TableMapping, problem
from retour.exchange.source import (
    TEXT_SUFFIXES,
    WORKBOOK_SUFFIXES,
    Source,
    SourceTable,
    open_source,
    read_table,
)
from retour.exchange.violations import Reason, Violation, violations_from_frame

CASE_ID = "case_id"
_EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(slots=True)
class _Run:
    """One application of a mapping: what it found wrong in the mapping, what it noticed."""

    mapping: Mapping
    source: Source
    problems: list[Violation] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    formats: tuple[str, ...] = ()  # the date formats read: the mapping's, or sniffed

    def problem(self, path: tuple[str, ...], label: str, message: str) -> None:
        self.problems.append(problem(self.mapping.name, self.mapping.line(*path), label, message))


def _columns(spec: TableSpec) -> tuple[str, ...]:
    return spec.column_names + ((V_NUMBER,) if CASE_ID in spec.column_names else ())


def feeds(tm: TableMapping, header: Iterable[str]) -> dict[str, str]:
    """Exchange column -> source header for every column a source column feeds: the mapped
    ones, and those the mapping leaves out that the source has under their own name."""
    present = set(header)
    fed = dict(tm.columns)
    for column in _columns(tm.spec):
        taken = column in fed or column in tm.constant
        twin = (column == CASE_ID and V_NUMBER in fed) or (column == V_NUMBER and CASE_ID in fed)
        if not taken and not twin and column in present:
            fed[column] = column
    return fed


# --- resolving sources and columns --------------------------------------------------------


def _resolve(run: _Run, tm: TableMapping) -> str | None:
    names = run.source.names
    if tm.source in names:
        return tm.source
    wanted = tm.source.casefold()
    stem, dot, suffix = wanted.rpartition(".")
    if dot and f".{suffix}" in TEXT_SUFFIXES | WORKBOOK_SUFFIXES:
        wanted = stem  # `from = "Verzoeken.csv"` names the file Verzoeken.csv
    folded = [n for n in names if n.casefold() == wanted]
    if len(folded) == 1:
        return folded[0]
    held = ", ".join(names) or "no tables"
    run.problem(
        ("tables", tm.table.value, "from"),
        f"tables.{tm.table.value}.from",
        f"no file or sheet {tm.source!r} in {run.source.path.name}; it holds: {held}",
    )
    return None


def _check_columns(run: _Run, tm: TableMapping, table: SourceTable) -> None:
    path = ("tables", tm.table.value, "columns")
    label = ".".join(path)
    for column, header in tm.columns.items():
        if header not in table.header:
            close = difflib.get_close_matches(header, table.header, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            run.problem(
                (*path, column),
                label,
                f"{header!r} (for {column}) is not a column of {table.label}{hint}",
            )
    fed = set(feeds(tm, table.header)) | set(tm.constant)
    for spec_column in tm.spec.columns:
        by_v_number = spec_column.name == CASE_ID and V_NUMBER in fed
        if spec_column.required and spec_column.name not in fed and not by_v_number:
            run.problem(
                ("tables", tm.table.value),
                label,
                f"nothing feeds {spec_column.name} (required); map a column of "
                f"{table.label} to it or give it a constant",
            )
    for column in tm.skip_if_empty:
        if column not in fed:
            run.problem(
                ("tables", tm.table.value, "skip_if_empty"),
                f"tables.{tm.table.value}.skip_if_empty",
                f"nothing feeds {column}",
            )


def _read_sources(run: _Run, resolved: dict[Table, str]) -> dict[str, SourceTable]:
    wanted: dict[str, set[str]] = {}
    for table, name in resolved.items():
        tm = run.mapping.tables[table]
        wanted.setdefault(name, set()).update(tm.columns.values(), _columns(tm.spec))
    read = run.mapping.read
    tables: dict[str, SourceTable] = {}
    for name, columns in wanted.items():
        read_from = read_table(
            run.source,
            name,
            run.violations,
            encoding=read.encoding,
            delimiter=read.delimiter,
            columns=columns,
        )
        if read_from is not None:
            tables[name] = read_from
    return tables


# --- converting cells ---------------------------------------------------------------------


def _trimmed(header: str) -> pl.Expr:
    text = pl.col(header).str.strip_chars()
    return pl.when(text != "").then(text)


def _value_map(frame: pl.DataFrame, header: str, labels: dict[str, str], by_name: bool) -> pl.Expr:
    """The column with each distinct value looked up once: in the value map, then (for a
    country column read by name) among country names; a value neither knows stays as written."""
    distinct = frame.select(_trimmed(header).unique()).to_series().drop_nulls().to_list()
    lookup: dict[str, str | None] = {}
    for value in distinct:
        if value in labels:
            lookup[value] = labels[value] or None
        elif by_name:
            lookup[value] = country_names.code_of(value) or value
    text = _trimmed(header)
    out = text.replace_strict(lookup, default=text, return_dtype=pl.String) if lookup else text
    empty = labels.get("")
    return out.fill_null(pl.lit(empty or None, pl.String)) if "" in labels else out


def _dates(text: pl.Expr, formats: tuple[str, ...], workbook: bool) -> pl.Expr:
    """Dates as YYYY-MM-DD: typed workbook cells and ISO text as they are, then each format
    in turn, then (workbooks) Excel day numbers; what none reads stays as written."""
    iso = pl.when(text.str.contains(r"^\d{4}-\d{2}-\d{2}(T[\d:.]*)?$")).then(text.str.slice(0, 10))
    parsed = [
        pl.when(text.str.contains(sniff.format_pattern(f))).then(
            text.str.to_date(f, strict=False).dt.to_string("%Y-%m-%d")
        )
        for f in formats
    ]
    serial: list[pl.Expr] = []
    if workbook:
        days = pl.when(text.str.contains(r"^\d{5}$")).then(text.cast(pl.Int64, strict=False))
        serial.append((pl.lit(_EXCEL_EPOCH) + pl.duration(days=days)).dt.to_string("%Y-%m-%d"))
    return pl.coalesce(iso, *parsed, *serial, text)


def _cell(
    frame: pl.DataFrame,
    header: str,
    column: Column | None,
    tm: TableMapping,
    run: _Run,
    workbook: bool,
) -> pl.Expr:
    """One exchange-format column from one source column."""
    name = V_NUMBER if column is None else column.name
    labels = tm.values.get(name)
    if column is None or (column.type in (ColumnType.TEXT, ColumnType.CODE) and labels is None):
        return pl.col(header)  # as a direct import reads it
    by_name = column.type is ColumnType.COUNTRY and run.mapping.read.countries is CountryStyle.NAMES
    distinct = frame.select(pl.col(header).unique())
    text = (
        _value_map(distinct, header, labels or {}, by_name)
        if labels or by_name
        else _trimmed(header)
    )
    if column.type is ColumnType.DATE:
        text = _dates(text, run.formats, workbook)
    elif column.type is ColumnType.INT:
        text = text.str.replace(r"^(-?\d+)[.,]0+$", "${1}")
    return _by_distinct(frame, distinct, header, text)


def _by_distinct(
    frame: pl.DataFrame, distinct: pl.DataFrame, header: str, expr: pl.Expr
) -> pl.Expr:
    """`expr` over the column, evaluated once per distinct value (a source has a few thousand
    dates and a handful of labels in a million rows) and looked up for every row."""
    if distinct.height > max(1000, frame.height // 4):
        return expr
    out = distinct.select(pl.col(header), expr.alias("\x00out"))
    pairs = list(
        zip(out.get_column(header).to_list(), out.get_column("\x00out").to_list(), strict=True)
    )
    lookup = {k: v for k, v in pairs if k is not None}
    empty = next((v for k, v in pairs if k is None), None)
    mapped = (
        pl.col(header).replace_strict(lookup, default=None, return_dtype=pl.String)
        if lookup
        else pl.lit(None, pl.String)
    )
    return pl.when(pl.col(header).is_null()).then(pl.lit(empty, pl.String)).otherwise(mapped)


# --- building one table ---------------------------------------------------------------------


def _disagreements(
    frame: pl.DataFrame, key: list[str], labels: dict[str, str], file: str, hidden: set[str]
) -> pl.DataFrame:
    """Rows of one key (a case in a flat register) whose other columns differ from its first row."""
    first_line = pl.col(LINE).min().over(key)
    frame = frame.sort(LINE)  # a key's first row is its first line
    found = []
    for column in (c for c in frame.columns if c not in key and c != LINE):
        first = pl.col(column).first().over(key)
        differs = ~pl.col(column).eq_missing(first) & pl.all_horizontal(
            pl.col(k).is_not_null() for k in key
        )
        shown = pl.lit("(empty)") if column in hidden else first.fill_null("(empty)")
        message = pl.format(
            "differs from line {} of the same {} ({})",
            first_line,
            pl.lit(labels.get(key[0], key[0])),
            shown,
        )
        value = pl.lit(None, pl.String) if column in hidden else pl.col(column)
        found.append(
            frame.select(
                pl.lit(file).alias("file"),
                pl.col(LINE).alias("line"),
                pl.lit(labels.get(column, column)).alias("column"),
                pl.lit(Reason.DISAGREES.value).alias("reason"),
                message.alias("message"),
                value.alias("value"),
                differs.alias("hit"),
            )
            .filter("hit")
            .drop("hit")
        )
    return pl.concat(found) if found else pl.DataFrame()


def _distinct(
    run: _Run, tm: TableMapping, frame: pl.DataFrame, raw_labels: dict[str, str], file: str
) -> pl.DataFrame:
    key = [V_NUMBER if k == CASE_ID and V_NUMBER in frame.columns else k for k in tm.spec.key]
    key = [k for k in key if k in frame.columns]
    if not key:
        return frame
    others = [c for c in frame.columns if c not in key and c != LINE]
    # One pass finds the keys whose rows differ (a null differs from a value); only their
    # rows are compared line by line.
    split = (
        frame.group_by(key)
        .agg(pl.any_horizontal(pl.col(c).n_unique() > 1 for c in others).alias("split"))
        .filter("split")
        if others
        else frame.clear()
    )
    if split.height:
        rows = frame.join(split.select(key), on=key, how="semi", nulls_equal=False)
        found = _disagreements(rows, key, raw_labels, file, {V_NUMBER})
        run.violations.extend(violations_from_frame(found))
    return frame.sort(LINE).unique(subset=key, keep="first", maintain_order=True)


def _raw_table(run: _Run, tm: TableMapping, table: SourceTable) -> RawTable:
    fed = feeds(tm, table.header)
    exprs: list[pl.Expr] = []
    for column in _columns(tm.spec):
        spec_column = None if column == V_NUMBER else tm.spec.column(column)
        if column in tm.constant:
            exprs.append(pl.lit(tm.constant[column] or None, pl.String).alias(column))
        elif column in fed:
            cell = _cell(table.frame, fed[column], spec_column, tm, run, table.workbook)
            exprs.append(cell.alias(column))
    frame = table.frame.select(*exprs, pl.col(LINE))
    if tm.skip_if_empty:
        frame = frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in tm.skip_if_empty))
    labels = {c: h for c, h in fed.items()} | {c: f"{c} (constant)" for c in tm.constant}
    if V_NUMBER in fed:
        labels[CASE_ID] = fed[V_NUMBER]
    if tm.distinct:
        frame = _distinct(run, tm, frame, labels, table.label)
    read = run.mapping.read
    formats = ("%Y-%m-%d", *(f for f in run.formats if f != "%Y-%m-%d"))
    source = SourceLabels(
        columns=labels,
        known={c: tuple(m) for c, m in tm.values.items()},
        dates=" or ".join(sniff.human_format(f) for f in formats),
        countries_by_name=read.countries is CountryStyle.NAMES,
    )
    header = [c for c in frame.columns if c != LINE]
    return RawTable(table=tm.table, name=table.label, header=header, frame=frame, source=source)


# --- the whole source -----------------------------------------------------------------------


def _sniff_dates(run: _Run, resolved: dict[Table, str], tables: dict[str, SourceTable]) -> None:
    """The date format of the source's text dates, when the mapping gives none and exactly
    one format reads them all; otherwise only YYYY-MM-DD (and date cells) are read."""
    run.formats = run.mapping.read.date_formats
    if run.formats:
        return
    samples: list[pl.Series] = []
    for table, name in resolved.items():
        tm, source = run.mapping.tables[table], tables.get(name)
        if source is None:
            continue
        for column, header in feeds(tm, source.header).items():
            if column != V_NUMBER and tm.spec.column(column).type is ColumnType.DATE:
                text = source.frame.get_column(header).drop_nulls().str.strip_chars()
                samples.append(text.filter(~text.str.contains(r"^\d{4}-\d{2}-\d{2}")).head(5000))
    guess = sniff.date_formats([s for s in samples if s.len()])
    if guess.certain:
        run.formats = guess.formats
        run.notices.append(
            f"dates read as {sniff.human_format(guess.formats[0])} (sniffed; "
            "[read] date_format in the mapping fixes it)"
        )
    elif guess.formats:
        shown = " or ".join(sniff.human_format(f) for f in guess.formats)
        run.notices.append(f"dates could be {shown}: set [read] date_format in the mapping")


def _notices(run: _Run, used: dict[str, set[str]], tables: dict[str, SourceTable]) -> None:
    read = run.mapping.read
    for table in tables.values():
        if not table.workbook and (read.encoding is None or read.delimiter is None):
            run.notices.append(
                f"{table.label} read as {table.encoding}, separated by "
                f"{table.delimiter!r} (sniffed; [read] in the mapping fixes it)"
            )
    unused_files = [
        run.source.labels.get(n, f"sheet {n!r}") for n in run.source.names if n not in used
    ]
    if unused_files or run.source.others:
        run.notices.append(", ".join([*unused_files, *run.source.others]))
    for name, table in tables.items():
        unused = [h for h in table.header if h not in used[name]]
        if unused:
            run.notices.append(
                f"columns of {table.label} the mapping does not use: {', '.join(unused)}"
            )


def _meta(run: _Run, today: dt.date, path: Path) -> dict[str, str]:
    mapping = run.mapping
    fields = {"source": mapping.source or path.name}
    if mapping.extracted_on is not None:
        if mapping.extracted_on > today:
            run.problem(
                ("dataset", "extracted_on"), "dataset.extracted_on", f"lies after today ({today})"
            )
        fields["extracted_on"] = mapping.extracted_on.isoformat()
    return fields


def open_mapped(
    path: Path, mapping: Mapping, *, today: dt.date, limits: ImportLimits = DEFAULT_LIMITS
) -> Container:
    """The exchange-format tables `mapping` makes of the source at `path`.

    MappingError when the mapping does not fit the source (a file, sheet or column it names
    is not there, nothing feeds a required column); the source's own faults are violations.
    """
    source = open_source(path, {tm.source for tm in mapping.tables.values()}, limits)
    run = _Run(mapping, source)
    resolved = {t: n for t, tm in mapping.tables.items() if (n := _resolve(run, tm)) is not None}
    meta = _meta(run, today, path)
    tables = _read_sources(run, resolved)
    for table, name in resolved.items():
        if name in tables:
            _check_columns(run, mapping.tables[table], tables[name])
    if run.problems:
        raise MappingError(mapping.name, run.problems)
    _sniff_dates(run, resolved, tables)
    container = Container(
        path=path, kind=source.kind, meta_fields=meta, violations=run.violations, limits=limits
    )
    used: dict[str, set[str]] = {name: set() for name in resolved.values()}
    for table, name in resolved.items():
        if name in tables:
            container.tables[table] = _raw_table(run, mapping.tables[table], tables[name])
            used[name].update(feeds(mapping.tables[table], tables[name].header).values())
    _notices(run, used, tables)
    container.notices.extend(run.notices)
    container.digest = source.digest
    container.mapping_text = mapping.text
    container.digest.update(b"mapping\0" + mapping.text.encode("utf-8"))
    labels = [tables[n].label for n in dict.fromkeys(resolved.values()) if n in tables]
    container.source_order = [*labels, *(v.file for v in run.violations)]
    return container

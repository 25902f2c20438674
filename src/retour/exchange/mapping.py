"""A mapping file (TOML, `format = "retour-mapping/1"`): how a source system's own files feed
the exchange format. Parsed with every problem collected, each naming its line.

tomllib reports syntax errors with a line but knows no lines once the text has parsed, so
`KeyLines` finds where each key is written by scanning the text itself: a key's line is
the line of its `key =` or of its `[table]` header. docs/mapping.md describes the format.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from retour.domain.codes import Table
from retour.domain.countries import country_codes
from retour.domain.errors import InputError
from retour.domain.tables import SPECS, V_NUMBER, ColumnType, TableSpec
from retour.exchange.violations import InvalidDatasetError, Reason, Violation

FORMAT = "retour-mapping/1"
KeyPath = tuple[str, ...]

_KEY_PART = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*""")
_HEADER = re.compile(r"^\s*\[\[?(.*?)\]\]?\s*(?:#.*)?$")


class CountryStyle(StrEnum):
    """How a source writes countries: ISO alpha-2 codes, or also names and alpha-3 codes."""

    CODES = "codes"
    NAMES = "names"


def _key_parts(text: str) -> tuple[KeyPath, str] | None:
    """A dotted TOML key at the start of `text`: its parts and the rest of the text."""
    parts: list[str] = []
    rest = text
    while True:
        match = _KEY_PART.match(rest)
        if match is None:
            return None
        basic, literal, bare = match.groups()
        if basic is not None:
            try:
                parts.append(json.loads(f'"{basic}"'))
            except json.JSONDecodeError:
                parts.append(basic)
        else:
            parts.append(literal if literal is not None else bare)
        rest = rest[match.end() :]
        if not rest.startswith("."):
            return tuple(parts), rest
        rest = rest[1:]


@dataclass(frozen=True, slots=True)
class KeyLines:
    """The line on which each key of a TOML text is written."""

    lines: dict[KeyPath, int]

    @classmethod
    def of(cls, text: str) -> KeyLines:
        lines: dict[KeyPath, int] = {}
        table: KeyPath = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header is not None:
                parsed = _key_parts(header.group(1))
                if parsed is not None and not parsed[1].strip():
                    table = parsed[0]
                    lines.setdefault(table, number)
                    continue
            parsed = _key_parts(line)
            if parsed is not None and parsed[1].startswith("="):
                lines.setdefault(table + parsed[0], number)
        return cls(lines)

    def line(self, path: KeyPath) -> int:
        """The line of `path`, or of its nearest written parent (line 1 when none is)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1


class MappingError(InvalidDatasetError):
    """A mapping file that cannot be used; nothing was read or written.

    Its problems are violations (reason `bad_mapping`) at the mapping's own file:line, so
    every face lists and reports them as it lists a dataset's.
    """

    def __init__(self, name: str, problems: Sequence[Violation]) -> None:
        self.violations = sorted(problems, key=lambda v: v.line or 0)
        n = len(self.violations)
        InputError.__init__(
            self,
            f"The mapping {name} has {n} problem{'s' if n != 1 else ''}; nothing was imported.",
            hint="Correct the lines listed and import again (docs/mapping.md describes the keys).",
        )


def problem(name: str, line: int, key: str | None, message: str) -> Violation:
    """One problem of a mapping file, at its line and key."""
    return Violation(name, line, key, Reason.BAD_MAPPING, message)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """[read]: None and () mean "sniff it from the source"."""

    encoding: str | None = None
    delimiter: str | None = None
    date_formats: tuple[str, ...] = ()
    countries: CountryStyle = CountryStyle.CODES


@dataclass(frozen=True, slots=True)
class TableMapping:
    """[tables.X]: which source feeds table X, and how."""

    table: Table
    source: str  # `from`: a file name without extension, or a sheet
    columns: dict[str, str] = field(default_factory=dict)  # exchange column -> source header
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> label -> code
    constant: dict[str, str] = field(default_factory=dict)
    distinct: bool = False
    skip_if_empty: tuple[str, ...] = ()

    @property
    def spec(self) -> TableSpec:
        return SPECS[self.table]


@dataclass(frozen=True, slots=True)
class Mapping:
    name: str  # the file name messages give
    text: str = field(repr=False)
    read: ReadOptions
    tables: dict[Table, TableMapping]
    source: str | None = None
    extracted_on: dt.date | None = None
    keys: KeyLines = field(default_factory=lambda: KeyLines({}), repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def line(self, *path: str) -> int:
        """The line of a key."""
        return self.keys.line(tuple(path))


class _Problems:
    def __init__(self, name: str, keys: KeyLines) -> None:
        self.name, self.keys, self.found = name, keys, list[Violation]()

    def add(self, path: KeyPath, message: str, *, label: KeyPath | None = None) -> None:
        shown = ".".join(label if label is not None else path)
        self.found.append(problem(self.name, self.keys.line(path), shown, message))


def _hint(word: str, choices: Iterable[str]) -> str:
    options = sorted(choices)
    guess = difflib.get_close_matches(word, options, n=1)
    if guess:
        return f"; did you mean {guess[0]!r}?"
    return f"; use one of: {', '.join(options)}"


def _unknown_keys(
    section: dict[str, object], allowed: Iterable[str], path: KeyPath, p: _Problems
) -> None:
    allowed = tuple(allowed)
    for key in section:
        if key not in allowed:
            p.add((*path, key), f"unknown key {key!r}{_hint(key, allowed)}", label=path or (key,))


def _text(value: object, path: KeyPath, p: _Problems) -> str | None:
    if isinstance(value, str):
        return value
    p.add(path, f"must be text in quotes, not {json.dumps(value, default=str)}")
    return None


# --- [read] and [dataset] ------------------------------------------------------------------


def _date_format_ok(pattern: str) -> bool:
    """A pattern that writes and reads back a day, a month and a year."""
    try:
        return all(
            dt.datetime.strptime(day.strftime(pattern), pattern).date() == day
            for day in (dt.date(2024, 12, 31), dt.date(2001, 2, 3))
        )
    except ValueError:
        return False


def _date_formats(value: object, path: KeyPath, p: _Problems) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    formats: list[str] = []
    for item in items:
        text = _text(item, path, p)
        if text is None:
            continue
        if not _date_format_ok(text):
            p.add(path, f"{text!r} is not a date pattern with day, month and year (e.g. %d-%m-%Y)")
            continue
        formats.append(text)
    if isinstance(value, list) and not value:
        p.add(path, "give at least one pattern")
    return tuple(formats)


def _encoding(value: object, path: KeyPath, p: _Problems) -> str | None:
    text = _text(value, path, p)
    if text is None:
        return None
    try:
        return codecs.lookup(text).name
    except LookupError:
        p.add(path, f"unknown encoding {text!r}; use e.g. utf-8 or cp1252")
        return None


def _read(section: dict[str, object], p: _Problems) -> ReadOptions:
    path: KeyPath = ("read",)
    _unknown_keys(section, ("encoding", "delimiter", "date_format", "countries"), path, p)
    encoding = (
        _encoding(section["encoding"], (*path, "encoding"), p) if "encoding" in section else None
    )
    delimiter = None
    if "delimiter" in section:
        delimiter = _text(section["delimiter"], (*path, "delimiter"), p)
        if delimiter is not None and (len(delimiter) != 1 or not delimiter.isascii()):
            p.add(
                (*path, "delimiter"), f"must be one character, such as ';' or ',' ({delimiter!r})"
            )
            delimiter = None
        elif delimiter in {'"', "\n", "\r"}:
            p.add((*path, "delimiter"), f"{delimiter!r} cannot separate fields")
            delimiter = None
    formats = (
        _date_formats(section["date_format"], (*path, "date_format"), p)
        if "date_format" in section
        else ()
    )
    countries = CountryStyle.CODES
    if "countries" in section:
        text = _text(section["countries"], (*path, "countries"), p)
        if text is not None and text not in set(CountryStyle):
            p.add((*path, "countries"), f'must be "codes" or "names", not {text!r}')
        elif text is not None:
            countries = CountryStyle(text)
    return ReadOptions(encoding, delimiter, formats, countries)


def _dataset(section: dict[str, object], p: _Problems) -> tuple[str | None, dt.date | None]:
    path: KeyPath = ("dataset",)
    _unknown_keys(section, ("source", "extracted_on"), path, p)
    source = _text(section["source"], (*path, "source"), p) if "source" in section else None
    value = section.get("extracted_on")
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return source, value
    try:
        return source, dt.date.fromisoformat(str(value))
    except ValueError:
        p.add((*path, "extracted_on"), f"not a date; write YYYY-MM-DD ({value})")
        return source, None


# --- [tables.X] ----------------------------------------------------------------------------

_TABLE_KEYS = ("from", "columns", "values", "constant", "distinct", "skip_if_empty")


def _columns_of(spec: TableSpec) -> tuple[str, ...]:
    return spec.column_names + ((V_NUMBER,) if "case_id" in spec.column_names else ())


def _target_problem(spec: TableSpec, column: str, value: str) -> str | None:
    """Why `value` cannot stand in exchange-format column `column`, or None."""
    if value == "" or column == V_NUMBER:
        return None
    col = spec.column(column)
    if col.type is ColumnType.CODE and value not in col.values:
        return f"{value!r} is not a code of {column}; use one of: {', '.join(col.values)}"
    if col.type is ColumnType.COUNTRY and value not in country_codes():
        return f"{value!r} is not a country code (ISO 3166-1 alpha-2, STLS or UNK)"
    if col.type is ColumnType.INT and not re.fullmatch(r"-?\d+", value):
        return f"{value!r} is not a whole number"
    if col.type is ColumnType.DATE and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"{value!r} is not a date written YYYY-MM-DD"
    return None


def _as_cell(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return None


def _column_dict(value: object, path: KeyPath, spec: TableSpec, p: _Problems) -> dict[str, object]:
    """A sub-table whose keys are exchange-format columns of `spec`."""
    if not isinstance(value, dict):
        p.add(path, "must be a table of column = value")
        return {}
    known = _columns_of(spec)
    found: dict[str, object] = {}
    for key, item in value.items():
        if key not in known:
            p.add(
                (*path, key),
                f"{key!r} is not a column of {spec.name}{_hint(key, known)}",
                label=path,
            )
        else:
            found[key] = item
    return found


def _columns(value: object, path: KeyPath, spec: TableSpec, p: _Problems) -> dict[str, str]:
    columns: dict[str, str] = {}
    for key, item in _column_dict(value, path, spec, p).items():
        header = _text(item, (*path, key), p)
        if header is not None and not header.strip():
            p.add((*path, key), "names no source column (empty)")
        elif header is not None:
            columns[key] = header
    if "case_id" in columns and V_NUMBER in columns:
        p.add((*path, V_NUMBER), "map case_id or v_number, not both", label=path)
    return columns


def _values(
    value: object, path: KeyPath, spec: TableSpec, p: _Problems
) -> dict[str, dict[str, str]]:
    maps: dict[str, dict[str, str]] = {}
    for column, table in _column_dict(value, path, spec, p).items():
        where = (*path, column)
        if not isinstance(table, dict):
            p.add(where, 'must be a table of "source value" = "code"')
            continue
        entries: dict[str, str] = {}
        for label, target in table.items():
            text = _as_cell(target)
            problem = "must be text" if text is None else _target_problem(spec, column, text)
            if problem is not None or text is None:
                p.add((*where, label), problem or "must be text", label=where)
                continue
            if label.strip() in entries:
                p.add(
                    (*where, label),
                    f"{label.strip()!r} is mapped twice (spaces are trimmed)",
                    label=where,
                )
            entries[label.strip()] = text
        maps[column] = entries
    return maps


def _constants(value: object, path: KeyPath, spec: TableSpec, p: _Problems) -> dict[str, str]:
    constants: dict[str, str] = {}
    for column, item in _column_dict(value, path, spec, p).items():
        text = _as_cell(item)
        problem = "must be text" if text is None else _target_problem(spec, column, text)
        if problem is not None or text is None:
            p.add((*path, column), problem or "must be text")
        else:
            constants[column] = text
    return constants


def _skip(value: object, path: KeyPath, spec: TableSpec, p: _Problems) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names = [_text(item, path, p) for item in items]
    known = _columns_of(spec)
    for name in names:
        if name is not None and name not in known:
            p.add(path, f"{name!r} is not a column of {spec.name}{_hint(name, known)}")
    return tuple(n for n in names if n is not None and n in known)


def _table(table: Table, section: dict[str, object], p: _Problems) -> TableMapping:
    path: KeyPath = ("tables", table.value)
    spec = SPECS[table]
    _unknown_keys(section, _TABLE_KEYS, path, p)
    source = table.value
    if "from" in section:
        source = _text(section["from"], (*path, "from"), p) or table.value
    columns = _columns(section.get("columns", {}), (*path, "columns"), spec, p)
    values = _values(section.get("values", {}), (*path, "values"), spec, p)
    constant = _constants(section.get("constant", {}), (*path, "constant"), spec, p)
    for column in set(columns) & set(constant):
        p.add((*path, "constant", column), "is also mapped in columns; give one of the two")
    distinct = section.get("distinct", False)
    if not isinstance(distinct, bool):
        p.add((*path, "distinct"), "must be true or false")
        distinct = False
    skip = (
        _skip(section["skip_if_empty"], (*path, "skip_if_empty"), spec, p)
        if "skip_if_empty" in section
        else ()
    )
    return TableMapping(table, source, columns, values, constant, distinct, skip)


def _tables(value: object, p: _Problems) -> dict[Table, TableMapping]:
    if not isinstance(value, dict) or not value:
        p.add(("tables",), "give at least one [tables.NAME] section (cases is needed)")
        return {}
    names = [t.value for t in Table]
    tables: dict[Table, TableMapping] = {}
    for key, section in value.items():
        if key not in names:
            p.add(
                ("tables", key),
                f"{key!r} is not a table of the exchange format{_hint(key, names)}",
                label=("tables",),
            )
        elif not isinstance(section, dict):
            p.add(("tables", key), "must be a section [tables.NAME]")
        else:
            tables[Table(key)] = _table(Table(key), section, p)
    if tables and Table.CASES not in tables:
        p.add(
            ("tables",),
            "no [tables.cases]: every dataset needs cases (a flat register "
            "can feed them: from = the same sheet, distinct = true)",
        )
    return tables


# --- the whole file ------------------------------------------------------------------------


def _syntax_error(name: str, exc: tomllib.TOMLDecodeError) -> MappingError:
    text = str(exc)
    match = re.search(r"\(at line (\d+), column \d+\)$", text)
    line = match.group(1) if match else "1"
    what = text[: match.start()].strip() if match else text
    return MappingError(name, [problem(name, int(line), "syntax", f"{what} (not valid TOML)")])


def _section(document: dict[str, object], key: str, p: _Problems) -> dict[str, object]:
    value = document.get(key, {})
    if isinstance(value, dict):
        return value
    p.add((key,), f"must be a section [{key}]")
    return {}


def parse_mapping(text: str, name: str = "mapping.toml") -> Mapping:
    """The mapping in `text`; MappingError lists every problem, each with its line."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(name, exc) from None
    keys = KeyLines.of(text)
    p = _Problems(name, keys)
    _unknown_keys(document, ("format", "dataset", "read", "tables"), (), p)
    fmt = document.get("format")
    if fmt != FORMAT:
        shown = "missing" if fmt is None else f"{fmt!r} is not known"
        p.add(("format",), f'{shown}; the first line must say format = "{FORMAT}"')
    read = _read(_section(document, "read", p), p)
    source, extracted = _dataset(_section(document, "dataset", p), p)
    tables = _tables(document.get("tables"), p)
    if p.found:
        raise MappingError(name, p.found)
    return Mapping(name, text, read, tables, source, extracted, keys)


def load_mapping(path: Path) -> Mapping:
    """Read and parse a mapping file; InputError when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{path}: the mapping cannot be read ({exc.strerror or exc}).",
            hint="Give the path of a mapping file (retour mapping draft writes one).",
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        found = problem(path.name, 1, None, "not UTF-8; save it as UTF-8")
        raise MappingError(path.name, [found]) from None
    return parse_mapping(text, path.name)

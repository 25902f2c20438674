"""`retour mapping draft`: a first mapping for a source, for its user to check.

Headers and labels are matched in Dutch and English, case- and accent-insensitively, with
the words of `synonyms`. The draft never guesses silently: a column it could not find is a
commented-out line with the source's likeliest candidates, a label it could not place is a
commented-out line with the codes it may take, a label it placed only by likeness and a
date format it could not pin down are marked CHECK, and all of them are counted.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from retour.domain.codes import Table
from retour.domain.countries import country_codes
from retour.domain.tables import SPECS, V_NUMBER, ColumnType
from retour.exchange import sniff, synonyms
from retour.exchange.country_names import code_of, normalise
from retour.exchange.mapping import FORMAT
from retour.exchange.source import SourceTable, open_source, read_table
from retour.exchange.violations import Violation

MAX_LABELS = 60  # a column with more distinct values is no code column


@dataclass(slots=True)
class Draft:
    text: str
    feeds: dict[Table, str] = field(default_factory=dict)  # table -> source table
    matched: int = 0  # columns found
    missing: list[str] = field(default_factory=list)  # required columns not found
    absent: list[str] = field(default_factory=list)  # optional columns not found
    unsure: list[str] = field(default_factory=list)  # labels and formats marked CHECK
    unknown: list[str] = field(default_factory=list)  # labels it could not place

    @property
    def to_fill(self) -> int:
        return len(self.missing) + len(self.unknown)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _words(table: Table, column: str) -> list[str]:
    words = synonyms.COLUMNS.get((table, column), {})
    found = [normalise(w) for language in ("nl", "en") for w in words.get(language, ())]
    return [*found, normalise(column)]


def _table_columns(table: Table) -> list[str]:
    names = list(SPECS[table].column_names)
    return [*names, V_NUMBER] if "case_id" in names else names


def match_columns(table: Table, header: list[str]) -> dict[str, str]:
    """Exchange column -> source header, each header used once, best-ranked word first."""
    by_word = {normalise(h): h for h in reversed(header) if h}
    # An alien number feeds case_id only where the source has no case number of its own.
    options = sorted(
        (column == V_NUMBER, rank, column, by_word[word])
        for column in _table_columns(table)
        for rank, word in enumerate(_words(table, column))
        if word in by_word
    )
    found: dict[str, str] = {}
    for _, _, column, source in options:
        keyed = column in {"case_id", V_NUMBER} and {"case_id", V_NUMBER} & set(found)
        if column not in found and source not in found.values() and not keyed:
            found[column] = source
    return found


def _score(table: Table, source: SourceTable, matched: dict[str, str]) -> float:
    spec = SPECS[table]
    key = [k for k in spec.key if k != "case_id"] or ["case_id"]
    if not all(k in matched or (k == "case_id" and V_NUMBER in matched) for k in key):
        return 0.0
    required = [c.name for c in spec.columns if c.required]
    share = sum(c in matched or (c == "case_id" and V_NUMBER in matched) for c in required)
    if share < len(required) / 2:
        return 0.0
    named_for = _named_for(source)
    if (
        named_for
        and table not in named_for
        and not (table is Table.CASES and Table.REQUESTS in named_for)
    ):
        return 0.0  # a file named for another table feeds that one (requests: cases too)
    return len(matched) + share + (3 if table in named_for else 0)


def _named_for(source: SourceTable) -> set[Table]:
    """The tables the source's file or sheet is named for (in either language, or as the
    exchange format names it)."""
    name = normalise(source.name)
    return {
        table
        for table, words in synonyms.TABLES.items()
        if name == normalise(table.value)
        or name in {normalise(w) for ws in words.values() for w in ws}
    }


def _assign(sources: list[SourceTable]) -> dict[Table, tuple[SourceTable, dict[str, str]]]:
    chosen: dict[Table, tuple[SourceTable, dict[str, str]]] = {}
    for table in synonyms.TABLES:  # the tables a source system's words are known for
        best: tuple[float, SourceTable, dict[str, str]] | None = None
        for source in sources:
            matched = match_columns(table, source.header)
            score = _score(table, source, matched)
            if score > 0 and (best is None or score > best[0]):
                best = (score, source, matched)
        if best is not None:
            chosen[table] = (best[1], best[2])
    return chosen


# --- values -------------------------------------------------------------------------------


def _distinct(frame: pl.DataFrame, header: str) -> list[str]:
    text = frame.get_column(header).drop_nulls().str.strip_chars()
    return sorted(v for v in text.unique().to_list() if v)


def _code_words(table: Table, column: str) -> dict[str, str]:
    """normalised word -> code, for every word of every code of a column."""
    words: dict[str, str] = {}
    for code in SPECS[table].column(column).values:
        words.setdefault(normalise(code), code)
    for code, by_language in (synonyms.value_words(table, column) or {}).items():
        for language in ("nl", "en"):
            for word in by_language.get(language, ()):
                words.setdefault(normalise(word), code)
    return words


def _value_lines(table: Table, column: str, values: list[str], draft: Draft) -> list[str]:
    words = _code_words(table, column)
    codes = ", ".join(SPECS[table].column(column).values)
    lines: list[str] = []
    for value in values:
        word = normalise(value)
        if word in words:
            lines.append(f"{_q(value)} = {_q(words[word])}")
            continue
        close = difflib.get_close_matches(word, list(words), n=1, cutoff=0.75)
        if close:
            lines.append(f"{_q(value)} = {_q(words[close[0]])}  # CHECK: unsure, like {close[0]!r}")
            draft.unsure.append(f"{table.value}.{column}: {value}")
        else:
            lines.append(f'# {_q(value)} = ""  # TODO: not recognised; one of: {codes}')
            draft.unknown.append(f"{table.value}.{column}: {value}")
    return lines


def _country_lines(
    table: Table, column: str, values: list[str], draft: Draft
) -> tuple[bool, list[str]]:
    """Whether the column holds names (not only alpha-2 codes), and lines for what is unknown."""
    codes = country_codes()
    by_name = any(v not in codes for v in values)
    lines = []
    for value in values:
        if value not in codes and code_of(value) is None:
            lines.append(f'# {_q(value)} = ""  # TODO: no country of this name; its ISO code?')
            draft.unknown.append(f"{table.value}.{column}: {value}")
    return by_name, lines


# --- the text -----------------------------------------------------------------------------


def _candidates(table: Table, column: str, source: SourceTable, used: set[str]) -> str:
    free = [h for h in source.header if h and h not in used]
    if column != V_NUMBER and SPECS[table].column(column).type is ColumnType.DATE:
        dated = [h for h in free if sniff.looks_like_dates(source.frame.get_column(h))]
        free = dated + [h for h in free if h not in dated]
    words = _words(table, column)
    ranked = sorted(
        free,
        key=lambda h: -max(difflib.SequenceMatcher(None, normalise(h), w).ratio() for w in words),
    )
    return ", ".join(_q(h) for h in ranked[:3]) or "none left"


def _table_text(
    table: Table,
    source: SourceTable,
    matched: dict[str, str],
    flat: bool,
    draft: Draft,
    names: list[bool],
    taken: set[str],
) -> list[str]:
    """The section of one table; `taken` are the source's headers any table uses."""
    lines = [f"[tables.{table.value}]", f"from = {_q(source.name)}"]
    if flat and table is Table.CASES:
        lines.append("distinct = true  # a flat register: one row per case, rows must agree")
    if flat and table is Table.REQUESTS:
        lines.append('skip_if_empty = "request_id"  # rows of a case without a request')
    lines.append(f"[tables.{table.value}.columns]")
    for column in SPECS[table].columns:
        if column.name in matched or (column.name == "case_id" and V_NUMBER in matched):
            name = column.name if column.name in matched else V_NUMBER
            lines.append(f"{name} = {_q(matched[name])}")
            draft.matched += 1
            continue
        what = "TODO (required)" if column.required else "optional"
        candidates = _candidates(table, column.name, source, taken)
        lines.append(f'# {column.name} = ""  # {what}: not found; candidates: {candidates}')
        (draft.missing if column.required else draft.absent).append(f"{table.value}.{column.name}")
    for column in SPECS[table].columns:
        if column.name not in matched:
            continue
        values = _distinct(source.frame, matched[column.name])
        if column.type is ColumnType.CODE and len(values) <= MAX_LABELS:
            body = _value_lines(table, column.name, values, draft)
        elif column.type is ColumnType.COUNTRY:
            by_name, body = _country_lines(table, column.name, values, draft)
            names.append(by_name)
        else:
            continue
        if body:
            lines += [f"[tables.{table.value}.values.{column.name}]", *body]
    return [*lines, ""]


def _read_text(
    sources: list[SourceTable], dated: list[pl.Series], names: bool, draft: Draft
) -> list[str]:
    lines = ["[read]"]
    text = [s for s in sources if not s.workbook]
    if text:
        encodings = {s.encoding for s in text}
        encoding = sniff.CP1252 if sniff.CP1252 in encodings else sniff.UTF8
        lines.append(f"encoding = {_q(encoding)}  # detected")
        lines.append(f"delimiter = {_q(text[0].delimiter or ',')}  # detected")
    texts = [s.filter(~s.str.contains(r"^\d{4}-\d{2}-\d{2}")) for s in dated]
    guess = sniff.date_formats([s for s in texts if s.len()])
    if guess.best is not None:
        note = "detected"
        if not guess.certain:
            others = " or ".join(sniff.human_format(f) for f in guess.formats[1:])
            note = f"CHECK: the dates could also be {others}"
            draft.unsure.append("read.date_format")
        lines.append(f"date_format = {_q(guess.best)}  # {note}")
    lines.append(f'countries = "{"names" if names else "codes"}"')
    return [*lines, ""]


def _sources(path: Path) -> tuple[list[SourceTable], list[str]]:
    source = open_source(path)
    tables: list[SourceTable] = []
    unreadable: list[str] = []
    for name in source.names:
        problems: list[Violation] = []
        table = read_table(source, name, problems)
        if table is None:
            unreadable.append(
                f"# {source.labels.get(name, name)}: cannot be read: {problems[0].message}"
            )
        else:
            tables.append(table)
    return tables, unreadable


def draft_mapping(path: Path, *, today: dt.date | None = None) -> Draft:
    """A mapping for the source at `path`, with what it could not match marked."""
    sources, unreadable = _sources(path)
    chosen = _assign(sources)
    draft = Draft(text="")
    counts: dict[str, int] = {}
    for source, _ in chosen.values():
        counts[source.name] = counts.get(source.name, 0) + 1
    body: list[str] = []
    names: list[bool] = []
    dated: list[pl.Series] = []
    for table, (source, matched) in chosen.items():
        draft.feeds[table] = source.label
        flat = counts[source.name] > 1 and table in (Table.CASES, Table.REQUESTS)
        taken = {h for s, m in chosen.values() if s is source for h in m.values()}
        body += _table_text(table, source, matched, flat, draft, names, taken)
        for column in SPECS[table].columns:
            if column.type is ColumnType.DATE and column.name in matched:
                dated.append(
                    source.frame.get_column(matched[column.name]).drop_nulls().str.strip_chars()
                )
    used = {s.name for s, _ in chosen.values()}
    for source in sources:
        taken = {h for t, (s, m) in chosen.items() if s is source for h in m.values()}
        rest = [h for h in source.header if h and h not in taken]
        if source.name not in used:
            body.append(f"# {source.label}: not recognised as a table (columns: {', '.join(rest)})")
        elif rest:
            body.append(
                f"# not used from {source.label} (left out, named in a notice): {', '.join(rest)}"
            )
    drafted = (today or dt.date.today()).isoformat()
    head = [
        f"# Drafted by `retour mapping draft` from {path.name} on {drafted}.",
        "# Check every line marked CHECK and fill in every line marked TODO, then run",
        f"#   retour import --mapping THIS-FILE {path.name}",
        f"format = {_q(FORMAT)}",
        "",
        "[dataset]",
        f"source = {_q(path.stem)}",
        "# extracted_on = YYYY-MM-DD  # the day the source was extracted (default: the import's)",
        "",
    ]
    if Table.CASES not in chosen:
        draft.missing.append("cases")
        body.insert(0, "# [tables.cases]  # TODO: no file or sheet was recognised as the cases")
    read = _read_text(sources, dated, any(names), draft)
    draft.text = "\n".join([*head, *read, *body, *unreadable]).rstrip() + "\n"
    return draft

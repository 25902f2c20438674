"""Validate a container against every rule of CONTRACT.md, all at once.

The result is either a typed Dataset or an InvalidDatasetError listing every violation.
Rules that need the database (a case_id stored earlier, a stored detention that a new one
overlaps) ask an ExistingData lookup, so this module never touches the store itself.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
from dataclasses import dataclass, replace
from typing import Protocol

import polars as pl

from retour.domain.codes import (
    FORMAT_VERSION,
    FORMAT_VERSION_1,
    FORMAT_VERSIONS,
    VERSION_2_TABLES,
    Table,
    format_version,
)
from retour.domain.dataset import Dataset, DatasetMeta, polars_schema
from retour.domain.errors import ConfigError
from retour.domain.tables import EXTRA_PREFIX, SPECS, V_NUMBER, TableSpec
from retour.exchange import rules
from retour.exchange.container import DATASET_JSON, LINE, Container, RawTable, long_texts
from retour.exchange.pseudonym import Pseudonymiser
from retour.exchange.source_terms import in_source_terms, messages_in_source_terms
from retour.exchange.violations import (
    VIOLATION_SCHEMA,
    InvalidDatasetError,
    Reason,
    Violation,
)

CASE_ID = "case_id"


class ExistingData(Protocol):
    """What validation may ask of the database the dataset is imported into."""

    def cases(self, case_ids: pl.Series) -> pl.DataFrame:
        """case_id, opened_on of those ids that are stored."""
        ...

    def detentions(self, case_ids: pl.Series) -> pl.DataFrame:
        """detention_id, case_id, started_on, ended_on of the stored detentions of these cases."""
        ...

    def stored(self, table: Table) -> pl.DataFrame:
        """Every stored row of a small table (instruments, terms), typed, contract columns."""
        ...


class NoExistingData:
    """An empty database."""

    def cases(self, case_ids: pl.Series) -> pl.DataFrame:
        return pl.DataFrame(schema={"case_id": pl.String, "opened_on": pl.Date})

    def detentions(self, case_ids: pl.Series) -> pl.DataFrame:
        schema = polars_schema(SPECS[Table.DETENTIONS])
        return pl.DataFrame(
            schema={k: schema[k] for k in ("detention_id", "case_id", "started_on", "ended_on")}
        )

    def stored(self, table: Table) -> pl.DataFrame:
        return pl.DataFrame(schema=polars_schema(SPECS[table]))


@dataclass(slots=True)
class _Checked:
    """One table after its own rules: typed rows and the context its messages use."""

    spec: TableSpec
    frame: pl.DataFrame  # typed, with LINE
    ctx: rules.Context


# --- metadata ------------------------------------------------------------------------------


def _meta_violation(message: str, line: int | None = None, value: str | None = None) -> Violation:
    return Violation(DATASET_JSON, line, None, Reason.BAD_METADATA, message, value)


def parse_meta(container: Container, today: dt.date) -> tuple[DatasetMeta, list[Violation]]:
    """dataset.json (or a workbook's `dataset` sheet) as DatasetMeta."""
    if container.meta_fields is not None:
        fields: dict[str, object] = dict(container.meta_fields)
    elif container.meta_text is not None:
        try:
            loaded = json.loads(container.meta_text)
        except json.JSONDecodeError as exc:
            return DatasetMeta(), [_meta_violation(f"not valid JSON: {exc.msg}", exc.lineno)]
        if not isinstance(loaded, dict):
            return DatasetMeta(), [_meta_violation("must be a JSON object")]
        fields = loaded
    else:
        return DatasetMeta(), []
    problems: list[Violation] = []
    fmt = fields.get("format", FORMAT_VERSION)
    if fmt not in FORMAT_VERSIONS:
        known = " or ".join(repr(v) for v in FORMAT_VERSIONS)
        problems.append(
            _meta_violation(f"format must be {known}; this retour reads only those", value=str(fmt))
        )
        fmt = FORMAT_VERSION
    if fmt == FORMAT_VERSION_1:
        problems += [
            _meta_violation(
                f"{container.tables[t].name} belongs to format 'retour/2'; "
                'write "format": "retour/2"',
                value=str(fmt),
            )
            for t in VERSION_2_TABLES
            if t in container.tables and "format" in fields
        ]
    source = fields.get("source")
    if source is not None and not isinstance(source, str):
        problems.append(_meta_violation("source must be text", value=str(source)))
        source = None
    extracted = _meta_date(fields.get("extracted_on"), today, problems)
    return DatasetMeta(source=source, extracted_on=extracted, format=str(fmt)), problems


def _meta_date(value: object, today: dt.date, problems: list[Violation]) -> dt.date | None:
    if value is None:
        return None
    try:
        date = dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(
            _meta_violation("extracted_on is not a date; write YYYY-MM-DD", value=str(value))
        )
        return None
    if len(str(value)) != 10:
        problems.append(
            _meta_violation("extracted_on must be written YYYY-MM-DD", value=str(value))
        )
    if date > today:
        problems.append(
            _meta_violation(f"extracted_on lies after today ({today})", value=str(value))
        )
    return date


# --- headers and pseudonyms ----------------------------------------------------------------


def _header_violations(raw: RawTable, spec: TableSpec) -> list[Violation]:
    found: list[Violation] = []
    known = set(spec.column_names)
    takes_v_number = CASE_ID in known
    for name in raw.header:
        if name in known or name.startswith(EXTRA_PREFIX) or (takes_v_number and name == V_NUMBER):
            continue
        guess = difflib.get_close_matches(name, spec.column_names, n=1)
        hint = f"did you mean {guess[0]!r}? " if guess else ""
        found.append(
            Violation(
                raw.name, 1, name, Reason.UNKNOWN_COLUMN,
                f"unknown column; {hint}extra columns must start with {EXTRA_PREFIX!r}",
            )
        )  # fmt: skip
    present = set(raw.header)
    if takes_v_number and CASE_ID in present and V_NUMBER in present:
        found.append(
            Violation(
                raw.name, 1, V_NUMBER, Reason.ID_COLUMNS, "give case_id or v_number, not both"
            )
        )
    for column in spec.columns:
        absent = column.name not in present
        if column.required and absent and not (column.name == CASE_ID and V_NUMBER in present):
            found.append(
                Violation(
                    raw.name, 1, column.name, Reason.MISSING_COLUMN, "required column is missing"
                )
            )
    return found


def _pseudonymise(raw: RawTable, pseudonyms: Pseudonymiser | None) -> pl.DataFrame:
    if V_NUMBER not in raw.header:
        return raw.frame
    if pseudonyms is None:
        raise ConfigError(
            f"{raw.name} identifies people by alien number (v_number), and no secret is set "
            "to pseudonymise them; nothing was written.",
            hint="Set RETOUR_SECRET (at least 16 characters) or `secret` in the settings file, "
            "and keep it the same for every import.",
        )
    frame = raw.frame
    return frame.with_columns(pseudonyms(frame.get_column(V_NUMBER)).alias(CASE_ID)).drop(V_NUMBER)


def _check_table(
    raw: RawTable, reference: dt.date, pseudonyms: Pseudonymiser | None
) -> tuple[_Checked | None, pl.DataFrame]:
    spec = SPECS[raw.table]
    header = _header_violations(raw, spec)
    hidden = V_NUMBER in raw.header
    ctx = rules.Context(
        file=raw.name,
        reference=reference,
        hidden=frozenset({CASE_ID}) if hidden else frozenset(),
        labels={
            **({CASE_ID: V_NUMBER} if hidden else {}),
            **(raw.source.columns if raw.source else {}),
        },
    )
    header_frame = _as_frame(header)
    if any(v.reason in {Reason.MISSING_COLUMN, Reason.ID_COLUMNS} for v in header):
        return None, header_frame
    if raw.frame.is_empty():  # no row to judge (a recording's cases.csv): no rule to run
        return _Checked(spec, _empty_typed(raw.table), ctx), header_frame
    frame = rules.with_typed(_pseudonymise(raw, pseudonyms), spec)
    cells = [
        c for col in spec.columns if col.name in frame.columns for c in rules.cell_checks(col, ctx)
    ]
    found = [header_frame, in_source_terms(rules.run(frame, cells, ctx), raw.source)]
    typed = rules.typed(frame, spec)
    row_rules = rules.ROW_RULES.get(raw.table)
    checks = [rules.duplicate_keys(spec, ctx), *(row_rules() if row_rules else [])]
    found.append(rules.run(typed, checks, ctx))
    return _Checked(spec, typed, ctx), pl.concat(found)


@functools.cache
def _empty_typed(table: Table) -> pl.DataFrame:
    """The typed frame of a table without rows, as rules.typed makes it (built once)."""
    return pl.DataFrame(schema={**polars_schema(SPECS[table]), LINE: pl.Int64})


@functools.cache
def _empty(table: Table) -> pl.DataFrame:
    """The table without rows, typed (built once; frames are never changed in place)."""
    return pl.DataFrame(schema=polars_schema(SPECS[table]))


def _as_frame(violations: list[Violation]) -> pl.DataFrame:
    if not violations:
        return rules.empty_violations()
    return pl.DataFrame(
        [(v.file, v.line, v.column, v.reason.value, v.message, v.value) for v in violations],
        schema=VIOLATION_SCHEMA,
        orient="row",
    )


# --- across tables -------------------------------------------------------------------------


def _case_dates(
    cases: _Checked, checked: dict[Table, _Checked], existing: ExistingData
) -> pl.DataFrame:
    """case_id, opened_on, known for every case the dataset refers to: its own, then stored ones.

    A case in cases.csv counts as known even where its own row has mistakes, so that one
    mistake is reported once.
    """
    own = cases.frame
    if not own.is_empty():
        own = own.select(CASE_ID, "opened_on").drop_nulls(CASE_ID).unique(CASE_ID, keep="first")
    referring = [c.frame.get_column(CASE_ID) for c in checked.values() if c.spec.case_ref]
    referred = pl.concat(referring) if len(referring) > 1 else next(iter(referring), None)
    missing = None if referred is None else referred.drop_nulls().unique()
    if missing is not None and not own.is_empty():
        missing = missing.to_frame(CASE_ID).join(own, on=CASE_ID, how="anti").get_column(CASE_ID)
    known = pl.lit(True).alias("known")
    if missing is None or not missing.len():
        return own.select(CASE_ID, pl.col("opened_on").cast(pl.Date), known)
    stored = existing.cases(missing).select(CASE_ID, pl.col("opened_on").cast(pl.Date), known)
    if own.is_empty():
        return stored
    return pl.concat([own.with_columns(known), stored])


def _cross_table(checked: dict[Table, _Checked], existing: ExistingData) -> list[pl.DataFrame]:
    cases = checked.get(Table.CASES)
    if cases is None:  # cases.csv is missing or unusable: references cannot be judged
        return []
    known = _case_dates(cases, checked, existing)
    found: list[pl.DataFrame] = []
    for table, item in checked.items():
        if not item.spec.case_ref:
            continue
        joined = item.frame.join(known, on=CASE_ID, how="left", suffix="_case")
        unknown = pl.col(CASE_ID).is_not_null() & pl.col("known").is_null()
        checks = [
            rules.Check(unknown, CASE_ID, Reason.UNKNOWN_CASE,
                        "no such case in cases.csv or the database"),
        ]  # fmt: skip
        if table is Table.DEPARTURES:
            checks.append(rules.before("departed_on", "opened_on", "the case was opened"))
        found.append(rules.run(joined, checks, item.ctx))
    if Table.DETENTIONS in checked:
        item = checked[Table.DETENTIONS]
        ids = item.frame.get_column(CASE_ID).drop_nulls().unique()
        stored = existing.detentions(ids) if ids.len() else NoExistingData().detentions(ids)
        stored = stored.join(item.frame.select("detention_id"), on="detention_id", how="anti")
        found.append(rules.overlapping_detentions(item.frame, stored, item.ctx))
    if Table.TERMS in checked:
        found.append(_terms_against_instruments(checked, existing))
    return found


def _terms_against_instruments(
    checked: dict[Table, _Checked], existing: ExistingData
) -> pl.DataFrame:
    """terms.csv against the instruments (the dataset's, then stored) and the stored terms."""
    terms = checked[Table.TERMS]
    stored_instruments = existing.stored(Table.INSTRUMENTS)
    if Table.INSTRUMENTS in checked:
        own = checked[Table.INSTRUMENTS].frame.drop(LINE).drop_nulls("instrument_id")
        own = own.unique("instrument_id", keep="first")
        stored_instruments = stored_instruments.join(own, on="instrument_id", how="anti")
        instruments = pl.concat([own, stored_instruments])
    else:
        instruments = stored_instruments
    stored_terms = existing.stored(Table.TERMS).join(
        terms.frame.select("term_id"), on="term_id", how="anti"
    )
    return rules.term_violations(terms.frame, instruments, stored_terms, terms.ctx)


# --- the whole dataset ---------------------------------------------------------------------


def validate(
    container: Container,
    *,
    today: dt.date,
    secret: bytes | None = None,
    existing: ExistingData | None = None,
) -> Dataset:
    """Check every rule: the typed dataset, or InvalidDatasetError with every violation."""
    meta, meta_problems = parse_meta(container, today)
    reference = (
        meta.extracted_on if meta.extracted_on is not None and meta.extracted_on <= today else today
    )
    found: list[pl.DataFrame] = [
        _as_frame(container.violations + meta_problems + long_texts(container))
    ]
    checked: dict[Table, _Checked] = {}
    pseudonyms = None if secret is None else Pseudonymiser(secret)  # one per import
    for table, raw in container.tables.items():
        item, problems = _check_table(raw, reference, pseudonyms)
        found.append(problems)
        if item is not None:
            checked[table] = item
    found += _cross_table(checked, existing or NoExistingData())
    found = [f for f in found if not f.is_empty()]
    every = pl.concat(found) if found else rules.empty_violations()
    violations = messages_in_source_terms(every, container)
    if violations.height:
        keep = container.limits.violations
        raise InvalidDatasetError.from_frame(violations, order=container.order, keep=keep)
    tables = {
        t: _empty(t) if c.frame.is_empty() else c.frame.drop(LINE) for t, c in checked.items()
    }
    tables |= {t: _empty(t) for t in Table if t not in tables}
    content = format_version({t for t, f in tables.items() if f.height})
    if FORMAT_VERSIONS.index(content) > FORMAT_VERSIONS.index(meta.format):
        meta = replace(meta, format=content)
    return Dataset(tables, meta)

"""Instruments from the web: list them, add one, end one; and the desks' assessments.

A change made in the web is written like a small import with source ``web``: it is checked
by the exchange format's own rules (country code, kind/level/status codes, dates, end_on
not before start_on), written through the store's all-or-nothing writer and recorded in
the import history, so the data fingerprint changes and every output says so.

Its extraction date is the newest one already stored (today in an empty database): an
instrument is part of the data as of that date, and a web edit never moves the date the
analyses treat as "now" (pending requests are followed until it). Dates after it break
the contract's rule "not after the extraction date", as in any import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from retour.domain.codes import (
    FORMAT_VERSION,
    FORMAT_VERSION_2,
    InstrumentKind,
    InstrumentLevel,
    InstrumentStatus,
    Table,
)
from retour.domain.dataset import Dataset, DatasetMeta
from retour.domain.errors import N_, Field, Text, UsageError
from retour.domain.tables import SPECS
from retour.exchange import InvalidDatasetError, validate
from retour.exchange.container import LINE, Container, RawTable
from retour.service import audit
from retour.service.audit import AuditAction, Via
from retour.service.context import Retour
from retour.store import read as store_read
from retour.store.write import import_transaction, write_dataset

#: The source recorded in the import history for changes made in the web.
WEB_SOURCE: Final = "web"
__all__ = [
    "Change",
    "DeskJudgement",
    "Instrument",
    "InstrumentForm",
    "InstrumentKind",
    "InstrumentLevel",
    "InstrumentStatus",
    "InvalidDatasetError",  # raised with every violation of the exchange format's rules
    "Term",
    "TermForm",
    "add_instrument",
    "add_term",
    "as_of",
    "end_instrument",
    "list_assessments",
    "list_instruments",
    "list_terms",
]

SPEC = SPECS[Table.INSTRUMENTS]
FILE_NAME = SPEC.file_name


@dataclass(frozen=True, slots=True)
class Instrument:
    instrument_id: str
    country: str
    kind: InstrumentKind
    level: InstrumentLevel
    status: InstrumentStatus
    start_on: dt.date
    end_on: dt.date | None
    title: str
    source: str | None


@dataclass(frozen=True, slots=True)
class InstrumentForm:
    """What a user typed: text, checked by the exchange format's rules on writing."""

    country: str
    kind: str
    level: str
    status: str
    start_on: str
    title: str
    end_on: str = ""
    source: str = ""


def _instrument(row: dict[str, object]) -> Instrument:
    start = row["start_on"]
    end = row["end_on"]
    assert isinstance(start, dt.date)
    return Instrument(
        instrument_id=str(row["instrument_id"]),
        country=str(row["country"]),
        kind=InstrumentKind(str(row["kind"])),
        level=InstrumentLevel(str(row["level"])),
        status=InstrumentStatus(str(row["status"])),
        start_on=start,
        end_on=end if isinstance(end, dt.date) else None,
        title=str(row["title"]),
        source=None if row["source"] is None else str(row["source"]),
    )


def _stored(context: Retour) -> pl.DataFrame:
    return store_read.read_dataset(context.database(), tables=[Table.INSTRUMENTS])[
        Table.INSTRUMENTS
    ]


def list_instruments(context: Retour, country: str | None = None) -> list[Instrument]:
    """Every stored instrument (of one country), by start date."""
    frame = _stored(context)
    if country is not None:
        frame = frame.filter(pl.col("country") == country.strip().upper())
    frame = frame.sort("start_on", "instrument_id")
    return [_instrument(row) for row in frame.iter_rows(named=True)]


@dataclass(frozen=True, slots=True)
class DeskJudgement:
    """A country desk's judgement of a country's cooperation (1-5) on a day, with a note."""

    country: str
    assessed_on: dt.date
    level: int
    note: str | None


def list_assessments(context: Retour, country: str) -> list[DeskJudgement]:
    """The stored assessments of one country, oldest first. Internal: never published."""
    table = Table.ASSESSMENTS
    frame = store_read.read_dataset(context.database(), tables=[table])[table]
    frame = frame.filter(pl.col("country") == country.strip().upper()).sort("assessed_on")
    return [
        DeskJudgement(str(r["country"]), r["assessed_on"], int(r["level"]), r["note"])
        for r in frame.iter_rows(named=True)
    ]


def as_of(context: Retour, today: dt.date | None = None) -> dt.date:
    """The extraction date a web change carries: the newest stored, else today."""
    meta = store_read.read_dataset(context.database(), tables=()).meta
    return meta.extracted_on or today or dt.date.today()


@dataclass(frozen=True, slots=True)
class Change:
    instrument: Instrument
    import_id: int | None


def add_instrument(
    context: Retour, form: InstrumentForm, *, actor: str, role: str | None = None
) -> Change:
    """Check the form by the contract's rules and write the new instrument; audited."""
    stored = _stored(context)
    taken = set(stored["instrument_id"].to_list())
    instrument_id = _new_id(taken)
    row = {
        "instrument_id": instrument_id,
        "country": form.country.strip(),
        "kind": form.kind.strip(),
        "level": form.level.strip(),
        "status": form.status.strip(),
        "start_on": form.start_on.strip(),
        "end_on": form.end_on.strip(),
        "title": _text(form.title, N_("title"), context.settings.import_max_text_chars),
        "source": _text(form.source, N_("source"), context.settings.import_max_text_chars),
    }
    change = _write(context, row)
    audit.record(
        context,
        AuditAction.INSTRUMENT_ADDED,
        actor=actor,
        role=role,
        via=Via.WEB,
        subject=instrument_id,
        detail={"country": change.instrument.country, "import": change.import_id},
    )
    return change


def end_instrument(
    context: Retour,
    instrument_id: str,
    end_on: str,
    *,
    actor: str,
    role: str | None = None,
) -> Change:
    """Set the end date of a stored instrument and its status to ``ended``; audited."""
    stored = _stored(context).filter(pl.col("instrument_id") == instrument_id)
    if stored.is_empty():
        raise UsageError(N_("There is no instrument {value!r}."), value=instrument_id)
    current = _instrument(stored.row(0, named=True))
    row = {
        "instrument_id": current.instrument_id,
        "country": current.country,
        "kind": current.kind.value,
        "level": current.level.value,
        "status": InstrumentStatus.ENDED.value,
        "start_on": current.start_on.isoformat(),
        "end_on": end_on.strip(),
        "title": current.title,
        "source": current.source or "",
    }
    if not row["end_on"]:
        raise UsageError(
            N_("The end date is missing."), hint=N_("Write it as YYYY-MM-DD."), field=Field.END_ON
        )
    change = _write(context, row)
    audit.record(
        context,
        AuditAction.INSTRUMENT_ENDED,
        actor=actor,
        role=role,
        via=Via.WEB,
        subject=instrument_id,
        detail={"country": current.country, "import": change.import_id},
    )
    return change


def _text(value: str, what: str, limit: int) -> str:
    """The text without surrounding spaces, refused over ``limit`` characters (the setting
    ``import_max_text_chars``, as on import): a 50 MB title would make a brief of 200 MB."""
    clean = value.strip()
    if len(clean) > limit:
        raise UsageError(
            N_("The {what} is too long: at most {n} characters."), what=Text(what), n=limit
        )
    return clean


def _new_id(taken: set[str], prefix: str = "web") -> str:
    while True:
        candidate = f"{prefix}-{secrets.token_hex(4)}"
        if candidate not in taken:
            return candidate


def _one_row(
    context: Retour, table: Table, row: dict[str, str], extracted: dt.date, fmt: str
) -> Container:
    """One row of `table` as the exchange format reads a file of it (on line 2); with an
    empty cases table beside a terms row, so that its relations to the stored instruments
    and terms are judged as an import's are."""
    spec = SPECS[table]
    header = list(spec.column_names)
    values = {c: [row[c] or None] for c in header}
    frame = pl.DataFrame(values, schema=dict.fromkeys(header, pl.String)).with_columns(
        pl.Series(LINE, [2], dtype=pl.Int64)
    )
    tables = {table: RawTable(table, spec.file_name, header, frame)}
    if table is Table.TERMS:
        cases = SPECS[Table.CASES]
        names = list(cases.column_names)
        empty = pl.DataFrame(schema={**dict.fromkeys(names, pl.String), LINE: pl.Int64})
        tables[Table.CASES] = RawTable(Table.CASES, cases.file_name, names, empty)
    meta = json.dumps({"source": WEB_SOURCE, "extracted_on": extracted.isoformat(), "format": fmt})
    return Container(
        path=Path(WEB_SOURCE),
        kind="folder",
        tables=tables,
        meta_text=meta,
        limits=context.settings.import_limits(),
    )


def _digest(row: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _write(context: Retour, row: dict[str, str]) -> Change:
    """Validate one instruments row as the exchange format would, then write it."""
    today = dt.date.today()
    extracted = as_of(context, today)
    container = _one_row(context, Table.INSTRUMENTS, row, extracted, FORMAT_VERSION)
    dataset = validate(container, today=max(today, extracted))
    checked = dataset[Table.INSTRUMENTS]
    written = Dataset(
        {Table.INSTRUMENTS: checked}, DatasetMeta(source=WEB_SOURCE, extracted_on=extracted)
    )
    result = write_dataset(
        context.database(), written, fingerprint=_digest(row), container=WEB_SOURCE
    )
    return Change(_instrument(checked.row(0, named=True)), result.import_id)


# -- terms: the time limits an agreement sets --------------------------------------------------

TERMS_SPEC = SPECS[Table.TERMS]


@dataclass(frozen=True, slots=True)
class Term:
    term_id: str
    instrument_id: str
    request_kind: str
    reply_days: int
    day_count: str
    deemed_accepted: str
    document_days: int | None


@dataclass(frozen=True, slots=True)
class TermForm:
    """The time limits a user typed for an agreement, as text: checked by terms.csv's rules."""

    instrument_id: str
    request_kind: str
    reply_days: str
    day_count: str
    deemed_accepted: str
    document_days: str = ""


@dataclass(frozen=True, slots=True)
class TermChange:
    term: Term
    import_id: int | None


def _term(row: dict[str, object]) -> Term:
    document = row["document_days"]
    return Term(
        term_id=str(row["term_id"]),
        instrument_id=str(row["instrument_id"]),
        request_kind=str(row["request_kind"]),
        reply_days=int(str(row["reply_days"])),
        day_count=str(row["day_count"]),
        deemed_accepted=str(row["deemed_accepted"]),
        document_days=None if document is None else int(str(document)),
    )


def list_terms(context: Retour) -> list[Term]:
    """Every stored term, by instrument and kind."""
    frame = store_read.read_dataset(context.database(), tables=[Table.TERMS])[Table.TERMS]
    frame = frame.sort("instrument_id", "request_kind", "term_id")
    return [_term(row) for row in frame.iter_rows(named=True)]


def add_term(context: Retour, form: TermForm, *, actor: str, role: str | None = None) -> TermChange:
    """Check the form by the rules of an imported terms.csv -- the same validation, against
    the stored instruments and terms (the instrument exists and is an agreement or working
    arrangement; no other term of its country and kind in force on the same days) -- and
    write it, with its audit entry, in one transaction; a refusal writes nothing."""
    today = dt.date.today()
    extracted = as_of(context, today)
    with import_transaction(context.database()) as transaction:
        taken = set(transaction.stored(Table.TERMS)["term_id"].to_list())
        row = {
            "term_id": _new_id(taken, "web-term"),
            "instrument_id": form.instrument_id.strip(),
            "request_kind": form.request_kind.strip(),
            "reply_days": form.reply_days.strip(),
            "day_count": form.day_count.strip(),
            "deemed_accepted": form.deemed_accepted.strip(),
            "document_days": form.document_days.strip(),
        }
        container = _one_row(context, Table.TERMS, row, extracted, FORMAT_VERSION_2)
        dataset = validate(container, today=max(today, extracted), existing=transaction)
        written = Dataset(
            {Table.TERMS: dataset[Table.TERMS]},
            DatasetMeta(source=WEB_SOURCE, extracted_on=extracted, format=FORMAT_VERSION_2),
        )
        result = transaction.write(written, fingerprint=_digest(row), container=WEB_SOURCE)
        term = _term(dataset[Table.TERMS].row(0, named=True))
        audit.record(
            context,
            AuditAction.TERM_ADDED,
            actor=actor,
            role=role,
            via=Via.WEB,
            subject=term.term_id,
            detail={"instrument": term.instrument_id, "kind": term.request_kind,
                    "import": result.import_id},
            within=transaction.connection,
        )  # fmt: skip
    return TermChange(term, result.import_id)

"""What the time-limit analyses read and count in the database.

Instruments, terms and statuses are small and read whole. The requests are not read: the
due dates are computed per term and day (a few thousand rows), staged in temporary tables
and joined to the requests by the covering index on (country, submitted_on, kind, ...;
revision 0014): the database reads that index alone, no table row, and only what is
overdue, or the counts of figures terms, comes back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl
import sqlalchemy as sa

from retour.domain.codes import Table
from retour.domain.dataset import polars_schema
from retour.domain.tables import SPECS
from retour.store import bulk, schema
from retour.store.engine import Database


@dataclass(frozen=True, slots=True)
class TermsTables:
    """The small tables the time-limit analyses start from, and the extraction date."""

    instruments: pl.DataFrame
    terms: pl.DataFrame
    statuses: pl.DataFrame
    extracted_on: dt.date | None


def _whole(conn: sa.Connection, t: Table) -> pl.DataFrame:
    spec = SPECS[t]
    query = sa.select(*(schema.table(t).c[c] for c in spec.column_names))
    return bulk.fetch(conn, query, polars_schema(spec))


# -- in the database: the due tables joined to the requests, only the answer comes back ----

_ANSWER_DUE_COLUMNS: Final = (
    ("country", sa.String()), ("kind", sa.String()), ("submitted_on", sa.Date()),
    ("term_id", sa.String()), ("due_on", sa.Date()), ("deemed_accepted", sa.String()),
    ("year", sa.Integer()), ("day_n", sa.Integer()),
)  # fmt: skip
_DOCUMENT_DUE_COLUMNS: Final = (
    ("term_id", sa.String()), ("outcome_on", sa.Date()), ("due_on", sa.Date()),
)  # fmt: skip
_DAY_COLUMNS: Final = (("day", sa.Date()), ("day_n", sa.Integer()))


@dataclass(frozen=True, slots=True)
class DueTables:
    """The due tables of :func:`retour.analysis.terms.due_tables`, to be staged."""

    answer: pl.DataFrame
    document: pl.DataFrame
    days: pl.DataFrame


def small_tables(db: Database) -> TermsTables:
    """Instruments, terms, statuses and the extraction date, in one snapshot."""
    with db.begin(snapshot=True) as conn:
        instruments = _whole(conn, Table.INSTRUMENTS)
        terms = _whole(conn, Table.TERMS)
        statuses = _whole(conn, Table.COUNTRY_STATUS)
        newest = conn.execute(sa.select(sa.func.max(schema.imports.c.extracted_on))).scalar()
    extracted = None if newest is None else dt.date.fromisoformat(str(newest)[:10])
    return TermsTables(instruments, terms, statuses, extracted)


def _stage(conn: sa.Connection, due: DueTables) -> tuple[sa.Table, sa.Table, sa.Table]:
    def columns(spec: tuple[tuple[str, Any], ...]) -> list[sa.Column[Any]]:
        return [sa.Column(name, kind) for name, kind in spec]

    answer = bulk.load(conn, "terms_answer_due", columns(_ANSWER_DUE_COLUMNS), due.answer)
    document = bulk.load(conn, "terms_document_due", columns(_DOCUMENT_DUE_COLUMNS), due.document)
    days = bulk.load(conn, "terms_days", columns(_DAY_COLUMNS), due.days)
    # the requests are looked up from these, by the covering index on (country, submitted_on,
    # kind, ...): the index alone answers, no table row is read
    sa.Index("ix_terms_answer_due", answer.c.country, answer.c.kind, answer.c.submitted_on).create(
        conn
    )
    sa.Index("ix_terms_document_due", document.c.term_id, document.c.outcome_on).create(conn)
    sa.Index("ix_terms_days", days.c.day).create(conn)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("ANALYZE temp")
    return answer, document, days


def _joined(answer: sa.Table) -> tuple[sa.Table, sa.Table, Any]:
    requests, cases = schema.table(Table.REQUESTS), schema.table(Table.CASES)
    on = sa.and_(
        requests.c.country == answer.c.country,
        requests.c.kind == answer.c.kind,
        requests.c.submitted_on == answer.c.submitted_on,
    )
    return requests, cases, on


_ROWS: Final = pl.Schema(
    {
        "request_id": pl.String(),
        "case_id": pl.String(),
        "country": pl.String(),
        "kind": pl.String(),
        "submitted_on": pl.Date(),
        "due_on": pl.Date(),
        "what": pl.String(),
        "deemed_accepted": pl.String(),
    }
)
_GROUPS: Final = pl.Schema(
    {
        "country": pl.String(),
        "kind": pl.String(),
        "what": pl.String(),
        "due_on": pl.Date(),
        "n": pl.Int64(),
    }
)
_HISTOGRAM: Final = pl.Schema(
    {
        "country": pl.String(),
        "kind": pl.String(),
        "year": pl.Int64(),
        "answer": pl.String(),
        "document": pl.String(),
        "days": pl.Int64(),
        "n": pl.Int64(),
    }
)


def overdue_in_db(db: Database, due: DueTables, on: dt.date, *, grouped: bool) -> pl.DataFrame:
    """What is overdue on `on` (the statuses and filters already applied to `due`): rows
    (request_id, case_id, country, kind, submitted_on, due_on, what, deemed_accepted), or
    with `grouped` the counts (country, kind, what, due_on, n)."""
    with db.begin() as conn:
        staged = _stage(conn, due)
        both = sa.union_all(*_overdue_selects(*staged, on)).subquery()
        if grouped:
            keys = (both.c.country, both.c.kind, both.c.what, both.c.due_on)
            query = sa.select(*keys, sa.func.count().label("n")).group_by(*keys)
            found = bulk.fetch(conn, query, _GROUPS)
        else:
            found = bulk.fetch(conn, sa.select(both), _ROWS)
        for table in staged:
            bulk.drop(conn, table)
    return found


def _overdue_selects(
    answer: sa.Table, document: sa.Table, _days: sa.Table, on: dt.date
) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The answers, then the documents, overdue on `on`. No condition on the requests'
    submission date: it would lead SQLite to scan a country's requests for every day
    (answer due_on lies after submitted_on, so due_on < on says it)."""
    day = sa.literal(on, sa.Date())
    requests, cases, match = _joined(answer)
    r = requests.c
    live = sa.or_(cases.c.closed_on.is_(None), cases.c.closed_on > day)
    head = (r.request_id, r.case_id, r.country, r.kind, r.submitted_on)
    with_case = requests.join(answer, match).join(cases, cases.c.case_id == r.case_id)
    waiting = (
        sa.select(*head, answer.c.due_on, sa.literal("answer").label("what"),
                  answer.c.deemed_accepted)
        .select_from(with_case)
        .where(answer.c.due_on < day, live, sa.or_(r.outcome_on.is_(None), r.outcome_on > day))
    )  # fmt: skip
    doc_match = sa.and_(
        document.c.term_id == answer.c.term_id, document.c.outcome_on == r.outcome_on
    )
    documents = (
        sa.select(*head, document.c.due_on, sa.literal("document").label("what"),
                  sa.null().label("deemed_accepted"))
        .select_from(with_case.join(document, doc_match))
        .where(r.outcome == "positive", r.outcome_on <= day, document.c.due_on < day, live,
               sa.or_(r.document_on.is_(None), r.document_on > day))
    )  # fmt: skip
    return waiting, documents


def compliance_in_db(
    db: Database,
    due: DueTables,
    extracted: dt.date,
    years: Sequence[int] | Callable[[list[int]], Sequence[int]],
) -> tuple[tuple[int, ...], pl.DataFrame]:
    """Requests with terms whose answer was due by `extracted`, submitted in `years`,
    counted in the database: the years, and country, kind, year, answer, document, days (to
    a positive or negative answer), n. `years` may be a function choosing them from the
    years of submission that hold such requests (sorted; found from the staged due dates,
    one index probe per term and day). Only the chosen years' requests are read."""
    if not callable(years):
        # only the due dates of those years are staged (the query keeps to them as well)
        due = DueTables(due.answer.filter(pl.col("year").is_in(list(years))), due.document,
                        due.days)  # fmt: skip
    with db.begin() as conn:
        staged = _stage(conn, due)
        if callable(years):
            seen = conn.execute(_years_query(staged[0], extracted)).scalars().all()
            years = years(sorted(int(y) for y in seen))
        chosen = tuple(years)
        found = bulk.fetch(conn, _compliance_query(*staged, extracted, chosen), _HISTOGRAM)
        for table in staged:
            bulk.drop(conn, table)
    return chosen, found


def _years_query(answer: sa.Table, extracted: dt.date) -> sa.Select[Any]:
    """The years of submission with at least one request whose answer was due by
    `extracted` (the span figures terms may count)."""
    requests, _cases, match = _joined(answer)
    held = sa.select(requests.c.request_id).where(match).exists()
    cut = sa.literal(extracted, sa.Date())
    return sa.select(answer.c.year).where(answer.c.due_on <= cut, held).distinct()


def _compliance_query(
    answer: sa.Table,
    document: sa.Table,
    days: sa.Table,
    extracted: dt.date,
    years: Sequence[int],
) -> sa.Select[Any]:
    cut = sa.literal(extracted, sa.Date())
    requests, _cases, match = _joined(answer)
    r = requests.c
    answered = r.outcome.in_(["positive", "negative"])
    withdrawn = sa.and_(r.outcome == "withdrawn", r.outcome_on <= answer.c.due_on)
    part = sa.case(
        (sa.and_(answered, r.outcome_on <= answer.c.due_on), "answered_in_time"),
        (answered, "answered_late"),
        (withdrawn, "withdrawn_before_due"),
        else_="not_answered",
    ).label("answer")
    docs = sa.case(
        (sa.or_(document.c.due_on.is_(None), document.c.due_on > cut), sa.null()),
        (r.document_on.is_(None), "documents_missing"),
        (r.document_on <= document.c.due_on, "documents_in_time"),
        else_="documents_late",
    ).label("document")
    taken = (days.c.day_n - answer.c.day_n).label("days")
    doc_match = sa.and_(
        document.c.term_id == answer.c.term_id,
        document.c.outcome_on == r.outcome_on,
        r.outcome == "positive",
    )
    joined = (
        requests.join(answer, match)
        .outerjoin(document, doc_match)
        .outerjoin(days, sa.and_(days.c.day == r.outcome_on, answered))
    )
    keys = (answer.c.country, answer.c.kind, answer.c.year, part, docs, taken)
    return (
        sa.select(*keys, sa.func.count().label("n"))
        .select_from(joined)
        .where(answer.c.due_on <= cut, answer.c.year.in_(list(years)))
        .group_by(*keys)
    )

"""SQL for the case view and for the history of the five conditions.

- :func:`case_record`: one case's rows -- the case (its named attributes only: never sex or
  birth year), its requests, detentions, departures and condition observations.
- :func:`condition_history`: the cases open at some time in a span of dates, with every
  observation of their conditions up to the span's end -- the input of the state-as-of-date
  computations (:mod:`retour.analysis.conditions`).
- :func:`case_history`: the same cases with their requests and departures up to that end,
  for the prospect of removal (:mod:`retour.analysis.prospect`).

The observations are many (about 11 million at the simulator's eu scale), so they do not
cross into Python row by row: the database packs each observation into one integer
(days since 1900-01-01 * 16 + condition * 3 + state, the codes' positions in the domain
enums) and concatenates a case's integers into one text, ``group_concat`` on SQLite (a
correlated subquery per case) and ``string_agg`` on PostgreSQL (one grouped aggregate);
Polars splits them again. One row per case crosses over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final, cast

import polars as pl
import sqlalchemy as sa

from retour.domain.codes import Condition, ConditionState, Table
from retour.domain.dataset import polars_schema
from retour.domain.tables import SPECS
from retour.store import bulk, schema
from retour.store.engine import Database

#: The case columns any view may read: never sex or birth year.
CASE_COLUMNS: Final = ("case_id", "nationality", "opened_on", "closed_on", "close_reason")
CONDITION_ENUM: Final = pl.Enum([c.value for c in Condition])
STATE_ENUM: Final = pl.Enum([s.value for s in ConditionState])
#: The packed day count starts here (SQLite: julianday of this date, at midnight).
_EPOCH: Final = dt.date(1900, 1, 1)
_EPOCH_JULIAN: Final = 2415020.5
_EPOCH_POLARS: Final = (_EPOCH - dt.date(1970, 1, 1)).days
_PACK: Final = 16
_STATES: Final = len(ConditionState)

Expression = sa.ColumnElement[Any]


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """One case as stored: ``case`` holds :data:`CASE_COLUMNS`; the frames are typed as
    the contract's tables (without ``case_id``), sorted by date."""

    case: dict[str, Any]
    requests: pl.DataFrame
    detentions: pl.DataFrame
    departures: pl.DataFrame
    conditions: pl.DataFrame


@dataclass(frozen=True, slots=True)
class History:
    """Cases open at some time in a span, with their rows up to its end.

    - ``cases``: ``case`` (UInt32, the row number), ``case_id``, ``nationality``,
      ``opened_on``, ``closed_on``;
    - ``observations``: ``case``, ``observed_on``, ``condition``, ``state`` (enums);
    - ``requests``: ``case``, ``submitted_on``, ``id_evidence``, ``alien_cooperates``
      (empty unless asked for);
    - ``departures``: ``case``, ``departed_on``, ``type`` (empty unless asked for).
    """

    cases: pl.DataFrame
    observations: pl.DataFrame
    requests: pl.DataFrame
    departures: pl.DataFrame


def case_record(db: Database, case_id: str) -> CaseRecord | None:
    """The stored rows of ``case_id``, or None when there is no such case."""
    cases = schema.table(Table.CASES)
    with db.begin(snapshot=True) as conn:
        row = (
            conn.execute(
                sa.select(*(cases.c[c] for c in CASE_COLUMNS)).where(cases.c.case_id == case_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        frames = {
            t: _rows_of(conn, t, case_id)
            for t in (Table.REQUESTS, Table.DETENTIONS, Table.DEPARTURES, Table.CONDITIONS)
        }
    return CaseRecord(
        case={c: row[c] for c in CASE_COLUMNS},
        requests=frames[Table.REQUESTS],
        detentions=frames[Table.DETENTIONS],
        departures=frames[Table.DEPARTURES],
        conditions=frames[Table.CONDITIONS],
    )


_ORDER: Final = {
    Table.REQUESTS: ("submitted_on", "request_id"),
    Table.DETENTIONS: ("started_on", "detention_id"),
    Table.DEPARTURES: ("departed_on", "departure_id"),
    Table.CONDITIONS: ("observed_on", "condition"),
}


def _rows_of(conn: sa.Connection, t: Table, case_id: str) -> pl.DataFrame:
    spec = SPECS[t]
    target = schema.table(t)
    columns = [c for c in spec.column_names if c != schema.CASE_ID]
    query = (
        sa.select(*(target.c[c] for c in columns))
        .where(target.c.case_id == case_id)
        .order_by(*(target.c[c] for c in _ORDER[t]))
    )
    rows = conn.execute(query).all()
    types = polars_schema(spec)
    return pl.DataFrame(
        [tuple(r) for r in rows], schema={c: types[c] for c in columns}, orient="row"
    )


# -- histories -------------------------------------------------------------------------------


def condition_history(db: Database, *, first: dt.date, last: dt.date) -> History:
    """The cases open at some time in ``[first, last]`` and their observations up to ``last``."""
    return _history(db, first, last, with_rows=False)


def case_history(db: Database, *, first: dt.date, last: dt.date) -> History:
    """As :func:`condition_history`, with the cases' requests submitted and departures made
    up to ``last``."""
    return _history(db, first, last, with_rows=True)


def _open_in(cases: sa.Table, first: dt.date, last: dt.date) -> list[Expression]:
    closed = cases.c.closed_on
    return [cases.c.opened_on <= last, sa.or_(closed.is_(None), closed > first)]


def _history(db: Database, first: dt.date, last: dt.date, *, with_rows: bool) -> History:
    cases = schema.table(Table.CASES)
    conditions = schema.table(Table.CONDITIONS)
    packed = _concat(db, _packed(db, conditions))
    columns: list[Expression] = [
        cases.c.case_id,
        cases.c.nationality,
        cases.c.opened_on,
        cases.c.closed_on,
    ]
    if db.is_sqlite:
        # SQLite: a correlated subquery per case walks the key index (case_id, condition,
        # observed_on) of that case only -- faster than grouping every observation first,
        # and much faster when few cases are asked for (one date).
        per_case = (
            sa.select(packed)
            .where(conditions.c.case_id == cases.c.case_id, conditions.c.observed_on <= last)
            .scalar_subquery()
        )
        query = sa.select(*columns, per_case.label("obs")).where(*_open_in(cases, first, last))
    else:
        # PostgreSQL: one hash aggregate over the observations of the cases asked for.
        wanted = sa.select(cases.c.case_id).where(*_open_in(cases, first, last))
        grouped = (
            sa.select(conditions.c.case_id.label("case_id"), packed.label("obs"))
            .where(conditions.c.observed_on <= last, conditions.c.case_id.in_(wanted))
            .group_by(conditions.c.case_id)
            .subquery()
        )
        query = (
            sa.select(*columns, grouped.c.obs)
            .select_from(cases.outerjoin(grouped, grouped.c.case_id == cases.c.case_id))
            .where(*_open_in(cases, first, last))
        )
    frame_schema = pl.Schema(
        {
            "case_id": pl.String(),
            "nationality": pl.String(),
            "opened_on": pl.Date(),
            "closed_on": pl.Date(),
            "obs": pl.String(),
        }
    )
    with db.begin(snapshot=True) as conn:
        raw = bulk.fetch(conn, cast("sa.Select[Any]", query), frame_schema)
        requests = _requests(conn, cases, first, last) if with_rows else None
        departures = _departures(conn, cases, first, last) if with_rows else None
    numbered = raw.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias("case"))
    keys = numbered.select("case_id", "case")
    return History(
        cases=numbered.select("case", "case_id", "nationality", "opened_on", "closed_on"),
        observations=_unpack(numbered.select("case", "obs")),
        requests=_keyed(requests, keys, _REQUEST_SCHEMA),
        departures=_keyed(departures, keys, _DEPARTURE_SCHEMA),
    )


def _packed(db: Database, conditions: sa.Table) -> Expression:
    """days since 1900-01-01 * 16 + condition * 3 + state."""
    day: Expression
    if db.is_sqlite:
        day = sa.cast(sa.func.julianday(conditions.c.observed_on) - _EPOCH_JULIAN, sa.Integer)
    else:
        # date - date is a number of days in PostgreSQL
        since = conditions.c.observed_on - sa.literal_column(f"DATE '{_EPOCH.isoformat()}'")
        day = sa.type_coerce(since, sa.Integer)
    condition = sa.case(
        {c.value: i * _STATES for i, c in enumerate(Condition)}, value=conditions.c.condition
    )
    state = sa.case({s.value: i for i, s in enumerate(ConditionState)}, value=conditions.c.state)
    return day * _PACK + condition + state


def _concat(db: Database, value: Expression) -> Expression:
    comma: Expression = sa.literal_column("','")
    if db.is_sqlite:
        return sa.func.group_concat(value, comma)
    return sa.func.string_agg(sa.cast(value, sa.Text), comma)


def _unpack(packed: pl.DataFrame) -> pl.DataFrame:
    values = (
        packed.with_columns(pl.col("obs").str.split(","))
        .explode("obs")
        .drop_nulls("obs")
        .select("case", v=pl.col("obs").cast(pl.Int64))
    )
    code = pl.col("v") - (pl.col("v") // _PACK) * _PACK
    condition_codes = pl.Series([c.value for c in Condition], dtype=CONDITION_ENUM)
    state_codes = pl.Series([s.value for s in ConditionState], dtype=STATE_ENUM)
    return values.select(
        "case",
        observed_on=((pl.col("v") // _PACK) + _EPOCH_POLARS).cast(pl.Int32).cast(pl.Date),
        condition=pl.lit(condition_codes).gather(code // _STATES),
        state=pl.lit(state_codes).gather(code % _STATES),
    )


_REQUEST_SCHEMA: Final = pl.Schema(
    {
        "case_id": pl.String(),
        "submitted_on": pl.Date(),
        "id_evidence": pl.String(),
        "alien_cooperates": pl.String(),
    }
)
_DEPARTURE_SCHEMA: Final = pl.Schema(
    {"case_id": pl.String(), "departed_on": pl.Date(), "type": pl.String()}
)


def _requests(conn: sa.Connection, cases: sa.Table, first: dt.date, last: dt.date) -> pl.DataFrame:
    requests = schema.table(Table.REQUESTS)
    query = (
        sa.select(*(requests.c[c] for c in _REQUEST_SCHEMA.names()))
        .select_from(requests.join(cases, cases.c.case_id == requests.c.case_id))
        .where(requests.c.submitted_on <= last, *_open_in(cases, first, last))
    )
    return bulk.fetch(conn, query, _REQUEST_SCHEMA)


def _departures(
    conn: sa.Connection, cases: sa.Table, first: dt.date, last: dt.date
) -> pl.DataFrame:
    departures = schema.table(Table.DEPARTURES)
    query = (
        sa.select(*(departures.c[c] for c in _DEPARTURE_SCHEMA.names()))
        .select_from(departures.join(cases, cases.c.case_id == departures.c.case_id))
        .where(departures.c.departed_on <= last, *_open_in(cases, first, last))
    )
    return bulk.fetch(conn, query, _DEPARTURE_SCHEMA)


def _keyed(frame: pl.DataFrame | None, keys: pl.DataFrame, frame_schema: pl.Schema) -> pl.DataFrame:
    """``frame`` with ``case`` (the row number of its case) in place of ``case_id``."""
    columns = [c for c in frame_schema.names() if c != "case_id"]
    if frame is None:
        return pl.DataFrame(schema={"case": pl.UInt32(), **{c: frame_schema[c] for c in columns}})
    return frame.join(keys, on="case_id", how="inner").select("case", *columns)


def first_opened(db: Database) -> dt.date | None:
    """The first opening date of any case; None without cases."""
    cases = schema.table(Table.CASES)
    with db.begin() as conn:
        first = conn.execute(sa.select(sa.func.min(cases.c.opened_on))).scalar_one()
    return None if first is None else _as_date(first)


def last_date(db: Database) -> dt.date | None:
    """The last date of any row (opened, closed, observed, submitted, answered, document,
    departed, detained, released); None without cases. Scans every table: for data
    without an extraction date only."""
    tables = {
        Table.CASES: ("opened_on", "closed_on"),
        Table.CONDITIONS: ("observed_on",),
        Table.REQUESTS: ("submitted_on", "outcome_on", "document_on"),
        Table.DEPARTURES: ("departed_on",),
        Table.DETENTIONS: ("started_on", "ended_on"),
    }
    lasts: list[object] = []
    with db.begin(snapshot=True) as conn:
        for t, columns in tables.items():
            target = schema.table(t)
            query = sa.select(*(sa.func.max(target.c[c]) for c in columns))
            lasts += list(conn.execute(query).one())
    dates = [_as_date(v) for v in lasts if v is not None]
    return max(dates) if dates else None


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))

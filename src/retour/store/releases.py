"""The register of releases: every output made under ``parliament`` or ``public``, kept.

``releases`` holds one row per output that went out -- who made it, when, what (command or
route and its parameters), the profile and rules, the data's fingerprint and extraction
date, the format, and the bytes that went out with their SHA-256; ``release_cells`` every
published cell of it (its part, its dimensions, the value shown and its status). Rows are
written in the transaction of the output's audit entry (:func:`insert`) and never changed.
The policy -- what is registered, what a cell is -- lives in :mod:`retour.service.releases`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from retour.domain.releases import ReleaseRow
from retour.store.accounts import utc
from retour.store.engine import Database
from retour.store.schema import metadata

if TYPE_CHECKING:  # Polars is loaded where cells are written or read, not by every command
    import polars as pl

RELEASES: Final = "releases"
RELEASE_CELLS: Final = "release_cells"
#: The columns of a release's cells, in order.
CELL_COLUMNS: Final = ("part", "dims", "shown", "status")

releases = sa.Table(
    RELEASES,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("audit_id", sa.Integer, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("role", sa.String, nullable=True),
    sa.Column("via", sa.String, nullable=False),
    sa.Column("what", sa.String, nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("profile", sa.String, nullable=False),
    sa.Column("rules", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String, nullable=True),
    sa.Column("extracted_on", sa.Date, nullable=True),
    sa.Column("format", sa.String, nullable=False),
    sa.Column("sha256", sa.String, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Index(None, "what", "made_at"),
)

release_cells = sa.Table(
    RELEASE_CELLS,
    metadata,
    sa.Column("release_id", sa.Integer, sa.ForeignKey(releases.c.id), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("part", sa.Text, nullable=False),
    sa.Column("dims", sa.Text, nullable=False),
    sa.Column("shown", sa.Text, nullable=True),
    sa.Column("status", sa.String, nullable=False),
    sa.PrimaryKeyConstraint("release_id", "seq"),
)


_HEAD: Final = [c for c in releases.c if c.name != "content"]


def insert(conn: sa.Connection, row: dict[str, Any], cells: pl.DataFrame) -> int:
    """Write a release and its cells (``part``, ``dims``, ``shown``, ``status``) in the
    open transaction ``conn``; its id."""
    import polars as pl

    made = row["made_at"].astimezone(dt.UTC)
    values = {**row, "made_at": made.replace(tzinfo=None) if _sqlite(conn) else made}
    release_id = int(
        conn.execute(sa.insert(releases).values(**values).returning(releases.c.id)).scalar_one()
    )
    if cells.height:
        numbered = cells.select(
            pl.lit(release_id).alias("release_id"),
            pl.int_range(cells.height).alias("seq"),
            *CELL_COLUMNS,
        )
        conn.execute(sa.insert(release_cells), numbered.to_dicts())
    return release_id


def _sqlite(conn: sa.Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _row(r: Any) -> ReleaseRow:
    return ReleaseRow(
        id=int(r.id),
        made_at=utc(r.made_at),
        audit_id=int(r.audit_id),
        actor=str(r.actor),
        role=r.role,
        via=str(r.via),
        what=str(r.what),
        params=str(r.params),
        profile=str(r.profile),
        rules=str(r.rules),
        fingerprint=r.fingerprint,
        extracted_on=r.extracted_on,
        format=str(r.format),
        sha256=str(r.sha256),
    )


def listed(
    db: Database, *, what: str | None = None, since: dt.datetime | None = None, limit: int = 1000
) -> list[ReleaseRow]:
    """The releases, newest first: of ``what`` only, made at or after ``since``."""
    query = sa.select(*_HEAD).order_by(releases.c.id.desc()).limit(limit)
    if what is not None:
        query = query.where(releases.c.what == what)
    if since is not None:
        moment = since.astimezone(dt.UTC)
        query = query.where(
            releases.c.made_at >= (moment.replace(tzinfo=None) if db.is_sqlite else moment)
        )
    with db.begin() as conn:
        return [_row(r) for r in conn.execute(query).all()]


def one(db: Database, release_id: int) -> ReleaseRow | None:
    """The release ``release_id``, or None."""
    query = sa.select(*_HEAD).where(releases.c.id == release_id)
    with db.begin() as conn:
        found = conn.execute(query).first()
    return _row(found) if found is not None else None


def content(db: Database, release_id: int) -> bytes | None:
    """The bytes that went out, or None for an unknown release."""
    query = sa.select(releases.c.content).where(releases.c.id == release_id)
    with db.begin() as conn:
        found = conn.execute(query).scalar_one_or_none()
    return bytes(found) if found is not None else None


def cells(db: Database, release_id: int) -> pl.DataFrame:
    """The release's cells in the order they were published."""
    import polars as pl

    c = release_cells.c
    query = sa.select(c.part, c.dims, c.shown, c.status).where(c.release_id == release_id)
    with db.begin() as conn:
        rows = conn.execute(query.order_by(c.seq)).all()
    schema = dict.fromkeys(CELL_COLUMNS, pl.String)
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")

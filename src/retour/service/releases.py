"""The register of releases: what retour told Parliament and the press, kept (docs/releases.md).

Every output made under ``parliament`` or ``public`` -- a workbook, a brief, CSV or JSON,
from the command line, the web or the API -- passes :func:`retour.service.publication.
record_output`, which appends its audit entry and, in the same transaction, the release
made here by :func:`prepared`: who, when, what and its parameters, the profile and its
rules, the data's fingerprint and extraction date, the bytes that went out and every
published cell (:func:`cells_of`). ``internal`` outputs are audited only.

- :func:`listed`, :func:`shown`: the register, newest first, and one release's cells;
- :func:`reproduce`: the stored bytes again, checked against their SHA-256: byte-identical
  to what went out, whatever the data are now;
- :func:`diff`: two releases cell by cell, each change with its cause as far as the stored
  releases and the import history tell it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl
import sqlalchemy as sa

from retour.disclosure import DisclosedEstimates, DisclosureRules, Profile, Published
from retour.disclosure.figures import Figures
from retour.disclosure.suppression import CellStatus
from retour.disclosure.table import COLUMN, SECONDARY_SIGN, DisclosedTable
from retour.domain.errors import N_, Field, NotFoundError, UsageError
from retour.domain.files import write_file
from retour.domain.provenance import Provenance
from retour.domain.releases import Cause, Change, ReleaseDiff, ReleaseRow, SinceRelease
from retour.service import audit
from retour.service.context import Retour
from retour.store import read as store_read
from retour.store import releases as store
from retour.store.releases import CELL_COLUMNS

__all__ = [
    "CELL_COLUMNS",
    "Cause",
    "Change",
    "ReleaseDiff",
    "ReleaseRow",
    "cells_of",
    "diff",
    "listed",
    "prepared",
    "reproduce",
    "shown",
]

#: A cell's dimensions: ``name=value`` joined by this; the last one is the column's.
DIM_SEPARATOR: Final = ";"
#: The dimension value of a total.
TOTAL: Final = "total"
#: The profiles whose outputs are registered.
REGISTERED: Final = frozenset({Profile.PARLIAMENT, Profile.PUBLIC})
_HIDDEN: Final = (CellStatus.SUPPRESSED_PRIMARY.value, CellStatus.SUPPRESSED_SECONDARY.value)
_CELLS_SCHEMA: Final = dict.fromkeys(CELL_COLUMNS, pl.String)


def registered(rules: DisclosureRules) -> bool:
    """Whether an output under ``rules`` is registered (parliament, public)."""
    return rules.profile in REGISTERED


# -- the cells of a published value ----------------------------------------------------------


def cells_of(value: object) -> pl.DataFrame:
    """Every published cell of ``value`` (a published table, estimates, or an answer made of
    them), in the order they are laid out: ``part`` (where in the answer), ``dims``
    (``name=value;...``, the column's last), ``shown`` (as a reader sees it: a number,
    ``<5``, ``x``, or empty where withheld) and ``status``."""
    frames = list(_walk(value, ""))
    if not frames:
        return pl.DataFrame(schema=_CELLS_SCHEMA)
    return pl.concat(frames, how="vertical")


def _joined(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _walk(value: object, path: str) -> Iterator[pl.DataFrame]:
    if isinstance(value, DisclosedTable):
        yield _table_cells(value, path or "table")
    elif isinstance(value, DisclosedEstimates):
        yield _estimate_cells(value, path or "estimates")
    elif isinstance(value, Figures):
        for table in value.tables:
            yield _table_cells(table.table, _joined(path, table.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, _joined(path, str(key)))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk(item, _joined(path, str(i)))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if not f.name.startswith("_"):
                yield from _walk(getattr(value, f.name), _joined(path, f.name))


def _dim(name: str, expr: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.lit(f"{name}="), expr.cast(pl.String).fill_null(TOTAL))


def _shown_text(frame: pl.DataFrame, name: str) -> pl.Expr:
    """Column ``name`` as the text of a cell: a nested one (an event study's quarters) as
    its JSON, which no cast to text gives."""
    if frame.schema[name].is_nested():
        text = pl.struct(name).struct.json_encode().str.slice(len(name) + 4).str.head(-1)
        return pl.when(pl.col(name).is_not_null()).then(text)
    return pl.col(name).cast(pl.String)


def _table_cells(table: DisclosedTable, part: str) -> pl.DataFrame:
    long = table.to_long()
    column = table.column or "value"
    dims = [_dim(d, pl.col(d)) for d in table.row_dims]
    dims.append(_dim(column, pl.col(COLUMN)))
    status = pl.col("status").cast(pl.String)
    shown = (
        pl.when(status == CellStatus.SUPPRESSED_PRIMARY.value)
        .then(pl.lit(f"<{table.rules.suppress_below}"))
        .when(status == CellStatus.SUPPRESSED_SECONDARY.value)
        .then(pl.lit(SECONDARY_SIGN))
        .otherwise(pl.col("shown").cast(pl.String))
    )
    return long.select(
        pl.lit(part).alias("part"),
        pl.concat_str(dims, separator=DIM_SEPARATOR).alias("dims"),
        shown.alias("shown"),
        status.alias("status"),
    )


def _estimate_cells(estimates: DisclosedEstimates, part: str) -> pl.DataFrame:
    measured = [c.name for c in estimates.layout.measured() if c.name in estimates.status.columns]
    labels = [c for c in estimates.layout.columns if c not in measured and c in estimates.frame]
    frame = estimates.frame.with_row_index("_row")
    dims = [_dim(c, pl.col(c)) for c in labels]
    if not measured:
        return pl.DataFrame(schema=_CELLS_SCHEMA)
    texts = [_shown_text(frame, c).alias(c) for c in [*labels, *measured]]
    values = frame.select("_row", *texts).unpivot(
        measured, index=["_row", *labels], variable_name="_measure", value_name="shown"
    )
    marks = estimates.status
    status = marks.select(*[_shown_text(marks, m).alias(m) for m in measured]).with_row_index(
        "_row"
    )
    statuses = status.unpivot(measured, index="_row", variable_name="_measure", value_name="status")
    joined = values.join(statuses, on=["_row", "_measure"], how="left").sort("_row")
    return joined.select(
        pl.lit(part).alias("part"),
        pl.concat_str([*dims, _dim("measure", pl.col("_measure"))], separator=DIM_SEPARATOR).alias(
            "dims"
        ),
        pl.col("shown"),
        pl.col("status").fill_null("shown"),
    )


# -- making a release ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prepared:
    """A release made before the transaction that writes it (so that the write holds the
    database as briefly as it can): its row without the audit id, and its cells."""

    row: dict[str, Any]
    cells: pl.DataFrame

    def write(self, conn: sa.Connection, audit_id: int) -> int:
        """Write it in ``conn``, the transaction of audit entry ``audit_id``; its id."""
        return store.insert(conn, {**self.row, "audit_id": audit_id}, self.cells)


def rules_text(rules: DisclosureRules) -> str:
    """The rules as stored with a release (JSON, sorted keys)."""
    stated = {
        "profile": rules.profile.value,
        "confidential": sorted(rules.confidential),
        "suppress_below": rules.suppress_below,
        "round_to": rules.round_to,
    }
    return json.dumps(stated, sort_keys=True, separators=(",", ":"))


def origin_of(value: object) -> Provenance | None:
    """The provenance a published answer carries (``provenance`` or ``origin``), if any."""
    for name in ("provenance", "origin"):
        found = getattr(value, name, None)
        if isinstance(found, Provenance):
            return found
    return None


def prepared(
    *,
    actor: audit.Actor,
    what: str,
    params: Mapping[str, object],
    published: Published,
    origin: Provenance,
    fmt: str,
    content: bytes,
    at: dt.datetime | None = None,
) -> Prepared:
    """The release of ``content`` (``fmt``), made from ``published`` by ``actor``."""
    row = {
        "made_at": at or dt.datetime.now(dt.UTC),
        "actor": actor.name,
        "role": actor.role,
        "via": actor.via.value,
        "what": what,
        "params": json.dumps(dict(params), sort_keys=True, separators=(",", ":"), default=str),
        "profile": published.rules.profile.value,
        "rules": rules_text(published.rules),
        "fingerprint": origin.fingerprint,
        "extracted_on": origin.extracted_on,
        "format": fmt,
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": content,
    }
    return Prepared(row, cells_of(published))


# -- reading the register ----------------------------------------------------------------------


def parse_since(text: str | None) -> dt.datetime | None:
    """``--since DATE`` (YYYY-MM-DD): the start of that day, UTC."""
    if text is None or not text.strip():
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            N_("Cannot read the date {value!r} ({field})."),
            hint=N_("Write it as 2023-06-30."),
            field=Field.SINCE,
            value=text.strip(),
        ) from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


#: At most this many releases are listed at once unless more are asked for (``--limit``).
LIST_LIMIT: Final = 1000
#: The most releases one list may hold.
LIST_MOST: Final = 1_000_000


@dataclass(frozen=True, slots=True)
class Register:
    """Releases as listed, newest first; ``more``: older ones match too but are not listed."""

    rows: list[ReleaseRow]
    more: bool
    limit: int


def listed(
    context: Retour,
    *,
    what: str | None = None,
    since: str | None = None,
    limit: int = LIST_LIMIT,
) -> Register:
    """The register, newest first: at most ``limit`` releases of ``what`` only, made on or
    after ``since``, and whether there are more."""
    if not 1 <= limit <= LIST_MOST:
        raise UsageError(
            N_("{limit} is not a number of releases to list."),
            hint=N_("Ask for a whole number of releases from 1 to {most}."),
            cli_hint=N_("Give --limit a whole number from 1 to {most}."),
            limit=limit,
            most=LIST_MOST,
        )
    start = parse_since(since)
    chosen = what.strip() if what and what.strip() else None
    if chosen is not None and not chosen.isprintable():
        # no release's what holds a control character (PostgreSQL refuses a NUL)
        return Register([], False, limit)
    rows = store.listed(context.database(), what=chosen, since=start, limit=limit + 1)
    return Register(rows[:limit], len(rows) > limit, limit)


#: The largest id a release can have: a signed 64-bit integer, as both databases store it.
MAX_RELEASE_ID: Final = 2**63 - 1


def parse_id(text: str | int) -> int:
    """A release id as given on the command line or in an address."""
    digits = str(text).strip()
    # ASCII digits only (int() also takes "1_0" and other scripts' digits), and no more than
    # the database's integers hold
    value = int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 19 else 0
    if not 1 <= value <= MAX_RELEASE_ID:
        raise UsageError(
            N_("{value!r} is not a release id."),
            hint=N_("A release id is a whole number: retour releases list shows them."),
            value=str(text),
        )
    return value


def release(context: Retour, release_id: str | int) -> ReleaseRow:
    """One release by its id; NotFoundError when there is none."""
    number = parse_id(release_id)
    found = store.one(context.database(), number)
    if found is None:
        raise NotFoundError(
            N_("There is no release {value}."),
            hint=N_("retour releases list shows the releases made."),
            value=number,
        )
    return found


def shown(context: Retour, release_id: str | int) -> tuple[ReleaseRow, pl.DataFrame]:
    """A release and its cells."""
    found = release(context, release_id)
    return found, store.cells(context.database(), found.id)


def content(context: Retour, release_id: str | int) -> tuple[ReleaseRow, bytes]:
    """A release and the bytes that went out, checked against their SHA-256."""
    found = release(context, release_id)
    data = store.content(context.database(), found.id) or b""
    if hashlib.sha256(data).hexdigest() != found.sha256:
        raise UsageError(
            N_("The stored bytes of release {value} do not match their SHA-256."),
            hint=N_("The register has been changed outside retour; restore it from a backup."),
            value=found.id,
        )
    return found, data


def suffix(row: ReleaseRow) -> str:
    """The file suffix of a release's format."""
    return f".{row.format}"


def reproduce(
    context: Retour, release_id: str | int, out: Path, actor: audit.Actor | None = None
) -> tuple[ReleaseRow, Path]:
    """Write release ``release_id`` again to ``out``: the bytes that went out; audited."""
    if out.is_dir():
        raise UsageError(N_("{path} is a folder."), hint=N_("Name the file to write."), path=out)
    found, data = reproduced(context, release_id, actor or audit.Actor.command_line())
    write_file(out, data)
    return found, out


def reproduced(
    context: Retour, release_id: str | int, actor: audit.Actor
) -> tuple[ReleaseRow, bytes]:
    """A release's bytes given out again (a file, a download), recorded in the audit log."""
    found, data = content(context, release_id)
    audit.record_by(
        context,
        actor,
        audit.AuditAction.REPRODUCE_RELEASE,
        profile=found.profile,
        subject=str(found.id),
        detail={"what": found.what, "format": found.format},
    )
    return found, data


# -- two releases compared -------------------------------------------------------------------


def _rules(row: ReleaseRow) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(row.rules)
    return parsed


def _release_cause(before: tuple[str, str], after: tuple[str, str]) -> Cause | None:
    """A cause that holds for every cell: another profile, list or thresholds (each side
    its profile and its rules as stored, :func:`rules_text`)."""
    if before[0] != after[0]:
        return Cause.PROFILE
    a, b = json.loads(before[1]), json.loads(after[1])
    if a["confidential"] != b["confidential"]:
        return Cause.CONFIDENTIAL
    if a != b:
        return Cause.RULES
    return None


def _row_key(dims: pl.Expr) -> pl.Expr:
    """A cell's row: its dimensions without the column's."""
    return dims.str.replace(r"(^|;)[^;]*$", "")


def _compared(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    """The cells of both, side by side, in the later release's order (then the earlier's
    cells that are gone)."""
    key = ["part", "dims"]
    first = a.with_row_index("_at_a")
    second = b.with_row_index("_at_b")
    joined = first.join(second, on=key, how="full", coalesce=True, suffix="_after")
    ordered = joined.sort(pl.col("_at_b").is_null(), "_at_b", "_at_a")
    return ordered.with_columns(_row_key(pl.col("dims")).alias("_row")).drop("_at_a", "_at_b")


#: The column cell of the requests still waiting for an answer.
_PENDING: Final = "outcome=pending"


def _causes(joined: pl.DataFrame, release_cause: Cause | None) -> pl.DataFrame:
    """Each cell's cause, read from its row: pending requests fewer and this answer more
    (or this the pending cell) -- answers recorded since; else the row's total grew -- new
    requests; it shrank -- rows corrected or removed; it stayed -- answers recorded."""
    number = pl.col("shown").cast(pl.Int64, strict=False)
    number_after = pl.col("shown_after").cast(pl.Int64, strict=False)
    in_row = ["part", "_row"]
    totals = joined.filter(pl.col("dims").str.ends_with(f"={TOTAL}")).select(
        *in_row, number.alias("_total"), number_after.alias("_total_after")
    )
    pending = joined.filter(pl.col("dims").str.ends_with(_PENDING)).select(
        *in_row, (number_after - number).alias("_pending")
    )
    cells = joined.join(totals, on=in_row, how="left", maintain_order="left").join(
        pending, on=in_row, how="left", maintain_order="left"
    )
    hidden = pl.col("status").is_in(_HIDDEN) != pl.col("status_after").is_in(_HIDDEN)
    is_pending = pl.col("dims").str.ends_with(_PENDING)
    answered = (pl.col("_pending") < 0) & (is_pending | (number_after > number))
    answered = answered & ~pl.col("dims").str.ends_with(f"={TOTAL}")
    by_data = (
        pl.when(hidden)
        .then(pl.lit(Cause.SUPPRESSION.value))
        .when(answered)
        .then(pl.lit(Cause.ANSWERS.value))
        .when(pl.col("_total_after") > pl.col("_total"))
        .then(pl.lit(Cause.NEW_REQUESTS.value))
        .when(pl.col("_total_after") < pl.col("_total"))
        .then(pl.lit(Cause.CORRECTED.value))
        .when(pl.col("_total_after") == pl.col("_total"))
        .then(pl.lit(Cause.ANSWERS.value))
        .otherwise(pl.lit(Cause.DATA.value))
    )
    overall = by_data if release_cause is None else pl.lit(release_cause.value)
    cause = (
        pl.when(pl.col("status").is_null())
        .then(pl.lit(Cause.NEW_CELL.value))
        .when(pl.col("status_after").is_null())
        .then(pl.lit(Cause.GONE_CELL.value))
        .otherwise(overall)
    )
    return cells.with_columns(cause.alias("cause"))


def diff(context: Retour, first: str | int, second: str | int) -> ReleaseDiff:
    """Releases ``first`` and ``second`` compared cell by cell (of the same kind)."""
    before, a = shown(context, first)
    after, b = shown(context, second)
    if before.what != after.what:
        raise UsageError(
            N_("Releases {first} and {second} are not of the same kind ({what} and {other})."),
            hint=N_("Compare two releases of one kind: the register lists them by kind."),
            cli_hint=N_("Compare two releases of one kind: retour releases list --what {what}."),
            first=before.id,
            second=after.id,
            what=before.what,
            other=after.what,
        )
    joined = _compared(a, b)
    differs = joined.filter(
        pl.col("shown").ne_missing(pl.col("shown_after"))
        | pl.col("status").ne_missing(pl.col("status_after"))
    )
    cause = _release_cause((before.profile, before.rules), (after.profile, after.rules))
    with_causes = _causes(joined, cause).join(
        differs.select("part", "dims"), on=["part", "dims"], how="semi"
    )
    changes = [
        Change(r["part"], r["dims"], r["shown"], r["shown_after"], Cause(r["cause"]))
        for r in with_causes.iter_rows(named=True)
    ]
    return ReleaseDiff(
        before,
        after,
        changes,
        joined.height - differs.height,
        _imports_between(context, before, after),
    )


def since(context: Retour, release_id: str | int, published: Published) -> SinceRelease:
    """The cells of ``published`` (a new press answer) beside those of the earlier press
    release ``release_id``, each difference with its cause (``retour report press
    --since-release``)."""
    earlier, before = shown(context, release_id)
    if earlier.what != "press":
        raise UsageError(
            N_("Release {value} is not a press workbook but {what}."),
            hint=N_("Name a press release: the register lists them by kind."),
            cli_hint=N_("Name a press release: retour releases list --what press."),
            value=earlier.id,
            what=earlier.what,
        )
    rules = published.rules
    overall = _release_cause(
        (earlier.profile, earlier.rules), (rules.profile.value, rules_text(rules))
    )
    joined = _compared(before, cells_of(published))
    same = pl.col("shown").eq_missing(pl.col("shown_after")) & pl.col("status").eq_missing(
        pl.col("status_after")
    )
    causes = _causes(joined, overall).with_columns(
        pl.when(same).then(pl.lit(Cause.SAME.value)).otherwise(pl.col("cause")).alias("cause")
    )
    cells = [
        Change(r["part"], r["dims"], r["shown"], r["shown_after"], Cause(r["cause"]))
        for r in causes.select("part", "dims", "shown", "shown_after", "cause").iter_rows(
            named=True
        )
    ]
    return SinceRelease(earlier, cells)


def _imports_between(
    context: Retour, before: ReleaseRow, after: ReleaseRow
) -> list[dict[str, object]]:
    """The imports made between the two releases (what changed the data): when, the
    extraction date, and per table the rows inserted, replaced and unchanged."""
    history = store_read.imports(context.database())
    start, end = sorted((before.made_at, after.made_at))
    between = history.filter(pl.col("imported_at").is_between(start, end, closed="right"))
    return [
        {
            "imported_at": r["imported_at"].isoformat(),
            "extracted_on": r["extracted_on"].isoformat(),
            "counts": json.loads(r["counts"]),
        }
        for r in between.select("imported_at", "extracted_on", "counts").iter_rows(named=True)
    ]

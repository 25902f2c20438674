"""The rules of CONTRACT.md as vectorised Polars checks.

Every check turns a mask over a whole table into a frame of violations (VIOLATION_SCHEMA):
one pass collects them all. Cell rules read the raw text; row rules read typed values and
only judge rows whose values parsed, so one mistake is reported once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from retour.domain.codes import Outcome, Table
from retour.domain.countries import country_codes
from retour.domain.tables import Column, ColumnType, TableSpec
from retour.exchange.container import LINE
from retour.exchange.violations import VIOLATION_SCHEMA, Reason

EARLIEST = dt.date(1900, 1, 1)
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
INT_PATTERN = r"^-?\d{1,9}$"
_OPEN_END = dt.date(9999, 12, 31)


@dataclass(frozen=True, slots=True)
class Context:
    """What the rules of one table need to know beyond its rows."""

    file: str
    reference: dt.date  # no date may lie after it (the extraction date, or today)
    hidden: frozenset[str]  # columns whose values must not be shown (pseudonymised)
    labels: dict[str, str]  # the name a column has in the source (case_id -> v_number)

    def label(self, column: str) -> str:
        return self.labels.get(column, column)


def flag(
    frame: pl.DataFrame,
    mask: pl.Expr,
    ctx: Context,
    column: str,
    reason: Reason,
    message: str | pl.Expr,
    *,
    show: str | None = "",
) -> pl.DataFrame:
    """The violations of the rows where `mask` holds, pinned to `column`.

    `show` names the column whose raw value is shown ("" = `column` itself; None = none).
    """
    shown = column if show == "" else show
    value = (
        pl.lit(None, pl.String)
        if shown is None or shown in ctx.hidden
        else pl.col(shown).cast(pl.String)
    )
    text = pl.lit(message) if isinstance(message, str) else message
    hit = frame.select(mask.fill_null(False).alias("hit")).get_column("hit")
    if not hit.any():
        return empty_violations()
    # Messages may use window expressions (a key's first line), so they are evaluated over
    # the whole table before the offending rows are picked out.
    return frame.select(
        pl.lit(ctx.file).alias("file"),
        pl.col(LINE).alias("line"),
        pl.lit(ctx.label(column)).alias("column"),
        pl.lit(reason.value).alias("reason"),
        text.cast(pl.String).alias("message"),
        value.alias("value"),
    ).filter(hit)


def empty_violations() -> pl.DataFrame:
    return pl.DataFrame(schema=VIOLATION_SCHEMA)


# --- cells -------------------------------------------------------------------------------


def parsed(column: Column) -> pl.Expr:
    """The typed value of a raw text column (null where it does not parse)."""
    raw = pl.col(column.name)
    if column.type is ColumnType.DATE:
        well_formed = raw.str.contains(DATE_PATTERN)
        return pl.when(well_formed).then(raw.str.to_date("%Y-%m-%d", strict=False))
    if column.type is ColumnType.INT:
        return pl.when(raw.str.contains(INT_PATTERN)).then(raw.cast(pl.Int64, strict=False))
    return raw


def _bounds(column: Column, reference: dt.date) -> tuple[int | None, int | None]:
    upper = column.maximum
    if column.type is ColumnType.INT and column.minimum is not None and upper is None:
        upper = reference.year  # birth_year: 1900..current year
    return column.minimum, upper


def cell_violations(frame: pl.DataFrame, column: Column, ctx: Context) -> list[pl.DataFrame]:
    raw = pl.col(column.name)
    present = raw.is_not_null()
    name = column.name
    found: list[pl.DataFrame] = []
    if column.required:
        found.append(
            flag(
                frame, ~present, ctx, name, Reason.REQUIRED, "required value is missing", show=None
            )
        )
    value = parsed(column)
    if column.type is ColumnType.DATE:
        found += [
            flag(frame, present & value.is_null(), ctx, name, Reason.NOT_A_DATE,
                 "not a calendar date; write YYYY-MM-DD"),
            flag(frame, value > ctx.reference, ctx, name, Reason.FUTURE_DATE,
                 f"after the extraction date {ctx.reference.isoformat()}"),
            flag(frame, value < EARLIEST, ctx, name, Reason.OUT_OF_RANGE,
                 "before 1900; is the year mistyped?"),
        ]  # fmt: skip
    elif column.type is ColumnType.INT:
        low, high = _bounds(column, ctx.reference)
        found.append(
            flag(frame, present & value.is_null(), ctx, name, Reason.NOT_AN_INTEGER,
                 "not a whole number")
        )  # fmt: skip
        if low is not None and high is not None:
            outside = (value < low) | (value > high)
            found.append(
                flag(frame, outside, ctx, name, Reason.OUT_OF_RANGE,
                     f"must lie between {low} and {high}")
            )  # fmt: skip
    elif column.type is ColumnType.CODE:
        allowed = column.values
        found.append(
            flag(frame, present & ~raw.is_in(allowed), ctx, name, Reason.UNKNOWN_CODE,
                 "unknown code; use one of: " + ", ".join(allowed))
        )  # fmt: skip
    elif column.type is ColumnType.COUNTRY:
        codes = list(country_codes())
        unknown = present & ~raw.is_in(codes)
        message = (
            pl.when(raw.str.to_uppercase().str.strip_chars().is_in(codes))
            .then(pl.lit("write the country code in upper case, without spaces"))
            .otherwise(pl.lit("unknown country; use an ISO 3166-1 alpha-2 code, STLS or UNK"))
        )
        found.append(flag(frame, unknown, ctx, name, Reason.UNKNOWN_COUNTRY, message))
    return found


def typed(frame: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """The table in contract order with typed values (LINE kept); absent columns are null."""
    exprs: list[pl.Expr] = []
    for column in spec.columns:
        if column.name in frame.columns:
            exprs.append(parsed(column).alias(column.name))
        else:
            dtype = {ColumnType.DATE: pl.Date, ColumnType.INT: pl.Int64}.get(column.type, pl.String)
            exprs.append(pl.lit(None, dtype).alias(column.name))
    return frame.select(*exprs, pl.col(LINE))


# --- rows --------------------------------------------------------------------------------


def duplicate_keys(frame: pl.DataFrame, spec: TableSpec, ctx: Context) -> pl.DataFrame:
    key = list(spec.key)
    first = pl.col(LINE).min().over(key)
    repeated = pl.all_horizontal(pl.col(k).is_not_null() for k in key) & (pl.col(LINE) > first)
    if spec.id_column is not None:
        message = pl.format(
            f"{ctx.label(key[0])} appears more than once (first on line {{}})", first
        )
        return flag(frame, repeated, ctx, key[0], Reason.DUPLICATE_KEY, message)
    column = key[-1]
    what = " and ".join(ctx.label(k) for k in key)
    message = pl.format(f"a second row with the same {what} (first on line {{}})", first)
    return flag(frame, repeated, ctx, column, Reason.DUPLICATE_KEY, message)


def before(
    frame: pl.DataFrame, ctx: Context, later: str, earlier: str, what: str | None = None
) -> pl.DataFrame:
    """`later` must not lie before `earlier` (both typed dates)."""
    message = pl.format(f"before {what or earlier} ({{}})", pl.col(earlier).dt.to_string())
    return flag(frame, pl.col(later) < pl.col(earlier), ctx, later, Reason.DATE_ORDER, message)


def together(frame: pl.DataFrame, ctx: Context, date: str, code: str) -> list[pl.DataFrame]:
    """A date and its reason code are given together or not at all."""
    d, c = pl.col(date), pl.col(code)
    return [
        flag(frame, d.is_not_null() & c.is_null(), ctx, code, Reason.INCONSISTENT,
             f"required when {date} is given", show=None),
        flag(frame, d.is_null() & c.is_not_null(), ctx, code, Reason.INCONSISTENT,
             f"given without {date}"),
    ]  # fmt: skip


def case_rules(frame: pl.DataFrame, ctx: Context) -> list[pl.DataFrame]:
    return [
        before(frame, ctx, "closed_on", "opened_on"),
        *together(frame, ctx, "closed_on", "close_reason"),
    ]


def request_rules(frame: pl.DataFrame, ctx: Context) -> list[pl.DataFrame]:
    # Only rows with a valid outcome are judged here; a bad code is reported once, as such.
    outcome = pl.when(pl.col("outcome").is_in([o.value for o in Outcome])).then(pl.col("outcome"))
    pending = outcome == Outcome.PENDING.value
    decided = outcome.is_not_null() & ~pending
    refused = outcome.is_in([Outcome.NEGATIVE.value, Outcome.WITHDRAWN.value])
    when_outcome = pl.format("required when the outcome is {}", outcome)
    return [
        flag(frame, decided & pl.col("outcome_on").is_null(), ctx, "outcome_on",
             Reason.INCONSISTENT, when_outcome, show=None),
        flag(frame, pending & pl.col("outcome_on").is_not_null(), ctx, "outcome_on",
             Reason.INCONSISTENT, "must be empty while the outcome is pending"),
        before(frame, ctx, "outcome_on", "submitted_on"),
        flag(frame, refused & pl.col("reason").is_null(), ctx, "reason", Reason.INCONSISTENT,
             when_outcome, show=None),
        flag(frame, outcome.is_not_null() & ~refused & pl.col("reason").is_not_null(), ctx,
             "reason", Reason.INCONSISTENT,
             pl.format("only with a negative or withdrawn outcome, not {}", outcome)),
        flag(frame, pl.col("document_on").is_not_null() & outcome.is_not_null()
             & (outcome != Outcome.POSITIVE.value), ctx, "document_on", Reason.INCONSISTENT,
             pl.format("only with a positive outcome, not {}", outcome)),
        before(frame, ctx, "document_on", "outcome_on"),
    ]  # fmt: skip


def detention_rules(frame: pl.DataFrame, ctx: Context) -> list[pl.DataFrame]:
    return [
        before(frame, ctx, "ended_on", "started_on"),
        *together(frame, ctx, "ended_on", "end_reason"),
    ]


def instrument_rules(frame: pl.DataFrame, ctx: Context) -> list[pl.DataFrame]:
    return [before(frame, ctx, "end_on", "start_on")]


ROW_RULES = {
    Table.CASES: case_rules,
    Table.REQUESTS: request_rules,
    Table.DETENTIONS: detention_rules,
    Table.INSTRUMENTS: instrument_rules,
}


def overlapping_detentions(
    incoming: pl.DataFrame, stored: pl.DataFrame, ctx: Context
) -> pl.DataFrame:
    """Detentions of one case must not overlap, with each other or with stored ones.

    `incoming` is the typed detentions table (with LINE); `stored` holds the database's
    detentions of the same cases (detention_id, case_id, started_on, ended_on) that the
    import does not replace. A detention may start on the day the previous one ended.
    """
    columns = ["detention_id", "case_id", "started_on", "ended_on"]
    rows = pl.concat(
        [
            incoming.select(*columns, LINE),
            stored.select(columns).with_columns(pl.lit(None, pl.Int64).alias(LINE)),
        ]
    ).filter(pl.col("case_id").is_not_null() & pl.col("started_on").is_not_null())
    rows = rows.sort("case_id", "started_on", LINE, nulls_last=True)
    end = pl.col("ended_on").fill_null(_OPEN_END)
    previous_end = end.cum_max().shift(1).over("case_id")
    rows = rows.with_columns(
        overlaps=(pl.col("started_on") < previous_end).fill_null(False),
        stored_overlap=(pl.col("started_on") < previous_end).fill_null(False)
        & pl.col(LINE).is_null(),
    )
    # An overlap found on a stored detention is reported on the case's incoming rows.
    blame_case = pl.col("stored_overlap").any().over("case_id")
    mask = pl.col(LINE).is_not_null() & (pl.col("overlaps") | blame_case)
    return flag(
        rows, mask, ctx, "started_on", Reason.OVERLAP,
        "overlaps another detention of the same case", show="started_on",
    )  # fmt: skip

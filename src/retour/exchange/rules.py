"""The rules of CONTRACT.md as vectorised Polars checks.

Every rule is a Check: a mask over a whole table. `run` evaluates all the masks of a table
in one pass and turns the rows where one holds into violations. Cell rules read the raw
text and its parsed twin; row rules read typed values and only judge rows whose values
parsed, so one mistake is reported once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import polars as pl

from retour.domain.codes import Outcome, Table
from retour.domain.countries import country_codes
from retour.domain.tables import Column, ColumnType, TableSpec
from retour.domain.terms import TERM_KINDS, TERM_STATUSES
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


@dataclass(frozen=True, slots=True)
class Check:
    """A rule over a whole table: where `mask` holds, a violation pinned to `column`.

    `show` names the column whose value is shown ("" = `column` itself; None = none).
    """

    mask: pl.Expr
    column: str
    reason: Reason
    message: str | pl.Expr
    show: str | None = ""


def run(frame: pl.DataFrame, checks: list[Check], ctx: Context) -> pl.DataFrame:
    """Evaluate every check's mask in one pass; build violations only where one holds."""
    if not checks or frame.is_empty():
        return empty_violations()
    hits = frame.select(c.mask.fill_null(False).alias(str(i)) for i, c in enumerate(checks))
    found = hits.row(0) if hits.height == 1 else hits.select(pl.all().any()).row(0)
    if not any(found):
        return empty_violations()
    return pl.concat(
        [empty_violations()]
        + [
            _violations(frame, hits.get_column(str(i)), c, ctx)
            for i, c in enumerate(checks)
            if found[i]
        ]
    )


def _violations(frame: pl.DataFrame, hit: pl.Series, check: Check, ctx: Context) -> pl.DataFrame:
    shown = check.column if check.show == "" else check.show
    value = (
        pl.lit(None, pl.String)
        if shown is None or shown in ctx.hidden
        else pl.col(shown).cast(pl.String)
    )
    message = check.message
    text = pl.lit(message) if isinstance(message, str) else message
    # Messages may use window expressions (a key's first line), so they are evaluated over
    # the whole table before the offending rows are picked out.
    return frame.select(
        pl.lit(ctx.file).alias("file"),
        pl.col(LINE).alias("line"),
        pl.lit(ctx.label(check.column)).alias("column"),
        pl.lit(check.reason.value).alias("reason"),
        text.cast(pl.String).alias("message"),
        value.alias("value"),
    ).filter(hit)


def empty_violations() -> pl.DataFrame:
    """No violation (one frame, built once: frames are never changed in place)."""
    return _NO_VIOLATIONS


_NO_VIOLATIONS: Final = pl.DataFrame(schema=VIOLATION_SCHEMA)


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


#: Suffix of the typed twin of a raw column while cells are checked.
TYPED = "\x00typed"


def with_typed(frame: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """The raw table plus, for each of its contract columns, the parsed value (parsed once)."""
    present = [c for c in spec.columns if c.name in frame.columns]
    return frame.with_columns(parsed(c).alias(c.name + TYPED) for c in present)


def cell_checks(column: Column, ctx: Context) -> list[Check]:
    """The checks of one column's cells; they read the raw text and its typed twin."""
    raw = pl.col(column.name)
    present = raw.is_not_null()
    name = column.name
    value = pl.col(name + TYPED)
    checks: list[Check] = []
    if column.required:
        checks.append(Check(~present, name, Reason.REQUIRED, "required value is missing", None))
    if column.type is ColumnType.DATE:
        checks += [
            Check(present & value.is_null(), name, Reason.NOT_A_DATE,
                  "not a calendar date; write YYYY-MM-DD"),
            Check(value > ctx.reference, name, Reason.FUTURE_DATE,
                  f"after the extraction date {ctx.reference.isoformat()}"),
            Check(value < EARLIEST, name, Reason.OUT_OF_RANGE,
                  "before 1900; is the year mistyped?"),
        ]  # fmt: skip
    elif column.type is ColumnType.INT:
        low, high = _bounds(column, ctx.reference)
        checks.append(
            Check(present & value.is_null(), name, Reason.NOT_AN_INTEGER, "not a whole number")
        )
        if low is not None and high is not None:
            outside = (value < low) | (value > high)
            checks.append(
                Check(outside, name, Reason.OUT_OF_RANGE, f"must lie between {low} and {high}")
            )
    elif column.type is ColumnType.CODE:
        allowed = column.values
        checks.append(
            Check(present & ~raw.is_in(allowed), name, Reason.UNKNOWN_CODE,
                  "unknown code; use one of: " + ", ".join(allowed))
        )  # fmt: skip
    elif column.type is ColumnType.COUNTRY:
        codes = list(country_codes())
        message = (
            pl.when(raw.str.to_uppercase().str.strip_chars().is_in(codes))
            .then(pl.lit("write the country code in upper case, without spaces"))
            .otherwise(pl.lit("unknown country; use an ISO 3166-1 alpha-2 code, STLS or UNK"))
        )
        checks.append(Check(present & ~raw.is_in(codes), name, Reason.UNKNOWN_COUNTRY, message))
    return checks


def typed(frame: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """The table in contract order with typed values (LINE kept); absent columns are null.

    `frame` is the output of with_typed.
    """
    exprs: list[pl.Expr] = []
    for column in spec.columns:
        if column.name + TYPED in frame.columns:
            exprs.append(pl.col(column.name + TYPED).alias(column.name))
        else:
            dtype = {ColumnType.DATE: pl.Date, ColumnType.INT: pl.Int64}.get(column.type, pl.String)
            exprs.append(pl.lit(None, dtype).alias(column.name))
    return frame.select(*exprs, pl.col(LINE))


# --- rows --------------------------------------------------------------------------------


def duplicate_keys(spec: TableSpec, ctx: Context) -> Check:
    key = list(spec.key)
    first = pl.col(LINE).min().over(key)
    repeated = pl.all_horizontal(pl.col(k).is_not_null() for k in key) & (pl.col(LINE) > first)
    if spec.id_column is not None:
        text = f"{ctx.label(key[0])} appears more than once (first on line {{}})"
        return Check(repeated, key[0], Reason.DUPLICATE_KEY, pl.format(text, first))
    what = " and ".join(ctx.label(k) for k in key)
    message = pl.format(f"a second row with the same {what} (first on line {{}})", first)
    return Check(repeated, key[-1], Reason.DUPLICATE_KEY, message)


def before(later: str, earlier: str, what: str | None = None) -> Check:
    """`later` must not lie before `earlier` (both typed dates)."""
    message = pl.format(f"before {what or earlier} ({{}})", pl.col(earlier).dt.to_string())
    return Check(pl.col(later) < pl.col(earlier), later, Reason.DATE_ORDER, message)


def together(date: str, code: str) -> list[Check]:
    """A date and its reason code are given together or not at all."""
    d, c = pl.col(date), pl.col(code)
    return [
        Check(d.is_not_null() & c.is_null(), code, Reason.INCONSISTENT,
              f"required when {date} is given", None),
        Check(d.is_null() & c.is_not_null(), code, Reason.INCONSISTENT, f"given without {date}"),
    ]  # fmt: skip


def case_rules() -> list[Check]:
    return [before("closed_on", "opened_on"), *together("closed_on", "close_reason")]


def request_rules() -> list[Check]:
    # Only rows with a valid outcome are judged here; a bad code is reported once, as such.
    outcome = pl.when(pl.col("outcome").is_in([o.value for o in Outcome])).then(pl.col("outcome"))
    pending = outcome == Outcome.PENDING.value
    decided = outcome.is_not_null() & ~pending
    refused = outcome.is_in([Outcome.NEGATIVE.value, Outcome.WITHDRAWN.value])
    when_outcome = pl.format("required when the outcome is {}", outcome)
    return [
        Check(decided & pl.col("outcome_on").is_null(), "outcome_on", Reason.INCONSISTENT,
              when_outcome, None),
        Check(pending & pl.col("outcome_on").is_not_null(), "outcome_on", Reason.INCONSISTENT,
              "must be empty while the outcome is pending"),
        before("outcome_on", "submitted_on"),
        Check(refused & pl.col("reason").is_null(), "reason", Reason.INCONSISTENT,
              when_outcome, None),
        Check(outcome.is_not_null() & ~refused & pl.col("reason").is_not_null(), "reason",
              Reason.INCONSISTENT,
              pl.format("only with a negative or withdrawn outcome, not {}", outcome)),
        Check(pl.col("document_on").is_not_null() & outcome.is_not_null()
              & (outcome != Outcome.POSITIVE.value), "document_on", Reason.INCONSISTENT,
              pl.format("only with a positive outcome, not {}", outcome)),
        before("document_on", "outcome_on"),
    ]  # fmt: skip


def detention_rules() -> list[Check]:
    return [before("ended_on", "started_on"), *together("ended_on", "end_reason")]


def instrument_rules() -> list[Check]:
    return [before("end_on", "start_on")]


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
    message = "overlaps another detention of the same case"
    return run(rows, [Check(mask, "started_on", Reason.OVERLAP, message)], ctx)


# --- retour/2: terms and country statuses ------------------------------------------------

_INSTRUMENT_COLUMNS = ("instrument_id", "country", "kind", "status", "start_on", "end_on")


def status_rules() -> list[Check]:
    return [before("end_on", "start_on")]


ROW_RULES[Table.COUNTRY_STATUS] = status_rules


def term_violations(
    terms: pl.DataFrame,
    instruments: pl.DataFrame,
    stored_terms: pl.DataFrame,
    ctx: Context,
) -> pl.DataFrame:
    """The rules of terms.csv that need the instruments and the other terms.

    `terms` is the typed incoming table (with LINE); `instruments` every instrument the
    dataset and the database know (the dataset's replacing the stored ones); `stored_terms`
    the stored terms the import does not replace. A term's instrument must exist and be an
    agreement or arrangement; two terms for one country and kind may not be in force on
    the same day (an instrument is in force from start_on to the day before end_on).
    """
    known = instruments.select(_INSTRUMENT_COLUMNS).with_columns(pl.lit(True).alias("known"))
    joined = terms.join(known, on="instrument_id", how="left")
    wrong_kind = pl.col("known") & ~pl.col("kind").is_in(TERM_KINDS)
    checks = [
        Check(pl.col("instrument_id").is_not_null() & pl.col("known").is_null(),
              "instrument_id", Reason.UNKNOWN_INSTRUMENT,
              "no such instrument in instruments.csv or the database"),
        Check(wrong_kind, "instrument_id", Reason.INCONSISTENT,
              pl.format("the instrument is a {}; only a readmission_agreement or a "
                        "working_arrangement sets terms", pl.col("kind"))),
    ]  # fmt: skip
    found = run(joined, checks, ctx)
    return pl.concat([found, _overlapping_terms(terms, known, stored_terms, ctx)])


def _in_force(terms: pl.DataFrame, known: pl.DataFrame) -> pl.DataFrame:
    """term_id, LINE, country, kind, from, until (exclusive) of the terms that apply."""
    return (
        terms.select("term_id", "instrument_id", "request_kind", LINE)
        .join(known, on="instrument_id", how="inner")
        .filter(
            pl.col("kind").is_in(TERM_KINDS)
            & pl.col("status").is_in(TERM_STATUSES)
            & pl.col("request_kind").is_not_null()
            & pl.col("start_on").is_not_null()
        )
        .select(
            "term_id",
            LINE,
            "country",
            "request_kind",
            pl.col("start_on").alias("from"),
            pl.col("end_on").fill_null(_OPEN_END).alias("until"),
        )
        .filter(pl.col("from") < pl.col("until"))
    )


def _overlapping_terms(
    terms: pl.DataFrame, known: pl.DataFrame, stored_terms: pl.DataFrame, ctx: Context
) -> pl.DataFrame:
    stored = stored_terms.select("term_id", "instrument_id", "request_kind").with_columns(
        pl.lit(None, pl.Int64).alias(LINE)
    )
    rows = _in_force(pl.concat([terms.select(stored.columns), stored]), known)
    pairs = rows.join(rows, on=["country", "request_kind"], suffix="_other").filter(
        (pl.col("term_id") != pl.col("term_id_other"))
        & (pl.col("from") < pl.col("until_other"))
        & (pl.col("from_other") < pl.col("until"))
        & pl.col(LINE).is_not_null()
        # each incoming pair once, on its later line; a stored term on the incoming one
        & (pl.col(f"{LINE}_other").is_null() | (pl.col(f"{LINE}_other") < pl.col(LINE)))
    )
    pairs = pairs.sort(LINE, f"{LINE}_other", nulls_last=True).unique(LINE, keep="first")
    first_day = pl.max_horizontal("from", "from_other").dt.to_string()
    where = (
        pl.when(pl.col(f"{LINE}_other").is_null())
        .then(pl.format("the stored term {}", pl.col("term_id_other")))
        .otherwise(
            pl.format("term {} on line {}", pl.col("term_id_other"), pl.col(f"{LINE}_other"))
        )
    )
    message = pl.format(
        "in force on the same days as {} for {} {} requests (from {}); a country and kind "
        "have one term at a time",
        where,
        pl.col("country"),
        pl.col("request_kind"),
        first_day,
    )
    check = Check(pl.lit(True), "term_id", Reason.OVERLAP, message)
    return run(pairs, [check], ctx)

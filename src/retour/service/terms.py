"""Agreed time limits: what is overdue on a date (`retour overdue`) and how often each
country kept them (`retour figures terms`).

A list of requests is internal: under ``internal`` the overdue answer lists requests; under
``parliament`` and ``public`` it is counts per country, kind, what and band of days over,
through :func:`retour.disclosure.disclose_table`. Every export (CSV, JSON, xlsx) and every
list shown is recorded in the audit log as the actor's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import polars as pl

from retour.analysis import terms as timing
from retour.analysis.periods import Period
from retour.analysis.terms import BAND, COMPLIANCE_DIMENSIONS, DAY_BANDS
from retour.disclosure import (
    IS_TOTAL,
    OTHER_COUNTRIES,
    TOTAL,
    DisclosedTable,
    DisclosureRules,
    Profile,
    accept,
    disclose_table,
)
from retour.domain.codes import ALL_KINDS, NOT_ASSESSED, RequestKind
from retour.domain.countries import country_codes
from retour.domain.errors import N_, Field, UsageError
from retour.domain.files import write_file
from retour.domain.language import Language
from retour.domain.provenance import Provenance
from retour.reports import labels
from retour.reports import terms as render
from retour.service import audit
from retour.service.context import Retour
from retour.service.publication import Output, disclosure_rules, provenance, record_output
from retour.service.years import resolve_years
from retour.store import terms as reading

#: The dimensions the overdue counts are disclosed by (the band runs across).
COUNT_ROWS = ("country", "kind", "what")
BAND_ORDER = pl.Enum([label for label, _first, _last in DAY_BANDS])


@dataclass(frozen=True, slots=True)
class OverdueAnswer:
    """What is overdue on a date: a list (internal) or disclosed counts (otherwise)."""

    on: dt.date
    country: str | None
    kind: str | None
    rules: DisclosureRules
    origin: Provenance
    listed: pl.DataFrame | None  # OVERDUE_COLUMNS, internal only
    counts: DisclosedTable | None  # parliament and public
    statuses: pl.DataFrame  # the statuses that hold on the date (their requests left out)
    what: str | None = None  # answer or document only, else both

    @property
    def is_list(self) -> bool:
        return self.listed is not None


def parse_date(text: str | None, default: dt.date | None, field: Field) -> dt.date:
    """A YYYY-MM-DD option, or the default (the extraction date)."""
    if text is None or not text.strip():
        if default is None:
            raise UsageError(
                N_("The database holds no data yet, so there is no extraction date."),
                cli_hint=N_("Import a dataset first (retour import PATH), or give {field}."),
                field=field,
            )
        return default
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            N_("{field} {value}: not a date."),
            hint=N_("Write it as YYYY-MM-DD, e.g. 2024-06-30."),
            field=field,
            value=text,
        ) from None


def parse_country(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    code = text.strip().upper()
    if code not in country_codes():
        raise UsageError(
            N_("{field} {value}: not a country code."),
            field=Field.COUNTRY,
            hint=N_("Use an ISO 3166-1 alpha-2 code such as MA or NG."),
            value=text,
        )
    return code


def parse_kind(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    kind = text.strip().upper()
    if kind not in {k.value for k in RequestKind}:
        raise UsageError(N_("{field} {value}: use LP or TO."), field=Field.KIND, value=text)
    return kind


def parse_what(text: str | None) -> str | None:
    """`answer` or `document` (what a request waits for), or None for both."""
    if text is None or not text.strip():
        return None
    what = text.strip().lower()
    if what not in {w.value for w in timing.Overdue}:
        raise UsageError(
            N_("{field} {value}: use answer or document."), field=Field.WHAT, value=text
        )
    return what


def overdue(
    context: Retour,
    *,
    on: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    what: str | None = None,
    profile: str | Profile | None = None,
    confidential: str | None = None,
) -> OverdueAnswer:
    """What is overdue on `on` (default: the extraction date) under the profile's rules;
    of one country, kind, or what is waited for (answer or document) only if asked.

    The due dates are computed per term and day (a few thousand rows) and joined to the
    requests in the database, so only what is overdue (or its counts) is read."""
    rules = disclosure_rules(context, profile, confidential)
    code, chosen_kind, waits = parse_country(country), parse_kind(kind), parse_what(what)
    db = context.database()
    small = reading.small_tables(db)
    day = parse_date(on, small.extracted_on, Field.DATE)
    held = _unpooled(timing.statuses_on(small.statuses, day), rules)
    applied = timing.applicable_terms(small.instruments, small.terms)
    applied = timing.without_statuses(applied.rename({"request_kind": "kind"}), held)
    if code is not None:
        applied = applied.filter(pl.col("country") == code)
    if chosen_kind is not None:
        applied = applied.filter(pl.col("kind") == chosen_kind)
    last = max(day, small.extracted_on or day)
    due = reading.DueTables(*timing.due_tables(applied.rename({"kind": "request_kind"}), last))
    origin = provenance(db)
    if rules.profile is Profile.INTERNAL:
        rows = reading.overdue_in_db(db, due, day, grouped=False)
        listed = _only(timing.listed_from_rows(rows, day), waits)
        return OverdueAnswer(day, code, chosen_kind, rules, origin, listed, None, held, waits)
    groups = reading.overdue_in_db(db, due, day, grouped=True)
    counts = timing.counts_from_groups(groups, day).with_columns(pl.col(BAND).cast(BAND_ORDER))
    table = disclose_table(_only(counts, waits), rows=list(COUNT_ROWS), column=BAND, rules=rules)
    return OverdueAnswer(day, code, chosen_kind, rules, origin, None, table, held, waits)


def _unpooled(statuses: pl.DataFrame, rules: DisclosureRules) -> pl.DataFrame:
    """The statuses that apply under the profile. Where it pools, the confidential countries
    are one "other countries" group before anything is counted (as for the index), so a
    member's status is neither named ("Not listed: SY ...") nor applied: the pool's
    requests are counted as a whole, as the pool's index is fitted on all of them."""
    if not rules.pools:
        return statuses
    return statuses.filter(~pl.col("country").is_in(sorted(rules.confidential)))


def _only(frame: pl.DataFrame, what: str | None) -> pl.DataFrame:
    """The rows waiting for `what` (None: all), before anything is disclosed of them."""
    return frame if what is None else frame.filter(pl.col("what") == what)


def record_overdue(
    context: Retour,
    answer: OverdueAnswer,
    fmt: str,
    actor: audit.Actor | None = None,
    content: bytes | None = None,
) -> None:
    """The audit entry of an overdue list or count shown or written; a release too when
    ``content`` went out (a file or text, not a table on a screen)."""
    rows = answer.listed.height if answer.listed is not None else None
    who = actor or audit.Actor.command_line()
    detail: audit.Detail = {
        "format": fmt,
        "on": answer.on.isoformat(),
        "country": answer.country,
        "kind": answer.kind,
        "what": answer.what,
        "rows": rows,
    }
    action = audit.AuditAction.EXPORT_FIGURES
    if content is None:
        profile = answer.rules.profile.value
        audit.record_by(context, who, action, profile=profile, subject="overdue", detail=detail)
        return
    record_output(
        context, who, action, Output(answer, fmt, content), subject="overdue", detail=detail
    )


# -- how often the limits were kept -----------------------------------------------------------


#: The parts of with_terms, and of the positive answers with a document limit now due.
ANSWER_PARTS = ("answered_in_time", "answered_late", "not_answered", "withdrawn_before_due")
DOCUMENT_PARTS = ("documents_in_time", "documents_late", "documents_missing")
MEASURE = "measure"
#: The columns of `retour figures terms`, after its `by` columns.
COMPLIANCE_COLUMNS = (
    "with_terms",
    *ANSWER_PARTS,
    "in_time_share",
    "median_days_to_answer",
    *DOCUMENT_PARTS,
    "documents_in_time_share",
)


@dataclass(frozen=True, slots=True)
class ComplianceAnswer:
    """`retour figures terms`: the counts disclosed as two linked grids (the parts of the
    requests with terms; the parts of the documents due), and the published table built
    from their shown values only: shares of shown counts (empty where one is hidden), the
    median days to answer where the answers it rests on are shown."""

    years: tuple[int, ...]
    by: tuple[str, ...]
    rules: DisclosureRules
    origin: Provenance
    answers: DisclosedTable
    documents: DisclosedTable
    published: pl.DataFrame  # by columns, is_total, COMPLIANCE_COLUMNS; null = hidden
    status: pl.DataFrame  # by columns, is_total, the count columns' CellStatus


def parse_compliance_by(text: str | None) -> tuple[str, ...]:
    if text is None or not text.strip():
        return ("country", "year")
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in parts if p not in COMPLIANCE_DIMENSIONS]
    if unknown or not parts:
        raise UsageError(
            N_("{field} {value}: count by country, kind and year only."),
            hint=N_("For example {field} country,kind,year."),
            field=Field.BY,
            value=text,
        )
    return tuple(dict.fromkeys(parts))


def compliance(
    context: Retour,
    *,
    years: str | None = None,
    by: str | None = None,
    profile: str | Profile | None = None,
    confidential: str | None = None,
) -> ComplianceAnswer:
    """How often the time limits were kept, by year of submission, under the profile."""
    rules = disclosure_rules(context, profile, confidential)
    columns = parse_compliance_by(by)
    db = context.database()
    small = reading.small_tables(db)
    extracted = small.extracted_on
    applied = timing.applicable_terms(small.instruments, small.terms)

    def choose(seen: list[int]) -> tuple[int, ...]:
        span = (min(seen), max(seen)) if seen else None
        return resolve_years(years, span, extracted, N_("requests with terms"))

    if extracted is not None and not applied.is_empty():
        due = reading.DueTables(*timing.due_tables(applied, extracted))
        asked, hist = reading.compliance_in_db(db, due, extracted, choose)
    else:
        asked, hist = choose([]), pl.DataFrame(schema=HISTOGRAM)
    if rules.pools and rules.confidential:
        pooled = pl.col("country").is_in(list(rules.confidential))
        hist = hist.with_columns(
            pl.when(pooled)
            .then(pl.lit(OTHER_COUNTRIES))
            .otherwise(pl.col("country"))
            .alias("country")
        )
    exact = timing.compliance_from_histogram(hist, columns)
    answers = _grid(exact, columns, ANSWER_PARTS, rules)
    documents = _grid(exact, columns, DOCUMENT_PARTS, rules)
    published, status = _published(exact, columns, answers, documents, rules)
    return ComplianceAnswer(
        asked, columns, rules, provenance(db), answers, documents, published, status
    )


HISTOGRAM = pl.Schema(
    {"country": pl.String(), "kind": pl.String(), "year": pl.Int64(), "answer": pl.String(),
     "document": pl.String(), "days": pl.Int64(), "n": pl.Int64()}
)  # fmt: skip


def _grid(
    exact: pl.DataFrame, by: Sequence[str], parts: Sequence[str], rules: DisclosureRules
) -> DisclosedTable:
    long = exact.unpivot(on=list(parts), index=list(by), variable_name=MEASURE, value_name="n")
    long = long.with_columns(pl.col(MEASURE).cast(pl.Enum(list(parts))))
    return disclose_table(long, rows=list(by), column=MEASURE, rules=rules)


def _published(
    exact: pl.DataFrame,
    by: Sequence[str],
    answers: DisclosedTable,
    documents: DisclosedTable,
    rules: DisclosureRules,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    keys = [*by, IS_TOTAL]
    shown = answers.shown.rename({TOTAL: "with_terms"}).join(
        documents.shown.drop(TOTAL), on=keys, how="left", nulls_equal=True
    )
    status = answers.status.rename({TOTAL: "with_terms"}).join(
        documents.status.drop(TOTAL), on=keys, how="left", nulls_equal=True
    )
    base = pl.col("with_terms") - pl.col("withdrawn_before_due")
    docs = sum((pl.col(c) for c in DOCUMENT_PARTS), pl.lit(0))
    medians = _medians(exact, by, rules)
    published = shown.with_columns(
        pl.when(base > 0).then(pl.col("answered_in_time") / base).alias("in_time_share"),
        pl.when(docs > 0).then(pl.col("documents_in_time") / docs).alias("documents_in_time_share"),
    ).join(medians, on=keys, how="left", nulls_equal=True)
    return published.select(*keys, *COMPLIANCE_COLUMNS), status


def _medians(exact: pl.DataFrame, by: Sequence[str], rules: DisclosureRules) -> pl.DataFrame:
    """The median days to answer per row, where the answers it rests on number at least the
    profile's threshold (public: whole days); the totals row has none (a median of medians
    is no median)."""
    answered = pl.col("answered_in_time") + pl.col("answered_late")
    enough = answered >= (rules.suppress_below if rules.profile is Profile.PUBLIC else 1)
    median = pl.col("median_days_to_answer")
    value = median.round(0) if rules.profile is Profile.PUBLIC else median
    return exact.select(
        *by,
        pl.lit(False).alias(IS_TOTAL),
        pl.when(enough).then(value).alias("median_days_to_answer"),
    )


# -- outputs ----------------------------------------------------------------------------------


class TermsFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


def parse_format(text: str) -> TermsFormat:
    try:
        return TermsFormat(text.strip().lower())
    except ValueError:
        raise UsageError(
            N_("{field} {value}: use table, csv, json or xlsx."), field=Field.FORMAT, value=text
        ) from None


def _head(answer: OverdueAnswer) -> dict[str, object]:
    return {
        "on": answer.on.isoformat(),
        "country": answer.country,
        "kind": answer.kind,
        "what": answer.what,
        "profile": answer.rules.profile.value,
        "extracted_on": _iso(answer.origin.extracted_on),
        "fingerprint": answer.origin.fingerprint,
        "simulated": answer.origin.simulated,
        "not_listed": [
            {"country": c, "kind": k, "status": s, "since": d.isoformat()}
            for c, k, s, d in answer.statuses.iter_rows()
        ],
    }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def export_overdue(
    context: Retour,
    answer: OverdueAnswer,
    fmt: TermsFormat,
    *,
    lang: Language = "nl",
    out: Path | None = None,
    actor: audit.Actor | None = None,
) -> str | None:
    """The answer as CSV or JSON text (returned), or written to `out` (xlsx needs one);
    recorded in the audit log as an export."""
    if fmt is TermsFormat.XLSX and out is None:
        raise UsageError(
            N_("{field} xlsx writes a workbook: name it with {out}."),
            hint=N_("E.g. {out} overdue.xlsx"),
            field=Field.FORMAT,
            out=Field.OUT,
        )
    if out is not None and out.is_dir():
        raise UsageError(N_("{path} is a folder."), hint=N_("Name the file to write."), path=out)
    data = _overdue_rendered(answer, fmt, lang)
    if out is not None:
        _write(out, data)
    sent = data if isinstance(data, bytes) else data.encode("utf-8")
    record_overdue(context, answer, fmt.value, actor, content=sent)
    if out is not None:
        return None
    assert isinstance(data, str)
    return data


def overdue_bytes(
    context: Retour,
    answer: OverdueAnswer,
    fmt: TermsFormat,
    *,
    lang: Language = "nl",
    actor: audit.Actor | None = None,
) -> bytes:
    """The answer in ``fmt`` as the bytes a face sends (the web's download), recorded in the
    audit log as an export; nothing is written to a file."""
    data = _overdue_rendered(answer, fmt, lang)
    sent = data if isinstance(data, bytes) else data.encode("utf-8")
    record_overdue(context, answer, fmt.value, actor, content=sent)
    return sent


def _overdue_rendered(answer: OverdueAnswer, fmt: TermsFormat, lang: Language) -> str | bytes:
    accept(answer, fmt.value)
    if fmt is TermsFormat.XLSX:
        caption = [render.overdue_title(answer.on, answer.country, answer.kind, lang, answer.what),
                   labels.profile_line(answer.rules, lang),
                   *render.status_notes(answer.statuses, lang)]  # fmt: skip
        return render.overdue_workbook(caption, answer.listed, answer.counts, lang)
    if fmt is TermsFormat.JSON:
        return render.overdue_json(_head(answer), answer.listed, answer.counts)
    if answer.listed is not None:
        return render.overdue_csv(answer.listed)
    assert answer.counts is not None
    return render.counts_csv(answer.counts)


def _write(out: Path, data: str | bytes) -> None:
    write_file(out, data)  # never through a link; a full disk named as such


def export_compliance(
    context: Retour,
    answer: ComplianceAnswer,
    fmt: TermsFormat,
    *,
    out: Path | None = None,
    actor: audit.Actor | None = None,
) -> str | None:
    """`figures terms` as CSV or JSON (text, or written to `out`); audited as an export."""
    accept(answer, fmt.value)
    if fmt not in (TermsFormat.CSV, TermsFormat.JSON):
        raise UsageError(
            N_("{field} {value}: use table, csv or json."), field=Field.FORMAT, value=fmt.value
        )
    below = answer.rules.suppress_below
    if fmt is TermsFormat.CSV:
        text = render.compliance_csv(answer.published, answer.status, answer.by, below)
    else:
        head: dict[str, object] = {
            "years": list(answer.years),
            "by": list(answer.by),
            "profile": answer.rules.profile.value,
            "extracted_on": _iso(answer.origin.extracted_on),
            "fingerprint": answer.origin.fingerprint,
            "simulated": answer.origin.simulated,
        }
        text = render.compliance_json(head, answer.published, answer.status, answer.by, below)
    record_output(
        context,
        actor or audit.Actor.command_line(),
        audit.AuditAction.EXPORT_FIGURES,
        Output.text(answer, fmt.value, text),
        subject="terms",
        detail={"years": labels.years_text(list(answer.years)), "format": fmt.value},
    )
    if out is None:
        return text
    _write(out, text)
    return None


# -- not assessed: a country under a status has no index --------------------------------------

#: The columns an index table gains: the status that holds in the row's period (its code)
#: and the day it started; null where none holds.
NOT_ASSESSED_COLUMNS = ("not_assessed", "not_assessed_since")
#: The index columns a status blanks (those a table has); the components stay, as facts.
_BLANKED = ("index", "lower", "upper", "trend", "change", "check", "check_lower", "check_upper",
            "disagrees")  # fmt: skip


def country_statuses(context: Retour) -> pl.DataFrame:
    """The country statuses as stored: country, status, request_kind, start_on, end_on."""
    return reading.small_tables(context.database()).statuses


def mark_not_assessed(table: pl.DataFrame, statuses: pl.DataFrame) -> pl.DataFrame:
    """An index table (country, period, kind, index, ...) with the rows of a country under
    a status in their period shown as not assessed: no index, interval, trend or change,
    ``status`` "not assessed", the status and its start in :data:`NOT_ASSESSED_COLUMNS`.

    A status holds in a period when it starts on or before the period's last day and ends
    (if at all) on or after its first day; it holds for its kind of request, or for both
    when it names none, and for an index of all kinds whatever its kind. Where several
    hold, the earliest start is named. A row after a not-assessed period has no trend or
    change either (there is nothing to compare with)."""
    holds = _holding(table.select("country", "period", "kind").unique(), statuses)
    marked = table.join(holds, on=["country", "period", "kind"], how="left", maintain_order="left")
    off = pl.col(NOT_ASSESSED_COLUMNS[0]).is_not_null()
    after = off | _after_not_assessed(off)
    return marked.with_columns(
        *(
            pl.when(after if c in ("trend", "change") else off).then(None).otherwise(c).alias(c)
            for c in _BLANKED
            if c in marked.columns
        ),
        pl.when(off).then(pl.lit(NOT_ASSESSED)).otherwise("status").alias("status"),
    )


def _holding(cells: pl.DataFrame, statuses: pl.DataFrame) -> pl.DataFrame:
    """country, period, kind and the status (earliest start first) that holds in it."""
    periods = cells.get_column("period").unique().to_list()
    spans = pl.DataFrame(
        {
            "period": periods,
            "_first": [Period.parse(p).first_day for p in periods],
            "_last": [Period.parse(p).last_day for p in periods],
        },
        schema={"period": pl.String, "_first": pl.Date, "_last": pl.Date},
    )
    stored = statuses.select("country", "status", "request_kind", "start_on", "end_on")
    overlaps = (pl.col("start_on") <= pl.col("_last")) & (
        pl.col("end_on").is_null() | (pl.col("end_on") >= pl.col("_first"))
    )
    kinds = (
        pl.col("request_kind").is_null()
        | (pl.col("request_kind") == pl.col("kind"))
        | (pl.col("kind") == ALL_KINDS)
    )
    return (
        cells.join(spans, on="period")
        .join(stored, on="country")
        .filter(overlaps & kinds)
        .sort("start_on", "status")
        .group_by("country", "period", "kind", maintain_order=True)
        .agg(
            pl.col("status").first().alias(NOT_ASSESSED_COLUMNS[0]),
            pl.col("start_on").first().alias(NOT_ASSESSED_COLUMNS[1]),
        )
    )


def _after_not_assessed(off: pl.Expr) -> pl.Expr:
    """True on the rows whose previous period (same country and kind) is not assessed;
    period labels of one granularity sort as the periods do."""
    return off.shift(1).over(["country", "kind"], order_by="period").fill_null(False)

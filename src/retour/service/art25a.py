"""The Article 25a indicators of one year (`retour figures art25a`, `retour report art25a`).

The database counts the year's cases opened, returns and requests (:mod:`retour.store.art25a`)
and the requests with terms (:mod:`retour.store.terms`); the counts pass the disclosure gate
as five tables (:func:`retour.disclosure.disclose_table`): decisions; returns by type;
requests by answer; requests with terms by how they were answered; documents due by how
they came. Every share is computed from the counts as shown (rounded under ``public``,
empty when one is hidden), so a published share never says more than its counts; the median
days to answer is published where the answers it rests on are shown (whole days under
``public``). Every output is recorded in the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from retour.analysis import art25a as indicators
from retour.analysis import terms as timing
from retour.analysis.art25a import ART25A_COLUMNS, OUTCOMES
from retour.disclosure import (
    IS_TOTAL,
    TOTAL,
    DisclosedTable,
    DisclosureRules,
    Language,
    Profile,
    accept,
    disclose_table,
    pool_countries,
)
from retour.domain.codes import RequestReason
from retour.domain.errors import N_, Field, UsageError
from retour.domain.files import write_file
from retour.reports import art25a as render
from retour.reports.art25a import Art25aFigures, Art25aReport
from retour.service import audit
from retour.service.context import Retour
from retour.service.publication import disclosure_rules, provenance
from retour.service.terms import ANSWER_PARTS, DOCUMENT_PARTS
from retour.store import art25a as counting
from retour.store import terms as reading
from retour.store.engine import Database

MEASURE: Final = "measure"
#: The column after ART25A_COLUMNS: the status that holds for the country in the year.
NOT_ASSESSED: Final = "not_assessed"
#: The answers by reason in the workbook: the refusals and the withdrawals.
REASON_OUTCOMES: Final = ("negative", "withdrawn")
NO_REASON: Final = "none"
_YEAR = re.compile(r"^\s*(\d{4})\s*$", re.ASCII)


def parse_year(text: str | None) -> int:
    """`--year 2023`: one calendar year."""
    if text is None or not text.strip():
        raise UsageError(N_("{field} is needed: the year to report, e.g. 2023."), field=Field.YEAR)
    match = _YEAR.match(text)
    if match is None:
        raise UsageError(
            N_("{field} {value}: not a year."),
            hint=N_("Give one year, e.g. {field} 2023."),
            field=Field.YEAR,
            value=text,
        )
    return int(match.group(1))


def figures(
    context: Retour,
    *,
    year: str | None,
    profile: str | Profile | None = None,
    confidential: str | None = None,
) -> Art25aFigures:
    """The Article 25a indicators of `year`, per country, under the profile."""
    rules = disclosure_rules(context, profile, confidential)
    chosen = parse_year(year)
    db = context.database()
    cases = counting.opened_cases(db, chosen)
    left = counting.returns(db, chosen)
    asked = counting.submitted_requests(db, chosen)
    if cases.is_empty() and left.is_empty() and asked.is_empty():
        raise _no_data(chosen, counting.span(db))
    small = reading.small_tables(db)
    compliance = _compliance(db, small, chosen)
    statuses = indicators.statuses_in_year(small.statuses, chosen)
    if rules.pools:
        statuses = statuses.filter(~pl.col("country").is_in(sorted(rules.confidential)))
    countries = indicators.countries_of(cases, left, asked)
    tables = _disclosed(countries, cases, left, asked, compliance, rules)
    published, status = _published(tables, pool_countries(asked, rules), statuses, rules)
    reasons = _reasons(asked, countries, rules)
    return Art25aFigures(chosen, rules, provenance(db), published, status, statuses, reasons)


def _no_data(year: int, span: tuple[int, int] | None) -> UsageError:
    if span is None:
        return UsageError(
            N_("The database holds no data yet."),
            cli_hint=N_("Import a dataset first (retour import PATH), or choose another database."),
        )
    return UsageError(
        N_("{field} {value}: no cases, departures or requests in that year."),
        hint=N_("The data cover {first}-{last}."),
        field=Field.YEAR,
        value=year,
        first=span[0],
        last=span[1],
    )


def _compliance(db: Database, small: reading.TermsTables, year: int) -> pl.DataFrame:
    """country and the counts of figures terms for the requests of `year` with terms."""
    applied = timing.applicable_terms(small.instruments, small.terms)
    extracted = small.extracted_on
    hist = pl.DataFrame(schema=_HISTOGRAM)
    if extracted is not None and not applied.is_empty():
        due = reading.DueTables(*timing.due_tables(applied, extracted))
        _years, hist = reading.compliance_in_db(db, due, extracted, [year])
    return hist


_HISTOGRAM: Final = pl.Schema(
    {"country": pl.String(), "kind": pl.String(), "year": pl.Int64(), "answer": pl.String(),
     "document": pl.String(), "days": pl.Int64(), "n": pl.Int64()}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Tables:
    decisions: DisclosedTable
    returns: DisclosedTable
    requests: DisclosedTable
    answers: DisclosedTable
    documents: DisclosedTable


def _disclosed(
    countries: list[str],
    cases: pl.DataFrame,
    left: pl.DataFrame,
    asked: pl.DataFrame,
    hist: pl.DataFrame,
    rules: DisclosureRules,
) -> _Tables:
    every = indicators.on_every_country
    decided = every(cases.with_columns(pl.lit("n").alias(MEASURE)), countries, MEASURE, ("n",))
    types = counting.RETURN_TYPES
    answer_parts = hist.with_columns(pl.col("answer").alias(MEASURE))
    document_parts = hist.filter(pl.col("document").is_not_null()).with_columns(
        pl.col("document").alias(MEASURE)
    )

    def grid(long: pl.DataFrame, column: str, values: tuple[str, ...]) -> DisclosedTable:
        ordered = long.with_columns(pl.col(column).cast(pl.Enum(list(values))))
        return disclose_table(ordered, rows=["country"], column=column, rules=rules)

    return _Tables(
        decisions=disclose_table(decided.drop(MEASURE), rows=["country"], column=None, rules=rules),
        returns=grid(every(left, countries, "type", types), "type", types),
        requests=grid(every(asked, countries, "outcome", OUTCOMES), "outcome", OUTCOMES),
        answers=grid(every(answer_parts, countries, MEASURE, ANSWER_PARTS), MEASURE, ANSWER_PARTS),
        documents=grid(
            every(document_parts, countries, MEASURE, DOCUMENT_PARTS), MEASURE, DOCUMENT_PARTS
        ),
    )


def _published(
    tables: _Tables, asked: pl.DataFrame, statuses: pl.DataFrame, rules: DisclosureRules
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The indicators from the shown counts, and the status of each count."""
    keys = ["country", IS_TOTAL]

    def pick(table: DisclosedTable, column: str, name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
        return (
            table.shown.select(*keys, pl.col(column).alias(name)),
            table.status.select(*keys, pl.col(column).alias(name)),
        )

    parts = [
        pick(tables.decisions, "n", "return_decisions"),
        pick(tables.returns, TOTAL, "returns"),
        pick(tables.requests, TOTAL, "requests"),
        pick(tables.requests, "positive", "positive"),
    ]
    shown, status = parts[0]
    for more_shown, more_status in parts[1:]:
        shown = shown.join(more_shown, on=keys, how="left", nulls_equal=True)
        status = status.join(more_status, on=keys, how="left", nulls_equal=True)
    shown = indicators.with_rates(shown)
    shown = shown.join(_shares(tables), on=keys, how="left", nulls_equal=True)
    shown = shown.join(_medians(asked, rules), on=keys, how="left", nulls_equal=True)
    shown = shown.join(_not_assessed(statuses), on=keys, how="left", nulls_equal=True)
    return shown.select(*keys, *ART25A_COLUMNS[1:], NOT_ASSESSED), status


def _shares(tables: _Tables) -> pl.DataFrame:
    keys = ["country", IS_TOTAL]
    answers = tables.answers.shown
    base = pl.col(TOTAL) - pl.col("withdrawn_before_due")
    in_time = answers.select(
        *keys,
        pl.when(base > 0).then(pl.col("answered_in_time") / base).alias("answered_in_time_share"),
    )
    docs = tables.documents.shown
    due = pl.col(TOTAL)
    documents = docs.select(
        *keys,
        pl.when(due > 0).then(pl.col("documents_in_time") / due).alias("documents_in_time_share"),
    )
    return in_time.join(documents, on=keys, how="left", nulls_equal=True)


def _medians(asked: pl.DataFrame, rules: DisclosureRules) -> pl.DataFrame:
    """median_days_to_answer per country and for all, where the answers it rests on number
    at least the threshold under public (whole days there)."""
    rows = indicators.median_days(asked, ["country"]).with_columns(pl.lit(False).alias(IS_TOTAL))
    total = indicators.median_days(asked, []).with_columns(
        pl.lit(None, pl.String).alias("country"), pl.lit(True).alias(IS_TOTAL)
    )
    both = pl.concat([rows, total.select(rows.columns)])
    public = rules.profile is Profile.PUBLIC
    enough = pl.col("answered") >= (rules.suppress_below if public else 1)
    median = pl.col("median_days_to_answer")
    value = median.round(0) if public else median
    return both.select(
        "country", IS_TOTAL, pl.when(enough).then(value).alias(median.meta.output_name())
    )


def _not_assessed(statuses: pl.DataFrame) -> pl.DataFrame:
    first = statuses.sort("start_on").group_by("country", maintain_order=True).first()
    return first.select(
        "country", pl.lit(False).alias(IS_TOTAL), pl.col("status").alias(NOT_ASSESSED)
    )


def _reasons(asked: pl.DataFrame, countries: list[str], rules: DisclosureRules) -> DisclosedTable:
    """Refusals and withdrawals of the year's requests per country, answer and reason."""
    reasons = (NO_REASON, *(r.value for r in RequestReason))
    refused = asked.filter(pl.col("outcome").is_in(REASON_OUTCOMES)).with_columns(
        pl.col("reason").fill_null(NO_REASON)
    )
    grid = (
        pl.DataFrame({"country": countries})
        .join(pl.DataFrame({"outcome": list(REASON_OUTCOMES)}), how="cross")
        .join(pl.DataFrame({"reason": list(reasons)}), how="cross")
    )
    summed = refused.group_by("country", "outcome", "reason").agg(pl.col("n").sum())
    long = grid.join(summed, on=["country", "outcome", "reason"], how="left").with_columns(
        pl.col("n").fill_null(0).cast(pl.Int64), pl.col("reason").cast(pl.Enum(list(reasons)))
    )
    return disclose_table(long, rows=["country", "outcome"], column="reason", rules=rules)


# -- the workbook --------------------------------------------------------------------------


def report(
    context: Retour,
    *,
    year: str | None,
    out: Path,
    profile: str | Profile | None = None,
    confidential: str | None = None,
    lang: Language = "nl",
    actor: audit.Actor | None = None,
) -> Art25aReport:
    """Write the Article 25a workbook of `year` to `out` (.xlsx); audited as an export."""
    _check_out(out)
    found = figures(context, year=year, profile=profile, confidential=confidential)
    small = reading.small_tables(context.database())
    instruments = indicators.instruments_in_force(small.instruments, small.terms, found.year)
    if found.rules.pools:
        instruments = instruments.filter(~pl.col("country").is_in(sorted(found.rules.confidential)))
    index, level = _index(context, found, confidential)
    made = Art25aReport(found, instruments, index, level)
    data = render.workbook(accept(made, "xlsx"), lang)
    write_file(out, data)
    _record(context, found, "xlsx", actor)
    return made


def _index(
    context: Retour, found: Art25aFigures, confidential: str | None
) -> tuple[pl.DataFrame, float]:
    from retour.service import cooperation

    empty = pl.DataFrame(
        schema={"country": pl.String(), "index": pl.Float64(), "lower": pl.Float64(),
                "upper": pl.Float64()}
    )  # fmt: skip
    try:
        assessed = cooperation.assess_period(
            context, str(found.year), profile=found.rules.profile, confidential=confidential
        )
    except UsageError:
        return empty, 0.90
    table = assessed.table.select("country", "index", "lower", "upper")
    return table.cast({c: pl.Float64 for c in ("index", "lower", "upper")}), assessed.level


def _check_out(out: Path) -> None:
    if out.is_dir():
        raise UsageError(N_("{path} is a folder."), hint=N_("Name the file to write."), path=out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(
            N_("{path}: the workbook is written as .xlsx."),
            hint=N_("Name the file e.g. art25a-2023.xlsx."),
            path=out,
        )


# -- exports -------------------------------------------------------------------------------


def export(
    context: Retour,
    found: Art25aFigures,
    fmt: str,
    *,
    actor: audit.Actor | None = None,
) -> str:
    """The figures as CSV or JSON text; audited as an export (a table on a screen is not)."""
    from retour.reports import tabular

    accept(found, fmt)
    text = tabular.csv_text(found) if fmt == "csv" else render.indicators_json(found, _head(found))
    _record(context, found, fmt, actor)
    return text


def _head(found: Art25aFigures) -> dict[str, object]:
    origin = found.origin
    return {
        "year": found.year,
        "profile": found.rules.profile.value,
        "extracted_on": None if origin.extracted_on is None else origin.extracted_on.isoformat(),
        "fingerprint": origin.fingerprint,
        "simulated": origin.simulated,
        "not_assessed": [
            {"country": c, "kind": k, "status": s, "since": d.isoformat()}
            for c, k, s, d in found.statuses.iter_rows()
        ],
    }


def _record(context: Retour, found: Art25aFigures, fmt: str, actor: audit.Actor | None) -> None:
    workbook = fmt == "xlsx"
    audit.record_by(
        context,
        actor or audit.Actor.command_line(),
        audit.AuditAction.EXPORT_WORKBOOK if workbook else audit.AuditAction.EXPORT_FIGURES,
        profile=found.rules.profile.value,
        subject="art25a",
        detail={"year": found.year, "format": fmt},
    )

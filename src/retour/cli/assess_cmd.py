"""`retour assess`, `retour effects`, `retour answer-times`, `retour report cooperation|country`.

Thin over :mod:`retour.service.cooperation`: options go in as text, published tables come
out as a table, CSV or JSON. The default profile is the safest, ``public``; every output
says which profile was applied, and, for simulated data, that the data are simulated.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from retour.cli.figures_cmd import Confidential, Format, Lang, ProfileOption
from retour.cli.render import OutputFormat, console, print_json, print_wide
from retour.cli.session import command_app, context, err_console
from retour.reports.messages import N_, _

if TYPE_CHECKING:
    import polars as pl

    from retour.disclosure import DisclosureRules, Language, Note

# Polars, the disclosure rules, the labels and the services are imported inside the
# functions: every `retour` command imports this module, and only these commands need them.

#: The default profile, the safest (``retour.disclosure.Profile.PUBLIC``).
PUBLIC: Final = "public"

#: `retour assess`, `retour effects`, `retour answer-times`.
app = command_app()
#: `retour report cooperation`, `retour report country`.
report_app = command_app()

ReportOut = Annotated[
    Path,
    typer.Option("--out", help="The file to write: .html (self-contained) or .docx (to edit)."),
]
KindOption = Annotated[
    str, typer.Option("--kind", help="LP, TO, or all (the default): which requests count.")
]


def _language(lang: str) -> Language:
    from retour.service.figures import parse_language

    return parse_language(lang)


@app.command("assess")
def assess(
    period: Annotated[str, typer.Option("--period", help="A year (2023) or a quarter (2023Q2).")],
    kind: KindOption = "all",
    profile: ProfileOption = PUBLIC,
    confidential: Confidential = None,
    fmt: Format = OutputFormat.TABLE,
    lang: Lang = "nl",
) -> None:
    """The cooperation index of every country in a period, with its interval, components
    and the naive positive share."""
    from retour.service import cooperation

    language = _language(lang)
    with context() as ctx:
        result = cooperation.assess_period(
            ctx, period, kind=kind, profile=profile, confidential=confidential
        )
    meta = {
        "period": result.period.label,
        "kind": result.kind,
        "as_of": result.as_of.isoformat(),
        "level": result.level,
    }
    _output(
        result.table if fmt is not OutputFormat.TABLE else _index_view(result.table, language),
        fmt,
        language,
        result.rules,
        result.origin.simulated,
        meta,
        result.notes,
        title=_both(
            "Cooperation index {period} ({kind})",
            period=result.period.label,
            kind=_KINDS.get(result.kind, result.kind),
        ),
    )


@app.command("effects")
def effects(
    profile: ProfileOption = PUBLIC,
    confidential: Confidential = None,
    fmt: Format = OutputFormat.TABLE,
    lang: Lang = "nl",
) -> None:
    """The estimated effect of every instrument on the index, with its verdict."""
    from retour.service import cooperation

    language = _language(lang)
    with context() as ctx:
        result = cooperation.effects_of_instruments(ctx, profile=profile, confidential=confidential)
    meta = {"as_of": result.as_of.isoformat(), "level": result.level}
    columns = [
        "instrument_id",
        "country",
        "kind",
        "start_on",
        "effect",
        "lower",
        "upper",
        "verdict",
        "n_before",
        "n_after",
        "controls",
        "note",
    ]
    table = result.table if fmt is OutputFormat.JSON else result.table.select(columns)
    _output(
        table,
        fmt,
        language,
        result.rules,
        result.origin.simulated,
        meta,
        result.notes,
        title=_both("Effects of instruments (index points)"),
    )


@app.command("answer-times")
def answer_times(
    by: Annotated[str, typer.Option("--by", help="year or quarter of submission.")] = "year",
    country: Annotated[
        str | None,
        typer.Option("--country", help="Only these countries, e.g. MA or MA,DZ (default: all)."),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option("--years", help="Only the periods of one year (2022) or a range (2022-2023)."),
    ] = None,
    profile: ProfileOption = PUBLIC,
    confidential: Confidential = None,
    fmt: Format = OutputFormat.TABLE,
    lang: Lang = "nl",
) -> None:
    """Share of requests answered by day 30, 60, 90, 180 and 365, per country, kind and
    period (Aalen-Johansen: withdrawals compete, pending requests are censored)."""
    from retour.service import cooperation

    language = _language(lang)
    with context() as ctx:
        result = cooperation.answer_time_table(
            ctx, granularity=by, profile=profile, confidential=confidential
        )
    meta = {"as_of": result.as_of.isoformat(), "by": by.strip().lower()}
    _output(
        _narrowed(result.table, country, years, result.rules.profile.value),
        fmt,
        language,
        result.rules,
        result.origin.simulated,
        meta,
        result.notes,
        title=_both("Answer times"),
    )


@report_app.command("cooperation")
def report_cooperation(
    period: Annotated[str, typer.Option("--period", help="A year (2023) or a quarter (2023Q2).")],
    out: ReportOut,
    profile: ProfileOption = PUBLIC,
    confidential: Confidential = None,
    lang: Lang = "nl",
) -> None:
    """The sliding scale: every country as a point with its interval, offline HTML."""
    from retour.service import cooperation

    with context() as ctx:
        path = cooperation.cooperation_report(
            ctx, period, out, profile=profile, confidential=confidential, lang=_language(lang)
        )
    console.print(f"Wrote {path}.", markup=False)


@report_app.command("country")
def report_country(
    country: Annotated[str, typer.Argument(help="The country's code, e.g. MA.")],
    out: ReportOut,
    profile: ProfileOption = PUBLIC,
    confidential: Confidential = None,
    lang: Lang = "nl",
) -> None:
    """One country: the index over time, answer times, answers and reasons, instruments."""
    from retour.service import cooperation

    with context() as ctx:
        path = cooperation.country_report(
            ctx, country, out, profile=profile, confidential=confidential, lang=_language(lang)
        )
    console.print(f"Wrote {path}.", markup=False)


def _narrowed(
    table: pl.DataFrame, countries: str | None, years: str | None, profile: str
) -> pl.DataFrame:
    """The published answer times of some countries and years only (--country, --years):
    rows of the published table, so narrowing shows nothing the whole table does not."""
    import polars as pl

    from retour.domain.errors import UsageError
    from retour.service.figures import resolve_years

    if countries is not None:
        codes = [c.strip().upper() for c in countries.split(",") if c.strip()]
        missing = sorted(set(codes) - set(table["country"].to_list()))
        if missing or not codes:
            raise UsageError(
                f"No answer times of {', '.join(missing) or repr(countries)} under the "
                f"{profile} profile.",
                hint="Give ISO 3166-1 alpha-2 codes (MA or MA,DZ) of countries with requests; "
                "outside the internal profile a confidential country is shown only within "
                "'other countries' (OTHER).",
            )
        table = table.filter(pl.col("country").is_in(codes))
    if years is not None:
        year = pl.col("period").str.slice(0, 4).cast(pl.Int64)
        found = table.select(year.min().alias("first"), year.max().alias("last")).row(0)
        span = None if found[0] is None else (int(found[0]), int(found[1]))
        chosen = resolve_years(years, span, None, "answer times")
        table = table.filter(year.is_in(chosen))
    return table


# -- rendering -------------------------------------------------------------------------------


def _output(
    table: pl.DataFrame,
    fmt: OutputFormat,
    lang: Language,
    rules: DisclosureRules,
    simulated: bool,
    meta: dict[str, Any],
    notes: tuple[Note, ...],
    *,
    title: tuple[str, str],
) -> None:
    from retour.reports import labels

    for warning in rules.warnings:
        err_console.print(f"warning: {warning}", markup=False)
    lines = [labels.profile_line(rules, lang), *(n.text(lang) for n in notes)]
    if simulated:
        lines.insert(0, labels.SIMULATED)
    if fmt is OutputFormat.JSON:
        print_json(
            {
                **meta,
                "profile": rules.profile.value,
                "simulated": simulated,
                "notes": lines,
                "rows": _json_rows(table),
            }
        )
        return
    if fmt is OutputFormat.CSV:
        for line in lines:
            err_console.print(line, markup=False)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(table.columns)
        for row in table.iter_rows():
            writer.writerow(["" if v is None else _csv_value(v) for v in row])
        return
    heading = labels.text(title, lang)
    heading = f"{heading} — {labels.SIMULATED}" if simulated else heading
    display, numeric = _display(table, lang)
    print_wide(heading, display, numeric)
    for line in lines:
        console.print(line, markup=False)


#: The headers of the table format that the reports' columns (reports.cooperation.COLUMNS)
#: do not have; CSV and JSON keep the column names.
_HEADERS: Final[dict[str, str]] = {
    "country": N_("Code"),
    "kind": N_("Kind"),
    "lower": N_("Lower"),
    "upper": N_("Upper"),
    "n_before": N_("Requests before"),
    "n_after": N_("Requests after"),
    "controls": N_("Comparison countries"),
    "note": N_("Note"),
    "answered_60d": N_("Answered ≤ 60 d"),
    "answered_180d": N_("Answered ≤ 180 d"),
}
#: The kinds of request as an index's title names them (LP and TO are their own names).
_KINDS: Final = {"all": N_("all kinds")}


def _both(text: str, **values: str) -> tuple[str, str]:
    """A table's title from the catalog in Dutch and in English, ``values`` filled in; the
    ``kind`` named in each language (:data:`_KINDS`)."""

    def one(lang: Language) -> str:
        kind = {"kind": _(values["kind"], lang)} if "kind" in values else {}
        return _(text, lang, **{**values, **kind})

    return one("nl"), one("en")


#: Columns of the assessment's display frame (all text) that hold figures.
_FIGURES: Final = frozenset(
    {
        "index", "n_requests", "answer_rate_90d", "median_days_to_answer",
        "confirmation_observed", "confirmation_expected", "document_within_30d",
        "naive_positive_share",
    }
)  # fmt: skip


def _display(table: pl.DataFrame, lang: Language) -> tuple[pl.DataFrame, list[str]]:
    """The table as text for a terminal or a pipe: the country's name beside its code,
    headers in ``lang``; and the headers of the columns that hold figures."""
    import polars as pl

    from retour.reports import labels
    from retour.reports.cooperation import COLUMNS

    numeric = {c for c, d in table.schema.items() if d.is_numeric()} | (
        _FIGURES & set(table.columns)
    )
    text = table.select(
        pl.col(c).map_elements(_cell, return_dtype=pl.String) if c in numeric or d != pl.String
        else pl.col(c)
        for c, d in table.schema.items()
    )  # fmt: skip
    if "country" in text.columns and "name" not in text.columns:
        names = [labels.cell_country_name(c, lang) for c in text["country"].to_list()]
        text = text.insert_column(text.columns.index("country") + 1, pl.Series("name", names))
    headers = {
        c: labels.text(COLUMNS[c], lang) if c in COLUMNS else _(_HEADERS.get(c, c), lang)
        for c in text.columns
    }
    return text.rename(headers), [headers[c] for c in text.columns if c in numeric]


def _index_view(table: pl.DataFrame, lang: Language) -> pl.DataFrame:
    """The assessment for a terminal: names, rounded figures, intervals as a-b, arrows."""
    from retour.reports.cooperation import figures_frame

    return figures_frame(table, lang)


def _csv_value(value: object) -> object:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return value


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def _json_rows(table: pl.DataFrame) -> list[dict[str, Any]]:
    import polars as pl

    dates = [c for c, d in table.schema.items() if d == pl.Date]
    return table.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).to_dicts()

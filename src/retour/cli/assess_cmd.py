"""`retour assess`, `retour effects`, `retour answer-times`, `retour report cooperation|country`.

Thin over :mod:`retour.service.cooperation`: options go in as text, published tables come
out as a table, CSV or JSON. The default profile is the safest, ``public``; every output
says which profile was applied, and, for simulated data, that the data are simulated.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from retour.cli.figures_cmd import Confidential, Format, Lang, ProfileOption
from retour.cli.render import OutputFormat, console, print_wide
from retour.cli.session import command_app, context, err_console
from retour.reports.messages import N_, _

if TYPE_CHECKING:
    import polars as pl

    from retour.disclosure import DisclosedEstimates, Language
    from retour.service.context import Retour

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
    from retour.domain.language import parse_language

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
            ctx,
            result.published,
            fmt,
            language,
            meta,
            subject="assess",
            view=_index_view(result.table, language) if fmt is OutputFormat.TABLE else None,
            title=_both(
                N_("Cooperation index {period} ({kind})"),
                period=result.period.label,
                kind=_KINDS.get(result.kind, result.kind),
            ),
        )


PoolBy = Annotated[
    str | None,
    typer.Option(
        "--pool-by",
        help="kind: one joint estimate for the instruments of each kind instead of one row "
        "per instrument.",
    ),
]


@app.command("effects")
def effects(
    profile: ProfileOption = PUBLIC,
    confidential: Confidential = None,
    fmt: Format = OutputFormat.TABLE,
    lang: Lang = "nl",
    pool_by: PoolBy = None,
) -> None:
    """The estimated effect of every instrument on the index, with its verdict."""
    from retour.service import cooperation

    language = _language(lang)
    if pool_by is not None:
        _pooled_effects(pool_by, profile, confidential, fmt, language)
        return
    with context() as ctx:
        result = cooperation.effects_of_instruments(ctx, profile=profile, confidential=confidential)
        meta = {"as_of": result.as_of.isoformat(), "level": result.level}
        published = result.published
        if fmt is not OutputFormat.JSON:
            published = published.narrowed(columns=_EFFECT_COLUMNS)
        _output(
            ctx,
            published,
            fmt,
            language,
            meta,
            subject="effects",
            title=_both(N_("Effects of instruments (index points)")),
        )


def _pooled_effects(
    pool_by: str, profile: str, confidential: str | None, fmt: OutputFormat, lang: Language
) -> None:
    """`retour effects --pool-by kind`: the joint effect of the instruments of each kind."""
    from retour.service import cooperation

    with context() as ctx:
        result = cooperation.pooled_effects_of_instruments(
            ctx, pool_by, profile=profile, confidential=confidential
        )
        meta = {"as_of": result.as_of.isoformat(), "level": result.level, "by": "kind"}
        published = result.published
        if fmt is not OutputFormat.JSON:
            published = published.narrowed(columns=_POOLED_COLUMNS)
        _output(
            ctx,
            published,
            fmt,
            lang,
            meta,
            subject="effects",
            title=_both(N_("Joint effects of instruments by kind (index points)")),
        )


#: The columns of the joint effects in a table and in CSV (JSON has every published column).
_POOLED_COLUMNS: Final = (
    "kind", "instruments", "pooled", "effect", "lower", "upper", "verdict", "n_before",
    "n_after", "note",
)  # fmt: skip
#: The columns of the effects in a table and in CSV (JSON has every published column).
_EFFECT_COLUMNS: Final = (
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
            ctx,
            _narrowed(result.published, country, years),
            fmt,
            language,
            meta,
            subject="answer-times",
            title=_both(N_("Answer times")),
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
    published: DisclosedEstimates, countries: str | None, years: str | None
) -> DisclosedEstimates:
    """The published answer times of some countries and years only (--country, --years):
    rows of the published table, so narrowing shows nothing the whole table does not."""
    import polars as pl

    from retour.domain.errors import UsageError
    from retour.service.years import resolve_years

    table, profile = published.frame, published.rules.profile.value
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
        published = published.narrowed(pl.col("country").is_in(codes))
    if years is not None:
        year = pl.col("period").str.slice(0, 4).cast(pl.Int64)
        found = published.frame.select(year.min().alias("first"), year.max().alias("last"))
        first, last = found.row(0)
        span = None if first is None else (int(first), int(last))
        chosen = resolve_years(years, span, None, "answer times")
        published = published.narrowed(year.is_in(chosen))
    return published


# -- rendering -------------------------------------------------------------------------------


def _output(
    ctx: Retour,
    published: DisclosedEstimates,
    fmt: OutputFormat,
    lang: Language,
    meta: dict[str, Any],
    *,
    subject: str,
    title: tuple[str, str],
    view: pl.DataFrame | None = None,
) -> None:
    """Published estimates as a table on the terminal (``view``: a display frame made from
    them, else their frame), or exported as CSV or JSON (rendered and recorded by the
    service; for CSV the notes go to stderr)."""
    from retour.disclosure import accept
    from retour.reports import labels
    from retour.reports.models import notes_lines
    from retour.service.publication import ExportFormat, export_estimates

    for warning in published.rules.warnings:
        err_console.print(f"warning: {warning}", markup=False)
    lines = notes_lines(published, lang)
    if fmt is not OutputFormat.TABLE:
        if fmt is OutputFormat.CSV:
            for line in lines:
                err_console.print(line, markup=False)
        exported = export_estimates(
            ctx, published, ExportFormat(fmt.value), subject=subject, lang=lang, answers=meta
        )
        sys.stdout.write(exported)
        return
    table = accept(published, "table").frame
    table = table if view is None else view  # a display made from the published frame
    simulated = published.origin.simulated
    heading = title[0] if lang == "nl" else title[1]  # made by _both
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
    "instruments": N_("Instruments"),
    "pooled": N_("With an effect"),
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
        "naive_positive_share", "check",
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
    text = _worded(table, lang).select(
        pl.col(c).map_elements(_cell, return_dtype=pl.String) if c in numeric or d != pl.String
        else pl.col(c)
        for c, d in table.schema.items()
    )  # fmt: skip
    if "country" in text.columns and "name" not in text.columns:
        names = [labels.cell_country_name(c, lang) for c in text["country"].to_list()]
        text = text.insert_column(text.columns.index("country") + 1, pl.Series("name", names))
    headers = {
        c: _(COLUMNS[c], lang) if c in COLUMNS else _(_HEADERS.get(c, c), lang)
        for c in text.columns
    }
    return text.rename(headers), [headers[c] for c in text.columns if c in numeric]


#: The columns of a table whose codes a reader sees in words (CSV and JSON keep the codes).
_WORDED: Final = ("verdict", "kind", "note")


def _worded(table: pl.DataFrame, lang: Language) -> pl.DataFrame:
    """Codes in words: verdicts, the kinds of instrument and of request, and the effect
    estimates' notes, in ``lang``."""
    import polars as pl

    from retour.reports import charts, labels

    def words(column: str) -> dict[str, str]:
        values = table[column].drop_nulls().unique().to_list()
        if column == "note":
            return {v: charts.effect_note(v, lang) for v in values}
        known = charts.words(charts.VERDICT_TEXT, lang) | charts.words(charts.INSTRUMENT_TEXT, lang)
        known |= {k: _(v, lang) for k, v in _KINDS.items()}
        return {v: known.get(v) or labels.code_label(v, lang) for v in values}

    coded = [c for c in _WORDED if c in table.columns and table.schema[c] == pl.String]
    return table.with_columns(pl.col(c).replace(words(c)) for c in coded)


def _index_view(table: pl.DataFrame, lang: Language) -> pl.DataFrame:
    """The assessment for a terminal: names, rounded figures, intervals as a-b, arrows;
    beside the index its model-free check, its interval and whether the two disagree."""
    import polars as pl

    from retour.reports import charts, labels
    from retour.reports.cooperation import figures_frame

    figures = figures_frame(table, lang)
    if "check" not in table.columns:
        return figures
    words = {True: _("yes", lang), False: _("no", lang)}

    def points(value: float | None) -> str:
        return charts.DASH if value is None else f"{value:.0f}"

    rows = [
        {
            "name": labels.country_name(r["country"], lang),
            "check": points(r["check"]),
            "check_interval": f"{points(r['check_lower'])}{charts.DASH}{points(r['check_upper'])}"
            if r["check_lower"] is not None
            else "",
            "disagrees": words.get(r["disagrees"], ""),
        }
        for r in table.iter_rows(named=True)
    ]
    checks = pl.DataFrame(rows, schema={c: pl.String for c in _CHECK_VIEW}, orient="row")
    return figures.join(
        checks.unique("name", keep="first"), on="name", how="left", maintain_order="left"
    )


#: The columns the table format adds for the check.
_CHECK_VIEW: Final = ("name", "check", "check_interval", "disagrees")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)

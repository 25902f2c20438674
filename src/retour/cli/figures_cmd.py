"""`retour figures ...` and `retour report press`: publishable figures on the command line.

Thin over :mod:`retour.service.figures`: options go in as text (the service checks them
and says what is wrong), disclosed tables come out as a table, CSV or JSON. The default
profile is the safest, ``public``; every output says which profile was applied.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.render import OutputFormat, console, print_footer, print_wide
from retour.cli.session import command_app, context, err_console
from retour.domain.language import parse_language

if TYPE_CHECKING:
    import polars as pl

    from retour.disclosure import Language
    from retour.service import figures
    from retour.service.context import Retour

#: `retour figures requests|detentions|departures`.
figures_app = command_app()
#: `retour report press`.
report_app = command_app()

NAME_SUFFIX = "_name"
# Everything heavier than Typer and Rich (Polars, SQLAlchemy, the service, the labels) is
# imported inside the functions: every `retour` command imports this module, and only the
# figures commands need those.

Years = Annotated[
    str | None,
    typer.Option(
        "--years",
        help="One year (2021) or a range (2019-2023). Default: the last five full years.",
    ),
]
_PROFILE_HELP = (
    "internal (exact), parliament (confidential countries pooled) or public "
    "(pooled, <5 hidden, rounded to tens). Default: public, the safest."
)
#: --profile for commands that give Profile.PUBLIC.value as their default (other modules).
ProfileOption = Annotated[str, typer.Option("--profile", help=_PROFILE_HELP)]
#: --profile here: not given means public, decided by the service.
_Profile = Annotated[str | None, typer.Option("--profile", help=_PROFILE_HELP)]
Confidential = Annotated[
    str | None,
    typer.Option(
        "--confidential",
        help="Countries to pool as 'other countries', e.g. MA,DZ (added to the "
        "`confidential` setting).",
    ),
]
Format = Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")]
Lang = Annotated[str, typer.Option("--lang", help="Language of titles and notes: nl or en.")]
Names = Annotated[
    str | None,
    typer.Option(
        "--names", help="Country names in nl or en: a column in CSV and JSON; a table has them."
    ),
]


@figures_app.command("requests")
def requests(
    years: Years = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Columns to count by: kind, year, country, outcome, reason (default "
            "kind,year,outcome). The last one runs across in the table.",
        ),
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="LP or TO only.")] = None,
    cohort: Annotated[
        str,
        typer.Option(
            "--cohort",
            help="submitted: by year of submission (bekendstelling), with the answer as of "
            "the extraction date; outcome: by year of the answer.",
        ),
    ] = "submitted",
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            help="Only requests with these answers, e.g. negative,withdrawn (with --by "
            "...,reason: how often, and why, return was refused).",
        ),
    ] = None,
    profile: _Profile = None,
    confidential: Confidential = None,
    fmt: Format = OutputFormat.TABLE,
    lang: Lang = "nl",
    names: Names = None,
) -> None:
    """LP applications and readmission (T&O) requests, with their answers."""
    language, name_language = _languages(lang, names)
    from retour.service import figures

    with context() as ctx:
        answer = figures.request_figures(
            ctx,
            years=years,
            by=by,
            kind=kind,
            cohort=cohort,
            profile=profile,
            confidential=confidential,
            outcome=outcome,
        )
        _render(ctx, answer, fmt, language, name_language)


@figures_app.command("detentions")
def detentions(
    years: Years = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", help="Columns: year, end_reason, nationality (default year,end_reason)."
        ),
    ] = None,
    profile: _Profile = None,
    confidential: Confidential = None,
    fmt: Format = OutputFormat.TABLE,
    lang: Lang = "nl",
    names: Names = None,
) -> None:
    """Detentions ended per year by end reason; of those released, how many left without
    supervision within 30 days."""
    language, name_language = _languages(lang, names)
    from retour.service import figures

    with context() as ctx:
        answer = figures.detention_figures(
            ctx, years=years, by=by, profile=profile, confidential=confidential
        )
        _render(ctx, answer, fmt, language, name_language)


@figures_app.command("departures")
def departures(
    years: Years = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Columns: year, type, nationality, destination, assisted (default year,type).",
        ),
    ] = None,
    profile: _Profile = None,
    confidential: Confidential = None,
    fmt: Format = OutputFormat.TABLE,
    lang: Lang = "nl",
    names: Names = None,
) -> None:
    """Departures per year, by type and nationality."""
    language, name_language = _languages(lang, names)
    from retour.service import figures

    with context() as ctx:
        answer = figures.departure_figures(
            ctx, years=years, by=by, profile=profile, confidential=confidential
        )
        _render(ctx, answer, fmt, language, name_language)


@figures_app.command("terms")
def terms_figures(
    years: Years = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Rows by country, kind and/or year (default country,year)."),
    ] = None,
    profile: _Profile = None,
    confidential: Confidential = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write CSV or JSON here.")] = None,
    lang: Lang = "nl",
) -> None:
    """Agreed time limits kept: requests with terms due by the extraction date, answered in
    time or late, not answered, withdrawn; documents after positive answers."""
    from retour.domain.language import parse_language
    from retour.reports import terms as render
    from retour.service import terms

    language = parse_language(lang)
    chosen = terms.parse_format(fmt)
    with context() as ctx:
        answer = terms.compliance(
            ctx, years=years, by=by, profile=profile, confidential=confidential
        )
        for warning in answer.rules.warnings:
            err_console.print(f"warning: {warning}", markup=False)
        if chosen is terms.TermsFormat.TABLE:
            from retour.cli.render import print_rows
            from retour.disclosure import accept
            from retour.reports import labels
            from retour.reports.messages import _

            below = accept(answer, "table").rules.suppress_below
            headers, rows = render.compliance_cells(
                answer.published, answer.status, answer.by, language, below
            )
            years_text = labels.years_text(list(answer.years))
            title = _("Agreed time limits kept, {years}", language, years=years_text)
            print_rows(title, headers, rows, numeric=headers[len(answer.by) :])
            notes = [_(render.COMPLIANCE_NOTE, language)]
            print_footer(notes, answer.rules, answer.origin, language)
            return
        text = terms.export_compliance(ctx, answer, chosen, out=out)
    if text is not None:
        sys.stdout.write(text)


@report_app.command("press")
def press(
    out: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")],
    years: Years = None,
    profile: _Profile = None,
    confidential: Confidential = None,
    lang: Annotated[str, typer.Option("--lang", help="nl or en.")] = "nl",
    since_release: Annotated[
        str | None,
        typer.Option(
            "--since-release",
            help="Add a sheet setting the figures beside this earlier press release's "
            "(retour releases list --what press), each difference with its cause.",
        ),
    ] = None,
) -> None:
    """The press workbook: LP and T&O per year and answer, refusals per
    country, definitions."""
    from retour.service import figures

    with context() as ctx:
        report = figures.press_workbook(
            ctx,
            out,
            years=years,
            profile=profile,
            confidential=confidential,
            lang=lang,
            since_release=since_release,
        )
    from retour.reports import labels

    tables = report.tables
    for warning in tables.rules.warnings:
        err_console.print(f"warning: {warning}", markup=False)
    language = parse_language(lang)
    console.print(f"Wrote {report.path}.", markup=False)
    console.print(labels.profile_line(tables.rules, language), markup=False)
    if tables.provenance.simulated:
        console.print(labels.SIMULATED, markup=False)


# -- rendering -------------------------------------------------------------------------------


def _languages(lang: str, names: str | None) -> tuple[Language, Language | None]:
    return parse_language(lang), parse_language(names) if names else None


def _render(
    ctx: Retour,
    answer: figures.Figures,
    fmt: OutputFormat,
    lang: Language,
    names: Language | None,
) -> None:
    """A table on the terminal; CSV or JSON as an export, recorded by the service."""
    from retour.reports import labels
    from retour.service import figures

    for warning in answer.rules.warnings:
        err_console.print(f"warning: {warning}", markup=False)
    if fmt is OutputFormat.TABLE:
        _table(answer, lang, names)
        return
    if fmt is OutputFormat.CSV:  # notes on stderr, not in the CSV
        if answer.provenance.simulated:
            err_console.print(labels.SIMULATED, markup=False)
        err_console.print(labels.profile_line(answer.rules, lang), markup=False)
    exported = figures.export_figures(
        ctx, answer, figures.ExportFormat(fmt.value), lang=lang, names=names
    )
    sys.stdout.write(exported)


def _table(answer: figures.Figures, lang: Language, names: Language | None) -> None:
    from retour.disclosure import accept
    from retour.reports import messages

    for table in accept(answer, "table").tables:
        # a reader sees words: names beside the country codes (in the language of --names,
        # else of --lang), and the other codes in words (CSV and JSON keep the codes)
        shown = table.table.to_display_frame(lang)
        values = shown.columns[len(table.table.row_dims) :]
        shown = shown.with_columns(messages.counts(shown[c], lang) for c in values)
        display = _named(shown, table, names or lang)
        display, value_headers = _worded(display, table, lang)
        print_wide(table.title.text(lang), display, value_headers)
    print_footer(answer.notes_in(lang), answer.rules, answer.provenance, lang)


def _worded(
    display: pl.DataFrame, table: figures.FigureTable, lang: Language
) -> tuple[pl.DataFrame, list[str]]:
    """The codes of a table in words for a reader: its headers, the values of its row
    dimensions and those of the dimension that runs across (a country keeps its code, with
    its name beside it); and the headers of the columns that hold figures."""
    import polars as pl

    from retour.disclosure import COUNTRY_COLUMNS
    from retour.reports import labels
    from retour.reports.messages import _

    disclosed = table.table
    coded = [d for d in disclosed.row_dims if d not in (*COUNTRY_COLUMNS, "year")]
    display = display.with_columns(
        pl.col(d).replace({v: labels.code_label(v, lang) for v in display[d].unique().drop_nulls()})
        for d in coded
    )
    values = [c for c in display.columns if c not in disclosed.row_dims]
    values = [c for c in values if not c.endswith(NAME_SUFFIX)]
    across = disclosed.column not in (None, "year", *COUNTRY_COLUMNS)
    headers = {c: labels.code_label(c, lang) if across else c for c in values}
    for dim in disclosed.row_dims:
        word = _(labels.DIMENSION.get(dim, dim), lang)
        named = dim + NAME_SUFFIX in display.columns
        headers[dim] = _(labels.DIMENSION["code"], lang) if named else word
        headers[dim + NAME_SUFFIX] = word
    shown = display.rename({c: h for c, h in headers.items() if c in display.columns})
    return shown, [headers[c] for c in values]


def _named(display: pl.DataFrame, table: figures.FigureTable, lang: Language) -> pl.DataFrame:
    """Country names beside the codes: a column after each country row dimension, and the
    name in the header when countries run across."""
    import polars as pl

    from retour.disclosure import COUNTRY_COLUMNS, IS_TOTAL
    from retour.reports import labels

    disclosed = table.table
    for dim in reversed(disclosed.row_dims):
        if dim not in COUNTRY_COLUMNS:
            continue
        codes = disclosed.shown.select(
            pl.when(pl.col(IS_TOTAL)).then(pl.lit(None)).otherwise(pl.col(dim))
        ).to_series()
        names = pl.Series(
            dim + NAME_SUFFIX, [labels.cell_country_name(c, lang) for c in codes.to_list()]
        )
        at = display.columns.index(dim) + 1
        display = display.insert_column(at, names)
    if disclosed.column in COUNTRY_COLUMNS:
        display = display.rename(
            {
                c: f"{labels.country_name(c, lang)} ({c})"
                for c in disclosed.value_columns
                if c in display.columns and labels.country_name(c, lang) != c
            }
        )
    return display

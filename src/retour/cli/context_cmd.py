"""`retour context ...`: the EU context from Eurostat's return statistics.

Thin over :mod:`retour.service.outside`. ``import`` takes several files, each written all or
nothing on its own; ``return-rate`` shows orders to leave, returns and the rate of one
citizenship per reporting state and year, with Eurostat's flags, through a publication
profile (default ``public``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.render import OutputFormat, console, print_lines, print_rows
from retour.cli.session import command_app, context, err_console
from retour.domain.errors import InputError
from retour.reports.messages import _

if TYPE_CHECKING:
    from retour.disclosure import Language
    from retour.service import outside
    from retour.service.context import Retour

# Polars, the analysis, the texts and the services are imported inside the functions:
# every `retour` command imports this module, and only these commands need them.

context_app = command_app(
    help="The EU context: Eurostat's orders to leave and returns (migr_eiord, migr_eirtn)."
)


@context_app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Eurostat files: SDMX TSV (.tsv, .tsv.gz), SDMX-CSV or the Data Explorer CSV."
        ),
    ],
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset",
            help="migr_eiord or migr_eirtn, when neither the file name nor its header says it.",
        ),
    ] = None,
) -> None:
    """Import Eurostat's return statistics: each file all or nothing, the others still."""
    from retour.service import outside  # imported when run: the CLI starts faster

    failed: list[Path] = []
    with context() as ctx:
        for done in outside.import_files(ctx, files, dataset=dataset):
            if done.ok:
                _print_imported(done)
            else:
                _print_failed(done)
                failed.append(done.path)
    if failed:
        names = ", ".join(str(p) for p in failed)
        raise InputError(
            f"{len(failed)} of {len(files)} files were not imported (nothing of them was "
            f"written): {names}.",
            hint="Correct them or download them again; the other files were imported.",
        )


def _print_imported(done: outside.FileImport) -> None:
    result = done.result
    assert result is not None
    console.print(
        f"{done.path}: {done.dataset} ({done.format}), {result.rows} values — "
        f"inserted {result.inserted}, updated {result.updated}, unchanged {result.unchanged}.",
        markup=False,
    )


def _print_failed(done: outside.FileImport) -> None:
    lines = list(done.problems)
    if done.total_problems > len(lines):
        lines.append(f"... and {done.total_problems - len(lines)} more problems")
    lines.append(f"{done.path}: not imported; nothing of it was written.")
    print_lines(lines, stderr=True)


@context_app.command("return-rate")
def return_rate(
    citizen: Annotated[
        str,
        typer.Option(
            "--citizen", help="Citizenship: ISO 3166-1 alpha-2 (MA), or TOTAL, STLS, UNK, ..."
        ),
    ],
    geo: Annotated[
        str | None,
        typer.Option(
            "--geo",
            help="One reporting state (NL, BE, EL): its rows, the EU aggregates and its rank. "
            "Default: every state; the rank shown is the Netherlands'.",
        ),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(
            "--years", help="One year (2016) or a range (2012-2016). Default: the last five."
        ),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")] = (
        OutputFormat.TABLE
    ),
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            help="internal, parliament or public (default). Under parliament and public a "
            "confidential citizenship is refused.",
        ),
    ] = "public",
    confidential: Annotated[
        str | None,
        typer.Option(
            "--confidential", help="Confidential countries, e.g. MA,DZ (added to the setting)."
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="nl or en.")] = "nl",
) -> None:
    """Orders to leave, returns and the return rate of one citizenship, per state and year."""
    from retour.domain.language import parse_language
    from retour.service import outside  # imported when run: the CLI starts faster

    language = parse_language(lang)
    with context() as ctx:
        answer = outside.return_rate(
            ctx, citizen, geo=geo, years=years, profile=profile, confidential=confidential
        )
        for warning in answer.rules.warnings:
            err_console.print(f"warning: {warning}", markup=False)
        if fmt is not OutputFormat.TABLE:
            _export(ctx, answer, fmt, language)
            return
    _table(answer, language)


def _export(
    ctx: Retour, answer: outside.ReturnRateAnswer, fmt: OutputFormat, lang: Language
) -> None:
    """CSV (the rows; notes on stderr) or JSON, rendered and recorded by the service."""
    from retour.reports import context as texts
    from retour.service.publication import ExportFormat, export_answer

    if fmt is OutputFormat.CSV:
        for line in [*texts.notes(answer.rates, lang), texts.profile_line(answer.rules, lang)]:
            err_console.print(line, markup=False)
    exported = export_answer(
        ctx,
        answer,
        ExportFormat(fmt.value),
        subject="return-rate",
        document=lambda: answer.document(lang),
        detail={"country": answer.rates.citizen},
    )
    sys.stdout.write(exported)


def _table(answer: outside.ReturnRateAnswer, lang: Language) -> None:
    from retour.analysis import return_rate as rr
    from retour.disclosure import accept
    from retour.reports import context as texts

    rates = accept(answer, "table").rates
    headers = [
        _(texts.COLUMNS[rr.GEO], lang),
        "",
        _(texts.COLUMNS[rr.YEAR], lang),
        _(texts.COLUMNS[rr.ORDERED], lang),
        _(texts.COLUMNS[rr.RETURNED], lang),
        _(texts.COLUMNS[rr.RETURN_RATE], lang),
        _(texts.COLUMNS[rr.RANK], lang),
    ]
    rows = [
        (
            row[rr.GEO],
            texts.geo_name(row[rr.GEO], lang),
            row[rr.YEAR],
            texts.value_text(row[rr.ORDERED], row[rr.ORDERED_FLAG]),
            texts.value_text(row[rr.RETURNED], row[rr.RETURNED_FLAG]),
            texts.rate_text(row[rr.RETURN_RATE], lang),
            texts.rank_text(row[rr.RANK], row[rr.RANKED], lang),
        )
        for row in rates.rows.iter_rows(named=True)
    ]
    print_rows(texts.title(rates, lang), headers, rows, numeric=headers[-4:])
    console.print("")
    heading = _("Rank of", lang)
    console.print(f"{heading} {texts.geo_name(rates.focus, lang)}:", markup=False)
    for line in texts.rank_lines(rates, lang):
        console.print(f"  {line}", markup=False)
    console.print("")
    for line in [*texts.notes(rates, lang), texts.profile_line(answer.rules, lang)]:
        console.print(line, markup=False)

"""`retour figures art25a` and `retour report art25a`: the Article 25a indicators of a year.

Thin over :mod:`retour.service.art25a`: the figures as a table, CSV or JSON (the CSV's
columns are an interface), and the questionnaire workbook. The default profile is the
safest, ``public``; every output says which profile was applied.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from retour.cli.render import console, print_footer, print_rows
from retour.cli.session import command_app, context, err_console
from retour.domain.language import parse_language

figures_app = command_app()
report_app = command_app()

_PROFILE_HELP = (
    "internal (exact), parliament (confidential countries pooled) or public "
    "(pooled, <5 hidden, rounded to tens). Default: public, the safest."
)
Year = Annotated[str | None, typer.Option("--year", help="The year to report, e.g. 2023.")]
ProfileOption = Annotated[str | None, typer.Option("--profile", help=_PROFILE_HELP)]
Confidential = Annotated[
    str | None,
    typer.Option("--confidential", help="Countries to pool as 'other countries', e.g. MA,DZ."),
]
Lang = Annotated[str, typer.Option("--lang", help="nl or en.")]


@figures_app.command("art25a")
def art25a_figures(
    year: Year = None,
    profile: ProfileOption = None,
    confidential: Confidential = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    lang: Lang = "nl",
) -> None:
    """The Article 25a indicators per country: return decisions, returns, the return rate
    (not a cohort rate), requests and positive answers, answers and travel documents within
    the agreed time limits, the median days to answer."""
    language = parse_language(lang)
    chosen = _format(fmt)
    from retour.service import art25a

    with context() as ctx:
        found = art25a.figures(ctx, year=year, profile=profile, confidential=confidential)
        for warning in found.rules.warnings:
            err_console.print(f"warning: {warning}", markup=False)
        if chosen != "table":
            text = art25a.export(ctx, found, chosen)
            sys.stdout.write(text)
            return
    from retour.disclosure import accept
    from retour.reports import art25a as render
    from retour.reports.messages import _

    accept(found, "table")
    headers, rows = render.indicator_cells(found.published, found.status, found.rules, language)
    words = [_(render.SHORT[c], language) for c in headers[1:-1]]
    headers = [headers[0], *words, _(render.NOT_ASSESSED_SHORT, language)]
    print_rows(_(render.TITLE, language, year=found.year), headers, rows, numeric=words)
    notes = [render.indicator_note(c, language) for c in render.SHORT]
    print_footer(notes, found.rules, found.origin, language)


def _format(text: str) -> str:
    from retour.domain.errors import N_, Field, UsageError

    chosen = text.strip().lower()
    if chosen not in ("table", "csv", "json"):
        raise UsageError(
            N_("{field} {value}: use table, csv or json."), field=Field.FORMAT, value=text
        )
    return chosen


@report_app.command("art25a")
def art25a_report(
    out: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")],
    year: Year = None,
    profile: ProfileOption = None,
    confidential: Confidential = None,
    lang: Lang = "nl",
) -> None:
    """The Article 25a workbook of a year, laid out as the Commission's questionnaire: a
    block per country with the indicators, the answers by reason, the instruments in force
    and the cooperation index with its interval."""
    language = parse_language(lang)
    from retour.reports import labels
    from retour.service import art25a

    with context() as ctx:
        made = art25a.report(
            ctx, year=year, out=out, profile=profile, confidential=confidential, lang=language
        )
    for warning in made.rules.warnings:
        err_console.print(f"warning: {warning}", markup=False)
    console.print(f"Wrote {out}.", markup=False)
    console.print(labels.profile_line(made.rules, language), markup=False)
    if made.figures.origin.simulated:
        console.print(labels.SIMULATED, markup=False)

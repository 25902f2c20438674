"""`retour overdue`: the requests past their agreed time limit on a date.

Thin over :mod:`retour.service.terms`: a case officer's view is the table, a desk's the
workbook (one sheet per country and a summary). A list of requests is internal; under
``parliament`` and ``public`` (the default, the safest) the answer is counts per country,
kind, what and band of days over.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.render import console, print_footer, print_rows, print_wide
from retour.cli.session import command_app, context, err_console
from retour.domain.language import parse_language

if TYPE_CHECKING:
    from retour.disclosure import Language
    from retour.service.terms import OverdueAnswer

app = command_app()

_PROFILE_HELP = (
    "internal (the list of requests), parliament or public (counts per country, kind, what "
    "and band of days over). Default: public, the safest."
)


@app.command("overdue")
def overdue(
    on: Annotated[
        str | None,
        typer.Option("--on", help="The date (YYYY-MM-DD). Default: the extraction date."),
    ] = None,
    country: Annotated[str | None, typer.Option("--country", help="One country, e.g. MA.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="LP or TO only.")] = None,
    what: Annotated[
        str | None, typer.Option("--what", help="answer or document only (default: both).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, csv, json or xlsx (xlsx needs --out).")
    ] = "table",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of the screen.")
    ] = None,
    profile: Annotated[str | None, typer.Option("--profile", help=_PROFILE_HELP)] = None,
    confidential: Annotated[
        str | None,
        typer.Option("--confidential", help="Countries to pool as 'other countries', e.g. MA,DZ."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="nl or en.")] = "nl",
) -> None:
    """Requests past their agreed time limit on a date: the answer, or the travel document
    after a positive answer. Requests of closed cases, and of countries under a status
    (forced return suspended, ...), are not listed."""
    language = parse_language(lang)
    from retour.service import terms

    chosen = terms.parse_format(fmt)
    with context() as ctx:
        answer = terms.overdue(
            ctx,
            on=on,
            country=country,
            kind=kind,
            what=what,
            profile=profile,
            confidential=confidential,
        )
        for warning in answer.rules.warnings:
            err_console.print(f"warning: {warning}", markup=False)
        if chosen is terms.TermsFormat.TABLE and out is None:
            terms.record_overdue(ctx, answer, chosen.value)
            _table(answer, language)
            return
        if chosen is terms.TermsFormat.TABLE:
            chosen = terms.TermsFormat.CSV
        text = terms.export_overdue(ctx, answer, chosen, lang=language, out=out)
    if text is not None:
        sys.stdout.write(text)
    else:
        console.print(f"Wrote {out}.", markup=False)


def _table(answer: OverdueAnswer, lang: Language) -> None:
    from retour.disclosure import accept
    from retour.reports import terms as render
    from retour.reports.messages import _

    accept(answer, "table")

    title = render.overdue_title(answer.on, answer.country, answer.kind, lang, answer.what)
    if answer.listed is not None:
        if answer.listed.is_empty():
            console.print(title, markup=False)
            console.print(_("Nothing is overdue on {date}.", lang, date=answer.on.isoformat()))
        else:
            headers, rows = render.overdue_rows(answer.listed, lang)
            print_rows(title, headers, rows, numeric=[headers[6]])
    else:
        assert answer.counts is not None
        display = render.counts_display(answer.counts, lang)
        dims = len(answer.counts.row_dims)
        print_wide(title, display, display.columns[dims:])
        console.print(
            _("A list of requests is internal: --profile internal lists them.", lang),
            markup=False,
        )
    notes = render.status_notes(answer.statuses, lang)
    print_footer(notes, answer.rules, answer.origin, lang)

"""`retour case CASE_ID` and `retour figures conditions`: the five conditions, per case and
across the caseload.

Thin over :mod:`retour.service.cases` and :mod:`retour.service.conditions`. The case view
is recorded in the audit log under the operating-system user; the figures pass through a
publication profile (default ``public``, the safest).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.figures_cmd import NAME_SUFFIX, Confidential, Format, Lang, Names
from retour.cli.render import (
    OutputFormat,
    TextFormat,
    print_footer,
    print_lines,
    print_wide,
)
from retour.cli.session import command_app, context, err_console

if TYPE_CHECKING:
    import polars as pl

    from retour.disclosure import Language
    from retour.service.conditions import ConditionFigures
    from retour.service.context import Retour

# Polars, SQLAlchemy, the service and the labels are imported inside the functions: every
# `retour` command imports this module, and only these two commands need them.

#: `retour case`.
app = command_app()
#: `retour figures conditions`.
figures_app = command_app()

#: --profile: not given means public, the safest (decided by the service).
Profile = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="internal (exact), parliament (confidential countries pooled) or public "
        "(pooled, <5 hidden, rounded to tens). Default: public, the safest.",
    ),
]


@app.command("case")
def case(
    case_id: Annotated[str, typer.Argument(help="The case's pseudonymous case_id.")],
    on: Annotated[
        str | None,
        typer.Option("--on", help="The date to show the case on (default: the extraction date)."),
    ] = None,
    fmt: Annotated[
        TextFormat, typer.Option("--format", help="table (text) or json.")
    ] = TextFormat.TABLE,
    lang: Lang = "nl",
) -> None:
    """One case: its five conditions, requests, detentions, departures, what blocks
    departure now, and the prospect of removal (decision support). Recorded in the audit log."""
    from retour.domain.language import parse_language
    from retour.reports.case import case_document, case_lines
    from retour.reports.tabular import json_text
    from retour.service import audit, cases

    language = parse_language(lang)
    with context() as ctx:
        view = cases.case_view(ctx, case_id, on, actor=audit.command_line_actor(), via="cli")
    if fmt is TextFormat.JSON:
        sys.stdout.write(json_text(case_document(view)))
    else:
        print_lines(case_lines(view, language))


@figures_app.command("conditions")
def conditions_figures(
    on: Annotated[
        str | None,
        typer.Option(
            "--on", help="Count the cases open on this date (default: the extraction date)."
        ),
    ] = None,
    monthly: Annotated[
        str | None,
        typer.Option(
            "--monthly",
            help="The month-end series of all-green cases of these years (2019-2023), as "
            "Frontex's IRMA counts persons ready to be returned.",
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="country: one row per presumed nationality.")
    ] = None,
    profile: Profile = None,
    confidential: Confidential = None,
    fmt: Format = OutputFormat.TABLE,
    lang: Lang = "nl",
    names: Names = None,
) -> None:
    """Open cases, all five conditions green, each condition red or unknown, and the most
    frequent single blocker."""
    from retour.domain.language import parse_language
    from retour.service import conditions

    language = parse_language(lang)
    name_language = parse_language(names) if names else None
    with context() as ctx:
        answer = conditions.condition_figures(
            ctx, on=on, monthly=monthly, by=by, profile=profile, confidential=confidential
        )
        for warning in answer.rules.warnings:
            err_console.print(f"warning: {warning}", markup=False)
        if fmt is not OutputFormat.TABLE:
            _export(ctx, answer, fmt, language, name_language)
            return
    _table(answer, language, name_language)


def _title(answer: ConditionFigures, lang: Language) -> str:
    from retour.reports.messages import _

    if answer.monthly:
        span = f"{answer.months[0].isoformat()} - {answer.months[-1].isoformat()}"
        return _("Cases with all five conditions green at the month end, {span}", lang, span=span)
    day = answer.on.isoformat() if answer.on else ""
    return _("The five conditions of the open cases on {day}", lang, day=day)


def _table(answer: ConditionFigures, lang: Language, names: Language | None) -> None:
    from retour.disclosure import accept
    from retour.service.conditions import BLOCKER

    display = accept(answer, "table").display(lang)
    if names is not None and answer.by and not answer.monthly:
        codes = [c if c is not None else "" for c in answer.rows()]
        display = display.insert_column(1, _names_series(codes, names))
    labels_columns = {"country", "country" + NAME_SUFFIX, "", "month_end", BLOCKER}
    numeric = [c for c in display.columns if c not in labels_columns]
    print_wide(_title(answer, lang), display, numeric)
    print_footer(answer.notes_in(lang), answer.rules, answer.provenance, lang)


def _names_series(codes: list[str], lang: Language) -> pl.Series:
    import polars as pl

    from retour.reports import labels

    return pl.Series(
        "country" + NAME_SUFFIX, [labels.country_name(c, lang) if c else "" for c in codes]
    )


def _export(
    ctx: Retour,
    answer: ConditionFigures,
    fmt: OutputFormat,
    lang: Language,
    names: Language | None,
) -> None:
    """CSV or JSON, rendered and recorded as an export by the service; for CSV the notes go
    to stderr."""
    from retour.reports import labels
    from retour.reports.models import conditions_document
    from retour.service.publication import ExportFormat, export_answer

    if fmt is OutputFormat.CSV:
        if answer.provenance.simulated:
            err_console.print(labels.SIMULATED, markup=False)
        err_console.print(labels.profile_line(answer.rules, lang), markup=False)
    exported = export_answer(
        ctx,
        answer,
        ExportFormat(fmt.value),
        subject="conditions",
        document=lambda: conditions_document(answer, lang, names),
        names=names,
        detail={"date": answer.on.isoformat() if answer.on else None},
    )
    sys.stdout.write(exported)

"""`retour case CASE_ID` and `retour figures conditions`: the five conditions, per case and
across the caseload.

Thin over :mod:`retour.service.cases` and :mod:`retour.service.conditions`. The case view
is recorded in the audit log under the operating-system user; the figures pass through a
publication profile (default ``public``, the safest).
"""

from __future__ import annotations

import csv
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.figures_cmd import NAME_SUFFIX, Confidential, Format, Lang, Names
from retour.cli.render import (
    OutputFormat,
    TextFormat,
    print_footer,
    print_json,
    print_lines,
    print_wide,
)
from retour.cli.session import command_app, context, err_console

if TYPE_CHECKING:
    import polars as pl

    from retour.disclosure import Language
    from retour.service.conditions import ConditionFigures

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
    from retour.reports.case import case_json, case_lines
    from retour.service import audit, cases

    language = parse_language(lang)
    with context() as ctx:
        view = cases.case_view(ctx, case_id, on, actor=audit.command_line_actor(), via="cli")
    if fmt is TextFormat.JSON:
        print_json(case_json(view))
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
    if fmt is OutputFormat.JSON:
        print_json(_named_json(answer, language, name_language))
    elif fmt is OutputFormat.CSV:
        _csv(answer, language, name_language)
    else:
        _table(answer, language, name_language)


def _title(answer: ConditionFigures, lang: Language) -> str:
    from retour.reports import labels

    if answer.monthly:
        span = f"{answer.months[0].isoformat()} - {answer.months[-1].isoformat()}"
        return labels.text(
            (
                f"Zaken met alle vijf condities groen aan het eind van de maand, {span}",
                f"Cases with all five conditions green at the month end, {span}",
            ),
            lang,
        )
    day = answer.on.isoformat() if answer.on else ""
    return labels.text(
        (
            f"De vijf condities van de open zaken op {day}",
            f"The five conditions of the open cases on {day}",
        ),
        lang,
    )


def _table(answer: ConditionFigures, lang: Language, names: Language | None) -> None:
    from retour.service.conditions import BLOCKER

    display = answer.display(lang)
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


def _csv(answer: ConditionFigures, lang: Language, names: Language | None) -> None:
    """Monthly: month_end, [country,] all_green; otherwise one row per country (or the
    total) with the measures and the blocker, as shown. Notes on stderr."""
    from retour.reports import labels

    if answer.provenance.simulated:
        err_console.print(labels.SIMULATED, markup=False)
    err_console.print(labels.profile_line(answer.rules, lang), markup=False)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    cells = {(c["country"], c["column"]): c["display"] for c in answer.cells()}
    rows = answer.rows() if answer.by else [None]
    country_columns = (
        ["country", *(["country" + NAME_SUFFIX] if names else [])] if answer.by else []
    )

    def key(row: str | None) -> list[object]:
        if not answer.by:
            return []
        code = row if row is not None else "total"
        named = [labels.country_name(row, names) if row else ""] if names else []
        return [code, *named]

    if answer.monthly:
        writer.writerow(["month_end", *country_columns, "all_green"])
        for month in answer.columns:
            for row in rows:
                writer.writerow([month, *key(row), cells[(row, month)]])
        return
    writer.writerow([*country_columns, *answer.columns])
    for row in rows:
        writer.writerow([*key(row), *(cells.get((row, c), "") for c in answer.columns)])


def _named_json(
    answer: ConditionFigures, lang: Language, names: Language | None
) -> dict[str, object]:
    from retour.reports import labels

    data = answer.as_json(lang)
    if names is not None:
        cells = data["cells"]
        assert isinstance(cells, list)
        for cell in cells:
            code = cell["country"]
            cell["country" + NAME_SUFFIX] = labels.country_name(code, names) if code else ""
    return data

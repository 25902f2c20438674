"""`retour history ID`: what was recorded and corrected in retour of one row, oldest first.

Thin over :func:`retour.service.records.row_history`: per changed column when, by whom,
through which face, the table, the column and its old and new value (codes and dates;
free text as "changed"). ID is a row's id (a case_id, request_id, detention_id,
departure_id, or a condition's ``case_id:observed_on:condition``); ``--table`` narrows it
to one table when ids of two tables coincide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.figures_cmd import Lang
from retour.cli.render import TextFormat, console, print_json, print_table
from retour.cli.session import command_app, context

if TYPE_CHECKING:
    from retour.disclosure import Language
    from retour.service.records import Change, RecordTable

app = command_app()

#: The columns of the table, in the reader's language.
COLUMNS = ("when", "by", "table", "column", "old", "new")


@app.command("history")
def history(
    row_id: Annotated[str, typer.Argument(metavar="ID", help="The row's id.")],
    table: Annotated[
        str | None,
        typer.Option(
            "--table", help="cases, requests, detentions, departures or conditions (default: all)."
        ),
    ] = None,
    fmt: Annotated[
        TextFormat, typer.Option("--format", help="table (text) or json.")
    ] = TextFormat.TABLE,
    lang: Lang = "nl",
) -> None:
    """The recorded changes of one row: who changed which column from what to what, when."""
    from retour.domain.language import parse_language
    from retour.service.records import row_history

    language = parse_language(lang)
    with context() as app_context:
        changes = row_history(app_context, row_id, _table(table))
    if fmt is TextFormat.JSON:
        print_json({"id": row_id, "changes": [c.as_json() for c in changes]})
        return
    _print(row_id, changes, language)


def _table(name: str | None) -> RecordTable | None:
    from retour.domain.errors import N_, UsageError
    from retour.service.records import RecordTable

    if name is None:
        return None
    try:
        return RecordTable(name.strip().lower())
    except ValueError:
        raise UsageError(
            N_("There is no table {table} to record in."),
            hint=N_("Give cases, requests, detentions, departures or conditions."),
            table=name[:40],
        ) from None


def _words() -> dict[str, str]:
    """The words of the table, marked for the catalog."""
    from retour.domain.errors import N_

    words = (N_("when"), N_("by"), N_("table"), N_("column"), N_("old"), N_("new"))
    return {**dict(zip(COLUMNS, words, strict=True)), "changed": N_("changed")}


def _value(value: str | None, lang: Language) -> str:
    from retour.reports.messages import _
    from retour.service.records import CHANGED

    if value is None:
        return "-"
    return _(_words()["changed"], lang) if value == CHANGED else value


def _print(row_id: str, changes: list[Change], lang: Language) -> None:
    from retour.reports.messages import _

    if not changes:
        console.print(_("Nothing of {id} was recorded or corrected in retour.", lang, id=row_id),
                      markup=False)  # fmt: skip
        return
    words = _words()
    columns = [_(words[c], lang) for c in COLUMNS]
    rows = [
        (
            c.at.strftime("%Y-%m-%d %H:%M"),
            f"{c.actor} ({c.via})",
            c.table,
            c.column,
            _value(c.old, lang),
            _value(c.new, lang),
        )
        for c in changes
    ]
    print_table(_("Changes of {id} recorded in retour (UTC)", lang, id=row_id), columns, rows)

"""`retour imports` and `retour imports show ID`: the import history.

Recordings in retour are written like small imports but are not listed as imports: the
table says how many came after the newest import.

Thin over :mod:`retour.service.imports`: newest first, each import with when, by whom,
the source, its extraction date, the rows it held per table, its choice on rows recorded in
retour after the extract (``keep 3``: three such rows kept) and the SHA-256 of the mapping
it was read through ("none" for the exchange format itself); ``show`` prints that
mapping's text.
"""

from __future__ import annotations

import csv
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.render import OutputFormat, console, print_json, print_table
from retour.cli.session import command_app, context, err_console
from retour.domain.language import parse_language

if TYPE_CHECKING:
    from retour.domain.language import Language
    from retour.service.imports import ImportEntry

#: `retour imports ...`.
imports_app = command_app(
    help="The import history: what was imported, when, by whom, and through which mapping.",
    no_args_is_help=False,
    invoke_without_command=True,
)

NONE = "none"
_LANG = typer.Option("--lang", help="nl or en.")


def _row(entry: ImportEntry, lang: Language) -> tuple[str, ...]:
    from retour.domain.codes import Table
    from retour.reports import imports as words
    from retour.reports.messages import _

    held = [(t.value, entry.rows(t)) for t in Table if entry.rows(t)]
    n = entry.recorded("kept") + entry.recorded("replaced")
    return (
        str(entry.id),
        words.when_text(entry.imported_at),
        entry.by or "",
        entry.source or entry.container,
        entry.extracted_on.isoformat(),
        words.rows_text(held, lang),
        words.conflicts_text(entry.on_conflict, n, lang),
        entry.mapping_sha256[:12] if entry.mapping_sha256 else _("none", lang),
    )


@imports_app.callback()
def imports(
    ctx: typer.Context,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv or json.")
    ] = OutputFormat.TABLE,
    last: Annotated[
        int | None, typer.Option("--last", min=1, help="Only the newest N imports.")
    ] = None,
    lang: Annotated[str, _LANG] = "nl",
) -> None:
    """List the imports, newest first; `retour imports show ID` prints one's mapping."""
    if ctx.invoked_subcommand is not None:
        return
    from retour.reports import imports as words
    from retour.reports.messages import _
    from retour.service.imports import list_imports, recordings_since

    language = parse_language(lang)
    with context() as app:
        entries = list_imports(app, limit=last)
        since = recordings_since(app, entries[0] if entries else None)
    if fmt is OutputFormat.JSON:
        print_json({"imports": [e.as_json() for e in entries]})
    elif fmt is OutputFormat.CSV:
        _csv(entries)
    elif not entries:
        said = _("No imports yet: `retour import PATH` imports a dataset.", language)
        console.print(said, markup=False)
    else:
        rows = [_row(e, language) for e in entries]
        headers = [_(h, language) for h in words.HEADERS]
        title = _("Imports, newest first", language)
        print_table(title, headers, rows, numeric=headers[:1])
    if fmt is OutputFormat.TABLE and since.count and since.last_at is not None:
        said = words.recorded_since_text(since.count, since.last_at, language)
        console.print(said, markup=False)


def _csv(entries: list[ImportEntry]) -> None:
    from retour.domain.codes import Table

    tables = [t.value for t in Table]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(
        ["id", "imported_at", "by", "via", "source", "container", "extracted_on", "simulated"]
        + [f"rows_{t}" for t in tables]
        + ["mapping_sha256", "on_conflict", "kept_recorded", "replaced_recorded"]
    )
    for e in entries:
        out.writerow(
            [e.id, e.imported_at.isoformat(), e.by or "", e.via or "", e.source or "",
             e.container, e.extracted_on.isoformat(), str(e.simulated).lower()]
            + [e.rows(Table(t)) for t in tables]
            + [e.mapping_sha256 or NONE, e.on_conflict or "",
               e.recorded("kept"), e.recorded("replaced")]
        )  # fmt: skip


@imports_app.command("show")
def show(
    import_id: Annotated[int, typer.Argument(metavar="ID", help="The import's id.", min=1)],
    lang: Annotated[str, _LANG] = "nl",
) -> None:
    """Print the mapping an import was read through (its text, as it was used)."""
    from retour.reports.imports import no_mapping_text
    from retour.service.imports import show_import

    language = parse_language(lang)
    with context() as app:
        entry, text = show_import(app, import_id)
    if text is None:
        err_console.print(no_mapping_text(entry.id, language), markup=False)
        return
    sys.stdout.write(text if text.endswith("\n") else text + "\n")

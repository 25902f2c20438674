"""`retour releases list|show|reproduce|diff`: the register of releases (docs/releases.md).

Thin over :mod:`retour.service.releases`: every output made under ``parliament`` or
``public`` is kept with its cells and the bytes that went out; these commands list the
register, print a release's cells, write a release again byte for byte and compare two.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.render import OutputFormat, console, print_rows
from retour.cli.session import command_app, context, err_console
from retour.domain.language import parse_language

if TYPE_CHECKING:
    from retour.domain.language import Language
    from retour.service.releases import ReleaseDiff

#: `retour releases ...`.
releases_app = command_app(
    help="The register of releases: what went out under parliament or public, kept."
)

_FORMAT = typer.Option("--format", help="table, csv or json.")
_LANG = typer.Option("--lang", help="nl or en.")
_ID_HELP = "The release's id (retour releases list shows them)."


@releases_app.command("list")
def list_(
    what: Annotated[
        str | None, typer.Option("--what", help="Only releases of this kind, e.g. press.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only releases made on or after this date.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="At most this many releases, the newest.")
    ] = 1000,
    fmt: Annotated[OutputFormat, _FORMAT] = OutputFormat.TABLE,
    lang: Annotated[str, _LANG] = "nl",
) -> None:
    """The register, newest first (the newest 1000 unless --limit asks for more)."""
    from retour.reports import releases as render
    from retour.reports.messages import _
    from retour.reports.tabular import json_text, table_csv
    from retour.service import releases

    language = parse_language(lang)
    with context() as app:
        register = releases.listed(app, what=what, since=since, limit=limit)
    rows = register.rows
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json_text(render.releases_document(rows)))
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(table_csv(render.LIST_COLUMNS, [render.list_row(r) for r in rows]))
    elif not rows:
        console.print(_("No releases yet.", language), markup=False)
    else:
        shown = [[str(v) for v in render.list_row(r)[:7]] for r in rows]
        for row in shown:
            row[4] = row[4][:8]  # the fingerprint's first digits; csv and json give all
        title = _("Releases, newest first", language)
        headers = render.headers(render.LIST_HEADERS, language)
        print_rows(title, headers, shown, numeric=headers[:1])
    if register.more:  # on stderr: a CSV or JSON on stdout stays whole
        note = _(
            "Only the newest {n} releases are listed; there are more. Narrow the list with "
            "--what or --since, or list more with --limit.",
            language,
            n=register.limit,
        )
        err_console.print(note, markup=False)


@releases_app.command("show")
def show(
    release_id: Annotated[str, typer.Argument(metavar="ID", help=_ID_HELP)],
    fmt: Annotated[OutputFormat, _FORMAT] = OutputFormat.TABLE,
    lang: Annotated[str, _LANG] = "nl",
) -> None:
    """Print a release: what, when, by whom, under which rules, and every cell."""
    from retour.reports import releases as render
    from retour.reports.messages import _
    from retour.reports.tabular import json_text, table_csv
    from retour.service import releases

    language = parse_language(lang)
    with context() as app:
        row, cells = releases.shown(app, release_id)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json_text(render.cells_document(row, cells)))
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(table_csv(render.CELL_COLUMNS, cells.rows()))
        return
    for line in render.release_lines(row, language):
        console.print(line, markup=False)
    headers = render.headers(render.CELL_HEADERS, language)
    title = _("{n} cells", language, n=cells.height)
    print_rows(title, headers, [[v or "" for v in r] for r in cells.rows()])


@releases_app.command("reproduce")
def reproduce(
    release_id: Annotated[str, typer.Argument(metavar="ID", help=_ID_HELP)],
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    lang: Annotated[str, _LANG] = "nl",
) -> None:
    """Write a release again: byte for byte what went out, whatever the data are now."""
    from retour.reports.messages import _
    from retour.service import releases

    language = parse_language(lang)
    with context() as app:
        row, written = releases.reproduce(app, release_id, out)
    said = _(
        "Wrote release {id} ({what}, {format}) to {path}; SHA-256 {sha256}.",
        language,
        id=row.id,
        what=row.what,
        format=row.format,
        path=str(written),
        sha256=row.sha256,
    )
    console.print(said, markup=False)


@releases_app.command("diff")
def diff(
    first: Annotated[str, typer.Argument(metavar="A", help="The earlier release's id.")],
    second: Annotated[str, typer.Argument(metavar="B", help="The later release's id.")],
    fmt: Annotated[OutputFormat, _FORMAT] = OutputFormat.TABLE,
    lang: Annotated[str, _LANG] = "nl",
) -> None:
    """Compare two releases of one kind cell by cell: what changed, and why."""
    from retour.reports import releases as render
    from retour.reports.tabular import json_text, table_csv
    from retour.service import releases

    language = parse_language(lang)
    with context() as app:
        compared = releases.diff(app, first, second)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json_text(render.diff_document(compared, language)))
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(table_csv(render.DIFF_COLUMNS, render.diff_rows(compared, language)))
    else:
        _diff_table(compared, language)


def _diff_table(compared: ReleaseDiff, lang: Language) -> None:
    from retour.reports import releases as render

    for line in render.diff_lines(compared, lang):
        console.print(line, markup=False)
    if compared.changes:
        headers = render.headers(render.DIFF_HEADERS, lang)
        rows = [[v or "" for v in (*r[:4], r[5])] for r in render.diff_rows(compared, lang)]
        print_rows(None, headers, rows)

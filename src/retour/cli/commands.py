"""`retour import`, `retour export`, `retour info` and `retour db upgrade`: the data in and out.

Each parses options, calls one service function, renders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.render import (
    ListsViolations,
    TextFormat,
    check_report_path,
    console,
    print_json,
    print_lines,
    print_table,
    write_violations,
)
from retour.cli.session import command_app, context, err_console, stages
from retour.domain.codes import Table
from retour.domain.conflicts import OnConflict
from retour.domain.errors import InputError

if TYPE_CHECKING:
    from retour.domain.language import Language
    from retour.service import datasets

#: `retour import`, `retour export`, `retour info`.
app = command_app()
#: `retour db ...`.
db_app = command_app(help="Database maintenance.")


@app.command("import")
def import_(
    path: Annotated[
        Path,
        typer.Argument(
            help="A folder, .zip or .xlsx in the exchange format; with --mapping, a source "
            "system's own export (folder, .zip, CSV file or .xlsx)."
        ),
    ],
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write every violation (file, line, column, reason code, value, message) "
            "to this .csv or .json file; values of v_number are never written.",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="Read PATH through this mapping file (docs/mapping.md; retour mapping draft "
            "writes one).",
        ),
    ] = None,
    on_conflict: Annotated[
        OnConflict,
        typer.Option(
            "--on-conflict",
            help="Rows recorded or corrected in retour on or after the extract's date that "
            "the import would change: refuse (list them, write nothing; the default), keep "
            "(retour's values) or replace (the extract's).",
        ),
    ] = OnConflict.REFUSE,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language of the conflicts and the error: nl or en."),
    ] = None,
) -> None:
    """Import a dataset: every rule checked, all of it written or nothing."""
    from retour.domain.language import parse_language
    from retour.service import conflicts, datasets

    language = parse_language(lang or "en")
    if report is not None:
        check_report_path(report)
    with context() as ctx, stages(f"importing {path.name}", datasets.IMPORT_STAGES) as progress:
        try:
            result = datasets.import_dataset(
                ctx, path, progress=progress, mapping=mapping, on_conflict=on_conflict
            )
        except InputError as exc:
            if isinstance(exc, conflicts.ImportConflictError):  # rows recorded since
                print_lines(exc.lines(language), stderr=True)
            elif isinstance(exc, ListsViolations):  # the dataset breaks the exchange format
                print_lines(list(exc.lines()), stderr=True)
                if report is not None:
                    written = write_violations(exc.violations, report)
                    print_lines([f"Wrote {written} violations to {report}."], stderr=True)
            raise
    if report is not None:
        write_violations([], report)
    _print_import(result, mapped=mapping is not None)
    _print_conflicts(result, language)


def _print_import(report: datasets.ImportReport, *, mapped: bool = False) -> None:
    result = report.result
    rows = []
    for table in Table:
        c = result.tables[table]
        rows.append((table.value, c.inserted, c.replaced, c.unchanged, c.kept_newer))
    title = f"Imported {report.path} ({report.container})"
    if report.meta.simulated:
        title += " — simulated data / gesimuleerde gegevens"
    print_table(
        title,
        ("table", "inserted", "replaced", "unchanged", "kept (stored is newer)"),
        rows,
        numeric=("inserted", "replaced", "unchanged", "kept (stored is newer)"),
    )
    replaced = sum(result.tables[t].replaced for t in Table)
    if replaced:
        console.print(f"{replaced} stored rows were replaced by this newer extract.")
    for notice in report.notices if mapped else ():
        err_console.print(f"notice: {notice}", markup=False)
    if report.notices and not mapped:
        names = ", ".join(report.notices)
        err_console.print(
            f"notice: not read (not part of the exchange format): {names}", markup=False
        )


def _print_conflicts(report: datasets.ImportReport, lang: Language) -> None:
    """What became of the rows recorded in retour after the extract, and the choice."""
    from retour.reports.messages import _, count

    tables = report.result.tables.values()
    kept = sum(r.kept_recorded for r in tables)
    replaced = sum(r.replaced_recorded for r in tables)
    if kept:
        said = _("--on-conflict keep: {n} rows recorded or corrected in retour after the "
                 "extract kept retour's values.", lang, n=count(kept, lang))  # fmt: skip
    elif replaced:
        said = _("--on-conflict replace: {n} rows recorded or corrected in retour after the "
                 "extract took the extract's values; their history (retour history ID) says "
                 "so.", lang, n=count(replaced, lang))  # fmt: skip
    else:
        return
    console.print(said, markup=False, soft_wrap=True)
    for line in report.conflicts.lines(lang) if report.conflicts is not None else ():
        console.print(f"  {line}", markup=False, soft_wrap=True)


@app.command("export")
def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write the CSV files into.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite a non-empty folder.")] = False,
) -> None:
    """Write the database out in the exchange format (CSV files and dataset.json)."""
    from retour.service import datasets

    with context() as ctx:
        written = datasets.export_dataset(ctx, directory, force=force)
    console.print(f"Wrote {len(written)} files to {directory}.", markup=False)


@app.command("info")
def info(
    fmt: Annotated[TextFormat, typer.Option("--format", help="table or json.")] = TextFormat.TABLE,
) -> None:
    """Where the database is, its schema version and what it holds."""
    from retour.service import datasets

    with context() as ctx:
        about = datasets.database_info(ctx)
    if fmt is TextFormat.JSON:
        print_json(about.as_json())
        return
    rows = [("database", about.database), ("schema", about.schema)]
    rows.append(
        (
            "data",
            "simulated" if about.simulated else "real" if about.simulated is False else "none yet",
        )
    )
    if about.extracted_on:
        rows.append(("extracted on", about.extracted_on.isoformat()))
    rows += [(t.value, str(n)) for t, n in about.counts.items()]
    rows.append(("outside statistics", str(about.outside_statistics)))
    print_table(None, ("", ""), rows, header=False)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database schema to this version of retour."""
    before, after = context().upgrade()
    if before == after:
        console.print(f"The database is up to date (schema {after}).")
    else:
        console.print(f"Upgraded the database schema from {before or 'empty'} to {after}.")
    from retour.service import audit  # imported when run: the CLI starts faster

    with context() as ctx:
        warning = audit.owner_warning(ctx)
    if warning is not None:
        err_console.print(warning, markup=False, soft_wrap=True)

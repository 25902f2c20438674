"""The `retour` command: global options, error handling, and the registered commands."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.markup import escape

from retour.domain.errors import RetourError

app = typer.Typer(
    name="retour",
    help="retour: return cooperation — requests, conditions, cooperation, publishable figures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

err_console = Console(stderr=True, highlight=False)


@dataclass(slots=True)
class GlobalOptions:
    db: str | None = None
    debug: bool = False


STATE = GlobalOptions()


@app.callback()
def _global(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database: a SQLAlchemy URL or an SQLite file path (default: RETOUR_DB, "
            "then retour.sqlite in the user's data directory).",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
) -> None:
    STATE.db = db
    STATE.debug = debug


def _register() -> None:
    # Importing the command modules registers their commands on `app`.
    from retour.cli import commands  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; a RetourError becomes one line on stderr and its exit status."""
    _register()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        app(args=argv, standalone_mode=False)
    except RetourError as exc:
        if debug:
            err_console.print_exception()
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        err_console.print("aborted.")
        return 130
    except KeyboardInterrupt:
        err_console.print("interrupted.")
        return 130
    return 0


def run() -> None:  # pragma: no cover - console script wrapper
    sys.exit(main())

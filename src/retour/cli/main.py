"""The `retour` command: global options, error handling, and the registered commands."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.markup import escape
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer._click.exceptions import UsageError as ClickUsageError

from retour.domain.errors import RetourError

app = typer.Typer(
    name="retour",
    help="retour: return cooperation — requests, conditions, cooperation, publishable figures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


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
    """Entry point: run the app. A RetourError or a usage error becomes one line on stderr
    and its exit status; --debug adds the traceback."""
    _register()
    args = list(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in args
    try:
        status = app(args=args, prog_name="retour", standalone_mode=False)
    except RetourError as exc:
        _traceback(debug)
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return exc.exit_code
    except (typer.Exit, click.exceptions.Exit) as exc:
        return int(exc.exit_code or 0)
    except ClickUsageError as exc:
        return _usage_error(exc, args, debug)
    except (ClickException, click.ClickException) as exc:
        _traceback(debug)
        exc.show()
        return exc.exit_code
    except (typer.Abort, click.exceptions.Abort):
        err_console.print("aborted.")
        return 130
    except KeyboardInterrupt:
        err_console.print("interrupted.")
        return 130
    return status if isinstance(status, int) else 0


def _traceback(debug: bool) -> None:
    if debug:
        err_console.print_exception()


def _usage_error(exc: ClickUsageError, args: list[str], debug: bool) -> int:
    """One line in the user's language (see retour.cli.usage); the help when no command
    was given at all."""
    if isinstance(exc, NoArgsIsHelpError):
        exc.show()
        return exc.exit_code
    from retour.cli import usage

    _traceback(debug)
    err_console.print(usage.one_line(exc, args, usage.language_of(args)), markup=False,
                      soft_wrap=True)  # fmt: skip
    return exc.exit_code


def run() -> None:  # pragma: no cover - console script wrapper
    sys.exit(main())

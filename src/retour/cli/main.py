"""The `retour` command: global options, error handling, and its commands, loaded lazily.

Each command module owns its Typer (``retour.cli.assess_cmd.app``, ``figures_app``, ...);
this module adds them to ``retour`` by name in :data:`COMMANDS`, and a group loads a
module only when one of its commands is asked for (click's documented ``LazyGroup``,
"Complex Applications"): ``retour info`` imports the dataset commands and nothing of the
cooperation, figures or web commands. The global options travel to the commands as a
:class:`retour.cli.session.Session` in ``ctx.obj``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar, Final

import typer
from rich.markup import escape
from typer._click.core import Command, Context
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperGroup
from typer.main import get_group_from_info
from typer.models import TyperInfo

from retour.cli.session import Session, err_console
from retour.domain.errors import RetourError


@dataclass(frozen=True, slots=True)
class Lazy:
    """Where a command lives: a module's Typer, either the group itself (``group``) or a
    Typer that holds the command under its name."""

    module: str
    typer_app: str
    group: bool = False

    def load(self, name: str) -> Command:
        found = getattr(importlib.import_module(self.module), self.typer_app)
        built = _built(found)
        if self.group:
            built.name = name
            return built
        return built.commands[name]


_BUILT: dict[int, TyperGroup] = {}


def _built(typer_app: typer.Typer) -> TyperGroup:
    """A module's Typer as a click group, built once (its commands are shared by name)."""
    key = id(typer_app)
    if key not in _BUILT:
        info = TyperInfo(typer_app)
        _BUILT[key] = get_group_from_info(
            info, pretty_exceptions_short=True, suggest_commands=True, rich_markup_mode=None
        )
    return _BUILT[key]


class LazyGroup(TyperGroup):
    """A group whose commands are imported when first asked for (see :class:`Lazy`)."""

    lazy: ClassVar[Mapping[str, Lazy]] = {}

    def list_commands(self, ctx: Context) -> list[str]:
        return [*self.lazy, *(n for n in self.commands if n not in self.lazy)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.commands[cmd_name] = self.lazy[cmd_name].load(cmd_name)
        return self.commands.get(cmd_name)


def lazy_group(commands: Mapping[str, Lazy]) -> type[LazyGroup]:
    """A LazyGroup class over these commands (Typer takes a group's class, not an object)."""
    return type("LazyGroup", (LazyGroup,), {"lazy": dict(commands)})


_DATASETS: Final = "retour.cli.commands"
_COOPERATION: Final = "retour.cli.assess_cmd"
_FIGURES: Final = "retour.cli.figures_cmd"
_CASES: Final = "retour.cli.cases_cmd"
_WEB: Final = "retour.cli.web_cmd"

#: ``retour figures ...``: the figures commands and the five conditions across the caseload.
FIGURES: Final = {
    "requests": Lazy(_FIGURES, "figures_app"),
    "detentions": Lazy(_FIGURES, "figures_app"),
    "departures": Lazy(_FIGURES, "figures_app"),
    "conditions": Lazy(_CASES, "figures_app"),
    "terms": Lazy(_FIGURES, "figures_app"),
    "art25a": Lazy("retour.cli.art25a_cmd", "figures_app"),
}
#: ``retour report ...``: the press workbook, the sliding scale and a country's brief.
REPORTS: Final = {
    "press": Lazy(_FIGURES, "report_app"),
    "cooperation": Lazy(_COOPERATION, "report_app"),
    "country": Lazy(_COOPERATION, "report_app"),
    "art25a": Lazy("retour.cli.art25a_cmd", "report_app"),
}

figures_app = typer.Typer(
    cls=lazy_group(FIGURES),
    help="Figures for Parliament and the press, through a publication profile.",
    no_args_is_help=True,
)
report_app = typer.Typer(cls=lazy_group(REPORTS), help="Publishable reports.", no_args_is_help=True)

#: The commands of ``retour``, in the order of its help.
COMMANDS: Final = {
    "assess": Lazy(_COOPERATION, "app"),
    "effects": Lazy(_COOPERATION, "app"),
    "answer-times": Lazy(_COOPERATION, "app"),
    "case": Lazy(_CASES, "app"),
    "overdue": Lazy("retour.cli.overdue_cmd", "app"),
    "demo": Lazy("retour.cli.demo_cmd", "app"),
    "simulate": Lazy("retour.cli.simulate_cmd", "app"),
    "serve": Lazy(_WEB, "app"),
    "import": Lazy(_DATASETS, "app"),
    "export": Lazy(_DATASETS, "app"),
    "info": Lazy(_DATASETS, "app"),
    "imports": Lazy("retour.cli.imports_cmd", "imports_app", group=True),
    "history": Lazy("retour.cli.history_cmd", "app"),
    "figures": Lazy(__name__, "figures_app", group=True),
    "report": Lazy(__name__, "report_app", group=True),
    "context": Lazy("retour.cli.context_cmd", "context_app", group=True),
    "mapping": Lazy("retour.cli.mapping_cmd", "mapping_app", group=True),
    "releases": Lazy("retour.cli.releases_cmd", "releases_app", group=True),
    "user": Lazy(_WEB, "user_app", group=True),
    "token": Lazy(_WEB, "token_app", group=True),
    "db": Lazy(_DATASETS, "db_app", group=True),
}

app = typer.Typer(
    name="retour",
    cls=lazy_group(COMMANDS),
    help="retour: return cooperation — requests, conditions, cooperation, publishable figures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _global(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database: a SQLAlchemy URL or an SQLite file path (default: RETOUR_DB, "
            "then retour.sqlite in the user's data directory).",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of errors: nl (the default) or en; a command's own --lang also "
            "sets its output's.",
        ),
    ] = None,
) -> None:
    if lang is not None:  # the error lines read it from the command line (retour.cli.usage)
        from retour.domain.language import parse_language

        parse_language(lang)
    ctx.obj = Session(db=db, debug=debug)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app. A RetourError or a usage error becomes one line on stderr
    and its exit status; --debug adds the traceback."""
    args = list(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in args
    try:
        status = app(args=args, prog_name="retour", standalone_mode=False)
    except RetourError as exc:
        _traceback(debug)
        from retour.cli import usage

        prefix, said = usage.retour_error(exc, args)
        err_console.print(f"[bold red]{prefix}:[/] {escape(said)}", soft_wrap=True)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except ClickUsageError as exc:
        return _usage_error(exc, args, debug)
    except ClickException as exc:
        _traceback(debug)
        exc.show()
        return exc.exit_code
    except typer.Abort:
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

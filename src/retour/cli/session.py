"""What every command shares: the application object in ``ctx.obj``, stderr, progress.

The ``retour`` callback puts a :class:`Session` in ``ctx.obj`` (Typer's and click's way of
handing an application object to subcommands). A command reaches the service context
through :func:`context`, the one helper for it: the context, with its settings and its
database, is made on first use, so ``--help`` and the commands that need neither start
without loading them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from typer._click.globals import get_current_context

if TYPE_CHECKING:
    from retour.service.context import Retour

#: Errors, warnings and progress: never mixed into what a command writes on stdout.
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

StageCallback = Callable[[str], None]


@dataclass(slots=True)
class Session:
    """The global options of one run and the service context they open."""

    db: str | None = None
    debug: bool = False
    _retour: Retour | None = field(default=None, init=False, repr=False)

    def retour(self) -> Retour:
        if self._retour is None:
            from retour.service.context import Retour  # imported when run: a fast start

            self._retour = Retour.from_environment(self.db)
        return self._retour


def context() -> Retour:
    """The service context of the running command (``ctx.obj``), made on first use."""
    return get_current_context().ensure_object(Session).retour()


def command_app(**options: Any) -> typer.Typer:
    """A command module's own Typer, set up as the ``retour`` application is (plain help,
    no completion, no pretty tracebacks: a usage error is one line)."""
    settings: dict[str, Any] = {
        "no_args_is_help": True,
        "add_completion": False,
        "pretty_exceptions_enable": False,
        "rich_markup_mode": None,
    }
    return typer.Typer(**(settings | options))


def _quiet(_: str) -> None:
    return None


@contextmanager
def stages(label: str, steps: tuple[str, ...] = ()) -> Iterator[StageCallback]:
    """A progress bar over the known steps (a spinner when there are none) on a terminal;
    silent otherwise."""
    if not err_console.is_terminal:
        yield _quiet
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=len(steps) or None)

        def advance(stage: str) -> None:
            done = steps.index(stage) if stage in steps else None
            bar.update(task, description=f"{label}: {stage}", completed=done)

        yield advance

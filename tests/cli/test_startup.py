"""The `retour` command starts without loading the data stack: every command module
imports its services, Polars, NumPy, SQLAlchemy and the settings only when it runs."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from retour.cli import assess_cmd
from retour.disclosure import Profile

HEAVY = ("polars", "numpy", "sqlalchemy", "pydantic", "scipy", "retour.service", "retour.config")


def _loaded_after(code: str) -> list[str]:
    """The heavy modules and the command modules loaded after running ``code``."""
    probe = (
        "import json, sys; from retour.cli.main import main; "
        f"{code}; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
        f"or any(m == h or m.startswith(h + '.') for h in {HEAVY!r}) "
        "or m.startswith('retour.cli.') and m.endswith('_cmd'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return list(json.loads(result.stdout.splitlines()[-1]))


def test_the_command_line_loads_none_of_the_data_stack_to_start() -> None:
    assert _loaded_after("pass") == []
    help_loads = _loaded_after("main(['--help'])")
    assert all(m.startswith("retour.cli.") for m in help_loads), help_loads


def test_a_command_loads_only_its_own_module() -> None:
    """click's lazy loading: `retour info --help` needs the dataset commands only (Typer
    itself loads pydantic to read a command's options)."""
    ours = ("retour.", "polars", "numpy", "sqlalchemy", "scipy")
    info = _loaded_after("main(['info', '--help'])")
    assert [m for m in info if m.startswith(ours)] == []  # retour.cli.commands: not a _cmd
    requests = _loaded_after("main(['figures', 'requests', '--help'])")
    assert [m for m in requests if m.startswith(ours)] == ["retour.cli.figures_cmd"]


def _best_of(times: int, *command: str) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def test_help_starts_about_as_fast_as_typer_itself() -> None:
    """`retour --help` in less than twice the time of importing Typer and Rich alone
    (0.2 s in all on a quiet machine); relative, so a busy machine does not fail it."""
    bare = _best_of(5, sys.executable, "-c", "import typer, rich.console, rich.table")
    retour = _best_of(5, sys.executable, "-m", "retour", "--help")
    assert retour < 2 * bare, f"retour --help {retour:.3f} s, typer and rich {bare:.3f} s"


def test_the_lazy_constants_equal_what_they_stand_for() -> None:
    assert Profile(assess_cmd.PUBLIC) is Profile.PUBLIC

"""The `retour` command starts without loading the data stack: every command module
imports its services, Polars, NumPy, SQLAlchemy and the settings only when it runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retour.cli import assess_cmd
from retour.disclosure import Profile
from retour.exchange import write_dataset

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from datagen import make

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


# -- import budgets, measured with `python -X importtime` ------------------------------------

#: The libraries a command that reads the database and prints or writes a table rightly
#: needs: the CLI, SQLAlchemy, Polars, the settings (pydantic) and the workbook writer.
TABLE_STACK = "import typer, rich.console, rich.table, sqlalchemy, polars, pydantic, xlsxwriter"
#: ... and what `assess` adds: NumPy and the parts of SciPy its model fits with.
MODEL_STACK = TABLE_STACK + ", numpy, scipy.special, scipy.sparse"


def _import_times(code: str) -> tuple[float, set[str]]:
    """Seconds spent importing (the top-level imports' cumulative times) and the modules."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
        check=True,
    )
    total, modules = 0, set()
    for line in result.stderr.splitlines():
        found = IMPORT_LINE.match(line)
        if found:
            modules.add(found["module"])
            total += int(found["cumulative"]) if len(found["indent"]) == 1 else 0
    return total / 1e6, modules


IMPORT_LINE = re.compile(
    r"import time:\s+\d+ \|\s+(?P<cumulative>\d+) \|(?P<indent> +)(?P<module>\S+)"
)


def _retour(url: str, *args: str) -> str:
    return f"from retour.cli.main import main; raise SystemExit(main({['--db', url, *args]!r}))"


def _best(code: str, times: int = 3) -> tuple[float, set[str]]:
    runs = [_import_times(code) for _ in range(times)]
    return min(runs, key=lambda run: run[0])


@pytest.fixture
def small_sqlite(tmp_path: Path) -> str:
    """benchmarks/datagen.py's dataset (200 requests) imported by `retour import`."""
    write_dataset(make(200), tmp_path / "data")
    url = f"sqlite:///{tmp_path / 'retour.sqlite'}"
    subprocess.run(
        [sys.executable, "-m", "retour", "--db", url, "import", str(tmp_path / "data")],
        capture_output=True,
        check=True,
    )
    return url


def test_a_command_loads_what_it_uses_and_no_more(small_sqlite: str, tmp_path: Path) -> None:
    """On SQLite no command loads psycopg; `assess` does not load scipy.stats (only the
    effects' event study and their pooling need it), `imports` not Polars; and the imports
    of `report press` stay within twice, those of `assess` within three times those of the
    libraries they need, measured in the same run (best of three each), so a busy machine
    slows both sides alike."""
    press = ("report", "press", "--lang", "en", "--out", str(tmp_path / "press.xlsx"))
    commands = {
        "info": (("info",), 1),
        "imports": (("imports",), 1),
        "press": (press, 3),
        "assess": (("assess", "--period", "2021", "--lang", "en"), 3),
    }
    measured = {
        name: _best(_retour(small_sqlite, *args), times) for name, (args, times) in commands.items()
    }
    assert (tmp_path / "press.xlsx").stat().st_size > 0  # the command did run
    for name, (_, modules) in measured.items():
        assert "psycopg" not in modules, name
    assert "scipy.stats" not in measured["assess"][1]
    assert "polars" not in measured["imports"][1]  # a stored list needs no data frame
    table_stack, _ = _best(TABLE_STACK)
    model_stack, _ = _best(MODEL_STACK)
    press_s, assess_s = measured["press"][0], measured["assess"][0]
    assert press_s < 2 * table_stack, f"press {press_s:.3f} s, its libraries {table_stack:.3f} s"
    # 2.4 times on a machine at load 9 (11.5 s against 4.9 s); the command's own modules
    # (the index, its disclosure, the reports it can write) are most of the rest
    assert assess_s < 3 * model_stack, f"assess {assess_s:.3f} s, its libraries {model_stack:.3f} s"

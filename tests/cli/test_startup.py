"""The `retour` command starts without loading the data stack: every command module
imports its services, Polars, NumPy, SQLAlchemy and the settings only when it runs."""

from __future__ import annotations

import json
import subprocess
import sys

from retour.analysis import return_rate
from retour.cli import assess_cmd, context_cmd
from retour.disclosure import Profile

HEAVY = ("polars", "numpy", "sqlalchemy", "pydantic", "scipy", "retour.service", "retour.config")


def test_the_command_line_loads_none_of_the_data_stack_to_start() -> None:
    probe = (
        "import json, sys, retour.cli.commands; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
        f"or any(m == h or m.startswith(h + '.') for h in {HEAVY!r}))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


def test_the_lazy_constants_equal_what_they_stand_for() -> None:
    assert Profile(assess_cmd.PUBLIC) is Profile.PUBLIC
    assert context_cmd.CSV_COLUMNS == (
        return_rate.GEO, return_rate.CITIZEN, return_rate.YEAR, return_rate.ORDERED,
        return_rate.ORDERED_FLAG, return_rate.RETURNED, return_rate.RETURNED_FLAG,
        return_rate.RETURN_RATE, return_rate.RANK, return_rate.RANKED, return_rate.AGGREGATE,
    )  # fmt: skip

"""`retour` run as a user runs it: a process of its own, exit status and output as text.

The environment is the test's, less every ``RETOUR_`` variable, with the settings file and
the data folder under ``home`` (so no user's settings leak in), then the variables given.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def clean_env(home: Path, **env: str) -> dict[str, str]:
    """The test's environment without ``RETOUR_`` variables, settings and data under ``home``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RETOUR_")}
    clean |= {
        "RETOUR_SETTINGS": str(home / "settings.toml"),
        "RETOUR_DATA_DIR": str(home / "data"),
    }
    return clean | env


def retour(
    args: list[str] | tuple[str, ...], home: Path, *, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """``python -m retour ARGS`` in the environment of :func:`clean_env`; never raises on exit."""
    return subprocess.run(
        [sys.executable, "-m", "retour", *args],
        capture_output=True,
        text=True,
        env=clean_env(home, **env),
        timeout=timeout,
        check=False,
    )

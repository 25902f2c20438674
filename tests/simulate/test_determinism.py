"""The same seed gives byte-identical files (truth.json too); another seed, other data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from retour.service.simulation import simulate

ARGS = ("nl", (2021, 2022), 21)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_another_seed_other_data(tmp_path: Path) -> None:
    first = simulate(*ARGS, tmp_path / "a", scale=0.1, placebos=4)
    simulate(*ARGS, tmp_path / "b", scale=0.1, placebos=4)
    simulate(ARGS[0], ARGS[1], 22, tmp_path / "c", scale=0.1, placebos=4)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert len(a) == 11 and first.counts  # nine tables, dataset.json, truth.json
    assert a == b
    for name in ("cases.csv", "requests.csv", "conditions.csv", "departures.csv", "truth.json"):
        assert a[name] != c[name], name
    assert a["dataset.json"] == c["dataset.json"]


def test_another_process_writes_the_same_bytes(tmp_path: Path) -> None:
    """No dependence on hash seeds, thread counts or anything else of the process."""
    simulate(*ARGS, tmp_path / "here", scale=0.05)
    env = {**os.environ, "PYTHONHASHSEED": "12345", "POLARS_MAX_THREADS": "1"}
    command = [
        sys.executable, "-m", "retour", "simulate", "--out", str(tmp_path / "there"),
        "--scenario", "nl", "--years", "2021-2022", "--seed", "21", "--scale", "0.05",
    ]  # fmt: skip
    subprocess.run(command, check=True, env=env, capture_output=True)
    assert _files(tmp_path / "here") == _files(tmp_path / "there")

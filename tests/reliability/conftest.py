"""Fixtures of the reliability tests: datasets built in code, races between processes.

Every id is synthetic; no personal data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

WORKER = Path(__file__).with_name("import_worker.py")
#: Seconds the racing processes get to start (import retour, open the database) before
#: the agreed moment at which they all begin their import.
START_AFTER = 4.0


def detention_dataset(
    folder: Path,
    *,
    cases: int,
    detention_prefix: str,
    started_on: str,
    ended_on: str,
    source: str | None = None,
) -> Path:
    """A dataset of `cases` cases, each with one detention from started_on to ended_on."""
    folder.mkdir(parents=True)
    ids = [f"C{i:05d}" for i in range(cases)]
    case_rows = "".join(f"{c},MA,2020-01-05\n" for c in ids)
    detention_rows = "".join(
        f"{detention_prefix}{c},{c},{started_on},{ended_on},no_prospect\n" for c in ids
    )
    (folder / "cases.csv").write_text(
        "case_id,nationality,opened_on\n" + case_rows, encoding="utf-8"
    )
    (folder / "detentions.csv").write_text(
        "detention_id,case_id,started_on,ended_on,end_reason\n" + detention_rows,
        encoding="utf-8",
    )
    meta = {"format": "retour/1", "extracted_on": "2024-02-01", "source": source or "test"}
    (folder / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def race(url: str, folders: Sequence[Path]) -> list[dict[str, object]]:
    """Import each folder in a process of its own, all beginning at the same moment; the
    outcome of each, in the order of `folders`."""
    start = time.time() + START_AFTER
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    processes = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, str(folder), repr(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for folder in folders
    ]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    return outcomes

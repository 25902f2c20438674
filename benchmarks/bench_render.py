"""The one CSV and JSON renderer (``retour.reports.tabular``) against the writers it replaced
(``tests/figures/legacy.py``, the old code unchanged), on one large figures answer: the same
text, and the CPU time per render, old and new alternating.

Run it: ``.venv/bin/python benchmarks/bench_render.py [--requests 30000]`` (builds a SQLite
file under the system's temporary folder once).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.figures import data, legacy

from retour.config import load_settings
from retour.exchange import write_dataset
from retour.reports import models
from retour.reports.tabular import csv_text, json_text
from retour.service import datasets, figures
from retour.service.context import Retour

ROUNDS = 15
BY = "kind,country,reason,outcome,year"


def _context(requests: int) -> Retour:
    root = Path(tempfile.gettempdir()) / f"retour-bench-render-{requests}"
    root.mkdir(exist_ok=True)
    os.environ["RETOUR_SETTINGS"] = str(root / "settings.toml")
    os.environ["RETOUR_DATA_DIR"] = str(root)
    context = Retour(settings=load_settings(), db_override=f"sqlite:///{root / 'r.sqlite'}")
    if not (root / "imported").exists():
        write_dataset(data.make(requests, seed=3), root / "dataset")
        datasets.import_dataset(context, root / "dataset", today=dt.date(2024, 6, 1))
        (root / "imported").write_text("1")
    return context


def _cpu(old: Callable[[], str], new: Callable[[], str]) -> dict[str, float]:
    assert old() == new(), "the renderer's text differs from the old writer's"
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(ROUNDS):
        for name, render in (("old", old), ("new", new)):
            start = time.process_time()
            render()
            times[name].append(time.process_time() - start)
    return {name: round(statistics.median(t) * 1000, 1) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30_000)
    args = parser.parse_args()
    context = _context(args.requests)
    answer = figures.request_figures(context, by=BY, profile="internal")
    cells = sum(t.cells().height for t in answer.tables)
    result = {
        "cells": cells,
        "csv_ms": _cpu(
            lambda: legacy.figures_csv(answer, "en", None), lambda: csv_text(answer, names="en")
        ),
        "json_ms": _cpu(
            lambda: legacy.figures_json(answer, "nl", "en"),
            lambda: json_text(models.figures_document(answer, "nl", "en")),
        ),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

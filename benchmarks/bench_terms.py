"""Benchmark: `retour overdue` and `retour figures terms` on a million requests, with terms on
a third of the countries (target: each at most 2 s).

The dataset is benchmarks/datagen.py's (1 M requests over 14 countries) plus agreements with
terms for 5 of its countries (calendar and working days, document limits) and a status for
one more. It is imported once into an SQLite file; each command then runs as a user runs it,
a process of its own, best of three, wall clock and the process's CPU. The anchor in the same
run is `retour figures requests --years 2019-2023 --by country,kind` (one counting query over
the same requests): the ratios say what the time limits cost beyond it, whatever the load.

    .venv/bin/python benchmarks/bench_terms.py [--requests 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from retour.domain.codes import Table
from retour.domain.dataset import Dataset
from retour.exchange import write_dataset

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datagen import make

TARGET = 2.0
WITH_TERMS = ("MA", "NG", "DZ", "TN", "IQ")


def with_terms(dataset: Dataset) -> Dataset:
    d = dt.date
    instruments = pl.DataFrame(
        {
            "instrument_id": [f"A-{c}" for c in WITH_TERMS],
            "country": list(WITH_TERMS),
            "kind": ["readmission_agreement", "working_arrangement"] * 2
            + ["readmission_agreement"],
            "level": ["eu"] * 5,
            "status": ["in_force"] * 5,
            "start_on": [d(2018, 1, 1), d(2019, 6, 1), d(2018, 1, 1), d(2020, 1, 1), d(2018, 3, 1)],
            "end_on": [None] * 5,
            "title": [f"Agreement {c}" for c in WITH_TERMS],
            "source": [None] * 5,
        },
        schema_overrides={"end_on": pl.Date, "source": pl.String},
    )
    terms = pl.DataFrame(
        {
            "term_id": [f"T-{c}-{k}" for c in WITH_TERMS for k in ("LP", "TO")],
            "instrument_id": [f"A-{c}" for c in WITH_TERMS for _ in range(2)],
            "request_kind": ["LP", "TO"] * 5,
            "reply_days": [30, 30, 14, 20, 30, 45, 10, 14, 30, 30],
            "day_count": ["calendar", "calendar", "working", "working", "calendar"] * 2,
            "deemed_accepted": ["yes", "no"] * 5,
            "document_days": [14, 30, 3, None, 14, 30, None, 3, 30, 14],
        },
        schema_overrides={"document_days": pl.Int64},
    )
    statuses = pl.DataFrame(
        {"country": ["SO"], "status": ["no_document_process"], "request_kind": ["LP"],
         "start_on": [d(2018, 1, 1)], "end_on": [None], "source": ["press answer"]},
        schema_overrides={"end_on": pl.Date, "request_kind": pl.String},
    )  # fmt: skip
    tables = {**dataset.tables, Table.INSTRUMENTS: instruments, Table.TERMS: terms,
              Table.COUNTRY_STATUS: statuses}  # fmt: skip
    return Dataset(tables, dataset.meta)


def timed(args: list[str], env: dict[str, str], runs: int = 3) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system of the process) of `runs` runs."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "retour", *args], env=env, check=True,
                       capture_output=True)  # fmt: skip
        wall = min(wall, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = min(cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="a folder to reuse")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (best kept)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-terms-"))
    db = folder / "retour.sqlite"
    env = {**os.environ, "RETOUR_DB": str(db), "RETOUR_SETTINGS": str(folder / "s.toml"),
           "RETOUR_DATA_DIR": str(folder)}  # fmt: skip
    if not db.exists():
        data = with_terms(make(args.requests))
        write_dataset(data, folder / "data")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "retour", "import", str(folder / "data")],
                       env=env, check=True, capture_output=True)  # fmt: skip
        print(f"import of {args.requests:,} requests: {time.perf_counter() - start:.1f} s")
    commands = {
        "overdue (public counts)": ["overdue"],
        "overdue --profile internal --format csv": ["overdue", "--profile", "internal",
                                                    "--format", "csv", "--out",
                                                    str(folder / "o.csv")],
        "overdue --format xlsx (internal)": ["overdue", "--profile", "internal", "--format",
                                             "xlsx", "--out", str(folder / "o.xlsx")],
        "figures terms --by country,kind,year": ["figures", "terms", "--years", "2019-2023",
                                                 "--by", "country,kind,year"],
    }  # fmt: skip
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "retour", "--help"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    print(f"retour --help (start-up): {time.perf_counter() - start:.2f} s")
    anchor, anchor_cpu = timed(["figures", "requests", "--years", "2019-2023", "--by",
                                "country,kind", "--format", "csv"], env, args.runs)  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f}; anchor: figures requests --years 2019-2023 "
          f"--by country,kind: {anchor:.2f} s wall, {anchor_cpu:.2f} s CPU")  # fmt: skip
    for name, command in commands.items():
        wall, cpu = timed(command, env, args.runs)
        verdict = "ok" if wall <= TARGET else "OVER"
        ratio = f"{wall / anchor:.2f} x the anchor's wall, {cpu / anchor_cpu:.2f} x its CPU"
        print(f"{name}: {wall:.2f} s wall (target {TARGET:g} s, {verdict}), {cpu:.2f} s CPU; "
              f"{ratio}")  # fmt: skip
    rows = sum(1 for _ in (folder / "o.csv").open()) - 1
    print(f"overdue rows (internal list): {rows:,}")


if __name__ == "__main__":
    main()

"""Benchmark: the Article 25a workbook for all countries (`retour report art25a`) on a million
requests (target: at most 5 s), against an anchor in the same run.

The dataset is benchmarks/datagen.py's (1 M requests over 14 countries) with bench_terms.py's
agreements, terms and status, plus departures for a third of the cases (forced, independent
and unsupervised). It is imported once into an SQLite file; each command then runs as a user
runs it, a process of its own, best of three. The anchor is `retour figures requests` for
the same year by country and answer (one counting query over the same requests): the ratio
says what the workbook costs beyond reading the year's counts, whatever the machine's load.

The workbook is timed twice: with the cache of fitted indexes off (``RETOUR_CACHE=false``:
the index is fitted in every run, as a first workbook on new data is) and on, after one run
that fitted and kept the index (every later workbook, ``retour assess`` or web page on the
same data and settings).

    .venv/bin/python benchmarks/bench_art25a.py [--requests 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from retour.domain.codes import Table
from retour.domain.dataset import Dataset
from retour.exchange import write_dataset

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_terms import with_terms
from datagen import EXTRACTED, make

TARGET = 5.0
YEAR = "2022"


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
        used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        cpu = min(cpu, used)
    return wall, cpu


def with_departures(dataset: Dataset, seed: int = 11) -> Dataset:
    """A departure for every third case, 0-400 days after it opened (before extraction)."""
    rng = np.random.default_rng(seed)
    cases = dataset.tables[Table.CASES]
    chosen = cases.gather(np.arange(0, cases.height, 3))
    later = pl.Series(rng.integers(0, 400, chosen.height)).cast(pl.Int64)
    departed = (
        chosen.with_columns(later.alias("_later"))
        .select(
            (pl.col("opened_on") + pl.duration(days=pl.col("_later"))).clip(
                upper_bound=pl.lit(EXTRACTED)
            )
        )
        .to_series()
    )
    types = np.array(["forced", "independent", "unsupervised"])
    departures = pl.DataFrame(
        {
            "departure_id": [f"D{i}" for i in range(chosen.height)],
            "case_id": chosen.get_column("case_id"),
            "departed_on": departed,
            "type": types[rng.integers(0, 3, chosen.height)],
            "destination": pl.Series([None] * chosen.height, dtype=pl.String),
            "assisted": pl.Series([None] * chosen.height, dtype=pl.String),
        }
    )
    return Dataset({**dataset.tables, Table.DEPARTURES: departures}, dataset.meta)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="a folder to reuse")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (best kept)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-art25a-"))
    db = folder / "retour.sqlite"
    env = {**os.environ, "RETOUR_DB": str(db), "RETOUR_SETTINGS": str(folder / "s.toml"),
           "RETOUR_DATA_DIR": str(folder)}  # fmt: skip
    if not db.exists():
        data = with_departures(with_terms(make(args.requests)))
        write_dataset(data, folder / "data")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "retour", "import", str(folder / "data")],
                       env=env, check=True, capture_output=True)  # fmt: skip
        print(f"import of {args.requests:,} requests: {time.perf_counter() - start:.1f} s")
    anchor, anchor_cpu = timed(["figures", "requests", "--years", YEAR, "--by", "country,outcome",
                    "--format", "csv"], env, args.runs)  # fmt: skip
    workbook = ["report", "art25a", "--year", YEAR, "--out", str(folder / "art25a.xlsx")]
    fresh = {**env, "RETOUR_CACHE": "false"}
    commands = {
        "figures art25a --format csv": (["figures", "art25a", "--year", YEAR, "--format", "csv"],
                                        env),
        "report art25a (workbook, all countries; index fitted)": (workbook, fresh),
        "report art25a (workbook, all countries; index from the cache)": (workbook, env),
    }  # fmt: skip
    # one workbook that fits the index and keeps it for the runs from the cache
    subprocess.run([sys.executable, "-m", "retour", *workbook], env=env, check=True,
                   capture_output=True)  # fmt: skip
    load = os.getloadavg()[0]
    print(f"load average {load:.1f}; anchor: figures requests --years {YEAR} --by "
          f"country,outcome: {anchor:.2f} s wall, {anchor_cpu:.2f} s CPU")  # fmt: skip
    for name, (command, where) in commands.items():
        wall, cpu = timed(command, where, args.runs)
        verdict = "ok" if wall <= TARGET else "OVER"
        ratio = f"{wall / anchor:.1f} x the anchor's wall, {cpu / anchor_cpu:.1f} x its CPU"
        print(f"{name}: {wall:.2f} s wall (target {TARGET:g} s, {verdict}), {cpu:.2f} s CPU; "
              f"{ratio}")  # fmt: skip


if __name__ == "__main__":
    main()

"""Benchmark: `retour case` in a new process, before and after the prospect model is cached.

The first call on a date fits the prospect model and writes it to the cache under the data
directory (``cache/prospect``); every later call on the same data and date, in a new
process, reads it instead. Timed, each as a fresh process (start-up included): the first
call, the next calls (median of ``--repeat``), and calls with ``RETOUR_CACHE=false`` (they
fit every time) -- with wall time, CPU time, peak memory and the size of the cache entry.

    .venv/bin/python benchmarks/bench_case.py [--scenario nl|eu] [--db URL --case ID --on DATE]

Without --db the simulated scenario (five years, seed 1) goes into a new SQLite file and
the first case open on the extraction date is viewed; with --db that database is taken as
it is (give --case). Target: a call that finds the model in the cache costs at most the
start-up of the command (``retour --help``, timed in the same run) plus one second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import polars as pl

from child import measure  # benchmarks/child.py: run as a script, this folder is on the path

PYTHON = sys.executable
#: Seconds a call that finds its model may take beyond the start-up of the command.
TARGET_BEYOND_START_UP = 1.0


def median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}


def simulated(scenario: str, work: Path, env: dict[str, str]) -> tuple[str, dict[str, object]]:
    """Simulate and import the scenario; the first case open on the extraction date."""
    data = work / scenario
    retour = [PYTHON, "-m", "retour"]
    simulate = [*retour, "simulate", "--scenario", scenario, "--years", "2019-2023",
                "--seed", "1", "--out", str(data), "--force"]  # fmt: skip
    timings: dict[str, object] = {"simulate": measure(simulate, env)}
    timings["import"] = measure([*retour, "import", str(data)], env)
    cases = pl.scan_csv(data / "cases.csv", infer_schema=False)
    case = cases.filter(pl.col("closed_on").is_null()).select("case_id").first().collect()
    return str(case.item()), timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="nl", choices=["nl", "eu"])
    parser.add_argument("--db", default=None, help="A database URL holding data already.")
    parser.add_argument("--case", default=None, help="The case to view (with --db).")
    parser.add_argument("--on", default=None, help="The date to view it on.")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="retour-bench-case-"))
    url = args.db or f"sqlite:///{work / f'{args.scenario}.sqlite'}"
    env = {**os.environ, "RETOUR_DB": url, "RETOUR_DATA_DIR": str(work / "data")}
    env.pop("RETOUR_CACHE", None)
    result: dict[str, object] = {
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "scenario": None if args.db else args.scenario,
    }
    case = args.case
    if args.db is None:
        case, timings = simulated(args.scenario, work, env)
        result |= timings
    if case is None:
        raise SystemExit("give --case with --db")
    command = [PYTHON, "-m", "retour", "case", case, *(["--on", args.on] if args.on else [])]
    result["load_before"] = round(os.getloadavg()[0], 1)
    start_up = median(
        [measure([PYTHON, "-m", "retour", "--help"], env) for _ in range(args.repeat)]
    )
    first = measure(command, env)
    entries = list((work / "data" / "cache" / "prospect").glob("*.zip"))
    again = median([measure(command, env) for _ in range(args.repeat)])
    off = median([measure(command, {**env, "RETOUR_CACHE": "false"}) for _ in range(args.repeat)])
    result |= {
        "start-up (median)": start_up,
        "first call": first,
        "next calls (median)": again,
        "cache off (median)": off,
        "cache_entries": len(entries),
        "entry_kb": round(sum(e.stat().st_size for e in entries) / 1024),
        "load_after": round(os.getloadavg()[0], 1),
        "speed_up": round(first["wall_s"] / again["wall_s"], 1),
        "met": again["wall_s"] <= start_up["wall_s"] + TARGET_BEYOND_START_UP,
    }
    print(json.dumps(result, indent=2))
    shutil.rmtree(work, ignore_errors=True)  # the eu database alone is gigabytes
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())

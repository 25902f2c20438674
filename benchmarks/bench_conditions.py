"""Benchmark: `retour figures conditions` at eu scale -- the month-end series and one date.

Target (the five-conditions issue): `retour figures conditions --monthly 2019-2023 --by
country` over five years at eu scale (about 1.9 million cases, 10.8 million condition
observations) in at most 60 s. Each command runs as a fresh process, start-up included;
wall time, CPU time and peak memory are reported, with the load of the machine.

    .venv/bin/python benchmarks/bench_conditions.py [--db URL --no-import] [--keep DIR]

Without --db the simulated eu dataset (seed 1) goes into a new SQLite file (the import
takes minutes); with --db into that database, or, with --no-import, the database is taken
as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

from child import measure  # benchmarks/child.py: run as a script, this folder is on the path

PYTHON = sys.executable
TARGET_SECONDS = 60.0
RUNS = (
    ("monthly by country", ["--monthly", "2019-2023", "--by", "country"]),
    ("monthly, all countries", ["--monthly", "2019-2023"]),
    ("one date by country", ["--on", "2023-06-30", "--by", "country"]),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="A database URL (default: a new SQLite file).")
    parser.add_argument("--no-import", action="store_true", help="Use --db as it is.")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the dataset here.")
    parser.add_argument("--profile", default="public")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="retour-bench-conditions-") as folder:
        return run(args, Path(folder))  # the simulated data and database go with it


def run(args: argparse.Namespace, work: Path) -> int:
    url = args.db or f"sqlite:///{work / 'eu.sqlite'}"
    env = {**os.environ, "RETOUR_DB": url, "RETOUR_DATA_DIR": str(work / "data")}
    retour = [PYTHON, "-m", "retour"]
    result: dict[str, object] = {"machine": platform.platform(), "cpus": os.cpu_count()}
    if not args.no_import:
        data = args.keep or work / "eu"
        simulate = [*retour, "simulate", "--scenario", "eu", "--years", "2019-2023", "--seed",
                    "1", "--out", str(data), "--force"]  # fmt: skip
        result["simulate"] = measure(simulate, env)
        result["import"] = measure([*retour, "import", str(data)], env)
    for name, options in RUNS:
        command = [*retour, "figures", "conditions", *options, "--profile", args.profile,
                   "--format", "csv"]  # fmt: skip
        result[name] = {**measure(command, env), "load": round(os.getloadavg()[0], 1)}
    monthly = result["monthly by country"]
    assert isinstance(monthly, dict)
    result["target_s"] = TARGET_SECONDS
    result["met"] = monthly["wall_s"] <= TARGET_SECONDS
    print(json.dumps(result, indent=2))
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())

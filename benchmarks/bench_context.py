"""Benchmark: `retour context import` of migr_eiord and migr_eirtn for every state, citizenship
and year, as SDMX TSV (the form of Eurostat's API), into a fresh database.

Target (the EU-context issue): importing both files, a few hundred thousand values, in at
most 10 s. The files are generated with the real code lists (34 reporting states and
aggregates, ~200 citizenships, 2008-2023; migr_eiord by sex, migr_eirtn by destination),
with Eurostat's quirks: trailing blanks, ':' for not available, flags after the value.
The import runs as the command a user types, in a fresh process (its wall time includes
starting Python and importing retour), then again (every value unchanged); an in-process
breakdown says how the time splits between reading and writing. The child's CPU time and
the load average are printed too: on a busy machine wall time overstates the cost (the
database server's own CPU time is not in the child's, so compare wall times on PostgreSQL).

    .venv/bin/python benchmarks/bench_context.py [--citizens 200] [--db URL] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from retour.domain.eurostat import EurostatAggregate, citizen_codes
from retour.exchange.eurostat import read_eurostat
from retour.store import open_database
from retour.store.outside import write_outside

PYTHON = sys.executable
TARGET_S = 10.0
YEARS = list(range(2008, 2024))
STATES = [
    *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU"),
    *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "UK"),
    *("IS", "LI", "NO", "CH"),
]
GEOS = [*STATES, EurostatAggregate.EU27_2020.value, EurostatAggregate.EU28.value]


def cell(rng: random.Random) -> str:
    """A TSV cell as Eurostat's API writes it."""
    roll = rng.random()
    if roll < 0.15:
        return ": " if roll < 0.12 else ": c"
    value = 5 * int(rng.expovariate(1 / 60))
    flag = "" if roll < 0.9 else rng.choice(["p", "d", "e", "ep"])
    return f"{value} {flag}".rstrip() + (" " if not flag else "")


def write_tsv(path: Path, dataset: str, citizens: list[str], rng: random.Random) -> int:
    """One dataset as SDMX TSV; returns the number of values."""
    periods = "\t".join(f"{y} " for y in YEARS)
    if dataset == "migr_eiord":
        header = f"freq,citizen,age,sex,unit,geo\\TIME_PERIOD\t{periods}\n"
        keys = [f"A,{c},TOTAL,{s},PER,{g}" for c in citizens for s in ("T", "M") for g in GEOS]
    else:
        header = f"freq,c_dest,citizen,age,sex,unit,geo\\TIME_PERIOD\t{periods}\n"
        keys = [
            f"A,{d},{c},TOTAL,T,PER,{g}" for d in ("TOTAL", "THRD") for c in citizens for g in GEOS
        ]
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        for key in keys:
            out.write(key + "\t" + "\t".join(cell(rng) for _ in YEARS) + "\n")
    return len(keys) * len(YEARS)


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system), peak RSS (MB) and stdout of one child."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed with status {status}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def breakdown(files: list[Path], url: str) -> dict[str, float]:
    """Read and write times in one process, into a fresh database at url."""
    times: dict[str, float] = {"read_s": 0.0, "write_s": 0.0}
    db = open_database(url)
    try:
        for path in files:
            start = time.perf_counter()
            frame = read_eurostat(path).frame.rename({"line": "source_line"})
            times["read_s"] += time.perf_counter() - start
            start = time.perf_counter()
            write_outside(db, frame, imported_at=dt.datetime.now(dt.UTC))
            times["write_s"] += time.perf_counter() - start
    finally:
        db.close()
    return {k: round(v, 2) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--db", default=None, help="An empty database (default: new SQLite).")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the files here.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="retour-bench-context-"))
    data = args.keep or work / "data"
    data.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2024)
    citizens = sorted(c for c in citizen_codes() if len(c) == 2)[: args.citizens]
    files = [data / "estat_migr_eiord.tsv", data / "estat_migr_eirtn.tsv"]
    values = sum(write_tsv(f, f.name[6:16], citizens, rng) for f in files)
    url = args.db or f"sqlite:///{work / 'bench.sqlite'}"
    env = {**os.environ, "RETOUR_DB": url}
    command = [PYTHON, "-m", "retour", "context", "import", *map(str, files)]
    import_s, import_cpu, import_mb, out = run(command, env)
    again_s, again_cpu, _, again_out = run(command, env)
    split: dict[str, object] = {"note": "skipped: --db is not emptied between runs"}
    if args.db is None:
        split = dict(breakdown(files, f"sqlite:///{work / 'split.sqlite'}"))
    result = {
        "values": values,
        "files_mb": round(sum(f.stat().st_size for f in files) / 1e6, 1),
        "database": "sqlite" if args.db is None else url.split("://", 1)[0],
        "import_s": round(import_s, 2),
        "import_values_per_s": round(values / import_s),
        "import_cpu_s": round(import_cpu, 2),
        "import_peak_mb": round(import_mb),
        "reimport_unchanged_s": round(again_s, 2),
        "reimport_cpu_s": round(again_cpu, 2),
        "load_average": [round(n, 1) for n in os.getloadavg()],
        "in_process": split,
        "target_s": TARGET_S,
        "cpus": os.cpu_count(),
    }
    print(out.strip())
    print(again_out.strip())
    print(json.dumps(result, indent=2))
    print("target met" if import_s <= TARGET_S else "TARGET MISSED")


if __name__ == "__main__":
    main()

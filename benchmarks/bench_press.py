"""Benchmark: `retour report press` for five years from a database of 1,000,000 requests.

Targets (the press-figures issue): the workbook in at most 5 s, and at least 5x faster than
the plain pandas script an analyst would write over the same database (read the requests
table with `pandas.read_sql`, group, write with XlsxWriter). Both run as fresh processes,
interpreter start-up and imports included, and each is timed several times (the median
counts, wall and CPU). Beside them: the start-up of the `retour` command alone
(`retour --help`), the same workbook from a Python script over retour's service API, and
the use case alone inside a process.

    .venv/bin/python benchmarks/bench_press.py [--requests N] [--db URL] [--repeat 3]

Without --db the data go into a new SQLite file; with --db (e.g. a PostgreSQL URL of an
empty database) into that one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
YEARS = "2019-2023"

#: What an analyst would write: everything into pandas, then groupbys and to_excel.
PANDAS_BASELINE = """
import sys
import pandas as pd
import sqlalchemy as sa

url, out = sys.argv[1], sys.argv[2]
engine = sa.create_engine(url)
with engine.connect() as con:
    df = pd.read_sql("select * from requests", con)
df["year"] = pd.to_datetime(df["submitted_on"]).dt.year
df = df[df["year"].between(2019, 2023)]
with pd.ExcelWriter(out, engine="xlsxwriter") as xw:
    for kind in ["LP", "TO"]:
        k = df[df["kind"] == kind]
        t = k.pivot_table(index="year", columns="outcome", values="request_id",
                          aggfunc="count", fill_value=0)
        t["submitted"] = t.sum(axis=1)
        t.loc["total"] = t.sum()
        t.to_excel(xw, sheet_name=f"{kind} totals")
    for kind in ["TO", "LP"]:
        k = df[(df["kind"] == kind) & df["outcome"].isin(["negative", "withdrawn"])]
        t = k.pivot_table(index=["country", "outcome"], columns="year", values="request_id",
                          aggfunc="count", fill_value=0, margins=True, margins_name="total")
        t.to_excel(xw, sheet_name=f"{kind} by country")
    r = df[df["outcome"].isin(["negative", "withdrawn"])]
    t = r.pivot_table(index=["kind", "outcome", "reason"], columns="year", values="request_id",
                      aggfunc="count", fill_value=0, margins=True, margins_name="total")
    t.to_excel(xw, sheet_name="reasons")
"""

#: The same through retour's Python API, as a script an analyst could write instead of the
#: pandas one: a whole process, imports included, but not every command of the CLI.
SCRIPT = """
import sys
from pathlib import Path
from retour.service import figures
from retour.service.context import Retour
with Retour.from_environment() as app:
    figures.press_workbook(app, Path(sys.argv[1]), years=sys.argv[2])
"""

#: The use case alone, inside one process: no start-up, no imports.
IN_PROCESS = """
import sys, time
from pathlib import Path
from retour.service import figures
from retour.service.context import Retour
with Retour.from_environment() as app:
    app.database()
    start = time.perf_counter()
    figures.press_workbook(app, Path(sys.argv[1]), years=sys.argv[2])
    print(time.perf_counter() - start)
"""


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed with status {status}")
    return wall, usage.ru_utime + usage.ru_stime


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--db", default=None, help="Database URL (default: a new SQLite file).")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="Keep the dataset here.")
    parser.add_argument(
        "--no-import", action="store_true", help="--db already holds the dataset: time only."
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="retour-bench-press-"))
    data = args.keep or work / "data"
    url = args.db or f"sqlite:///{work / 'bench.sqlite'}"
    env = {**os.environ, "RETOUR_DB": url}
    for name in ("RETOUR_SECRET", "RETOUR_CONFIDENTIAL"):
        env.pop(name, None)
    env["RETOUR_SETTINGS"] = str(work / "no-settings.toml")
    if not args.no_import and not (data / "requests.csv").exists():
        make = [PYTHON, str(HERE / "datagen.py"), str(data), "--requests", str(args.requests)]
        subprocess.run(make, check=True, stdout=subprocess.DEVNULL)
    retour = [PYTHON, "-m", "retour"]
    import_s = 0.0 if args.no_import else timed([*retour, "import", str(data)], env)[0]
    out = work / "press.xlsx"
    press = [*retour, "report", "press", "--years", YEARS, "--profile", "public", "--out", str(out)]
    press_runs = [timed(press, env) for _ in range(args.repeat)]
    startup_runs = [timed([*retour, "--help"], env) for _ in range(args.repeat)]
    baseline = [PYTHON, "-c", PANDAS_BASELINE, url, str(work / "pandas.xlsx")]
    pandas_runs = [timed(baseline, env) for _ in range(args.repeat)]
    script = [PYTHON, "-c", SCRIPT, str(work / "script.xlsx"), YEARS]
    script_runs = [timed(script, env) for _ in range(args.repeat)]
    use_case = [PYTHON, "-c", IN_PROCESS, str(work / "inside.xlsx"), YEARS]
    inside = [
        float(subprocess.run(use_case, env=env, check=True, capture_output=True).stdout)
        for _ in range(args.repeat)
    ]
    press_s, press_cpu = medians(press_runs)
    pandas_s, pandas_cpu = medians(pandas_runs)
    startup_s, startup_cpu = medians(startup_runs)
    script_s, script_cpu = medians(script_runs)
    result = {
        "requests": args.requests,
        "backend": url.split(":", 1)[0],
        "import_s": round(import_s, 1),
        "press_s": round(press_s, 2),
        "press_cpu_s": round(press_cpu, 2),
        "press_runs_s": [round(r[0], 2) for r in press_runs],
        "cli_startup_s": round(startup_s, 2),
        "cli_startup_cpu_s": round(startup_cpu, 2),
        "script_s": round(script_s, 2),
        "script_cpu_s": round(script_cpu, 2),
        "press_in_process_s": round(statistics.median(inside), 2),
        "pandas_s": round(pandas_s, 2),
        "pandas_cpu_s": round(pandas_cpu, 2),
        "pandas_runs_s": [round(r[0], 2) for r in pandas_runs],
        "speedup": round(pandas_s / press_s, 1),
        "speedup_cpu": round(pandas_cpu / press_cpu, 1),
        "speedup_script": round(pandas_s / script_s, 1),
        "speedup_script_cpu": round(pandas_cpu / script_cpu, 1),
        "speedup_in_process": round(pandas_s / statistics.median(inside), 1),
        "target_press_s": 5,
        "target_speedup": 5,
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, indent=2))
    ok = press_s <= 5 and pandas_s / press_s >= 5
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()

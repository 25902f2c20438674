"""Benchmark: `retour import` of 1,000,000 requests (+ cases, ~5 conditions per case) into SQLite.

Targets (issue #2): at least 100,000 rows/s over all tables, peak memory at most 2 GB.
Each step runs in a fresh subprocess so its peak RSS is its own. Beside the import the
script times two baselines in the same run, so the figures can be read as ratios on any
machine: reading the CSV files with Polars alone, and a re-import of the same data.

    .venv/bin/python benchmarks/bench_import.py [--requests N] [--keep DIR] [--anchor PYTHON]

With ``--anchor PYTHON`` (a Python that has polars, pyarrow and adbc-driver-sqlite; retour
itself does not need them) it also times the anchor issue #16 compares with: Polars
``read_csv`` of the same files and ADBC ingest into an empty retour database of the same
schema and indexes, in one transaction — rows moved as Arrow, no rule checked.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable

#: The anchor: Polars reads each table's CSV file and ADBC appends it, as Arrow, to the
#: table of an empty retour database (its schema and indexes), in one transaction.
ANCHOR = """
import sys, datetime as dt, polars as pl, adbc_driver_sqlite.dbapi as adbc
data, db = sys.argv[1], sys.argv[2]
conn = adbc.connect(db)
cur = conn.cursor()
cur.execute("INSERT INTO imports (id, imported_at, source, extracted_on, simulated, format, "
            "fingerprint, container, counts) VALUES (1, '2024-01-02 00:00:00', 'anchor', "
            "'2024-01-01', 0, '1', '', '', '{}')")
for table in ("cases", "requests", "conditions"):
    frame = pl.read_csv(f"{data}/{table}.csv", try_parse_dates=True)
    frame = frame.with_columns(extracted_on=pl.lit(dt.date(2024, 1, 1)), import_id=pl.lit(1))
    cur.adbc_ingest(table, frame.to_arrow(), mode="append")
    del frame
conn.commit()
"""

READ_ONLY = """
import sys, polars as pl, pathlib
for f in sorted(pathlib.Path(sys.argv[1]).glob('*.csv')):
    pl.read_csv(f, infer_schema=False)
"""


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed with status {status}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _anchor(python: str, data: Path, work: Path, env: dict[str, str]) -> dict[str, float]:
    """Wall, CPU and peak of the Polars + ADBC anchor, into an empty retour database."""
    empty = work / "anchor.sqlite"
    subprocess.run([PYTHON, "-m", "retour", "--db", str(empty), "db", "upgrade"],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    seconds, cpu, mb = run([python, "-c", ANCHOR, str(data), str(empty)], env)
    return {
        "anchor_s": round(seconds, 2),
        "anchor_cpu_s": round(cpu, 2),
        "anchor_peak_mb": round(mb),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="Keep the dataset here.")
    parser.add_argument("--anchor", default=None, help="A Python with polars and ADBC.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="retour-bench-"))
    data = args.keep or work / "data"
    env = {**os.environ, "RETOUR_DB": str(work / "bench.sqlite")}
    env.pop("RETOUR_SECRET", None)
    subprocess.run([PYTHON, str(HERE / "datagen.py"), str(data), "--requests", str(args.requests)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    rows = sum(max(0, sum(1 for _ in f.open()) - 1) for f in data.glob("*.csv"))
    read_s, _, _ = run([PYTHON, "-c", READ_ONLY, str(data)], env)
    retour = [PYTHON, "-m", "retour"]
    import_s, import_cpu, import_mb = run([*retour, "import", str(data)], env)
    again_s, _, again_mb = run([*retour, "import", str(data)], env)
    anchor = _anchor(args.anchor, data, work, env) if args.anchor else None
    result = {
        "rows": rows,
        "polars_read_s": round(read_s, 2),
        "import_s": round(import_s, 2),
        "import_rows_per_s": round(rows / import_s),
        "import_cpu_s": round(import_cpu, 2),
        "import_rows_per_cpu_s": round(rows / import_cpu),
        "import_peak_mb": round(import_mb),
        "reimport_s": round(again_s, 2),
        "reimport_peak_mb": round(again_mb),
        "import_vs_plain_read": round(import_s / read_s, 1),
        **(anchor or {}),
        **(
            {"import_vs_anchor_cpu": round(import_cpu / anchor["anchor_cpu_s"], 2)}
            if anchor
            else {}
        ),
        "target_rows_per_s": 100_000,
        "target_peak_mb": 2048,
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result, indent=2))
    ok = result["import_rows_per_s"] >= 100_000 and result["import_peak_mb"] <= 2048
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()

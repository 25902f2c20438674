"""Benchmark: `retour simulate` at nl and eu scale, five years each.

Targets (the simulator's issue): nl 5 years in at most 15 s; eu 5 years in at most 180 s
with a peak memory of at most 6 GB, on a 2-core machine. Each run is a fresh subprocess that
simulates and writes the dataset (CSV files and truth.json) and reports its own wall time and
peak RSS (resource.getrusage), so one run's memory is not counted in another's.

    .venv/bin/python benchmarks/bench_simulate.py [--only nl|eu] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PYTHON = sys.executable
YEARS = (2019, 2023)
TARGETS = {"nl": (15.0, None), "eu": (180.0, 6 * 1024.0)}  # seconds, peak MB

CHILD = """
import json, resource, sys, time
from pathlib import Path
start = time.perf_counter()
from retour.service.simulation import simulate
summary = simulate(sys.argv[1], (int(sys.argv[2]), int(sys.argv[3])), 1, Path(sys.argv[4]))
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
size_mb = sum(p.stat().st_size for p in summary.files) / 2**20
counts = {t.value: n for t, n in summary.counts.items()}
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "size_mb": size_mb, "counts": counts}))
"""


def run(scenario: str, out: Path) -> dict[str, object]:
    args = [PYTHON, "-c", CHILD, scenario, str(YEARS[0]), str(YEARS[1]), str(out)]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(TARGETS), default=None)
    parser.add_argument(
        "--keep", type=Path, default=None, help="Write (and keep) the datasets here."
    )
    args = parser.parse_args()
    if args.keep:
        table(args.only, args.keep)
        return
    with tempfile.TemporaryDirectory(prefix="retour-bench-sim-") as work:
        table(args.only, Path(work))


def table(only: str | None, work: Path) -> None:
    rows = []
    for scenario in [only] if only else list(TARGETS):
        result = run(scenario, work / scenario)
        seconds, peak = float(result["seconds"]), float(result["peak_mb"])  # type: ignore[arg-type]
        max_s, max_mb = TARGETS[scenario]
        ok = seconds <= max_s and (max_mb is None or peak <= max_mb)
        counts: dict[str, int] = result["counts"]  # type: ignore[assignment]
        rows.append((scenario, f"{YEARS[0]}-{YEARS[1]}", counts["cases"], counts["requests"],
                     counts["conditions"], f"{result['size_mb']:.0f}", f"{seconds:.1f}",
                     f"{max_s:.0f}", f"{peak:.0f}", "-" if max_mb is None else f"{max_mb:.0f}",
                     "yes" if ok else "NO"))  # fmt: skip
    header = ("scenario", "years", "cases", "requests", "conditions", "MB written", "seconds",
              "target s", "peak MB", "target MB", "met")  # fmt: skip
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(v).rjust(w) for v, w in zip(row, widths, strict=True)))
    print(f"cpus: {os.cpu_count()}")
    if not all(r[-1] == "yes" for r in rows):
        print("TARGETS MISSED")


if __name__ == "__main__":
    main()

"""Run every benchmark in this folder (bench_*.py), one after another, and say which missed.

    .venv/bin/python benchmarks/run.py [NAME ...]     # e.g. import simulate

Each benchmark prints its own figures and compares them with its targets (and, where it
has one, with a baseline measured in the same run). This machine's figures and the date
belong in benchmarks/README.md.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted = set(sys.argv[1:])
    scripts = sorted(HERE.glob("bench_*.py"))
    if wanted:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    failed: list[str] = []
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], check=False)
        print(f"   ({time.perf_counter() - start:.0f} s, exit {done.returncode})", flush=True)
        if done.returncode:
            failed.append(script.stem)
    print("all benchmarks ran" if not failed else f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

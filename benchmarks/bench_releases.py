"""Benchmark: what registering a release adds to the making of a 5-sheet press workbook.

Target (the register-of-releases issue): registering a press release (its cells, its bytes
and its row, written with its audit entry in one transaction) adds at most 20% to the
making of the workbook. Both are timed in one process over the same database, alternately,
several times; the medians count:

- *made*: the press tables disclosed (``press_tables``), the workbook written, the audit
  entry appended -- what `retour report press` did before the register;
- *released*: the same, with the release registered (``press_workbook`` as it is now).

    .venv/bin/python benchmarks/bench_releases.py [--requests N] [--repeat 5] [--keep DIR]

The data are benchmarks/datagen.py's (uniform random, valid), imported into a new SQLite
file under DIR (reused when it exists).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from retour.config import load_settings
from retour.disclosure import Profile
from retour.exchange import write_dataset
from retour.reports.press import write_press_workbook
from retour.service import audit, datasets, figures
from retour.service.context import Retour

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datagen import make

TARGET = 1.20


def made_only(app: Retour, out: Path) -> None:
    """The workbook as before the register: tables, file, audit entry."""
    tables = figures.press_tables(app, years="2019-2023", profile=Profile.PUBLIC)
    write_press_workbook(tables, out, "nl")
    audit.record_by(
        app,
        audit.Actor.command_line(),
        audit.AuditAction.EXPORT_WORKBOOK,
        profile=tables.rules.profile.value,
        subject="press",
        detail={"years": "2019-2023", "lang": "nl"},
    )


def released(app: Retour, out: Path) -> None:
    figures.press_workbook(app, out, years="2019-2023", profile=Profile.PUBLIC, lang="nl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="a folder to reuse")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-releases-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'retour.sqlite'}"
    with Retour(settings=load_settings(db=url, data_dir=folder)) as app:
        if not (folder / "data").exists():
            write_dataset(make(args.requests), folder / "data")
            datasets.import_dataset(app, folder / "data", today=dt.date(2024, 1, 2))
        released(app, folder / "warm.xlsx")  # caches, imports: neither side pays them
        times: dict[str, list[float]] = {"made": [], "released": []}
        for i in range(args.repeat):
            for name, run in (("made", made_only), ("released", released)):
                start = time.perf_counter()
                run(app, folder / f"{name}-{i}.xlsx")
                times[name].append(time.perf_counter() - start)
    made, done = statistics.median(times["made"]), statistics.median(times["released"])
    ratio = done / made
    verdict = "ok" if ratio <= TARGET else "OVER"
    print(f"requests: {args.requests:,}; runs: {args.repeat} each, alternately")
    print(f"press workbook made (tables, file, audit entry): {made:.3f} s (median)")
    print(f"press workbook released (the same, registered):  {done:.3f} s (median)")
    print(f"registering adds {100 * (ratio - 1):.1f}% (target <= 20%): {verdict}")


if __name__ == "__main__":
    main()

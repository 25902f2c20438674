"""Benchmark: what registering a release adds to the making of a 5-sheet press workbook.

Target (the register-of-releases issue): registering a press release (its cells, its bytes
and its row, written with its audit entry in one transaction) adds at most 20% to the
making of the workbook. Both are timed in one process over the same database, alternately,
several times; the medians count:

- *made*: the press tables disclosed (``press_tables``), the workbook written, the audit
  entry appended -- what `retour report press` did before the register;
- *released*: the same, with the release registered (``press_workbook`` as it is now).

Target (item 4, safety across releases): the cross-release check of a new public press
release against 12 earlier ones of the 1 M-request data takes at most 5 s. Timed as the
making of the release through the check (``across.safe``: the tables disclosed, the earlier
releases read from the register, carried forward, checked by LP, hidden more) less the
making of the same tables without it, the median of ``--repeat`` runs (``--earlier 12``).

    .venv/bin/python benchmarks/bench_releases.py [--requests N] [--repeat 5] [--keep DIR]
    .venv/bin/python benchmarks/bench_releases.py --requests 1000000 --earlier 12 --keep DIR

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
from retour.reports import labels
from retour.reports.press import write_press_workbook
from retour.service import across, audit, datasets, figures
from retour.service.context import Retour
from retour.service.publication import release_params

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datagen import make

TARGET = 1.20
CHECK_TARGET = 5.0


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


def growing(app: Retour, folder: Path, requests: int, earlier: int) -> None:
    """``earlier`` extracts of a growing register (the requests submitted up to a later
    day each time, the last extract all of them), each imported and released."""
    import polars as pl

    from retour.domain.codes import Table
    from retour.domain.dataset import Dataset

    full = make(requests)
    for i in range(earlier):
        cutoff = dt.date(2023, 1, 1) + dt.timedelta(days=30 * i)
        reqs = full[Table.REQUESTS].filter(pl.col("submitted_on") <= cutoff)
        part = Dataset(tables={**full.tables, Table.REQUESTS: reqs}, meta=full.meta)
        write_dataset(part, folder / f"extract-{i}")
        datasets.import_dataset(app, folder / f"extract-{i}", today=dt.date(2024, 1, 2))
        released(app, folder / f"earlier-{i}.xlsx")
    write_dataset(full, folder / "data")
    datasets.import_dataset(app, folder / "data", today=dt.date(2024, 1, 2))


def cross_release(app: Retour, folder: Path, earlier: int, repeat: int) -> None:
    """The check of a new press release against ``earlier`` public press releases."""
    from retour.store import releases as store

    have = [r for r in store.listed(app.database(), what="press") if r.profile == "public"]
    for i in range(len(have), earlier):
        released(app, folder / f"earlier-{i}.xlsx")
    made = figures._press_counts(app, "2019-2023", Profile.PUBLIC, None)
    detail = {"years": labels.years_text(list(made.asked)), "lang": "nl", "since_release": None}
    plain: list[float] = []
    checked: list[float] = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        figures._press(made, {})
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        _, result = across.safe(
            app,
            what="press",
            params=release_params("press", detail),
            rules=made.rules,
            origin=made.origin,
            make=lambda plan: figures._press(made, plan),
        )
        checked.append(time.perf_counter() - start)
    cost = statistics.median(checked) - statistics.median(plain)
    verdict = "ok" if cost <= CHECK_TARGET else "OVER"
    assert result is not None
    print(f"press tables made without the check: {statistics.median(plain):.3f} s (median)")
    print(
        f"made through the check against {len(result.compared)} earlier releases: "
        f"{statistics.median(checked):.3f} s (median)"
    )
    print(f"the check: {cost:.3f} s (target <= {CHECK_TARGET:.0f} s): {verdict}; "
          f"{result.cells_checked} hidden cells checked, {result.newly_hidden} more hidden, "
          f"{result.pinned_left} pinned, slack {result.slack}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="a folder to reuse")
    parser.add_argument("--earlier", type=int, default=0, help="time the cross-release check")
    parser.add_argument(
        "--growing", action="store_true", help="the earlier releases of growing extracts"
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-releases-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'retour.sqlite'}"
    with Retour(settings=load_settings(db=url, data_dir=folder)) as app:
        if args.growing and not (folder / "data").exists():
            growing(app, folder, args.requests, args.earlier)
        if not (folder / "data").exists():
            write_dataset(make(args.requests), folder / "data")
            datasets.import_dataset(app, folder / "data", today=dt.date(2024, 1, 2))
        if args.earlier:
            cross_release(app, folder, args.earlier, args.repeat)
            return
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

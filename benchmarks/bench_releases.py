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

The earlier releases are those of a year of four-weekly public press releases
(``--simulated 1.0``): the eu scenario of the simulator, 2019-2023 (about 1.1 M requests;
its small countries give the small counts that are hidden), cut into 12 extracts four weeks
apart (the cases opened and requests submitted by then, later answers still pending), each
imported and released through the check in turn; then the full data imported and the 13th
release timed. Each release's hidden cells against those its tables alone hide (the cost
of carrying forward) are printed as a table (``DIR/monthly.json``).

    .venv/bin/python benchmarks/bench_releases.py [--requests N] [--repeat 5] [--keep DIR]
    .venv/bin/python benchmarks/bench_releases.py --simulated 1.0 --earlier 12 --repeat 3 --keep DIR

Without ``--simulated`` the data are benchmarks/datagen.py's (uniform random, valid: nothing
is hidden), imported into a new SQLite file under DIR (reused when it exists).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from retour.config import load_settings
from retour.disclosure import Profile
from retour.domain.codes import Outcome, Table
from retour.domain.dataset import Dataset
from retour.exchange import write_dataset
from retour.reports import labels
from retour.reports.press import write_press_workbook
from retour.service import across, audit, datasets, figures
from retour.service.context import Retour
from retour.service.publication import release_params

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datagen import make

EXTRACTED = dt.date(2024, 1, 1)
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


def as_of(full: Dataset, cutoff: dt.date) -> Dataset:
    """The extract of ``full`` (cases and requests) that would have been made on ``cutoff``:
    the cases opened and requests submitted by then, an answer given later still pending, a
    case closed later still open."""
    cases = full[Table.CASES].filter(pl.col("opened_on") <= cutoff)
    later = lambda col: pl.col(col).is_not_null() & (pl.col(col) > cutoff)  # noqa: E731
    cases = cases.with_columns(
        pl.when(later("closed_on")).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("closed_on", "close_reason")
    )
    reqs = full[Table.REQUESTS].filter(pl.col("submitted_on") <= cutoff)
    reqs = reqs.with_columns(
        pl.when(later("outcome_on")).then(pl.lit(Outcome.PENDING.value)).otherwise("outcome")
        .alias("outcome"),
        *(
            pl.when(later("outcome_on")).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("outcome_on", "reason", "document_on")
        ),
    )  # fmt: skip
    reqs = reqs.with_columns(
        pl.when(later("document_on")).then(None).otherwise("document_on").alias("document_on")
    )
    meta = dataclasses.replace(full.meta, extracted_on=cutoff)
    return Dataset({Table.CASES: cases, Table.REQUESTS: reqs}, meta)


def simulated_extracts(folder: Path, scale: float, earlier: int) -> list[Path]:
    """The eu scenario simulated (2019-2023, extracted 2024-01-01; its small countries give
    small counts) and ``earlier`` extracts before it, four weeks apart (the last one four
    weeks before 2024-01-01), written as exchange folders: the earlier ones, then the full
    data."""
    from retour.simulate.run import simulate_dataset
    from retour.simulate.scenario import build_scenario

    folders = [folder / f"extract-{i:02d}" for i in range(earlier)] + [folder / "data"]
    if all((f / "requests.csv").exists() for f in folders):
        return folders
    sim = simulate_dataset(build_scenario("eu", scale=scale), (2019, 2023), 1, EXTRACTED)
    for i in range(earlier):
        cutoff = EXTRACTED - dt.timedelta(days=28 * (earlier - i))
        write_dataset(as_of(sim.dataset, cutoff), folders[i])
    write_dataset(as_of(sim.dataset, EXTRACTED), folders[-1])
    return folders


def monthly(app: Retour, folder: Path, scale: float, earlier: int) -> None:
    """A year of monthly public press releases: ``earlier`` extracts of the simulated data
    (:func:`simulated_extracts`) imported and released one after another, each through the
    check against the ones before; then the full data imported (the new release's). Each
    release's hidden cells, those its tables alone would hide and the check's CPU time are
    kept in ``folder/monthly.json`` (:func:`carry_forward`)."""
    import json

    from retour.store import releases as store

    extracts = simulated_extracts(folder, scale, earlier)
    partial = folder / "monthly.partial.json"  # a run stopped half-way goes on from there
    rows = json.loads(partial.read_text()) if partial.exists() else []
    for i, extract in enumerate(extracts[:-1]):
        if i < len(rows):
            continue
        datasets.import_dataset(app, extract, today=EXTRACTED)
        start = time.process_time()
        released(app, folder / f"earlier-{i:02d}.xlsx")
        seconds = time.process_time() - start
        rows.append(_hidden_counts(app, store, seconds))
        partial.write_text(json.dumps(rows, indent=1))
        print(f"release {i + 1}: {rows[-1]}", flush=True)
    datasets.import_dataset(app, extracts[-1], today=EXTRACTED)
    (folder / "monthly.json").write_text(json.dumps(rows, indent=1))


def _hidden_counts(app: Retour, store: Any, seconds: float) -> dict[str, object]:
    """The newest press release: its extract, its hidden cells, how many of them the check
    hid beyond its tables alone, and the CPU time of its making."""
    import json

    row = store.listed(app.database(), what="press", limit=1)[0]
    cells = store.cells(app.database(), row.id)
    hidden = cells.filter(pl.col("status").str.starts_with("suppressed")).height
    check = json.loads(row.params).get("cross_release", {})
    more = int(check.get("newly_hidden", 0))
    return {
        "release": row.id, "extracted_on": str(row.extracted_on), "cells": cells.height,
        "hidden": hidden, "alone": hidden - more, "checked": check.get("cells_checked", 0),
        "pinned_left": check.get("pinned_left", 0), "cpu_s": round(seconds, 2),
    }  # fmt: skip


def carry_forward(folder: Path) -> None:
    """The table of a year of monthly releases (``folder/monthly.json``)."""
    import json

    rows = json.loads((folder / "monthly.json").read_text())
    print("| release | extract | cells | hidden alone | hidden | more | checked | CPU s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        more = r["hidden"] - r["alone"]
        print(f"| {r['release']} | {r['extracted_on']} | {r['cells']} | {r['alone']} | "
              f"{r['hidden']} | {more} | {r['checked']} | {r['cpu_s']} |")  # fmt: skip


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
    cpu: list[float] = []
    result = None
    for _ in range(repeat):
        start, clock = time.perf_counter(), time.process_time()
        figures._press(made, {})
        plain.append(time.perf_counter() - start)
        cpu.append(-(time.process_time() - clock))
        start, clock = time.perf_counter(), time.process_time()
        _, result = across.safe(
            app,
            what="press",
            params=release_params("press", detail),
            rules=made.rules,
            origin=made.origin,
            make=lambda plan: figures._press(made, plan),
        )
        checked.append(time.perf_counter() - start)
        cpu[-1] += time.process_time() - clock
    cost = statistics.median(checked) - statistics.median(plain)
    verdict = "ok" if cost <= CHECK_TARGET else "OVER"
    assert result is not None
    print(f"press tables made without the check: {statistics.median(plain):.3f} s (median)")
    print(
        f"made through the check against {len(result.compared)} earlier releases: "
        f"{statistics.median(checked):.3f} s (median)"
    )
    print(f"the check's CPU time (with the tables, less them): {statistics.median(cpu):.3f} s")
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
    parser.add_argument(
        "--simulated",
        type=float,
        default=None,
        metavar="SCALE",
        help="the earlier releases monthly, from extracts of the simulated eu scenario at "
        "this scale (1.0: about 1.1 M requests)",
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-releases-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'retour.sqlite'}"
    with Retour(settings=load_settings(db=url, data_dir=folder)) as app:
        if args.simulated is not None:
            if not (folder / "monthly.json").exists():
                monthly(app, folder, args.simulated, args.earlier)
            carry_forward(folder)
        elif args.growing and not (folder / "data").exists():
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

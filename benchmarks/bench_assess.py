"""Benchmark: the cooperation index and the instrument effects -- speed and accuracy.

Speed (the issue's target): every country x 20 quarters at eu scale (2019-2023, the full
volume) in at most 30 s on a 2-core machine; also years, and the instrument analysis.

Accuracy, against the simulator's truth.json (never read by the analyses):

- the index per year and per quarter, across countries with at least 50 requests in the
  period: Spearman correlation with the truth, mean absolute error (points), coverage of
  the 90% intervals -- with the naive positive share's figures beside;
- the same where the simulator confounds case mix with cooperation;
- instruments: how often effects of 0.6 logit or more are found (``increase``) where the
  country's data resolve them (standard error <= 0.45 logit), and how often placebo
  instruments are called an ``increase`` or ``decrease`` (target: at most 1 in 10).

    .venv/bin/python benchmarks/bench_assess.py [--skip-speed] [--seeds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy.stats import spearmanr

from retour.analysis.effects import instrument_effects
from retour.analysis.index import assess
from retour.analysis.periods import Granularity
from retour.domain.codes import Table
from retour.simulate.run import Simulation, simulate_dataset
from retour.simulate.scenario import build_scenario

YEARS = (2019, 2023)
EXTRACTED = dt.date(2024, 1, 1)
MIN_REQUESTS = 50
SPEED_TARGET = 30.0


def simulate(scale: float, seed: int, *, confound: bool = False, placebos: int = 10) -> Simulation:
    scenario = build_scenario("eu", scale=scale, confound=confound, placebos=placebos)
    return simulate_dataset(scenario, YEARS, seed, EXTRACTED)


def with_truth(table: pl.DataFrame, truth: dict[str, Any]) -> pl.DataFrame:
    rows = [
        (country, period, cell["index"])
        for country, periods in truth["index"].items()
        for period, cell in periods.items()
        if cell.get("index") is not None
    ]
    frame = pl.DataFrame(
        rows, schema={"country": pl.String, "period": pl.String, "truth": pl.Float64}, orient="row"
    )
    return table.join(frame, on=["country", "period"], how="inner").filter(
        pl.col("n_requests") >= MIN_REQUESTS
    )


@dataclass(frozen=True)
class Scores:
    n: int
    spearman: float
    mae: float
    coverage: float
    naive_spearman: float
    naive_mae: float

    def line(self, label: str) -> str:
        return (
            f"  {label:<10} {self.n:>4}  index: rho {self.spearman:.3f}  MAE {self.mae:5.2f}  "
            f"cover {self.coverage:.2f}   naive: rho {self.naive_spearman:.3f}  "
            f"MAE {self.naive_mae:5.2f}"
        )


def scores(rows: pl.DataFrame) -> Scores:
    estimate, truth = rows["estimate"].to_numpy(), rows["truth"].to_numpy()
    naive = rows["naive_positive_share"].to_numpy() * 100
    lower, upper = rows["estimate_lower"].to_numpy(), rows["estimate_upper"].to_numpy()
    return Scores(
        n=rows.height,
        spearman=float(spearmanr(estimate, truth)[0]),
        mae=float(np.mean(np.abs(estimate - truth))),
        coverage=float(np.mean((lower <= truth) & (truth <= upper))),
        naive_spearman=float(spearmanr(naive, truth)[0]),
        naive_mae=float(np.mean(np.abs(naive - truth))),
    )


def timed(label: str, work: Any) -> Any:
    start, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label:<46} {wall:6.1f} s wall  {used:6.1f} s CPU")
    return result, wall


def speed() -> None:
    print("Speed: eu scenario, full volume, 2019-2023")
    sim, _ = timed("simulate (not part of the target)", lambda: simulate(1.0, 1))
    requests = sim.dataset[Table.REQUESTS]
    instruments = sim.dataset[Table.INSTRUMENTS]
    print(f"  {requests.height:,} requests, {requests['country'].n_unique()} countries")
    result, wall = timed(
        "index, every country x quarter", lambda: assess(requests, EXTRACTED, Granularity.QUARTER)
    )
    quarters = result.table["period"].n_unique()
    verdict = "meets" if wall <= SPEED_TARGET else "MISSES"
    cells = f"{result.table.height} cells ({quarters} quarters)"
    print(f"    {cells}: {verdict} the {SPEED_TARGET:.0f} s target")
    timed("index, every country x year", lambda: assess(requests, EXTRACTED, Granularity.YEAR))
    timed("instrument effects", lambda: instrument_effects(requests, instruments, EXTRACTED))


def accuracy(seeds: int) -> None:
    print(f"\nAccuracy: eu scenario at scale 0.25 (mid-size), countries with >= {MIN_REQUESTS} "
          "requests in the period")  # fmt: skip
    for confound in (False, True):
        sim = simulate(0.25, 7 if not confound else 8, confound=confound)
        requests = sim.dataset[Table.REQUESTS]
        print(
            f" {'confounded case mix' if confound else 'plain'} (seed {7 if not confound else 8})"
        )
        yearly = with_truth(assess(requests, EXTRACTED, Granularity.YEAR).table, sim.truth)
        for (year,), rows in sorted(yearly.group_by("period")):
            print(scores(rows).line(str(year)))
        print(scores(yearly).line("all years"))
        quarterly = with_truth(assess(requests, EXTRACTED, Granularity.QUARTER).table, sim.truth)
        per_quarter = [scores(rows) for _, rows in quarterly.group_by("period")]
        print(scores(quarterly).line("quarters"))
        worst = min(per_quarter, key=lambda s: s.spearman)
        print(f"  {'':<10}       worst quarter: rho {worst.spearman:.3f}, "
              f"max MAE {max(s.mae for s in per_quarter):.2f}, "
              f"min cover {min(s.coverage for s in per_quarter):.2f}")  # fmt: skip
        if confound:
            confounded(yearly.filter(pl.col("period") == "2022"), sim)
    instruments(seeds)


def confounded(rows: pl.DataFrame, sim: Simulation) -> None:
    print("  the confounded countries, 2022 (truth / index / naive share):")
    for pair in sim.truth["confounded"]:
        for role in ("cooperates_well", "cooperates_poorly"):
            row = rows.filter(pl.col("country") == pair[role])
            if row.is_empty():
                continue
            r = row.row(0, named=True)
            print(f"    {pair[role]} ({role.replace('_', ' ')}): {r['truth']:5.1f} / "
                  f"{r['estimate']:5.1f} [{r['estimate_lower']:.1f}-{r['estimate_upper']:.1f}] / "
                  f"{100 * r['naive_positive_share']:5.1f}")  # fmt: skip


def instruments(seeds: int) -> None:
    print(f"\nInstruments: eu scale 0.25 with 30 placebo instruments, {seeds} seeds")
    placebo_judged = placebo_called = large = found = small = small_found = 0
    for seed in range(21, 21 + seeds):
        sim = simulate(0.25, seed, placebos=30)
        table = instrument_effects(
            sim.dataset[Table.REQUESTS], sim.dataset[Table.INSTRUMENTS], EXTRACTED
        ).table
        truth = sim.truth["instruments"]
        for row in table.iter_rows(named=True):
            spec = truth[row["instrument_id"]]
            if row["verdict"] == "too little data":
                continue
            if spec["placebo"]:
                placebo_judged += 1
                placebo_called += row["verdict"] in ("increase", "decrease")
            elif row["note"] is None and row["se_logit"] <= 0.45:
                if spec["effect_logit"] >= 0.6:
                    large += 1
                    found += row["verdict"] == "increase"
                elif spec["effect_logit"] > 0:
                    small += 1
                    small_found += row["verdict"] == "increase"
    print(
        f"  placebos judged {placebo_judged}, called an effect {placebo_called} "
        f"({placebo_called / max(placebo_judged, 1):.1%}; target <= 10%)"
    )
    print(f"  effects >= 0.6 logit with enough data: {found} of {large} found")
    print(f"  effects of 0.1-0.5 logit with enough data: {small_found} of {small} found "
          "(a year's drift is about 0.25 logit)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--seeds", type=int, default=3, help="seeds for the placebo runs")
    args = parser.parse_args()
    if not args.skip_speed:
        speed()
    if not args.skip_accuracy:
        accuracy(args.seeds)


if __name__ == "__main__":
    main()

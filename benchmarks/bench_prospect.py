"""Benchmark: how well the prospect of removal is calibrated on the simulator, and its speed.

For each seed and each as-of date, the model is fitted on what was known that day (the
landmark sample of the twelve month ends whose six months had passed); every case open
that day gets its predicted probability of a demonstrable departure within 3 and within 6
months; what happened is read from the full simulated data. Reported:

- predicted against observed by decile of the predicted probability, per date and pooled
  over dates and seeds;
- the Brier score of the model and of the country-only baseline (the share of each
  country's landmark cases that departed), and the skill 1 - model / baseline;
- the time to fit (in-process, from frames: no database).

    .venv/bin/python benchmarks/bench_prospect.py [--scenario nl] [--scale 1] [--seeds 1 2 3]

The simulator's truth is not read: the check is against the simulated outcomes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time

import polars as pl

from retour.analysis.conditions import CONDITION_ENUM, STATE_ENUM
from retour.analysis.prospect import History, prospect_model
from retour.analysis.prospect import calibration as cal
from retour.domain.codes import Table
from retour.domain.dataset import Dataset
from retour.simulate.run import simulate_dataset
from retour.simulate.scenario import build_scenario

YEARS = (2019, 2023)
EXTRACTED = dt.date(2024, 1, 1)
DATES = (dt.date(2021, 6, 30), dt.date(2022, 6, 30), dt.date(2022, 12, 31), dt.date(2023, 6, 30))


def history_of(dataset: Dataset) -> History:
    """The dataset's rows in the shape the prospect reads (as the store gives them)."""
    cases = (
        dataset[Table.CASES]
        .sort("case_id")
        .with_row_index("case")
        .select(pl.col("case").cast(pl.UInt32), "case_id", "nationality", "opened_on", "closed_on")
    )
    keys = cases.select("case_id", "case")

    def keyed(table: Table, *columns: str) -> pl.DataFrame:
        return dataset[table].join(keys, on="case_id").select("case", *columns)

    return History(
        cases=cases,
        observations=keyed(Table.CONDITIONS, "observed_on", "condition", "state").with_columns(
            pl.col("condition").cast(CONDITION_ENUM), pl.col("state").cast(STATE_ENUM)
        ),
        requests=keyed(Table.REQUESTS, "submitted_on", "id_evidence", "alien_cooperates"),
        departures=keyed(Table.DEPARTURES, "departed_on", "type"),
    )


def table(deciles: pl.DataFrame) -> list[list[float]]:
    return [
        [int(r["decile"]), int(r["cases"]), round(r["predicted"], 4), round(r["observed"], 4)]
        for r in deciles.iter_rows(named=True)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="nl")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    runs: list[dict[str, object]] = []
    pooled: list[pl.DataFrame] = []
    for seed in args.seeds:
        scenario = build_scenario(args.scenario, scale=args.scale)
        history = history_of(simulate_dataset(scenario, YEARS, seed, EXTRACTED).dataset)
        for on in DATES:
            start = time.perf_counter()
            model = prospect_model(history, on)
            fit_s = time.perf_counter() - start
            if model is None:
                runs.append({"seed": seed, "on": on.isoformat(), "model": None})
                continue
            evaluated = cal.evaluate(model, history, on)
            pooled.append(evaluated.select(pl.col("^p_.*$|^baseline_.*$|^departed_.*$")))
            row: dict[str, object] = {
                "seed": seed,
                "on": on.isoformat(),
                "fit_s": round(fit_s, 2),
                "landmark_cases": model.cases,
                "open_cases": evaluated.height,
            }
            for months in model.options.horizons:
                score, baseline = cal.brier(evaluated, months)
                row[f"brier_{months}"] = round(score, 5)
                row[f"baseline_{months}"] = round(baseline, 5)
                row[f"skill_{months}"] = round(1 - score / baseline, 3)
                row[f"mean_predicted_{months}"] = round(evaluated[f"p_{months}"].mean(), 4)  # type: ignore[arg-type]
                row[f"mean_observed_{months}"] = round(
                    evaluated[f"departed_{months}"].cast(pl.Float64).mean(),  # type: ignore[arg-type]
                    4,
                )
                row[f"deciles_{months}"] = table(cal.by_decile(evaluated, months))
            runs.append(row)
            print(json.dumps({k: v for k, v in row.items() if not k.startswith("deciles")}))
    everything = pl.concat(pooled)
    summary: dict[str, object] = {"scenario": args.scenario, "scale": args.scale}
    for months in (3, 6):
        score, baseline = cal.brier(everything, months)
        summary[f"pooled_brier_{months}"] = round(score, 5)
        summary[f"pooled_baseline_{months}"] = round(baseline, 5)
        summary[f"pooled_skill_{months}"] = round(1 - score / baseline, 3)
        summary[f"pooled_deciles_{months}"] = table(cal.by_decile(everything, months))
    print(json.dumps({"runs": runs, "summary": summary}, indent=1))
    skilled = all(
        summary[f"pooled_skill_{m}"] > 0  # type: ignore[operator]
        for m in (3, 6)
    )
    return 0 if skilled else 1


if __name__ == "__main__":
    sys.exit(main())

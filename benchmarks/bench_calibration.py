"""Benchmark: does the index keep its promise on realistic data? (issue 15)

Runs the eu scenario at scale 0.25, 2019-2023, in the hard world (`--world hard`: country-
specific case mix, kinds that differ, withdrawals from day 30, heavy-tailed answer times,
small countries, staggered, late and reactive instruments) for two seeds and in the easy
world for one, and holds `retour assess` (years; kinds all, LP and TO) and `retour effects`
against truth.json, which the analyses never read.

Per world and seed, and overall per world: for country-years with at least 50 requests and
with 20-49, and for kinds LP, TO and all -- Spearman correlation with the truth, mean
absolute error and bias (points), coverage of the 90% interval and its mean width (points).
For the instruments that start within the range: real effects of at least 0.8 logit found
(the verdict has the effect's sign) and, of those missed, how many say so themselves ("too
little data", or "could not be seen below" a size at least the true effect's), smaller ones
found, random placebos called (an increase
or a decrease), reactive placebos (started the day after the country's worst quarter as its
requests show it: docs/simulation.md) called, called an increase and found "not
identifiable"; real effects "not identifiable"; and, for the reactive placebos, the true dip
before the start (the quarter before it against the three before that, beside the other
countries, in the truth: with the worst quarter read from the requests, most of the dip the
data show is sampling noise, not in the truth), the dip the data show (the pre-start
check's own estimate) and its mean z, the check's standard error and how many a perfect
check at its level would flag knowing the true dip.
Targets (issue 15, for the >= 50 band): Spearman >= 0.98, MAE <= 2.5, coverage
0.85-0.95; 20-49: coverage 0.85-0.95; effects: >= 80% of real effects >= 0.8 logit found,
<= 1 in 10 random placebos called, >= 3 in 4 reactive placebos "not identifiable" and none
called an increase.

    .venv/bin/python benchmarks/bench_calibration.py [--hard-seeds 1,2] [--easy-seeds 3]
                                                     [--scale 0.25] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from typing import Any

import numpy as np
import polars as pl
from scipy.special import logit
from scipy.stats import norm, spearmanr

from retour.analysis.effects import instrument_effects
from retour.analysis.index import assess
from retour.analysis.periods import Granularity, Period, quarter_of
from retour.domain.codes import RequestKind, Table
from retour.simulate.run import Simulation, simulate_dataset
from retour.simulate.scenario import build_scenario

YEARS = (2019, 2023)
EXTRACTED = dt.date(2024, 1, 1)
BANDS = (("n>=50", 50, 10**9), ("20-49", 20, 50))
KINDS: tuple[tuple[str, RequestKind | None, str], ...] = (
    ("all", None, "index"),
    ("LP", RequestKind.LP, "index_LP"),
    ("TO", RequestKind.TO, "index_TO"),
)
CALLED = ("increase", "decrease")
NOT_IDENTIFIABLE = "not identifiable"
LARGE = 0.8


def truth_frame(truth: dict[str, Any], key: str) -> pl.DataFrame:
    rows = [
        (country, period, cell.get(key))
        for country, periods in truth["index"].items()
        for period, cell in periods.items()
        if "Q" not in period and cell.get(key) is not None
    ]
    schema = {"country": pl.String, "period": pl.String, "truth": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def index_rows(sim: Simulation) -> pl.DataFrame:
    """Country-years of each kind with truth; ``mixed``: the country was sent both kinds
    (5-95% T&O among its requests that year)."""
    requests = sim.dataset[Table.REQUESTS]
    shares = (
        requests.with_columns(period=pl.col("submitted_on").dt.year().cast(pl.String))
        .group_by("country", "period")
        .agg((pl.col("kind") == RequestKind.TO.value).mean().alias("to_share"))
    )
    parts = []
    for label, kind, key in KINDS:
        table = assess(requests, EXTRACTED, Granularity.YEAR, kind=kind).table
        parts.append(
            table.join(truth_frame(sim.truth, key), on=["country", "period"], how="inner")
            .select("country", "period", "n_requests", "estimate", "estimate_lower",
                    "estimate_upper", "truth")
            .with_columns(pl.lit(label).alias("kind"))
        )  # fmt: skip
    return (
        pl.concat(parts)
        .join(shares, on=["country", "period"], how="left")
        .with_columns(pl.col("to_share").is_between(0.05, 0.95).fill_null(False).alias("mixed"))
    )


def effect_rows(sim: Simulation) -> pl.DataFrame:
    """Per instrument starting within the range: the verdict, the estimate and the truth;
    ``dip``: the true pre-start move the check looks for (the quarter before the start
    against the three before it, logit, the country's minus every other country's mean);
    ``check_se``: the standard error of the check's estimate of it (from ``moving_z``);
    ``seen_dip``: the check's estimate (the dip the data show)."""
    table = instrument_effects(
        sim.dataset[Table.REQUESTS], sim.dataset[Table.INSTRUMENTS], EXTRACTED
    ).table
    truth = sim.truth["instruments"]
    first = dt.date(YEARS[0], 1, 1).isoformat()
    keep = {i for i, t in truth.items() if t["start_on"] >= first and t["in_dataset"]}
    keep &= {i for i, t in truth.items() if t["effect_index_points"] is not None}
    rows = [
        (r["instrument_id"], r["verdict"], r["effect_logit"], truth[r["instrument_id"]],
         true_dip(sim.truth["index"], r["country"], r["start_on"]), check_se(r), r["moving_z"],
         r["detectable_logit"])
        for r in table.iter_rows(named=True)
        if r["instrument_id"] in keep
    ]  # fmt: skip
    return pl.DataFrame(
        {
            "verdict": [r[1] for r in rows],
            "estimated": [r[2] for r in rows],
            "effect": [float(r[3]["effect_logit"]) for r in rows],
            "placebo": [bool(r[3]["placebo"]) for r in rows],
            "reactive": [bool(r[3].get("reactive", False)) for r in rows],
            "dip": [r[4] for r in rows],
            "check_se": [r[5] for r in rows],
            "moving_z": [r[6] for r in rows],
            "detectable": [r[7] for r in rows],
        },
        schema={"verdict": pl.String, "estimated": pl.Float64, "effect": pl.Float64,
                "placebo": pl.Boolean, "reactive": pl.Boolean, "dip": pl.Float64,
                "check_se": pl.Float64, "moving_z": pl.Float64, "detectable": pl.Float64},
    ).with_columns(seen_dip=pl.col("check_se") * pl.col("moving_z"))  # fmt: skip


def _pre_move(index: dict[str, Any], country: str, start: int) -> float | None:
    """The quarter before ``start`` against the three before it (logit of the true index)."""
    values = []
    for offset in (-4, -3, -2, -1):
        label = Period.from_ordinal(start + offset, Granularity.QUARTER).label
        value = index.get(country, {}).get(label, {}).get("index")
        if value is None:
            return None
        values.append(float(logit(min(max(value / 100.0, 1e-4), 1.0 - 1e-4))))
    return values[3] - float(np.mean(values[:3]))


def true_dip(index: dict[str, Any], country: str, start_on: dt.date) -> float | None:
    start = quarter_of(start_on).ordinal
    own = _pre_move(index, country, start)
    others = [m for c in index if c != country if (m := _pre_move(index, c, start)) is not None]
    return None if own is None or not others else own - float(np.mean(others))


def check_se(row: dict[str, Any]) -> float | None:
    """The standard error of the pre-start check: its estimate over its z."""
    quarters = {q["quarter_offset"]: q["effect_logit"] for q in row["event_study"] or []}
    if row["moving_z"] in (None, 0.0) or not {-4, -3, -2, -1} <= set(quarters):
        return None
    estimate = float(quarters[-1]) - float(np.mean([quarters[e] for e in (-4, -3, -2)]))
    return abs(estimate / float(row["moving_z"]))


def best_flagged(rows: pl.DataFrame, level: float = 0.90) -> float:
    """How many of ``rows`` a perfect check at ``level`` (two-sided, normal) would flag on
    average, knowing the true move and the check's standard error (none without a check)."""
    known = rows.filter(pl.col("dip").is_not_null() & (pl.col("check_se") > 0))
    z = float(norm.ppf(0.5 + level / 2.0))
    shift = known["dip"].to_numpy() / known["check_se"].to_numpy()
    return float(np.sum(norm.cdf(-z - shift) + norm.sf(z - shift)))


def index_scores(rows: pl.DataFrame) -> dict[str, float]:
    if rows.height < 3:
        return {"n": float(rows.height)}
    est, truth = rows["estimate"].to_numpy(), rows["truth"].to_numpy()
    lower, upper = rows["estimate_lower"].to_numpy(), rows["estimate_upper"].to_numpy()
    return {
        "n": float(rows.height),
        "spearman": float(spearmanr(est, truth)[0]),
        "mae": float(np.mean(np.abs(est - truth))),
        "bias": float(np.mean(est - truth)),
        "coverage": float(np.mean((lower <= truth) & (truth <= upper))),
        "width": float(np.mean(upper - lower)),
    }


def effect_scores(rows: pl.DataFrame) -> dict[str, str]:
    real = rows.filter(~pl.col("placebo") & (pl.col("effect") != 0))
    sign = pl.when(pl.col("effect") > 0).then(pl.lit("increase")).otherwise(pl.lit("decrease"))
    found = real.with_columns((pl.col("verdict") == sign).alias("found"))
    large = found.filter(pl.col("effect").abs() >= LARGE)
    small = found.filter(pl.col("effect").abs() < LARGE)
    randoms = rows.filter(pl.col("placebo") & ~pl.col("reactive"))
    reactive = rows.filter(pl.col("reactive"))

    def share(frame: pl.DataFrame, hit: pl.Expr) -> str:
        return f"{frame.filter(hit).height}/{frame.height}"

    called = pl.col("verdict").is_in(CALLED)
    missed = large.filter(~pl.col("found"))
    # a miss the row owns up to: too little data, or "could not be seen below" a size at
    # least the true effect's
    owned = (pl.col("verdict") == "too little data") | (
        (pl.col("verdict") == "no clear change") & (pl.col("detectable") >= pl.col("effect").abs())
    )
    reactive_mean = reactive["estimated"].drop_nulls().mean()
    dip = reactive["dip"].drop_nulls().mean()
    se = reactive["check_se"].drop_nulls().median()
    seen = reactive["seen_dip"].drop_nulls().mean()
    z = reactive["moving_z"].drop_nulls().mean()
    return {
        "reactive true dip (logit)": f"{dip:+.2f}" if isinstance(dip, float) else "-",
        "reactive dip the data show (logit)": f"{seen:+.2f}" if isinstance(seen, float) else "-",
        "reactive check z (mean)": f"{z:+.2f}" if isinstance(z, float) else "-",
        "reactive check se (median)": f"{se:.2f}" if isinstance(se, float) else "-",
        "reactive a perfect check would flag": f"{best_flagged(reactive):.1f}/{reactive.height}",
        "reactive mean estimate (logit)": (
            f"{reactive_mean:+.2f}" if isinstance(reactive_mean, float) else "-"
        ),
        "large found": share(large, pl.col("found")),
        "large missed, the row says it could not be seen": share(missed, owned),
        "small found": share(small, pl.col("found")),
        "random placebos called": share(randoms, called),
        "reactive placebos called": share(reactive, called),
        "reactive called an increase": share(reactive, pl.col("verdict") == "increase"),
        "reactive not identifiable": share(reactive, pl.col("verdict") == NOT_IDENTIFIABLE),
        "real effects not identifiable": share(real, pl.col("verdict") == NOT_IDENTIFIABLE),
    }


def effect_targets(rows: pl.DataFrame) -> tuple[tuple[str, bool], ...]:
    """Issue 15's targets for the effects: >= 80% of real effects >= 0.8 logit found, <= 1 in
    10 random placebos called, >= 3 in 4 reactive placebos not identifiable, none an increase."""
    real = rows.filter(~pl.col("placebo") & (pl.col("effect").abs() >= LARGE))
    sign = pl.when(pl.col("effect") > 0).then(pl.lit("increase")).otherwise(pl.lit("decrease"))
    found = real.filter(pl.col("verdict") == sign).height
    randoms = rows.filter(pl.col("placebo") & ~pl.col("reactive"))
    reactive = rows.filter(pl.col("reactive"))
    called = randoms.filter(pl.col("verdict").is_in(CALLED)).height
    flagged = reactive.filter(pl.col("verdict") == NOT_IDENTIFIABLE).height
    rises = reactive.filter(pl.col("verdict") == "increase").height
    return (
        (">= 80% of large found", found >= 0.8 * real.height),
        ("<= 1 in 10 placebos called", called <= 0.1 * randoms.height),
        (">= 3 in 4 reactive not identifiable", flagged >= 0.75 * reactive.height),
        ("no reactive an increase", rises == 0),
    )


def line(label: str, s: dict[str, float]) -> str:
    if "spearman" not in s:
        return f"    {label:<14} n {int(s['n']):>4}"
    return (
        f"    {label:<14} n {int(s['n']):>4}  rho {s['spearman']:.3f}  MAE {s['mae']:5.2f}  "
        f"bias {s['bias']:+5.2f}  cover {s['coverage']:.2f}  width {s['width']:5.1f}"
    )


def report(label: str, index: pl.DataFrame, effects: pl.DataFrame) -> dict[str, Any]:
    print(f"  {label}")
    out: dict[str, Any] = {}
    for kind, _, _ in KINDS:
        for band, low, high in BANDS:
            rows = index.filter(
                (pl.col("kind") == kind) & pl.col("n_requests").is_between(low, high - 1)
            )
            s = index_scores(rows)
            out[f"{kind} {band}"] = s
            print(line(f"{kind} {band}", s))
    mixed = index.filter((pl.col("kind") == "all") & pl.col("mixed") & (pl.col("n_requests") >= 50))
    out["all mixed n>=50"] = index_scores(mixed)
    print(line("all mixed>=50", out["all mixed n>=50"]))
    out["effects"] = effect_scores(effects)
    print("    effects: " + "; ".join(f"{k} {v}" for k, v in out["effects"].items()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hard-seeds", default="1,2")
    parser.add_argument("--easy-seeds", default="3")
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    runs = [("hard", int(s)) for s in args.hard_seeds.split(",") if s] + [
        ("easy", int(s)) for s in args.easy_seeds.split(",") if s
    ]
    print(f"Calibration: eu scale {args.scale}, {YEARS[0]}-{YEARS[1]}, years, kinds all/LP/TO")
    figures: dict[str, Any] = {}
    collected: dict[str, list[tuple[pl.DataFrame, pl.DataFrame]]] = {}
    for world, seed in runs:
        start = time.perf_counter()
        spec = build_scenario("eu", scale=args.scale, placebos=3, world=world)
        sim = simulate_dataset(spec, YEARS, seed, EXTRACTED)
        index, effects = index_rows(sim), effect_rows(sim)
        collected.setdefault(world, []).append((index, effects))
        took = time.perf_counter() - start
        figures[f"{world} seed {seed}"] = report(f"{world} world, seed {seed} ({took:.0f} s)",
                                                 index, effects)  # fmt: skip
    for world, parts in collected.items():
        index = pl.concat([p[0] for p in parts])
        effects = pl.concat([p[1] for p in parts])
        figures[f"{world} overall"] = report(f"{world} world, all seeds", index, effects)
    hard = figures.get("hard overall", {})
    big, small = hard.get("all n>=50", {}), hard.get("all 20-49", {})
    if "spearman" in big:
        targets = (
            ("Spearman >= 0.98", big["spearman"] >= 0.98),
            ("MAE <= 2.5", big["mae"] <= 2.5),
            ("coverage 0.85-0.95", 0.85 <= big["coverage"] <= 0.95),
            ("20-49 coverage 0.85-0.95", 0.85 <= small.get("coverage", 0.0) <= 0.95),
        )
        met = all(ok for _, ok in targets)
        each = ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in targets)
        print(f"  issue 15's index targets (hard world, kind all): {'met' if met else 'MISSED'}"
              f" ({each})")  # fmt: skip
    hard_effects = [p[1] for p in collected.get("hard", [])]
    if hard_effects:
        reached = effect_targets(pl.concat(hard_effects))
        met = all(ok for _, ok in reached)
        each = ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in reached)
        print(f"  issue 15's effect targets (hard world): {'met' if met else 'MISSED'} ({each})")
    if args.json:
        print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()

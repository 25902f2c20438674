"""The joint effect of the instruments of one kind, pinned to a hand-computed case."""

from __future__ import annotations

import math

import polars as pl
import pytest
from scipy.special import expit, logit
from scipy.stats import t as student_t

from retour.analysis.pooled import TOO_FEW, pooled_effects


def _effects(rows: list[tuple[str, str, float | None, float | None, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"kind": kind, "verdict": verdict, "effect_logit": e, "se_logit": s,
             "index_after": after, "n_before": 100, "n_after": 150}
            for kind, verdict, e, s, after in rows
        ],
        schema_overrides={"effect_logit": pl.Float64, "se_logit": pl.Float64},
    )  # fmt: skip


def test_three_instruments_pooled_by_hand() -> None:
    table = _effects([
        ("visa_measure", "increase", 0.6, 0.2, 60.0),
        ("visa_measure", "no clear change", 0.2, 0.4, 40.0),
        ("visa_measure", "increase", 1.0, 0.2, 50.0),
        ("visa_measure", "not identifiable", None, None, 50.0),  # no effect: not pooled
        ("readmission_agreement", "increase", 0.9, 0.3, 50.0),
    ])  # fmt: skip
    out = {r["kind"]: r for r in pooled_effects(table, 0.95).iter_rows(named=True)}
    visa = out["visa_measure"]
    w = [25.0, 6.25, 25.0]
    mean = (25 * 0.6 + 6.25 * 0.2 + 25 * 1.0) / 56.25
    q = 25 * (0.6 - mean) ** 2 + 6.25 * (0.2 - mean) ** 2 + 25 * (1.0 - mean) ** 2
    phi = max(1.0, q / 2)
    se = math.sqrt(phi / sum(w))
    assert (visa["instruments"], visa["pooled"]) == (4, 3)
    assert visa["effect_logit"] == pytest.approx(mean)
    assert visa["se_logit"] == pytest.approx(se)
    at = (25 * logit(0.6) + 6.25 * logit(0.4) + 25 * logit(0.5)) / 56.25
    assert visa["effect"] == pytest.approx(100 * (expit(at) - expit(at - mean)))
    lower = mean - student_t.ppf(0.975, 2) * se
    assert visa["lower"] == pytest.approx(100 * (expit(at) - expit(at - lower)))
    assert visa["verdict"] == ("increase" if lower > 0 else "no clear change")
    assert (visa["n_before"], visa["n_after"]) == (300, 450)
    # one instrument is no joint estimate
    alone = out["readmission_agreement"]
    assert alone["verdict"] == "too little data" and alone["effect"] is None
    assert alone["note"] == TOO_FEW


def test_instruments_that_disagree_widen_the_joint_interval() -> None:
    agree = _effects([("k", "increase", 0.5, 0.2, 50.0), ("k", "increase", 0.5, 0.2, 50.0),
                      ("k", "increase", 0.5, 0.2, 50.0)])  # fmt: skip
    apart = _effects([("k", "increase", 1.5, 0.2, 50.0), ("k", "decrease", -0.5, 0.2, 50.0),
                      ("k", "increase", 0.5, 0.2, 50.0)])  # fmt: skip
    (same,) = pooled_effects(agree, 0.95).iter_rows(named=True)
    (spread,) = pooled_effects(apart, 0.95).iter_rows(named=True)
    assert same["effect_logit"] == pytest.approx(spread["effect_logit"])
    assert same["se_logit"] == pytest.approx(0.2 / math.sqrt(3))  # phi = 1: sampling alone
    assert spread["se_logit"] > 4 * same["se_logit"]
    assert same["verdict"] == "increase" and spread["verdict"] == "no clear change"
    assert spread["note"].startswith("could not be seen below ")

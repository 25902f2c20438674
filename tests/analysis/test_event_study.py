"""The event study of an instrument: pinned to a hand-computed case, and its verdict on a
measure that follows a country's worst quarter (a reactive placebo)."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys

import numpy as np
import polars as pl
import pytest
from scipy.stats import t as student_t

from retour.analysis.effects import MOVING_NOTE, Verdict, instrument_effects
from retour.analysis.event_study import EventOptions, NoEstimateError, Panel, event_study

from .synthetic import Country, generate
from .test_effects import _instruments

K = 10  # controls
V = 0.04  # every quarter's sampling variance
QUARTERS = 16
START = 105  # ordinal of the start quarter; the panel begins at ordinal 100


def _panel(treated: list[float], shift: list[float] | None = None) -> Panel:
    """Row 0 the treated country, rows 1..K controls: a level of its own per country plus a
    shock per quarter common to all (both cancel), the treated's ``treated`` by offset
    -4..6 and each control's ``shift`` added to its quarters after the start."""
    rng = np.random.default_rng(3)
    level = rng.normal(0.0, 1.0, K + 1)
    common = rng.normal(0.0, 0.5, QUARTERS)
    theta = level[:, None] + common[None, :]
    theta[0, START - 100 - 4 : START - 100 + 7] += np.asarray(treated)
    if shift is not None:
        theta[1:, START - 100 + 1 : START - 100 + 7] += np.asarray(shift)[:, None]
    var = np.full(theta.shape, V)
    return Panel(theta, var, np.full(theta.shape, 100, dtype=np.int64), 100)


CONTROLS = np.ones(K + 1, dtype=bool)
#: offsets -4..6: nothing before, half the effect in the start quarter, 1 logit after
RISE = [0.0] * 4 + [0.5] + [1.0] * 6


def test_the_event_study_by_hand() -> None:
    study = event_study(_panel(RISE), 0, START, CONTROLS, EventOptions())
    assert study.offsets.tolist() == list(range(-4, 7))
    # each country relative to its own pre-start mean, against the controls' same contrast
    assert study.effect.tolist() == pytest.approx(RISE, abs=1e-12)
    assert study.average == pytest.approx(1.0)
    # the controls run exactly parallel: no drift beyond sampling, equal weights;
    # Var(quarter e after) = (V + V/4) * (1 + 1/K); before: ((3/4)^2 + 3/16) V (1 + 1/K)
    after = math.sqrt(1.25 * V * (1 + 1 / K))
    before = math.sqrt(0.75 * V * (1 + 1 / K))
    assert study.se.tolist() == pytest.approx([before] * 4 + [after] * 7)
    # the average: mean of six quarters after minus mean of four before
    assert study.average_se == pytest.approx(math.sqrt((V / 6 + V / 4) * (1 + 1 / K)))
    assert study.drift_sd == 0.0 and study.controls == K
    quantile = student_t.ppf(0.975, K - 1)
    assert study.lower[-1] == pytest.approx(1.0 - quantile * after)
    assert not study.moving and study.moving_z == pytest.approx(0.0, abs=1e-9)


def test_drift_among_the_controls_widens_the_interval_by_hand() -> None:
    delta = 0.3
    shift = [delta if k % 2 else -delta for k in range(K)]
    study = event_study(_panel(RISE, shift), 0, START, CONTROLS, EventOptions())
    s = V / 6 + V / 4  # sampling variance of the average's contrast
    # the controls' contrasts are +-delta around 0: Q = K delta^2 / s, phi = Q / (K - 1)
    phi = K * delta**2 / ((K - 1) * s)
    assert study.scale == pytest.approx(phi)
    assert study.drift_sd == pytest.approx(math.sqrt((phi - 1) * s))
    assert study.average == pytest.approx(1.0)  # the shifts average to 0
    assert study.average_se == pytest.approx(math.sqrt(phi * (s + s / K)))
    assert study.detectable == pytest.approx(
        (student_t.ppf(0.975, K - 1) + student_t.ppf(0.8, K - 1)) * study.average_se
    )


def test_a_dip_just_before_the_start_is_a_move() -> None:
    dip = [0.0, 0.0, 0.0, -1.0] + [0.0] * 7
    study = event_study(_panel(dip), 0, START, CONTROLS, EventOptions())
    # offset -1 against the mean of -4..-2, by hand: -1 with variance (V + V/3)(1 + 1/K)
    assert study.moving_z == pytest.approx(-1.0 / math.sqrt((V + V / 3) * (1 + 1 / K)))
    assert study.moving
    # and the regression to the mean after it would have looked like a rise of 0.25
    assert study.average == pytest.approx(0.25)


def test_the_quarter_before_the_start_left_out_of_the_reference_by_hand() -> None:
    """anticipation 1 (retour effects' default): each country's reference is its mean over
    offsets -4..-2; the dip at -1 is shown and checked, and no rise follows from it."""
    dip = [0.0, 0.0, 0.0, -1.0] + [0.0] * 7
    study = event_study(_panel(dip), 0, START, CONTROLS, EventOptions(anticipation=1))
    assert study.effect.tolist() == pytest.approx(dip, abs=1e-12)
    assert study.average == pytest.approx(0.0, abs=1e-12)
    # the check is the same contrast: -1 against the mean of -4..-2
    assert study.moving_z == pytest.approx(-1.0 / math.sqrt((V + V / 3) * (1 + 1 / K)))
    assert study.moving
    # the average's variance: six quarters after against three before
    assert study.average_se == pytest.approx(math.sqrt((V / 6 + V / 3) * (1 + 1 / K)))
    assert study.se[3] == pytest.approx(math.sqrt((V + V / 3) * (1 + 1 / K)))


def test_the_after_window_weighs_its_quarters_by_their_precision_by_hand() -> None:
    """The treated country's after-quarters have sampling variances V x (1, 2, 1, 4, 1, 1):
    the average weighs them 1, 1/2, 1, 1/4, 1, 1 (the controls' the same way)."""
    treated = [0.0] * 4 + [0.5] + [1.0, 2.0, 1.0, 3.0, 1.0, 1.0]
    panel = _panel(treated)
    factors = np.array([1.0, 2.0, 1.0, 4.0, 1.0, 1.0])
    panel.var[0, START - 100 + 1 : START - 100 + 7] = V * factors
    study = event_study(panel, 0, START, CONTROLS, EventOptions())
    w = (1.0 / factors) / np.sum(1.0 / factors)
    assert study.average == pytest.approx(float(w @ np.array(treated[5:])))  # 5.75 / 4.75
    assert study.average == pytest.approx(5.75 / 4.75)
    # the controls run parallel (no excess): Var = sum w_e^2 V_e + V/4 for the treated,
    # sum w_e^2 V + V/4 for each control, the controls' mean a tenth of that
    treated_var = float(np.sum(w**2 * V * factors)) + V / 4
    control_var = float(np.sum(w**2) * V) + V / 4
    assert study.average_se == pytest.approx(math.sqrt(treated_var + control_var / K))
    assert study.effect.tolist() == pytest.approx(treated, abs=1e-12)  # quarters unweighted


def test_the_reference_weighs_its_quarters_by_their_precision_by_hand() -> None:
    """Pre-start quarters of sampling variance V x (2, 1, 1, 1) and level (0.4, 0, 0, 0): the
    reference is 0.4 x (1/2) / 3.5, every later quarter that much below it; the check of the
    quarter before the start against the three before it stays the plain mean."""
    panel = _panel([0.4] + [0.0] * 10)
    panel.var[0, START - 100 - 4] = 2 * V
    study = event_study(panel, 0, START, CONTROLS, EventOptions())
    reference = 0.4 * 0.5 / 3.5
    assert study.effect.tolist() == pytest.approx([0.4 - reference] + [-reference] * 10)
    assert study.average == pytest.approx(-reference)
    w = np.array([0.5, 1.0, 1.0, 1.0]) / 3.5
    # controls run parallel: Var = sum w^2 V_pre + V/6 (treated), sum w^2 V + V/6 (each)
    treated = float(np.sum(w**2 * np.array([2 * V, V, V, V]))) + V / 6
    control = float(np.sum(w**2) * V) + V / 6
    assert study.average_se == pytest.approx(math.sqrt(treated + control / K))
    # the check: -1 (0) against the plain mean of -4..-2 (0.4 / 3)
    check_var = V + (2 * V + V + V) / 9 + (V + 3 * V / 9) / K
    assert study.moving_z == pytest.approx(-(0.4 / 3) / math.sqrt(check_var))


def _reml(value: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """Restricted maximum likelihood of v_k ~ N(mu, a s_k + t), a >= 1, t >= 0, by scipy."""
    from scipy.optimize import minimize

    def minus(params: np.ndarray) -> float:
        a, t = 1.0 + params[0] ** 2, params[1] ** 2
        v = a * s + t
        w = 1.0 / v
        mu = np.sum(w * value) / np.sum(w)
        return 0.5 * float(np.sum(np.log(v)) + np.log(np.sum(w)) + np.sum(w * (value - mu) ** 2))

    best = min(
        (minimize(minus, np.array(x0), method="Nelder-Mead",
                  options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
         for x0 in ([0.1, 0.1], [1.0, 0.01], [0.01, 1.0], [3.0, 0.3])),
        key=lambda r: r.fun,
    )  # fmt: skip
    return 1.0 + best.x[0] ** 2, best.x[1] ** 2


def test_large_and_small_controls_share_a_drift_and_a_scale_against_scipy() -> None:
    """Half the controls large (sampling variance V/50), half small (2V); every control's
    after-window moves by its own drift (sd 0.3). The average's variance follows the
    restricted-likelihood fit of a * s + t to the controls' contrasts (scipy's, here), and a
    large treated country keeps a small standard error: its own sampling variance is
    scaled, the drift added, not the small controls' excess multiplied into it."""
    rng = np.random.default_rng(8)
    shift = rng.normal(0.0, 0.3, K)
    panel = _panel(RISE, list(shift))
    small = np.arange(K + 1) % 2 == 0
    panel.var[:] = np.where(small[:, None], 2 * V, V / 50)
    panel.var[0] = V / 50  # the treated country is a large one
    panel.theta[small] += rng.normal(0.0, math.sqrt(2 * V), panel.theta[small].shape)
    study = event_study(panel, 0, START, CONTROLS, EventOptions())
    w = np.zeros(QUARTERS)
    w[START - 100 - 4 : START - 100] = -1 / 4
    w[START - 100 + 1 : START - 100 + 7] = 1 / 6  # equal precision after: the plain mean
    value, s = panel.theta[1:] @ w, panel.var[1:] @ w**2
    a, t = _reml(value, s)
    spread = a * s + t
    share = (1 / spread) / np.sum(1 / spread)
    expected = math.sqrt(a * float(panel.var[0] @ w**2) + t + float(share**2 @ spread))
    assert study.average_se == pytest.approx(expected, rel=0.02)
    assert study.average == pytest.approx(float(panel.theta[0] @ w - share @ value), abs=0.01)
    # a small treated country: its sampling variance scaled by a, the drift added; a scale
    # alone (Birge's ratio on s, set by the large controls' drift) would have multiplied
    # its sampling variance by the large controls' excess
    panel.var[0] = 2 * V
    small_se = event_study(panel, 0, START, CONTROLS, EventOptions()).average_se
    own = 2 * V * float(w @ w)
    spread = a * s + t
    share = (1 / spread) / np.sum(1 / spread)
    assert small_se == pytest.approx(math.sqrt(a * own + t + float(share**2 @ spread)), rel=0.02)
    q = np.sum((value - np.sum(value / s) / np.sum(1 / s)) ** 2 / s)
    phi = max(1.0, q / (K - 1))
    assert math.sqrt(phi * own) > 3 * small_se


def test_the_extraction_quarter_is_no_quarter_of_the_study() -> None:
    from retour.analysis.effects import complete_quarters
    from retour.analysis.periods import quarter_of

    first = quarter_of(dt.date(2023, 1, 1)).ordinal
    shape = (2, 5)  # 2023Q1 .. 2024Q1
    panel = Panel(np.zeros(shape), np.ones(shape), np.ones(shape, dtype=np.int64), first)
    assert complete_quarters(panel, dt.date(2024, 1, 1)).quarters == 4  # 2024Q1: one day
    assert complete_quarters(panel, dt.date(2023, 12, 31)).quarters == 4
    assert complete_quarters(panel, dt.date(2023, 12, 30)).quarters == 3
    assert complete_quarters(panel, dt.date(2025, 1, 1)).quarters == 5


@pytest.mark.parametrize(
    ("start", "controls", "note"),
    [
        pytest.param(101, CONTROLS, "starts too early", id="too-early"),
        pytest.param(100 + QUARTERS - 2, CONTROLS, "too recent", id="too-recent"),
        pytest.param(START, np.arange(K + 1) < 5, "too few comparable", id="few-controls"),
    ],
)
def test_what_cannot_be_estimated_says_why(start: int, controls: np.ndarray, note: str) -> None:
    with pytest.raises(NoEstimateError, match=note):
        event_study(_panel(RISE), 0, start, controls, EventOptions())


# -- on requests: a measure that follows the country's worst quarter ---------------------------

YEARS = (2020, 2021, 2022, 2023)
AS_OF = dt.date(2024, 1, 1)
WORST = (dt.date(2021, 7, 1), dt.date(2021, 9, 30))  # the country's worst quarter


def _reactive_requests() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    countries = [
        Country(f"X{chr(65 + i)}", float(rng.normal(0.6, 0.7)), float(rng.uniform(20, 90)),
                float(rng.uniform(0.02, 0.2)), 500)
        for i in range(16)
    ]  # fmt: skip
    usual = Country("RR", 0.8, 40, 0.1, 1200)
    worst = Country("RR", -1.2, 40, 0.1, 1200)
    data = generate([*countries, usual], YEARS, AS_OF, seed=5).requests
    dip = generate([worst], YEARS, AS_OF, seed=6).requests
    in_worst = pl.col("submitted_on").is_between(*WORST)
    dip = dip.filter(in_worst).with_columns(
        ("D" + pl.col("request_id")).alias("request_id"), ("D" + pl.col("case_id")).alias("case_id")
    )
    keep = ~((pl.col("country") == "RR") & in_worst)
    return pl.concat([data.filter(keep), dip])


@pytest.fixture(scope="module")
def reactive() -> pl.DataFrame:
    instruments = _instruments([("I9", "RR", WORST[1] + dt.timedelta(days=1))])
    return instrument_effects(_reactive_requests(), instruments, AS_OF).table


def test_a_measure_after_the_worst_quarter_is_not_identifiable(reactive: pl.DataFrame) -> None:
    row = reactive.row(0, named=True)
    assert row["verdict"] == Verdict.NOT_IDENTIFIABLE
    assert row["verdict"] != Verdict.INCREASE
    # never an effect: only the quarters that show the move
    assert row["effect"] is None and row["lower"] is None and row["effect_logit"] is None
    assert row["note"] == MOVING_NOTE
    assert row["moving_z"] < 0
    quarters = {q["quarter_offset"]: q for q in row["event_study"]}
    assert sorted(quarters) == list(range(-4, 7))
    assert quarters[-1]["upper_logit"] < 0  # the dip, with its interval below zero
    # against the reference before the dip, the after-window shows no rise: what a
    # before/after comparison holding the dip would have called one is the dip alone
    after = np.mean([quarters[e]["effect_logit"] for e in range(1, 7)])
    assert abs(after) < 0.2 < -quarters[-1]["effect_logit"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_verdict_and_its_notes_in_words(lang: str) -> None:
    from retour.analysis.effects import undetectable_note
    from retour.reports.charts import VERDICT_TEXT, effect_note
    from retour.reports.messages import _

    words = {v: _(VERDICT_TEXT[v.value], lang) for v in Verdict}  # type: ignore[arg-type]
    moving = effect_note(MOVING_NOTE + "; overlaps with I3", lang)  # type: ignore[arg-type]
    unseen = effect_note(undetectable_note(0.853, 12.4), lang)  # type: ignore[arg-type]
    if lang == "nl":
        assert words[Verdict.NOT_IDENTIFIABLE] == "niet te bepalen"
        assert moving == "de index was al in beweging vóór de start; overlapt met I3"
        assert "+0,85 logit" in unseen and "12 punten" in unseen
    else:
        assert words[Verdict.NOT_IDENTIFIABLE] == "not identifiable"
        assert moving == MOVING_NOTE + "; overlaps with I3"
        assert "+0.85 logit" in unseen and "12 points" in unseen


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A database with the hard world's staggered instruments, through the CLI."""
    root = tmp_path_factory.mktemp("effects-cli")
    env = {
        "RETOUR_DB": f"sqlite:///{root / 'r.sqlite'}",
        "RETOUR_SETTINGS": str(root / "settings.toml"),
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "250",
    }
    _retour(env, "simulate", "--scenario", "nl", "--world", "hard", "--scale", "0.5",
            "--years", "2019-2023", "--seed", "2", "--out", str(root / "data"))  # fmt: skip
    _retour(env, "import", str(root / "data"))
    return env


def test_json_keeps_its_fields_and_adds_the_quarters(simulated: dict[str, str]) -> None:
    out = json.loads(_retour(simulated, "effects", "--format", "json", "--profile", "internal"))
    old = ("instrument_id", "country", "kind", "start_on", "effect", "lower", "upper",
           "verdict", "effect_logit", "se_logit", "n_before", "n_after", "controls")  # fmt: skip
    assert all(set(old) <= set(row) for row in out["rows"])
    studied = [r for r in out["rows"] if r["event_study"]]
    assert studied
    for row in studied:
        quarters = row["event_study"]
        assert [q["quarter_offset"] for q in quarters][:4] == [-4, -3, -2, -1]
        assert all(q["lower"] <= q["effect"] <= q["upper"] for q in quarters)
        if row["verdict"] in ("increase", "decrease", "no clear change"):
            assert row["lower"] <= row["effect"] <= row["upper"]
        if row["verdict"] == "not identifiable":
            assert row["effect"] is None and row["effect_logit"] is None


def test_a_public_release_of_the_effects_keeps_the_quarters_as_shown(
    simulated: dict[str, str],
) -> None:
    """Under public the effects are a release: its cells hold each instrument's event study
    as it went out (the quarters in whole points), not a failure to write nested values."""
    out = json.loads(_retour(simulated, "effects", "--format", "json", "--profile", "public"))
    listed = json.loads(
        _retour(simulated, "releases", "list", "--what", "effects", "--format", "json")
    )
    newest = listed["releases"][0]
    shown = _retour(simulated, "releases", "show", str(newest["release_id"]), "--format", "json")
    cells = json.loads(shown)["cells"]
    studies = [c for c in cells if c["dims"].endswith("measure=event_study")]
    published = [r for r in out["rows"] if r["event_study"]]
    assert published and len(studies) == len(out["rows"])
    assert all(c["shown"] is None for c in studies if c["status"] == "empty")
    for row in published:
        cell = next(c for c in studies if f"instrument_id={row['instrument_id']}" in c["dims"])
        assert [q["effect"] for q in json.loads(cell["shown"])] == [
            q["effect"] for q in row["event_study"]
        ]


def test_the_table_says_verdicts_in_the_readers_language(simulated: dict[str, str]) -> None:
    out = json.loads(_retour(simulated, "effects", "--format", "json", "--profile", "internal"))
    verdicts = {r["verdict"] for r in out["rows"]}
    nl = _retour(simulated, "effects", "--profile", "internal", "--lang", "nl")
    en = _retour(simulated, "effects", "--profile", "internal", "--lang", "en")
    dutch = {
        "increase": "stijging",
        "decrease": "daling",
        "no clear change": "geen duidelijke",
        "too little data": "te weinig gegevens",
        "not identifiable": "niet te bepalen",
    }
    for verdict in verdicts:
        assert verdict in en
        assert dutch[verdict] in nl
    if "no clear change" in verdicts:
        assert "could not be seen" in en and "kon niet worden gezien" in nl
        assert "could not be seen" not in nl


def _retour(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "retour", *args],
        capture_output=True, text=True, env=env, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_pooled_by_kind_as_json_and_in_both_languages(simulated: dict[str, str]) -> None:
    rows = json.loads(_retour(simulated, "effects", "--format", "json", "--profile",
                              "internal"))["rows"]  # fmt: skip
    out = json.loads(_retour(simulated, "effects", "--pool-by", "kind", "--format", "json"))
    assert out["by"] == "kind" and out["profile"] == "public"
    kinds = {r["kind"] for r in rows}
    assert {r["kind"] for r in out["rows"]} == kinds
    for row in out["rows"]:
        assert row["instruments"] == sum(r["kind"] == row["kind"] for r in rows)
        mine = [r for r in rows if r["kind"] == row["kind"]]
        assert row["pooled"] == sum(r["effect_logit"] is not None for r in mine)
        assert row["n_before"] is None or row["n_before"] % 10 == 0  # public: rounded
        for points in ("effect", "lower", "upper"):
            assert row[points] is None or float(row[points]).is_integer()
        if row["pooled"] >= 2:
            assert row["lower"] <= row["effect"] <= row["upper"]
            assert row["verdict"] in ("increase", "decrease", "no clear change")
        else:
            assert row["verdict"] == "too little data" and row["effect"] is None
    env = {**simulated, "COLUMNS": "80"}
    en = _retour(env, "effects", "--pool-by", "kind", "--lang", "en")
    nl = _retour(env, "effects", "--pool-by", "kind", "--lang", "nl")
    assert "Joint effects of instruments by kind" in en and "With an effect" in en
    assert "Gezamenlijke effecten van instrumenten per soort" in nl and "Met een effect" in nl
    assert "With an effect" not in nl and "readmission agreement" not in nl


def test_pooling_by_something_else_is_refused(simulated: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "retour", "effects", "--pool-by", "country", "--lang", "en"],
        capture_output=True, text=True, env=simulated, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "cannot be pooled by 'country'" in done.stderr and "--pool-by kind" in done.stderr

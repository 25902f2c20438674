"""Safety across releases (docs/releases.md): series of extracts released one after another
under ``public`` through the register, read together by an attacker who solves LPs.

The attacker here is written independently of retour.disclosure.across: dense matrices, one
linear program per bound, from the cells the register keeps (as shown) and the rules. It
knows each table's additive structure, the rounding and ``<5`` intervals, that ``x`` is at
least 1, that releases of the same data show the same counts, and that between one extract
and the next a cell other than a pending one falls by at most a slack (the smallest of 0, 1,
2, 5, 10, 50 the releases do not contradict). A hidden cell is *pinned* when its interval
over all releases is narrower than ``<5``'s 1 .. threshold - 1 (``x``: a rounding step) and
narrower than its own release alone gives.

Extracts: requests by country and answer (pending included), then rows added, pending
requests answered and -- sometimes -- a correction (an answer turned into another).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from retour.analysis.figures import Subject
from retour.config import load_settings
from retour.disclosure import DisclosureRules, Figures, FigureTable, Note, Profile, disclose_table
from retour.domain.provenance import Provenance
from retour.service import figures
from retour.service.context import Retour
from retour.store import releases as store

COUNTRIES = ("DZ", "ET", "MA", "NG", "SO")
OUTCOMES = ("positive", "negative", "withdrawn", "pending")
SLACKS = (0, 1, 2, 5, 10, 50)

Counts = dict[tuple[str, str], int]


# -- extracts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extract:
    counts: Counts
    fingerprint: str


def series(rng: random.Random, length: int) -> list[Extract]:
    """``length`` extracts: each later one adds requests, answers pending ones and now and
    then corrects an answer; now and then the same data are released again."""
    requests = [
        (rng.choice(COUNTRIES), rng.choice(OUTCOMES))
        for _ in range(rng.randint(len(COUNTRIES), 60))
    ]
    out: list[Extract] = []
    for step in range(length):
        if step and rng.random() < 0.2:  # the same data released again
            out.append(out[-1])
            continue
        if step:
            requests += [
                (rng.choice(COUNTRIES), rng.choice(OUTCOMES)) for _ in range(rng.randint(0, 8))
            ]
            pending = [i for i, r in enumerate(requests) if r[1] == "pending"]
            for i in rng.sample(pending, k=min(len(pending), rng.randint(0, 6))):
                requests[i] = (requests[i][0], rng.choice(OUTCOMES[:3]))
            if rng.random() < 0.3:  # a correction: an answer becomes another
                answered = [i for i, r in enumerate(requests) if r[1] != "pending"]
                if answered:
                    i = rng.choice(answered)
                    requests[i] = (requests[i][0], rng.choice(OUTCOMES[:3]))
        counts: Counts = {}
        for r in requests:
            counts[r] = counts.get(r, 0) + 1
        out.append(Extract(counts, f"fp{step}-{len(requests)}"))
    return out


def frame(extract: Extract) -> pl.DataFrame:
    rows = [(c, o, extract.counts.get((c, o), 0)) for c in COUNTRIES for o in OUTCOMES]
    return pl.DataFrame(rows, schema=["country", "outcome", "n"], orient="row")


def answer(extract: Extract, rules: DisclosureRules, day: dt.date) -> Figures:
    table = disclose_table(frame(extract), rows=["country"], column="outcome", rules=rules)
    origin = Provenance(day, extract.fingerprint, True, "test", 1)
    title = Note("Aanvragen", "Requests")
    return Figures(
        Subject.REQUESTS,
        (2023,),
        ("country", "outcome"),
        rules,
        origin,
        (FigureTable("requests", title, ("country", "outcome"), table),),
        (),
    )


# -- the attacker --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """One release as the attacker holds it: cells in a (countries + total) x (outcomes +
    total) grid, each cell's status and what is shown."""

    fingerprint: str
    status: list[list[str]]
    shown: list[list[str]]
    below: int
    step: int


def held_from(cells: pl.DataFrame, fingerprint: str, rules: DisclosureRules) -> Held:
    rows = [*COUNTRIES, "total"]
    cols = [*OUTCOMES, "total"]
    by_key = {d: (s, v) for d, s, v in cells.select("dims", "status", "shown").iter_rows()}
    status = [[by_key[f"country={r};outcome={c}"][0] for c in cols] for r in rows]
    shown = [[by_key[f"country={r};outcome={c}"][1] for c in cols] for r in rows]
    return Held(fingerprint, status, shown, rules.suppress_below, rules.round_to)


def knowledge(status: str, shown: str, below: int, step: int) -> tuple[float, float | None]:
    if status == "suppressed_primary":
        return 1.0, float(below - 1)
    if status == "suppressed_secondary":
        return 1.0, None
    value = int(shown)
    if status == "exact":
        return float(value), float(value)
    low = 1 if value == step else value - step // 2
    return float(max(low, below)), float(value + (step - step // 2) - 1)


SHAPE = (len(COUNTRIES) + 1, len(OUTCOMES) + 1)
PER = SHAPE[0] * SHAPE[1]


def at(r: int, i: int, j: int) -> int:
    return r * PER + i * SHAPE[1] + j


System = tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, list]


def system(releases: Sequence[Held], slack: int) -> System:
    n = len(releases) * PER
    a_eq: list[np.ndarray] = []
    a_ub: list[np.ndarray] = []
    rows_n, cols_n = SHAPE
    for r in range(len(releases)):
        for i in range(rows_n):  # every row adds up to its total
            line = np.zeros(n)
            line[[at(r, i, j) for j in range(cols_n - 1)]] = 1
            line[at(r, i, cols_n - 1)] = -1
            a_eq.append(line)
        for j in range(cols_n):  # every column too
            line = np.zeros(n)
            line[[at(r, i, j) for i in range(rows_n - 1)]] = 1
            line[at(r, rows_n - 1, j)] = -1
            a_eq.append(line)
    for r in range(1, len(releases)):
        same = releases[r].fingerprint == releases[r - 1].fingerprint
        for i in range(rows_n):
            for j in range(cols_n):
                link = np.zeros(n)
                link[at(r - 1, i, j)], link[at(r, i, j)] = 1, -1
                if same:
                    a_eq.append(link)
                elif j != OUTCOMES.index("pending"):
                    a_ub.append(link)  # the earlier minus the later: at most the slack
    bounds = [
        knowledge(h.status[i][j], h.shown[i][j], h.below, h.step)
        for h in releases
        for i in range(rows_n)
        for j in range(cols_n)
    ]
    eq = np.array(a_eq)
    ub = np.array(a_ub) if a_ub else None
    return eq, np.zeros(len(a_eq)), ub, np.full(len(a_ub), float(slack)) if a_ub else None, bounds


def intervals(
    releases: Sequence[Held], only: tuple[int, int, int] | None = None
) -> dict[tuple[int, int, int], tuple[float, float]]:
    """Min and max of every hidden cell (or of ``only``) over all ``releases`` together."""
    for slack in SLACKS:
        a_eq, b_eq, a_ub, b_ub, bounds = system(releases, slack)
        n = len(bounds)
        probe = linprog(
            np.zeros(n), A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs"
        )
        if probe.status == 0:
            break
    else:
        return {}
    found = {}
    for r, h in enumerate(releases):
        for i in range(SHAPE[0]):
            for j in range(SHAPE[1]):
                if not h.status[i][j].startswith("suppressed"):
                    continue
                if only is not None and (r, i, j) != only:
                    continue
                c = np.zeros(n)
                c[at(r, i, j)] = 1
                ends = []
                for sign in (1, -1):
                    res = linprog(
                        sign * c,
                        A_eq=a_eq,
                        b_eq=b_eq,
                        A_ub=a_ub,
                        b_ub=b_ub,
                        bounds=bounds,
                        method="highs",
                    )
                    assert res.status in (0, 3), res.message
                    ends.append(math.inf if res.status == 3 else sign * res.fun)
                found[(r, i, j)] = (ends[0], ends[1])
    return found


def width(interval: tuple[float, float]) -> float:
    if math.isinf(interval[1]):
        return math.inf
    return math.floor(interval[1] + 1e-6) - math.ceil(interval[0] - 1e-6)


def masked(h: Held, i: int, j: int) -> Held:
    """``h`` showing nothing but its zeros and cell (i, j)'s own label."""
    status = [
        [
            s if (a, b) == (i, j) or s == "exact" else "suppressed_secondary"
            for b, s in enumerate(row)
        ]
        for a, row in enumerate(h.status)
    ]
    return Held(h.fingerprint, status, h.shown, h.below, h.step)


def pinned(releases: Sequence[Held]) -> list[tuple[int, int, int]]:
    """The hidden cells narrowed too far by all releases together: narrower than the
    protection, than their own release alone leaves them, and than the releases before
    theirs leave them when theirs shows nothing but its zeros and the cell's label."""
    together = intervals(releases)
    found = []
    single: dict[int, dict[tuple[int, int, int], tuple[float, float]]] = {}
    for (r, i, j), interval in together.items():
        h = releases[r]
        small = h.status[i][j] == "suppressed_primary"
        want = max(h.below - 2, 0) if small else max(h.step - 1, 1)
        if width(interval) >= want:
            continue
        if r not in single:
            single[r] = intervals([h])
        alone = single[r].get((0, i, j), interval)
        before = intervals([*releases[:r], masked(h, i, j)], (r, i, j)).get((r, i, j), interval)
        if width(interval) < min(want, width(alone), width(before)):
            found.append((r, i, j))
    return found


# -- releasing through retour ----------------------------------------------------------------


def released(url: str, extracts: Sequence[Extract], rules: DisclosureRules) -> list[Held]:
    """Each extract exported as public CSV through retour (the cross-release step in the
    service), then every release as the register keeps it."""
    with Retour(settings=load_settings(), db_override=url) as app:
        for k, extract in enumerate(extracts):
            day = dt.date(2024, 1, 1) + dt.timedelta(days=30 * k)
            figures.export_figures(app, answer(extract, rules, day), figures.ExportFormat.CSV)
        rows = sorted(store.listed(app.database()), key=lambda r: r.id)
        assert len(rows) == len(extracts)
        return [
            held_from(store.cells(app.database(), row.id), row.fingerprint or "", rules)
            for row in rows
        ]


def naive(extracts: Sequence[Extract], rules: DisclosureRules) -> list[Held]:
    """The same extracts, each protected on its own only (the gate without the step)."""
    from retour.service.releases import cells_of

    day = dt.date(2024, 1, 1)
    return [held_from(cells_of(answer(e, rules, day)), e.fingerprint, rules) for e in extracts]


RULES = st.builds(
    lambda below, step: DisclosureRules(Profile.PUBLIC, frozenset(), below, step),
    st.sampled_from([5, 5, 3]),
    st.sampled_from([1, 1, 5, 10]),
)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10_000), length=st.integers(2, 3), rules=RULES)
@example(seed=1439, length=2, rules=DisclosureRules(Profile.PUBLIC, frozenset(), 5, 1))
@example(seed=221, length=3, rules=DisclosureRules(Profile.PUBLIC, frozenset(), 5, 1))
def test_no_hidden_cell_of_any_release_is_pinned_by_all_of_them_together(
    fresh_database: Callable[[], str], seed: int, length: int, rules: DisclosureRules
) -> None:
    url = fresh_database()
    extracts = series(random.Random(seed), length)
    held = released(url, extracts, rules)
    with Retour(settings=load_settings(), db_override=url) as app:
        checks = [
            json.loads(r.params)["cross_release"]
            for r in sorted(store.listed(app.database()), key=lambda r: r.id)
        ]
    for r, i, j in pinned(held):
        # the one exception (docs/releases.md): a later release that hides every cell but its
        # zeros, which are never hidden, and says it left cells pinned (a correction took a
        # "<5" count of 1 to a shown 0: seeds 1439 and 221) -- not necessarily the newest
        # (seed 221: the second of three gives the cell away, the third can do nothing)
        givers = [k for k in range(r + 1, len(held))
                  if _all_hidden_but_zeros(held[k]) and checks[k]["pinned_left"] > 0]  # fmt: skip
        assert givers, f"release {r}: its cell {i},{j} is pinned"


def _all_hidden_but_zeros(release: Held) -> bool:
    rows = zip(release.status, release.shown, strict=True)
    return all(
        v == "0" or s.startswith("suppressed")
        for status, shown in rows
        for s, v in zip(status, shown, strict=True)
    )


def test_without_the_step_the_same_attacker_pins_hidden_cells() -> None:
    rules = DisclosureRules(Profile.PUBLIC, frozenset(), 5, 1)
    found = 0
    for seed in range(40):
        extracts = series(random.Random(seed), 3)
        found += len(pinned(naive(extracts, rules)))
        if found:
            break
    assert found > 0, "a test that cannot fail proves nothing"


def test_a_cell_hidden_before_stays_hidden_and_the_check_is_recorded(database_url: str) -> None:
    rules = DisclosureRules(Profile.PUBLIC, frozenset(), 5, 1)
    first = Extract({("MA", "positive"): 3, ("MA", "negative"): 20, ("DZ", "positive"): 30,
                     ("DZ", "negative"): 40}, "a")  # fmt: skip
    later = Extract({**first.counts, ("MA", "pending"): 9, ("DZ", "pending"): 50}, "b")
    assert pinned(naive([first, later], rules)), "alone, the later release gives MA away"
    held = released(database_url, [first, later], rules)
    assert pinned(held) == []
    hidden = {
        (i, j) for i, row in enumerate(held[0].status) for j, s in enumerate(row) if "supp" in s
    }
    assert all(held[1].status[i][j].startswith("suppressed") for i, j in hidden)
    with Retour(settings=load_settings(), db_override=database_url) as app:
        rows = sorted(store.listed(app.database()), key=lambda r: r.id)
    check = json.loads(rows[1].params)["cross_release"]
    assert check["model"] == "cross-release/1"
    assert check["compared"] == [rows[0].id]
    assert check["cells_checked"] > 0 and check["pinned_left"] == 0
    assert json.loads(rows[0].params)["cross_release"]["compared"] == []
    # the command line says it, in both languages (a subprocess, as a user runs it)
    env = {**os.environ, "COLUMNS": "80", "RETOUR_DB": database_url}
    said = {}
    for lang in ("en", "nl"):
        done = subprocess.run(
            [sys.executable, "-m", "retour", "releases", "show", str(rows[1].id), "--lang", lang],
            capture_output=True, text=True, timeout=120, env=env, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        said[lang] = done.stdout
    assert f"Checked across releases (cross-release/1) with releases {rows[0].id}:" in said["en"]
    assert "0 pinned" in said["en"]
    assert (
        f"Getoetst tegen eerdere publicaties (cross-release/1), met publicaties {rows[0].id}"
        in (said["nl"])
    )

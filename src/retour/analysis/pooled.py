"""A joint effect of the instruments of one kind (``retour effects --pool-by kind``).

Each instrument's event study gives an average effect ``e_i`` over its after-window with a
standard error ``s_i`` (logit; :mod:`retour.analysis.effects`). The instruments of one kind
(readmission agreements, visa measures, ...) are pooled as a fixed-effect meta-analysis with
the same guard against spread beyond sampling as the event study itself: with ``w_i = 1 /
s_i^2``,

    pooled = sum_i w_i e_i / sum_i w_i,   Var = phi / sum_i w_i,

``phi = Q / (k - 1)`` (Birge's ratio of the instruments' spread to their standard errors, at
least 1), and the interval uses Student's t with ``k - 1`` degrees of freedom. So a kind whose
instruments disagree with each other gets a wider interval, and two instruments give a very
wide one: the joint estimate says what the instruments of a kind did *on average*, not that
each did it.

Pooled are the instruments with an effect (verdict increase, decrease or no clear change);
"not identifiable" and "too little data" have none and are counted apart. The instruments are
treated as independent, which they are only roughly: countries can serve as controls for
several of them, and one country's instruments share its own quarters.

In index points the joint effect is given at the pooled instruments' mean level after the
start (their ``index_after``, averaged on the logit scale with the same weights).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl
from scipy.special import expit, logit

from retour.analysis.effects import UNDETECTABLE, Verdict
from retour.analysis.event_study import POWER
from retour.domain.errors import N_

#: The columns of :func:`pooled_effects`, in order.
POOLED_COLUMNS: Final = (
    "kind",
    "instruments",
    "pooled",
    "effect",
    "lower",
    "upper",
    "verdict",
    "effect_logit",
    "se_logit",
    "n_before",
    "n_after",
    "note",
)
#: The note of a kind with fewer than two instruments that have an effect.
TOO_FEW: Final = N_("fewer than two instruments with an effect to pool")
_WITH_EFFECT: Final = (Verdict.INCREASE, Verdict.DECREASE, Verdict.NO_CLEAR_CHANGE)
_SCHEMA: Final = {
    "kind": pl.String, "instruments": pl.Int64, "pooled": pl.Int64, "effect": pl.Float64,
    "lower": pl.Float64, "upper": pl.Float64, "verdict": pl.String,
    "effect_logit": pl.Float64, "se_logit": pl.Float64, "n_before": pl.Int64,
    "n_after": pl.Int64, "note": pl.String,
}  # fmt: skip


def pooled_effects(effects: pl.DataFrame, level: float) -> pl.DataFrame:
    """One row per kind of instrument in ``effects`` (the table of
    :func:`~retour.analysis.effects.instrument_effects`, possibly without some rows):
    ``instruments`` of the kind, ``pooled`` of them with an effect, the joint effect in
    points and logit with its interval at ``level``, its verdict, and the requests before and
    after behind it."""
    rows = [
        _pool(str(kind), group, level)
        for (kind,), group in effects.group_by("kind", maintain_order=True)
    ]
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row").sort("kind")


def _pool(kind: str, group: pl.DataFrame, level: float) -> tuple[object, ...]:
    # loaded here: scipy.stats takes longer to import than `assess`, which imports this
    # module, takes to run
    from scipy.stats import t as student_t

    usable = group.filter(
        pl.col("verdict").is_in([v.value for v in _WITH_EFFECT])
        & pl.col("effect_logit").is_not_null()
        & (pl.col("se_logit") > 0)
    )
    k = usable.height
    n_before = int(usable["n_before"].sum()) if k else 0
    n_after = int(usable["n_after"].sum()) if k else 0
    if k < 2:
        return (kind, group.height, k, None, None, None, Verdict.TOO_LITTLE_DATA.value, None,
                None, n_before, n_after, TOO_FEW)  # fmt: skip
    e = usable["effect_logit"].to_numpy()
    w = 1.0 / usable["se_logit"].to_numpy() ** 2
    mean = float(np.sum(w * e) / np.sum(w))
    phi = max(1.0, float(np.sum(w * (e - mean) ** 2)) / (k - 1))
    se = float(np.sqrt(phi / np.sum(w)))
    quantile = float(student_t.ppf(0.5 + level / 2.0, k - 1))
    lo, hi = mean - quantile * se, mean + quantile * se
    after = usable["index_after"].fill_null(50.0).to_numpy().clip(0.5, 99.5) / 100.0
    at = float(np.sum(w * logit(after)) / np.sum(w))

    def points(shift: float) -> float:
        return float(100.0 * (expit(at) - expit(at - shift)))

    verdict = (
        Verdict.INCREASE if lo > 0 else Verdict.DECREASE if hi < 0 else Verdict.NO_CLEAR_CHANGE
    )
    note = None
    if verdict is Verdict.NO_CLEAR_CHANGE:
        size = (quantile + float(student_t.ppf(POWER, k - 1))) * se
        note = f"{UNDETECTABLE}{size:.2f} logit, {abs(points(size)):.0f} points"
    return (kind, group.height, k, points(mean), points(lo), points(hi), verdict.value, mean,
            se, n_before, n_after, note)  # fmt: skip

"""The Aalen-Johansen estimator of cumulative incidence under competing risks, per group.

For each group, at each distinct time t with n(t) still at risk (followed until at least t),
d_k(t) events of cause k and d(t) events of any cause,

    S(t)     = prod_{s <= t} (1 - d(s) / n(s))                 (Kaplan-Meier, all causes)
    F_k(t)   = sum_{s <= t} S(s-) * d_k(s) / n(s)              (cumulative incidence of k)

Censored times count as at risk at their own time (the usual convention: censoring after
events at a tie). Ties between events of different causes are handled exactly -- they need
no jittering. The estimate is defined up to the group's last follow-up time; beyond it,
:meth:`AalenJohansen.at` returns null, never the last value carried forward -- unless every
request of the group has ended (survival 0), when the incidences are final.

Everything is vectorised over all groups at once (sort, cumulative sums and products).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

#: Columns of :attr:`AalenJohansen.table` besides the group columns.
TIME = "time"
AT_RISK = "at_risk"
EVENTS = "events"
CENSORED = "censored"
SURVIVAL = "survival"
LAST = "last_time"
FINAL = "final_survival"
_N = "_n"


def cif_column(cause: int) -> str:
    return f"cif_{cause}"


def events_column(cause: int) -> str:
    return f"events_{cause}"


@dataclass(frozen=True, slots=True)
class AalenJohansen:
    """Step functions per group.

    Attributes:
        table: one row per group and distinct time: the group columns, ``time``,
            ``at_risk``, ``events`` (any cause), ``events_<k>``, ``censored``,
            ``survival`` (all-cause Kaplan-Meier) and ``cif_<k>`` per cause, sorted.
        last: per group, ``last_time`` (the longest follow-up), ``n`` and
            ``final_survival`` (all-cause survival after the last time).
        by: the group columns.
        causes: the causes with a cumulative incidence column.
    """

    table: pl.DataFrame
    last: pl.DataFrame
    by: tuple[str, ...]
    causes: tuple[int, ...]

    def at(self, times: Sequence[float], cause: int, *, prefix: str = "t") -> pl.DataFrame:
        """F_cause at each of ``times``: the group columns and one column ``<prefix><t>`` per
        time; null where t lies beyond the group's last follow-up time while some of it
        is still at risk."""
        name = cif_column(cause)
        keys = list(self.by)
        steps = self.table.select(*keys, pl.col(TIME).cast(pl.Float64), name).sort(TIME)
        out = self.last.select(*keys, LAST, FINAL)
        for t in times:
            probe = out.select(*keys, LAST, FINAL).with_columns(pl.lit(float(t)).alias(TIME))
            found = probe.join_asof(
                steps, on=TIME, by=keys or None, strategy="backward", check_sortedness=False
            )
            unknown = (pl.col(TIME) > pl.col(LAST)) & (pl.col(FINAL) > 0)
            value = pl.when(unknown).then(None).otherwise(pl.col(name).fill_null(0.0))
            column = found.select(value.alias(f"{prefix}{_label(t)}"))
            out = out.with_columns(column)
        return out.drop(LAST, FINAL)

    def first_time_reaching(self, level: float, cause: int, *, name: str = "time") -> pl.DataFrame:
        """Per group, the first time at which F_cause reaches ``level`` (e.g. 0.5: the median
        time to that event); null where it does not within the follow-up."""
        reached = (
            self.table.filter(pl.col(cif_column(cause)) >= level - 1e-12)
            .group_by(list(self.by))
            .agg(pl.col(TIME).min().alias(name))
        )
        keys = self.last.select(*self.by)
        if not self.by:
            value = reached[name][0] if reached.height else None
            return pl.DataFrame({name: [value]}, schema={name: self.table.schema[TIME]})
        return keys.join(reached, on=list(self.by), how="left")


def _label(t: float) -> str:
    return str(int(t)) if float(t).is_integer() else str(t)


def aalen_johansen(
    frame: pl.DataFrame,
    *,
    time: str,
    event: str,
    by: Sequence[str] = (),
    causes: Sequence[int] = (1,),
) -> AalenJohansen:
    """Aalen-Johansen cumulative incidence per group of ``by``.

    ``frame[time]`` is the follow-up time (>= 0); ``frame[event]`` is 0 for censored and a
    positive integer cause code for an event (any non-zero code is an event for the
    all-cause survival; ``causes`` selects which cumulative incidences are computed).
    """
    keys = list(by)
    per_time = (
        frame.group_by([*keys, time])
        .agg(
            pl.len().alias(_N),
            (pl.col(event) != 0).sum().alias(EVENTS),
            *((pl.col(event) == k).sum().alias(events_column(k)) for k in causes),
        )
        .sort([*keys, time])
        .rename({time: TIME})
    )
    over = keys or None

    def window(expr: pl.Expr) -> pl.Expr:
        return expr.over(over) if over else expr

    size = window(pl.col(_N).sum())
    removed_before = window(pl.col(_N).cum_sum()) - pl.col(_N)
    table = per_time.with_columns((size - removed_before).alias(AT_RISK))
    table = table.with_columns(
        (pl.col(_N) - pl.col(EVENTS)).alias(CENSORED),
        window((1.0 - pl.col(EVENTS) / pl.col(AT_RISK)).cum_prod()).alias(SURVIVAL),
    )
    before = window(pl.col(SURVIVAL).shift(1, fill_value=1.0))
    table = table.with_columns(
        window((before * pl.col(events_column(k)) / pl.col(AT_RISK)).cum_sum()).alias(cif_column(k))
        for k in causes
    )
    last = (
        frame.group_by(keys).agg(pl.col(time).max().alias(LAST), pl.len().alias("n"))
        if keys
        else frame.select(pl.col(time).max().alias(LAST), pl.len().alias("n"))
    ).with_columns(pl.col(LAST).cast(pl.Float64))
    final = (
        table.group_by(keys).agg(pl.col(SURVIVAL).last().alias(FINAL))
        if keys
        else table.select(pl.col(SURVIVAL).last().alias(FINAL))
    )
    last = (
        last.join(final, on=keys, how="left")
        if keys
        else pl.concat([last, final], how="horizontal")
    )
    if keys:
        last = last.sort(keys)
    return AalenJohansen(
        table=table.drop(_N),
        last=last,
        by=tuple(keys),
        causes=tuple(causes),
    )

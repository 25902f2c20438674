"""The components shown beside the index, per country and period, and the naive share.

- ``answer_rate_90d``: the share of requests answered (positive or negative) within 90 days,
  Aalen-Johansen: every withdrawal a competing event, pending requests censored. Null where
  the period's requests have not been followed for 90 days yet.
- ``median_days_to_answer``: the day on which half the requests had an answer (same
  estimator); null where fewer than half are answered within the follow-up.
- ``confirmation_observed``: positive answers among the answers given within 90 days.
- ``confirmation_expected``: what an average country would confirm for the same answers,
  given their case mix (kind, identity evidence, cooperation) and period -- from the index's
  confirmation model with the country's own effects set to zero. Observed well below
  expected: the country confirms less than its nationals' case mix explains.
- ``document_within_30d``: of the positive answers given at least 30 days before the
  extraction date, the share followed by a travel document (or agreed readmission)
  within 30 days.
- ``naive_positive_share``: positive answers among requests that ended (positive, negative
  or withdrawn) -- the raw figure, with no adjustment for case mix or follow-up.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl
from scipy.special import expit

from retour.analysis import casemix
from retour.analysis.aalen_johansen import aalen_johansen
from retour.analysis.followup import DAYS, DOCUMENT_DAYS, END, SINCE_ANSWER, End
from retour.analysis.index_model import IndexModel, confirm_x

DOCUMENT_DAYS_LIMIT: Final = 30

COMPONENTS: Final = (
    "answer_rate_90d",
    "median_days_to_answer",
    "confirmation_observed",
    "confirmation_expected",
    "document_within_30d",
    "naive_positive_share",
)

#: The counts behind the shares, per cell (for disclosure: a share is published at the
#: precision of its counts): positive answers and ended requests (the naive share),
#: positive answers followed by a document and those whose document is known (document
#: within 30 days), positive answers and answers within 90 days (confirmation).
COMPONENT_COUNTS: Final = (
    "n_positive",
    "n_ended",
    "n_documented",
    "n_document_known",
    "n_confirmed_90d",
    "n_answered_90d",
)


def answer_events(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``event``: 1 answered, 2 withdrawn (any reason), 0 pending."""
    end = pl.col(END)
    return frame.with_columns(
        pl.when(end.is_in([End.POSITIVE, End.NEGATIVE]))
        .then(1)
        .when(end.is_in([End.WITHDRAWN_CASE, End.WITHDRAWN_COUNTRY]))
        .then(2)
        .otherwise(0)
        .cast(pl.Int8)
        .alias("event")
    )


def components(coded: pl.DataFrame, model: IndexModel) -> pl.DataFrame:
    """The components per ``cell`` (see the module docstring)."""
    horizon = model.options.horizon_days
    aj = aalen_johansen(answer_events(coded), time=DAYS, event="event", by=["cell"], causes=(1,))
    rate = aj.at([horizon], 1, prefix="_t").rename({f"_t{horizon}": "answer_rate_90d"})
    median = aj.first_time_reaching(0.5, 1, name="median_days_to_answer")
    end = pl.col(END)
    raw = coded.group_by("cell").agg(
        (end == End.POSITIVE).sum().alias("_positive"),
        (end != End.CENSORED).sum().alias("_ended"),
        ((end == End.POSITIVE) & (pl.col(DOCUMENT_DAYS) <= DOCUMENT_DAYS_LIMIT))
        .sum()
        .alias("_documented"),
        (
            (end == End.POSITIVE)
            & (
                (pl.col(SINCE_ANSWER) >= DOCUMENT_DAYS_LIMIT)
                | (pl.col(DOCUMENT_DAYS) <= DOCUMENT_DAYS_LIMIT)
            )
        )
        .sum()
        .alias("_document_known"),
    )
    raw = raw.select(
        "cell",
        _share("_positive", "_ended").alias("naive_positive_share"),
        _share("_documented", "_document_known").alias("document_within_30d"),
        *(
            pl.col(f"_{name}").cast(pl.Int64).alias(f"n_{name}")
            for name in ("positive", "ended", "documented", "document_known")
        ),
    )
    confirmation = _confirmation(coded, model)
    return (
        raw.join(rate, on="cell", how="left")
        .join(median, on="cell", how="left")
        .join(confirmation, on="cell", how="left")
        .with_columns(
            pl.col("median_days_to_answer").cast(pl.Float64),
            pl.col("n_confirmed_90d", "n_answered_90d").fill_null(0),
        )
        .select("cell", *COMPONENTS, *COMPONENT_COUNTS)
    )


def _share(numerator: str, denominator: str) -> pl.Expr:
    return (
        pl.when(pl.col(denominator) > 0)
        .then(pl.col(numerator) / pl.col(denominator))
        .otherwise(None)
    )


def _confirmation(coded: pl.DataFrame, model: IndexModel) -> pl.DataFrame:
    answers = casemix.answer_table(coded, model.options.horizon_days)
    if answers.is_empty():
        return pl.DataFrame(
            schema={
                "cell": pl.Int64,
                "confirmation_observed": pl.Float64,
                "confirmation_expected": pl.Float64,
                "n_confirmed_90d": pl.Int64,
                "n_answered_90d": pl.Int64,
            }
        )
    x = confirm_x(
        casemix.case_mix_matrix(answers),
        answers["period_code"].to_numpy().astype(np.int64),
        model.cells,
    )
    expected = expit(x @ model.confirm.beta)
    return (
        answers.with_columns(pl.Series("_expected", expected * answers["answers"].to_numpy()))
        .group_by("cell")
        .agg(
            (pl.col("positives").sum() / pl.col("answers").sum()).alias("confirmation_observed"),
            (pl.col("_expected").sum() / pl.col("answers").sum()).alias("confirmation_expected"),
            pl.col("positives").sum().round().cast(pl.Int64).alias("n_confirmed_90d"),
            pl.col("answers").sum().round().cast(pl.Int64).alias("n_answered_90d"),
        )
    )

"""Short summaries of a dataset: what is in it, at a glance."""

from __future__ import annotations

import polars as pl


def requests_by_outcome(requests: pl.DataFrame) -> pl.DataFrame:
    """Requests per kind and outcome: kind, outcome, n (sorted)."""
    return requests.group_by("kind", "outcome").len("n").sort("kind", "outcome")


def departures_by_year(departures: pl.DataFrame) -> pl.DataFrame:
    """Departures per year and type, one column per type: year, <type>..., total."""
    counts = (
        departures.with_columns(pl.col("departed_on").dt.year().alias("year"))
        .group_by("year", "type")
        .len("n")
    )
    if counts.is_empty():
        return pl.DataFrame(schema={"year": pl.Int32, "total": pl.UInt32})
    wide = counts.pivot(on="type", index="year", values="n", sort_columns=True).fill_null(0)
    types = [c for c in wide.columns if c != "year"]
    return wide.with_columns(pl.sum_horizontal(types).alias("total")).sort("year")

"""Compare what the command line prints with the oracle's recount."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence

import polars as pl

from retour.disclosure import DisclosureRules, disclose_table
from retour.service.figures import FigureTable

TOTAL = "total"
NOT_APPLICABLE = "not_applicable"

Cells = dict[tuple[str, ...], str]


def parse_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def cells_of(rows: list[dict[str, str]], by: Sequence[str], table: str | None = None) -> Cells:
    """(by values) -> n as printed, of one table of a CSV or JSON output."""
    chosen = [r for r in rows if table is None or r.get("table") == table]
    cells = {tuple(str(r[d]) for d in by): str(r["n"] if "display" not in r else r["display"])
             for r in chosen}  # fmt: skip
    assert len(cells) == len(chosen), "a cell is listed twice"
    return cells


def as_strings(oracle: Counter[tuple[object, ...]]) -> Counter[tuple[str, ...]]:
    """The oracle's keys as the output writes them: strings, empty = not applicable."""
    out: Counter[tuple[str, ...]] = Counter()
    for key, n in oracle.items():
        out[tuple(NOT_APPLICABLE if v in ("", None) else str(v) for v in key)] += n
    return out


def interior(cells: Cells) -> dict[tuple[str, ...], int]:
    return {k: int(v) for k, v in cells.items() if TOTAL not in k}


def assert_exact(cells: Cells, oracle: Counter[tuple[object, ...]]) -> None:
    """Every inner cell equals the recount (zeros included); every total its sum."""
    exact = as_strings(oracle)
    inner = interior(cells)
    missing = {k: n for k, n in exact.items() if k not in inner}
    assert not missing, f"counted by the oracle but not shown: {missing}"
    wrong = {k: (v, exact.get(k, 0)) for k, v in inner.items() if v != exact.get(k, 0)}
    assert not wrong, f"shown vs recounted: {wrong}"
    for key, shown in cells.items():
        if TOTAL not in key:
            continue
        expected = sum(
            n for k, n in exact.items() if all(t in (TOTAL, v) for t, v in zip(key, k, strict=True))
        )
        assert int(shown) == expected, (key, shown, expected)


def expected_disclosed(
    cells: Cells, oracle: Counter[tuple[object, ...]], by: Sequence[str], rules: DisclosureRules
) -> Cells:
    """disclose_table of the oracle's exact counts, in the layout the output has."""
    exact = as_strings(oracle)
    layout = {k for k in cells if TOTAL not in k} | set(exact)
    frame = pl.DataFrame(
        [(*k, exact.get(k, 0)) for k in sorted(layout)],
        schema=[*by, "n"],
        orient="row",
    ).with_columns(pl.col("n").cast(pl.Int64))
    if "year" in by:
        frame = frame.with_columns(pl.col("year").cast(pl.Int64))
    rows = list(by[:-1]) if len(by) > 1 else list(by)
    column = by[-1] if len(by) > 1 else None
    table = disclose_table(frame, rows=rows, column=column, rules=rules)
    listing = FigureTable("expected", None, tuple(by), table).cells()  # type: ignore[arg-type]
    return {tuple(str(r[d]) for d in by): r["n"] for r in listing.iter_rows(named=True)}

"""A new public release made safe together with the earlier ones (docs/releases.md).

:func:`safe` makes a published answer (through ``make``, which passes the cells to hide to
the one disclosure gate), reads every earlier public release of the same kind from the
register, carries forward the cells an earlier release of the same table hid, checks the
result with :func:`retour.disclosure.across.check` and hides more, greedily, until no hidden
cell of any release is pinned. What it did is a :class:`CrossCheck`, registered with the
release (:func:`retour.service.publication.record_output`).

Which cells are the same: a *table* is the kind of answer (``what``), the table's place in it
(``part``), the rules it was made under and the question's filters (the parameters other
than years, language, format and the earlier release compared with); a *count* is a cell of
a table by its key, and -- for a cell that does not name a year (a total over the years, a
table without years) -- the years asked.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, TypeVar

import polars as pl

from retour.disclosure import DisclosedTable, DisclosureRules, Figures, Profile, Published
from retour.disclosure import across as model
from retour.disclosure.table import COLUMN, KEY_SEPARATOR, LIST_COLUMN, TOTAL
from retour.domain.provenance import Provenance
from retour.service import releases
from retour.service.context import Retour
from retour.store import releases as store

#: The parameters that do not change what a table counts.
NOT_THE_QUESTION: Final = frozenset(
    {"years", "lang", "format", "since_release", "country", "cross_release"}
)
#: The parameter of a release that holds its check (:meth:`CrossCheck.as_params`).
PARAM: Final = "cross_release"
#: The kinds of answer whose counts only grow between extracts (but for pending ones).
GROWING: Final = frozenset({"press", "requests", "departures", "detentions"})
#: At most this many rounds of hiding more (each hides one cell per pinned cell).
ROUNDS: Final = 25
_YEAR_NAMED: Final = re.compile(r"(^|;)year=\d")
_HIDDEN: Final = ("suppressed_primary", "suppressed_secondary")

P = TypeVar("P", bound=Published)
Plan = dict[str, set[str]]


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """The check of a release against the earlier public releases of its tables."""

    model: str
    compared: tuple[int, ...]
    cells_checked: int
    newly_hidden: int
    slack: int | None
    pinned_left: int

    question: str = ""

    def as_params(self) -> dict[str, object]:
        """As kept in the release's parameters (``cross_release``)."""
        return {
            "model": self.model,
            "question": self.question,
            "compared": list(self.compared),
            "cells_checked": self.cells_checked,
            "newly_hidden": self.newly_hidden,
            "slack": self.slack,
            "pinned_left": self.pinned_left,
        }


def question(value: object) -> str:
    """What a published answer asks beyond its parameters: a figures answer's breakdown,
    cohort, kinds and its notes that name no date or number (the answers it is limited to)."""
    if not isinstance(value, Figures):
        return ""
    notes = [n.en for n in value.notes if not re.search(r"\d", n.en)]
    cohort = value.cohort.value if value.cohort is not None else ""
    return json.dumps([list(value.by), cohort, list(value.kinds), notes])


def table_prefix(what: str, params: Mapping[str, object], rules: str, asked: str) -> str:
    """The key of a release's tables, before the part's name."""
    kept = {k: v for k, v in sorted(params.items()) if k not in NOT_THE_QUESTION}
    return json.dumps([what, rules, kept, asked], sort_keys=True, default=str)


def framed(cells: pl.DataFrame, prefix: str, years: str) -> pl.DataFrame:
    """A release's cells (``part``, ``dims``, ``shown``, ``status``) with their ``table``
    and ``ident`` (:mod:`retour.disclosure.across`); only the counts of tables."""
    table = pl.concat_str(pl.lit(prefix + "|"), pl.col("part"))
    named = pl.col("dims").str.contains(_YEAR_NAMED.pattern)
    ident = pl.concat_str(
        table,
        pl.lit("|"),
        pl.col("dims"),
        pl.when(named).then(pl.lit("")).otherwise(pl.lit(f"|years={years}")),
    )
    counts = cells.filter(pl.col("status").is_in([*_HIDDEN, "exact", "rounded"]).all().over("part"))
    return counts.with_columns(table.alias("table"), ident.alias("ident"))


def _earlier(context: Retour, what: str) -> list[model.HeldRelease]:
    """Every earlier public release of ``what``, oldest first, as the attacker holds it."""
    db = context.database()
    # every one, however many: a release left out would be an attacker's knowledge unchecked
    listed = store.listed(db, what=what, limit=sys.maxsize)
    rows = [r for r in listed if r.profile == Profile.PUBLIC]
    held = []
    for row in sorted(rows, key=lambda r: r.id):
        params = json.loads(row.params)
        rules = json.loads(row.rules)
        asked = (
            params.get(PARAM, {}).get("question", "") if isinstance(params.get(PARAM), dict) else ""
        )
        prefix = table_prefix(row.what, params, row.rules, str(asked))
        cells = framed(store.cells(db, row.id), prefix, str(params.get("years", "")))
        held.append(
            model.HeldRelease(
                row.id, row.fingerprint, int(rules["suppress_below"]), int(rules["round_to"]), cells
            )
        )
    return held


def _walk(value: object, path: str) -> Iterator[tuple[str, DisclosedTable]]:
    """The tables of a published answer with their parts, as the register names them
    (:func:`retour.service.releases.cells_of`)."""
    if isinstance(value, DisclosedTable):
        yield path or "table", value
    elif isinstance(value, Figures):
        for table in value.tables:
            yield (f"{path}.{table.name}" if path else table.name), table.table
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}.{i}" if path else str(i))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if not f.name.startswith("_"):
                yield from _walk(getattr(value, f.name), f"{path}.{f.name}" if path else f.name)


def exact_cells(value: object, prefix: str) -> pl.DataFrame:
    """The exact count of every cell of the tables of ``value``: ``table``, ``dims``, ``n``
    (for choosing what to hide; never shown)."""
    frames = []
    for part, table in _walk(value, ""):
        exact = table.audit_exact()
        long = exact.unpivot(
            list(table.value_columns),
            index=[*table.row_dims, "is_total"],
            variable_name=COLUMN,
            value_name="_exact",  # not "n": a table without a column dimension has one
        )
        name = table.column or LIST_COLUMN
        dims = [
            pl.concat_str(pl.lit(f"{d}="), pl.col(d).cast(pl.String).fill_null(TOTAL))
            for d in table.row_dims
        ]
        dims.append(pl.concat_str(pl.lit(f"{name}="), pl.col(COLUMN)))
        frames.append(
            long.select(
                pl.lit(f"{prefix}|{part}").alias("table"),
                pl.concat_str(dims, separator=KEY_SEPARATOR).alias("dims"),
                pl.col("_exact").cast(pl.Int64).alias("n"),
            )
        )
    if not frames:
        return pl.DataFrame(schema={"table": pl.String, "dims": pl.String, "n": pl.Int64})
    return pl.concat(frames)


def _hidden(cells: pl.DataFrame) -> int:
    return cells.filter(pl.col("status").is_in(_HIDDEN)).height


def safe(
    context: Retour,
    *,
    what: str,
    params: Mapping[str, object],
    rules: DisclosureRules,
    origin: Provenance,
    make: Callable[[Plan], P],
) -> tuple[P, CrossCheck | None]:
    """``make({})``, or -- under ``public`` -- ``make(plan)`` with the cells to hide that
    keep every hidden cell of this and the earlier public releases of ``what`` from being
    pinned; with what the check did (None: not a public release)."""
    first = make({})
    if rules.profile is not Profile.PUBLIC:
        return first, None
    rules_text = releases.rules_text(rules)
    asked = question(first)
    prefix = table_prefix(what, params, rules_text, asked)
    years = str(params.get("years", ""))
    earlier = _earlier(context, what)
    value, plan = first, Plan()

    def held(v: Published) -> model.HeldRelease:
        cells = framed(releases.cells_of(v), prefix, years)
        return model.HeldRelease(
            None, origin.fingerprint, rules.suppress_below, rules.round_to, cells
        )

    new = held(first)
    # a small count is hidden ("<5") anyway: carried forward as it is, so that the same data
    # give the same release; only the greedy step below relabels one as "x"
    exact = exact_cells(first, prefix)
    small = set(
        exact.filter(pl.col("n").is_between(1, rules.suppress_below - 1))
        .select(pl.concat_str("table", pl.lit("\t"), "dims"))
        .to_series()
        .to_list()
    )
    plan = {
        t[len(prefix) + 1 :]: {d for d in dims if f"{t}\t{d}" not in small}
        for t, dims in model.carried(earlier, new.cells).items()
    }
    plan = {part: dims for part, dims in plan.items() if dims}
    if plan:
        value = make(plan)
        new = held(value)
    memo: model.Memo = {}
    result = model.check(earlier, new, monotone=what in GROWING, memo=memo)
    for _ in range(ROUNDS):
        if not result.pinned:
            break
        more = model.more_to_hide(result.pinned, new.cells, exact_cells(value, prefix))
        grown = False
        for table, dims in more.items():
            part = table[len(prefix) + 1 :]
            if not dims <= plan.get(part, set()):
                plan.setdefault(part, set()).update(dims)
                grown = True
        if not grown:
            break
        value = make(plan)
        new = held(value)
        result = model.check(earlier, new, monotone=what in GROWING, memo=memo)
    check = CrossCheck(
        model.MODEL_VERSION,
        result.compared,
        result.cells_checked,
        _hidden(new.cells) - _hidden(framed(releases.cells_of(first), prefix, years)),
        result.slack,
        len(result.pinned),
        asked,
    )
    return value, check

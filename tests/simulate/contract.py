"""A focused checker of CONTRACT.md for the simulator's output, independent of retour.exchange.

Each rule gives the number of rows that break it; a valid dataset breaks none. It reads the
CSV files as text, so it also sees what the writer put on disk.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl

from retour.domain.codes import VERSION_2_TABLES
from retour.domain.countries import country_codes
from retour.domain.dataset import polars_schema
from retour.domain.tables import SPECS, ColumnType

Rule = Callable[[str, int], None]


def read(folder: Path) -> dict[str, pl.DataFrame]:
    """Every table as typed frames (dates parsed strictly: a bad date raises)."""
    out = {}
    for table, spec in SPECS.items():
        if not (folder / spec.file_name).exists() and table in VERSION_2_TABLES:
            out[table.value] = pl.DataFrame(schema=polars_schema(spec))  # a retour/1 dataset
            continue
        raw = pl.read_csv(folder / spec.file_name, infer_schema=False)
        assert tuple(raw.columns) == spec.column_names, f"{spec.file_name}: columns"
        exprs = []
        for column in spec.columns:
            col = pl.col(column.name)
            if column.type is ColumnType.DATE:
                exprs.append(col.str.to_date("%Y-%m-%d", strict=True))
            elif column.type is ColumnType.INT:
                exprs.append(col.cast(pl.Int64, strict=True))
            else:
                exprs.append(col)
        out[table.value] = raw.select(exprs)
    return out


def violations(folder: Path) -> dict[str, int]:
    meta = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    cut = dt.date.fromisoformat(meta["extracted_on"])
    t = read(folder)
    names = ("cases", "requests", "detentions", "departures", "conditions")
    cases, req, det, dep, cond = (t[n] for n in names)
    found: dict[str, int] = {}

    def rule(name: str, count: object) -> None:
        found[name] = int(count)  # type: ignore[call-overload]

    rule("meta: source is simulated", meta.get("source") != "simulated")
    rule("meta: format", meta.get("format") not in ("retour/1", "retour/2"))
    for table, spec in SPECS.items():
        frame = t[table.value]
        if spec.id_column:
            rule(f"{table.value}: unique id", frame.height - frame[spec.id_column].n_unique())
        else:
            rule(f"{table.value}: unique key", frame.height - frame.select(spec.key).n_unique())
        for column in spec.columns:
            values = frame[column.name]
            if column.required:
                rule(f"{table.value}.{column.name}: required", values.null_count())
            if column.type is ColumnType.CODE:
                bad = values.drop_nulls().is_in(list(column.values)).not_().sum()
                rule(f"{table.value}.{column.name}: code", bad)
            if column.type is ColumnType.COUNTRY:
                bad = values.drop_nulls().is_in(sorted(country_codes())).not_().sum()
                rule(f"{table.value}.{column.name}: country", bad)
            if column.type is ColumnType.DATE:
                rule(f"{table.value}.{column.name}: after extraction", (values > cut).sum())
    ids = cases["case_id"]
    for name in ("requests", "detentions", "departures", "conditions"):
        rule(f"{name}: case_id exists", t[name]["case_id"].is_in(ids.implode()).not_().sum())
    rule("cases: id looks pseudonymous", ids.str.contains(r"^C\d{7,}$").not_().sum())
    rule("cases: closed_on >= opened_on", (cases["closed_on"] < cases["opened_on"]).sum())
    rule(
        "cases: close_reason iff closed_on",
        (cases["closed_on"].is_null() != cases["close_reason"].is_null()).sum(),
    )
    rule("cases: birth_year", (~cases["birth_year"].is_between(1900, cut.year)).sum())
    _request_rules(req, rule)
    _detention_rules(det, rule)
    opened = dep.join(cases.select("case_id", "opened_on", "closed_on", "close_reason"),
                      on="case_id")  # fmt: skip
    rule(
        "departures: departed_on >= opened_on", (opened["departed_on"] < opened["opened_on"]).sum()
    )
    rule("departures: one per case", dep.height - dep["case_id"].n_unique())
    rule(
        "departures: the case closed as departed that day",
        ((opened["closed_on"] != opened["departed_on"]) | (opened["close_reason"] != "departed"))
        .fill_null(True)
        .sum(),
    )
    observed = cond.join(cases.select("case_id", "opened_on", "closed_on"), on="case_id")
    rule("conditions: within the case", (
        (observed["observed_on"] < observed["opened_on"])
        | (observed["observed_on"] > observed["closed_on"]).fill_null(False)
    ).sum())  # fmt: skip
    ended = t["instruments"]
    rule("instruments: end_on >= start_on", (ended["end_on"] < ended["start_on"]).sum())
    return found


def _request_rules(req: pl.DataFrame, r: Rule) -> None:
    pending = req["outcome"] == "pending"
    refused = req["outcome"].is_in(["negative", "withdrawn"])
    r("requests: outcome_on iff not pending", (pending == req["outcome_on"].is_not_null()).sum())
    r("requests: outcome_on >= submitted_on", (req["outcome_on"] < req["submitted_on"]).sum())
    r("requests: reason iff negative/withdrawn", (refused != req["reason"].is_not_null()).sum())
    r(
        "requests: document_on only if positive",
        (req["document_on"].is_not_null() & (req["outcome"] != "positive")).sum(),
    )
    r("requests: document_on >= outcome_on", (req["document_on"] < req["outcome_on"]).sum())
    by_case = req.sort("submitted_on", "request_id").with_columns(
        prev_end=pl.col("outcome_on").shift(1).over("case_id"),
        prev_open=(pl.col("outcome") == "pending").shift(1).over("case_id"),
    )
    overlapping = (by_case["prev_open"].fill_null(False)) | (
        by_case["submitted_on"] < by_case["prev_end"]
    ).fill_null(False)
    r("requests: one open at a time", overlapping.sum())


def _detention_rules(det: pl.DataFrame, r: Rule) -> None:
    r("detentions: ended_on >= started_on", (det["ended_on"] < det["started_on"]).sum())
    r(
        "detentions: end_reason iff ended_on",
        (det["ended_on"].is_null() != det["end_reason"].is_null()).sum(),
    )
    ordered = det.sort("case_id", "started_on").with_columns(
        prev_end=pl.col("ended_on")
        .fill_null(dt.date(9999, 12, 31))
        .cum_max()
        .shift(1)
        .over("case_id")
    )
    r(
        "detentions: no overlap",
        (ordered["started_on"] < ordered["prev_end"]).fill_null(False).sum(),
    )

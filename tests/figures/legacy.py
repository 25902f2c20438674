"""The CSV and JSON writers as they were before one renderer per format
(``service/figures.py``'s ``Figures.csv_text``/``as_json``, ``cli/assess_cmd.py``'s CSV and
JSON, ``web/views.py``'s ``cells_json``/``instrument_json``), copied unchanged: the
reference that :mod:`tests.reports.test_tabular` holds the renderers to, byte for byte."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import polars as pl

from retour.disclosure import COUNTRY_COLUMNS, Language
from retour.reports import labels

NAME_SUFFIX = "_name"
YEAR = "year"


def figures_json(self: Any, lang: Language = "nl", names: Language | None = None) -> str:
    data = {
        "subject": self.subject.value,
        "profile": self.rules.profile.value,
        "simulated": self.provenance.simulated,
        "extracted_on": _iso(self.provenance.extracted_on),
        "fingerprint": self.provenance.fingerprint,
        "years": list(self.years),
        "by": list(self.by),
        "cohort": self.cohort.value if self.cohort else None,
        "kinds": list(self.kinds) or None,
        "notes": self.notes_in(lang),
        "tables": [
            {
                "name": t.name,
                "title": t.title.text(lang),
                "cells": [_json_cell(row, t.by, names) for row in t.cells().iter_rows(named=True)],
            }
            for t in self.tables
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def figures_csv(
    self: Any, names: Language | None = None, only: tuple[str, str] | None = None
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    several = len(self.tables) > 1
    header: list[str] = ["table"] if several else []
    for dim in self.by:
        header += [dim, dim + NAME_SUFFIX] if names and dim in COUNTRY_COLUMNS else [dim]
    writer.writerow([*header, "n"])
    for table in self.tables:
        cells = table.cells()
        if only is not None and only[0] in table.by:
            cells = cells.filter(pl.col(only[0]) == only[1])
        for row in cells.iter_rows(named=True):
            values: list[object] = [table.name] if several else []
            for dim in self.by:
                values.append(row[dim])
                if names and dim in COUNTRY_COLUMNS:
                    values.append(labels.cell_country_name(row[dim], names))
            writer.writerow([*values, row["n"]])
    return out.getvalue()


def _json_cell(
    row: dict[str, object], by: tuple[str, ...], names: Language | None
) -> dict[str, object]:
    cell: dict[str, object] = {}
    for d in by:
        value = row[d]
        cell[d] = int(value) if d == YEAR and isinstance(value, str) and value.isdigit() else value
        if names is not None and d in COUNTRY_COLUMNS:
            cell[d + NAME_SUFFIX] = labels.cell_country_name(value, names)
    cell.update(n=row["shown"], display=row["n"], status=row["status"])
    return cell


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def estimates_json(
    table: pl.DataFrame, meta: dict[str, Any], profile: str, simulated: bool, lines: list[str]
) -> str:
    dates = [c for c, d in table.schema.items() if d == pl.Date]
    rows = table.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).to_dicts()
    data = {**meta, "profile": profile, "simulated": simulated, "notes": lines, "rows": rows}
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def estimates_csv(table: pl.DataFrame) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.iter_rows():
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return out.getvalue()


def _csv_value(value: object) -> object:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return value


def cells_json(answer: Any, only: tuple[str, str] | None = None) -> list[dict[str, object]]:
    frame = answer.cells()
    if only is not None:
        frame = frame.filter(pl.col(only[0]) == only[1])
    return [
        {
            **{d: row[d] for d in answer.by},
            "n": row["shown"],
            "display": row["n"],
            "status": row["status"],
        }
        for row in frame.iter_rows(named=True)
    ]


def instrument_json(item: Any) -> dict[str, object]:
    return {
        "instrument_id": item.instrument_id,
        "country": item.country,
        "kind": item.kind.value,
        "level": item.level.value,
        "status": item.status.value,
        "start_on": item.start_on.isoformat(),
        "end_on": item.end_on.isoformat() if item.end_on else None,
        "title": item.title,
        "source": item.source,
    }


def frame_rows(frame: Any) -> list[dict[str, Any]]:
    """``web/api.py``'s ``_rows``."""
    return [
        {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]

"""Valid datasets of every shape CONTRACT.md allows, with awkward text, for property tests."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import strategies as st

from retour.domain import codes
from retour.domain.codes import Table
from retour.domain.dataset import Dataset, DatasetMeta, polars_schema
from retour.domain.tables import SPECS

EXTRACTED = dt.date(2024, 1, 1)
FIRST = dt.date(2015, 1, 1)
COUNTRIES = ["MA", "NG", "SO", "GM", "MN", "AF", "IQ", "ET", "SN", "BD", "STLS", "UNK", "XK"]

# Text that CSV must quote, and unicode; never empty (empty means unknown).
awkward_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s or "," in s)
ids = st.text(alphabet="ABCXYZ0123456789-_,\"' é", min_size=1, max_size=12)


def dates(low: dt.date = FIRST, high: dt.date = EXTRACTED) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=low, max_value=high)


def _frame(table: Table, rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=polars_schema(SPECS[table]), orient="row")


@st.composite
def case_rows(draw: st.DrawFn) -> list[dict[str, object]]:
    case_ids = draw(st.lists(ids, min_size=1, max_size=8, unique=True))
    rows = []
    for case_id in case_ids:
        opened = draw(dates(FIRST, dt.date(2023, 6, 1)))
        closed = draw(st.none() | dates(opened))
        rows.append(
            {
                "case_id": case_id,
                "nationality": draw(st.sampled_from(COUNTRIES)),
                "opened_on": opened,
                "sex": draw(st.none() | st.sampled_from([s.value for s in codes.Sex])),
                "birth_year": draw(st.none() | st.integers(1900, 2010)),
                "closed_on": closed,
                "close_reason": None
                if closed is None
                else draw(st.sampled_from([r.value for r in codes.CloseReason])),
            }
        )
    return rows


@st.composite
def request_row(draw: st.DrawFn, request_id: str, case: dict[str, object]) -> dict[str, object]:
    submitted = draw(dates(FIRST))
    outcome = draw(st.sampled_from(list(codes.Outcome)))
    outcome_on = None if outcome is codes.Outcome.PENDING else draw(dates(submitted))
    refused = outcome in (codes.Outcome.NEGATIVE, codes.Outcome.WITHDRAWN)
    reason = draw(st.sampled_from([r.value for r in codes.RequestReason])) if refused else None
    document = None
    if outcome is codes.Outcome.POSITIVE and outcome_on is not None and draw(st.booleans()):
        document = draw(dates(outcome_on))
    return {
        "request_id": request_id,
        "case_id": case["case_id"],
        "kind": draw(st.sampled_from([k.value for k in codes.RequestKind])),
        "country": draw(st.sampled_from(COUNTRIES)),
        "submitted_on": submitted,
        "id_evidence": draw(st.sampled_from([e.value for e in codes.IdEvidence])),
        "alien_cooperates": draw(st.sampled_from([c.value for c in codes.Cooperates])),
        "outcome": outcome.value,
        "outcome_on": outcome_on,
        "reason": reason,
        "document_on": document,
    }


@st.composite
def detention_rows(draw: st.DrawFn, cases: list[dict[str, object]]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for case in cases:
        points = sorted(draw(st.lists(dates(FIRST), max_size=4, unique=True)))
        for i in range(0, len(points) - 1, 2):
            rows.append(
                {
                    "detention_id": f"D{len(rows)}",
                    "case_id": case["case_id"],
                    "started_on": points[i],
                    "ended_on": points[i + 1],
                    "end_reason": draw(
                        st.sampled_from([r.value for r in codes.DetentionEndReason])
                    ),
                }
            )
        if len(points) % 2 and draw(st.booleans()):
            rows.append(
                {"detention_id": f"D{len(rows)}", "case_id": case["case_id"],
                 "started_on": points[-1], "ended_on": None, "end_reason": None}
            )  # fmt: skip
    return rows


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    cases = draw(case_rows())
    request_ids = draw(st.lists(ids, max_size=10, unique=True))
    requests = [draw(request_row(rid, draw(st.sampled_from(cases)))) for rid in request_ids]
    departures = []
    for i, case in enumerate(draw(st.lists(st.sampled_from(cases), max_size=4))):
        departures.append(
            {
                "departure_id": f"P{i}",
                "case_id": case["case_id"],
                "departed_on": draw(dates(case["opened_on"])),  # type: ignore[arg-type]
                "type": draw(st.sampled_from([t.value for t in codes.DepartureType])),
                "destination": draw(st.none() | st.sampled_from(COUNTRIES)),
                "assisted": draw(st.none() | st.sampled_from([y.value for y in codes.YesNo])),
            }
        )
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(cases), st.sampled_from(list(codes.Condition)), dates()),
            max_size=10,
            unique_by=lambda k: (k[0]["case_id"], k[1], k[2]),
        )
    )
    conditions = [
        {"case_id": c["case_id"], "observed_on": d, "condition": cond.value,
         "state": draw(st.sampled_from([s.value for s in codes.ConditionState]))}
        for c, cond, d in keys
    ]  # fmt: skip
    instruments = []
    for i in range(draw(st.integers(0, 3))):
        start = draw(dates())
        instruments.append(
            {
                "instrument_id": f"I{i}",
                "country": draw(st.sampled_from(COUNTRIES)),
                "kind": draw(st.sampled_from([k.value for k in codes.InstrumentKind])),
                "level": draw(st.sampled_from([v.value for v in codes.InstrumentLevel])),
                "status": draw(st.sampled_from([v.value for v in codes.InstrumentStatus])),
                "start_on": start,
                "end_on": draw(st.none() | dates(start)),
                "title": draw(awkward_text),
                "source": draw(st.none() | awkward_text),
            }
        )
    assessed = draw(
        st.lists(st.tuples(st.sampled_from(COUNTRIES), dates()), max_size=3, unique=True)
    )
    assessments = [
        {"country": c, "assessed_on": d, "level": draw(st.integers(1, 5)),
         "note": draw(st.none() | awkward_text)}
        for c, d in assessed
    ]  # fmt: skip
    tables = {
        Table.CASES: _frame(Table.CASES, cases),
        Table.REQUESTS: _frame(Table.REQUESTS, requests),
        Table.DETENTIONS: _frame(Table.DETENTIONS, draw(detention_rows(cases))),
        Table.DEPARTURES: _frame(Table.DEPARTURES, departures),
        Table.CONDITIONS: _frame(Table.CONDITIONS, conditions),
        Table.INSTRUMENTS: _frame(Table.INSTRUMENTS, instruments),
        Table.ASSESSMENTS: _frame(Table.ASSESSMENTS, assessments),
    }
    source = draw(st.sampled_from(["generated", "simulated", "case system, extract"]))
    return Dataset(tables, DatasetMeta(source=source, extracted_on=EXTRACTED))

"""A property of recording: any sequence of recordings and corrections, exported and imported
into an empty database, gives the same export; a recording the rules refuse leaves the
export as it was. The values are drawn freely, valid or not: the rules decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from retour.domain.codes import Condition, ConditionState, Outcome, RequestReason
from retour.domain.dataset import Dataset
from retour.exchange import write_dataset
from retour.service import datasets
from retour.service.audit import Actor, Via
from retour.service.context import Retour
from retour.service.records import RecordRefusedError, RecordTable, correct_row, read_row
from retour.service.records import record_row as record
from retour.store import read as store_read

from .conftest import EXTRACTED, write_extract

ACTOR = Actor("caseworker", Via.API, "caseworker")
DAYS = st.one_of(st.none(), st.integers(min_value=-30, max_value=500))


def _day(offset: int | None) -> str | None:
    return None if offset is None else (dt.date(2023, 3, 1) + dt.timedelta(offset)).isoformat()


def _answer() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "outcome": st.sampled_from([o.value for o in Outcome]),
            "outcome_on": DAYS.map(_day),
            "reason": st.one_of(st.none(), st.sampled_from([r.value for r in RequestReason])),
            "document_on": DAYS.map(_day),
        }
    )


@st.composite
def _valid_answer(draw: st.DrawFn) -> dict[str, Any]:
    """An answer the rules take: the outcome's dates and reason as the format wants them."""
    outcome = draw(st.sampled_from([o.value for o in Outcome]))
    if outcome == Outcome.PENDING.value:
        return {"outcome": outcome, "outcome_on": None, "reason": None, "document_on": None}
    answered = draw(st.integers(0, 300))
    reason = draw(st.sampled_from([r.value for r in RequestReason]))
    document = draw(st.one_of(st.none(), st.integers(answered, 400)))
    positive = outcome == Outcome.POSITIVE.value
    return {
        "outcome": outcome,
        "outcome_on": _day(answered),
        "reason": None if positive else reason,
        "document_on": _day(document) if positive else None,
    }


ANSWERS = st.one_of(_valid_answer(), _answer())
NEW_REQUEST = st.tuples(st.just("request"), st.integers(0, 3), ANSWERS)
CORRECTION = st.tuples(st.just("correct"), st.sampled_from(["R1", "R2"]), ANSWERS)
OBSERVATION = st.tuples(
    st.just("condition"),
    st.integers(0, 400),
    st.fixed_dictionaries(
        {
            "condition": st.sampled_from([c.value for c in Condition]),
            "state": st.sampled_from([s.value for s in ConditionState]),
        }
    ),
)
STEPS = st.lists(st.one_of(NEW_REQUEST, CORRECTION, OBSERVATION), min_size=1, max_size=6)


def _apply(app: Retour, step: tuple[str, Any, dict[str, Any]]) -> None:
    kind, which, values = step
    if kind == "request":
        row = {"request_id": f"N{which}", "case_id": "C1", "kind": "LP", "country": "MA",
               "submitted_on": "2023-03-01", "id_evidence": "document",
               "alien_cooperates": "yes", **values}  # fmt: skip
        record(app, RecordTable.REQUESTS, row, ACTOR)
    elif kind == "correct":
        tag = read_row(app, RecordTable.REQUESTS, which).etag
        correct_row(app, RecordTable.REQUESTS, which, values, tag, ACTOR)
    else:
        row = {"case_id": "C2", "observed_on": _day(which), **values}
        record(app, RecordTable.CONDITIONS, row, ACTOR)


def _tables(app: Retour) -> Dataset:
    return store_read.read_dataset(app.database())


def _same(a: Dataset, b: Dataset) -> bool:
    return all(a[t].equals(b[t]) for t in a.tables)


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_recordings_export_and_import_to_the_same_data(
    steps: list[tuple[str, Any, dict[str, Any]]],
    record_env: str,
    fresh_database: Callable[[], str],
    tmp_path_factory: Any,
) -> None:
    root: Path = tmp_path_factory.mktemp("property")
    with Retour.from_environment(db=fresh_database()) as app:
        datasets.import_dataset(app, write_extract(root / "extract"), today=EXTRACTED)
        for step in steps:
            before = _tables(app)
            try:
                _apply(app, step)
                event("recorded")
            except RecordRefusedError:
                event("refused")
                assert _same(_tables(app), before), step
            except Exception as exc:  # a 409 (a new request's id taken) changes nothing too
                assert type(exc).__name__ == "AlreadyStoredError", exc
                assert _same(_tables(app), before), step
        exported = _tables(app)
        write_dataset(exported, root / "export")
    with Retour.from_environment(db=fresh_database()) as again:
        datasets.import_dataset(again, root / "export")
        assert _same(_tables(again), exported)

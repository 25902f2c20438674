"""`retour case`: the traffic lights, requests, detentions, departures and blockers as they
stood on a date; the prospect with its inputs; the audit log; and errors that say nothing
about anyone."""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import json
from pathlib import Path

import polars as pl
import pytest

from retour.config import load_settings
from retour.domain.codes import Table
from retour.domain.dataset import Dataset
from retour.domain.errors import NotFoundError, UsageError
from retour.reports.case import case_html
from retour.service import audit
from retour.service import cases as case_service
from retour.service.context import Retour
from retour.service.simulation import simulate

from . import data
from .conftest import import_into, run

D = dt.date


def _with_history() -> Dataset:
    """The tiny dataset and, for case A, requests and a detention around 2023-06-30."""
    tiny = data.tiny()
    requests = [
        {"request_id": "R1", "case_id": "A", "kind": "LP", "country": "MA",
         "submitted_on": D(2023, 2, 1), "id_evidence": "indirect", "alien_cooperates": "yes",
         "outcome": "positive", "outcome_on": D(2023, 3, 3), "reason": None,
         "document_on": D(2023, 7, 10)},
        {"request_id": "R2", "case_id": "A", "kind": "TO", "country": "MA",
         "submitted_on": D(2023, 6, 1), "id_evidence": "document", "alien_cooperates": "no",
         "outcome": "negative", "outcome_on": D(2023, 8, 1), "reason": "other",
         "document_on": None},
    ]  # fmt: skip
    detentions = [
        {"detention_id": "B1", "case_id": "A", "started_on": D(2023, 6, 20),
         "ended_on": D(2023, 7, 20), "end_reason": "no_prospect"},
    ]  # fmt: skip
    return Dataset(
        {
            **tiny.tables,
            Table.REQUESTS: data.frame(Table.REQUESTS, requests),
            Table.DETENTIONS: data.frame(Table.DETENTIONS, detentions),
        },
        tiny.meta,
    )


@pytest.fixture
def small(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    import_into(database_url, _with_history(), tmp_path)
    monkeypatch.setenv("RETOUR_DB", database_url)
    return database_url


def test_the_case_as_it_stood(small: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "case", "A", "--on", "2023-06-30", "--lang", "en")
    assert code == 0, err
    assert "Case A — as on 2023-06-30" in out
    assert "Morocco (MA)" in out and "opened: 2023-01-01" in out
    lines = out.splitlines()
    removable = next(x for x in lines if x.strip().startswith("legally removable"))
    assert "red" in removable and "since 2023-06-30" in removable
    identity = next(x for x in lines if x.strip().startswith("identity established"))
    assert "green" in identity and "since 2023-01-01" in identity
    blocks = lines[lines.index("What blocks departure now") + 1]
    assert blocks.strip() == "legally removable: red since 2023-06-30"
    r1 = next(x for x in lines if "R1" in x)
    assert "positive" in r1 and "2023-03-03, 30 days" in r1 and "document" not in r1.split("→")[1]
    r2 = next(x for x in lines if "R2" in x)
    assert "still pending" in r2 and "29 days so far" in r2 and "negative" not in r2
    b1 = next(x for x in lines if "B1" in x)
    assert "still detained" in b1 and "10 days" in b1
    assert "No estimate: too few past cases" in out
    assert "Decision support, not a decision" in out
    assert "This view is recorded in the audit log." in out
    assert "1990" not in out  # the birth year is never read


def test_a_day_earlier_all_green(small: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "case", "A", "--on", "2023-06-29", "--lang", "en")
    assert code == 0
    assert "None of the five conditions: all five green since 2023-01-01." in out
    assert "B1" in out and "R2" in out


def test_later_the_answers_are_in(small: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "case", "A", "--on", "2023-12-31", "--lang", "en")
    assert code == 0
    r1 = next(x for x in out.splitlines() if "R1" in x)
    assert "document 2023-07-10" in r1
    b1 = next(x for x in out.splitlines() if "B1" in x)
    assert "2023-07-20 (no prospect of removal), 30 days" in b1


def test_a_closed_case(small: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "case", "B", "--on", "2023-06-30", "--lang", "en")
    assert code == 0
    assert "closed 2023-06-30" in out
    assert "The case is not open on this date." in out
    assert "None: the case is not open." in out
    assert "V1 2023-06-30 forced → MA" in out


def test_never_observed_conditions(small: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "case", "C", "--on", "2023-06-30", "--lang", "en")
    assert code == 0
    assert out.count("never observed") == 10  # five lights, five blockers


def test_json_has_no_personal_attributes(small: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "case", "A", "--on", "2023-06-30", "--format", "json")
    assert code == 0
    view = json.loads(out)
    assert view["blockers"] == ["removable"]
    assert [r["outcome"] for r in view["requests"]] == ["positive", "pending"]
    assert view["prospect"]["status"] == "too_little_data"

    def keys(value: object) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    assert not {"sex", "birth_year", "age"} & keys(view)
    assert "1990" not in out


def test_every_view_is_in_the_audit_log(small: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "case", "A", "--on", "2023-06-30")[0] == 0
    assert run(capsys, "case", "B")[0] == 0
    with Retour(settings=load_settings(), db_override=small) as app:
        entries = audit.read_log(app, action=audit.AuditAction.VIEW_CASE)
    assert [e.subject for e in entries] == ["B", "A"]
    latest, first = entries
    assert first.actor == getpass.getuser() and first.via == "cli"
    assert first.detail == {
        "on": "2023-06-30", "prospect": "too_little_data", "model": "prospect-2",
    }  # fmt: skip
    assert latest.detail["on"] == data.EXTRACTED.isoformat()
    assert latest.detail["prospect"] == "not_open"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["V123456789"], "No case with that case id"),
        (["  "], "No case with that case id"),
        (["A", "--on", "2030-01-01"], "lies after the data"),
        (["A", "--on", "2022-12-31"], "not yet open"),
        (["A", "--on", "yesterday"], "Cannot read the date"),
        (["A", "--lang", "fr"], "Unknown language"),
    ],
)
def test_errors_say_nothing_about_anyone(
    small: str, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code, out, err = run(capsys, "case", *args)
    assert code == 2, err
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "V123456789" not in out + err
    with Retour(settings=load_settings(), db_override=small) as app:
        assert audit.read_log(app, action=audit.AuditAction.VIEW_CASE) == []


def test_the_html_fragment_escapes(small: str) -> None:
    with Retour(settings=load_settings(), db_override=small) as app:
        view = case_service.case_view(app, "A", "2023-06-30", actor="someone", via="web")
    evil = dataclasses.replace(view, case_id="<script>alert(1)</script>")
    fragment = case_html(evil, "nl")
    assert "<script>" not in fragment and "&lt;script&gt;" in fragment
    assert fragment.startswith('<section class="case"')


# -- an estimated prospect on simulated data ---------------------------------------------------


@pytest.fixture
def simulated_db(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, list[str]]:
    folder = tmp_path / "sim"
    simulate("nl", (2021, 2023), 5, folder, scale=0.06)
    from .conftest import load

    load(database_url, folder, tmp_path / "exported")
    monkeypatch.setenv("RETOUR_DB", database_url)
    cases = pl.read_csv(folder / "cases.csv", infer_schema=False)
    open_ids = cases.filter(pl.col("closed_on").is_null())["case_id"].head(3).to_list()
    return database_url, open_ids


def test_an_estimated_prospect(
    simulated_db: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, open_ids = simulated_db
    code, out, err = run(capsys, "case", open_ids[0], "--format", "json")
    assert code == 0, err
    prospect = json.loads(out)["prospect"]
    assert prospect["status"] == "estimated"
    assert [e["months"] for e in prospect["estimates"]] == [3, 6]
    for e in prospect["estimates"]:
        assert 0 <= e["low"] <= e["probability"] <= e["high"] <= 1
    assert prospect["estimates"][0]["probability"] <= prospect["estimates"][1]["probability"]
    assert set(prospect["inputs"]) == {
        "country", "evidence", "cooperation", "removable", "country_cooperates", "identity",
        "available", "alien_cooperates", "time_open",
    }  # fmt: skip
    assert prospect["comparable"]["cases"] >= 0
    code, text, _ = run(capsys, "case", open_ids[1], "--lang", "en")
    assert code == 0
    assert "within 3 months:" in text and "90% interval" in text
    assert "Comparable past cases:" in text and "nothing else (no sex, age or detention)" in text
    with Retour(settings=load_settings(), db_override=url) as app:
        entries = audit.read_log(app, action=audit.AuditAction.VIEW_CASE)
    assert [e.subject for e in entries] == open_ids[1::-1]
    detail = entries[-1].detail
    p, low, high = (float(v) for v in str(detail["three_months"]).split(":"))
    assert low <= p <= high
    assert p == pytest.approx(prospect["estimates"][0]["probability"], abs=1e-4)
    assert isinstance(detail["comparable"], int)


def test_an_unknown_case_is_not_found_and_a_bad_date_is_not(small: str) -> None:
    """The web answers the first with 404 and the second with the message: one type each."""
    with Retour(settings=load_settings(), db_override=small) as app:
        with pytest.raises(NotFoundError):
            case_service.case_view(app, "V123456789", actor="someone", via="web")
        with pytest.raises(UsageError) as bad_date:
            case_service.case_view(app, "A", "2030-01-01", actor="someone", via="web")
    assert not isinstance(bad_date.value, NotFoundError)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_case_view_speaks_one_language(
    small: str, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    """Every text of the case view comes from the catalog in the language asked for: none
    of the other language's texts, in the text lines nor in the web's fragment."""
    from ..language import foreign_texts

    code, out, err = run(capsys, "case", "A", "--on", "2023-06-30", "--lang", lang)
    assert code == 0, err
    assert foreign_texts(out, lang) == []  # type: ignore[arg-type]
    app = Retour(settings=load_settings())
    with app:
        view = case_service.case_view(app, "A", on=D(2023, 6, 30), actor="test")
    fragment = case_html(view, lang)  # type: ignore[arg-type]
    assert foreign_texts(fragment, lang) == []  # type: ignore[arg-type]
    wanted = "Wat vertrek nu blokkeert" if lang == "nl" else "What blocks departure now"
    assert wanted in out and wanted in fragment

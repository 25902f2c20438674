"""One CSV and one JSON renderer (retour.reports.tabular, retour.reports.models) give what
the writers they replace gave: byte for byte for the command line's CSV and JSON (the old
writers are copied in tests/figures/legacy.py as the reference), the same parsed JSON for
the API's cells, where a year is now a number as in every other figures document."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from retour.config import load_settings
from retour.disclosure import Language, Profile
from retour.domain.codes import InstrumentKind, InstrumentLevel, InstrumentStatus
from retour.reports import models
from retour.reports.tabular import csv_text, json_text
from retour.service import cooperation, figures
from retour.service.context import Retour
from retour.service.instruments import Instrument

from ..loading import Loaded
from . import legacy

QUESTIONS = [
    pytest.param("requests", None, None, id="requests-default"),
    pytest.param("requests", "country,year,outcome", None, id="requests-country-year"),
    pytest.param(
        "requests", "country,reason,outcome", ("country", "MA"), id="requests-one-country"
    ),
    pytest.param("requests", "year", None, id="requests-list"),
    pytest.param("detentions", "year,nationality,end_reason", None, id="detentions-two-tables"),
    pytest.param("departures", "nationality,year", ("nationality", "NG"), id="departures"),
]


@pytest.fixture
def context(loaded: Loaded) -> Iterator[Retour]:
    with Retour(settings=load_settings(), db_override=loaded.url) as found:
        yield found


def _answer(context: Retour, subject: str, by: str | None, profile: Profile) -> figures.Figures:
    ask = {
        "requests": figures.request_figures,
        "detentions": figures.detention_figures,
        "departures": figures.departure_figures,
    }[subject]
    return ask(context, by=by, profile=profile)


@pytest.mark.parametrize("profile", list(Profile), ids=str)
@pytest.mark.parametrize(("subject", "by", "only"), QUESTIONS)
def test_figures_csv_and_json_are_as_before(
    context: Retour,
    subject: str,
    by: str | None,
    only: tuple[str, str] | None,
    profile: Profile,
) -> None:
    answer = _answer(context, subject, by, profile)
    langs: list[tuple[Language, Language | None]] = [("nl", None), ("en", "en"), ("nl", "nl")]
    for lang, names in langs:
        new_csv = csv_text(answer, names=names, only=only)
        assert new_csv == legacy.figures_csv(answer, names, only)
        assert new_csv.count("\n") > 1
        new_json = json_text(models.figures_document(answer, lang, names))
        assert new_json == legacy.figures_json(answer, lang, names)


@pytest.mark.parametrize(("subject", "by", "only"), QUESTIONS)
def test_the_api_cells_are_as_before_with_years_as_numbers(
    context: Retour, subject: str, by: str | None, only: tuple[str, str] | None
) -> None:
    for table in _answer(context, subject, by, Profile.PUBLIC).tables:
        new = [c.model_dump(mode="json") for c in models.figure_cells(table, only=only)]
        old = legacy.cells_json(table, only)
        for cell in old:
            if "year" in cell and str(cell["year"]).isdigit():
                cell["year"] = int(str(cell["year"]))
        assert new == old
        assert new


def test_an_instrument_is_as_before() -> None:
    items = [
        Instrument(
            "I-1", "MA", InstrumentKind("visa_measure"), InstrumentLevel("eu"),
            InstrumentStatus("in_force"), dt.date(2021, 3, 1), None, "Maatregel één", None,
        ),
        Instrument(
            "I-2", "NG", next(iter(InstrumentKind)), next(iter(InstrumentLevel)),
            next(iter(InstrumentStatus)), dt.date(2019, 1, 1), dt.date(2020, 6, 30), "T", "S",
        ),
    ]  # fmt: skip
    document = models.instruments_document(items)
    assert json.loads(json_text(document)) == {
        "instruments": [legacy.instrument_json(i) for i in items]
    }


@pytest.mark.parametrize("profile", [Profile.PUBLIC, Profile.INTERNAL], ids=str)
def test_estimates_csv_and_json_are_as_before(simulated_db: Loaded, profile: Profile) -> None:
    with Retour(settings=load_settings()) as context:
        assessed = cooperation.assess_period(context, "2017", profile=profile)
        times = cooperation.answer_time_table(context, profile=profile)
        effects = cooperation.effects_of_instruments(context, profile=profile)
    cases: list[tuple[Any, dict[str, Any]]] = [
        (assessed, {"period": assessed.period.label, "kind": assessed.kind,
                    "as_of": assessed.as_of.isoformat(), "level": assessed.level}),
        (times, {"as_of": times.as_of.isoformat(), "by": "year"}),
        (effects, {"as_of": effects.as_of.isoformat(), "level": effects.level}),
    ]  # fmt: skip
    for result, meta in cases:
        published = result.published
        assert csv_text(published) == legacy.estimates_csv(result.table)
        for lang in ("nl", "en"):
            lines = models.notes_lines(published, lang)
            old = legacy.estimates_json(
                result.table, meta, profile.value, result.origin.simulated, lines
            )
            assert json_text(models.estimates_document(published, lang, **meta)) == old
    assert assessed.table.height > 0 and times.table.height > 0

"""`mapping draft`: it recognises a source-style export of simulated data without help, and
marks, comments out and counts what it cannot place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from retour.domain.codes import Table
from retour.domain.dataset import Dataset
from retour.exchange import load, load_mapped, parse_mapping
from retour.exchange.draft import draft_mapping
from retour.exchange.source_style import SourceStyle, write_source
from retour.exchange.writer import canonical_frame
from retour.service.simulation import simulate

TODAY = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = tmp_path_factory.mktemp("sim")
    simulate("nl", (2021, 2022), 5, folder, scale=0.05, placebos=1)
    return load(folder, today=TODAY)


@pytest.mark.parametrize(
    "style",
    [
        pytest.param(SourceStyle(), id="nl-tables"),
        pytest.param(SourceStyle(flat=True), id="nl-flat-register"),
        pytest.param(SourceStyle(language="en", delimiter=",", countries="alpha-3"), id="en"),
        pytest.param(SourceStyle(workbook=True, flat=True), id="nl-workbook-blad1"),
    ],
)
def test_the_draft_recognises_every_column_and_value(
    simulated: Dataset, tmp_path: Path, style: SourceStyle
) -> None:
    path = tmp_path / ("export.xlsx" if style.workbook else "export")
    write_source(simulated, path, style)
    draft = draft_mapping(path)
    assert (draft.missing, draft.absent, draft.unsure, draft.unknown) == ([], [], [], [])
    assert set(draft.feeds) == set(Table), "every table, retour/2's terms and statuses too"
    assert "# TODO" not in draft.text and "CHECK:" not in draft.text
    dataset = load_mapped(path, parse_mapping(draft.text), today=TODAY)
    # the draft cannot know the source's name or extraction date: those the user fills in
    for table in dataset.tables:
        assert canonical_frame(dataset, table).equals(canonical_frame(simulated, table)), table


def test_the_draft_marks_what_it_cannot_place(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "Verzoeken.csv").write_text(
        "Zaaknummer;Nationaliteit;Datum instroom;Verzoeknummer;Soort verzoek;Land;Datum indiening;"
        "Antwoord;Gesprek;Behandelaar\n"
        "Z1;Marokko;01-02-2021;V1;LP;Marokko;03-02-2021;Positief antwoordd;ja;A\n"
        "Z1;Marokko;01-02-2021;V2;LP;Marokko;04-02-2021;Misschien;nee;A\n",
        encoding="cp1252",
    )
    draft = draft_mapping(tmp_path / "src")
    text = draft.text
    assert '"Positief antwoordd" = "positive"  # CHECK: unsure' in text
    assert '# "Misschien" = ""  # TODO: not recognised; one of: pending, positive' in text
    assert '# id_evidence = ""  # TODO (required): not found; candidates:' in text
    assert draft.unsure == ["requests.outcome: Positief antwoordd"]
    assert draft.unknown == ["requests.outcome: Misschien"]
    assert {"requests.id_evidence", "requests.alien_cooperates"} <= set(draft.missing)
    assert 'date_format = "%d-%m-%Y"  # detected' in text
    assert 'encoding = "utf-8"' in text and 'delimiter = ";"' in text
    parse_mapping(text)  # a draft is a valid mapping file, its gaps commented out


def test_an_ambiguous_date_format_is_marked(tmp_path: Path) -> None:
    (tmp_path / "Zaken.csv").write_text(
        "Zaaknummer,Nationaliteit,Datum instroom\nZ1,MA,01/02/2021\nZ2,MA,03/04/2021\n"
    )
    draft = draft_mapping(tmp_path / "Zaken.csv")
    assert 'date_format = "%d/%m/%Y"  # CHECK: the dates could also be MM/DD/YYYY' in draft.text
    assert draft.unsure == ["read.date_format"]
    assert 'countries = "codes"' in draft.text


def test_headers_match_without_regard_to_case_accents_or_language(tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_text(
        "CASE NUMBER,NATIONALITÉIT,Opened On,V-NUMMER\nZ1,MA,2021-01-02,\n"
    )
    draft = draft_mapping(tmp_path)
    assert 'case_id = "CASE NUMBER"' in draft.text and 'opened_on = "Opened On"' in draft.text
    assert 'nationality = "NATIONALITÉIT"' in draft.text
    assert "v_number" not in draft.text.split("[tables.cases.columns]")[1].split("\n[")[0]


def test_a_dataset_in_the_exchange_format_drafts_to_itself(tmp_path: Path) -> None:
    from ..exchange.conftest import VALID, write_folder

    folder = write_folder(tmp_path / "exchange", VALID)
    draft = draft_mapping(folder)
    assert (draft.missing, draft.absent, draft.unsure, draft.unknown) == ([], [], [], [])
    direct = load(folder, today=TODAY)
    mapped = load_mapped(folder, parse_mapping(draft.text), today=TODAY)
    for table in direct.tables:
        assert canonical_frame(mapped, table).equals(canonical_frame(direct, table)), table

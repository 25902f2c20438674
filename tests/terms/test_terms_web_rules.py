"""Terms entered on the web (service.instruments.add_term) are checked by exactly the rules
of an imported terms.csv: the same row refused on the web and in an import gives the same
violations; a refusal writes nothing; an accepted term is stored with its audit entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from retour.exchange import InvalidDatasetError
from retour.service import audit, datasets, instruments
from retour.service.context import Retour

from ..web.conftest import retour_app, web_env  # noqa: F401 - fixtures used by name
from .fixture import V2, with_line, write

TODAY = dt.date(2024, 7, 1)


@pytest.fixture
def imported(retour_app: Retour, tmp_path: Path) -> Retour:  # noqa: F811
    datasets.import_dataset(retour_app, write(tmp_path / "data", V2), today=TODAY)
    return retour_app


def _form(line: str) -> instruments.TermForm:
    _id, instrument, kind, reply, count, deemed, document = line.split(",")
    return instruments.TermForm(instrument, kind, reply, count, deemed, document)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("T-X,A-PK,TO,20,working,no,", id="overlaps-a-stored-term"),
        pytest.param("T-X,V-MA,LP,10,calendar,no,", id="a-visa-measure"),
        pytest.param("T-X,NOPE,LP,10,calendar,no,", id="no-such-instrument"),
        pytest.param("T-X,A-GE,XX,0,weekly,maybe,999", id="bad-values"),
        pytest.param("T-X,A-GE,LP,,,,", id="missing-values"),
    ],
)
def test_a_refusal_on_the_web_is_the_imports_own(
    imported: Retour, tmp_path: Path, line: str
) -> None:
    with pytest.raises(InvalidDatasetError) as web:
        instruments.add_term(imported, _form(line), actor="analyst")
    again = with_line(V2, "terms.csv", line)
    with pytest.raises(InvalidDatasetError) as imported_file:
        datasets.import_dataset(imported, write(tmp_path / "again", again), today=TODAY)
    from_file = {v for v in imported_file.value.violations if v.file == "terms.csv"}
    assert {(v.column, v.value) for v in web.value.violations if v.column != "term_id"} == {
        (v.column, v.value) for v in from_file if v.column != "term_id"
    }
    messages = {v.message for v in from_file}
    for v in web.value.violations:
        if v.column != "term_id":
            assert v.message in messages
    if "overlaps" in line or "A-PK" in line:
        (overlap,) = [v for v in web.value.violations if v.column == "term_id"]
        assert "the stored term T-PK-TO" in overlap.message and "PK TO" in overlap.message
        assert overlap.value is not None and overlap.value.startswith("web-term-")


def test_a_refusal_writes_nothing_and_an_acceptance_is_audited(imported: Retour) -> None:
    stored = instruments.list_terms(imported)
    log = audit.read_log(imported, limit=1000)
    with pytest.raises(InvalidDatasetError):
        instruments.add_term(imported, _form("T,A-PK,TO,20,working,no,"), actor="analyst")
    assert instruments.list_terms(imported) == stored
    assert audit.read_log(imported, limit=1000) == log
    change = instruments.add_term(
        imported, _form("T,A-GE,LP,5,working,yes,3"), actor="analyst", role="analyst"
    )
    assert change.term in instruments.list_terms(imported)
    assert len(instruments.list_terms(imported)) == len(stored) + 1
    entry = audit.read_log(imported, limit=1)[0]
    assert (entry.action, entry.subject, entry.detail["instrument"]) == (
        "term_added", change.term.term_id, "A-GE",
    )  # fmt: skip
    # the second term for Georgia's LP requests now overlaps the first
    with pytest.raises(InvalidDatasetError) as again:
        instruments.add_term(imported, _form("T,A-GE,LP,9,calendar,no,"), actor="analyst")
    assert change.term.term_id in str(again.value.violations[0].message)

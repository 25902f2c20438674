"""retour/2: terms.csv and country_status.csv, their rules, and retour/1 files as before."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from retour.domain.codes import Table
from retour.exchange import InvalidDatasetError, Reason, load

from ..exchange.conftest import VALID
from ..process import retour
from .fixture import V2, Files, with_line, without, write

TODAY = dt.date(2024, 7, 1)
TERMS = "terms.csv"
STATUS = "country_status.csv"


def _violations(tmp_path: Path, files: Files) -> list[tuple[str, int | None, str | None, Reason]]:
    with pytest.raises(InvalidDatasetError) as caught:
        load(write(tmp_path / "in", files), today=TODAY)
    return [(v.file, v.line, v.column, v.reason) for v in caught.value.violations]


def test_a_retour_2_dataset_is_read_with_its_terms_and_statuses(tmp_path: Path) -> None:
    dataset = load(write(tmp_path, V2), today=TODAY)
    assert dataset.meta.format == "retour/2"
    terms = dataset[Table.TERMS]
    assert terms.height == 4
    assert terms.filter(terms["term_id"] == "T-PK-TO").row(0, named=True) == {
        "term_id": "T-PK-TO", "instrument_id": "A-PK", "request_kind": "TO", "reply_days": 30,
        "day_count": "calendar", "deemed_accepted": "yes", "document_days": 30,
    }  # fmt: skip
    assert dataset[Table.COUNTRY_STATUS]["request_kind"].to_list() == ["LP", None]


def test_a_retour_1_dataset_stays_valid(tmp_path: Path) -> None:
    dataset = load(write(tmp_path, VALID), today=TODAY)
    assert dataset.meta.format == "retour/1"
    assert dataset[Table.TERMS].is_empty() and dataset[Table.COUNTRY_STATUS].is_empty()


def test_terms_without_a_format_line_make_the_dataset_retour_2(tmp_path: Path) -> None:
    files = {**V2, "dataset.json": json.dumps({"extracted_on": "2024-06-28"})}
    assert load(write(tmp_path, files), today=TODAY).meta.format == "retour/2"


BAD = [
    pytest.param(with_line(V2, TERMS, "T9,NOPE,TO,30,calendar,no,"),
                 (TERMS, 6, "instrument_id", Reason.UNKNOWN_INSTRUMENT), id="unknown-instrument"),
    pytest.param(with_line(V2, TERMS, "T9,V-MA,TO,30,calendar,no,"),
                 (TERMS, 6, "instrument_id", Reason.INCONSISTENT), id="visa-measure-sets-no-terms"),
    pytest.param(with_line(V2, TERMS, "T9,A-MA,TO,0,calendar,no,"),
                 (TERMS, 6, "reply_days", Reason.OUT_OF_RANGE), id="reply-days-zero"),
    pytest.param(with_line(V2, TERMS, "T9,A-MA,TO,366,calendar,no,"),
                 (TERMS, 6, "reply_days", Reason.OUT_OF_RANGE), id="reply-days-366"),
    pytest.param(with_line(V2, TERMS, "T9,A-MA,TO,30,weekdays,no,"),
                 (TERMS, 6, "day_count", Reason.UNKNOWN_CODE), id="day-count-code"),
    pytest.param(with_line(V2, TERMS, "T9,A-MA,TO,30,calendar,maybe,"),
                 (TERMS, 6, "deemed_accepted", Reason.UNKNOWN_CODE), id="deemed-accepted-code"),
    pytest.param(with_line(V2, TERMS, "T9,A-MA,TO,30,calendar,no,400"),
                 (TERMS, 6, "document_days", Reason.OUT_OF_RANGE), id="document-days"),
    pytest.param(with_line(V2, TERMS, "T-PK-TO,A-MA,TO,30,calendar,no,"),
                 (TERMS, 6, "term_id", Reason.DUPLICATE_KEY), id="term-id-twice"),
    pytest.param(with_line(V2, TERMS, "T9,A-MA,XX,30,calendar,no,"),
                 (TERMS, 6, "request_kind", Reason.UNKNOWN_CODE), id="kind-code"),
    pytest.param(with_line(V2, STATUS, "IR,no_diplomatic_relations,,2024-02-01,2024-01-01,"),
                 (STATUS, 4, "end_on", Reason.DATE_ORDER), id="status-ends-before-start"),
    pytest.param(with_line(V2, STATUS, "SY,forced_return_suspended,TO,2012-01-01,,"),
                 (STATUS, 4, "start_on", Reason.DUPLICATE_KEY), id="status-twice"),
    pytest.param(with_line(V2, STATUS, "XX,forced_return_suspended,,2012-01-01,,"),
                 (STATUS, 4, "country", Reason.UNKNOWN_COUNTRY), id="status-country"),
    pytest.param(with_line(V2, STATUS, "IR,at_war,,2012-01-01,,"),
                 (STATUS, 4, "status", Reason.UNKNOWN_CODE), id="status-code"),
    pytest.param({**V2, "dataset.json": '{"format": "retour/1"}'},
                 ("dataset.json", None, None, Reason.BAD_METADATA), id="terms-in-a-retour-1-file"),
]  # fmt: skip


@pytest.mark.parametrize(("files", "expected"), BAD)
def test_each_rule_is_reported_where_it_is_broken(
    tmp_path: Path, files: Files, expected: tuple[str, int | None, str | None, Reason]
) -> None:
    assert expected in _violations(tmp_path, files)


def test_two_terms_in_force_on_one_day_name_both_lines(tmp_path: Path) -> None:
    # A second Pakistani agreement from 2024: its days overlap the EU agreement's.
    files = with_line(V2, "instruments.csv", "B-PK,PK,working_arrangement,bilateral,in_force,"
                      "2024-01-01,,Second,")  # fmt: skip
    files = with_line(files, TERMS, "T-PK-2,B-PK,TO,14,working,no,")
    with pytest.raises(InvalidDatasetError) as caught:
        load(write(tmp_path, files), today=TODAY)
    [found] = [v for v in caught.value.violations if v.reason is Reason.OVERLAP]
    assert (found.file, found.line, found.column) == (TERMS, 6, "term_id")
    assert "line 4" in found.message and "T-PK-TO" in found.message


@pytest.mark.parametrize(
    ("end_on", "overlaps"),
    [pytest.param("2024-01-01", False, id="ends-the-day-the-next-starts"),
     pytest.param("2024-01-02", True, id="ends-a-day-later")],
)  # fmt: skip
def test_a_term_ending_on_the_day_the_next_starts_does_not_overlap(
    tmp_path: Path, end_on: str, overlaps: bool
) -> None:
    instruments = V2["instruments.csv"].replace(
        "A-MA,MA,working_arrangement,bilateral,in_force,2024-01-01,,",
        "A-MA,MA,working_arrangement,bilateral,in_force,2024-01-01,,",
    )
    files = {**V2, "instruments.csv": instruments}
    files = with_line(
        files,
        "instruments.csv",
        f"O-MA,MA,readmission_agreement,eu,ended,2019-01-01,{end_on},Older,",
    )
    files = with_line(files, TERMS, "T-MA-OLD,O-MA,LP,20,calendar,no,")  # fmt: skip
    if overlaps:
        assert (TERMS, 6, "term_id", Reason.OVERLAP) in _violations(tmp_path, files)
    else:
        load(write(tmp_path, files), today=TODAY)


def test_terms_of_a_proposed_instrument_never_overlap(tmp_path: Path) -> None:
    files = with_line(
        V2, "instruments.csv", "P-PK,PK,readmission_agreement,eu,proposed,2024-01-01,,Proposed,"
    )
    files = with_line(files, TERMS, "T-PK-P,P-PK,TO,14,working,no,")  # fmt: skip
    assert load(write(tmp_path, files), today=TODAY)[Table.TERMS].height == 5


# -- through the command line: import, a second import against the stored terms, export ----


def _db(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    return {"RETOUR_DB": str(home / "retour.sqlite")}


def test_import_and_export_speak_retour_2(tmp_path: Path) -> None:
    home = tmp_path / "home"
    source = write(tmp_path / "v2", V2)
    done = retour(["import", str(source)], home, **_db(home))
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    exported = retour(["export", str(out)], home, **_db(home))
    assert exported.returncode == 0, exported.stderr
    assert json.loads((out / "dataset.json").read_text())["format"] == "retour/2"
    for name in (TERMS, STATUS):
        assert (out / name).read_text() == V2[name], name


def test_export_without_terms_writes_retour_1(tmp_path: Path) -> None:
    home = tmp_path / "home"
    source = write(tmp_path / "v1", VALID)
    assert retour(["import", str(source)], home, **_db(home)).returncode == 0
    out = tmp_path / "out"
    assert retour(["export", str(out)], home, **_db(home)).returncode == 0
    assert json.loads((out / "dataset.json").read_text())["format"] == "retour/1"
    assert not (out / TERMS).exists() and not (out / STATUS).exists()


def test_a_later_import_is_checked_against_the_stored_terms(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert retour(["import", str(write(tmp_path / "v2", V2))], home, **_db(home)).returncode == 0
    later = {
        "instruments.csv": "instrument_id,country,kind,level,status,start_on,end_on,title,source\n"
        "B-PK,PK,working_arrangement,bilateral,in_force,2024-01-01,,Second,\n",
        "terms.csv": V2[TERMS].splitlines()[0] + "\nT-PK-2,B-PK,TO,14,working,no,\n",
        "cases.csv": V2["cases.csv"].splitlines()[0] + "\n",
        "dataset.json": json.dumps({"format": "retour/2", "extracted_on": "2024-06-28"}),
    }
    done = retour(["import", str(write(tmp_path / "later", later))], home, **_db(home))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "terms.csv:2: term_id:" in done.stderr + done.stdout
    assert "stored term T-PK-TO" in done.stderr + done.stdout


def test_a_term_needs_its_instrument_in_the_file_or_the_database(tmp_path: Path) -> None:
    files = without(V2, "instruments.csv")
    found = _violations(tmp_path, files)
    assert (TERMS, 2, "instrument_id", Reason.UNKNOWN_INSTRUMENT) in found

"""One test per rule of CONTRACT.md: one bad row, and the message names file, line, column, value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from retour.exchange import InvalidDatasetError, Reason, load

from .conftest import TODAY, VALID, Files, append_line, replace_line


@dataclass(frozen=True)
class Case:
    id: str
    files: Files
    file: str
    line: int | None
    column: str | None
    reason: Reason
    value: str | None


def edit(name: str, line: int, text: str) -> Files:
    return replace_line(VALID, name, line, text)


def add(name: str, text: str) -> Files:
    return append_line(VALID, name, text)


CASES_H = "cases.csv"
REQ = "requests.csv"
DET = "detentions.csv"
DEP = "departures.csv"
CON = "conditions.csv"
INS = "instruments.csv"
ASS = "assessments.csv"

RULES = [
    # cases
    Case("case_id required", add(CASES_H, ",SO,2021-06-15,,1985,,"), CASES_H, 5, "case_id", Reason.REQUIRED, None),
    Case("case_id unique", add(CASES_H, "C1,SO,2021-06-15,,1985,,"), CASES_H, 5, "case_id", Reason.DUPLICATE_KEY, "C1"),
    Case("nationality code", edit(CASES_H, 2, "C1,XY,2020-01-05,M,1990,,"), CASES_H, 2, "nationality", Reason.UNKNOWN_COUNTRY, "XY"),
    Case("nationality upper case", edit(CASES_H, 2, "C1,ma,2020-01-05,M,1990,,"), CASES_H, 2, "nationality", Reason.UNKNOWN_COUNTRY, "ma"),
    Case("nationality required", edit(CASES_H, 2, "C1,,2020-01-05,M,1990,,"), CASES_H, 2, "nationality", Reason.REQUIRED, None),
    Case("opened_on format", edit(CASES_H, 2, "C1,MA,05-01-2020,M,1990,,"), CASES_H, 2, "opened_on", Reason.NOT_A_DATE, "05-01-2020"),
    Case("opened_on calendar", edit(CASES_H, 2, "C1,MA,2020-02-30,M,1990,,"), CASES_H, 2, "opened_on", Reason.NOT_A_DATE, "2020-02-30"),
    Case("opened_on after extraction", edit(CASES_H, 2, "C1,MA,2024-03-01,M,1990,,"), CASES_H, 2, "opened_on", Reason.FUTURE_DATE, "2024-03-01"),
    Case("opened_on mistyped year", edit(CASES_H, 2, "C1,MA,0202-01-05,M,1990,,"), CASES_H, 2, "opened_on", Reason.OUT_OF_RANGE, "0202-01-05"),
    Case("sex code", edit(CASES_H, 2, "C1,MA,2020-01-05,male,1990,,"), CASES_H, 2, "sex", Reason.UNKNOWN_CODE, "male"),
    Case("birth_year integer", edit(CASES_H, 2, "C1,MA,2020-01-05,M,19x0,,"), CASES_H, 2, "birth_year", Reason.NOT_AN_INTEGER, "19x0"),
    Case("birth_year from 1900", edit(CASES_H, 2, "C1,MA,2020-01-05,M,1850,,"), CASES_H, 2, "birth_year", Reason.OUT_OF_RANGE, "1850"),
    Case("birth_year not future", edit(CASES_H, 2, "C1,MA,2020-01-05,M,2030,,"), CASES_H, 2, "birth_year", Reason.OUT_OF_RANGE, "2030"),
    Case("closed_on >= opened_on", edit(CASES_H, 3, "C2,NG,2020-03-01,F,,2020-02-01,departed"), CASES_H, 3, "closed_on", Reason.DATE_ORDER, "2020-02-01"),
    Case("close_reason with closed_on", edit(CASES_H, 3, "C2,NG,2020-03-01,F,,2021-02-01,"), CASES_H, 3, "close_reason", Reason.INCONSISTENT, None),
    Case("closed_on with close_reason", edit(CASES_H, 2, "C1,MA,2020-01-05,M,1990,,departed"), CASES_H, 2, "close_reason", Reason.INCONSISTENT, "departed"),
    Case("close_reason code", edit(CASES_H, 3, "C2,NG,2020-03-01,F,,2021-02-01,gone"), CASES_H, 3, "close_reason", Reason.UNKNOWN_CODE, "gone"),
    # requests
    Case("request_id unique", edit(REQ, 3, "R1,C2,TO,NG,2020-04-01,none,no,withdrawn,2020-12-01,no_response,"), REQ, 3, "request_id", Reason.DUPLICATE_KEY, "R1"),
    Case("request case exists", edit(REQ, 2, "R1,C9,LP,MA,2020-02-01,document,yes,positive,2020-03-01,,2020-03-10"), REQ, 2, "case_id", Reason.UNKNOWN_CASE, "C9"),
    Case("kind code", edit(REQ, 2, "R1,C1,VISA,MA,2020-02-01,document,yes,positive,2020-03-01,,2020-03-10"), REQ, 2, "kind", Reason.UNKNOWN_CODE, "VISA"),
    Case("country code", edit(REQ, 2, "R1,C1,LP,Morocco,2020-02-01,document,yes,positive,2020-03-01,,2020-03-10"), REQ, 2, "country", Reason.UNKNOWN_COUNTRY, "Morocco"),
    Case("submitted_on required", edit(REQ, 2, "R1,C1,LP,MA,,document,yes,positive,2020-03-01,,2020-03-10"), REQ, 2, "submitted_on", Reason.REQUIRED, None),
    Case("id_evidence code", edit(REQ, 2, "R1,C1,LP,MA,2020-02-01,passport,yes,positive,2020-03-01,,2020-03-10"), REQ, 2, "id_evidence", Reason.UNKNOWN_CODE, "passport"),
    Case("alien_cooperates code", edit(REQ, 2, "R1,C1,LP,MA,2020-02-01,document,Yes,positive,2020-03-01,,2020-03-10"), REQ, 2, "alien_cooperates", Reason.UNKNOWN_CODE, "Yes"),
    Case("outcome code", edit(REQ, 2, "R1,C1,LP,MA,2020-02-01,document,yes,granted,2020-03-01,,2020-03-10"), REQ, 2, "outcome", Reason.UNKNOWN_CODE, "granted"),
    Case("outcome_on unless pending", edit(REQ, 2, "R1,C1,LP,MA,2020-02-01,document,yes,positive,,,"), REQ, 2, "outcome_on", Reason.INCONSISTENT, None),
    Case("no outcome_on while pending", edit(REQ, 5, "R4,C3,TO,SO,2021-07-01,indirect,yes,pending,2021-08-01,,"), REQ, 5, "outcome_on", Reason.INCONSISTENT, "2021-08-01"),
    Case("outcome_on >= submitted_on", edit(REQ, 2, "R1,C1,LP,MA,2020-02-01,document,yes,positive,2020-01-01,,2020-03-10"), REQ, 2, "outcome_on", Reason.DATE_ORDER, "2020-01-01"),
    Case("reason for negative", edit(REQ, 4, "R3,C2,TO,NG,2021-01-01,indirect,unknown,negative,2021-01-20,,"), REQ, 4, "reason", Reason.INCONSISTENT, None),
    Case("reason for withdrawn", edit(REQ, 3, "R2,C2,TO,NG,2020-04-01,none,no,withdrawn,2020-12-01,,"), REQ, 3, "reason", Reason.INCONSISTENT, None),
    Case("no reason when positive", edit(REQ, 2, "R1,C1,LP,MA,2020-02-01,document,yes,positive,2020-03-01,other,2020-03-10"), REQ, 2, "reason", Reason.INCONSISTENT, "other"),
    Case("reason code", edit(REQ, 3, "R2,C2,TO,NG,2020-04-01,none,no,withdrawn,2020-12-01,no_answer,"), REQ, 3, "reason", Reason.UNKNOWN_CODE, "no_answer"),
    Case("document_on only positive", edit(REQ, 4, "R3,C2,TO,NG,2021-01-01,indirect,unknown,negative,2021-01-20,other,2021-02-01"), REQ, 4, "document_on", Reason.INCONSISTENT, "2021-02-01"),
    Case("document_on >= outcome_on", edit(REQ, 2, "R1,C1,LP,MA,2020-02-01,document,yes,positive,2020-03-01,,2020-02-20"), REQ, 2, "document_on", Reason.DATE_ORDER, "2020-02-20"),
    Case("request date after extraction", edit(REQ, 5, "R4,C3,TO,SO,2024-03-01,indirect,yes,pending,,,"), REQ, 5, "submitted_on", Reason.FUTURE_DATE, "2024-03-01"),
    # detentions
    Case("detention_id unique", edit(DET, 3, "D1,C1,2020-06-01,,"), DET, 3, "detention_id", Reason.DUPLICATE_KEY, "D1"),
    Case("detention case exists", edit(DET, 3, "D2,C7,2020-06-01,,"), DET, 3, "case_id", Reason.UNKNOWN_CASE, "C7"),
    Case("ended_on >= started_on", edit(DET, 2, "D1,C1,2020-02-01,2020-01-01,no_prospect"), DET, 2, "ended_on", Reason.DATE_ORDER, "2020-01-01"),
    Case("end_reason with ended_on", edit(DET, 2, "D1,C1,2020-02-01,2020-05-01,"), DET, 2, "end_reason", Reason.INCONSISTENT, None),
    Case("ended_on with end_reason", edit(DET, 3, "D2,C1,2020-06-01,,removed"), DET, 3, "end_reason", Reason.INCONSISTENT, "removed"),
    Case("end_reason code", edit(DET, 2, "D1,C1,2020-02-01,2020-05-01,released"), DET, 2, "end_reason", Reason.UNKNOWN_CODE, "released"),
    Case("detentions do not overlap", edit(DET, 3, "D2,C1,2020-04-01,,"), DET, 3, "started_on", Reason.OVERLAP, "2020-04-01"),
    Case("open detention blocks later one", add(DET, "D3,C1,2021-01-01,2021-02-01,max_term"), DET, 4, "started_on", Reason.OVERLAP, "2021-01-01"),
    # departures
    Case("departure_id unique", add(DEP, "P1,C1,2021-03-01,forced,MA,no"), DEP, 3, "departure_id", Reason.DUPLICATE_KEY, "P1"),
    Case("departed_on >= opened_on", edit(DEP, 2, "P1,C2,2020-01-01,independent,NG,yes"), DEP, 2, "departed_on", Reason.DATE_ORDER, "2020-01-01"),
    Case("departure type code", edit(DEP, 2, "P1,C2,2021-02-01,voluntary,NG,yes"), DEP, 2, "type", Reason.UNKNOWN_CODE, "voluntary"),
    Case("destination code", edit(DEP, 2, "P1,C2,2021-02-01,independent,NGA,yes"), DEP, 2, "destination", Reason.UNKNOWN_COUNTRY, "NGA"),
    Case("assisted code", edit(DEP, 2, "P1,C2,2021-02-01,independent,NG,unknown"), DEP, 2, "assisted", Reason.UNKNOWN_CODE, "unknown"),
    Case("departure case exists", edit(DEP, 2, "P1,C5,2021-02-01,independent,NG,yes"), DEP, 2, "case_id", Reason.UNKNOWN_CASE, "C5"),
    # conditions
    Case("condition code", edit(CON, 2, "C1,2020-01-05,legal,green"), CON, 2, "condition", Reason.UNKNOWN_CODE, "legal"),
    Case("state code", edit(CON, 2, "C1,2020-01-05,removable,amber"), CON, 2, "state", Reason.UNKNOWN_CODE, "amber"),
    Case("one observation a day", add(CON, "C1,2020-03-01,identity,red"), CON, 6, "observed_on", Reason.DUPLICATE_KEY, "2020-03-01"),
    Case("condition case exists", edit(CON, 5, "C8,2021-06-15,available,unknown"), CON, 5, "case_id", Reason.UNKNOWN_CASE, "C8"),
    # instruments
    Case("instrument_id unique", edit(INS, 3, "I1,MN,readmission_agreement,benelux,in_force,2024-01-09,,x,"), INS, 3, "instrument_id", Reason.DUPLICATE_KEY, "I1"),
    Case("instrument kind", edit(INS, 2, "I1,GM,sanction,eu,in_force,2021-10-07,,t,"), INS, 2, "kind", Reason.UNKNOWN_CODE, "sanction"),
    Case("instrument level", edit(INS, 2, "I1,GM,visa_measure,un,in_force,2021-10-07,,t,"), INS, 2, "level", Reason.UNKNOWN_CODE, "un"),
    Case("instrument status", edit(INS, 2, "I1,GM,visa_measure,eu,active,2021-10-07,,t,"), INS, 2, "status", Reason.UNKNOWN_CODE, "active"),
    Case("end_on >= start_on", edit(INS, 2, "I1,GM,visa_measure,eu,ended,2021-10-07,2021-01-01,t,"), INS, 2, "end_on", Reason.DATE_ORDER, "2021-01-01"),
    Case("title required", edit(INS, 2, "I1,GM,visa_measure,eu,in_force,2021-10-07,,,"), INS, 2, "title", Reason.REQUIRED, None),
    # assessments
    Case("level from 1", edit(ASS, 2, "MA,2023-01-01,0,"), ASS, 2, "level", Reason.OUT_OF_RANGE, "0"),
    Case("level to 5", edit(ASS, 2, "MA,2023-01-01,6,"), ASS, 2, "level", Reason.OUT_OF_RANGE, "6"),
    Case("level integer", edit(ASS, 2, "MA,2023-01-01,good,"), ASS, 2, "level", Reason.NOT_AN_INTEGER, "good"),
    Case("one assessment a day", add(ASS, "MA,2023-01-01,4,"), ASS, 3, "assessed_on", Reason.DUPLICATE_KEY, "2023-01-01"),
    # the header and the files
    Case("unknown column", {**VALID, REQ: VALID[REQ].replace("document_on", "documented_on", 1)}, REQ, 1, "documented_on", Reason.UNKNOWN_COLUMN, None),
    Case("required column", {**VALID, DEP: "departure_id,case_id,departed_on\nP1,C2,2021-02-01\n"}, DEP, 1, "type", Reason.MISSING_COLUMN, None),
    Case("duplicate column", {**VALID, ASS: "country,assessed_on,level,level\nMA,2023-01-01,3,3\n"}, ASS, 1, "level", Reason.DUPLICATE_COLUMN, None),
    Case("case_id or v_number", {**VALID, DEP: VALID[DEP].replace("case_id", "case_id,v_number").replace(",C2,", ",C2,123,")}, DEP, 1, "v_number", Reason.ID_COLUMNS, None),
    Case("field count", edit(REQ, 3, "R2,C2,TO,NG,2020-04-01,none,no,withdrawn,2020-12-01"), REQ, 3, None, Reason.FIELD_COUNT, None),
    Case("unterminated quote", edit(INS, 2, 'I1,GM,visa_measure,eu,in_force,2021-10-07,,"Visa,'), INS, 2, None, Reason.BAD_CSV, None),
    Case("quote inside a field", edit(ASS, 2, 'MA,2023-01-01,3,a "note"'), ASS, 2, None, Reason.BAD_CSV, None),
    Case("empty file", {**VALID, DEP: ""}, DEP, None, None, Reason.EMPTY_FILE, None),
    Case("cases.csv mandatory", {k: v for k, v in VALID.items() if k != CASES_H}, CASES_H, None, None, Reason.MISSING_TABLE, None),
    Case("dataset.json JSON", {**VALID, "dataset.json": '{"format": "retour/1",\n "source": }'}, "dataset.json", 2, None, Reason.BAD_METADATA, None),
    Case("dataset.json format", {**VALID, "dataset.json": '{"format": "retour/3"}'}, "dataset.json", None, None, Reason.BAD_METADATA, "retour/3"),
    Case("extracted_on not future", {**VALID, "dataset.json": '{"extracted_on": "2030-01-01"}'}, "dataset.json", None, None, Reason.BAD_METADATA, "2030-01-01"),
]  # fmt: skip


def violations_of(path: Path) -> InvalidDatasetError:
    with pytest.raises(InvalidDatasetError) as caught:
        load(path, today=TODAY)
    return caught.value


def test_the_valid_dataset_is_valid(folder_of: Callable[[Files], Path]) -> None:
    dataset = load(folder_of(VALID), today=TODAY)
    assert {t.value: n for t, n in dataset.counts().items()} == {
        "cases": 3, "requests": 4, "detentions": 2, "departures": 1,
        "conditions": 4, "instruments": 2, "assessments": 1, "terms": 0, "country_status": 0,
    }  # fmt: skip


@pytest.mark.parametrize("case", RULES, ids=[c.id for c in RULES])
def test_rule(case: Case, folder_of: Callable[[Files], Path]) -> None:
    error = violations_of(folder_of(case.files))
    assert len(error.violations) == 1, "\n".join(error.lines())
    (found,) = error.violations
    assert (found.file, found.line, found.column, found.reason) == (
        case.file, case.line, case.column, case.reason,
    )  # fmt: skip
    assert found.value == case.value
    where = case.file if case.line is None else f"{case.file}:{case.line}"
    text = found.format()
    assert text.startswith(f"{where}: {case.column or '-'}: ")
    if case.value is not None:
        assert text.endswith(f"({case.value})")


def test_every_violation_is_reported_at_once(folder_of: Callable[[Files], Path]) -> None:
    files = edit(CASES_H, 2, "C1,XY,2020-02-30,male,1850,,")
    files = replace_line(files, REQ, 3, "R1,C2,TO,NG,2020-04-01,none,no,withdrawn,2020-12-01,,")
    error = violations_of(folder_of(files))
    assert {(v.file, v.line, v.column) for v in error.violations} == {
        (CASES_H, 2, "nationality"), (CASES_H, 2, "opened_on"), (CASES_H, 2, "sex"),
        (CASES_H, 2, "birth_year"), (REQ, 3, "request_id"), (REQ, 3, "reason"),
    }  # fmt: skip
    # reported in file order, then line order
    assert [v.file for v in error.violations] == [CASES_H] * 4 + [REQ] * 2


def test_many_violations_are_cut_at_the_limit(folder_of: Callable[[Files], Path]) -> None:
    rows = "".join(f"X{i},XX,2020-01-01,,,,\n" for i in range(300))
    error = violations_of(folder_of({**VALID, CASES_H: VALID[CASES_H] + rows}))
    lines = list(error.lines(limit=200))
    assert len(error.violations) == 300
    assert len(lines) == 201
    assert lines[-1] == "... and 100 more violations."


def test_dates_may_not_lie_after_today_without_an_extraction_date(
    folder_of: Callable[[Files], Path],
) -> None:
    files = {k: v for k, v in VALID.items() if k != "dataset.json"}
    load(folder_of(files), today=TODAY)  # 2024-01-09 is before TODAY: fine
    files = edit(CASES_H, 2, "C1,MA,2024-07-01,M,1990,,")
    files.pop("dataset.json")
    error = violations_of(folder_of(files))
    assert [v.reason for v in error.violations] == [Reason.FUTURE_DATE]


def test_extra_columns_are_ignored(folder_of: Callable[[Files], Path]) -> None:
    lines = VALID[CASES_H].splitlines()
    with_extra = [lines[0] + ",x_desk"] + [line + ",north" for line in lines[1:]]
    files = {**VALID, CASES_H: "\n".join(with_extra) + "\n"}
    dataset = load(folder_of(files), today=TODAY)
    assert "x_desk" not in dataset.tables[next(iter(dataset.tables))].columns
    assert dataset.counts() == load(folder_of(VALID), today=TODAY).counts()


def test_a_detention_may_start_on_the_day_the_last_ended(
    folder_of: Callable[[Files], Path],
) -> None:
    files = edit(DET, 3, "D2,C1,2020-05-01,,")
    assert load(folder_of(files), today=TODAY).counts()

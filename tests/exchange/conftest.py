"""A small valid dataset in the exchange format, as CSV text, and ways to write it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

TODAY = dt.date(2024, 6, 1)

VALID: dict[str, str] = {
    "cases.csv": """\
case_id,nationality,opened_on,sex,birth_year,closed_on,close_reason
C1,MA,2020-01-05,M,1990,,
C2,NG,2020-03-01,F,,2021-02-01,departed
C3,SO,2021-06-15,,1985,,
""",
    "requests.csv": """\
request_id,case_id,kind,country,submitted_on,id_evidence,alien_cooperates,outcome,outcome_on,reason,document_on
R1,C1,LP,MA,2020-02-01,document,yes,positive,2020-03-01,,2020-03-10
R2,C2,TO,NG,2020-04-01,none,no,withdrawn,2020-12-01,no_response,
R3,C2,TO,NG,2021-01-01,indirect,unknown,negative,2021-01-20,insufficient_information,
R4,C3,TO,SO,2021-07-01,indirect,yes,pending,,,
""",
    "detentions.csv": """\
detention_id,case_id,started_on,ended_on,end_reason
D1,C1,2020-02-01,2020-05-01,no_prospect
D2,C1,2020-06-01,,
""",
    "departures.csv": """\
departure_id,case_id,departed_on,type,destination,assisted
P1,C2,2021-02-01,independent,NG,yes
""",
    "conditions.csv": """\
case_id,observed_on,condition,state
C1,2020-01-05,removable,green
C1,2020-01-05,identity,red
C1,2020-03-01,identity,green
C3,2021-06-15,available,unknown
""",
    "instruments.csv": """\
instrument_id,country,kind,level,status,start_on,end_on,title,source
I1,GM,visa_measure,eu,in_force,2021-10-07,,Visa measures for Gambia,Council implementing decision
I2,MN,readmission_agreement,benelux,in_force,2024-01-09,,"Benelux–Mongolia agreement, signed",
""",
    "assessments.csv": """\
country,assessed_on,level,note
MA,2023-01-01,3,"partnership, improving"
""",
    "dataset.json": json.dumps(
        {"format": "retour/1", "source": "test fixture", "extracted_on": "2024-02-01"}
    ),
}

Files = dict[str, str]


def write_folder(folder: Path, files: Files) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def replace_line(files: Files, name: str, line: int, text: str) -> Files:
    """A copy of the files with line `line` (1 = header) of `name` replaced."""
    lines = files[name].splitlines()
    lines[line - 1] = text
    return {**files, name: "\n".join(lines) + "\n"}


def append_line(files: Files, name: str, text: str) -> Files:
    return {**files, name: files[name] + text + "\n"}


@pytest.fixture
def valid_files() -> Files:
    return dict(VALID)


@pytest.fixture
def folder_of(tmp_path: Path) -> Callable[[Files], Path]:
    def make(files: Files) -> Path:
        return write_folder(tmp_path / "dataset", files)

    return make

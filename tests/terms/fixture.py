"""A small retour/2 dataset as CSV text: agreements with terms, a country status, and
requests whose due dates fall across weekends, holidays and a term's start and end."""

from __future__ import annotations

import json
from pathlib import Path

Files = dict[str, str]

EXTRACTED = "2024-06-28"

V2: Files = {
    "cases.csv": """\
case_id,nationality,opened_on,sex,birth_year,closed_on,close_reason
C1,MA,2023-01-05,M,1990,,
C2,PK,2023-02-01,F,,,
C3,PK,2023-02-01,M,,2024-05-01,departed
C4,SY,2023-03-01,M,1980,,
C5,GE,2023-03-01,F,1995,,
""",
    "requests.csv": """\
request_id,case_id,kind,country,submitted_on,id_evidence,alien_cooperates,outcome,outcome_on,reason,document_on
R1,C1,LP,MA,2024-04-26,document,yes,pending,,,
R2,C2,TO,PK,2024-03-01,document,yes,pending,,,
R3,C2,TO,PK,2024-01-10,document,yes,positive,2024-01-20,,
R4,C3,TO,PK,2024-03-01,document,yes,pending,,,
R5,C4,TO,SY,2024-01-10,document,yes,pending,,,
R6,C5,TO,GE,2024-05-01,indirect,yes,positive,2024-05-10,,2024-05-20
R7,C5,TO,GE,2024-05-21,indirect,yes,negative,2024-06-20,insufficient_information,
R8,C1,TO,MA,2024-02-01,document,yes,withdrawn,2024-02-05,other,
""",
    "instruments.csv": """\
instrument_id,country,kind,level,status,start_on,end_on,title,source
A-MA,MA,working_arrangement,bilateral,in_force,2024-01-01,,Working arrangement Morocco,
A-PK,PK,readmission_agreement,eu,in_force,2010-12-01,,EU–Pakistan readmission agreement,OJ L 287
A-SY,SY,readmission_agreement,bilateral,in_force,2005-01-01,,Arrangement with Syria,
A-GE,GE,readmission_agreement,eu,in_force,2011-03-01,,EU–Georgia readmission agreement,
V-MA,MA,visa_measure,eu,in_force,2024-01-01,,Visa measure,
""",
    "terms.csv": """\
term_id,instrument_id,request_kind,reply_days,day_count,deemed_accepted,document_days
T-GE-TO,A-GE,TO,10,calendar,no,3
T-MA-LP,A-MA,LP,10,working,no,5
T-PK-TO,A-PK,TO,30,calendar,yes,30
T-SY-TO,A-SY,TO,30,calendar,no,
""",
    "country_status.csv": """\
country,status,request_kind,start_on,end_on,source
SO,no_document_process,LP,2020-01-01,,press answer
SY,forced_return_suspended,,2012-01-01,,"letter to Parliament, 26 January 2024"
""",
    "dataset.json": json.dumps(
        {"format": "retour/2", "source": "test fixture", "extracted_on": EXTRACTED}
    ),
}


def write(folder: Path, files: Files) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def with_line(files: Files, name: str, text: str) -> Files:
    return {**files, name: files[name] + text + "\n"}


def without(files: Files, *names: str) -> Files:
    return {k: v for k, v in files.items() if k not in names}

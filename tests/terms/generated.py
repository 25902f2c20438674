"""Random retour/2 datasets for exact comparisons with the row-by-row oracle: the fixture's
agreements, one that ended (its term stops), a working-day term with a document limit,
statuses, and requests of every outcome around the due dates."""

from __future__ import annotations

import datetime as dt
import json
import random

from .fixture import V2, Files

EXTRACTED = dt.date(2024, 6, 28)
COUNTRIES = ("MA", "PK", "SY", "GE", "NG", "SO")

_INSTRUMENTS = V2["instruments.csv"] + (
    "E-NG,NG,readmission_agreement,eu,ended,2018-01-01,2023-04-27,Ended on King's Day,\n"
    "F-NG,NG,working_arrangement,bilateral,in_force,2023-04-27,,Follows on King's Day,\n"
)
_TERMS = V2["terms.csv"] + (
    "T-NG-1,E-NG,TO,20,working,yes,5\n"
    "T-NG-2,F-NG,TO,15,calendar,no,\n"
    "T-NG-LP,F-NG,LP,25,working,no,10\n"
    "T-PK-LP,A-PK,LP,5,working,yes,2\n"
)
_STATUS = V2["country_status.csv"] + "GE,no_diplomatic_relations,TO,2024-03-01,2024-03-31,\n"


def _date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def dataset(seed: int, n: int = 400) -> Files:
    rng = random.Random(seed)
    cases = ["case_id,nationality,opened_on,sex,birth_year,closed_on,close_reason"]
    requests = ["request_id,case_id,kind,country,submitted_on,id_evidence,alien_cooperates,"
                "outcome,outcome_on,reason,document_on"]  # fmt: skip
    for i in range(n):
        country = rng.choice(COUNTRIES)
        opened = _date(rng, dt.date(2022, 6, 1), dt.date(2024, 5, 1))
        submitted = _date(rng, opened, EXTRACTED)
        closed = _date(rng, submitted, EXTRACTED) if rng.random() < 0.2 else None
        end = f"{closed},departed" if closed else ","
        cases.append(f"C{i},{country},{opened},,,{end}")
        outcome = rng.choice(("pending", "positive", "positive", "negative", "withdrawn"))
        answered = _date(rng, submitted, min(submitted + dt.timedelta(days=90), EXTRACTED))
        reason = {"negative": "insufficient_information", "withdrawn": "no_response"}
        document = ""
        if outcome == "positive" and rng.random() < 0.6:
            document = str(_date(rng, answered, min(answered + dt.timedelta(days=40), EXTRACTED)))
        on = "" if outcome == "pending" else str(answered)
        requests.append(
            f"R{i},C{i},{rng.choice(('LP', 'TO'))},{country},{submitted},document,yes,"
            f"{outcome},{on},{reason.get(outcome, '')},{document}"
        )
    return {
        "cases.csv": "\n".join(cases) + "\n",
        "requests.csv": "\n".join(requests) + "\n",
        "instruments.csv": _INSTRUMENTS,
        "terms.csv": _TERMS,
        "country_status.csv": _STATUS,
        "dataset.json": json.dumps(
            {"format": "retour/2", "source": "generated", "extracted_on": EXTRACTED.isoformat()}
        ),
    }

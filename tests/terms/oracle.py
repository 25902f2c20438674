"""An independent, row-by-row reading of the time limits: plain Python over the CSV rows,
days counted one at a time with the holidays calendar (no numpy, no Polars)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator

from .fixture import Files
from .test_due_dates import oracle as due_after

Row = dict[str, str]
FAR = dt.date(9999, 12, 31)


def rows(files: Files, name: str) -> list[Row]:
    text = files.get(name)
    return list(csv.DictReader(io.StringIO(text))) if text else []


def day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def term_of(request: Row, files: Files) -> Row | None:
    """The one term that applies to a request, or None."""
    submitted = day(request["submitted_on"])
    assert submitted is not None
    for instrument in rows(files, "instruments.csv"):
        if instrument["country"] != request["country"]:
            continue
        if instrument["kind"] not in ("readmission_agreement", "working_arrangement"):
            continue
        if instrument["status"] not in ("in_force", "ended"):
            continue
        start, end = day(instrument["start_on"]), day(instrument["end_on"]) or FAR
        if not (start is not None and start <= submitted < end):
            continue
        for term in rows(files, "terms.csv"):
            same = term["instrument_id"] == instrument["instrument_id"]
            if same and term["request_kind"] == request["kind"]:
                return term
    return None


def _held(files: Files, country: str, kind: str, on: dt.date) -> bool:
    for status in rows(files, "country_status.csv"):
        start, end = day(status["start_on"]), day(status["end_on"]) or FAR
        kinds = (status["request_kind"],) if status["request_kind"] else ("LP", "TO")
        if status["country"] == country and kind in kinds and start and start <= on <= end:
            return True
    return False


def with_terms(files: Files) -> Iterator[tuple[Row, Row, dt.date, dt.date | None]]:
    """(request, term, answer due, document due) of every request a term applies to."""
    for request in rows(files, "requests.csv"):
        term = term_of(request, files)
        if term is None:
            continue
        working = term["day_count"] == "working"
        submitted, answered = day(request["submitted_on"]), day(request["outcome_on"])
        assert submitted is not None
        answer_due = due_after(submitted, int(term["reply_days"]), working)
        document_due = None
        if request["outcome"] == "positive" and term["document_days"] and answered:
            document_due = due_after(answered, int(term["document_days"]), working)
        yield request, term, answer_due, document_due


def overdue(files: Files, on: dt.date) -> list[tuple[object, ...]]:
    """The rows of `retour overdue --format csv`, as tuples of text, in its order."""
    closed = {c["case_id"] for c in rows(files, "cases.csv") if c["closed_on"]
              and day(c["closed_on"]) <= on}  # type: ignore[operator]  # fmt: skip
    found: list[tuple[object, ...]] = []
    for request, term, answer_due, document_due in with_terms(files):
        submitted = day(request["submitted_on"])
        assert submitted is not None
        if submitted > on or request["case_id"] in closed:
            continue
        if _held(files, request["country"], request["kind"], on):
            continue
        answered, document = day(request["outcome_on"]), day(request["document_on"])
        head = (request["request_id"], request["case_id"], request["country"], request["kind"],
                request["submitted_on"])  # fmt: skip
        if (answered is None or answered > on) and on > answer_due:
            days = (on - answer_due).days
            found.append((*head, answer_due.isoformat(), days, "answer", term["deemed_accepted"]))
        positive = request["outcome"] == "positive" and answered is not None and answered <= on
        missing = document is None or document > on
        if positive and missing and document_due is not None and on > document_due:
            days = (on - document_due).days
            found.append((*head, document_due.isoformat(), days, "document", ""))
    found.sort(key=lambda r: (r[2], -int(str(r[6])), r[0], r[7]))
    return found


def band(days: int) -> str:
    for label, last in (("1-30", 30), ("31-90", 90), ("91-180", 180), ("181-365", 365)):
        if days <= last:
            return label
    return "366+"


def overdue_counts(files: Files, on: dt.date) -> Counter[tuple[str, str, str, str]]:
    return Counter(
        (str(r[2]), str(r[3]), str(r[7]), band(int(str(r[6])))) for r in overdue(files, on)
    )


def compliance(
    files: Files, extracted: dt.date, years: set[int]
) -> dict[tuple[str, int], Counter[str]]:
    """Per (country, year of submission): the counts of `retour figures terms`."""
    out: dict[tuple[str, int], Counter[str]] = {}
    for request, _term, answer_due, document_due in with_terms(files):
        submitted = day(request["submitted_on"])
        assert submitted is not None
        if answer_due > extracted or submitted.year not in years:
            continue
        counts = out.setdefault((request["country"], submitted.year), Counter())
        counts["with_terms"] += 1
        answered, outcome = day(request["outcome_on"]), request["outcome"]
        if outcome in ("positive", "negative"):
            assert answered is not None
            counts["answered_in_time" if answered <= answer_due else "answered_late"] += 1
        elif outcome == "withdrawn" and answered is not None and answered <= answer_due:
            counts["withdrawn_before_due"] += 1
        else:
            counts["not_answered"] += 1
        if document_due is not None and document_due <= extracted:
            document = day(request["document_on"])
            if document is None:
                counts["documents_missing"] += 1
            else:
                counts["documents_in_time" if document <= document_due else "documents_late"] += 1
    return out

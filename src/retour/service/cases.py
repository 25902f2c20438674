"""The case view: one case as it stood on a date, with its prospect of removal; every view
recorded in the audit log (who, when, which case, what the prospect said).

Shared by ``retour case`` and the web's case page. The case id is a pseudonym; an unknown
id is refused with a message that does not repeat what was typed (it could be an alien
number). Only the case's named attributes are read (:data:`retour.store.cases.CASE_COLUMNS`).

The prospect model is fitted on what was known on the view's date (see
:mod:`retour.analysis.prospect`) and kept per database, data fingerprint, date and options:
in memory, so that the next case on the same date is answered at once (the web process
lives long), and on disk (:mod:`retour.service.model_cache`), so that the next command-line
call does not fit again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Final

import polars as pl

from retour.analysis import conditions as lights
from retour.analysis.prospect import (
    History,
    Prospect,
    ProspectModel,
    ProspectOptions,
    ProspectStatus,
    case_prospect,
    first_landmark,
    prospect_model,
)
from retour.disclosure import Profile
from retour.domain.errors import N_, Field, NotFoundError, UsageError
from retour.domain.provenance import Provenance
from retour.exchange.pseudonym import pseudonym
from retour.reports.case import CaseView, DepartureLine, DetentionLine, Light, RequestLine
from retour.service import audit, model_cache
from retour.service.conditions import parse_date
from retour.service.context import Retour
from retour.service.memo import AnswerCache
from retour.service.publication import provenance
from retour.store import cases as store_cases
from retour.store.cases import CaseRecord

#: Fitted models kept in memory (by :func:`retour.service.model_cache.model_key`).
CACHE_SIZE: Final = 4
_models = AnswerCache(CACHE_SIZE)


def _unknown_case() -> NotFoundError:
    return NotFoundError(
        N_("No case with that case id in the database."),
        hint=N_(
            "Give the case's pseudonymous case_id as imported; alien numbers are never stored."
        ),
    )


#: What an alien number (V-nummer) looks like when someone types it: ten digits, perhaps
#: after a V and with spaces, dots or dashes between them.
V_NUMBER: Final = re.compile(r"^[Vv]?[\s.-]*(?:\d[\s.-]*){10}$")


def looks_like_v_number(typed: str) -> bool:
    return V_NUMBER.fullmatch(typed.strip()) is not None


def find_case(context: Retour, typed: str) -> str | None:
    """The stored case id of what someone typed to find a case, or None.

    An alien number is pseudonymised with the configured secret as the import does (as
    typed, and as its digits alone) and looked up by that pseudonym; anything else is looked
    up as a case id. The typed value is never logged, audited or returned: the caller gets
    the stored (pseudonymous) case id only. A ConfigError when an alien number is typed and
    no secret is set.
    """
    wanted = typed.strip()
    if not wanted:
        return None
    candidates = [wanted]
    if looks_like_v_number(wanted):
        secret = context.settings.secret_bytes()
        digits = re.sub(r"\D", "", wanted)
        candidates = [pseudonym(secret, v) for v in dict.fromkeys((wanted, digits))]
    db = context.database()
    for candidate in candidates:
        record = store_cases.case_record(db, candidate)
        if record is not None:
            return str(record.case["case_id"])
    return None


def case_view(
    context: Retour,
    case_id: str,
    on: str | dt.date | None = None,
    *,
    actor: str,
    via: audit.Via | str = audit.Via.CLI,
    role: str | None = None,
    options: ProspectOptions | None = None,
) -> CaseView:
    """The case ``case_id`` on ``on`` (default: the extraction date), its prospect, logged.

    The audit entry records ``actor`` (the OS user on the command line, the signed-in user
    on the web), ``via``, the case id, the date and what the prospect said.
    """
    wanted = case_id.strip()
    if not wanted:
        raise _unknown_case()
    db = context.database()
    record = store_cases.case_record(db, wanted)
    if record is None:
        raise _unknown_case()
    origin = provenance(db)
    day = _view_date(on, origin, record)
    prospect = _prospect(context, record, day, origin, options or ProspectOptions())
    view = build_view(record, day, prospect, origin)
    log_case_view(context, view, actor=actor, via=via, role=role)
    return replace(view, logged=True)


def _view_date(on: str | dt.date | None, origin: Provenance, record: CaseRecord) -> dt.date:
    day = on if isinstance(on, dt.date) else parse_date(on)
    last = origin.extracted_on or dt.date.today()
    if day is None:
        day = last
    if day > last:
        raise UsageError(
            N_("{date} lies after the data, which run to {last}."),
            hint=N_("Choose a date on or before the extraction date."),
            field=Field.DATE,
            date=day.isoformat(),
            last=last.isoformat(),
        )
    if day < record.case["opened_on"]:
        raise UsageError(
            N_("The case was not yet open on that date."),
            hint=N_("Choose a later date."),
            cli_hint=N_("Choose a later date with {field}."),
            field=Field.DATE,
        )
    return day


# -- the view ----------------------------------------------------------------------------------


def build_view(record: CaseRecord, on: dt.date, prospect: Prospect, origin: Provenance) -> CaseView:
    """The case as it stood on ``on``: nothing dated after ``on`` is shown."""
    case = record.case
    closed = case["closed_on"] if case["closed_on"] and case["closed_on"] <= on else None
    lit = lights.lights(record.conditions, on)
    light_rows = tuple(
        Light(str(r["condition"]), str(r["state"]), r["since"], r["observed_on"])
        for r in lit.iter_rows(named=True)
    )
    blockers = tuple(c.value for c in lights.blockers(lit))
    green_since = None if blockers else max((x.since for x in light_rows if x.since), default=None)
    return CaseView(
        case_id=str(case["case_id"]),
        nationality=str(case["nationality"]),
        opened_on=case["opened_on"],
        closed_on=closed,
        close_reason=case["close_reason"] if closed else None,
        on=on,
        is_open=closed is None,
        lights=light_rows,
        all_green_since=green_since,
        blockers=blockers,
        requests=_requests(record.requests, on),
        detentions=_detentions(record.detentions, on),
        departures=_departures(record.departures, on),
        prospect=prospect,
        provenance=origin,
    )


def _requests(frame: pl.DataFrame, on: dt.date) -> tuple[RequestLine, ...]:
    out = []
    for r in frame.filter(pl.col("submitted_on") <= on).iter_rows(named=True):
        decided = r["outcome_on"] is not None and r["outcome_on"] <= on
        document = r["document_on"] if r["document_on"] and r["document_on"] <= on else None
        end = r["outcome_on"] if decided else on
        out.append(
            RequestLine(
                request_id=r["request_id"],
                kind=r["kind"],
                country=r["country"],
                submitted_on=r["submitted_on"],
                id_evidence=r["id_evidence"],
                alien_cooperates=r["alien_cooperates"],
                outcome=r["outcome"] if decided else "pending",
                outcome_on=r["outcome_on"] if decided else None,
                reason=r["reason"] if decided else None,
                document_on=document if decided else None,
                days=(end - r["submitted_on"]).days,
            )
        )
    return tuple(out)


def _detentions(frame: pl.DataFrame, on: dt.date) -> tuple[DetentionLine, ...]:
    out = []
    for d in frame.filter(pl.col("started_on") <= on).iter_rows(named=True):
        ended = d["ended_on"] is not None and d["ended_on"] <= on
        end = d["ended_on"] if ended else on
        out.append(
            DetentionLine(
                detention_id=d["detention_id"],
                started_on=d["started_on"],
                ended_on=d["ended_on"] if ended else None,
                end_reason=d["end_reason"] if ended else None,
                days=(end - d["started_on"]).days,
            )
        )
    return tuple(out)


def _departures(frame: pl.DataFrame, on: dt.date) -> tuple[DepartureLine, ...]:
    return tuple(
        DepartureLine(
            v["departure_id"], v["departed_on"], v["type"], v["destination"], v["assisted"]
        )
        for v in frame.filter(pl.col("departed_on") <= on).iter_rows(named=True)
    )


# -- the prospect -----------------------------------------------------------------------------


def case_history(record: CaseRecord) -> History:
    """One case's rows in the shape the prospect reads (its ``case`` key is 0)."""
    key = pl.lit(0, pl.UInt32).alias("case")
    case = record.case
    cases = pl.DataFrame(
        {
            "case_id": [case["case_id"]],
            "nationality": [case["nationality"]],
            "opened_on": [case["opened_on"]],
            "closed_on": [case["closed_on"]],
        },
        schema={
            "case_id": pl.String(),
            "nationality": pl.String(),
            "opened_on": pl.Date(),
            "closed_on": pl.Date(),
        },
    )
    return History(
        cases=cases.select(key, pl.all()),
        observations=record.conditions.select(
            key,
            "observed_on",
            pl.col("condition").cast(lights.CONDITION_ENUM),
            pl.col("state").cast(lights.STATE_ENUM),
        ),
        requests=record.requests.select(key, "submitted_on", "id_evidence", "alien_cooperates"),
        departures=record.departures.select(key, "departed_on", "type"),
    )


def _prospect(
    context: Retour, record: CaseRecord, on: dt.date, origin: Provenance, options: ProspectOptions
) -> Prospect:
    history = case_history(record)
    closed = record.case["closed_on"]
    if closed is not None and closed <= on:
        return case_prospect(None, history, 0, on)
    return case_prospect(model_on(context, on, origin, options), history, 0, on)


def model_on(
    context: Retour, on: dt.date, origin: Provenance, options: ProspectOptions
) -> ProspectModel | None:
    """The prospect model fitted on what the database knew on ``on``: kept in memory, else
    read from the cache on disk, else fitted (and written to the cache)."""
    key = model_cache.model_key(context.database().url, origin, on, options)
    return _models.get(key, lambda: _stored_or_fitted(context, key, on, origin, options))


def _stored_or_fitted(
    context: Retour, key: str, on: dt.date, origin: Provenance, options: ProspectOptions
) -> ProspectModel | None:
    cacheable = origin.fingerprint is not None  # no import yet: nothing names the data
    model = model_cache.stored_model(context, key, on, options) if cacheable else None
    if model is not None:
        return model
    history = store_cases.case_history(
        context.database(), first=first_landmark(on, options), last=on
    )
    model = prospect_model(
        History(history.cases, history.observations, history.requests, history.departures),
        on,
        options,
    )
    if model is not None and cacheable:
        model_cache.store_model(context, key, model)
    return model


def clear_models() -> None:
    """Forget the fitted models (after an import, in tests)."""
    _models.clear()


# -- the audit log ------------------------------------------------------------------------------

_WORDS: Final = {3: "three", 6: "six", 12: "twelve", 1: "one", 2: "two", 9: "nine"}


def audit_detail(view: CaseView) -> dict[str, str | int | None]:
    """What the audit log keeps of a case view: the date, the prospect's status, model and
    estimates (``p:low:high``), and the number of comparable past cases. Ids and numbers
    only -- nothing else about the case or the person."""
    prospect = view.prospect
    detail: dict[str, str | int | None] = {
        "on": view.on.isoformat(),
        "prospect": prospect.status.value,
        "model": prospect.version,
    }
    if prospect.status is ProspectStatus.ESTIMATED:
        for e in prospect.estimates:
            name = f"{_WORDS.get(e.months, 'some')}_months"
            detail[name] = f"{e.probability:.4f}:{e.low:.4f}:{e.high:.4f}"
        if prospect.comparable is not None:
            detail["comparable"] = prospect.comparable.cases
    return detail


def log_case_view(
    context: Retour, view: CaseView, *, actor: str, via: audit.Via | str, role: str | None
) -> int:
    """Record the view of a named case and its prospect in the audit log (the one hook)."""
    return audit.record(
        context,
        audit.AuditAction.VIEW_CASE,
        actor=actor,
        via=audit.Via(via),
        role=role,
        profile=Profile.INTERNAL.value,
        subject=view.case_id,
        detail=audit_detail(view),
    )

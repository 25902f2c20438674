"""The case view: one case's five conditions, requests, detentions, departures, what blocks
departure now, and the prospect of removal -- as text lines (command line), an HTML
fragment (the web's case page) or JSON. Dutch by default, English on request.

Rendering only: :class:`CaseView` is built by :mod:`retour.service.cases`. It shows the
case's pseudonym and its named attributes and nothing else about the person (never sex or
birth year). The prospect is shown with its inputs, its interval, what it rests on and what
it is not: decision support for the balancing of interests, never the decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Final

from retour.analysis.prospect import Comparable, Prospect, ProspectNote, ProspectStatus
from retour.domain.codes import Condition, ConditionState
from retour.domain.language import Language
from retour.domain.provenance import Provenance
from retour.reports import html, labels, models
from retour.reports.messages import N_, _, count, decimal
from retour.reports.messages import percent as share

CONDITION_LABEL: Final[dict[str, str]] = {
    Condition.REMOVABLE: N_("legally removable"),
    Condition.COUNTRY_COOPERATES: N_("country of origin cooperates"),
    Condition.IDENTITY: N_("identity established"),
    Condition.AVAILABLE: N_("person available (in view)"),
    Condition.ALIEN_COOPERATES: N_("person cooperates"),
}
STATE_LABEL: Final[dict[str, str]] = {
    ConditionState.GREEN: N_("green"),
    ConditionState.RED: N_("red"),
    ConditionState.UNKNOWN: N_("unknown"),
}
INPUT_LABEL: Final[dict[str, str]] = {
    "country": N_("nationality"),
    "evidence": N_("identity evidence (latest request)"),
    "cooperation": N_("cooperation (latest request)"),
    "time_open": N_("time open"),
}
VALUE_LABEL: Final[dict[str, str]] = {
    "no_request": N_("no request yet"),
    "document": N_("document"),
    "indirect": N_("indirect"),
    "none": N_("none"),
    "unknown": N_("unknown"),
    "yes": N_("yes"),
    "no": N_("no"),
}


@dataclass(frozen=True, slots=True)
class Light:
    condition: str
    state: str
    since: dt.date | None  # first observation of the current run of this state
    observed_on: dt.date | None  # latest observation


@dataclass(frozen=True, slots=True)
class RequestLine:
    request_id: str
    kind: str
    country: str
    submitted_on: dt.date
    id_evidence: str
    alien_cooperates: str
    outcome: str  # as it stood on the view's date
    outcome_on: dt.date | None
    reason: str | None
    document_on: dt.date | None
    days: int  # to the answer, or so far while pending


@dataclass(frozen=True, slots=True)
class DetentionLine:
    detention_id: str
    started_on: dt.date
    ended_on: dt.date | None  # None: still detained on the view's date
    end_reason: str | None
    days: int


@dataclass(frozen=True, slots=True)
class DepartureLine:
    departure_id: str
    departed_on: dt.date
    type: str
    destination: str | None
    assisted: str | None


@dataclass(frozen=True)
class CaseView:
    """One case as it stood on ``on``."""

    case_id: str
    nationality: str
    opened_on: dt.date
    closed_on: dt.date | None  # only a closure on or before ``on``
    close_reason: str | None
    on: dt.date
    is_open: bool
    lights: tuple[Light, ...]
    all_green_since: dt.date | None
    blockers: tuple[str, ...]
    requests: tuple[RequestLine, ...]
    detentions: tuple[DetentionLine, ...]
    departures: tuple[DepartureLine, ...]
    prospect: Prospect
    provenance: Provenance
    logged: bool = False


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _value(value: str, lang: Language) -> str:
    message = VALUE_LABEL.get(value) or STATE_LABEL.get(value)
    return _(message, lang) if message else labels.code_label(value, lang)


def percent(p: float, lang: Language = "nl") -> str:
    """A probability as a percentage: one decimal under 10%, whole above; '<0.1%' and
    '>99.9%' at the ends (a decimal comma in Dutch)."""
    if p < 0.001:
        return f"<{share(0.001, 1, lang)}"
    if p > 0.999:
        return f">{share(0.999, 1, lang)}"
    return share(p, 1 if p < 0.1 else 0, lang)


# -- text ------------------------------------------------------------------------------------


def pattern_text(pattern: str, lang: Language) -> str:
    """The conditions not green of a blocker pattern (``identity+alien_cooperates``) in
    words; "none" for ``-``."""
    if pattern in ("", "-"):
        return _("none", lang)
    names = pattern.split("+")
    return " + ".join(_(CONDITION_LABEL[n], lang) if n in CONDITION_LABEL else n for n in names)


def case_lines(view: CaseView, lang: Language = "nl") -> list[str]:
    """The case view as plain text lines."""
    return [
        *_header(view, lang),
        "",
        *_light_lines(view, lang),
        "",
        *_blocking(view, lang),
        "",
        *_request_lines(view, lang),
        "",
        *_detention_lines(view, lang),
        "",
        *_departure_lines(view, lang),
        "",
        *prospect_lines(view.prospect, lang),
        "",
        *_footer(view, lang),
    ]


def _header(view: CaseView, lang: Language) -> list[str]:
    country = labels.country_name(view.nationality, lang)
    status = (
        _("open", lang)
        if view.is_open
        else _("closed", lang)
        + (f" {_d(view.closed_on)} ({labels.code_label(view.close_reason or '', lang)})"
           if view.closed_on else "")
    )  # fmt: skip
    return [
        _("Case {case} — as on {on}", lang, case=view.case_id, on=view.on.isoformat()),
        _(
            "nationality: {country} ({code}) · opened: {opened} · {status}",
            lang,
            country=country,
            code=view.nationality,
            opened=view.opened_on.isoformat(),
            status=status,
        ),
    ]


def _light_lines(view: CaseView, lang: Language) -> list[str]:
    lines = [_("The five conditions (traffic lights)", lang)]
    width = max(len(_(CONDITION_LABEL[c], lang)) for c in Condition)
    for light in view.lights:
        label = _(CONDITION_LABEL[light.condition], lang).ljust(width)
        state = _(STATE_LABEL[light.state], lang).ljust(8)
        if light.since is None:
            when = _("never observed", lang)
        else:
            when = _("since {day}", lang, day=light.since.isoformat())
            if light.observed_on and light.observed_on != light.since:
                last = _("last observed {day}", lang, day=light.observed_on.isoformat())
                when += f" ({last})"
        lines.append(f"  {label}  {state} {when}")
    return lines


def blocking_text(view: CaseView, lang: Language) -> list[str]:
    """What blocks departure now, one item a line (no heading)."""
    if not view.is_open:
        return [_("The case is not open on this date.", lang)]
    if not view.blockers:
        since = _d(view.all_green_since)
        return [_("None of the five conditions: all five green since {since}.", lang, since=since)]
    out = []
    by_condition = {light.condition: light for light in view.lights}
    for condition in view.blockers:
        light = by_condition[condition]
        state = _(STATE_LABEL[light.state], lang)
        if light.since is None:
            detail = _("unknown: never observed", lang)
        else:
            detail = state + " " + _("since {day}", lang, day=light.since.isoformat())
        out.append(_(CONDITION_LABEL[condition], lang) + f": {detail}")
    return out


def _blocking(view: CaseView, lang: Language) -> list[str]:
    head = _("What blocks departure now", lang)
    return [head, *(f"  {line}" for line in blocking_text(view, lang))]


def _request_lines(view: CaseView, lang: Language) -> list[str]:
    lines = [_("Requests to the country of origin", lang)]
    if not view.requests:
        return [*lines, "  " + _("none", lang)]
    for r in view.requests:
        kind = labels.code_label(r.kind, lang)
        answer = labels.code_label(r.outcome, lang)
        if r.outcome_on is None:
            taken = _("{n} days so far", lang, n=r.days)
        else:
            taken = r.outcome_on.isoformat() + ", " + _("{n} days", lang, n=r.days)
        line = "  " + _(
            "{id} {kind} {country} submitted {day} · evidence: {evidence} · cooperating: "
            "{cooperating} → {answer} ({taken})",
            lang,
            id=r.request_id,
            kind=kind,
            country=r.country,
            day=r.submitted_on.isoformat(),
            evidence=_value(r.id_evidence, lang),
            cooperating=_value(r.alien_cooperates, lang),
            answer=answer,
            taken=taken,
        )
        if r.reason:
            line += f" · {labels.code_label(r.reason, lang)}"
        if r.document_on:
            line += " · " + _("document {day}", lang, day=r.document_on.isoformat())
        lines.append(line)
    return lines


def _detention_lines(view: CaseView, lang: Language) -> list[str]:
    lines = [_("Immigration detention", lang)]
    if not view.detentions:
        return [*lines, "  " + _("none", lang)]
    for d in view.detentions:
        if d.ended_on is None:
            end = _("still detained", lang)
        else:
            end = f"{d.ended_on.isoformat()} ({labels.code_label(d.end_reason or '', lang)})"
        days = _("{n} days", lang, n=d.days)
        lines.append(f"  {d.detention_id} {d.started_on.isoformat()} - {end}, {days}")
    return lines


def _departure_lines(view: CaseView, lang: Language) -> list[str]:
    lines = [_("Departures", lang)]
    if not view.departures:
        return [*lines, "  " + _("none", lang)]
    for v in view.departures:
        line = f"  {v.departure_id} {v.departed_on.isoformat()} {labels.code_label(v.type, lang)}"
        if v.destination:
            line += f" → {v.destination}"
        if v.assisted:
            line += " · " + _("assisted: {how}", lang, how=labels.code_label(v.assisted, lang))
        lines.append(line)
    return lines


_NOTE_TEXT: Final[dict[ProspectNote, str]] = {
    ProspectNote.FEW_COMPARABLE: N_(
        "Few comparable past cases: the estimate leans on the model's assumptions (effects "
        "add up on the log-odds scale)."
    ),
    ProspectNote.UNSEEN_COUNTRY: N_(
        "No past cases of this nationality: the average of all countries is used, with a "
        "wider interval."
    ),
    ProspectNote.WIDE_INTERVAL: N_("The interval is wide: the data say little about this case."),
}

DISCLAIMER: Final = N_(
    "Decision support, not a decision (GDPR art. 22): it informs the balancing of "
    "interests, which stays with the case officer. Method, model card and limits: "
    "docs/prospect.md."
)


def prospect_lines(prospect: Prospect, lang: Language) -> list[str]:
    """The prospect of removal with its inputs, interval, basis and caveats."""
    lines = [_("Prospect of a demonstrable departure (forced or independent)", lang)]
    if prospect.status is ProspectStatus.NOT_OPEN:
        return [*lines, "  " + _("None: the case is not open.", lang)]
    if prospect.status is ProspectStatus.TOO_LITTLE_DATA:
        return [
            *lines,
            "  " + _("No estimate: too few past cases or departures to learn from.", lang),
            "  " + _(DISCLAIMER, lang),
        ]
    model = prospect.model
    assert model is not None
    level = round(model.options.level * 100)
    for e in prospect.estimates:
        lines.append(
            "  "
            + _(
                "within {months} months: {p} ({level}% interval {low} - {high})",
                lang,
                months=e.months,
                p=percent(e.probability, lang),
                level=level,
                low=percent(e.low, lang),
                high=percent(e.high, lang),
            )
        )
    if prospect.comparable is not None:
        lines.append("  " + _comparable_line(prospect.comparable, lang))
    lines.append("  " + _("Inputs", lang) + ": " + _inputs(prospect, lang))
    lines.append("  " + _model_line(prospect, lang))
    lines += ["  " + _(_NOTE_TEXT[n], lang) for n in prospect.notes]
    lines.append("  " + _(DISCLAIMER, lang))
    return lines


def _comparable_line(comparable: Comparable, lang: Language) -> str:
    departed = ", ".join(
        _("{n} within {months}", lang, n=count(n, lang), months=h)
        for h, n in comparable.departed.items()
    )
    return _(
        "Comparable past cases: {cases} (same nationality, identity evidence, cooperation "
        "and conditions not green: {pattern}); departed demonstrably: {departed} months.",
        lang,
        cases=count(comparable.cases, lang),
        pattern=pattern_text(comparable.pattern, lang),
        departed=departed,
    )


def _inputs(prospect: Prospect, lang: Language) -> str:
    parts = []
    for name, value in prospect.inputs.items():
        label = INPUT_LABEL.get(name) or CONDITION_LABEL.get(name)
        shown = value if name in ("country", "time_open") else _value(value, lang)
        parts.append((_(label, lang) if label else name) + f" {shown}")
    return "; ".join(parts) + _("; nothing else (no sex, age or detention)", lang)


def _model_line(prospect: Prospect, lang: Language) -> str:
    model = prospect.model
    assert model is not None
    first, last = model.landmarks
    return _(
        "Model {version}: learnt from {cases} past cases open on landmarks {first} to "
        "{last}, of which {departed} departed demonstrably within {horizon} months; only "
        "what was known on {as_of}. Countries differ with sd {sd} (log-odds, estimated).",
        lang,
        version=model.version,
        cases=count(model.cases, lang),
        first=first.isoformat(),
        last=last.isoformat(),
        departed=count(model.departed, lang),
        horizon=model.options.horizon,
        as_of=model.as_of.isoformat(),
        sd=decimal(model.country_sd[0], 2, lang),
    )


def _footer(view: CaseView, lang: Language) -> list[str]:
    lines = []
    origin = view.provenance
    if origin.extracted_on is not None:
        extracted, data = _(labels.EXTRACTED, lang), _(labels.FINGERPRINT, lang)
        lines.append(
            f"{extracted}: {origin.extracted_on.isoformat()} · {data}: {origin.fingerprint}"
        )
    if view.logged:
        lines.append(_("This view is recorded in the audit log.", lang))
    if origin.simulated:
        lines.append(labels.SIMULATED)
    return lines


# -- HTML and JSON ---------------------------------------------------------------------------


def case_html(view: CaseView, lang: Language = "nl") -> str:
    """The case view as an HTML fragment (a <section>): the template ``case.html``, which
    escapes every text."""
    lights = [
        {
            "state": light.state,
            "label": _(CONDITION_LABEL[light.condition], lang),
            "text": _(STATE_LABEL[light.state], lang),
            "since": _d(light.since),
            "observed_on": _d(light.observed_on),
        }
        for light in view.lights
    ]
    lists = [(_("What blocks departure now", lang), blocking_text(view, lang))]
    for lines in (
        _request_lines(view, lang),
        _detention_lines(view, lang),
        _departure_lines(view, lang),
        prospect_lines(view.prospect, lang),
    ):
        lists.append((lines[0], lines[1:]))
    return html.render(
        "case.html",
        lang=lang,
        header=_header(view, lang),
        five=_("The five conditions", lang),
        lights=lights,
        lists=[(head, [item.strip() for item in items]) for head, items in lists],
        footer=_footer(view, lang),
    )


def case_document(view: CaseView) -> models.CaseDocument:
    """The case view as a document (rendered by :func:`retour.reports.tabular.json_text`):
    the same content, codes instead of labels."""
    return models.CaseDocument(
        case_id=view.case_id,
        nationality=view.nationality,
        opened_on=view.opened_on,
        closed_on=view.closed_on,
        close_reason=view.close_reason,
        on=view.on,
        open=view.is_open,
        conditions=[models.ConditionDocument(**asdict(x)) for x in view.lights],
        all_green_since=view.all_green_since,
        blockers=list(view.blockers),
        requests=[models.CaseRequestDocument(**asdict(r)) for r in view.requests],
        detentions=[models.CaseDetentionDocument(**asdict(d)) for d in view.detentions],
        departures=[models.CaseDepartureDocument(**asdict(v)) for v in view.departures],
        prospect=_prospect_document(view.prospect),
        simulated=view.provenance.simulated,
        extracted_on=view.provenance.extracted_on,
        logged=view.logged,
    )


def _prospect_document(prospect: Prospect) -> models.ProspectDocument:
    model = prospect.model
    comparable = prospect.comparable
    return models.ProspectDocument(
        status=prospect.status.value,
        version=prospect.version,
        inputs=prospect.inputs,
        estimates=[models.EstimateDocument(**asdict(x)) for x in prospect.estimates],
        level=model.options.level if model else None,
        comparable=models.ComparableDocument(
            pattern=comparable.pattern,
            cases=comparable.cases,
            departed={str(h): n for h, n in comparable.departed.items()},
        )
        if comparable
        else None,
        notes=[n.value for n in prospect.notes],
        model=models.ProspectModelDocument(
            as_of=model.as_of,
            landmarks=list(model.landmarks),
            cases=model.cases,
            departed=model.departed,
            country_sd=list(model.country_sd),
        )
        if model
        else None,
        disclaimer=DISCLAIMER,
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None

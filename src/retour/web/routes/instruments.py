"""The instruments page: list, add and end a country's instruments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from retour.disclosure import Language
from retour.domain.codes import DayCount, RequestKind
from retour.domain.countries import country_codes
from retour.domain.errors import SERVER_FAULTS, RetourError
from retour.domain.terms import TERM_KINDS
from retour.reports.messages import N_, _
from retour.reports.terms import DAY_COUNTS
from retour.service import instruments
from retour.service.context import Retour
from retour.service.instruments import InvalidDatasetError
from retour.web.i18n import error_text, field_name
from retour.web.render import is_htmx, language, render
from retour.web.routes.common import ID_PATTERN, NotFound, User, views
from retour.web.security import retour

router = APIRouter()

# -- instruments ------------------------------------------------------------------------------


def _instruments_page(
    request: Request,
    *,
    status: int = 200,
    message: str | None = None,
    violations: list[str] | None = None,
    error: str | None = None,
    form: instruments.InstrumentForm | None = None,
    terms: TermsAnswer | None = None,
) -> Response:
    app = retour(request)
    listed = instruments.list_instruments(app)
    values = {
        "instruments": listed,
        "message": message,
        "violations": violations or [],
        "error": error,
        "form": form or instruments.InstrumentForm("", "", "", "", "", ""),
        **_terms_values(app, listed, terms or TermsAnswer(), language(request)),
        "as_of": instruments.as_of(app).isoformat(),
        "kinds": [k.value for k in instruments.InstrumentKind],
        "levels": [k.value for k in instruments.InstrumentLevel],
        "statuses": [k.value for k in instruments.InstrumentStatus],
        "countries": sorted(country_codes()),
        "text_limit": app.settings.import_max_text_chars,
    }
    template = "_instruments.html" if is_htmx(request) else "instruments.html"
    return render(request, template, status=status, **values)


@router.get("/instruments", response_class=HTMLResponse)
def instruments_page(request: Request, principal: User) -> Response:
    return _instruments_page(request)


@router.post("/instruments", response_class=HTMLResponse)
def instrument_add(
    request: Request,
    principal: User,
    country: Annotated[str, Form(max_length=8)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    level: Annotated[str, Form(max_length=40)] = "",
    status: Annotated[str, Form(max_length=40)] = "",
    start_on: Annotated[str, Form(max_length=20)] = "",
    end_on: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=2000)] = "",
    source: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = instruments.InstrumentForm(
        country, kind, level, status, start_on, title, end_on=end_on, source=source
    )
    lang = language(request)
    try:
        change = instruments.add_instrument(
            retour(request), form, actor=principal.name, role=principal.role
        )
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        return _refused(request, exc, form)
    views(request).changed()
    return _instruments_page(
        request, message=_("Instrument {id} added.", lang, id=change.instrument.instrument_id)
    )


@router.post("/instruments/{instrument_id}/end", response_class=HTMLResponse)
def instrument_end(
    request: Request,
    instrument_id: str,
    principal: User,
    end_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    if not ID_PATTERN.fullmatch(instrument_id):
        raise NotFound
    lang = language(request)
    try:
        instruments.end_instrument(
            retour(request), instrument_id, end_on, actor=principal.name, role=principal.role
        )
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        return _refused(request, exc)
    views(request).changed()
    return _instruments_page(request, message=_("Instrument {id} ended.", lang, id=instrument_id))


def _refused(
    request: Request, exc: RetourError, form: instruments.InstrumentForm | None = None
) -> Response:
    """The page again (400) with why nothing was saved: every violation of the exchange
    format's rules, or the one error, in the reader's language; the form as it was sent."""
    if isinstance(exc, InvalidDatasetError):
        return _instruments_page(request, status=400, violations=_violations(exc), form=form)
    error = error_text(exc, language(request))
    return _instruments_page(request, status=400, error=error, form=form)


def _violations(exc: InvalidDatasetError) -> list[str]:
    return [
        f"{v.column or ''}: {v.message}" + (f" ({v.value})" if v.value else "")
        for v in exc.violations
    ]


# -- terms: the time limits an agreement sets ----------------------------------------------

#: The fields of the terms form (and of terms.csv) in words: a refusal names them so.
TERM_FIELDS: Final = {
    "term_id": N_("Terms"),
    "instrument_id": N_("Agreement"),
    "request_kind": N_("Kind of request"),
    "reply_days": N_("Days to answer"),
    "day_count": N_("Days counted"),
    "deemed_accepted": N_("No answer counts as acceptance"),
    "document_days": N_("Days to the travel document"),
}


@dataclass(frozen=True, slots=True)
class TermsAnswer:
    """What the terms section says after a post: done, or why not."""

    message: str | None = None
    violations: tuple[str, ...] = ()
    error: str | None = None
    form: instruments.TermForm | None = None


def _terms_values(
    app: Retour, listed: list[instruments.Instrument], answer: TermsAnswer, lang: Language
) -> dict[str, object]:
    return {
        "terms": instruments.list_terms(app),
        "agreements": [i for i in listed if i.kind.value in TERM_KINDS],
        "term_form": answer.form or instruments.TermForm("", "", "", "", ""),
        "term_message": answer.message,
        "term_violations": list(answer.violations),
        "term_error": answer.error,
        "request_kinds": [k.value for k in RequestKind],
        "day_counts": [d.value for d in DayCount],
        "day_count_words": {code: _(words, lang) for code, words in DAY_COUNTS.items()},
    }


@router.post("/instruments/terms", response_class=HTMLResponse)
def term_add(
    request: Request,
    principal: User,
    instrument_id: Annotated[str, Form(max_length=64)] = "",
    request_kind: Annotated[str, Form(max_length=20)] = "",
    reply_days: Annotated[str, Form(max_length=8)] = "",
    day_count: Annotated[str, Form(max_length=20)] = "",
    deemed_accepted: Annotated[str, Form(max_length=20)] = "",
    document_days: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Add terms to an agreement: checked by the rules of an imported terms.csv; audited."""
    form = instruments.TermForm(
        instrument_id, request_kind, reply_days, day_count, deemed_accepted, document_days
    )
    lang = language(request)
    try:
        change = instruments.add_term(
            retour(request), form, actor=principal.name, role=principal.role
        )
    except InvalidDatasetError as exc:
        refused = TermsAnswer(violations=tuple(_term_violations(exc, lang)), form=form)
        return _instruments_page(request, status=400, terms=refused)
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        refused = TermsAnswer(error=error_text(exc, lang), form=form)
        return _instruments_page(request, status=400, terms=refused)
    views(request).changed()
    term = change.term
    said = _("Terms {id} added to {instrument}.", lang, id=term.term_id,
             instrument=term.instrument_id)  # fmt: skip
    return _instruments_page(request, terms=TermsAnswer(message=said))


def _term_violations(exc: InvalidDatasetError, lang: Language) -> list[str]:
    """Each violation as "field in words: what is wrong (the value)"."""
    lines = []
    for v in exc.violations:
        column = v.column or ""
        named = _(TERM_FIELDS[column], lang) if column in TERM_FIELDS else field_name(column, lang)
        value = f" ({v.value})" if v.value else ""
        lines.append(f"{named}: {v.message}{value}")
    return lines

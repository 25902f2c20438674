"""The instruments page: list, add and end a country's instruments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from retour.domain.countries import country_codes
from retour.domain.errors import SERVER_FAULTS, RetourError
from retour.reports.messages import _
from retour.service import instruments
from retour.service.instruments import InvalidDatasetError
from retour.web.i18n import error_text
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
) -> Response:
    app = retour(request)
    listed = instruments.list_instruments(app)
    values = {
        "instruments": listed,
        "message": message,
        "violations": violations or [],
        "error": error,
        "form": form or instruments.InstrumentForm("", "", "", "", "", ""),
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
    except InvalidDatasetError as exc:
        return _instruments_page(request, status=400, violations=_violations(exc), form=form)
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        return _instruments_page(request, status=400, error=error_text(exc, lang), form=form)
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
    except InvalidDatasetError as exc:
        return _instruments_page(request, status=400, violations=_violations(exc))
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        return _instruments_page(request, status=400, error=error_text(exc, lang))
    views(request).changed()
    return _instruments_page(request, message=_("Instrument {id} ended.", lang, id=instrument_id))


def _violations(exc: InvalidDatasetError) -> list[str]:
    return [
        f"{v.column or ''}: {v.message}" + (f" ({v.value})" if v.value else "")
        for v in exc.violations
    ]

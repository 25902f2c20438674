"""The overdue page: the requests past their agreed time limit on a date, filtered by
country, kind, what they wait for and date, as a list (internal profile) or as counts per
country, kind, what and band of days over (parliament, public) -- the rule of
`retour overdue` -- and downloadable as CSV and xlsx (audited as exports)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from retour.disclosure import IS_TOTAL, Language, Profile, accept
from retour.domain.errors import SERVER_FAULTS, RetourError
from retour.reports import labels
from retour.reports import terms as render_terms
from retour.reports.messages import N_, _
from retour.service import audit, terms
from retour.service.audit import Via
from retour.service.terms import OverdueAnswer, TermsFormat
from retour.web.i18n import error_text
from retour.web.render import is_htmx, language, render
from retour.web.routes.common import User, choose_profile, frame, views
from retour.web.security import Principal, retour
from retour.web.views import RowView, TableView, filter_text, label, profile_text

router = APIRouter()

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class OverdueQuery:
    """The filters as typed (trimmed; empty: not filtered)."""

    on: str | None
    country: str | None
    kind: str | None
    what: str | None
    profile: str | None


def _typed(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def overdue_query(
    on: Annotated[str | None, Query(max_length=20)] = None,
    country: Annotated[str | None, Query(max_length=8)] = None,
    kind: Annotated[str | None, Query(max_length=4)] = None,
    what: Annotated[str | None, Query(max_length=20)] = None,
    profile: Annotated[str | None, Query(max_length=20)] = None,
) -> OverdueQuery:
    code, chosen_kind = _typed(country), _typed(kind)
    return OverdueQuery(
        _typed(on),
        code.upper() if code else None,
        chosen_kind.upper() if chosen_kind else None,
        _typed(what),
        _typed(profile),
    )


Asked = Annotated[OverdueQuery, Depends(overdue_query)]


def _answer(request: Request, principal: Principal, asked: OverdueQuery) -> OverdueAnswer:
    chosen, _clamped = choose_profile(principal, asked.profile)
    return terms.overdue(
        retour(request),
        on=asked.on,
        country=asked.country,
        kind=asked.kind,
        what=asked.what,
        profile=chosen,
    )


def _actor(principal: Principal) -> audit.Actor:
    return audit.Actor(principal.name, Via.WEB, principal.role)


@router.get("/overdue", response_class=HTMLResponse)
def overdue_page(request: Request, principal: User, asked: Asked) -> Response:
    chosen, clamped = choose_profile(principal, asked.profile)
    lang = language(request)
    error, table, notes, on = None, None, [], asked.on or ""
    try:
        answer = _answer(request, principal, asked)
        terms.record_overdue(retour(request), answer, "html", _actor(principal))
        table = overdue_view(answer, lang)
        notes = render_terms.status_notes(answer.statuses, lang)
        on = answer.on.isoformat()
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        error = error_text(exc, lang)
    v = views(request)
    values = {
        **frame(request, principal, chosen, clamped),
        "on": on,
        "country": asked.country or "",
        "kind": asked.kind or "",
        "what": asked.what or "",
        "whats": [(code, _(text, lang)) for code, text in render_terms.WHAT.items()],
        "countries": sorted(v.countries(chosen), key=lambda c: labels.country_name(c, lang))
        if not v.version().empty
        else [],
        "overdue": table,
        "notes": notes,
        "error": error,
        "listed": chosen is Profile.INTERNAL,
    }
    template = "_overdue_results.html" if is_htmx(request) else "overdue.html"
    return render(request, template, status=400 if error else 200, **values)


#: What the caption calls each filter.
_WHAT_ALL: Final = N_("answer and travel document")


def overdue_caption(answer: OverdueAnswer, lang: Language) -> str:
    """The table's title and every filter it answers to, in words: the date, the country,
    the kind of request, what is waited for, and the profile."""
    where = label("country", answer.country, lang) if answer.country else None
    kind = labels.code_label(answer.kind, lang) if answer.kind else _("LP and T&O", lang)
    what = _(render_terms.WHAT[answer.what], lang) if answer.what else _(_WHAT_ALL, lang)
    parts = [
        filter_text(N_("country"), where or _("all countries", lang), lang),
        filter_text(N_("kind of request"), kind, lang),
        filter_text(N_("overdue"), what, lang),
        profile_text(answer.rules.profile, lang),
    ]
    title = _("Overdue on {date}", lang, date=answer.on.isoformat())
    return f"{title} — {'; '.join(parts)}"


def overdue_view(answer: OverdueAnswer, lang: Language) -> TableView:
    """The answer as a table of text: the list (the columns of `retour overdue`) or the
    disclosed counts with the bands of days over across."""
    accept(answer, "html")
    title = overdue_caption(answer, lang)
    if answer.listed is not None:
        headers, listed = render_terms.overdue_rows(answer.listed, lang)
        requests = tuple(RowView(tuple(_cell(c) for c in row)) for row in listed)
        return TableView(title, tuple(headers), 1, requests, counts=False)
    assert answer.counts is not None
    display = render_terms.counts_display(answer.counts, lang)
    totals = answer.counts.shown[IS_TOTAL].to_list()
    counted = []
    for row, total in zip(display.iter_rows(), totals, strict=True):
        cells = [_cell(c) for c in row]
        if not total:
            cells[0] = label("country", row[0], lang)
        counted.append(RowView(tuple(cells), total=bool(total)))
    dims = len(answer.counts.row_dims)
    return TableView(title, tuple(display.columns), dims, tuple(counted), counts=True)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _download(
    request: Request, principal: Principal, asked: OverdueQuery, fmt: TermsFormat
) -> Response:
    lang = language(request)
    try:
        answer = _answer(request, principal, asked)
        data = terms.overdue_bytes(retour(request), answer, fmt, lang=lang,
                                   actor=_actor(principal))  # fmt: skip
    except SERVER_FAULTS:
        raise
    except RetourError as exc:
        message = error_text(exc, lang)
        return Response(message, status_code=400, media_type="text/plain; charset=utf-8")
    parts = [answer.on.isoformat(), answer.country, answer.kind, answer.what]
    name = "-".join(["retour-overdue", *(p for p in parts if p), answer.rules.profile.value])
    media = XLSX if fmt is TermsFormat.XLSX else "text/csv; charset=utf-8"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt.value}"'},
    )


@router.get("/overdue/csv")
def overdue_csv(request: Request, principal: User, asked: Asked) -> Response:
    """The overdue answer on the page as CSV (the columns of `retour overdue`); audited."""
    return _download(request, principal, asked, TermsFormat.CSV)


@router.get("/overdue/xlsx")
def overdue_xlsx(request: Request, principal: User, asked: Asked) -> Response:
    """The overdue answer as a workbook (a sheet per country and a summary); audited."""
    return _download(request, principal, asked, TermsFormat.XLSX)

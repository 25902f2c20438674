"""Recording through the API: ``POST /api/{table}``, ``GET`` and ``PATCH /api/{table}/{id}``.

``table`` is one of cases, requests, detentions, departures, conditions; a condition's id is
``case_id:observed_on:condition``. The body is a JSON object of exchange-format columns
(``v_number`` instead of ``case_id`` is pseudonymised as on import). Every answer carries
the row's ``ETag``; a ``PATCH`` names the version it corrects in ``If-Match``. The rules,
the write and the audit are :mod:`retour.service.records`'; this module maps its outcomes
onto the public status codes: 201, 200, 404, 409, 412, 422, 428 (401 and 403 are the
guard's, :mod:`retour.web.security`). ``GET /api/cases/{id}`` is the case view
(:mod:`retour.web.api`), with the case row's ETag.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from retour.disclosure import Language
from retour.service import records
from retour.service.audit import Actor, Via
from retour.service.records import RecordTable
from retour.web import i18n
from retour.web.render import language
from retour.web.security import Forbidden, Principal, guard, retour
from retour.web.views import Views

router = APIRouter(prefix="/api")

Row = Annotated[dict[str, Any], Body(description="exchange-format columns of one row")]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200)]
#: Longest id in a path (a condition's id joins three parts).
MAX_ID = 200


def _principal(principal: Annotated[Principal | None, Depends(guard)]) -> Principal:
    if principal is None:  # the guard refuses this before; kept for the type
        raise Forbidden
    return principal


User = Annotated[Principal, Depends(_principal)]


def _actor(principal: Principal) -> Actor:
    return Actor(principal.name, Via.API, principal.role)


def _language(request: Request) -> Language:
    """``?lang=nl|en`` as on every API route, else the browser session's language."""
    asked = request.query_params.get("lang")
    return i18n.parse(asked) if asked else language(request)


def _changed_data(request: Request) -> None:
    """The data changed: the web's cached answers go at once, not after their seconds."""
    found: Views = request.app.state.views
    found.changed()


def _row(found: records.Recorded, status: int = 200) -> JSONResponse:
    body = {"table": found.table.value, "id": found.row_id, "row": found.values}
    if found.origin is not None:
        body["origin"] = found.origin
    return JSONResponse(body, status_code=status, headers={"ETag": found.etag})


def _refused(request: Request, exc: records.RecordRefusedError) -> JSONResponse:
    lang = _language(request)
    body = {
        "detail": i18n.error_text(exc, lang),
        "violations": [
            {
                "table": exc.table.value,
                "column": v.column,
                "reason": v.reason.value,
                "message": v.message,
                "value": v.value,
                "text": v.format(),
            }
            for v in exc.violations
        ],
    }
    return JSONResponse(body, status_code=422)


def _changed(request: Request, exc: records.ChangedSinceError) -> JSONResponse:
    lang = _language(request)
    body = {
        "detail": i18n.error_text(exc, lang),
        "row": exc.current.values,
        "changes": [c.as_json() for c in exc.changes],
        "imported": exc.imported,
    }
    return JSONResponse(body, status_code=412, headers={"ETag": exc.current.etag})


async def _record(
    request: Request, table: RecordTable, principal: Principal, body: Row
) -> JSONResponse:
    try:
        found = await run_in_threadpool(
            records.record_row, retour(request), table, body, _actor(principal)
        )
    except records.RecordRefusedError as exc:
        return _refused(request, exc)
    _changed_data(request)
    return _row(found, 201)


async def _read(request: Request, table: RecordTable, row_id: str) -> JSONResponse:
    if len(row_id) > MAX_ID or not row_id.isprintable():  # no stored id holds a NUL
        raise records.not_found(table)
    found = await run_in_threadpool(records.read_row, retour(request), table, row_id)
    return _row(found)


async def _correct(
    request: Request,
    table: RecordTable,
    row_id: str,
    principal: Principal,
    body: Row,
    if_match: str | None,
) -> JSONResponse:
    if len(row_id) > MAX_ID or not row_id.isprintable():  # no stored id holds a NUL
        raise records.not_found(table)
    try:
        found = await run_in_threadpool(
            records.correct_row, retour(request), table, row_id, body, if_match, _actor(principal)
        )
    except records.RecordRefusedError as exc:
        return _refused(request, exc)
    except records.ChangedSinceError as exc:
        return _changed(request, exc)
    _changed_data(request)
    return _row(found)


def _routes(table: RecordTable) -> None:
    """POST /api/{table}, GET and PATCH /api/{table}/{row_id} of one table (GET /api/cases/{id}
    is the case view of retour.web.api, which adds the case row and its ETag)."""

    async def record(request: Request, principal: User, body: Row) -> JSONResponse:
        return await _record(request, table, principal, body)

    async def read(request: Request, row_id: str, principal: User) -> JSONResponse:
        return await _read(request, table, row_id)

    async def correct(
        request: Request, row_id: str, principal: User, body: Row, if_match: IfMatch = None
    ) -> JSONResponse:
        return await _correct(request, table, row_id, principal, body, if_match)

    router.add_api_route(f"/{table.value}", record, methods=["POST"], name=f"record_{table}")
    if table is not RecordTable.CASES:
        router.add_api_route(
            f"/{table.value}/{{row_id}}", read, methods=["GET"], name=f"read_{table}"
        )
    router.add_api_route(
        f"/{table.value}/{{row_id}}", correct, methods=["PATCH"], name=f"correct_{table}"
    )


for _table_of_route in RecordTable:
    _routes(_table_of_route)

"""The register of releases (analyst, admin): /releases lists it, newest first; each release
can be downloaded again as it went out (/releases/{release_id}/file)."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from retour.reports import releases as render_releases
from retour.service import audit, releases
from retour.service.audit import Via
from retour.web.render import language, render
from retour.web.routes.common import User
from retour.web.security import retour

router = APIRouter()

#: The media type of each registered format.
MEDIA_TYPES: Final = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@router.get("/releases", response_class=HTMLResponse)
def releases_page(
    request: Request,
    principal: User,
    what: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    del principal  # the route's permission (analyst, admin) is checked before
    register = releases.listed(retour(request), what=what, since=since)
    lang = language(request)
    rows = register.rows
    return render(
        request,
        "releases.html",
        rows=[[*render_releases.list_row(r), render_releases.check_short(r, lang)] for r in rows],
        headers=render_releases.headers(render_releases.LIST_HEADERS, lang),
        what=what or "",
        since=since or "",
        more=register.limit if register.more else None,
    )


@router.get("/releases/{release_id}/file")
def release_file(request: Request, release_id: str, principal: User) -> Response:
    """The release's bytes, as they went out (recorded as given out again)."""
    actor = audit.Actor(principal.name, Via.WEB, principal.role)
    row, data = releases.reproduced(retour(request), release_id, actor)
    name = f"release-{row.id}-{row.what}{releases.suffix(row)}"
    return Response(
        data,
        media_type=MEDIA_TYPES.get(row.format, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

"""Every refused access to a case or an export, and every refused import, is in the audit
log -- who (when known), what was refused, why -- and nothing of what was asked for."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from retour.service import audit
from retour.service.accounts import Role
from retour.service.context import Retour

from ..exchange.conftest import VALID, replace_line
from .conftest import TestClient, page_csrf
from .test_pages import zipped

CASE = "C00042"


def last(app: Retour) -> audit.AuditEntry:
    return audit.read_log(app, limit=1)[0]


def entries(app: Retour) -> list[audit.AuditEntry]:
    return audit.read_log(app, limit=1000)


@pytest.mark.parametrize(
    ("role", "method", "path", "subject", "status", "reason"),
    [
        pytest.param(Role.VIEWER, "GET", f"/cases/{CASE}", "case", 403, "role", id="case-page"),
        pytest.param(Role.ANALYST, "GET", f"/api/cases/{CASE}", "case", 403, "role", id="case-api"),
        pytest.param(Role.VIEWER, "GET", "/cases", "case", 403, "role", id="case-search"),
        pytest.param(None, "GET", f"/cases/{CASE}", "case", 401, "sign_in", id="case-anonymous"),
        pytest.param(None, "GET", "/figures/workbook", "workbook", 401, "sign_in", id="workbook"),
        pytest.param(
            None, "GET", "/figures/csv?country=NG", "figures_csv", 401, "sign_in", id="csv"
        ),
        pytest.param(None, "GET", "/countries/NG/brief", "brief", 401, "sign_in", id="brief"),
        pytest.param(
            Role.VIEWER,
            "GET",
            "/api/figures/requests?profile=internal",
            "api",
            403,
            "profile",
            id="api-profile",
        ),
        pytest.param(Role.ANALYST, "GET", "/import", "import", 403, "role", id="import-page"),
        pytest.param(Role.CASEWORKER, "GET", "/audit", "audit", 403, "role", id="audit"),
    ],
)
def test_a_refused_request_is_recorded_without_what_was_asked(
    client_for: Callable[[Role | None], TestClient],
    loaded: Retour,
    role: Role | None,
    method: str,
    path: str,
    subject: str,
    status: int,
    reason: str,
) -> None:
    client = client_for(role)
    before = len(entries(loaded))
    answer = client.request(method, path, follow_redirects=False)
    assert answer.status_code in ({401, 303} if status == 401 else {403})
    entry = last(loaded)
    assert len(entries(loaded)) == before + 1
    assert entry.action == "access_refused" and entry.subject == subject
    assert entry.detail == {"status": status, "reason": reason, "method": method}
    assert entry.actor == (role.value if role else audit.UNKNOWN_ACTOR)
    assert entry.role == (role.value if role else None)
    recorded = f"{entry.subject} {entry.detail}"
    assert CASE not in recorded and "NG" not in recorded  # nothing from the address


def test_a_refused_upload_is_recorded(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    viewer = client_for(Role.VIEWER)
    files = {"dataset": ("extract.zip", zipped(VALID), "application/zip")}
    refused = viewer.post("/import", data={"csrf_token": page_csrf(viewer)}, files=files)
    assert refused.status_code == 403
    assert (last(loaded).action, last(loaded).subject, last(loaded).detail["reason"]) == (
        "access_refused", "import", "role",
    )  # fmt: skip
    admin = client_for(Role.ADMIN)
    no_token = admin.post("/import", files=files)
    assert no_token.status_code == 403
    assert (last(loaded).actor, last(loaded).detail["reason"]) == ("admin", "csrf")


@pytest.mark.parametrize(
    ("name", "content", "detail"),
    [
        pytest.param("notes.txt", b"hello", {"reason": "file_name"}, id="not-a-container"),
        # a broken archive is a violation of the import, named by the file's own name
        pytest.param(
            "broken.zip", b"this is not a zip archive", {"violations": 1}, id="unreadable"
        ),
    ],
)
def test_an_upload_refused_before_it_is_read_is_recorded(
    client_for: Callable[[Role | None], TestClient],
    loaded: Retour,
    name: str,
    content: bytes,
    detail: dict[str, object],
) -> None:
    admin = client_for(Role.ADMIN)
    answer = admin.post(
        "/import",
        data={"csrf_token": page_csrf(admin)},
        files={"dataset": (name, content, "application/octet-stream")},
    )
    assert answer.status_code >= 400
    assert "retour-upload-" not in answer.text  # nothing of the server's temporary folder
    if "violations" in detail:
        assert "broken.zip" in answer.text  # the violation names the file, not a server path
    entry = last(loaded)
    assert (entry.action, entry.actor, entry.detail) == (
        "import_refused",
        "admin",
        detail,
    )
    assert name not in f"{entry.subject} {entry.detail}"  # the file's name is not kept


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_import_page_lists_each_violation_with_its_reason_code(
    client_for: Callable[[Role | None], TestClient], loaded: Retour, lang: str
) -> None:
    admin = client_for(Role.ADMIN)
    admin.post("/lang", data={"lang": lang, "next": "/", "csrf_token": page_csrf(admin)})
    bad = replace_line(VALID, "cases.csv", 2, "C1,XX,2020-01-05,M,1990,,")
    bad = replace_line(
        bad, "requests.csv", 2, "R1,C1,LP,MA,yesterday,document,yes,positive,2020-03-01,,2020-03-10"
    )
    answer = admin.post(
        "/import",
        data={"csrf_token": page_csrf(admin)},
        files={"dataset": ("bad.zip", zipped(bad), "application/zip")},
    )
    assert answer.status_code == 400
    assert ("reden (code)" if lang == "nl" else "reason (code)") in answer.text
    assert '<code class="reason">unknown_country</code>' in answer.text
    assert '<code class="reason">not_a_date</code>' in answer.text
    assert last(loaded).action == "import_refused"


def test_pages_that_are_not_exports_are_not_recorded_when_refused(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    before = len(entries(loaded))
    anonymous = client_for(None)
    assert anonymous.get("/", follow_redirects=False).status_code == 303
    assert anonymous.get("/figures", follow_redirects=False).status_code == 303
    assert len(entries(loaded)) == before


def test_an_upload_over_the_size_limit_is_recorded(
    client_for: Callable[[Role | None], TestClient],
    loaded: Retour,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retour.web.routes import imports

    monkeypatch.setattr(imports, "MAX_UPLOAD", 100)
    admin = client_for(Role.ADMIN)
    answer = admin.post(
        "/import",
        data={"csrf_token": page_csrf(admin)},
        files={"dataset": ("extract.zip", zipped(VALID), "application/zip")},
    )
    assert answer.status_code == 413
    entry = last(loaded)
    assert (entry.action, entry.detail) == ("import_refused", {"reason": "too_large"})

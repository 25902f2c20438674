"""The audit page names what happened in words of the reader's language, never the log's
codes: actions (in the table and in the filter), roles, the face (via) and what a refused
request was for. The log itself keeps the codes (/api/audit, retour audit --format json)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from retour.reports.messages import _
from retour.service.accounts import Role
from retour.service.audit import AuditAction
from retour.web.i18n import ROLE_NAMES
from retour.web.routes.audit import ACTION_WORDS

from .conftest import TestClient

#: (action code, what the page says) in each language
SAID = {
    "nl": [("view_audit", "auditlog bekeken"), ("login", "aangemeld"),
           ("access_refused", "toegang geweigerd")],
    "en": [("view_audit", "audit log viewed"), ("login", "signed in"),
           ("access_refused", "access refused")],
}  # fmt: skip
REFUSED = {"nl": "het auditlog", "en": "the audit log"}
VIA = {"nl": "webpagina", "en": "web page"}


def _cells(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", body)]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_audit_page_says_actions_roles_and_faces_in_words(
    client_for: Callable[[Role | None], TestClient], lang: str
) -> None:
    assert client_for(Role.ANALYST).get("/audit").status_code == 403  # a refusal, logged
    admin = client_for(Role.ADMIN)
    admin.cookies.set("retour_lang", lang)
    admin.get("/audit")  # the first view is in the log of the second
    html = admin.get("/audit").text
    cells = _cells(html)
    for code, words in SAID[lang]:
        assert words in cells, (code, cells[:20])
        assert code not in cells
        assert f'<option value="{code}">{words}</option>' in html
    rows = [cells[i : i + 9] for i in range(0, len(cells), 9)]  # #, when, who, role, ...
    roles, faces = {r[3] for r in rows}, {r[7] for r in rows}
    assert _(ROLE_NAMES[Role.ADMIN], lang) in roles and "admin" not in roles  # type: ignore[arg-type]
    assert VIA[lang] in faces and "web" not in faces
    assert REFUSED[lang] in cells


def test_every_action_has_its_words() -> None:
    assert set(ACTION_WORDS) == set(AuditAction)

"""The audit log page."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from retour.disclosure import Language, Profile
from retour.reports.messages import N_, _
from retour.service import audit
from retour.service.audit import AuditAction, Via
from retour.web import i18n
from retour.web.render import language, render
from retour.web.routes.common import MAX_ROW_ID, User
from retour.web.security import retour

router = APIRouter()

AUDIT_PAGE: Final = 100
#: What the audit page calls each action (the log keeps the code).
ACTION_WORDS: Final[dict[AuditAction, str]] = {
    AuditAction.LOGIN: N_("signed in"),
    AuditAction.LOGIN_FAILED: N_("sign-in failed"),
    AuditAction.LOCKED_OUT: N_("locked out"),
    AuditAction.LOGOUT: N_("signed out"),
    AuditAction.VIEW_CASE: N_("case viewed"),
    AuditAction.ACCESS_REFUSED: N_("access refused"),
    AuditAction.EXPORT_WORKBOOK: N_("press workbook exported"),
    AuditAction.EXPORT_FIGURES: N_("figures exported"),
    AuditAction.EXPORT_REPORT: N_("report exported"),
    AuditAction.EXPORT_API: N_("answered through the API"),
    AuditAction.EXPORT_DATASET: N_("dataset exported"),
    AuditAction.IMPORT_DATASET: N_("dataset imported"),
    AuditAction.IMPORT_REFUSED: N_("import refused"),
    AuditAction.INSTRUMENT_ADDED: N_("instrument added"),
    AuditAction.INSTRUMENT_ENDED: N_("instrument ended"),
    AuditAction.TERM_ADDED: N_("time limits added"),
    AuditAction.VIEW_AUDIT: N_("audit log viewed"),
    AuditAction.USER_ADDED: N_("user added"),
    AuditAction.USER_DISABLED: N_("user disabled"),
    AuditAction.USER_ENABLED: N_("user enabled"),
    AuditAction.TOKEN_CREATED: N_("token created"),
    AuditAction.TOKEN_REVOKED: N_("token revoked"),
    AuditAction.MAPPING_SAVED: N_("mapping saved"),
    AuditAction.MAPPING_DELETED: N_("mapping deleted"),
    AuditAction.REPRODUCE_RELEASE: N_("release reproduced"),
    AuditAction.RECORD_ADDED: N_("row recorded"),
    AuditAction.RECORD_CORRECTED: N_("row corrected"),
}
VIA_WORDS: Final[dict[Via, str]] = {
    Via.WEB: N_("web page"),
    Via.API: N_("API"),
    Via.CLI: N_("command line"),
}
#: What a refusal was of (retour.web.permissions.AUDITED_REFUSALS), in words.
REFUSAL_WORDS: Final[dict[str, str]] = {
    "case": N_("a case"),
    "workbook": N_("the press workbook"),
    "figures_csv": N_("figures as CSV"),
    "brief": N_("a country brief"),
    "api": N_("the API's figures"),
    "import": N_("the import"),
    "audit": N_("the audit log"),
    "releases": N_("the releases"),
    "overdue": N_("the overdue requests"),
}

#: What the audit page calls each key of an entry's details (the log keeps the key); a key
#: not named here is shown as it is.
DETAIL_WORDS: Final[dict[str, str]] = {
    "country": N_("country"),
    "kind": N_("kind"),
    "extracted_on": N_("extraction date"),
    "format": N_("format"),
    "n": N_("number"),
    "status": N_("status"),
    "profile": N_("profile"),
    "fingerprint": N_("data fingerprint"),
    "simulated": N_("simulated"),
    "by": N_("by"),
    "years": N_("years"),
    "year": N_("year"),
    "source": N_("source"),
    "on": N_("date"),
    "import": N_("import"),
    "table": N_("table"),
    "rows": N_("rows"),
    "recorded": N_("recorded"),
    "reason": N_("reason"),
    "period": N_("period"),
    "lang": N_("language"),
    "what": N_("what"),
    "since": N_("since"),
    "since_release": N_("since release"),
    "on_conflict": N_("on conflict"),
    "kept_recorded": N_("recorded rows kept"),
    "replaced_recorded": N_("recorded rows replaced"),
    "violations": N_("violations"),
    "mapping": N_("mapping"),
    "release": N_("release"),
    "request_kind": N_("kind of request"),
    "instrument_id": N_("instrument"),
    "start_on": N_("start"),
    "end_on": N_("end"),
}


# -- audit ------------------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    principal: User,
    before: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    app = retour(request)
    chosen = None
    if action:
        try:
            chosen = AuditAction(action)
        except ValueError:
            chosen = None
    entries = audit.read_log(app, limit=AUDIT_PAGE, before_id=before, action=chosen)
    audit.record(
        app, AuditAction.VIEW_AUDIT, actor=principal.name, role=principal.role, via=Via.WEB
    )
    older = entries[-1].id if len(entries) == AUDIT_PAGE else None
    return render(
        request,
        "audit.html",
        entries=entries,
        older=older,
        action=chosen.value if chosen else "",
        actions=[a.value for a in AuditAction],
        words=_audit_words(language(request)),
    )


def _audit_words(lang: Language) -> dict[str, dict[str, str]]:
    """The page's words for the log's codes: actions, profiles, faces (via) and refused
    subjects (roles: the templates' ``role_name``)."""
    return {
        "actions": {a.value: _(w, lang) for a, w in ACTION_WORDS.items()},
        "profiles": {p.value: i18n.profile_name(p, lang) for p in Profile},
        "via": {v.value: _(w, lang) for v, w in VIA_WORDS.items()},
        "refused": {s: _(w, lang) for s, w in REFUSAL_WORDS.items()},
        "detail": {k: _(w, lang) for k, w in DETAIL_WORDS.items()},
    }

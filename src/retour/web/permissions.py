"""Who may do what: roles, their permissions and publication profiles, and every route.

This is the one place where access is written down (OpenSPP's rule). The web enforces it
for every request from :data:`ROUTES` alone -- a route that is not in the table is refused
-- and a test walks every route of the application and checks it against this table, for
every role.

Roles
-----
``viewer``      figures, country pages and the press workbook under the public profile only;
                no case data.
``analyst``     as viewer, and the parliament and internal profiles; instruments and their
                terms; the overdue requests (listed under internal); the register of
                releases.
``caseworker``  as viewer, and the case pages (the five conditions and prospect); the
                overdue requests (counted, under its public profile); recording
                and correcting the rows of a case (the API's /api/{table}).
``admin``       everything: imports, the audit log, instruments, cases, all profiles.

The profile follows the role: a request for a profile the role does not have is answered
under the safest one (pages, with a notice) or refused (API), whatever it carries.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from retour.disclosure import Profile
from retour.service.accounts import Role


class Permission(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not: the login page, static files, language
    SIGNED_IN = "signed_in"  # any signed-in user: logout, who am I
    VIEW_FIGURES = "view_figures"  # overview, countries, figures (under the role's profiles)
    EXPORT_WORKBOOK = "export_workbook"  # the press workbook, figures as CSV (audited)
    VIEW_CASES = "view_cases"  # a case's five conditions and prospect (audited)
    MANAGE_INSTRUMENTS = "manage_instruments"  # list, add and end instruments
    IMPORT_DATA = "import_data"  # upload a dataset
    VIEW_AUDIT = "view_audit"  # read the audit log
    VIEW_RELEASES = "view_releases"  # the register of releases, and each release's file
    RECORD_DATA = "record_data"  # record and correct rows of a case (API, case page)
    VIEW_OVERDUE = "view_overdue"  # requests past their agreed time limit, CSV, xlsx (audited)


_EVERYONE: Final = frozenset({Permission.VIEW_FIGURES, Permission.EXPORT_WORKBOOK})

#: What each role may do (PUBLIC and SIGNED_IN are implied for every signed-in user).
GRANTS: Final[dict[Role, frozenset[Permission]]] = {
    Role.VIEWER: _EVERYONE,
    Role.ANALYST: _EVERYONE
    | {Permission.MANAGE_INSTRUMENTS, Permission.VIEW_OVERDUE, Permission.VIEW_RELEASES},
    Role.CASEWORKER: _EVERYONE
    | {Permission.VIEW_CASES, Permission.RECORD_DATA, Permission.VIEW_OVERDUE},
    Role.ADMIN: frozenset(Permission),
}

#: The publication profiles of each role, safest first: the first is the default.
PROFILES: Final[dict[Role, tuple[Profile, ...]]] = {
    Role.VIEWER: (Profile.PUBLIC,),
    Role.ANALYST: (Profile.PUBLIC, Profile.PARLIAMENT, Profile.INTERNAL),
    Role.CASEWORKER: (Profile.PUBLIC,),
    Role.ADMIN: (Profile.PUBLIC, Profile.PARLIAMENT, Profile.INTERNAL),
}

#: The tables of the recording API, cases first (retour.service.records.RecordTable).
_RECORDED: Final = ("cases", "requests", "detentions", "departures", "conditions")

#: Every route of the application: (method, path template) -> the permission it needs.
#: HEAD is answered as GET. ``/static`` is the mounted folder of assets.
ROUTES: Final[dict[tuple[str, str], Permission]] = {
    # signing in and out, language, assets
    ("GET", "/login"): Permission.PUBLIC,
    ("POST", "/login"): Permission.PUBLIC,
    ("POST", "/logout"): Permission.SIGNED_IN,
    ("POST", "/lang"): Permission.PUBLIC,
    ("GET", "/static"): Permission.PUBLIC,
    ("GET", "/healthz"): Permission.PUBLIC,
    # pages
    ("GET", "/"): Permission.VIEW_FIGURES,
    ("GET", "/countries/{code}"): Permission.VIEW_FIGURES,
    ("GET", "/countries/{code}/brief"): Permission.VIEW_FIGURES,
    ("GET", "/figures"): Permission.VIEW_FIGURES,
    ("GET", "/figures/workbook"): Permission.EXPORT_WORKBOOK,
    ("GET", "/figures/csv"): Permission.EXPORT_WORKBOOK,
    ("GET", "/cases"): Permission.VIEW_CASES,
    ("POST", "/cases"): Permission.VIEW_CASES,
    ("GET", "/cases/{case_id}"): Permission.VIEW_CASES,
    ("POST", "/cases/{case_id}/record"): Permission.RECORD_DATA,
    ("GET", "/instruments"): Permission.MANAGE_INSTRUMENTS,
    ("POST", "/instruments"): Permission.MANAGE_INSTRUMENTS,
    ("POST", "/instruments/{instrument_id}/end"): Permission.MANAGE_INSTRUMENTS,
    ("POST", "/instruments/terms"): Permission.MANAGE_INSTRUMENTS,
    ("GET", "/overdue"): Permission.VIEW_OVERDUE,
    ("GET", "/overdue/csv"): Permission.VIEW_OVERDUE,
    ("GET", "/overdue/xlsx"): Permission.VIEW_OVERDUE,
    ("GET", "/import"): Permission.IMPORT_DATA,
    ("POST", "/import"): Permission.IMPORT_DATA,
    ("POST", "/import/mappings"): Permission.IMPORT_DATA,
    ("GET", "/import/mappings/{name}"): Permission.IMPORT_DATA,
    ("POST", "/import/mappings/{name}/delete"): Permission.IMPORT_DATA,
    ("GET", "/audit"): Permission.VIEW_AUDIT,
    ("GET", "/releases"): Permission.VIEW_RELEASES,
    ("GET", "/releases/{release_id}/file"): Permission.VIEW_RELEASES,
    # the JSON API (a bearer token, or the session of the browser)
    ("GET", "/api/me"): Permission.SIGNED_IN,
    ("GET", "/api/countries"): Permission.VIEW_FIGURES,
    ("GET", "/api/countries/{code}"): Permission.VIEW_FIGURES,
    ("GET", "/api/figures/requests"): Permission.VIEW_FIGURES,
    ("GET", "/api/figures/detentions"): Permission.VIEW_FIGURES,
    ("GET", "/api/figures/departures"): Permission.VIEW_FIGURES,
    ("GET", "/api/instruments"): Permission.MANAGE_INSTRUMENTS,
    ("GET", "/api/cases/{case_id}"): Permission.VIEW_CASES,
    ("GET", "/api/audit"): Permission.VIEW_AUDIT,
    # recording (retour.web.records; GET /api/cases/{case_id} is the case view above)
    **{("POST", f"/api/{t}"): Permission.RECORD_DATA for t in _RECORDED},
    **{("GET", f"/api/{t}/{{row_id}}"): Permission.RECORD_DATA for t in _RECORDED[1:]},
    **{("PATCH", f"/api/{t}/{{row_id}}"): Permission.RECORD_DATA for t in _RECORDED},
}

#: Routes whose refusals (sign-in required, role or profile not allowed, CSRF) are written
#: to the audit log: the case pages and every export and import, by what was refused.
#: Never the values in the path (a case id typed in the address may be an alien number).
AUDITED_REFUSALS: Final[dict[tuple[str, str], str]] = {
    ("GET", "/cases"): "case",
    ("POST", "/cases"): "case",
    ("GET", "/cases/{case_id}"): "case",
    ("GET", "/api/cases/{case_id}"): "case",
    ("GET", "/figures/workbook"): "workbook",
    ("GET", "/figures/csv"): "figures_csv",
    ("GET", "/countries/{code}/brief"): "brief",
    ("GET", "/api/countries"): "api",
    ("GET", "/api/countries/{code}"): "api",
    ("GET", "/api/figures/requests"): "api",
    ("GET", "/api/figures/detentions"): "api",
    ("GET", "/api/figures/departures"): "api",
    ("GET", "/api/instruments"): "api",
    ("GET", "/import"): "import",
    ("POST", "/import"): "import",
    ("POST", "/import/mappings"): "import",
    ("GET", "/import/mappings/{name}"): "import",
    ("POST", "/import/mappings/{name}/delete"): "import",
    ("GET", "/audit"): "audit",
    ("GET", "/api/audit"): "audit",
    ("GET", "/releases"): "releases",
    ("GET", "/releases/{release_id}/file"): "releases",
    ("GET", "/overdue"): "overdue",
    ("GET", "/overdue/csv"): "overdue",
    ("GET", "/overdue/xlsx"): "overdue",
    # recording: every refusal of a route of the recording API
    **{route: "record" for route, p in ROUTES.items() if p is Permission.RECORD_DATA},
}


def refusal_subject(method: str, path: str) -> str | None:
    """What the audit log calls a refused request to this route (None: not audited)."""
    return AUDITED_REFUSALS.get(("GET" if method == "HEAD" else method, path))


def allows(role: Role, permission: Permission) -> bool:
    """Whether a signed-in user of `role` has `permission`."""
    if permission in {Permission.PUBLIC, Permission.SIGNED_IN}:
        return True
    return permission in GRANTS[role]


def profiles(role: Role) -> tuple[Profile, ...]:
    return PROFILES[role]


def route_permission(method: str, path: str) -> Permission | None:
    """The permission of a route, or None when the route is not in the table (refused)."""
    return ROUTES.get(("GET" if method == "HEAD" else method, path))

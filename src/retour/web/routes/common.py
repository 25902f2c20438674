"""The pieces every page shares: who is signed in, the views, the profile to answer under,
the frame around the figures, and what an address may hold."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any, Final

from fastapi import Depends, Request

from retour.disclosure import Language, Profile
from retour.domain.countries import country_codes
from retour.domain.errors import UsageError
from retour.reports import labels
from retour.web.i18n import readable
from retour.web.render import language
from retour.web.security import Forbidden, Principal, guard
from retour.web.views import Views

#: What a case id, an instrument id or a country code in a URL may look like.
ID_PATTERN: Final = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
#: The largest row id a database holds (a signed 64-bit integer): a larger `before` is a 422.
MAX_ROW_ID: Final = 2**63 - 1


class NotFound(Exception):  # noqa: N818 - answered as a 404 page
    pass


def signed_in(principal: Annotated[Principal | None, Depends(guard)]) -> Principal:
    if principal is None:  # the guard refuses this before; kept for the type
        raise Forbidden
    return principal


User = Annotated[Principal, Depends(signed_in)]


def views(request: Request) -> Views:
    found: Views = request.app.state.views
    return found


def choose_profile(principal: Principal, asked: str | None) -> tuple[Profile, bool]:
    """The profile to answer under: the one asked if the role allows it, else the safest
    the role allows (and whether that was a substitution, to say so on the page)."""
    allowed = principal.profiles
    if not asked:
        return allowed[0], False
    try:
        wanted = Profile.parse(asked)
    except UsageError:
        return allowed[0], True
    return (wanted, False) if wanted in allowed else (allowed[0], True)


def frame(
    request: Request, principal: Principal, profile: Profile, clamped: bool
) -> dict[str, Any]:
    """What every figures page shows around its content."""
    lang = language(request)
    version = views(request).version()
    rules = views(request).rules(profile)
    return {
        "profile": profile,
        "profiles": principal.profiles,
        "clamped": clamped,
        "profile_line": labels.profile_line(rules, lang),
        "provenance": version.provenance,
        "empty": version.empty,
    }


def country_code(code: str) -> str:
    clean = code.strip().upper()
    if clean not in country_codes():
        raise NotFound
    return clean


def readable_notes(notes: Iterable[str], lang: Language) -> tuple[str, ...]:
    """The notes of an answer as a reader reads them: codes in words."""
    return tuple(readable(note, lang) for note in notes)

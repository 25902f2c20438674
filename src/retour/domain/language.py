"""The languages retour speaks to its readers: Dutch (the default) and English."""

from __future__ import annotations

from typing import Final, Literal

from retour.domain.errors import N_, Field, UsageError

Language = Literal["nl", "en"]

#: Every language, the default first.
LANGUAGES: Final[tuple[Language, ...]] = ("nl", "en")
DEFAULT: Final[Language] = "nl"


def parse_language(text: str) -> Language:
    """``nl`` or ``en`` (any case, spaces around); anything else is a usage error."""
    code = text.strip().lower()
    if code == "nl":
        return "nl"
    if code == "en":
        return "en"
    raise UsageError(
        N_("Unknown language {value!r}."),
        hint=N_("Choose nl or en."),
        field=Field.LANGUAGE,
        value=text,
    )

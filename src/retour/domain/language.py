"""The languages retour speaks to its readers: Dutch (the default) and English."""

from __future__ import annotations

from typing import Final, Literal

Language = Literal["nl", "en"]

#: Every language, the default first.
LANGUAGES: Final[tuple[Language, ...]] = ("nl", "en")
DEFAULT: Final[Language] = "nl"

"""What a reader sees of an output, and the raw codes that must not be in it.

A code of :mod:`retour.domain.codes` written as the data write it (``in_force``,
``insufficient_information``) is never a word of either language. A one-word code
(``pending``, ``forced``, ``yes``) is an English word, so it is a raw code only in a Dutch
text -- unless it is also Dutch (``document``) or a name (``LP``).
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from html.parser import HTMLParser

from retour.analysis.effects import Verdict
from retour.domain import codes
from retour.domain.language import Language
from retour.reports.labels import SIMULATED

#: One-word codes that are also Dutch, or names in both languages.
DUTCH_TOO = frozenset({"document", "LP", "F", "M", "X"})


@cache
def _codes() -> tuple[frozenset[str], frozenset[str]]:
    """(codes with an underscore, one-word codes) of every enum of the domain and the
    verdicts of the effect estimates."""
    enums = [v for v in vars(codes).values() if isinstance(v, type) and issubclass(v, StrEnum)]
    values = {str(m.value) for e in (*enums, Verdict) for m in e}
    snake = frozenset(v for v in values if "_" in v)
    return snake, frozenset(v for v in values - snake if " " not in v) - DUTCH_TOO


def raw_codes(text: str, lang: Language) -> list[str]:
    """The raw codes in ``text``, a reader's text in ``lang``."""
    snake, words = _codes()
    text = text.replace(SIMULATED, "").replace("/ simulated data", "")  # both on purpose
    found = sorted(c for c in snake if re.search(rf"\b{re.escape(c)}\b", text))
    if lang == "nl":
        found += sorted(
            c for c in words if re.search(rf"(?<![\w&-]){re.escape(c)}(?![\w&-])", text)
        )
        found += [v for v in (Verdict.TOO_LITTLE_DATA, Verdict.NO_CLEAR_CHANGE) if v in text]
    return found


class _Visible(HTMLParser):
    """The text of an HTML page a reader sees: not its scripts, styles or chart data."""

    def __init__(self, guides: bool) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self._guides = guides

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in {"script", "style"}
        found = dict(attrs)
        if not self._guides and found.get("aria-roledescription") in {"axis", "legend"}:
            return
        self.parts += [v for k, v in attrs if k in {"aria-label", "title", "alt"} and v]

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in {"script", "style"}

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(page: str, *, guides: bool = True) -> str:
    """The words of an HTML page (with its charts' SVG texts and descriptions for screen
    readers; ``guides=False``: but those of their axes and legends), one part a line."""
    reader = _Visible(guides)
    reader.feed(page)
    return "\n".join(p.strip() for p in reader.parts if p.strip())

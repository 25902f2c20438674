"""Is a text written in one language only? Checked against retour's message catalog: no text
of the catalog may appear in the other language's version, and no raw code either."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from retour.domain.language import Language

PO = Path(__file__).resolve().parents[1] / "src/retour/locale/nl/LC_MESSAGES/retour.po"
#: Pieces of a catalog text between its placeholders, at least this long, are looked for.
MIN_PIECE = 12


@cache
def pairs() -> tuple[tuple[str, str], ...]:
    """(English, Dutch) for every text whose two versions differ."""
    with PO.open("rb") as file:
        catalog = read_po(file)
    return tuple(
        (m.id, m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.id != m.string
    )


def _pieces(text: str) -> list[str]:
    """The fixed parts of a catalog text (between its {placeholders}), long enough to be
    telling: "within {months} months" gives nothing, a sentence gives its clauses."""
    return [p.strip() for p in re.split(r"\{[^}]*\}", text) if len(p.strip()) >= MIN_PIECE]


def foreign_texts(text: str, lang: Language) -> list[str]:
    """The catalog texts of the *other* language found in ``text``."""
    found = []
    for english, dutch in pairs():
        other, own = (english, dutch) if lang == "nl" else (dutch, english)
        for piece in _pieces(other):
            if piece in text and piece not in own:
                found.append(piece)
    return found

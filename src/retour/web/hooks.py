"""Parts of pages that wait for use cases other issues are building.

Each page shows such a part as "not available yet", naming the service it waits for, and
the API answers ``null`` with the same name under ``not_available``. When the service
lands, the page calls it in place of the marker; nothing here reimplements its logic.
"""

from __future__ import annotations

from dataclasses import dataclass

from retour.disclosure import Language


@dataclass(frozen=True, slots=True)
class Pending:
    """A part of a page that waits for `hook` (a service module or function)."""

    key: str
    what: tuple[str, str]
    hook: str

    def text(self, lang: Language) -> str:
        return self.what[0] if lang == "nl" else self.what[1]

    def as_json(self) -> dict[str, str]:
        return {"part": self.key, "waits_for": self.hook}


READY = Pending(
    "ready_to_return",
    (
        "de maandelijkse telling klaar voor vertrek (de vijf condities)",
        "the month-end ready-to-return count (the five conditions)",
    ),
    "retour.service.cases (#6)",
)
CASE = Pending(
    "case",
    ("de vijf condities en het vooruitzicht van een zaak", "a case's five conditions and prospect"),
    "retour.service.cases (#6)",
)

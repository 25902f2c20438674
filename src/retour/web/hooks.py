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


SCALE = Pending(
    "scale",
    ("de samenwerkingsindex per land", "the cooperation index per country"),
    "retour.service.cooperation (retour assess)",
)
TRENDS = Pending(
    "trends",
    ("de ontwikkeling van de samenwerkingsindex", "the trend of the cooperation index"),
    "retour.service.cooperation (retour assess)",
)
READY = Pending(
    "ready_to_return",
    (
        "de maandelijkse telling klaar voor vertrek (de vijf condities)",
        "the month-end ready-to-return count (the five conditions)",
    ),
    "retour.service.cases (#6)",
)
INDEX = Pending(
    "index",
    ("de samenwerkingsindex met zijn band", "the cooperation index with its band"),
    "retour.service.cooperation + retour.reports.charts",
)
ANSWER_TIMES = Pending(
    "answer_times",
    ("de antwoordtijdcurven", "the answer-time curves"),
    "retour.service.cooperation + retour.reports.charts",
)
EFFECTS = Pending(
    "effects",
    ("de geschatte effecten van instrumenten", "the estimated effects of instruments"),
    "retour.service.cooperation (retour effects) + retour.reports.charts",
)
BRIEF = Pending(
    "brief",
    ("de landenbrief", "the country brief"),
    "retour.service.cooperation (retour report country)",
)
CASE = Pending(
    "case",
    ("de vijf condities en het vooruitzicht van een zaak", "a case's five conditions and prospect"),
    "retour.service.cases (#6)",
)

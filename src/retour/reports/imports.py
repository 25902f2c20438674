"""The import history in words, as `retour imports` and the web's import page show it.

One place for what both faces say of an import (the rows it held, what became of the rows
recorded in retour after its extract) and of the recordings since the newest import; the
faces take the values from :mod:`retour.service.imports` and lay them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from retour.domain.conflicts import OnConflict
from retour.domain.language import Language
from retour.reports.messages import N_, _, count

#: The history table's headers, in this order (the CSV and JSON keep the field names).
HEADERS: Final = (
    N_("id"),
    N_("when (UTC)"),
    N_("by"),
    N_("source"),
    N_("extraction date"),
    N_("rows"),
    N_("conflicts"),
    N_("mapping"),
)


def when_text(at: dt.datetime) -> str:
    """When an import or recording was made, to the minute (UTC)."""
    return at.strftime("%Y-%m-%d %H:%M")


def rows_text(held: Sequence[tuple[str, int]], lang: Language) -> str:
    """The rows an import held per table (``requests 1.204, cases 310``); "0" for none."""
    return ", ".join(f"{name} {count(n, lang)}" for name, n in held) or "0"


def conflicts_text(on_conflict: str | None, n: int, lang: Language) -> str:
    """What became of the rows recorded in retour after the extract (``keep 1`` /
    ``behouden 1``); "" when there were none."""
    if not n or on_conflict is None:
        return ""
    if on_conflict == OnConflict.KEEP.value:
        return _("keep {n}", lang, n=count(n, lang))
    return _("replace {n}", lang, n=count(n, lang))


def recorded_since_text(n: int, last_at: dt.datetime, lang: Language) -> str:
    """The rows recorded or corrected in retour since the newest import, and where their
    changes are listed."""
    return _(
        "Recorded or corrected in retour since the newest import: {n} rows (the last at {when} "
        "UTC); `retour history ID` lists a row's changes.",
        lang,
        n=count(n, lang),
        when=when_text(last_at),
    )


def no_mapping_text(import_id: int, lang: Language) -> str:
    """An import of the exchange format itself has no mapping to show."""
    return _("Import {id} read the exchange format itself: it used no mapping.", lang,
             id=import_id)  # fmt: skip

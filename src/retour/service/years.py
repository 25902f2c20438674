"""Which years a question covers: ``--years`` (``2019-2023`` or ``2021``) read and checked
against the span of the data, or the default, the last five full years."""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from retour.domain.errors import N_, Field, Text, UsageError

#: Years a default question covers: the last five full years of the data.
DEFAULT_YEARS: Final = 5

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$", re.ASCII)  # not ٢٠٢٣


def resolve_years(
    text: str | None, span: tuple[int, int] | None, extracted_on: dt.date | None, what: str
) -> tuple[int, ...]:
    """The years of ``--years`` (``2019-2023`` or ``2021``), all inside the data's span.

    Without ``--years``: the last five full calendar years of the data.
    """
    if span is None:
        raise UsageError(
            N_("The database holds no {what} to count."),
            hint=N_("An administrator can import a dataset."),
            cli_hint=N_("Import a dataset first (retour import PATH), or choose another database."),
            what=Text(what),
        )
    first, last = span
    if text is None or not text.strip():
        end = last if extracted_on is None or extracted_on >= dt.date(last, 12, 31) else last - 1
        end = max(end, first)
        return tuple(range(max(first, end - DEFAULT_YEARS + 1), end + 1))
    match = _YEARS.match(text)
    if match is None:
        raise UsageError(
            N_("Cannot read the years {value!r}."),
            hint=N_("Give one year (2021) or a range (2019-2023)."),
            field=Field.YEARS,
            value=text,
        )
    start = int(match.group(1))
    stop = int(match.group(2) or start)
    if stop < start:
        raise UsageError(
            N_("The years {value!r} run backwards."),
            hint=N_("Write e.g. 2019-2023."),
            field=Field.YEARS,
            value=text,
        )
    if start < first or stop > last:
        raise UsageError(
            N_(
                "The years {value} lie outside the data: the {what} in the database cover "
                "{first}-{last}."
            ),
            hint=N_("Choose years within {first}-{last}."),
            field=Field.YEARS,
            value=text.strip(),
            what=Text(what),
            first=first,
            last=last,
        )
    return tuple(range(start, stop + 1))

"""Country codes of the exchange format: ISO 3166-1 alpha-2 plus Eurostat's specials."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

import pycountry


class SpecialCountry(StrEnum):
    STATELESS = "STLS"
    UNKNOWN = "UNK"


#: Codes in use by Eurostat and the Dutch chain that ISO 3166-1 does not (yet) assign.
USER_ASSIGNED = frozenset({"XK"})  # Kosovo


@cache
def country_codes() -> frozenset[str]:
    """Every code a `country` column may hold."""
    iso = {c.alpha_2 for c in pycountry.countries}
    return frozenset(iso | USER_ASSIGNED | {s.value for s in SpecialCountry})


def is_country(code: str) -> bool:
    return code in country_codes()

"""Country names and alpha-3 codes, in Dutch and English, as sources write them.

A source may write "Marokko", "Morocco", "MAR" or "Kingdom of Morocco" where the exchange
format writes MA. The names come from pycountry (ISO 3166-1 names, official and common
names, and their Dutch translations) and from CLDR's short names that retour's reports use
(`reports/data/country_names.csv`, read here as a file: exchange imports only domain).
Names are compared case- and accent-insensitively, with punctuation as spaces.
"""

from __future__ import annotations

import csv
import gettext
import io
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from importlib import resources

import pycountry

from retour.domain.countries import USER_ASSIGNED, SpecialCountry, country_codes

#: Words for the special codes, in both languages.
SPECIAL_NAMES: dict[str, tuple[str, ...]] = {
    SpecialCountry.STATELESS.value: ("stateless", "staatloos", "statenloos", "XXA"),
    SpecialCountry.UNKNOWN.value: ("unknown", "onbekend", "nationaliteit onbekend", "XXX"),
    "XK": ("Kosovo", "XKX", "Republiek Kosovo", "Republic of Kosovo"),
}


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as spaces ('Côte d'Ivoire': 'cote d ivoire')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", " ", bare).strip()


def cldr_rows() -> Iterator[tuple[str, str, str]]:
    source = resources.files("retour").joinpath("reports/data/country_names.csv")
    text = source.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        yield row["code"], row["nl"], row["en"]


def _pycountry_names() -> Iterator[tuple[str, str]]:
    dutch = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"], fallback=True)
    for country in pycountry.countries:
        code = country.alpha_2
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                yield code, name
                yield code, dutch.gettext(name)


@cache
def names() -> dict[str, str]:
    """Normalised name or code -> alpha-2 code. Where two countries share a name, the first
    source in this order wins: codes, alpha-3, CLDR short names, ISO names."""
    found: dict[str, str] = {}

    def add(code: str, name: str) -> None:
        found.setdefault(normalise(name), code)

    for code in sorted(country_codes()):
        add(code, code)
    for country in pycountry.countries:
        add(country.alpha_2, country.alpha_3)
    for code, words in SPECIAL_NAMES.items():
        for word in words:
            add(code, word)
    for code, dutch, english in cldr_rows():
        add(code, dutch)
        add(code, english)
    for code, name in _pycountry_names():
        add(code, name)
    found.pop("", None)  # an empty name is no country
    return {k: v for k, v in found.items() if v in country_codes() or v in USER_ASSIGNED}


def code_of(value: str) -> str | None:
    """The alpha-2 code a source's country value means, or None."""
    return names().get(normalise(value))

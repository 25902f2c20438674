"""Country names: short (CLDR) names in Dutch and English, never ISO's inverted long forms."""

from __future__ import annotations

import pycountry
import pytest

from retour.reports import labels


@pytest.mark.parametrize(
    ("code", "dutch", "english"),
    [
        ("CD", "Congo-Kinshasa", "Congo - Kinshasa"),
        ("KR", "Zuid-Korea", "South Korea"),
        ("RU", "Rusland", "Russia"),
        ("MD", "Moldavië", "Moldova"),
        ("MA", "Marokko", "Morocco"),
        ("SZ", "Eswatini", "Eswatini"),
        ("XK", "Kosovo", "Kosovo"),  # not in ISO 3166-1, used by the EU
    ],
)
def test_short_names(code: str, dutch: str, english: str) -> None:
    assert labels.country_name(code, "nl") == dutch
    assert labels.country_name(code, "en") == english


def test_every_iso_country_has_a_short_name_in_both_languages() -> None:
    for country in pycountry.countries:
        for lang in ("nl", "en"):
            name = labels.country_name(country.alpha_2, lang)  # type: ignore[arg-type]
            assert name and name != country.alpha_2, (country.alpha_2, lang)
            assert ", " not in name, name  # "Korea, Republic of" is ISO's, not a short name


def test_a_code_that_is_no_country_is_shown_as_it_is() -> None:
    assert labels.country_name("ZZ", "en") == "ZZ"

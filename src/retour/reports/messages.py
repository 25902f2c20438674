"""The message catalog: every word a reader sees, in Dutch (the default) and English.

Texts are written in the code in English, marked for extraction — ``_("Case", lang)`` where
a text is shown, ``N_("legally removable")`` where it is only named (a table of labels) —
and translated from one gettext catalog per language under ``retour/locale``: Dutch in
``nl/LC_MESSAGES/retour.po``; English is the text itself. Babel extracts the marked texts
(``make catalog``: ``pybabel extract``, ``update``, ``compile``); the compiled ``.mo`` file
ships beside its ``.po`` and a test holds the two in step and every text translated.

Placeholders are ``str.format`` fields (``"{n} days so far"``): the translation may move them.
Numbers and dates are written with Babel's CLDR data for the language (:func:`count`,
:func:`decimal`), so a Dutch text has decimal commas and thousands points.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

from retour.domain.language import Language

if TYPE_CHECKING:
    import polars as pl

DOMAIN: Final = "retour"
LOCALE_DIR: Final = Path(__file__).resolve().parents[1] / "locale"
#: The languages with a catalog; English is the source language and needs none.
TRANSLATED: Final[tuple[Language, ...]] = ("nl",)


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, translate later"
    """Mark ``message`` for the catalog without translating it (tables of labels)."""
    return message


@cache
def catalog(lang: Language) -> gettext.NullTranslations:
    """The translations of one language (English: the texts as written)."""
    if lang not in TRANSLATED:
        return gettext.NullTranslations()
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as file:
        return gettext.GNUTranslations(file)


def _(message: str, lang: Language, /, **values: object) -> str:
    """``message`` in ``lang``, its ``{fields}`` filled from ``values``."""
    text = catalog(lang).gettext(message)
    return text.format(**values) if values else text


def count(n: int, lang: Language) -> str:
    """A whole number with the language's grouping: 27.765 / 27,765."""
    from babel.numbers import format_decimal  # not at start-up: CLDR data load when used

    return format_decimal(n, format="#,##0", locale=lang)


def counts(shown: pl.Series, lang: Language) -> pl.Series:
    """Shown counts (text: ``1234``, ``<5``, ``x``) with the language's grouping, each
    distinct number formatted once by :func:`count`: 12.345 / 12,345; the signs kept."""
    numbers = shown.filter(shown.str.contains(r"^\d{4,}$")).unique()
    if numbers.is_empty():
        return shown
    return shown.replace({n: count(int(n), lang) for n in numbers.to_list()})


def decimal(x: float, digits: int, lang: Language) -> str:
    """A number with ``digits`` decimals and the language's decimal sign: 0,21 / 0.21."""
    from babel.numbers import format_decimal

    pattern = "0." + "0" * digits if digits else "0"
    return format_decimal(x, format=pattern, locale=lang, decimal_quantization=True)


def percent(share: float, digits: int, lang: Language) -> str:
    """A share as a percentage with ``digits`` decimals in the language: 12,5% / 12.5%."""
    from babel.numbers import format_percent

    pattern = ("#,##0." + "0" * digits if digits else "#,##0") + "%"
    return format_percent(share, format=pattern, locale=lang, decimal_quantization=True)


def decimal_sign(lang: Language) -> str:
    """The language's decimal sign (for a vectorised column of numbers): ',' / '.'."""
    from babel.numbers import get_decimal_symbol

    return str(get_decimal_symbol(lang))

"""The web's words, through the one message catalog (:mod:`retour.reports.messages`).

Texts are written in English where they are shown: ``_("Overview", lang)`` in the code,
``{{ _("Overview") }}`` in the templates (the page's language bound by
:func:`retour.web.render.render`); the Dutch is in the catalog. This module holds the texts a
page picks by a value (a profile, an order, a subject, a filter, a field of a form), and
:func:`error_text`: an error of retour's in the reader's language, its fields named as the
web names them, never as command-line options. Figures' labels (codes, countries, notes)
come from :mod:`retour.reports.labels`, shared with the reports."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Final

from retour.disclosure import Language, Profile
from retour.domain.errors import CountryName, DatabaseError, Field, RetourError, Text
from retour.reports import labels
from retour.reports.charts import INSTRUMENT_TEXT
from retour.reports.messages import N_, _
from retour.service.accounts import Role

DEFAULT: Final[Language] = "nl"
LANGUAGES: Final[tuple[Language, ...]] = ("nl", "en")

#: Each language by its own name, on the button that switches to it (not translated).
LANGUAGE_NAMES: Final[dict[str, str]] = {"nl": "Nederlands", "en": "English"}

PROFILE_NAMES: Final[dict[Profile, str]] = {
    Profile.PUBLIC: N_("public"),
    Profile.PARLIAMENT: N_("Parliament"),
    Profile.INTERNAL: N_("internal"),
}

ROLE_NAMES: Final[dict[Role, str]] = {
    Role.VIEWER: N_("viewer"),
    Role.ANALYST: N_("analyst"),
    Role.CASEWORKER: N_("case worker"),
    Role.ADMIN: N_("administrator"),
}

#: The orders of the sliding scale (``ScaleOrder`` values).
ORDER_NAMES: Final[dict[str, str]] = {
    "index": N_("by index, highest first"),
    "name": N_("by name"),
}

#: The subjects of the figures page.
SUBJECT_NAMES: Final[dict[str, str]] = {
    "requests": N_("Requests (LP and T&O)"),
    "reasons": N_("Negative answers and withdrawals by reason"),
    "detentions": N_("Immigration detention"),
    "departures": N_("Departures"),
}

#: How a caption names the country a table is narrowed to.
FILTER_NAMES: Final[dict[str, str]] = {
    "country": N_("country"),
    "nationality": N_("nationality"),
}

#: A value a user gave, by the name the web gives its field (the CLI says ``--period``).
FIELD_NAMES: Final[dict[Field, str]] = {
    Field.BY: N_("Breakdown"),
    Field.CONFIDENTIAL: N_("Confidential countries"),
    Field.COUNTRY: N_("Country"),
    Field.DATE: N_("Date"),
    Field.DAYS: N_("Days"),
    Field.END_ON: N_("End date"),
    Field.EXTRACTED_ON: N_("Extraction date"),
    Field.FORMAT: N_("Format"),
    Field.GEO: N_("Reporting state"),
    Field.GRANULARITY: N_("By year or quarter"),
    Field.KIND: N_("Kind of request"),
    Field.LANGUAGE: N_("Language"),
    Field.MONTHLY: N_("Months"),
    Field.OUT: N_("File"),
    Field.OUTCOME: N_("Answer"),
    Field.PERIOD: N_("Period"),
    Field.PROFILE: N_("Profile"),
    Field.ROLE: N_("Role"),
    Field.SEED: N_("Seed"),
    Field.WHAT: N_("Overdue"),
    Field.SINCE: N_("Since"),
    Field.YEAR: N_("Year"),
    Field.YEARS: N_("Years"),
}

#: The codes of instruments (kind, level, status) in words (shared with the charts).
INSTRUMENT_WORDS: Final = INSTRUMENT_TEXT

#: What gives a message away as written for the command line: an option, a command, a
#: setting's environment variable.
_COMMAND_LINE: Final = re.compile(r"--[a-z]|\bretour [a-z]|\bRETOUR_[A-Z]")
_OPTION: Final = re.compile(r"--([a-z][a-z-]*)")
#: A code as the data write it (``not_applicable``, ``in_force``): letters joined by "_".
_SNAKE_CODE: Final = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def error_text(exc: Exception, lang: Language) -> str:
    """An error in the words of the web, in ``lang``: its catalog message with its values,
    the field a value came from named as the web's form names it, and its hint -- never a
    command-line option, a command or a raw code. An error whose text is not in the catalog
    (the exchange's, which stay English) keeps its text, without a hint written for the
    command line."""
    if not isinstance(exc, RetourError):
        return readable(str(exc), lang)
    shown = _shown(lang)
    values = {name: shown(value) for name, value in exc.fields().items()}
    if isinstance(exc, DatabaseError) and "where" in values:
        values["where"] = _("of this server", lang)  # never the server's path or address
    said = _(exc.message, lang, **values)
    if exc.hint is not None and not _COMMAND_LINE.search(exc.hint):
        said = " ".join((said, _(exc.hint, lang, **values)))
    return readable(_OPTION.sub(r"\1", said), lang)


def field_name(name: str, lang: Language) -> str:
    """A form's or an address's field by the name the web gives it ("Periode" for
    ``period``); a name retour has no word for stays as it is."""
    try:
        return _(FIELD_NAMES[Field(name)], lang)
    except ValueError:
        return name


def _shown(lang: Language) -> Callable[[object], object]:
    """How the web writes an error's value: a field by its name, a text of the catalog, a
    country by its name, a profile or a code in words."""

    def shown(value: object) -> object:
        if isinstance(value, Field):
            return _(FIELD_NAMES[value], lang)
        if isinstance(value, Text):
            return _(value, lang)
        if isinstance(value, RetourError):
            return _(value.message, lang, **{k: shown(v) for k, v in value.fields().items()})
        if isinstance(value, CountryName):
            return labels.country_name(value.code, lang)
        if isinstance(value, Profile):
            return profile_name(value, lang)
        if isinstance(value, Enum):
            return labels.code_label(str(value.value), lang)
        return value

    return shown


def readable(line: str, lang: Language) -> str:
    """A text with the raw codes in it replaced by their words (instrument codes here, the
    figures' codes from :mod:`retour.reports.labels`)."""

    def word(found: re.Match[str]) -> str:
        code = found.group(0)
        message = INSTRUMENT_WORDS.get(code)
        if message is not None:
            return _(message, lang)
        named = labels.code_label(code, lang)
        return code if named == code else named

    return _SNAKE_CODE.sub(word, line)


def instrument_word(code: object, lang: Language) -> str:
    value = str(getattr(code, "value", code))
    message = INSTRUMENT_WORDS.get(value)
    return value if message is None else _(message, lang)


def profile_name(profile: Profile, lang: Language) -> str:
    return _(PROFILE_NAMES[profile], lang)


def parse(value: str | None) -> Language:
    return "en" if value == "en" else "nl"

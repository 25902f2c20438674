"""The words of published figures, in one place: headers, codes, country names,
profiles, definitions.

Every text is an English message of the catalog (:mod:`retour.reports.messages`), marked
``N_`` here and translated where it is shown: ``_(DIMENSION["year"], lang)``. Country names
are data rather than messages: CLDR's short names (``data/country_names.csv``), then
pycountry's ISO 3166 names and their Dutch translation, with retour's own codes (Kosovo,
stateless, unknown, the pooled "other countries") added.
"""

from __future__ import annotations

import csv
import gettext
from functools import cache
from importlib import resources
from typing import Final

import pycountry

from retour.disclosure import (
    OTHER_COUNTRIES,
    OTHER_COUNTRIES_LABEL,
    DisclosureRules,
    Language,
    Note,
)
from retour.disclosure import TOTAL as _TOTAL_KEY
from retour.disclosure import Profile as _Profile
from retour.domain.codes import (
    CloseReason,
    DepartureType,
    DetentionEndReason,
    Outcome,
    RequestKind,
    RequestReason,
    YesNo,
)
from retour.domain.countries import SpecialCountry
from retour.reports.messages import N_, _

#: Shown on every output of a database holding simulated data, in both languages at once.
SIMULATED: Final = "gesimuleerde gegevens / simulated data"
#: The longer warning on workbook sheets.
SIMULATED_WARNING: Final = N_(
    "SIMULATED DATA / gesimuleerde gegevens — not real figures, do not publish."
)


def note(message: str, **values: object) -> Note:
    """A note to a table in both languages, ``message`` with its ``{fields}`` filled in; a
    value given per language (``{"nl": ..., "en": ...}``) is taken in each."""

    def written(lang: Language) -> str:
        own = {k: v[lang] if isinstance(v, dict) else v for k, v in values.items()}
        return _(message, lang, **own)

    return Note(written("nl"), written("en"))


# -- dimensions and codes -------------------------------------------------------------------

DIMENSION: Final[dict[str, str]] = {
    "kind": N_("Kind of request"),
    "year": N_("Year"),
    "country": N_("Country"),
    "outcome": N_("Answer"),
    "reason": N_("Reason"),
    "end_reason": N_("End reason"),
    "nationality": N_("Nationality"),
    "type": N_("Type of departure"),
    "destination": N_("Destination"),
    "assisted": N_("Assisted"),
    "code": N_("Code"),
}

CODE: Final[dict[str, str]] = {
    RequestKind.LP: N_("LP"),
    RequestKind.TO: N_("T&O"),
    Outcome.POSITIVE: N_("positive"),
    Outcome.NEGATIVE: N_("negative"),
    #: a withdrawal is labelled by its reason (below), never as "no answer obtained" as such
    Outcome.WITHDRAWN: N_("withdrawn"),
    Outcome.PENDING: N_("still pending"),
    RequestReason.INSUFFICIENT_INFORMATION: N_("insufficient information"),
    RequestReason.NATIONALITY_NOT_CONFIRMED: N_("nationality not confirmed"),
    RequestReason.NO_RESPONSE: N_("no answer obtained"),
    RequestReason.ALIEN_ABSCONDED: N_("the person absconded"),
    RequestReason.PROCEDURE_PENDING: N_("a procedure pending"),
    RequestReason.DEPARTED_OTHERWISE: N_("left otherwise"),
    RequestReason.OTHER: N_("other"),
    DetentionEndReason.REMOVED: N_("removed"),
    DetentionEndReason.NO_PROSPECT: N_("no prospect of removal"),
    DetentionEndReason.COURT_ORDER: N_("court order"),
    DetentionEndReason.MAX_TERM: N_("maximum term reached"),
    DetentionEndReason.OTHER: N_("other"),
    DepartureType.FORCED: N_("forced"),
    DepartureType.INDEPENDENT: N_("independent, demonstrable"),
    DepartureType.UNSUPERVISED: N_("without supervision"),
    CloseReason.DEPARTED: N_("departed"),
    CloseReason.LAWFUL_STAY: N_("lawful stay"),
    CloseReason.DECEASED: N_("deceased"),
    CloseReason.TRANSFERRED: N_("transferred"),
    YesNo.YES: N_("yes"),
    YesNo.NO: N_("no"),
}

NOT_APPLICABLE: Final = N_("n/a")
#: analysis.figures.NOT_APPLICABLE: the value of a dimension that does not apply.
NOT_APPLICABLE_CODE: Final = "not_applicable"


def code_label(value: str, lang: Language) -> str:
    """The label of a code; "not applicable" reads "n.v.t." / "n/a"; unknown values as is."""
    if value == NOT_APPLICABLE_CODE:
        return _(NOT_APPLICABLE, lang)
    message = CODE.get(value)
    return value if message is None else _(message, lang)


# -- countries ------------------------------------------------------------------------------

_SPECIAL: Final[dict[str, str]] = {
    SpecialCountry.STATELESS: N_("stateless"),
    SpecialCountry.UNKNOWN: N_("nationality unknown"),
    "XK": N_("Kosovo"),
}


@cache
def _dutch() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])
    except OSError:  # pragma: no cover - pycountry ships the Dutch catalogue
        return gettext.NullTranslations()


@cache
def _short_names() -> dict[str, dict[str, str]]:
    """CLDR's short names (``data/country_names.csv``): "Congo-Kinshasa", "Zuid-Korea",
    "Russia" rather than ISO's "Congo, The Democratic Republic of the"."""
    source = resources.files("retour.reports").joinpath("data/country_names.csv")
    with source.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {row["code"]: {"nl": row["nl"], "en": row["en"]} for row in rows}


def cell_country_name(code: object, lang: Language) -> str:
    """The name beside a code in a country column of figures; "" for a blank or a total."""
    if not isinstance(code, str) or code in {"", _TOTAL_KEY}:
        return ""
    return country_name(code, lang)


def country_name(code: str, lang: Language) -> str:
    """The country's short name in ``lang``; the code itself when it is not a country."""
    if code == OTHER_COUNTRIES:
        return OTHER_COUNTRIES_LABEL[lang]
    special = _SPECIAL.get(code)
    if special is not None:
        return _(special, lang)
    short = _short_names().get(code)
    if short is not None:
        return short[lang]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return code
    if lang == "nl":
        return _dutch().gettext(country.name)
    return str(getattr(country, "common_name", None) or country.name)


# -- profiles -------------------------------------------------------------------------------

PROFILE_NAME: Final[dict[str, str]] = {
    _Profile.INTERNAL: N_("internal"),
    _Profile.PARLIAMENT: N_("parliament"),
    _Profile.PUBLIC: N_("public"),
}


def profile_line(rules: DisclosureRules, lang: Language) -> str:
    """One line naming the profile applied and what it did: "Profiel: public (openbaar) — ..."."""
    return _("Profile: {profile}", lang, profile=profile_summary(rules, lang))


def profile_summary(rules: DisclosureRules, lang: Language) -> str:
    """The profile's code and name, and what it did: "public (openbaar) — ..."."""
    name = _(PROFILE_NAME[rules.profile], lang)
    return f"{rules.profile.value} ({name}) — {profile_description(rules, lang)}"


def profile_description(rules: DisclosureRules, lang: Language) -> str:
    below, to = rules.suppress_below, rules.round_to
    if rules.profile is _Profile.INTERNAL:
        return _("exact counts, every country named; not for publication.", lang)
    pooled = (
        _("countries on the confidential list are pooled as 'other countries'", lang)
        if rules.pools
        else ""
    )
    if rules.profile is _Profile.PARLIAMENT:
        return _("exact counts", lang) + (f"; {pooled}." if pooled else ".")
    hidden = _(
        "counts under {below} not shown (<{below}); counts rounded to multiples of {to}; "
        "where needed more counts are hidden (x), so that no hidden count can be worked out "
        "from the others.",
        lang,
        below=below,
        to=to,
    )
    return f"{pooled}; {hidden}" if pooled else hidden


# -- figures on the command line --------------------------------------------------------------

TITLE: Final[dict[str, str]] = {
    "requests": N_("Laissez-passer (LP) applications and readmission (T&O) requests, {years}"),
    "ended": N_("Immigration detentions ended, by year of ending, {years}"),
    "unsupervised": N_(
        "Released from detention and left without supervision within {days} days, {years}"
    ),
    "departures": N_("Departures, {years}"),
}

NOTE: Final[dict[str, str]] = {
    "submitted": N_(
        "Requests counted by year of submission (bekendstelling), with the "
        "answer as known on the extraction date {date}."
    ),
    "outcome": N_(
        "Requests counted by year of the answer (or withdrawal), as known on "
        "the extraction date {date}; requests still pending are not counted."
    ),
    "country": N_("Country: the authorities the request was addressed to (ISO code)."),
    "outcomes": N_("Only requests with the answer: {outcomes}."),
    "reason": N_("Reason not_applicable: a positive answer or one still pending has no reason."),
    "detentions": N_(
        "Left without supervision: of the detentions that did not end in "
        "removal, those after which the person left without supervision "
        "(destination unknown) within {days} days of release. Counted per "
        "detention."
    ),
    "nationality": N_("Nationality: the person's presumed nationality (ISO code)."),
    "partial": N_("{year} runs up to the extraction date {date}."),
}

EXTRACTED: Final = N_("Extraction date")
FINGERPRINT: Final = N_("Data fingerprint")


#: The source that ``retour simulate`` names in its datasets.
SIMULATOR_SOURCE: Final = "simulated"


def source_text(source: str | None, lang: Language) -> str:
    """The source of the data as the imports name it; the simulator's in words."""
    if source == SIMULATOR_SOURCE:
        return _("simulated by retour", lang)
    return source or "?"


def years_text(years: tuple[int, ...] | list[int]) -> str:
    """``2019-2023`` for a run of years, ``2021`` for one, ``2019, 2021`` otherwise."""
    if len(years) == 1:
        return str(years[0])
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


# -- the press workbook -----------------------------------------------------------------------

PRESS_SHEETS: Final[dict[str, str]] = {
    "totals": N_("Totals"),
    "TO": N_("T&O by country"),
    "LP": N_("LP by country"),
    "reasons": N_("Reasons"),
    "definitions": N_("Definitions"),
}

PRESS_TITLE: Final[dict[str, str]] = {
    "totals": N_(
        "LP applications and T&O requests per year of submission, with the answers, {years}"
    ),
    "TO": N_(
        "T&O requests per country of origin and year of submission, with the "
        "answers and the share not confirmed, {years}"
    ),
    "LP": N_(
        "LP applications per country of origin and year of submission, with the"
        " answers and the share not confirmed, {years}"
    ),
    "reasons": N_(
        "LP applications and T&O requests answered negatively or withdrawn, by "
        "reason and year of submission, {years}"
    ),
    "definitions": N_("Definitions and sources"),
}

#: Column headers of sheet 1, per answer; "submitted" is the row total.
PRESS_ANSWER: Final[dict[str, str]] = {
    "submitted": N_("submitted"),
    Outcome.POSITIVE: N_("positive"),
    Outcome.NEGATIVE: N_("negative"),
    Outcome.WITHDRAWN: N_("withdrawn"),
    Outcome.PENDING: N_("still pending"),
    "not_confirmed": N_("share not confirmed"),
}

#: The country sheets: the group of columns over all the years asked.
ALL_YEARS: Final = N_("{years} together")

#: A share with nothing to divide: no request answered (an en dash).
NO_SHARE: Final = "\N{EN DASH}"
#: The country sheets: what a share shows instead of a number, and why.
SHARE_NOTE: Final[dict[str, str]] = {
    "computed": N_(
        "Share not confirmed = (negative + withdrawn) / (positive + negative + "
        "withdrawn): of the requests answered or withdrawn, the part without "
        "confirmation; requests still pending do not count."
    ),
    "rounded": N_(
        "Under this profile the share is computed from the counts shown, "
        "rounded: it is an approximation and says nothing those counts do not "
        "say. x: not shown, because a count behind it is hidden."
    ),
    "none": N_("\N{EN DASH}: no requests answered."),  # NO_SHARE
    "reasons": N_(
        "Withdrawn: for which reason (no answer obtained, the person left, a "
        "procedure pending, ...) is on the sheet Reasons."
    ),
}

#: The page footer of every sheet: sheet name, page x of y, extraction date, profile.
#: ``&A``, ``&P`` and ``&N`` are the spreadsheet's codes for them.
PAGE_OF: Final = N_("page &P of &N")

KIND_LONG: Final[dict[str, str]] = {
    RequestKind.LP: N_("LP applications"),
    RequestKind.TO: N_("T&O requests"),
}

NO_ROWS: Final = N_("No requests answered negatively or withdrawn in these years.")
NO_REQUESTS: Final = N_("No requests of this kind in these years.")

#: The definitions sheet: term, explanation. In the spirit of the ministry's own press
#: answers, in retour's words.
DEFINITIONS: Final[tuple[tuple[str, str], ...]] = (
    (
        N_("Laissez-passer (LP)"),
        N_(
            "A replacement travel document issued by the authorities of the country"
            " of origin to a national without a valid passport; it is valid only "
            "for travel to that country. An LP application asks the authorities "
            "(usually the embassy) to confirm the nationality and issue the "
            "document."
        ),
    ),
    (
        N_("Readmission (T&O)"),
        N_(
            "A request to a country to take a person back under a readmission "
            "agreement between that country and the Netherlands, the Benelux or the"
            " EU. Such agreements set procedures and time limits for taking back "
            "the country's own nationals, and sometimes nationals of third "
            "countries and stateless persons."
        ),
    ),
    (
        N_("Submission (bekendstelling)"),
        N_(
            "The Dutch authorities presenting the LP application or T&O request to "
            "the authorities of the country of origin. A request is counted in the "
            "year it was submitted."
        ),
    ),
    (
        N_("Positive answer"),
        N_(
            "The authorities confirm the nationality. Whether a travel document is "
            "then issued or the readmission arranged depends on more: is the person"
            " still in view, are procedures still pending?"
        ),
    ),
    (
        N_("Negative answer"),
        N_(
            "The authorities do not confirm the nationality, or have too little to "
            "go on to establish it, often because the person gives too little "
            "information about their identity and nationality."
        ),
    ),
    (
        N_("Withdrawn"),
        N_(
            "The request was withdrawn. Why is given by its reason (sheet Reasons):"
            " no answer was obtained (an LP application without an answer is "
            "recorded as such at most twelve months after it was made, and may then"
            " be withdrawn), the person absconded or left otherwise, a procedure is"
            " pending, or another reason. Only the first means the country did not "
            "answer."
        ),
    ),
    (
        N_("Reason"),
        N_(
            "For a negative answer, the ground the authorities gave (nationality "
            "not confirmed, insufficient information); for a withdrawal, why the "
            "request was withdrawn (no answer obtained, the person absconded, left "
            "otherwise, a procedure pending, other). Each request counts once, with"
            " one reason."
        ),
    ),
    (
        N_("Submitted"),
        N_(
            "Every request submitted in the year, whatever its answer: positive + "
            "negative + withdrawn + still pending. This is the denominator of the "
            "answers."
        ),
    ),
    (
        N_("Share not confirmed"),
        N_(
            "(negative + withdrawn) / (positive + negative + withdrawn): of the "
            "requests answered or withdrawn, the part whose nationality was not "
            "confirmed. Requests still pending do not count, since their answer may"
            " yet come. Under the public profile computed from the counts shown, "
            "rounded, and not shown (x) where one of those counts is hidden."
        ),
    ),
    (
        N_("Still pending"),
        N_(
            "On the extraction date there was no answer yet and the request had not been withdrawn."
        ),
    ),
    (
        N_("Status of the answers"),
        N_(
            "Each request is counted with its answer as known on the extraction "
            "date. Later answers can still change the figures of recent years."
        ),
    ),
    (
        N_("Country of origin"),
        N_("The country whose authorities the request was addressed to, with its ISO 3166-1 code."),
    ),
)

META: Final[dict[str, str]] = {
    "years": N_("Years of submission"),
    "profile": N_("Publication profile"),
    "extracted": EXTRACTED,
    "fingerprint": FINGERPRINT,
    "source": N_("Source"),
    "data": N_("Data"),
    "notes": N_("Notes to the tables"),
    "real": N_("real data"),
    "fingerprint_note": N_(
        "SHA-256 over the fingerprints of the imported files, shortened; the "
        "same data give the same fingerprint."
    ),
}

TOTAL: Final = N_("Total")

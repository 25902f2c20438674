"""Dutch and English texts of published figures, in one place: headers, codes, country
names, profiles, definitions.

Every text is a pair ``(nl, en)``; :func:`text` picks one. Country names come from
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
)
from retour.disclosure import TOTAL as _TOTAL_KEY
from retour.disclosure import Profile as _Profile
from retour.domain.codes import (
    DepartureType,
    DetentionEndReason,
    Outcome,
    RequestKind,
    RequestReason,
    YesNo,
)
from retour.domain.countries import SpecialCountry

Pair = tuple[str, str]

#: Shown on every output of a database holding simulated data, in both languages at once.
SIMULATED: Final = "gesimuleerde gegevens / simulated data"
#: The longer warning on workbook sheets.
SIMULATED_WARNING: Final[Pair] = (
    "GESIMULEERDE GEGEVENS / simulated data — geen echte cijfers, niet publiceren.",
    "SIMULATED DATA / gesimuleerde gegevens — not real figures, do not publish.",
)


def text(pair: Pair, lang: Language) -> str:
    return pair[0] if lang == "nl" else pair[1]


# -- dimensions and codes -------------------------------------------------------------------

DIMENSION: Final[dict[str, Pair]] = {
    "kind": ("Soort verzoek", "Kind of request"),
    "year": ("Jaar", "Year"),
    "country": ("Land", "Country"),
    "outcome": ("Antwoord", "Answer"),
    "reason": ("Reden", "Reason"),
    "end_reason": ("Reden opheffing", "End reason"),
    "nationality": ("Nationaliteit", "Nationality"),
    "type": ("Soort vertrek", "Type of departure"),
    "destination": ("Bestemming", "Destination"),
    "assisted": ("Met ondersteuning", "Assisted"),
    "code": ("Code", "Code"),
}

CODE: Final[dict[str, Pair]] = {
    RequestKind.LP: ("LP", "LP"),
    RequestKind.TO: ("T&O", "T&O"),
    Outcome.POSITIVE: ("positief", "positive"),
    Outcome.NEGATIVE: ("negatief", "negative"),
    #: a withdrawal is labelled by its reason (below), never as "no answer obtained" as such
    Outcome.WITHDRAWN: ("ingetrokken", "withdrawn"),
    Outcome.PENDING: ("nog in behandeling", "still pending"),
    RequestReason.INSUFFICIENT_INFORMATION: ("onvoldoende informatie", "insufficient information"),
    RequestReason.NATIONALITY_NOT_CONFIRMED: (
        "nationaliteit niet bevestigd",
        "nationality not confirmed",
    ),
    RequestReason.NO_RESPONSE: ("geen antwoord verkregen", "no answer obtained"),
    RequestReason.ALIEN_ABSCONDED: (
        "vreemdeling met onbekende bestemming vertrokken",
        "the person absconded",
    ),
    RequestReason.PROCEDURE_PENDING: ("een procedure loopt", "a procedure pending"),
    RequestReason.DEPARTED_OTHERWISE: ("op andere wijze vertrokken", "left otherwise"),
    RequestReason.OTHER: ("overig", "other"),
    DetentionEndReason.REMOVED: ("uitgezet", "removed"),
    DetentionEndReason.NO_PROSPECT: ("geen zicht op uitzetting", "no prospect of removal"),
    DetentionEndReason.COURT_ORDER: ("opgeheven door de rechter", "court order"),
    DetentionEndReason.MAX_TERM: ("maximale termijn bereikt", "maximum term reached"),
    DetentionEndReason.OTHER: ("overig", "other"),
    DepartureType.FORCED: ("gedwongen", "forced"),
    DepartureType.INDEPENDENT: ("zelfstandig aantoonbaar", "independent, demonstrable"),
    DepartureType.UNSUPERVISED: ("zonder toezicht", "without supervision"),
    YesNo.YES: ("ja", "yes"),
    YesNo.NO: ("nee", "no"),
}

NOT_APPLICABLE: Final[Pair] = ("n.v.t.", "n/a")
#: analysis.figures.NOT_APPLICABLE: the value of a dimension that does not apply.
NOT_APPLICABLE_CODE: Final = "not_applicable"


def code_label(value: str, lang: Language) -> str:
    """The label of a code; "not applicable" reads "n.v.t." / "n/a"; unknown values as is."""
    if value == NOT_APPLICABLE_CODE:
        return text(NOT_APPLICABLE, lang)
    pair = CODE.get(value)
    return value if pair is None else text(pair, lang)


# -- countries ------------------------------------------------------------------------------

_SPECIAL: Final[dict[str, Pair]] = {
    SpecialCountry.STATELESS: ("staatloos", "stateless"),
    SpecialCountry.UNKNOWN: ("nationaliteit onbekend", "nationality unknown"),
    "XK": ("Kosovo", "Kosovo"),
    OTHER_COUNTRIES: (OTHER_COUNTRIES_LABEL["nl"], OTHER_COUNTRIES_LABEL["en"]),
}


@cache
def _dutch() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])
    except OSError:  # pragma: no cover - pycountry ships the Dutch catalogue
        return gettext.NullTranslations()


@cache
@cache
def _short_names() -> dict[str, Pair]:
    """CLDR's short names (``data/country_names.csv``): "Congo-Kinshasa", "Zuid-Korea",
    "Russia" rather than ISO's "Congo, The Democratic Republic of the"."""
    source = resources.files("retour.reports").joinpath("data/country_names.csv")
    with source.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {row["code"]: (row["nl"], row["en"]) for row in rows}


def cell_country_name(code: object, lang: Language) -> str:
    """The name beside a code in a country column of figures; "" for a blank or a total."""
    if not isinstance(code, str) or code in {"", _TOTAL_KEY}:
        return ""
    return country_name(code, lang)


def country_name(code: str, lang: Language) -> str:
    """The country's short name in ``lang``; the code itself when it is not a country."""
    special = _SPECIAL.get(code) or _short_names().get(code)
    if special is not None:
        return text(special, lang)
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return code
    if lang == "nl":
        return _dutch().gettext(country.name)
    return str(getattr(country, "common_name", None) or country.name)


# -- profiles -------------------------------------------------------------------------------

PROFILE_NAME: Final[dict[str, Pair]] = {
    _Profile.INTERNAL: ("intern", "internal"),
    _Profile.PARLIAMENT: ("parlement", "parliament"),
    _Profile.PUBLIC: ("openbaar", "public"),
}


def profile_line(rules: DisclosureRules, lang: Language) -> str:
    """One line naming the profile applied and what it did: "Profiel: public (openbaar) — ..."."""
    return f"{text(('Profiel', 'Profile'), lang)}: {profile_summary(rules, lang)}"


def profile_summary(rules: DisclosureRules, lang: Language) -> str:
    """The profile's code and name, and what it did: "public (openbaar) — ..."."""
    name = text(PROFILE_NAME[rules.profile], lang)
    return f"{rules.profile.value} ({name}) — {profile_description(rules, lang)}"


def profile_description(rules: DisclosureRules, lang: Language) -> str:
    below, to = rules.suppress_below, rules.round_to
    if rules.profile is _Profile.INTERNAL:
        return text(
            (
                "exacte aantallen, alle landen bij naam; niet voor publicatie.",
                "exact counts, every country named; not for publication.",
            ),
            lang,
        )
    pooled = (
        text(
            (
                "landen op de vertrouwelijke lijst zijn samengevoegd tot 'overige landen'",
                "countries on the confidential list are pooled as 'other countries'",
            ),
            lang,
        )
        if rules.pools
        else ""
    )
    if rules.profile is _Profile.PARLIAMENT:
        return text(("exacte aantallen", "exact counts"), lang) + (
            f"; {pooled}." if pooled else "."
        )
    hidden = text(
        (
            f"aantallen onder {below} niet getoond (<{below}); aantallen afgerond op "
            f"veelvouden van {to}; waar nodig zijn meer aantallen verborgen (x), zodat geen "
            "verborgen aantal uit de andere is te berekenen.",
            f"counts under {below} not shown (<{below}); counts rounded to multiples of "
            f"{to}; where needed more counts are hidden (x), so that no hidden count can be "
            "worked out from the others.",
        ),
        lang,
    )
    return f"{pooled}; {hidden}" if pooled else hidden


# -- figures on the command line --------------------------------------------------------------

TITLE: Final[dict[str, Pair]] = {
    "requests": (
        "LP-aanvragen en T&O-verzoeken, {years}",
        "Laissez-passer (LP) applications and readmission (T&O) requests, {years}",
    ),
    "ended": (
        "Beëindigde vreemdelingenbewaringen naar jaar van opheffing, {years}",
        "Immigration detentions ended, by year of ending, {years}",
    ),
    "unsupervised": (
        "Na opheffing van de bewaring binnen {days} dagen zonder toezicht vertrokken, {years}",
        "Released from detention and left without supervision within {days} days, {years}",
    ),
    "departures": ("Vertrek, {years}", "Departures, {years}"),
}

NOTE: Final[dict[str, Pair]] = {
    "submitted": (
        "Verzoeken geteld naar jaar van bekendstelling, met het antwoord zoals bekend op de "
        "peildatum {date}.",
        "Requests counted by year of submission (bekendstelling), with the answer as known "
        "on the extraction date {date}.",
    ),
    "outcome": (
        "Verzoeken geteld naar jaar van het antwoord (of van intrekking), zoals bekend op de "
        "peildatum {date}; verzoeken die nog in behandeling zijn tellen niet mee.",
        "Requests counted by year of the answer (or withdrawal), as known on the extraction "
        "date {date}; requests still pending are not counted.",
    ),
    "country": (
        "Land: de autoriteiten tot wie het verzoek is gericht (ISO-code).",
        "Country: the authorities the request was addressed to (ISO code).",
    ),
    "outcomes": (
        "Alleen verzoeken met antwoord: {nl}.",
        "Only requests with the answer: {en}.",
    ),
    "reason": (
        "Reden not_applicable: niet van toepassing (positief antwoord of nog in behandeling).",
        "Reason not_applicable: a positive answer or one still pending has no reason.",
    ),
    "detentions": (
        "Vertrokken zonder toezicht: van de bewaringen die niet met uitzetting eindigden, "
        "die waarna de vreemdeling binnen {days} dagen na de opheffing zonder toezicht "
        "vertrok (onbekende bestemming). Geteld per bewaring.",
        "Left without supervision: of the detentions that did not end in removal, those "
        "after which the person left without supervision (destination unknown) within "
        "{days} days of release. Counted per detention.",
    ),
    "nationality": (
        "Nationaliteit: de vermoedelijke nationaliteit van de vreemdeling (ISO-code).",
        "Nationality: the person's presumed nationality (ISO code).",
    ),
    "partial": (
        "{year} loopt tot de peildatum {date}.",
        "{year} runs up to the extraction date {date}.",
    ),
}

EXTRACTED: Final[Pair] = ("Peildatum", "Extraction date")
FINGERPRINT: Final[Pair] = ("Vingerafdruk van de gegevens", "Data fingerprint")


def years_text(years: tuple[int, ...] | list[int]) -> str:
    """``2019-2023`` for a run of years, ``2021`` for one, ``2019, 2021`` otherwise."""
    if len(years) == 1:
        return str(years[0])
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


# -- the press workbook -----------------------------------------------------------------------

PRESS_SHEETS: Final[dict[str, Pair]] = {
    "totals": ("Totalen", "Totals"),
    "TO": ("T&O per land", "T&O by country"),
    "LP": ("LP per land", "LP by country"),
    "reasons": ("Redenen", "Reasons"),
    "definitions": ("Definities", "Definitions"),
}

PRESS_TITLE: Final[dict[str, Pair]] = {
    "totals": (
        "LP-aanvragen en T&O-verzoeken per jaar van bekendstelling, met de antwoorden, {years}",
        "LP applications and T&O requests per year of submission, with the answers, {years}",
    ),
    "TO": (
        "T&O-verzoeken per land van herkomst en jaar van bekendstelling, met de antwoorden "
        "en het aandeel niet bevestigd, {years}",
        "T&O requests per country of origin and year of submission, with the answers and the "
        "share not confirmed, {years}",
    ),
    "LP": (
        "LP-aanvragen per land van herkomst en jaar van bekendstelling, met de antwoorden en "
        "het aandeel niet bevestigd, {years}",
        "LP applications per country of origin and year of submission, with the answers and "
        "the share not confirmed, {years}",
    ),
    "reasons": (
        "Negatief beantwoorde en ingetrokken LP-aanvragen en T&O-verzoeken naar reden en jaar "
        "van bekendstelling, {years}",
        "LP applications and T&O requests answered negatively or withdrawn, by reason and "
        "year of submission, {years}",
    ),
    "definitions": ("Definities en verantwoording", "Definitions and sources"),
}

#: Column headers of sheet 1, per answer; "submitted" is the row total.
PRESS_ANSWER: Final[dict[str, Pair]] = {
    "submitted": ("bekendgesteld", "submitted"),
    Outcome.POSITIVE: ("positief", "positive"),
    Outcome.NEGATIVE: ("negatief", "negative"),
    Outcome.WITHDRAWN: ("ingetrokken", "withdrawn"),
    Outcome.PENDING: ("nog in behandeling", "still pending"),
    "not_confirmed": ("aandeel niet bevestigd", "share not confirmed"),
}

#: The country sheets: the group of columns over all the years asked.
ALL_YEARS: Final[Pair] = ("{years} samen", "{years} together")

#: A share with nothing to divide: no request answered (an en dash).
NO_SHARE: Final = "\N{EN DASH}"
#: The country sheets: what a share shows instead of a number, and why.
SHARE_NOTE: Final[dict[str, Pair]] = {
    "computed": (
        "Aandeel niet bevestigd = (negatief + ingetrokken) / (positief + negatief + "
        "ingetrokken): van de verzoeken met een antwoord of intrekking, het deel zonder "
        "bevestiging; nog in behandeling telt niet mee.",
        "Share not confirmed = (negative + withdrawn) / (positive + negative + withdrawn): of "
        "the requests answered or withdrawn, the part without confirmation; requests still "
        "pending do not count.",
    ),
    "rounded": (
        "Onder dit profiel is het aandeel berekend uit de getoonde, afgeronde aantallen: het "
        "is een benadering en zegt niets wat die aantallen niet zeggen. x: niet getoond, "
        "omdat een aantal erachter verborgen is.",
        "Under this profile the share is computed from the counts shown, rounded: it is an "
        "approximation and says nothing those counts do not say. x: not shown, because a "
        "count behind it is hidden.",
    ),
    "none": (
        f"{NO_SHARE}: geen verzoeken met een antwoord.",
        f"{NO_SHARE}: no requests answered.",
    ),
    "reasons": (
        "Ingetrokken: om welke reden (geen antwoord verkregen, de vreemdeling vertrokken, "
        "een procedure loopt, ...) staat op het blad Redenen.",
        "Withdrawn: for which reason (no answer obtained, the person left, a procedure "
        "pending, ...) is on the sheet Reasons.",
    ),
}

#: The page footer of every sheet: sheet name, page x of y, extraction date, profile.
#: ``&A``, ``&P`` and ``&N`` are the spreadsheet's codes for them.
PAGE_OF: Final[Pair] = ("pagina &P van &N", "page &P of &N")

KIND_LONG: Final[dict[str, Pair]] = {
    RequestKind.LP: ("LP-aanvragen", "LP applications"),
    RequestKind.TO: ("T&O-verzoeken", "T&O requests"),
}

NO_ROWS: Final[Pair] = (
    "Geen negatief beantwoorde of ingetrokken verzoeken in deze jaren.",
    "No requests answered negatively or withdrawn in these years.",
)
NO_REQUESTS: Final[Pair] = (
    "Geen verzoeken van deze soort in deze jaren.",
    "No requests of this kind in these years.",
)

#: The definitions sheet: term, explanation. In the spirit of the ministry's own press
#: answers, in retour's words.
DEFINITIONS: Final[tuple[tuple[Pair, Pair], ...]] = (
    (
        ("Laissez-passer (LP)", "Laissez-passer (LP)"),
        (
            "Vervangend reisdocument dat de autoriteiten van het land van herkomst afgeven aan "
            "een onderdaan zonder geldig paspoort; het geldt alleen voor de reis naar dat land. "
            "Een LP-aanvraag vraagt de autoriteiten (meestal de ambassade) de nationaliteit te "
            "bevestigen en het document af te geven.",
            "A replacement travel document issued by the authorities of the country of origin "
            "to a national without a valid passport; it is valid only for travel to that "
            "country. An LP application asks the authorities (usually the embassy) to confirm "
            "the nationality and issue the document.",
        ),
    ),
    (
        ("Terugname en overname (T&O)", "Readmission (T&O)"),
        (
            "Verzoek aan een land om een persoon terug te nemen op grond van een terug- en "
            "overnameovereenkomst van dat land met Nederland, de Benelux of de EU. Zulke "
            "overeenkomsten leggen procedures en termijnen vast voor de terugname van eigen "
            "onderdanen, en soms van onderdanen van derde landen en staatlozen.",
            "A request to a country to take a person back under a readmission agreement "
            "between that country and the Netherlands, the Benelux or the EU. Such agreements "
            "set procedures and time limits for taking back the country's own nationals, and "
            "sometimes nationals of third countries and stateless persons.",
        ),
    ),
    (
        ("Bekendstelling", "Submission (bekendstelling)"),
        (
            "Het voorleggen van de LP-aanvraag of het T&O-verzoek door de Nederlandse "
            "autoriteiten aan de autoriteiten van het land van herkomst. Een verzoek telt mee "
            "in het jaar van bekendstelling.",
            "The Dutch authorities presenting the LP application or T&O request to the "
            "authorities of the country of origin. A request is counted in the year it was "
            "submitted.",
        ),
    ),
    (
        ("Positief antwoord", "Positive answer"),
        (
            "De autoriteiten bevestigen de nationaliteit. Of daarna een reisdocument wordt "
            "afgegeven of de terugname wordt geregeld, hangt van meer af: is de persoon nog in "
            "beeld, lopen er nog procedures?",
            "The authorities confirm the nationality. Whether a travel document is then issued "
            "or the readmission arranged depends on more: is the person still in view, are "
            "procedures still pending?",
        ),
    ),
    (
        ("Negatief antwoord", "Negative answer"),
        (
            "De autoriteiten bevestigen de nationaliteit niet, of hebben te weinig "
            "aanknopingspunten om haar vast te stellen, vaak omdat de vreemdeling zelf te "
            "weinig informatie geeft over identiteit en nationaliteit.",
            "The authorities do not confirm the nationality, or have too little to go on to "
            "establish it, often because the person gives too little information about their "
            "identity and nationality.",
        ),
    ),
    (
        ("Ingetrokken", "Withdrawn"),
        (
            "Het verzoek is ingetrokken. Waarom, staat bij de reden (blad Redenen): er is "
            "geen antwoord verkregen (een LP-aanvraag zonder antwoord wordt uiterlijk twaalf "
            "maanden na de aanvraag als zodanig vastgelegd en kan dan worden ingetrokken), de "
            "vreemdeling is met onbekende bestemming vertrokken of op andere wijze vertrokken, "
            "er loopt een procedure, of een andere reden. Alleen de eerste betekent dat het "
            "land niet antwoordde.",
            "The request was withdrawn. Why is given by its reason (sheet Reasons): no answer "
            "was obtained (an LP application without an answer is recorded as such at most "
            "twelve months after it was made, and may then be withdrawn), the person "
            "absconded or left otherwise, a procedure is pending, or another reason. Only "
            "the first means the country did not answer.",
        ),
    ),
    (
        ("Reden", "Reason"),
        (
            "Bij een negatief antwoord de grond die de autoriteiten gaven (nationaliteit niet "
            "bevestigd, onvoldoende informatie); bij een intrekking waarom het verzoek werd "
            "ingetrokken (geen antwoord verkregen, de vreemdeling met onbekende bestemming "
            "vertrokken, op andere wijze vertrokken, een procedure loopt, overig). Elk verzoek "
            "telt met één reden.",
            "For a negative answer, the ground the authorities gave (nationality not "
            "confirmed, insufficient information); for a withdrawal, why the request was "
            "withdrawn (no answer obtained, the person absconded, left otherwise, a procedure "
            "pending, other). Each request counts once, with one reason.",
        ),
    ),
    (
        ("Bekendgesteld", "Submitted"),
        (
            "Alle verzoeken die in het jaar zijn bekendgesteld, wat het antwoord ook is: "
            "positief + negatief + ingetrokken + nog in behandeling. Dit is de noemer bij de "
            "antwoorden.",
            "Every request submitted in the year, whatever its answer: positive + negative + "
            "withdrawn + still pending. This is the denominator of the answers.",
        ),
    ),
    (
        ("Aandeel niet bevestigd", "Share not confirmed"),
        (
            "(negatief + ingetrokken) / (positief + negatief + ingetrokken): van de verzoeken "
            "met een antwoord of intrekking het deel waarbij de nationaliteit niet werd "
            "bevestigd. Verzoeken die nog in behandeling zijn tellen niet mee, omdat hun "
            "antwoord nog kan komen. Onder het profiel public berekend uit de getoonde, "
            "afgeronde aantallen, en niet getoond (x) waar een van die aantallen verborgen is.",
            "(negative + withdrawn) / (positive + negative + withdrawn): of the requests "
            "answered or withdrawn, the part whose nationality was not confirmed. Requests "
            "still pending do not count, since their answer may yet come. Under the public "
            "profile computed from the counts shown, rounded, and not shown (x) where one of "
            "those counts is hidden.",
        ),
    ),
    (
        ("Nog in behandeling", "Still pending"),
        (
            "Op de peildatum was er nog geen antwoord en was het verzoek niet ingetrokken.",
            "On the extraction date there was no answer yet and the request had not been "
            "withdrawn.",
        ),
    ),
    (
        ("Stand van de antwoorden", "Status of the answers"),
        (
            "Elk verzoek telt met zijn antwoord zoals dat op de peildatum bekend was. Latere "
            "antwoorden kunnen de cijfers van recente jaren nog veranderen.",
            "Each request is counted with its answer as known on the extraction date. Later "
            "answers can still change the figures of recent years.",
        ),
    ),
    (
        ("Land van herkomst", "Country of origin"),
        (
            "Het land tot welks autoriteiten het verzoek is gericht, met zijn ISO 3166-1-code.",
            "The country whose authorities the request was addressed to, with its ISO 3166-1 code.",
        ),
    ),
)

META: Final[dict[str, Pair]] = {
    "years": ("Jaren van bekendstelling", "Years of submission"),
    "profile": ("Publicatieprofiel", "Publication profile"),
    "extracted": EXTRACTED,
    "fingerprint": FINGERPRINT,
    "source": ("Bron", "Source"),
    "data": ("Gegevens", "Data"),
    "notes": ("Toelichting bij de tabellen", "Notes to the tables"),
    "real": ("echte gegevens", "real data"),
    "fingerprint_note": (
        "SHA-256 over de vingerafdrukken van de geïmporteerde bestanden, ingekort; dezelfde "
        "gegevens geven dezelfde vingerafdruk.",
        "SHA-256 over the fingerprints of the imported files, shortened; the same data give "
        "the same fingerprint.",
    ),
}

TOTAL: Final[Pair] = ("Totaal", "Total")

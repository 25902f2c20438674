"""The web's own texts in Dutch (the default) and English. Figures' labels (codes, countries,
profiles, notes) come from :mod:`retour.reports.labels`, shared with the reports."""

from __future__ import annotations

import re
from typing import Final

from retour.disclosure import Language, Profile
from retour.reports import labels
from retour.reports.charts import INSTRUMENT_TEXT
from retour.reports.messages import _

DEFAULT: Final[Language] = "nl"
LANGUAGES: Final[tuple[Language, ...]] = ("nl", "en")

TEXTS: Final[dict[str, tuple[str, str]]] = {
    # frame
    "app": ("retour", "retour"),
    "tagline": ("terugkeersamenwerking", "return cooperation"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "nav.overview": ("Overzicht", "Overview"),
    "nav.figures": ("Cijfers", "Figures"),
    "nav.cases": ("Zaken", "Cases"),
    "nav.instruments": ("Instrumenten", "Instruments"),
    "nav.import": ("Importeren", "Import"),
    "nav.audit": ("Auditlog", "Audit log"),
    "signed_in_as": ("Ingelogd als", "Signed in as"),
    "role": ("rol", "role"),
    "logout": ("Uitloggen", "Sign out"),
    "language": ("Taal", "Language"),
    "switch_language": ("English", "Nederlands"),
    "simulated": (
        "Gesimuleerde gegevens — geen echte cijfers, niet publiceren.",
        "Simulated data — not real figures, do not publish.",
    ),
    "extracted": ("Peildatum", "Extraction date"),
    "fingerprint": ("Vingerafdruk van de gegevens", "Data fingerprint"),
    "no_data": (
        "De database bevat nog geen gegevens. Een beheerder kan een dataset importeren.",
        "The database holds no data yet. An administrator can import a dataset.",
    ),
    "profile": ("Profiel", "Profile"),
    "profile.public": ("openbaar", "public"),
    "profile.parliament": ("Kamer", "Parliament"),
    "profile.internal": ("intern", "internal"),
    "show": ("Toon", "Show"),
    "profile_clamped": (
        "Het gevraagde profiel is niet beschikbaar voor uw rol; u ziet het profiel {profile}.",
        "The profile asked for is not available to your role; you see the {profile} profile.",
    ),
    "not_available": ("Nog niet beschikbaar", "Not available yet"),
    "not_available_detail": (
        "Dit onderdeel wacht op {what} ({hook}).",
        "This part waits for {what} ({hook}).",
    ),
    "error": ("Fout", "Error"),
    "back": ("Terug naar het overzicht", "Back to the overview"),
    "forbidden": ("Geen toegang", "No access"),
    "forbidden_detail": (
        "Uw rol geeft geen toegang tot deze pagina.",
        "Your role gives no access to this page.",
    ),
    "not_found": ("Niet gevonden", "Not found"),
    "not_found_detail": (
        "Deze pagina bestaat niet, of er zijn geen gegevens voor onder uw profiel.",
        "This page does not exist, or there are no figures for it under your profile.",
    ),
    "invalid_value": (
        "De waarde van '{field}' is te lang of ongeldig. Pas het adres of het formulier aan "
        "en probeer het opnieuw.",
        "The value of '{field}' is too long or not valid. Correct the address or the form and "
        "try again.",
    ),
    "csrf": ("Formulier verlopen", "Form expired"),
    "csrf_detail": (
        "Het formulier is verlopen of komt niet van deze site. Laad de pagina opnieuw en "
        "probeer het nog eens.",
        "The form has expired or does not come from this site. Reload the page and try again.",
    ),
    # login
    "login.title": ("Inloggen", "Sign in"),
    "login.name": ("Gebruikersnaam", "User name"),
    "login.password": ("Wachtwoord", "Password"),
    "login.submit": ("Inloggen", "Sign in"),
    "login.invalid": ("Naam of wachtwoord onjuist.", "Name or password wrong."),
    "login.locked": (
        "Te veel mislukte pogingen. Probeer het na {time} (UTC) opnieuw.",
        "Too many failed attempts. Try again after {time} (UTC).",
    ),
    "login.ended": ("U bent uitgelogd.", "You have signed out."),
    # overview
    "overview.title": ("Overzicht", "Overview"),
    "overview.scale": ("Glijdende schaal van samenwerking", "Sliding scale of cooperation"),
    "overview.scale_intro": (
        "Per land de geschatte kans op een positief antwoord binnen 90 dagen voor een "
        "standaardzaak, met interval. Een schaal, geen oordeel.",
        "Per country the estimated probability of a positive answer within 90 days for a "
        "standard case, with its interval. A scale, not a verdict.",
    ),
    "overview.trends": ("Ontwikkeling", "Trends"),
    "overview.ready": (
        "Klaar voor vertrek op de laatste dag van de maand",
        "Ready to return at month end",
    ),
    "overview.period": ("Periode (jaar of kwartaal)", "Period (year or quarter)"),
    "overview.no_conditions": (
        "Geen condities in de gegevens voor deze periode.",
        "No conditions in the data for this period.",
    ),
    "overview.key_figures": ("Verzoeken per jaar en antwoord", "Requests per year and answer"),
    "overview.countries": ("Landen", "Countries"),
    "overview.order": ("Volgorde", "Order"),
    "order.index": ("op index, hoogste eerst", "by index, highest first"),
    "order.name": ("op naam", "by name"),
    "order.note": (
        "Op volgorde van de index. Landen waarvan de intervallen elkaar overlappen, zijn uit "
        "deze gegevens niet van elkaar te onderscheiden: de volgorde is geen rangorde.",
        "In order of the index. Countries whose intervals overlap cannot be told apart from "
        "these data: the order is not a ranking.",
    ),
    # what a table shows (its caption)
    "filter.country": ("land", "country"),
    "filter.nationality": ("nationaliteit", "nationality"),
    "filter.kind": ("soort verzoek", "kind of request"),
    "filter.outcome": ("antwoord", "answer"),
    "filter.profile": ("profiel", "profile"),
    "filter.years": ("jaren", "years"),
    "filter.all_countries": ("alle landen", "all countries"),
    "filter.all_kinds": ("LP en T&O", "LP and T&O"),
    "filter.all_outcomes": ("alle antwoorden", "all answers"),
    "filter.or": ("of", "or"),
    "filter.order": ("volgorde", "order"),
    "busy": ("Bezig met laden…", "Loading…"),
    "busy.failed": (
        "Deze cijfers konden niet worden geladen: de tabel hieronder hoort niet bij de gekozen "
        "filters. Probeer het opnieuw.",
        "These figures could not be loaded: the table below does not belong to the filters "
        "chosen. Try again.",
    ),
    # country
    "country.index": ("Samenwerkingsindex door de tijd", "Cooperation index over time"),
    "country.answer_times": ("Antwoordtijden", "Answer times"),
    "country.reasons": ("Antwoorden naar reden", "Answers by reason"),
    "country.per_year": ("Antwoorden per jaar", "Answers per year"),
    "country.instruments": ("Instrumenten", "Instruments"),
    "country.effects": ("Geschat effect van instrumenten", "Estimated effect of instruments"),
    "country.brief": ("Landenbrief (HTML, download)", "Country brief (HTML, download)"),
    "country.no_instruments": ("Geen instrumenten geregistreerd.", "No instruments recorded."),
    "country.assessments": (
        "Beoordelingen door de landendesk (intern)",
        "Country desk assessments (internal)",
    ),
    "col.assessed_on": ("Datum", "Date"),
    "col.assessment_level": ("Niveau (1-5)", "Level (1-5)"),
    "col.note": ("Toelichting", "Note"),
    "country.context": ("Europese context", "European context"),
    # figures
    "figures.title": ("Cijfers voor Kamer en pers", "Figures for Parliament and the press"),
    "figures.subject": ("Onderwerp", "Subject"),
    "figures.requests": ("Verzoeken (LP en T&O)", "Requests (LP and T&O)"),
    "figures.reasons": (
        "Negatieve antwoorden en intrekkingen naar reden",
        "Negative answers and withdrawals by reason",
    ),
    "figures.detentions": ("Vreemdelingenbewaring", "Immigration detention"),
    "figures.departures": ("Vertrek", "Departures"),
    "figures.years": ("Jaren", "Years"),
    "figures.years_hint": ("bijv. 2019-2023", "e.g. 2019-2023"),
    "figures.kind": ("Soort verzoek", "Kind of request"),
    "figures.all": ("alle", "all"),
    "figures.country": ("Land", "Country"),
    "figures.all_countries": ("alle landen", "all countries"),
    "figures.workbook": ("Download de persmap (.xlsx)", "Download the press workbook (.xlsx)"),
    "figures.csv": ("Deze cijfers als CSV", "These figures as CSV"),
    "figures.no_rows": (
        "Geen cijfers voor dit land onder uw profiel.",
        "No figures for this country under your profile.",
    ),
    # cases
    "cases.title": ("Zaak", "Case"),
    "cases.lookup": ("Zaak opzoeken", "Look up a case"),
    "cases.case_id": ("Zaaknummer (case_id) of V-nummer", "Case id (case_id) or alien number"),
    "cases.v_number": (
        "Een V-nummer gaat niet in het adres, het auditlog of de logbestanden: retour zoekt "
        "de zaak op met het pseudoniem dat de import ervan maakte.",
        "An alien number (V-nummer) never goes into the address, the audit log or the log "
        "files: retour looks the case up by the pseudonym the import made of it.",
    ),
    "cases.not_found": (
        "Geen zaak gevonden met dit zaaknummer of V-nummer.",
        "No case found with this case id or alien number.",
    ),
    "cases.not_an_id": (
        "Dit is geen zaaknummer of V-nummer.",
        "This is not a case id or an alien number.",
    ),
    "cases.no_secret": (
        "Een V-nummer kan niet worden opgezocht: er is geen geheim ingesteld voor de "
        "pseudoniemen. Vraag de beheerder.",
        "An alien number cannot be looked up: no secret is set for the pseudonyms. Ask the "
        "administrator.",
    ),
    "cases.open": ("Openen", "Open"),
    "cases.on": ("Zoals de zaak stond op", "As the case stood on"),
    "cases.conditions": (
        "De vijf condities en het vooruitzicht",
        "The five conditions and prospect",
    ),
    "cases.audited": (
        "Elke raadpleging van een zaak wordt vastgelegd in het auditlog.",
        "Every view of a case is recorded in the audit log.",
    ),
    # instruments
    "instruments.title": ("Instrumenten", "Instruments"),
    "instruments.add": ("Instrument toevoegen", "Add an instrument"),
    "instruments.end": ("Beëindigen", "End"),
    "instruments.end_on": ("Einddatum", "End date"),
    "instruments.added": ("Instrument {id} toegevoegd.", "Instrument {id} added."),
    "instruments.ended": ("Instrument {id} beëindigd.", "Instrument {id} ended."),
    "instruments.as_of": (
        "Data tot en met de peildatum {date}: een instrument maakt deel uit van de gegevens "
        "per die datum.",
        "Dates up to the extraction date {date}: an instrument is part of the data as of "
        "that date.",
    ),
    "instruments.invalid": (
        "Niet opgeslagen; de gegevens voldoen niet aan het uitwisselformaat:",
        "Not saved; the data break the exchange format:",
    ),
    "col.instrument_id": ("Id", "Id"),
    "col.country": ("Land", "Country"),
    "col.kind": ("Soort", "Kind"),
    "col.level": ("Niveau", "Level"),
    "col.status": ("Status", "Status"),
    "col.start_on": ("Begindatum", "Start date"),
    "col.end_on": ("Einddatum", "End date"),
    "col.title": ("Titel", "Title"),
    "col.source": ("Bron", "Source"),
    "save": ("Opslaan", "Save"),
    # import
    "import.title": ("Dataset importeren", "Import a dataset"),
    "import.file": (
        "Bestand (.zip met CSV-bestanden, of .xlsx-werkmap)",
        "File (.zip of CSV files, or an .xlsx workbook)",
    ),
    "import.submit": ("Controleren en importeren", "Check and import"),
    "import.done": ("{name} geïmporteerd.", "{name} imported."),
    "import.refused": (
        "{name} is niet geïmporteerd: {n} overtreding(en) van het uitwisselformaat. Er is "
        "niets geschreven.",
        "{name} was not imported: {n} violation(s) of the exchange format. Nothing was written.",
    ),
    "import.more": ("… en nog {n} overtredingen.", "… and {n} more violations."),
    "import.table": ("tabel", "table"),
    "import.inserted": ("nieuw", "inserted"),
    "import.replaced": ("vervangen", "replaced"),
    "import.unchanged": ("ongewijzigd", "unchanged"),
    "import.kept": ("behouden (opgeslagen is nieuwer)", "kept (stored is newer)"),
    "import.notices": (
        "Niet gelezen (geen deel van het formaat)",
        "Not read (not part of the format)",
    ),
    "import.bad_name": (
        "Kies een .zip- of .xlsx-bestand.",
        "Choose a .zip or .xlsx file.",
    ),
    "import.too_big": ("Het bestand is te groot.", "The file is too large."),
    "violation.file": ("bestand", "file"),
    "violation.line": ("regel", "line"),
    "violation.column": ("kolom", "column"),
    "violation.message": ("overtreding", "violation"),
    "violation.value": ("waarde", "value"),
    "violation.reason": ("reden (code)", "reason (code)"),
    "import.unreadable": (
        "Het bestand kon niet worden gelezen; er is niets geschreven.",
        "The file could not be read; nothing was written.",
    ),
    # audit
    "audit.title": ("Auditlog", "Audit log"),
    "audit.intro": (
        "Alleen-toevoegen: wie wat wanneer deed, onder welk profiel.",
        "Append-only: who did what, when, under which profile.",
    ),
    "audit.at": ("Tijd (UTC)", "Time (UTC)"),
    "audit.actor": ("Wie", "Who"),
    "audit.action": ("Actie", "Action"),
    "audit.subject": ("Onderwerp", "Subject"),
    "audit.via": ("Via", "Via"),
    "audit.detail": ("Details", "Details"),
    "audit.older": ("Oudere regels", "Older entries"),
    "audit.all_actions": ("alle acties", "all actions"),
}


#: The codes of instruments (kind, level, status) in words (shared with the charts).
INSTRUMENT_WORDS: Final = INSTRUMENT_TEXT

#: Messages of the services that name command-line options, in words for the web:
#: (pattern of the English message, (Dutch, English) with the pattern's groups).
_ERRORS: Final[tuple[tuple[re.Pattern[str], tuple[str, str]], ...]] = (
    (
        re.compile(r"^--period (?P<v>'.*') is not a year or a quarter\."),
        (
            "{v} is geen jaar of kwartaal. Schrijf een jaar zoals 2023 of een kwartaal "
            "zoals 2023Q2.",
            "{v} is not a year or a quarter. Write a year such as 2023 or a quarter such as "
            "2023Q2.",
        ),
    ),
    (
        re.compile(
            r"^No requests were submitted in (?P<v>\S+)\.(?: The data cover (?P<a>\S+) "
            r"to (?P<b>\S+) )?"
        ),
        (
            "In {v} zijn geen verzoeken gedaan.{span_nl}",
            "No requests were submitted in {v}.{span_en}",
        ),
    ),
    (
        re.compile(r"^Cannot read the years (?P<v>'.*?')(?: of --\w+)?\."),
        (
            "De jaren {v} zijn niet te lezen. Geef één jaar (2021) of een reeks (2019-2023).",
            "Cannot read the years {v}. Give one year (2021) or a range (2019-2023).",
        ),
    ),
    (
        re.compile(r"^The years (?P<v>'.*')(?: of --\w+)? run backwards\."),
        (
            "De jaren {v} lopen achteruit. Schrijf bijvoorbeeld 2019-2023.",
            "The years {v} run backwards. Write e.g. 2019-2023.",
        ),
    ),
    (
        re.compile(r"^The years (?P<v>\S+) lie outside the data: .* cover (?P<a>\d{4}-\d{4})\."),
        (
            "De jaren {v} vallen buiten de gegevens, die {a} beslaan. Kies jaren binnen {a}.",
            "The years {v} lie outside the data, which cover {a}. Choose years within {a}.",
        ),
    ),
    (
        re.compile(r"^Cannot read the date (?P<v>'.*') of --\w+\."),
        (
            "De datum {v} is niet te lezen. Schrijf hem als 2023-06-30.",
            "Cannot read the date {v}. Write it as 2023-06-30.",
        ),
    ),
    (
        re.compile(r"^(?P<v>\d{4}-\d\d-\d\d) lies after the data, which run to (?P<a>[\d-]+)\."),
        (
            "{v} ligt na de gegevens, die lopen tot {a}. Kies een datum op of voor de peildatum.",
            "{v} lies after the data, which run to {a}. Choose a date on or before the "
            "extraction date.",
        ),
    ),
    (
        re.compile(r"^The case was not yet open on that date\."),
        (
            "De zaak was op die datum nog niet geopend. Kies een latere datum.",
            "The case was not yet open on that date. Choose a later date.",
        ),
    ),
    (
        re.compile(r"^--kind (?P<v>'.*') is not a kind of request\."),
        (
            "{v} is geen soort verzoek. Kies LP, T&O of alle.",
            "{v} is not a kind of request. Choose LP, T&O or all.",
        ),
    ),
    (
        re.compile(r"^This database holds simulated data; real data cannot be imported"),
        (
            "Deze database bevat gesimuleerde gegevens; echte gegevens kunnen er niet in. "
            "Importeer ze in een eigen database (vraag de beheerder).",
            "This database holds simulated data; real data cannot be imported into it. Import "
            "them into a database of their own (ask the administrator).",
        ),
    ),
    (
        re.compile(r"^This database holds real data; a simulated dataset cannot be imported"),
        (
            "Deze database bevat echte gegevens; een gesimuleerde dataset kan er niet in. "
            "Importeer de simulatie in een eigen database (vraag de beheerder).",
            "This database holds real data; a simulated dataset cannot be imported into it. "
            "Import the simulation into a database of its own (ask the administrator).",
        ),
    ),
    (
        re.compile(r"^The database holds no (?P<what>[\w ]+?)(?: to count)?\."),
        (
            "De database bevat hiervoor nog geen gegevens. Een beheerder kan een dataset "
            "importeren.",
            "The database holds no {what} yet. An administrator can import a dataset.",
        ),
    ),
)
#: What gives a message away as written for the command line: an option, a command, a
#: setting's environment variable.
_COMMAND_LINE: Final = re.compile(r"--[a-z]|\bretour [a-z]|\bRETOUR_[A-Z]")
_OPTION: Final = re.compile(r"--([a-z][a-z-]*)")
#: A code as the data write it (``not_applicable``, ``in_force``): letters joined by "_".
_SNAKE_CODE: Final = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def error_text(exc: Exception, lang: Language) -> str:
    """A service's error in the words of the web, in `lang`: never a command-line option,
    a command or a raw code. Known messages are translated; any other keeps its message
    (without a hint that speaks of the command line)."""
    message = str(getattr(exc, "message", None) or exc)
    for pattern, (nl, en) in _ERRORS:
        found = pattern.search(str(exc))
        if found is None:
            continue
        values = {k: v or "" for k, v in found.groupdict().items()}
        first, last = values.get("a"), values.get("b")
        values["span_nl"] = f" De gegevens lopen van {first} tot {last}." if last else ""
        values["span_en"] = f" The data cover {first} to {last}." if last else ""
        return (nl if lang == "nl" else en).format(**values)
    hint = getattr(exc, "hint", None)
    shown = message if not hint or _COMMAND_LINE.search(hint) else f"{message} {hint}"
    return readable(_OPTION.sub(r"\1", shown), lang)


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
    return text(f"profile.{profile.value}", lang)


def text(key: str, lang: Language, **values: object) -> str:
    """The text of `key` in `lang`, with `values` filled in."""
    nl, en = TEXTS[key]
    chosen = nl if lang == "nl" else en
    return chosen.format(**values) if values else chosen


def parse(value: str | None) -> Language:
    return "en" if value == "en" else "nl"

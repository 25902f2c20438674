"""The web's own texts in Dutch (the default) and English. Figures' labels (codes, countries,
profiles, notes) come from :mod:`retour.reports.labels`, shared with the reports."""

from __future__ import annotations

from typing import Final

from retour.disclosure import Language

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
    "cases.case_id": ("Zaaknummer (case_id)", "Case id (case_id)"),
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


def text(key: str, lang: Language, **values: object) -> str:
    """The text of `key` in `lang`, with `values` filled in."""
    nl, en = TEXTS[key]
    chosen = nl if lang == "nl" else en
    return chosen.format(**values) if values else chosen


def parse(value: str | None) -> Language:
    return "en" if value == "en" else "nl"

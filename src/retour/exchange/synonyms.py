"""The words a Dutch return service and its English counterparts use for the exchange
format's tables, columns and codes: what `mapping draft` recognises and what a source-style
export writes. The first word of each language is the one a source-style export writes.

The seed documents' own words are here: "Positief antwoord", "Negatief antwoord",
"Ingetrokken (geen antwoord verkregen)", "Bekend stelling" (bekendstelling = submission).
"""

from __future__ import annotations

from typing import Final

from retour.domain.codes import Table

Words = dict[str, tuple[str, ...]]  # language -> words, the written one first

TABLES: Final[dict[Table, Words]] = {
    Table.CASES: {
        "nl": ("Zaken", "Zaak", "Dossiers", "Vreemdelingen", "Personen"),
        "en": ("Cases", "Case", "Persons", "Foreign nationals"),
    },
    Table.REQUESTS: {
        "nl": ("Verzoeken", "Aanvragen", "LP-aanvragen", "Verzoek", "Bekendstellingen"),
        "en": ("Requests", "Applications", "Request"),
    },
    Table.DETENTIONS: {
        "nl": ("Bewaring", "Vreemdelingenbewaring", "Detenties", "Bewaringen"),
        "en": ("Detentions", "Detention", "Immigration detention"),
    },
    Table.DEPARTURES: {
        "nl": ("Vertrek", "Vertrekken", "Terugkeer", "Uitzettingen"),
        "en": ("Departures", "Returns", "Departure"),
    },
    Table.CONDITIONS: {
        "nl": ("Condities", "Stoplichten", "Voorwaarden"),
        "en": ("Conditions", "Traffic lights"),
    },
    Table.INSTRUMENTS: {
        "nl": ("Instrumenten", "Instrumentarium", "Maatregelen"),
        "en": ("Instruments", "Measures"),
    },
    Table.ASSESSMENTS: {
        "nl": ("Beoordelingen", "Landenbeoordelingen", "Oordelen"),
        "en": ("Assessments", "Country assessments"),
    },
    Table.TERMS: {
        "nl": ("Termijnen", "Afgesproken termijnen", "Termijnafspraken"),
        "en": ("Terms", "Time limits", "Agreed time limits"),
    },
    Table.COUNTRY_STATUS: {
        "nl": ("Landenstatus", "Landenstatussen", "Omstandigheden"),
        "en": ("Country status", "Country statuses"),
    },
}

_COUNTRY_NL = ("Land van herkomst", "Land", "Herkomstland", "Nationaliteit")
_COUNTRY_EN = ("Country of origin", "Country", "Nationality")

#: (table, column) -> words. A key column shared by tables has the same words in each.
COLUMNS: Final[dict[tuple[Table, str], Words]] = {
    (Table.CASES, "case_id"): {
        "nl": ("Zaaknummer", "Zaak-id", "Dossiernummer", "Zaak"),
        "en": ("Case number", "Case ID", "Case"),
    },
    (Table.CASES, "v_number"): {
        "nl": ("V-nummer", "Vnummer", "V nummer", "Vreemdelingennummer"),
        "en": ("Alien number", "V-number"),
    },
    (Table.CASES, "nationality"): {
        "nl": ("Nationaliteit", "Land van herkomst", "Herkomstland"),
        "en": ("Nationality", "Country of origin", "Citizenship"),
    },
    (Table.CASES, "opened_on"): {
        "nl": (
            "Datum instroom",
            "Instroomdatum",
            "Datum start",
            "Einde rechtmatig verblijf",
            "Startdatum",
        ),
        "en": ("Opened on", "Date opened", "Start date", "Intake date"),
    },
    (Table.CASES, "sex"): {"nl": ("Geslacht", "Sekse"), "en": ("Sex", "Gender")},
    (Table.CASES, "birth_year"): {
        "nl": ("Geboortejaar", "Jaar van geboorte"),
        "en": ("Birth year", "Year of birth"),
    },
    (Table.CASES, "closed_on"): {
        "nl": ("Datum uitstroom", "Uitstroomdatum", "Datum einde", "Einddatum", "Datum afgesloten"),
        "en": ("Closed on", "Date closed", "End date"),
    },
    (Table.CASES, "close_reason"): {
        "nl": ("Reden uitstroom", "Reden einde", "Reden afsluiting"),
        "en": ("Close reason", "Reason closed", "Closing reason"),
    },
    (Table.REQUESTS, "request_id"): {
        "nl": ("Verzoeknummer", "Aanvraagnummer", "Verzoek-id", "Kenmerk verzoek"),
        "en": ("Request number", "Request ID", "Application number"),
    },
    (Table.REQUESTS, "kind"): {
        "nl": ("Soort verzoek", "Soort", "Type verzoek", "Type aanvraag"),
        "en": ("Kind", "Request type", "Type of request", "Kind of request"),
    },
    (Table.REQUESTS, "country"): {
        "nl": ("Land van herkomst", "Land", "Aangeschreven land", "Autoriteiten van"),
        "en": ("Country", "Country addressed", "Authorities"),
    },
    (Table.REQUESTS, "submitted_on"): {
        "nl": (
            "Datum bekendstelling",
            "Bekendstelling",
            "Bekend stelling",
            "Datum bekend stelling",
            "Datum indiening",
            "Datum verzoek",
        ),
        "en": ("Submitted on", "Date submitted", "Submission date"),
    },
    (Table.REQUESTS, "id_evidence"): {
        "nl": ("Identiteitsbewijs", "Bewijs identiteit", "Bewijs", "Documenten"),
        "en": ("Identity evidence", "ID evidence", "Evidence"),
    },
    (Table.REQUESTS, "alien_cooperates"): {
        "nl": ("Medewerking vreemdeling", "Medewerking", "Werkt mee"),
        "en": ("Alien cooperates", "Cooperation", "Cooperates"),
    },
    (Table.REQUESTS, "outcome"): {
        "nl": ("Antwoord", "Uitkomst", "Resultaat", "Status"),
        "en": ("Outcome", "Answer", "Result", "Status"),
    },
    (Table.REQUESTS, "outcome_on"): {
        "nl": ("Datum antwoord", "Antwoorddatum", "Datum uitkomst"),
        "en": ("Outcome on", "Date of answer", "Answer date"),
    },
    (Table.REQUESTS, "reason"): {
        "nl": ("Reden", "Reden weigering", "Reden intrekking"),
        "en": ("Reason", "Reason for refusal"),
    },
    (Table.REQUESTS, "document_on"): {
        "nl": ("Datum reisdocument", "Datum LP verstrekt", "Datum document"),
        "en": ("Document on", "Travel document date", "Date document issued"),
    },
    (Table.DETENTIONS, "detention_id"): {
        "nl": ("Bewaringsnummer", "Bewaring-id", "Kenmerk bewaring"),
        "en": ("Detention number", "Detention ID"),
    },
    (Table.DETENTIONS, "started_on"): {
        "nl": ("Datum inbewaringstelling", "Begindatum bewaring", "Startdatum", "Datum start"),
        "en": ("Started on", "Start date", "Detention start"),
    },
    (Table.DETENTIONS, "ended_on"): {
        "nl": ("Datum opheffing", "Einddatum bewaring", "Einddatum"),
        "en": ("Ended on", "End date", "Detention end"),
    },
    (Table.DETENTIONS, "end_reason"): {
        "nl": ("Reden opheffing", "Reden einde bewaring"),
        "en": ("End reason", "Reason ended"),
    },
    (Table.DEPARTURES, "departure_id"): {
        "nl": ("Vertreknummer", "Vertrek-id", "Kenmerk vertrek"),
        "en": ("Departure number", "Departure ID"),
    },
    (Table.DEPARTURES, "departed_on"): {
        "nl": ("Vertrekdatum", "Datum vertrek"),
        "en": ("Departed on", "Departure date"),
    },
    (Table.DEPARTURES, "type"): {
        "nl": ("Soort vertrek", "Vertreksoort", "Type vertrek"),
        "en": ("Departure type", "Type of departure", "Type"),
    },
    (Table.DEPARTURES, "destination"): {
        "nl": ("Bestemming", "Land van bestemming"),
        "en": ("Destination", "Destination country"),
    },
    (Table.DEPARTURES, "assisted"): {
        "nl": ("Met ondersteuning", "Ondersteund", "Terugkeersteun"),
        "en": ("Assisted", "Return assistance"),
    },
    (Table.CONDITIONS, "observed_on"): {
        "nl": ("Datum waarneming", "Peildatum", "Datum"),
        "en": ("Observed on", "Date observed", "Date"),
    },
    (Table.CONDITIONS, "condition"): {
        "nl": ("Conditie", "Stoplicht", "Voorwaarde"),
        "en": ("Condition", "Traffic light"),
    },
    (Table.CONDITIONS, "state"): {
        "nl": ("Stand", "Kleur", "Toestand"),
        "en": ("State", "Colour", "Color"),
    },
    (Table.INSTRUMENTS, "instrument_id"): {
        "nl": ("Instrumentnummer", "Instrument-id", "Kenmerk"),
        "en": ("Instrument number", "Instrument ID"),
    },
    (Table.INSTRUMENTS, "country"): {"nl": ("Land",), "en": ("Country",)},
    (Table.INSTRUMENTS, "kind"): {
        "nl": ("Soort instrument", "Soort", "Type instrument"),
        "en": ("Instrument kind", "Kind", "Type"),
    },
    (Table.INSTRUMENTS, "level"): {"nl": ("Niveau",), "en": ("Level",)},
    (Table.INSTRUMENTS, "status"): {"nl": ("Status", "Stand van zaken"), "en": ("Status",)},
    (Table.INSTRUMENTS, "start_on"): {
        "nl": ("Begindatum", "Ingangsdatum", "Datum start"),
        "en": ("Start on", "Start date", "In force from"),
    },
    (Table.INSTRUMENTS, "end_on"): {
        "nl": ("Einddatum", "Datum einde"),
        "en": ("End on", "End date"),
    },
    (Table.INSTRUMENTS, "title"): {
        "nl": ("Titel", "Omschrijving", "Naam"),
        "en": ("Title", "Description", "Name"),
    },
    (Table.INSTRUMENTS, "source"): {
        "nl": ("Bron", "Vindplaats", "Kamerstuk"),
        "en": ("Source", "Reference"),
    },
    (Table.ASSESSMENTS, "country"): {"nl": ("Land",), "en": ("Country",)},
    (Table.ASSESSMENTS, "assessed_on"): {
        "nl": ("Datum beoordeling", "Beoordeeld op", "Datum"),
        "en": ("Assessed on", "Date assessed", "Date"),
    },
    (Table.ASSESSMENTS, "level"): {
        "nl": ("Oordeel", "Niveau", "Score"),
        "en": ("Level", "Score", "Rating"),
    },
    (Table.ASSESSMENTS, "note"): {
        "nl": ("Toelichting", "Opmerking", "Notitie"),
        "en": ("Note", "Remark", "Comment"),
    },
    # retour/2: the agreed time limits of an instrument, and what limits a country
    (Table.TERMS, "term_id"): {
        "nl": ("Termijnnummer", "Termijn-id", "Kenmerk termijn"),
        "en": ("Term number", "Term ID"),
    },
    (Table.TERMS, "request_kind"): {
        "nl": ("Soort verzoek", "Type verzoek"),
        "en": ("Request kind", "Kind of request", "Request type"),
    },
    (Table.TERMS, "reply_days"): {
        "nl": ("Antwoordtermijn (dagen)", "Antwoordtermijn", "Termijn antwoord"),
        "en": ("Reply within days", "Reply days", "Reply term"),
    },
    (Table.TERMS, "day_count"): {
        "nl": ("Telling dagen", "Soort dagen", "Dagtelling"),
        "en": ("Day count", "Days counted"),
    },
    (Table.TERMS, "deemed_accepted"): {
        "nl": ("Geen antwoord geldt als akkoord", "Stilzwijgend akkoord"),
        "en": ("No answer is acceptance", "Deemed accepted"),
    },
    (Table.TERMS, "document_days"): {
        "nl": ("Termijn reisdocument (dagen)", "Termijn reisdocument"),
        "en": ("Travel document within days", "Document days"),
    },
    (Table.COUNTRY_STATUS, "country"): {"nl": ("Land",), "en": ("Country",)},
    (Table.COUNTRY_STATUS, "status"): {
        "nl": ("Landenstatus", "Omstandigheid"),
        "en": ("Country status", "Circumstance"),
    },
    (Table.COUNTRY_STATUS, "request_kind"): {
        "nl": ("Geldt voor soort verzoek", "Geldt voor"),
        "en": ("For request kind", "Applies to"),
    },
    (Table.COUNTRY_STATUS, "start_on"): {
        "nl": ("Geldt vanaf", "Status vanaf"),
        "en": ("Applies from", "Status from"),
    },
    (Table.COUNTRY_STATUS, "end_on"): {
        "nl": ("Geldt tot", "Status tot"),
        "en": ("Applies until", "Status until"),
    },
    (Table.COUNTRY_STATUS, "source"): {
        "nl": ("Bron", "Vindplaats"),
        "en": ("Source", "Reference"),
    },
}
COLUMNS[(Table.TERMS, "instrument_id")] = COLUMNS[(Table.INSTRUMENTS, "instrument_id")]

# Every table that refers to a case names it as cases do.
for _table in (Table.REQUESTS, Table.DETENTIONS, Table.DEPARTURES, Table.CONDITIONS):
    COLUMNS[(_table, "case_id")] = COLUMNS[(Table.CASES, "case_id")]
    COLUMNS[(_table, "v_number")] = COLUMNS[(Table.CASES, "v_number")]
del _table

#: (column, code) -> words, for the code columns of every table (a column name means the
#: same codes wherever it appears, except `kind` and `level`, keyed by table below).
VALUES: Final[dict[str, dict[str, Words]]] = {
    "sex": {
        "F": {"nl": ("V", "Vrouw"), "en": ("F", "Female", "Woman")},
        "M": {"nl": ("M", "Man"), "en": ("M", "Male")},
        "X": {"nl": ("X", "Onbekend", "Anders"), "en": ("X", "Other", "Unknown")},
    },
    "close_reason": {
        "departed": {"nl": ("Vertrokken", "Vertrek"), "en": ("Departed",)},
        "lawful_stay": {
            "nl": ("Rechtmatig verblijf", "Verblijfsvergunning", "Vergunning verleend"),
            "en": ("Lawful stay", "Permit granted"),
        },
        "deceased": {"nl": ("Overleden",), "en": ("Deceased", "Died")},
        "transferred": {
            "nl": ("Overgedragen", "Dublinoverdracht", "Dublin"),
            "en": ("Transferred", "Dublin transfer"),
        },
        "other": {"nl": ("Overig", "Anders"), "en": ("Other",)},
    },
    "requests.kind": {
        "LP": {
            "nl": ("LP", "Laissez-passer", "LP-aanvraag"),
            "en": ("LP", "Laissez-passer", "Travel document"),
        },
        "TO": {
            "nl": ("T&O", "Terugname en overname", "TenO", "T&O-verzoek"),
            "en": ("TO", "Readmission", "Readmission request"),
        },
    },
    "id_evidence": {
        "document": {
            "nl": ("Paspoort/ID-kaart", "Paspoort", "ID-kaart", "Document", "Identiteitsdocument"),
            "en": ("Passport/ID card", "Passport", "ID card", "Document"),
        },
        "indirect": {
            "nl": ("Indirect bewijs", "Indirect", "Overige documenten", "Geboorteakte"),
            "en": ("Indirect evidence", "Indirect", "Other documents"),
        },
        "none": {"nl": ("Geen", "Geen bewijs", "Geen documenten"), "en": ("None", "No evidence")},
    },
    "alien_cooperates": {
        "yes": {"nl": ("Ja", "Werkt mee"), "en": ("Yes", "Cooperates")},
        "no": {"nl": ("Nee", "Werkt niet mee"), "en": ("No",)},
        "unknown": {"nl": ("Onbekend", "Niet bekend"), "en": ("Unknown",)},
    },
    "outcome": {
        "pending": {
            "nl": (
                "Openstaand",
                "Lopend",
                "In behandeling",
                "Bekend stelling",
                "Bekendstelling",
                "Geen antwoord",
            ),
            "en": ("Pending", "Open", "Outstanding"),
        },
        "positive": {
            "nl": ("Positief antwoord", "Positief", "Nationaliteit bevestigd"),
            "en": ("Positive answer", "Positive", "Confirmed"),
        },
        "negative": {
            "nl": ("Negatief antwoord", "Negatief", "Nationaliteit niet bevestigd"),
            "en": ("Negative answer", "Negative", "Not confirmed"),
        },
        "withdrawn": {
            "nl": (
                "Ingetrokken (geen antwoord verkregen)",
                "Ingetrokken",
                "Geen antwoord verkregen",
            ),
            "en": ("Withdrawn (no answer obtained)", "Withdrawn"),
        },
    },
    "reason": {
        "insufficient_information": {
            "nl": ("Onvoldoende informatie", "Onvoldoende gegevens"),
            "en": ("Insufficient information",),
        },
        "nationality_not_confirmed": {
            "nl": ("Nationaliteit niet bevestigd", "Geen onderdaan"),
            "en": ("Nationality not confirmed", "Not a national"),
        },
        "no_response": {
            "nl": ("Geen reactie", "Geen antwoord verkregen", "Geen antwoord"),
            "en": ("No response", "No answer"),
        },
        "alien_absconded": {
            "nl": ("Vreemdeling met onbekende bestemming", "MOB", "Vreemdeling onttrokken"),
            "en": ("Alien absconded", "Absconded"),
        },
        "procedure_pending": {
            "nl": ("Procedure loopt", "Lopende procedure"),
            "en": ("Procedure pending",),
        },
        "departed_otherwise": {
            "nl": ("Anderszins vertrokken", "Zelfstandig vertrokken"),
            "en": ("Departed otherwise",),
        },
        "other": {"nl": ("Overig", "Anders", "Overige reden"), "en": ("Other",)},
    },
    "end_reason": {
        "removed": {
            "nl": ("Uitgezet", "Vertrek uit bewaring", "Verwijderd"),
            "en": ("Removed", "Departed from detention"),
        },
        "no_prospect": {
            "nl": ("Geen zicht op uitzetting", "Belangenafweging"),
            "en": ("No prospect of removal", "No prospect"),
        },
        "court_order": {
            "nl": ("Rechterlijke uitspraak", "Last van de rechter", "Rechter"),
            "en": ("Court order",),
        },
        "max_term": {"nl": ("Maximale termijn", "Termijn verstreken"), "en": ("Maximum term",)},
        "other": {"nl": ("Overig", "Anders"), "en": ("Other",)},
    },
    "type": {
        "forced": {
            "nl": ("Gedwongen", "Gedwongen vertrek", "Uitzetting"),
            "en": ("Forced", "Forced return", "Removal"),
        },
        "independent": {
            "nl": ("Zelfstandig", "Zelfstandig aantoonbaar", "Aantoonbaar vertrek"),
            "en": ("Independent", "Independent departure"),
        },
        "unsupervised": {
            "nl": ("Zonder toezicht", "MOB", "Onbekende bestemming"),
            "en": ("Unsupervised", "Without supervision"),
        },
    },
    "assisted": {"yes": {"nl": ("Ja",), "en": ("Yes",)}, "no": {"nl": ("Nee",), "en": ("No",)}},
    "condition": {
        "removable": {
            "nl": ("Juridisch verwijderbaar", "Verwijderbaar"),
            "en": ("Removable", "Legally removable"),
        },
        "country_cooperates": {
            "nl": ("Land werkt mee", "Medewerking land van herkomst"),
            "en": ("Country cooperates",),
        },
        "identity": {
            "nl": ("Identiteit vastgesteld", "Identiteit"),
            "en": ("Identity", "Identity established"),
        },
        "available": {"nl": ("Beschikbaar", "Vreemdeling beschikbaar"), "en": ("Available",)},
        "alien_cooperates": {
            "nl": ("Vreemdeling werkt mee", "Medewerking vreemdeling"),
            "en": ("Alien cooperates",),
        },
    },
    "state": {
        "green": {"nl": ("Groen",), "en": ("Green",)},
        "red": {"nl": ("Rood",), "en": ("Red",)},
        "unknown": {"nl": ("Onbekend",), "en": ("Unknown",)},
    },
    "instruments.kind": {
        "visa_measure": {
            "nl": ("Visummaatregel", "Visummaatregelen"),
            "en": ("Visa measure", "Visa measures"),
        },
        "readmission_agreement": {
            "nl": ("Terugnameovereenkomst", "Terug- en overnameovereenkomst"),
            "en": ("Readmission agreement",),
        },
        "partnership": {"nl": ("Partnerschap", "Migratiepartnerschap"), "en": ("Partnership",)},
        "trade_preference": {
            "nl": ("Handelspreferentie", "APS"),
            "en": ("Trade preference", "GSP"),
        },
        "working_arrangement": {
            "nl": ("Werkafspraak", "Werkafspraken"),
            "en": ("Working arrangement",),
        },
        "diplomatic": {"nl": ("Diplomatiek",), "en": ("Diplomatic",)},
        "operational": {"nl": ("Operationeel",), "en": ("Operational",)},
    },
    "instruments.level": {
        "bilateral": {"nl": ("Bilateraal",), "en": ("Bilateral",)},
        "benelux": {"nl": ("Benelux",), "en": ("Benelux",)},
        "eu": {"nl": ("EU", "Europees"), "en": ("EU", "European")},
    },
    "request_kind": {  # terms and country statuses: the kinds of request
        "LP": {"nl": ("LP", "Laissez-passer"), "en": ("LP", "Laissez-passer")},
        "TO": {"nl": ("T&O", "Terugname en overname"), "en": ("TO", "Readmission")},
    },
    "day_count": {
        "calendar": {"nl": ("Kalenderdagen", "Kalender"), "en": ("Calendar days", "Calendar")},
        "working": {"nl": ("Werkdagen",), "en": ("Working days",)},
    },
    "deemed_accepted": {
        "yes": {"nl": ("Ja",), "en": ("Yes",)},
        "no": {"nl": ("Nee",), "en": ("No",)},
    },
    "country_status.status": {
        "forced_return_suspended": {
            "nl": ("Gedwongen terugkeer opgeschort", "Gedwongen vertrek opgeschort"),
            "en": ("Forced return suspended",),
        },
        "no_document_process": {
            "nl": ("Geen documentproces", "Geen procedure voor reisdocumenten"),
            "en": ("No document process",),
        },
        "no_diplomatic_relations": {
            "nl": ("Geen diplomatieke betrekkingen",),
            "en": ("No diplomatic relations",),
        },
    },
    "status": {
        "proposed": {"nl": ("Voorgesteld", "Voorstel"), "en": ("Proposed",)},
        "in_force": {"nl": ("In werking", "Van kracht"), "en": ("In force",)},
        "ended": {"nl": ("Beëindigd", "Afgelopen"), "en": ("Ended",)},
    },
}


def value_words(table: Table, column: str) -> dict[str, Words] | None:
    """code -> words of a code column, or None when the column has no code words."""
    return VALUES.get(f"{table.value}.{column}") or VALUES.get(column)


def written(words: Words, language: str) -> str:
    """The word a source-style export in `language` writes."""
    return words[language][0]

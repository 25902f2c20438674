"""Every domain code of the exchange format (CONTRACT.md), as an enum.

Code elsewhere refers to these members, never to string literals.
"""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"


class CloseReason(StrEnum):
    DEPARTED = "departed"
    LAWFUL_STAY = "lawful_stay"
    DECEASED = "deceased"
    TRANSFERRED = "transferred"
    OTHER = "other"


class RequestKind(StrEnum):
    """LP = laissez-passer application; TO = readmission request (terugname en overname)."""

    LP = "LP"
    TO = "TO"


class IdEvidence(StrEnum):
    DOCUMENT = "document"
    INDIRECT = "indirect"
    NONE = "none"


class Cooperates(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    PENDING = "pending"
    POSITIVE = "positive"
    NEGATIVE = "negative"
    WITHDRAWN = "withdrawn"


class RequestReason(StrEnum):
    INSUFFICIENT_INFORMATION = "insufficient_information"
    NATIONALITY_NOT_CONFIRMED = "nationality_not_confirmed"
    NO_RESPONSE = "no_response"
    ALIEN_ABSCONDED = "alien_absconded"
    PROCEDURE_PENDING = "procedure_pending"
    DEPARTED_OTHERWISE = "departed_otherwise"
    OTHER = "other"


class DetentionEndReason(StrEnum):
    REMOVED = "removed"
    NO_PROSPECT = "no_prospect"
    COURT_ORDER = "court_order"
    MAX_TERM = "max_term"
    OTHER = "other"


class DepartureType(StrEnum):
    FORCED = "forced"
    INDEPENDENT = "independent"
    UNSUPERVISED = "unsupervised"


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"


class Condition(StrEnum):
    """The five conditions ("traffic lights") of a case, in the return service's order."""

    REMOVABLE = "removable"
    COUNTRY_COOPERATES = "country_cooperates"
    IDENTITY = "identity"
    AVAILABLE = "available"
    ALIEN_COOPERATES = "alien_cooperates"


class ConditionState(StrEnum):
    GREEN = "green"
    RED = "red"
    UNKNOWN = "unknown"


class InstrumentKind(StrEnum):
    VISA_MEASURE = "visa_measure"
    READMISSION_AGREEMENT = "readmission_agreement"
    PARTNERSHIP = "partnership"
    TRADE_PREFERENCE = "trade_preference"
    WORKING_ARRANGEMENT = "working_arrangement"
    DIPLOMATIC = "diplomatic"
    OPERATIONAL = "operational"


class InstrumentLevel(StrEnum):
    BILATERAL = "bilateral"
    BENELUX = "benelux"
    EU = "eu"


class InstrumentStatus(StrEnum):
    PROPOSED = "proposed"
    IN_FORCE = "in_force"
    ENDED = "ended"


class DayCount(StrEnum):
    """How a term's days are counted (retour/2, terms.csv)."""

    CALENDAR = "calendar"
    WORKING = "working"  # Monday to Friday less the public holidays of the Netherlands


class CountryStatusKind(StrEnum):
    """Circumstances that limit what can be asked of a country (retour/2, country_status.csv)."""

    FORCED_RETURN_SUSPENDED = "forced_return_suspended"
    NO_DOCUMENT_PROCESS = "no_document_process"
    NO_DIPLOMATIC_RELATIONS = "no_diplomatic_relations"


#: The ``status`` of an index row whose country is under a country status in its period:
#: no index is computed for it ("not assessed"), beside "ok" and "too little data".
NOT_ASSESSED = "not assessed"

#: The ``kind`` of an index or answer-time row over all kinds of request (LP and TO).
ALL_KINDS = "all"


class Table(StrEnum):
    """The tables of the exchange format, in the order of CONTRACT.md: the seven of
    retour/1, then the two that retour/2 adds."""

    CASES = "cases"
    REQUESTS = "requests"
    DETENTIONS = "detentions"
    DEPARTURES = "departures"
    CONDITIONS = "conditions"
    INSTRUMENTS = "instruments"
    ASSESSMENTS = "assessments"
    TERMS = "terms"
    COUNTRY_STATUS = "country_status"


class DatasetSource(StrEnum):
    """The one source value retour itself gives meaning to."""

    SIMULATED = "simulated"


FORMAT_VERSION_1 = "retour/1"
FORMAT_VERSION_2 = "retour/2"
#: The format a dataset without retour/2 tables is written in (retour/1 files stay valid).
FORMAT_VERSION = FORMAT_VERSION_1
#: Every format this retour reads, oldest first.
FORMAT_VERSIONS = (FORMAT_VERSION_1, FORMAT_VERSION_2)
#: The tables retour/2 adds; a dataset holding rows in one of them is retour/2.
VERSION_2_TABLES = (Table.TERMS, Table.COUNTRY_STATUS)


def format_version(tables_with_rows: set[Table] | frozenset[Table]) -> str:
    """The format a dataset is written in: retour/2 when it holds terms or statuses."""
    return FORMAT_VERSION_2 if tables_with_rows & set(VERSION_2_TABLES) else FORMAT_VERSION_1

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


class Table(StrEnum):
    """The seven tables of the exchange format, in the order of CONTRACT.md."""

    CASES = "cases"
    REQUESTS = "requests"
    DETENTIONS = "detentions"
    DEPARTURES = "departures"
    CONDITIONS = "conditions"
    INSTRUMENTS = "instruments"
    ASSESSMENTS = "assessments"


class DatasetSource(StrEnum):
    """The one source value retour itself gives meaning to."""

    SIMULATED = "simulated"


FORMAT_VERSION = "retour/1"

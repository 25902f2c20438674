"""Eurostat's codes for its return statistics (migr_eiord, migr_eirtn) that ISO 3166 lacks.

retour compares its own figures with Eurostat's. Two code systems meet here:

- ``geo`` (the reporting state) keeps Eurostat's own codes, as Eurostat publishes them:
  ISO 3166-1 alpha-2 except Greece ``EL`` and the United Kingdom ``UK``, plus aggregates
  such as ``EU27_2020`` and ``EU28``.
- ``citizen`` is aligned with the exchange format (CONTRACT.md): ISO 3166-1 alpha-2
  (Greece ``GR``, the United Kingdom ``GB``, Kosovo ``XK``), ``STLS`` and ``UNK`` as in
  :mod:`retour.domain.countries`, plus Eurostat's citizenship groups (``TOTAL``, ``RNC``,
  ``EXT_EU27_2020``, ...), which have no place in a case file but are rows of Eurostat's
  tables.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from retour.domain.countries import USER_ASSIGNED, SpecialCountry, country_codes


class EurostatDataset(StrEnum):
    """The two Eurostat datasets retour reads (annual; a quarterly variant reads as the same)."""

    ORDERED_TO_LEAVE = "migr_eiord"
    RETURNED = "migr_eirtn"


class EurostatFormat(StrEnum):
    """The forms in which users download Eurostat's tables."""

    SDMX_TSV = "sdmx_tsv"
    """SDMX 2.1 API ``format=TSV`` (also the older bulk-download TSV): codes, periods as columns."""
    SDMX_CSV = "sdmx_csv"
    """SDMX-CSV: one observation per line, ``DATAFLOW,...,TIME_PERIOD,OBS_VALUE,OBS_FLAG``."""
    EXPLORER_CSV = "explorer_csv"
    """The older Data Explorer CSV export: labels instead of codes, thousands separators."""


#: Eurostat's codes for two states whose ISO 3166-1 alpha-2 code differs.
EUROSTAT_TO_ISO: dict[str, str] = {"EL": "GR", "UK": "GB"}
ISO_TO_EUROSTAT: dict[str, str] = {iso: eu for eu, iso in EUROSTAT_TO_ISO.items()}


class EurostatAggregate(StrEnum):
    """Groups of reporting states (``geo``) in Eurostat's return statistics."""

    EU27_2020 = "EU27_2020"
    """European Union, 27 countries from 2020 (without the United Kingdom)."""
    EU28 = "EU28"
    """European Union, 28 countries (2013-2020)."""
    EU27_2007 = "EU27_2007"
    """European Union, 27 countries (2007-2013, without Croatia)."""
    EFTA = "EFTA"


class EurostatCitizenGroup(StrEnum):
    """Citizenship codes of Eurostat that are not a single country."""

    TOTAL = "TOTAL"
    STATELESS = SpecialCountry.STATELESS.value
    UNKNOWN = SpecialCountry.UNKNOWN.value
    RECOGNISED_NON_CITIZENS = "RNC"
    """Recognised non-citizens (mostly the non-citizens of Latvia and Estonia)."""
    EXTRA_EU27_2020 = "EXT_EU27_2020"
    EXTRA_EU28 = "EXT_EU28"
    EU27_2020_FOREIGN = "EU27_2020_FOR"
    """Citizens of the EU27 (from 2020) other than the reporting country."""
    NON_EU27_2020_FOREIGN = "NEU27_2020_FOR"
    EU28_FOREIGN = "EU28_FOR"
    NON_EU28_FOREIGN = "NEU28_FOR"
    UK_OVERSEAS = "UK_OCT"
    """United Kingdom overseas countries and territories."""


class EurostatIndicator(StrEnum):
    """The ``INDIC_MG`` dimension of the old Data Explorer export of migr_eirtn.

    The export carries only labels, so these codes are retour's own.
    """

    RETURNED_TOTAL = "RTN_TOTAL"
    """Label: Total number of persons returned."""
    RETURNED_THIRD_COUNTRY = "RTN_THRD"
    """Label: Persons returned to a third country."""


class EurostatFlag(StrEnum):
    """Eurostat's observation flags. A value may carry several (``ep``)."""

    BREAK = "b"
    CONFIDENTIAL = "c"
    DEFINITION_DIFFERS = "d"
    ESTIMATED = "e"
    FORECAST = "f"
    SEE_METADATA = "i"
    NOT_SIGNIFICANT = "n"
    PROVISIONAL = "p"
    REVISED = "r"
    EUROSTAT_ESTIMATE = "s"
    LOW_RELIABILITY = "u"
    NOT_APPLICABLE = "z"


class EurostatDimension(StrEnum):
    """The dimensions of migr_eiord / migr_eirtn, as columns of retour's Eurostat frame.

    ``geo`` and ``citizen`` are required; the others are null when a file does not have them
    (the Data Explorer exports have neither age nor sex). ``freq`` is checked against the
    period and not kept: the period says it.
    """

    GEO = "geo"
    CITIZEN = "citizen"
    AGE = "age"
    SEX = "sex"
    UNIT = "unit"
    C_DEST = "c_dest"
    INDIC = "indic"
    FREQ = "freq"


@cache
def geo_codes() -> frozenset[str]:
    """Every code a ``geo`` column may hold: Eurostat's country codes and aggregates."""
    iso = country_codes() - {s.value for s in SpecialCountry}
    states = (iso - set(ISO_TO_EUROSTAT)) | set(EUROSTAT_TO_ISO) | USER_ASSIGNED
    return frozenset(states | {a.value for a in EurostatAggregate})


@cache
def citizen_codes() -> frozenset[str]:
    """Every code a ``citizen`` column may hold: exchange-format countries and Eurostat's groups."""
    return frozenset(country_codes() | {g.value for g in EurostatCitizenGroup})

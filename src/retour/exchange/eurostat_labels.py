"""Eurostat's English labels, as the Data Explorer CSV export writes them, mapped to codes.

Country labels are looked up in pycountry (name, common name, official name) and in an
explicit table of the labels Eurostat writes its own way ("Gambia, The", "Myanmar/Burma",
"Germany (until 1990 former territory of the FRG)", ...). The explicit table wins.
Lookups ignore case, repeated blanks and the curly apostrophe.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache

import polars as pl
import pycountry

from retour.domain.eurostat import (
    ISO_TO_EUROSTAT,
    EurostatAggregate,
    EurostatCitizenGroup,
    EurostatDimension,
    EurostatIndicator,
)

#: Country labels of Eurostat that pycountry does not know, to ISO 3166-1 alpha-2 (or XK).
EUROSTAT_COUNTRY_LABELS: Mapping[str, str] = {
    "Cape Verde": "CV",
    "China (including Hong Kong)": "CN",
    "Cook Islands (NZ)": "CK",
    "Democratic Republic of the Congo": "CD",
    "Former Yugoslav Republic of Macedonia, the": "MK",
    "Former Yugoslav Republic of Macedonia": "MK",
    "Gambia, The": "GM",
    "Germany (until 1990 former territory of the FRG)": "DE",
    "Kosovo (under United Nations Security Council Resolution 1244/99)": "XK",
    "Kosovo (under United Nations Security Council Resolution 1244/1999)": "XK",
    "Kosovo*": "XK",
    "Kosovo": "XK",
    "Myanmar/Burma": "MM",
    "Palestine": "PS",
    "Russia": "RU",
    "Swaziland": "SZ",
    "São Tomé and Príncipe": "ST",
    "Turkey": "TR",
    "Vatican City State": "VA",
    "Holy See": "VA",
}

#: Reporting-state aggregates. "European Union (27 countries)" in the old Data Explorer
#: export (data up to 2016) is the EU of 2007-2013: its 2010 figures equal the EU28's.
GEO_AGGREGATE_LABELS: Mapping[str, str] = {
    "European Union (28 countries)": EurostatAggregate.EU28,
    "European Union (27 countries)": EurostatAggregate.EU27_2007,
    "European Union - 28 countries (2013-2020)": EurostatAggregate.EU28,
    "European Union - 27 countries (2007-2013)": EurostatAggregate.EU27_2007,
    "European Union - 27 countries (from 2020)": EurostatAggregate.EU27_2020,
    "European Free Trade Association": EurostatAggregate.EFTA,
}

CITIZEN_GROUP_LABELS: Mapping[str, str] = {
    "Total": EurostatCitizenGroup.TOTAL,
    "Stateless": EurostatCitizenGroup.STATELESS,
    "Unknown": EurostatCitizenGroup.UNKNOWN,
    "Recognised non-citizens": EurostatCitizenGroup.RECOGNISED_NON_CITIZENS,
    "Extra-EU27 (from 2020)": EurostatCitizenGroup.EXTRA_EU27_2020,
    "Extra-EU28 (2013-2020)": EurostatCitizenGroup.EXTRA_EU28,
    "EU27 countries (from 2020) except reporting country": (EurostatCitizenGroup.EU27_2020_FOREIGN),
    "Non-EU27 countries (from 2020) nor reporting country": (
        EurostatCitizenGroup.NON_EU27_2020_FOREIGN
    ),
    "EU28 countries (2013-2020) except reporting country": EurostatCitizenGroup.EU28_FOREIGN,
    "Non-EU28 countries (2013-2020) nor reporting country": (EurostatCitizenGroup.NON_EU28_FOREIGN),
}

SEX_LABELS: Mapping[str, str] = {"Total": "T", "Males": "M", "Females": "F"}

AGE_LABELS: Mapping[str, str] = {
    "Total": "TOTAL",
    "Less than 14 years": "Y_LT14",
    "From 14 to 17 years": "Y14-17",
    "Less than 18 years": "Y_LT18",
    "From 18 to 34 years": "Y18-34",
    "35 years or over": "Y_GE35",
    "Unknown": "UNK",
}

UNIT_LABELS: Mapping[str, str] = {"Person": "PER", "Persons": "PER"}

FREQ_LABELS: Mapping[str, str] = {"Annual": "A", "Quarterly": "Q"}

INDICATOR_LABELS: Mapping[str, str] = {
    "Total number of persons returned": EurostatIndicator.RETURNED_TOTAL,
    "Persons returned to a third country": EurostatIndicator.RETURNED_THIRD_COUNTRY,
}


def label_key(label: str) -> str:
    """The form in which labels are compared: NFC, lower case, single blanks, plain apostrophe."""
    text = unicodedata.normalize("NFC", label).replace("\u2019", "'").lower()
    return " ".join(text.split())


def label_key_expr(column: str) -> pl.Expr:
    """:func:`label_key` over a whole column."""
    return (
        pl.col(column)
        .str.normalize("NFC")
        .str.replace_all("\u2019", "'", literal=True)
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" ")
    )


@cache
def country_labels() -> Mapping[str, str]:
    """Label key -> ISO 3166-1 alpha-2 (or XK) for every country label retour knows."""
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if isinstance(name, str):
                table.setdefault(label_key(name), str(country.alpha_2))
    table.update({label_key(k): v for k, v in EUROSTAT_COUNTRY_LABELS.items()})
    return table


def _keyed(labels: Mapping[str, str]) -> dict[str, str]:
    return {label_key(k): str(v) for k, v in labels.items()}


@cache
def labels_for(dimension: EurostatDimension) -> Mapping[str, str]:
    """Label key -> code for one dimension of the Data Explorer export."""
    if dimension is EurostatDimension.GEO:
        geo = {k: ISO_TO_EUROSTAT.get(v, v) for k, v in country_labels().items()}
        return geo | _keyed(GEO_AGGREGATE_LABELS)
    if dimension is EurostatDimension.CITIZEN:
        return dict(country_labels()) | _keyed(CITIZEN_GROUP_LABELS)
    if dimension is EurostatDimension.C_DEST:
        geo = {k: ISO_TO_EUROSTAT.get(v, v) for k, v in country_labels().items()}
        return geo | {label_key("Total"): "TOTAL"}
    tables: dict[EurostatDimension, Mapping[str, str]] = {
        EurostatDimension.SEX: SEX_LABELS,
        EurostatDimension.AGE: AGE_LABELS,
        EurostatDimension.UNIT: UNIT_LABELS,
        EurostatDimension.INDIC: INDICATOR_LABELS,
        EurostatDimension.FREQ: FREQ_LABELS,
    }
    return _keyed(tables.get(dimension, {}))

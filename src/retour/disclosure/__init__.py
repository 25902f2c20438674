"""Publication profiles applied at every output boundary.

Every figure retour publishes passes through here: build a :class:`DisclosureRules` for the
profile (``internal``, ``parliament``, ``public``), then :func:`disclose_table` a long table
of exact counts and render the resulting :class:`DisclosedTable`; estimates (the index, its
components, answer times, effects) go through :func:`disclose_estimates`
(:mod:`retour.disclosure.estimates` states its rule; :mod:`retour.disclosure.layouts` holds
what each result's columns are) and come out as a :class:`DisclosedEstimates`. See
:mod:`retour.disclosure.profiles` for pooling and :mod:`retour.disclosure.suppression` for
suppression, rounding and the guarantee.
"""

from retour.disclosure.estimates import (
    Column,
    DisclosedEstimates,
    EstimateLayout,
    Measure,
    ValueStatus,
    disclose_estimates,
    pool_countries,
)
from retour.disclosure.figures import Figures, FigureTable
from retour.disclosure.profiles import (
    COUNTRY_COLUMNS,
    OTHER_COUNTRIES,
    OTHER_COUNTRIES_LABEL,
    DisclosureRules,
    Profile,
    parse_country_list,
    pool_confidential,
)
from retour.disclosure.published import Published, accept
from retour.disclosure.suppression import CellStatus, round_counts
from retour.disclosure.table import (
    COLUMN,
    IS_TOTAL,
    SECONDARY_SIGN,
    TOTAL,
    TOTAL_LABEL,
    DisclosedTable,
    Note,
    disclose_table,
)
from retour.domain.language import Language

__all__ = [
    "COLUMN",
    "COUNTRY_COLUMNS",
    "IS_TOTAL",
    "OTHER_COUNTRIES",
    "OTHER_COUNTRIES_LABEL",
    "SECONDARY_SIGN",
    "TOTAL",
    "TOTAL_LABEL",
    "CellStatus",
    "Column",
    "DisclosedEstimates",
    "DisclosedTable",
    "DisclosureRules",
    "EstimateLayout",
    "FigureTable",
    "Figures",
    "Language",
    "Measure",
    "Note",
    "Profile",
    "Published",
    "ValueStatus",
    "accept",
    "disclose_estimates",
    "disclose_table",
    "parse_country_list",
    "pool_confidential",
    "pool_countries",
    "round_counts",
]

"""Publication profiles applied at every output boundary.

Every figure retour publishes passes through here: build a :class:`DisclosureRules` for the
profile (``internal``, ``parliament``, ``public``), then :func:`disclose_table` a long table
of exact counts and render the resulting :class:`DisclosedTable`. See
:mod:`retour.disclosure.profiles` for pooling and :mod:`retour.disclosure.suppression` for
suppression, rounding and the guarantee.
"""

from retour.disclosure.profiles import (
    COUNTRY_COLUMNS,
    OTHER_COUNTRIES,
    OTHER_COUNTRIES_LABEL,
    DisclosureRules,
    Profile,
    parse_country_list,
    pool_confidential,
)
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
    "DisclosedTable",
    "DisclosureRules",
    "Language",
    "Note",
    "Profile",
    "disclose_table",
    "parse_country_list",
    "pool_confidential",
    "round_counts",
]

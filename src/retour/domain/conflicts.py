"""What an import does with rows recorded in retour after its extract was taken."""

from __future__ import annotations

from enum import StrEnum


class OnConflict(StrEnum):
    """The choice of ``retour import --on-conflict`` (and the web's import form).

    A *conflict* is a row the import would change that was last recorded or corrected in
    retour on or after the extract's ``extracted_on``: the extract cannot have seen it.
    """

    #: Refuse the import, listing every conflict; nothing is written (the default).
    REFUSE = "refuse"
    #: Keep retour's value of each conflicting row and import the rest.
    KEEP = "keep"
    #: Take the extract's value of each conflicting row; the row's history says so.
    REPLACE = "replace"

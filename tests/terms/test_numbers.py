"""The numbers of the time-limit and Art. 25a tables: plain for CSV and JSON, in the reader's
language through the catalog's Babel helpers otherwise."""

from __future__ import annotations

import pytest

from retour.reports.terms import number_text


@pytest.mark.parametrize(
    ("value", "lang", "share", "text"),
    [
        (0.24861, None, True, "0.2486"),
        (0.0, None, True, "0"),
        (0.24861, "en", True, "25%"),
        (0.24861, "nl", True, "25%"),
        (45.5, None, False, "45.5"),
        (45.5, "en", False, "45.5"),
        (45.5, "nl", False, "45,5"),
        (46.0, "nl", False, "46"),
        (1234, "nl", False, "1234"),
        (None, "nl", True, ""),
    ],
)
def test_number_text(value: object, lang: str | None, share: bool, text: str) -> None:
    assert number_text(value, lang, share=share) == text  # type: ignore[arg-type]

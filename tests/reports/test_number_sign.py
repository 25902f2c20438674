"""A case's probabilities and Eurostat's return rates are written as every other number
is (reports.messages, Babel): the decimal comma in Dutch, the point in English."""

from __future__ import annotations

import pytest

from retour.reports.case import percent
from retour.reports.context import rate_text


@pytest.mark.parametrize(
    ("p", "nl", "en"),
    [(0.0004, "<0,1%", "<0.1%"), (0.0123, "1,2%", "1.2%"), (0.456, "46%", "46%"),
     (0.9996, ">99,9%", ">99.9%")],
)  # fmt: skip
def test_a_probability_is_a_percentage_in_the_language(p: float, nl: str, en: str) -> None:
    assert (percent(p, "nl"), percent(p, "en")) == (nl, en)


def test_a_return_rate_is_a_percentage_in_the_language() -> None:
    assert (rate_text(0.316, "nl"), rate_text(0.316, "en")) == ("31,6%", "31.6%")
    assert rate_text(None, "nl") == ""

"""The case view's numbers and blocker patterns read as the language writes them."""

from __future__ import annotations

from retour.reports.case import pattern_text
from retour.reports.messages import count, decimal


def test_numbers_in_dutch_and_english() -> None:
    assert (count(27765, "nl"), count(27765, "en")) == ("27.765", "27,765")
    assert (count(129, "nl"), count(0, "en")) == ("129", "0")
    assert (decimal(0.2149, 2, "nl"), decimal(0.2149, 2, "en")) == ("0,21", "0.21")


def test_a_blocker_pattern_in_words() -> None:
    assert pattern_text("identity+alien_cooperates", "nl") == (
        "identiteit en nationaliteit vastgesteld + vreemdeling werkt mee"
    )
    assert pattern_text("removable", "en") == "legally removable"
    assert (pattern_text("-", "nl"), pattern_text("-", "en")) == ("geen", "none")

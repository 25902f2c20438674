"""One import hashes each distinct alien number once, however many tables name it, and
gets the same pseudonyms as hashing each number alone."""

from __future__ import annotations

import polars as pl

from retour.exchange.pseudonym import Pseudonymiser, pseudonym

SECRET = b"test-secret-0123456789abcdef"


class _Counting(Pseudonymiser):
    def __init__(self, secret: bytes) -> None:
        super().__init__(secret)
        self.hashed: list[str] = []

    def _one(self, value: str) -> str:
        self.hashed.append(value)
        return super()._one(value)


def test_each_distinct_number_is_hashed_once_per_import() -> None:
    pseudonyms = _Counting(SECRET)
    cases = pl.Series("v_number", ["V-1", "V-2", None, "V-3"])
    detentions = pl.Series("v_number", ["V-2", "V-2", "V-4", None])
    departures = pl.Series("v_number", ["V-3", "V-1"])
    made = [pseudonyms(column) for column in (cases, detentions, departures)]
    assert sorted(pseudonyms.hashed) == ["V-1", "V-2", "V-3", "V-4"]
    for column, out in zip((cases, detentions, departures), made, strict=True):
        expected = [None if v is None else pseudonym(SECRET, v) for v in column]
        assert out.to_list() == expected
        assert out.name == "v_number"


def test_an_empty_column_and_one_of_nulls() -> None:
    pseudonyms = Pseudonymiser(SECRET)
    assert pseudonyms(pl.Series("v", [], dtype=pl.String)).to_list() == []
    assert pseudonyms(pl.Series("v", [None, None], dtype=pl.String)).to_list() == [None, None]

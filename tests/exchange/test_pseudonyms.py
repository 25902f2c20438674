"""Alien numbers become keyed pseudonyms; the clear value appears nowhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from retour.domain.codes import Table
from retour.domain.errors import ConfigError
from retour.exchange import InvalidDatasetError, load
from retour.exchange.pseudonym import pseudonym

from .conftest import TODAY, VALID, Files

SECRET = b"a-secret-of-sufficient-length"
V_NUMBERS = {"C1": "1234567890", "C2": "2345678901", "C3": "3456789012"}


def with_v_numbers(files: Files) -> Files:
    out = {}
    for name, original in files.items():
        if name in {"instruments.csv", "assessments.csv", "dataset.json"}:
            out[name] = original
            continue
        text = original.replace("case_id", "v_number", 1)
        for case, number in V_NUMBERS.items():
            text = text.replace(f"{case},", f"{number},")
        out[name] = text
    return out


def test_the_same_person_gets_the_same_case_id_everywhere(
    folder_of: Callable[[Files], Path],
) -> None:
    dataset = load(folder_of(with_v_numbers(VALID)), today=TODAY, secret=SECRET)
    expected = {pseudonym(SECRET, n) for n in V_NUMBERS.values()}
    assert set(dataset[Table.CASES]["case_id"]) == expected
    for table in (Table.REQUESTS, Table.DETENTIONS, Table.DEPARTURES, Table.CONDITIONS):
        assert set(dataset[table]["case_id"]) <= expected
    # the mapping is stable: same structure as the case_id version of the data
    plain = load(folder_of(VALID), today=TODAY)
    mapping = {c: pseudonym(SECRET, n) for c, n in V_NUMBERS.items()}
    assert dataset[Table.REQUESTS]["case_id"].to_list() == [
        mapping[c] for c in plain[Table.REQUESTS]["case_id"]
    ]


def test_another_secret_gives_other_pseudonyms() -> None:
    assert pseudonym(SECRET, "1234567890") != pseudonym(SECRET + b"x", "1234567890")
    assert pseudonym(SECRET, " 1234567890 ") == pseudonym(SECRET, "1234567890")


def test_refused_without_a_secret(folder_of: Callable[[Files], Path]) -> None:
    with pytest.raises(ConfigError, match="RETOUR_SECRET") as caught:
        load(folder_of(with_v_numbers(VALID)), today=TODAY, secret=None)
    assert "1234567890" not in str(caught.value)


def test_messages_never_show_an_alien_number(folder_of: Callable[[Files], Path]) -> None:
    files = with_v_numbers(VALID)
    files["requests.csv"] = files["requests.csv"].replace("R2,2345678901", "R2,9999999999")
    files["requests.csv"] += "R1,1234567890,LP,MA,2020-02-01,document,yes,pending,,,\n"
    with pytest.raises(InvalidDatasetError) as caught:
        load(folder_of(files), today=TODAY, secret=SECRET)
    lines = list(caught.value.lines())
    assert any(line.startswith("requests.csv:3: v_number: no such case") for line in lines), lines
    text = "\n".join(lines)
    for number in [*V_NUMBERS.values(), "9999999999"]:
        assert number not in text
        assert pseudonym(SECRET, number) not in text

"""docs/mapping.md's worked example, run as written: the register, its draft, the filled-in
mapping and the violations the page shows."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from retour.domain.codes import Table
from retour.exchange import InvalidDatasetError, load_mapped, parse_mapping
from retour.exchange.draft import draft_mapping

DOC = Path(__file__).resolve().parents[2] / "docs" / "mapping.md"
TODAY = dt.date(2024, 6, 1)


def blocks() -> list[str]:
    example = DOC.read_text(encoding="utf-8").split("## A worked example", 1)[1]
    return re.findall(r"```(?:toml)?\n(.*?)```", example, flags=re.S)


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "Register.csv"
    path.write_bytes(blocks()[0].replace("\n", "\r\n").encode("cp1252"))
    return path


def filled(draft: str) -> str:
    """The draft as the page says to fill it in."""
    dataset, constant = blocks()[2].split("\n\n")
    text = re.sub(r"\[dataset\]\n.*?\n\n", dataset + "\n\n", draft, count=1, flags=re.S)
    text = "\n".join(line for line in text.splitlines() if "# alien_cooperates" not in line)
    return text + "\n" + constant


def test_the_draft_is_the_one_on_the_page(register: Path) -> None:
    text = draft_mapping(register).text
    assert "\n".join(text.splitlines()[3:]) + "\n" == blocks()[1]


def test_the_filled_in_mapping_imports_and_reports_as_the_page_says(
    register: Path, tmp_path: Path
) -> None:
    mapping = parse_mapping(filled(draft_mapping(register).text))
    dataset = load_mapped(register, mapping, today=TODAY)
    assert (dataset[Table.CASES].height, dataset[Table.REQUESTS].height) == (3, 4)
    assert dataset.meta.source == "Register desk Noord-Afrika"
    text = register.read_bytes().decode("cp1252")
    text = text.replace("Negatief antwoord", "Misschien").replace(
        "05-01-2023;V-2", "06-01-2023;V-2"
    )
    register.write_bytes(text.encode("cp1252"))
    with pytest.raises(InvalidDatasetError) as caught:
        load_mapped(register, mapping, today=TODAY)
    assert "\n".join(caught.value.lines()) + "\n" == blocks()[3]

"""The mapping file: every key read as documented, every mistake named by its line."""

from __future__ import annotations

import datetime as dt

import pytest

from retour.domain.codes import Table
from retour.exchange import MappingError, parse_mapping
from retour.exchange.mapping import CountryStyle

HEAD = 'format = "retour-mapping/1"\n'
CASES = '[tables.cases]\nfrom = "Zaken"\n[tables.cases.columns]\ncase_id = "Zaaknummer"\n'


def problems(text: str) -> list[str]:
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "M.toml")
    return list(caught.value.lines())


def test_every_key_is_read() -> None:
    mapping = parse_mapping(
        HEAD
        + '[dataset]\nsource = "DT&V export"\nextracted_on = 2024-03-31\n'
        + '[read]\nencoding = "cp1252"\ndelimiter = ";"\n'
        + 'date_format = ["%d-%m-%Y", "%d/%m/%Y"]\ncountries = "names"\n'
        + CASES
        + '[tables.requests]\nfrom = "Verzoeken"\nskip_if_empty = "request_id"\n'
        + '[tables.requests.columns]\nrequest_id = "Verzoeknummer"\nkind = "Soort verzoek"\n'
        + '[tables.requests.values.kind]\n" LP " = "LP"\n"T&O" = "TO"\n'
        + '[tables.requests.constant]\nalien_cooperates = "unknown"\n'
        + "[tables.detentions]\ndistinct = true\n",
        "M.toml",
    )
    assert mapping.source == "DT&V export"
    assert mapping.extracted_on == dt.date(2024, 3, 31)
    assert mapping.read.encoding == "cp1252" and mapping.read.delimiter == ";"
    assert mapping.read.date_formats == ("%d-%m-%Y", "%d/%m/%Y")
    assert mapping.read.countries is CountryStyle.NAMES
    requests = mapping.tables[Table.REQUESTS]
    assert requests.source == "Verzoeken"
    assert requests.columns == {"request_id": "Verzoeknummer", "kind": "Soort verzoek"}
    assert requests.values == {"kind": {"LP": "LP", "T&O": "TO"}}  # labels are trimmed
    assert requests.constant == {"alien_cooperates": "unknown"}
    assert requests.skip_if_empty == ("request_id",)
    assert mapping.tables[Table.DETENTIONS].distinct
    assert mapping.tables[Table.DETENTIONS].source == "detentions"  # `from` defaults to the name
    assert len(mapping.sha256) == 64


def test_defaults() -> None:
    mapping = parse_mapping(HEAD + CASES)
    assert mapping.read.encoding is None and mapping.read.delimiter is None  # sniffed
    assert mapping.read.date_formats == ()
    assert mapping.read.countries is CountryStyle.CODES
    assert mapping.source is None and mapping.extracted_on is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            'format = "retour-mapping/2"\n' + CASES,
            "M.toml:1: format: 'retour-mapping/2' is not known",
            id="format",
        ),
        pytest.param(
            CASES,
            'M.toml:1: format: missing; the first line must say format = "retour-mapping/1"',
            id="format-missing",
        ),
        pytest.param(
            HEAD + "[dataset]\nsourse = 'x'\n" + CASES,
            "M.toml:3: dataset: unknown key 'sourse'; did you mean 'source'?",
            id="dataset-key",
        ),
        pytest.param(
            HEAD + "[dataset]\nsource = 3\n" + CASES,
            "M.toml:3: dataset.source: must be text in quotes, not 3",
            id="dataset-source",
        ),
        pytest.param(
            HEAD + "[dataset]\nextracted_on = '31-03-2024'\n" + CASES,
            "M.toml:3: dataset.extracted_on: not a date; write YYYY-MM-DD",
            id="extracted-on",
        ),
        pytest.param(
            HEAD + "[read]\nencoding = 'latin-9000'\n" + CASES,
            "M.toml:3: read.encoding: unknown encoding 'latin-9000'",
            id="encoding",
        ),
        pytest.param(
            HEAD + "[read]\ndelimiter = ';;'\n" + CASES,
            "M.toml:3: read.delimiter: must be one character",
            id="delimiter",
        ),
        pytest.param(
            HEAD + "[read]\ndate_format = '%d-%m'\n" + CASES,
            "M.toml:3: read.date_format: '%d-%m' is not a date pattern with day, month and year",
            id="date-format",
        ),
        pytest.param(
            HEAD + "[read]\ndate_format = ['%d-%m-%Y', 'dd-mm-yyyy']\n" + CASES,
            "M.toml:3: read.date_format: 'dd-mm-yyyy' is not a date pattern",
            id="date-format-list",
        ),
        pytest.param(
            HEAD + "[read]\ncountries = 'namen'\n" + CASES,
            'M.toml:3: read.countries: must be "codes" or "names", not \'namen\'',
            id="countries",
        ),
        pytest.param(
            HEAD + "[tables.verzoeken]\n" + CASES,
            "M.toml:2: tables: 'verzoeken' is not a table of the exchange format",
            id="table-name",
        ),
        pytest.param(
            HEAD + CASES + "kindd = 'Soort'\n",
            "M.toml:6: tables.cases.columns: 'kindd' is not a column of cases",
            id="columns",
        ),
        pytest.param(
            HEAD + CASES + "v_number = 'V-nummer'\n",
            "M.toml:6: tables.cases.columns: map case_id or v_number, not both",
            id="columns-v-number",
        ),
        pytest.param(
            HEAD + CASES + "[tables.cases.values.sex]\nVrouw = 'V'\n",
            "M.toml:7: tables.cases.values.sex: 'V' is not a code of sex; use one of: F, M, X",
            id="values",
        ),
        pytest.param(
            HEAD + CASES + "[tables.cases.values.nationality]\nMarokko = 'MAR'\n",
            "M.toml:7: tables.cases.values.nationality: 'MAR' is not a country code",
            id="values-country",
        ),
        pytest.param(
            HEAD + CASES + "[tables.cases.values.sex]\nV = 'F'\n' V' = 'F'\n",
            "M.toml:8: tables.cases.values.sex: 'V' is mapped twice",
            id="values-twice",
        ),
        pytest.param(
            HEAD + CASES + "[tables.cases.constant]\ncase_id = 'x'\n",
            "M.toml:7: tables.cases.constant.case_id: is also mapped in columns",
            id="constant",
        ),
        pytest.param(
            HEAD + CASES + "[tables.cases.constant]\nsex = 'vrouw'\n",
            "M.toml:7: tables.cases.constant.sex: 'vrouw' is not a code of sex",
            id="constant-code",
        ),
        pytest.param(
            HEAD + '[tables.cases]\ndistinct = "yes"\n',
            "M.toml:3: tables.cases.distinct: must be true or false",
            id="distinct",
        ),
        pytest.param(
            HEAD + '[tables.cases]\nskip_if_empty = "caseid"\n',
            "M.toml:3: tables.cases.skip_if_empty: 'caseid' is not a column of cases",
            id="skip-if-empty",
        ),
        pytest.param(
            HEAD + '[tables.requests]\nfrom = "Verzoeken"\n',
            "M.toml:1: tables: no [tables.cases]",
            id="cases-needed",
        ),
        pytest.param(HEAD + "[tables.cases\n", "M.toml:2: syntax: ", id="syntax"),
    ],
)
def test_a_mistake_names_its_line_and_key(text: str, expected: str) -> None:
    found = problems(text)
    assert any(line.startswith(expected) for line in found), found


def test_every_mistake_is_reported_at_once() -> None:
    text = 'format = "x"\n[read]\ncountries = "x"\n' + CASES + "kindd = 'Soort'\n"
    found = problems(text)
    assert [line.split(":")[1] for line in found] == ["1", "3", "8"]

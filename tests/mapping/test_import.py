"""Mapped imports: every source quirk reads into the same dataset as a direct import, and every
violation names the source's own file, line and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from retour.domain.codes import Table
from retour.domain.dataset import Dataset
from retour.domain.errors import UsageError
from retour.exchange import InvalidDatasetError, MappingError, load_mapped, parse_mapping
from retour.exchange.apply import open_mapped
from retour.exchange.draft import draft_mapping
from retour.exchange.source_style import SourceStyle, write_source
from retour.exchange.writer import canonical_frame
from retour.service import audit, datasets
from retour.service.context import Retour

from .conftest import TODAY

QUIRKS = [
    pytest.param(SourceStyle(), id="cp1252-semicolon"),
    pytest.param(
        SourceStyle(date_format="%d-%m-%Y", delimiter=",", encoding="utf-8"), id="dd-mm-yyyy"
    ),
    pytest.param(SourceStyle(workbook=True), id="excel-date-cells"),
    pytest.param(SourceStyle(workbook=True, numbers_as_text=True), id="numbers-as-text"),
    pytest.param(SourceStyle(countries="names", language="nl"), id="country-names-nl"),
    pytest.param(
        SourceStyle(countries="names", language="en", date_format="%d/%m/%Y"), id="country-names-en"
    ),
    pytest.param(SourceStyle(countries="alpha-3", delimiter="\t"), id="alpha-3"),
    pytest.param(SourceStyle(flat=True), id="flat-register"),
    pytest.param(SourceStyle(extra_columns=True, language="en"), id="extra-columns"),
    pytest.param(SourceStyle(workbook=True, flat=True), id="renamed-sheet"),
]


def write(dataset: Dataset, tmp_path: Path, style: SourceStyle) -> tuple[Path, str]:
    path = tmp_path / ("source.xlsx" if style.workbook else "source")
    return path, write_source(dataset, path, style)


def assert_same(a: Dataset, b: Dataset) -> None:
    for table in Table:
        assert canonical_frame(a, table).equals(canonical_frame(b, table)), table
    assert a.meta == b.meta


@pytest.mark.parametrize("style", QUIRKS)
def test_a_source_quirk_reads_as_the_exchange_format(
    small: Dataset, tmp_path: Path, style: SourceStyle
) -> None:
    path, text = write(small, tmp_path, style)
    assert_same(load_mapped(path, parse_mapping(text, "M.toml"), today=TODAY), small)


def test_cp1252_and_semicolons_are_what_is_written(small: Dataset, tmp_path: Path) -> None:
    path, _ = write(small, tmp_path, SourceStyle())
    data = (path / "Zaken.csv").read_bytes()
    assert "Somalië".encode("cp1252") in data and b";" in data.splitlines()[0]
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_unused_columns_are_named_once_and_never_read(small: Dataset, tmp_path: Path) -> None:
    path, text = write(small, tmp_path, SourceStyle(flat=True))
    container = open_mapped(path, parse_mapping(text), today=TODAY)
    unused = [n for n in container.notices if "Register.csv the mapping does not use" in n]
    assert unused == ["columns of Register.csv the mapping does not use: Behandelaar, Locatie"]
    for raw in container.tables.values():
        assert "Behandelaar" not in raw.frame.columns and "Officer A" not in str(raw.frame.rows())


def test_a_sheet_the_mapping_names_wrongly_lists_the_sheets(small: Dataset, tmp_path: Path) -> None:
    path, text = write(small, tmp_path, SourceStyle(workbook=True, flat=True))
    with pytest.raises(MappingError) as caught:
        load_mapped(path, parse_mapping(text.replace('"Blad1"', '"Verzoeken"'), "M.toml"))
    lines = list(caught.value.lines())
    assert any(
        "tables.cases.from: no file or sheet 'Verzoeken' in source.xlsx; it holds: Blad1" in line
        for line in lines
    ), lines
    # a sheet's name matches without regard to case
    lower = text.replace('"Blad1"', '"blad1"')
    assert_same(load_mapped(path, parse_mapping(lower), today=TODAY), small)


def test_a_file_may_be_named_with_its_extension(small: Dataset, tmp_path: Path) -> None:
    path, text = write(small, tmp_path, SourceStyle())
    named = text.replace('from = "Verzoeken"', 'from = "Verzoeken.csv"')
    assert_same(load_mapped(path, parse_mapping(named), today=TODAY), small)


def test_a_column_the_source_lacks_is_a_mapping_error(small: Dataset, tmp_path: Path) -> None:
    path, text = write(small, tmp_path, SourceStyle())
    bad = text.replace('outcome = "Antwoord"', 'outcome = "Antwoorden"')
    with pytest.raises(MappingError) as caught:
        load_mapped(path, parse_mapping(bad, "M.toml"))
    line = bad.splitlines().index('outcome = "Antwoorden"') + 1
    assert list(caught.value.lines()) == [
        f"M.toml:{line}: tables.requests.columns: 'Antwoorden' (for outcome) is not a column of "
        "Verzoeken.csv; did you mean 'Antwoord'?"
    ]
    absent = text.replace('outcome = "Antwoord"\n', "")
    with pytest.raises(MappingError, match="1 problem") as caught:
        load_mapped(path, parse_mapping(absent, "M.toml"))
    assert "nothing feeds outcome (required)" in next(iter(caught.value.lines()))


def _violations(path: Path, text: str) -> list[str]:
    with pytest.raises(InvalidDatasetError) as caught:
        load_mapped(path, parse_mapping(text, "M.toml"), today=TODAY)
    return list(caught.value.lines())


def _edit(path: Path, name: str, old: str, new: str, encoding: str = "cp1252") -> int:
    """Replace the first `old` in a source file; return its line."""
    text = (path / name).read_text(encoding=encoding)
    at = text.index(old)
    (path / name).write_text(text[:at] + new + text[at + len(old) :], encoding=encoding)
    return text[:at].count("\n") + 1


def test_an_unknown_label_names_the_source_and_what_the_mapping_knows(
    small: Dataset, tmp_path: Path
) -> None:
    path, text = write(small, tmp_path, SourceStyle())
    line = _edit(path, "Verzoeken.csv", "Openstaand", "Misschien")
    assert _violations(path, text) == [
        f"Verzoeken.csv:{line}: Antwoord: unknown value 'Misschien'; the mapping knows Openstaand, "
        "Positief antwoord, Negatief antwoord, Ingetrokken (geen antwoord verkregen)"
    ]


def test_a_workbook_violation_names_sheet_and_row(small: Dataset, tmp_path: Path) -> None:
    path, text = write(small, tmp_path, SourceStyle(workbook=True))
    found = _violations(path, text.replace('"Positief antwoord" = "positive"\n', ""))
    assert found == [
        "Verzoeken:2: Antwoord: unknown value 'Positief antwoord'; the mapping knows Openstaand, "
        "Negatief antwoord, Ingetrokken (geen antwoord verkregen)"
    ]


def test_dates_and_countries_are_reported_in_the_sources_terms(
    small: Dataset, tmp_path: Path
) -> None:
    path, text = write(small, tmp_path, SourceStyle())
    date_line = _edit(path, "Zaken.csv", "05-01-2020", "31-02-2020")
    country_line = _edit(path, "Zaken.csv", "Nigeria", "Narnia")
    assert _violations(path, text) == [
        f"Zaken.csv:{date_line}: Datum instroom: not a calendar date written YYYY-MM-DD or "
        "DD-MM-YYYY (31-02-2020)",
        f"Zaken.csv:{country_line}: Nationaliteit: unknown country; write an ISO 3166-1 code "
        "(alpha-2 or alpha-3) or the country's Dutch or English name (Narnia)",
    ]


def test_a_flat_register_must_agree_on_its_cases(small: Dataset, tmp_path: Path) -> None:
    path, text = write(small, tmp_path, SourceStyle(flat=True))
    rows = (path / "Register.csv").read_text(encoding="cp1252").splitlines()
    c2 = [i + 1 for i, row in enumerate(rows) if ";C2;" in row]
    rows[c2[1] - 1] = rows[c2[1] - 1].replace("01-03-2020", "02-03-2020")
    (path / "Register.csv").write_text("\r\n".join(rows) + "\r\n", encoding="cp1252")
    assert _violations(path, text) == [
        f"Register.csv:{c2[1]}: Datum instroom: differs from line {c2[0]} of the same Zaaknummer "
        "(2020-03-01) (2020-03-02)"
    ]


def test_a_rule_of_the_format_speaks_of_source_columns(small: Dataset, tmp_path: Path) -> None:
    """One rule set: a positive answer before its submission, reported as a direct import
    reports it, at the source's line and column."""
    path, text = write(small, tmp_path, SourceStyle())
    line = _edit(path, "Verzoeken.csv", "01-03-2020", "01-01-2020")
    assert _violations(path, text) == [
        f"Verzoeken.csv:{line}: Datum antwoord: before Datum bekendstelling (2020-02-01) "
        "(2020-01-01)"
    ]


def test_alien_numbers_are_pseudonymised_as_today(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "Zaken.csv").write_text(
        "V-nummer;Land;Datum\n 1234567890 ;Marokko;05-01-2020\n", encoding="cp1252"
    )
    mapping = parse_mapping(
        'format = "retour-mapping/1"\n[read]\ncountries = "names"\n[tables.cases]\n'
        'from = "Zaken"\n[tables.cases.columns]\nv_number = "V-nummer"\nnationality = "Land"\n'
        'opened_on = "Datum"\n'
    )
    with pytest.raises(Exception, match="RETOUR_SECRET"):
        load_mapped(tmp_path / "src", mapping, today=TODAY)
    dataset = load_mapped(tmp_path / "src", mapping, today=TODAY, secret=b"s" * 16)
    from retour.exchange.pseudonym import pseudonym

    assert dataset[Table.CASES]["case_id"].to_list() == [pseudonym(b"s" * 16, "1234567890")]


def test_the_service_imports_through_a_mapping_and_audits_its_digest(
    app: Retour, small: Dataset, tmp_path: Path
) -> None:
    path, text = write(small, tmp_path, SourceStyle(flat=True))
    (tmp_path / "M.toml").write_text(text, encoding="utf-8")
    report = datasets.import_dataset(app, path, today=TODAY, mapping=tmp_path / "M.toml")
    assert report.result.tables[Table.REQUESTS].inserted == 4
    entry = audit.read_log(app)[0]
    assert entry.action == audit.AuditAction.IMPORT_DATASET
    assert entry.detail["mapping"] == parse_mapping(text).sha256
    database = app.sqlite_file()  # None on PostgreSQL
    assert database is None or b"Officer A" not in database.read_bytes()


def test_extracted_on_after_today_is_a_mapping_error(small: Dataset, tmp_path: Path) -> None:
    path, text = write(small, tmp_path, SourceStyle())
    later = text.replace("extracted_on = 2024-02-01", "extracted_on = 2030-01-01")
    with pytest.raises(MappingError, match="1 problem"):
        load_mapped(path, parse_mapping(later), today=dt.date(2024, 6, 1))


def test_the_draft_service_writes_its_file_once(small: Dataset, tmp_path: Path) -> None:
    path, _ = write(small, tmp_path, SourceStyle())
    out = tmp_path / "M.toml"
    draft = datasets.draft_mapping(path, out=out)
    assert out.read_text(encoding="utf-8") == draft.text
    with pytest.raises(UsageError, match=r"M\.toml exists"):
        datasets.draft_mapping(path, out=out)
    assert datasets.draft_mapping(path, out=out, force=True).text == draft.text


def test_the_import_history_keeps_the_mapping(app: Retour, small: Dataset, tmp_path: Path) -> None:
    from retour.store import read as store_read

    path, text = write(small, tmp_path, SourceStyle())
    (tmp_path / "M.toml").write_text(text, encoding="utf-8")
    datasets.import_dataset(app, path, today=TODAY, mapping=tmp_path / "M.toml")
    history = store_read.imports(app.database())
    assert history["mapping_sha256"].to_list() == [parse_mapping(text).sha256]
    assert store_read.import_mapping(app.database(), history["id"][0]) == text


def test_a_request_without_its_case_names_the_cases_source(small: Dataset, tmp_path: Path) -> None:
    path, text = write(small, tmp_path, SourceStyle())
    rows = (path / "Zaken.csv").read_text(encoding="cp1252").splitlines()
    (path / "Zaken.csv").write_text(
        "\r\n".join(r for r in rows if not r.startswith("C3;")) + "\r\n", encoding="cp1252"
    )
    requests = (path / "Verzoeken.csv").read_text(encoding="cp1252").splitlines()
    line = next(i for i, r in enumerate(requests, 1) if ";C3;" in r)
    conditions = (path / "Condities.csv").read_text(encoding="cp1252").splitlines()
    condition = next(i for i, r in enumerate(conditions, 1) if r.startswith("C3;"))
    assert _violations(path, text) == [
        f"Verzoeken.csv:{line}: Zaaknummer: no such case in Zaken.csv or the database (C3)",
        f"Condities.csv:{condition}: Zaaknummer: no such case in Zaken.csv or the database (C3)",
    ]


def test_a_refused_mapped_import_is_audited(app: Retour, small: Dataset, tmp_path: Path) -> None:
    path, text = write(small, tmp_path, SourceStyle())
    (tmp_path / "bad.toml").write_text(text.replace('format = "retour-mapping/1"', ""))
    with pytest.raises(MappingError):
        datasets.import_dataset(app, path, today=TODAY, mapping=tmp_path / "bad.toml")
    (tmp_path / "M.toml").write_text(text.replace('"Antwoord"', '"Antwoorden"'))
    with pytest.raises(MappingError):
        datasets.import_dataset(app, path, today=TODAY, mapping=tmp_path / "M.toml")
    entries = audit.read_log(app)
    assert [e.action for e in entries] == [audit.AuditAction.IMPORT_REFUSED] * 2
    assert sorted(e.detail.get("mapping") is None for e in entries) == [False, True]


def test_values_trim_an_empty_cell_maps_and_a_list_of_date_formats(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "Register.csv").write_text(
        "Zaak;Land;Start;Verzoek;Datum;Antwoord\n"
        "Z1;MAR;05-01-2020;V1;01/02/2020; Positief \n"
        "Z1;MAR;05-01-2020;V2;2020-03-01;\n",
        encoding="utf-8",
    )
    mapping = parse_mapping(
        'format = "retour-mapping/1"\n'
        '[read]\ndate_format = ["%d-%m-%Y", "%d/%m/%Y"]\ncountries = "names"\n'
        '[tables.cases]\nfrom = "Register"\ndistinct = true\n'
        '[tables.cases.columns]\ncase_id = "Zaak"\nnationality = "Land"\nopened_on = "Start"\n'
        '[tables.requests]\nfrom = "Register"\n'
        '[tables.requests.columns]\nrequest_id = "Verzoek"\ncase_id = "Zaak"\n'
        'country = "Land"\nsubmitted_on = "Datum"\noutcome = "Antwoord"\n'
        '[tables.requests.values.outcome]\nPositief = "positive"\n"" = "pending"\n'
        '[tables.requests.constant]\nkind = "LP"\nid_evidence = "none"\n'
        'alien_cooperates = "unknown"\noutcome_on = 2020-02-10\n'
    )
    with pytest.raises(InvalidDatasetError) as caught:
        load_mapped(tmp_path / "src", mapping, today=TODAY)
    # the constant outcome_on meets the pending request: the rule speaks of the constant
    assert list(caught.value.lines()) == [
        "Register.csv:3: outcome_on (constant): must be empty while the outcome is pending "
        "(2020-02-10)",
        "Register.csv:3: outcome_on (constant): before Datum (2020-03-01) (2020-02-10)",
    ]
    fixed = parse_mapping(mapping.text.replace("outcome_on = 2020-02-10\n", ""))
    with pytest.raises(InvalidDatasetError, match="1 violation") as caught:
        load_mapped(tmp_path / "src", fixed, today=TODAY)
    assert "required when the outcome is positive" in next(iter(caught.value.lines()))
    text = (tmp_path / "src" / "Register.csv").read_text(encoding="utf-8")
    (tmp_path / "src" / "Register.csv").write_text(
        text.replace("Antwoord\n", "Antwoord;Op\n").replace("Positief \n", "Positief ;10-02-2020\n")
        .replace("2020-03-01;\n", "2020-03-01;;\n"),
        encoding="utf-8",
    )  # fmt: skip
    final = parse_mapping(
        fixed.text.replace('outcome = "Antwoord"', 'outcome = "Antwoord"\noutcome_on = "Op"')
    )
    dataset = load_mapped(tmp_path / "src", final, today=TODAY)
    requests = dataset[Table.REQUESTS].sort("request_id")
    assert requests["outcome"].to_list() == ["positive", "pending"]
    assert [str(d) for d in requests["submitted_on"].to_list()] == ["2020-02-01", "2020-03-01"]
    assert requests["country"].to_list() == ["MA", "MA"]
    assert dataset[Table.CASES].height == 1


def test_a_flat_register_by_alien_number_never_shows_it(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "Register.csv").write_text(
        "V-nummer;Nationaliteit;Datum instroom;Verzoeknummer;Soort verzoek;Datum bekendstelling;"
        "Antwoord\n"
        "1234567890;Marokko;05-01-2020;V1;LP;01-02-2020;Openstaand\n"
        "1234567890;Turkije;05-01-2020;V2;LP;01-03-2020;Openstaand\n",
        encoding="cp1252",
    )
    mapping = parse_mapping(
        'format = "retour-mapping/1"\n[read]\ncountries = "names"\n'
        '[tables.cases]\nfrom = "Register"\ndistinct = true\n[tables.cases.columns]\n'
        'v_number = "V-nummer"\nnationality = "Nationaliteit"\nopened_on = "Datum instroom"\n'
        '[tables.requests]\nfrom = "Register"\n[tables.requests.columns]\n'
        'request_id = "Verzoeknummer"\nv_number = "V-nummer"\nkind = "Soort verzoek"\n'
        'country = "Nationaliteit"\nsubmitted_on = "Datum bekendstelling"\noutcome = "Antwoord"\n'
        "[tables.requests.values.outcome]\n"
        'Openstaand = "pending"\n[tables.requests.constant]\nid_evidence = "none"\n'
        'alien_cooperates = "unknown"\n'
    )
    with pytest.raises(InvalidDatasetError) as caught:
        load_mapped(tmp_path / "src", mapping, today=TODAY, secret=b"s" * 16)
    lines = list(caught.value.lines())
    assert lines == [
        "Register.csv:3: Nationaliteit: differs from line 2 of the same V-nummer (MA) (TR)"
    ]
    draft = draft_mapping(tmp_path / "src")
    assert 'v_number = "V-nummer"' in draft.text
    assert "1234567890" not in draft.text

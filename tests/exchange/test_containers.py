"""Folders, zips and workbooks hold the same dataset; broken containers give one clear error."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from retour.domain.codes import Table
from retour.domain.errors import InputError
from retour.exchange import InvalidDatasetError, Reason, load, open_container

from .conftest import TODAY, VALID, Files


def make_zip(path: Path, files: Files, prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(prefix + name, text)
    return path


def make_workbook(path: Path, files: Files, *, typed_cells: bool = True) -> Path:
    """The CSV files as sheets; dates as real date cells and numbers as numbers, as Excel would."""
    import csv
    import io

    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, text in files.items():
        if not name.endswith(".csv"):
            continue
        sheet = book.add_worksheet(name.removesuffix(".csv"))
        for r, row in enumerate(csv.reader(io.StringIO(text))):
            for c, value in enumerate(row):
                if r and typed_cells and len(value) == 10 and value[4] == "-":
                    sheet.write_datetime(r, c, dt.datetime.fromisoformat(value), date_format)
                elif r and typed_cells and value.isdigit():
                    sheet.write_number(r, c, int(value))
                elif value:
                    sheet.write_string(r, c, value)
    meta = json.loads(files["dataset.json"])
    sheet = book.add_worksheet("dataset")
    sheet.write_row(0, 0, ["key", "value"])
    for r, (key, value) in enumerate(meta.items(), start=1):
        sheet.write_row(r, 0, [key, value])
    book.add_worksheet("notes")
    book.close()
    return path


def frames(path: Path) -> dict[Table, pl.DataFrame]:
    return load(path, today=TODAY).tables


def test_zip_and_workbook_equal_the_folder(
    tmp_path: Path, folder_of: Callable[[Files], Path]
) -> None:
    folder = frames(folder_of(VALID))
    zipped = frames(make_zip(tmp_path / "d.zip", VALID))
    book = frames(make_workbook(tmp_path / "d.xlsx", VALID))
    for table in Table:
        assert folder[table].equals(zipped[table]), table
        assert folder[table].equals(book[table]), table


def test_workbook_violations_name_sheet_and_row(tmp_path: Path) -> None:
    files = {**VALID, "requests.csv": VALID["requests.csv"].replace("R4,C3,TO,SO", "R4,C3,XX,SO")}
    with pytest.raises(InvalidDatasetError) as caught:
        load(make_workbook(tmp_path / "d.xlsx", files), today=TODAY)
    assert [v.format() for v in caught.value.violations] == [
        "requests:5: kind: unknown code; use one of: LP, TO (XX)"
    ]


def test_workbook_without_cases_sheet(tmp_path: Path) -> None:
    files = {k: v for k, v in VALID.items() if k != "cases.csv"}
    with pytest.raises(InvalidDatasetError) as caught:
        load(make_workbook(tmp_path / "d.xlsx", files), today=TODAY)
    assert caught.value.violations[0].reason is Reason.MISSING_TABLE
    assert "sheet 'cases'" in caught.value.violations[0].message


def test_other_files_and_sheets_are_named_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    for name, text in VALID.items():
        (folder / name).write_text(text)
    (folder / "README.txt").write_text("hello")
    (folder / "truth.json").write_text("{}")
    (folder / "old").mkdir()
    assert open_container(folder).notices == ["README.txt", "old/"]
    book = open_container(make_workbook(tmp_path / "d.xlsx", VALID))
    assert book.notices == ["sheet 'notes'"]


def test_zip_with_a_folder_inside(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="inside a folder"):
        open_container(make_zip(tmp_path / "d.zip", VALID, prefix="export/"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.zip", None, "no such file or folder"),
        ("broken.zip", b"PK\x03\x04 not really", "not a readable .zip"),
        ("broken.xlsx", b"not a workbook", "not a readable .xlsx"),
        ("cases.csv", b"case_id\n", "not a dataset container"),
    ],
)
def test_unopenable_containers(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        open_container(path)
    # A broken archive is a violation of the dataset (audited as a refused import).
    listed = raised.value.lines() if isinstance(raised.value, InvalidDatasetError) else []
    assert re.search(message, " ".join([str(raised.value), *listed]))


def test_not_utf8_names_the_line(folder_of: Callable[[Files], Path]) -> None:
    path = folder_of(VALID)
    text = VALID["cases.csv"].replace("C3,SO", "C3,SO").encode("utf-8")
    (path / "cases.csv").write_bytes(text.replace(b"C2,NG,2020-03-01,F", b"C2,NG,2020-03-01,\xe9"))
    with pytest.raises(InvalidDatasetError) as caught:
        load(path, today=TODAY)
    (found,) = caught.value.violations
    assert (found.file, found.line, found.reason) == ("cases.csv", 3, Reason.NOT_UTF8)
    assert "0xE9" in found.message and "UTF-8" in found.message


def test_bom_and_crlf_are_tolerated(folder_of: Callable[[Files], Path]) -> None:
    files = {k: v.replace("\n", "\r\n") for k, v in VALID.items()}
    path = folder_of(files)
    (path / "cases.csv").write_bytes(b"\xef\xbb\xbf" + files["cases.csv"].encode())
    tables = frames(path)
    reference = frames(folder_of(VALID))
    assert all(tables[t].equals(reference[t]) for t in Table)


def test_quoted_newlines_keep_line_numbers(folder_of: Callable[[Files], Path]) -> None:
    text = (
        "country,assessed_on,level,note\n"
        'MA,2023-01-01,3,"first line\nsecond line"\n'
        "NG,2023-01-01,9,\n"
    )
    with pytest.raises(InvalidDatasetError) as caught:
        load(folder_of({**VALID, "assessments.csv": text}), today=TODAY)
    assert [(v.line, v.column) for v in caught.value.violations] == [(4, "level")]


def test_blank_lines_are_skipped(folder_of: Callable[[Files], Path]) -> None:
    files = {**VALID, "cases.csv": VALID["cases.csv"].replace("\nC2", "\n\nC2") + "\n\n"}
    assert frames(folder_of(files))[Table.CASES].height == 3

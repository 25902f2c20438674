"""Hostile and broken files, made in code: workbooks with DTDs, bombs, truncated parts.

Each builder writes one file from the small valid dataset of the exchange tests and returns
its path. Every id is synthetic; no personal data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

from ..exchange.conftest import VALID, Files

SHEET1 = "xl/worksheets/sheet1.xml"  # the cases sheet: the first one written
XML_DECLARATION = re.compile(rb"^(<\?xml[^>]*\?>)")


def workbook(path: Path, files: Files = VALID, *, extra: Callable[..., None] | None = None) -> Path:
    """The CSV files as sheets (dates as date cells, whole numbers as numbers, as Excel
    writes them) and a `dataset` sheet; `extra(book, sheets)` may add formulas or merges."""
    book = xlsxwriter.Workbook(str(path))
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheets = {}
    for name, text in files.items():
        if not name.endswith(".csv"):
            continue
        sheet = sheets[name] = book.add_worksheet(name.removesuffix(".csv"))
        for r, row in enumerate(csv.reader(io.StringIO(text))):
            for c, value in enumerate(row):
                if r and len(value) == 10 and value[4] == "-":
                    sheet.write_datetime(r, c, dt.datetime.fromisoformat(value), dates)
                elif r and value.isdigit():
                    sheet.write_number(r, c, int(value))
                elif value:
                    sheet.write_string(r, c, value)
    meta = book.add_worksheet("dataset")
    meta.write_row(0, 0, ["key", "value"])
    for r, (key, value) in enumerate(json.loads(files["dataset.json"]).items(), start=1):
        meta.write_row(r, 0, [key, value])
    if extra is not None:
        extra(book, sheets, dates)
    book.close()
    return path


def rewrite(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """The archive at `path` with one member's bytes changed (the others as they were)."""
    with zipfile.ZipFile(path) as archive:
        members = [(i, archive.read(i)) for i in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info.filename, change(data) if info.filename == member else data)
    return path


def with_doctype(doctype: bytes) -> Callable[[bytes], bytes]:
    """A part with `doctype` after its XML declaration."""
    return lambda data: XML_DECLARATION.sub(lambda m: m.group(1) + b"\n" + doctype, data, 1)


ENTITY = b'<!DOCTYPE worksheet [<!ENTITY who "an entity">]>'
EXTERNAL = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
BILLION_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)


def entity_in_a_cell(data: bytes) -> bytes:
    """The first shared-string cell replaced by an inline string that uses &who;."""
    return re.sub(
        rb'<c r="A1" t="s"><v>\d+</v></c>',
        b'<c r="A1" t="inlineStr"><is><t>&who;</t></is></c>',
        data,
        count=1,
    )


def truncated(data: bytes) -> bytes:
    return data[: len(data) * 3 // 5]


def declaring(ref: str) -> Callable[[bytes], bytes]:
    return lambda data: re.sub(
        rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data, count=1
    )


def using_cell(ref: str) -> Callable[[bytes], bytes]:
    """The sheet with one more cell at `ref` (its dimension left as it was)."""
    row = re.match(r"[A-Z]+(\d+)", ref)
    assert row is not None
    cell = f'<row r="{row.group(1)}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
    return lambda data: data.replace(b"</sheetData>", cell.encode() + b"</sheetData>", 1)


def without_cached_values(data: bytes) -> bytes:
    """Every formula cell without its stored value, as a program that never computed it
    writes it."""
    return re.sub(rb"(<f>[^<]*</f>)<v>[^<]*</v>", rb"\1", data)


def zip_of(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def zip_bomb(path: Path, size: int = 1 << 30) -> Path:
    """A zip (about 1 MB) whose cases.csv inflates to `size` bytes: a header, then zeros
    (deflate's best ratio, about 1,030 to 1). Takes about 5 s for 1 GiB."""
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("dataset.json", VALID["dataset.json"])
        with archive.open("cases.csv", "w", force_zip64=True) as out:
            out.write(b"case_id,nationality,opened_on\n")
            for _ in range(size // len(zeros)):
                out.write(zeros)
    return path


def corrupt_member(path: Path, member: str) -> Path:
    """The archive with bytes in the middle of `member`'s compressed data flipped."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 2, start + min(info.compress_size, 40)):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path

"""Sources of every container kind and encoding; broken sources give violations, never a
traceback."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retour.domain.dataset import Dataset
from retour.domain.errors import RetourError
from retour.exchange import InvalidDatasetError, load_mapped, parse_mapping
from retour.exchange.source_style import SourceStyle, write_source

from ..exchange.test_properties import CORRUPTIONS, corrupt
from .conftest import TODAY
from .test_import import assert_same


def test_a_zip_of_the_files_even_inside_a_folder(small: Dataset, tmp_path: Path) -> None:
    text = write_source(small, tmp_path / "export", SourceStyle())
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        for path in sorted((tmp_path / "export").iterdir()):
            archive.write(path, f"export/{path.name}")
    assert_same(load_mapped(tmp_path / "export.zip", parse_mapping(text), today=TODAY), small)


def test_utf8_with_a_bom_and_crlf(small: Dataset, tmp_path: Path) -> None:
    text = write_source(small, tmp_path / "export", SourceStyle(encoding="utf-8-sig"))
    assert (tmp_path / "export" / "Zaken.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    mapping = parse_mapping(text.replace('encoding = "utf-8-sig"', 'encoding = "utf-8"'))
    assert_same(load_mapped(tmp_path / "export", mapping, today=TODAY), small)


def test_the_wrong_encoding_names_file_and_line(small: Dataset, tmp_path: Path) -> None:
    text = write_source(small, tmp_path / "export", SourceStyle(encoding="cp1252"))
    mapping = parse_mapping(text.replace('encoding = "cp1252"', 'encoding = "utf-8"'))
    with pytest.raises(InvalidDatasetError) as caught:
        load_mapped(tmp_path / "export", mapping, today=TODAY)
    line = next(
        i
        for i, row in enumerate((tmp_path / "export" / "Zaken.csv").read_bytes().splitlines(), 1)
        if b"\xeb" in row
    )
    assert f"Zaken.csv:{line}: -: cannot be read as utf-8 (byte 0xEB)" in "\n".join(
        caught.value.lines()
    )


def test_sniffed_encoding_and_separator_are_said(small: Dataset, tmp_path: Path) -> None:
    text = write_source(small, tmp_path / "export", SourceStyle(delimiter="\t"))
    bare = "\n".join(
        line for line in text.splitlines() if not line.startswith(("encoding", "delimiter"))
    )
    from retour.exchange.apply import open_mapped

    container = open_mapped(tmp_path / "export", parse_mapping(bare), today=TODAY)
    assert (
        "Zaken.csv read as cp1252, separated by '\\t' (sniffed; [read] in the mapping fixes it)"
        in (container.notices)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["Zaken", "Verzoeken", "Register"]),
    CORRUPTIONS,
    st.integers(0, 10_000),
    st.binary(min_size=1, max_size=8),
    st.booleans(),
)
def test_a_corrupted_source_gives_messages_never_a_traceback(
    name: str, how: str, at: int, junk: bytes, flat: bool
) -> None:
    from retour.exchange import load

    from ..exchange.conftest import VALID, write_folder

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dataset = load(write_folder(folder / "x", VALID), today=TODAY)
        text = write_source(dataset, folder / "src", SourceStyle(flat=flat))
        path = folder / "src" / f"{name}.csv"
        if not path.exists():
            return
        path.write_bytes(corrupt(path.read_bytes(), how, at, junk))
        try:
            load_mapped(folder / "src", parse_mapping(text), today=TODAY)
        except RetourError as exc:
            assert str(exc)
            for line in getattr(exc, "lines", lambda: [])():
                assert line.split(":", 1)[0].endswith((".csv", ".toml")), line

"""The same observations, downloaded in each form Eurostat offers, read to the same frame."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest

from retour.domain.errors import InputError
from retour.domain.eurostat import EurostatDataset, EurostatFormat
from retour.exchange.eurostat import FRAME_SCHEMA, KEY, EurostatTable, read_eurostat

Row = tuple[str, str, str, str, str, int | None, str | None]


def write(path: Path, text: str, *, encoding: str = "utf-8", gz: bool = False) -> Path:
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def comparable(table: EurostatTable) -> pl.DataFrame:
    """The frame without where it came from, in key order."""
    return table.frame.drop("source_file", "line").sort(KEY)


def expected_frame(rows: list[Row]) -> pl.DataFrame:
    columns = ["geo", "citizen", "age", "sex", "period", "value", "flag"]
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    return (
        frame.with_columns(
            dataset=pl.lit("migr_eirtn"),
            unit=pl.lit("PER"),
            c_dest=pl.lit("TOTAL"),
            indic=pl.lit(None, pl.String()),
        )
        .select(FRAME_SCHEMA.names()[:-2])
        .cast(dict(list(FRAME_SCHEMA.items())[:-2]))
        .sort(KEY)
    )


def test_sdmx_tsv(tmp_path: Path, valid_tsv: str, expected_rows: list[Row]) -> None:
    table = read_eurostat(write(tmp_path / "estat_migr_eirtn.tsv", valid_tsv))
    assert table.format is EurostatFormat.SDMX_TSV
    assert table.dataset is EurostatDataset.RETURNED
    assert table.frame.schema == FRAME_SCHEMA
    assert comparable(table).equals(expected_frame(expected_rows))
    # one row per observation, in the order of the file, each with its line
    assert table.frame["line"].to_list() == [2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]
    assert table.frame["period"].to_list()[:2] == ["2019", "2020"]
    assert set(table.frame["source_file"]) == {"estat_migr_eirtn.tsv"}


def test_sdmx_tsv_gzip(tmp_path: Path, valid_tsv: str, expected_rows: list[Row]) -> None:
    table = read_eurostat(write(tmp_path / "estat_migr_eirtn.tsv.gz", valid_tsv, gz=True))
    assert table.format is EurostatFormat.SDMX_TSV
    assert comparable(table).equals(expected_frame(expected_rows))


def test_gzip_is_recognised_by_content_not_name(tmp_path: Path, valid_tsv: str) -> None:
    table = read_eurostat(write(tmp_path / "migr_eirtn.tsv", valid_tsv, gz=True))
    assert table.frame.height == 12


def test_sdmx_csv(tmp_path: Path, sdmx_csv: str, expected_rows: list[Row]) -> None:
    table = read_eurostat(write(tmp_path / "data.csv", sdmx_csv))  # dataset from DATAFLOW
    assert table.format is EurostatFormat.SDMX_CSV
    assert table.dataset is EurostatDataset.RETURNED
    assert comparable(table).equals(expected_frame(expected_rows))
    assert table.frame["line"].to_list() == list(range(2, 14))


def test_explorer_csv(tmp_path: Path, explorer_csv: str, expected_rows: list[Row]) -> None:
    ivory = '"2019","Netherlands","Côte d\'Ivoire","Total","Total","Person","Total","7",""\n'
    path = write(tmp_path / "migr_eirtn_1_Data.csv", explorer_csv + ivory, encoding="cp1252")
    table = read_eurostat(path)
    assert table.format is EurostatFormat.EXPLORER_CSV
    assert table.encoding == "cp1252"
    assert table.frame.filter(pl.col("line") == 14)["citizen"].to_list() == ["CI"]
    read = table.frame.filter(pl.col("line") != 14)
    assert comparable(EurostatTable(read, table.dataset, table.format, "", path)).equals(
        expected_frame(expected_rows)
    )


def test_the_three_forms_give_equal_frames(
    tmp_path: Path, valid_tsv: str, sdmx_csv: str, explorer_csv: str
) -> None:
    tsv = read_eurostat(write(tmp_path / "a.tsv.gz", valid_tsv, gz=True), dataset="migr_eirtn")
    csv = read_eurostat(write(tmp_path / "b.csv", sdmx_csv))
    explorer = read_eurostat(write(tmp_path / "c.csv", explorer_csv), dataset="migr_eirtn")
    assert comparable(tsv).equals(comparable(csv))
    assert comparable(tsv).equals(comparable(explorer))


def test_sdmx_csv_with_labels_and_version_2(tmp_path: Path, expected_rows: list[Row]) -> None:
    text = (
        "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,citizen,age,sex,unit,c_dest,geo,"
        "TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
        'dataflow,ESTAT:MIGR_EIRTN(1.0),"Returned, annual",A:Annual,MA:Morocco,TOTAL:Total,'
        "T:Total,PER:Person,TOTAL:Total,NL:Netherlands,2020,635,d:definition differs,\n"
    )
    table = read_eurostat(write(tmp_path / "x.csv", text))
    row = table.frame.row(0, named=True)
    assert (row["geo"], row["citizen"], row["value"], row["flag"]) == ("NL", "MA", 635, "d")


def test_windows_line_ends_and_byte_order_marks(tmp_path: Path, valid_tsv: str) -> None:
    crlf = valid_tsv.replace("\n", "\r\n")
    for name, data in {
        "crlf": crlf.encode(),
        "bom": b"\xef\xbb\xbf" + valid_tsv.encode(),
        "utf16": crlf.encode("utf-16"),
    }.items():
        path = tmp_path / f"{name}_migr_eirtn.tsv"
        path.write_bytes(data)
        assert read_eurostat(path).frame.height == 12, name


def test_quarterly_periods(tmp_path: Path) -> None:
    text = (
        "freq,citizen,age,sex,unit,geo\\TIME_PERIOD\t2023-Q4 \t2024Q1 \n"
        "Q,MA,TOTAL,T,PER,NL\t120 \t95 p\n"
    )
    table = read_eurostat(write(tmp_path / "migr_eiordq.tsv", text))
    assert table.dataset is EurostatDataset.ORDERED_TO_LEAVE
    assert table.frame["period"].to_list() == ["2023-Q4", "2024-Q1"]
    assert table.frame["c_dest"].is_null().all()


def test_old_bulk_tsv_header(tmp_path: Path) -> None:
    text = "unit,citizen,geo\\time\t2016 \t2015 \nPER,SO,NL\t1 234 \t: \n"
    # thousands separators are not part of the SDMX TSV: this cell is an error
    with pytest.raises(InputError):
        read_eurostat(write(tmp_path / "migr_eiord.tsv", text))
    text = text.replace("1 234", "1234")
    frame = read_eurostat(write(tmp_path / "migr_eiord.tsv", text)).frame
    assert frame.select("period", "value").rows() == [("2016", 1234), ("2015", None)]


@pytest.mark.parametrize(
    ("name", "dataset", "expected"),
    [
        ("estat_migr_eiord.tsv", None, EurostatDataset.ORDERED_TO_LEAVE),
        ("MIGR_EIORD_custom.tsv.gz", None, EurostatDataset.ORDERED_TO_LEAVE),
        ("download.tsv", "migr_eiord", EurostatDataset.ORDERED_TO_LEAVE),
        ("migr_eirtn.tsv", "migr_eiord", EurostatDataset.ORDERED_TO_LEAVE),  # explicit wins
    ],
)
def test_dataset_from_name_or_given(
    tmp_path: Path, name: str, dataset: str | None, expected: EurostatDataset
) -> None:
    text = "freq,citizen,age,sex,unit,geo\\TIME_PERIOD\t2019 \nA,MA,TOTAL,T,PER,NL\t950 \n"
    table = read_eurostat(write(tmp_path / name, text), dataset=dataset)
    assert table.dataset is expected
    assert set(table.frame["dataset"]) == {expected.value}


@pytest.mark.parametrize(
    ("name", "dataset"),
    [
        ("download.tsv", None),  # nothing says which dataset
        ("migr_eirtn1.tsv", None),  # another dataset
        ("download.tsv", "migr_eipre"),  # not one retour reads
    ],
)
def test_dataset_unknown(tmp_path: Path, name: str, dataset: str | None) -> None:
    text = "freq,citizen,age,sex,unit,geo\\TIME_PERIOD\t2019 \nA,MA,TOTAL,T,PER,NL\t950 \n"
    with pytest.raises(InputError) as raised:
        read_eurostat(write(tmp_path / name, text), dataset=dataset)
    assert raised.value.hint


def test_dataset_given_must_agree_with_content(
    tmp_path: Path, valid_tsv: str, sdmx_csv: str
) -> None:
    with pytest.raises(InputError, match="with dimension c_dest it holds migr_eirtn"):
        read_eurostat(write(tmp_path / "a.tsv", valid_tsv), dataset="migr_eiord")
    with pytest.raises(InputError, match=r"DATAFLOW ESTAT:MIGR_EIRTN\(1.0\) holds migr_eirtn"):
        read_eurostat(write(tmp_path / "b.csv", sdmx_csv), dataset="migr_eiord")
    with pytest.raises(InputError, match="the name says"):
        read_eurostat(write(tmp_path / "migr_eiord.csv", sdmx_csv))


def test_citizenship_groups_flags_and_iso_for_greece_and_the_uk(tmp_path: Path) -> None:
    citizens = ["TOTAL", "STLS", "UNK", "RNC", "EXT_EU27_2020", "EXT_EU28", "EL", "UK", "XK"]
    flags = ["u", "z", "n", "c", "b", "p", "d", "e", "s"]
    text = "freq,citizen,age,sex,unit,geo\\TIME_PERIOD\t2021 \n" + "".join(
        f"A,{citizen},TOTAL,T,PER,{geo}\t{n} {flag}\n"
        for n, (citizen, flag, geo) in enumerate(
            zip(
                citizens, flags, ["EL", "UK", "GR", "GB", "NL", "NL", "NL", "NL", "NL"], strict=True
            )
        )
    )
    frame = read_eurostat(write(tmp_path / "migr_eiord.tsv", text)).frame
    assert frame["citizen"].to_list() == [
        "TOTAL",
        "STLS",
        "UNK",
        "RNC",
        "EXT_EU27_2020",
        "EXT_EU28",
        "GR",
        "GB",
        "XK",
    ]
    assert frame["flag"].to_list() == flags
    # geo stays in Eurostat's codes; ISO codes for Greece and the UK are read as EL and UK
    assert frame["geo"].to_list()[:4] == ["EL", "UK", "EL", "UK"]

"""The real Data Explorer exports of migr_eiord / migr_eirtn (Deutsche Welle's copy), read whole."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest

from retour.domain.eurostat import (
    EurostatDataset,
    EurostatDimension,
    EurostatFormat,
    EurostatIndicator,
)
from retour.exchange.eurostat import KEY, read_eurostat
from retour.exchange.eurostat_labels import label_key, labels_for

ORDERED = "migr_eiord_Data_allcitizens.csv"
RETURNED = "migr_eirtn_Data_allcitizens.csv"


def value(frame: pl.DataFrame, geo: str, citizen: str, period: str) -> int | None:
    row = frame.filter(
        pl.col("geo") == geo, pl.col("citizen") == citizen, pl.col("period") == period
    )
    assert row.height == 1, row
    result = row.item(0, "value")
    return None if result is None else int(result)


def test_netherlands_morocco_and_somalia_2012(eurostat_dw: Path) -> None:
    ordered = read_eurostat(eurostat_dw / ORDERED).frame
    returned = read_eurostat(eurostat_dw / RETURNED).frame
    assert value(ordered, "NL", "MA", "2012") == 950
    assert value(returned, "NL", "MA", "2012") == 300
    assert value(returned, "NL", "SO", "2012") == 215
    assert value(ordered, "NL", "SO", "2012") == 2355


@pytest.mark.parametrize(
    ("name", "dataset"),
    [(ORDERED, EurostatDataset.ORDERED_TO_LEAVE), (RETURNED, EurostatDataset.RETURNED)],
)
def test_allcitizens_files_are_read_whole(
    eurostat_dw: Path, name: str, dataset: EurostatDataset
) -> None:
    table = read_eurostat(eurostat_dw / name)
    frame = table.frame
    assert table.dataset is dataset
    assert table.format is EurostatFormat.EXPLORER_CSV
    assert table.encoding == "cp1252"  # Latin-1 / Windows-1252, detected, not assumed
    assert frame.height == 28_545
    assert frame["line"].to_list() == list(range(2, 28_547))
    assert frame.select(KEY).is_unique().all()
    assert set(frame["dataset"]) == {dataset.value}
    assert set(frame["source_file"]) == {name}
    # 5 years x 33 reporting states x 173 citizenships, each label its own code
    assert sorted(frame["period"].unique()) == ["2012", "2013", "2014", "2015", "2016"]
    assert frame["geo"].n_unique() == 33
    assert frame["citizen"].n_unique() == 173
    assert (
        frame.select(pl.col("geo", "citizen", "period").null_count()).sum_horizontal().item() == 0
    )
    assert set(frame["unit"]) == {"PER"}
    assert frame["age"].is_null().all() and frame["sex"].is_null().all()
    assert set(frame["flag"].drop_nulls()) == {"d", "p"}
    assert frame["value"].null_count() > 0  # ":" is not available, not zero
    assert frame["value"].min() == 0
    if dataset is EurostatDataset.RETURNED:
        assert set(frame["indic"]) == {EurostatIndicator.RETURNED_TOTAL.value}
    else:
        assert frame["indic"].is_null().all()


def test_every_label_of_the_real_files_is_mapped(eurostat_dw: Path) -> None:
    """Independently of the reader: each GEO and CITIZEN label has a code, one code per label."""
    for path in sorted(eurostat_dw.glob("*.csv")):
        encoding = "utf8" if path.name.endswith("_1_Data.csv") else "windows-1252"
        raw = pl.read_csv(path, encoding=encoding, infer_schema=False)
        for column, dimension in [
            ("GEO", EurostatDimension.GEO),
            ("CITIZEN", EurostatDimension.CITIZEN),
        ]:
            table = labels_for(dimension)
            labels = set(raw[column])
            codes = {label: table.get(label_key(label)) for label in labels}
            assert None not in codes.values(), [k for k, v in codes.items() if v is None]
            assert len(set(codes.values())) == len(labels), path.name


@pytest.mark.parametrize(
    ("label", "dimension", "code"),
    [
        ("Germany (until 1990 former territory of the FRG)", EurostatDimension.GEO, "DE"),
        ("Greece", EurostatDimension.GEO, "EL"),
        ("United Kingdom", EurostatDimension.GEO, "UK"),
        ("European Union (28 countries)", EurostatDimension.GEO, "EU28"),
        ("European Union (27 countries)", EurostatDimension.GEO, "EU27_2007"),
        ("Gambia, The", EurostatDimension.CITIZEN, "GM"),
        (
            "Kosovo (under United Nations Security Council Resolution 1244/99)",
            EurostatDimension.CITIZEN,
            "XK",
        ),
        ("Former Yugoslav Republic of Macedonia, the", EurostatDimension.CITIZEN, "MK"),
        ("China (including Hong Kong)", EurostatDimension.CITIZEN, "CN"),
        ("Côte d'Ivoire", EurostatDimension.CITIZEN, "CI"),
        ("São Tomé and Príncipe", EurostatDimension.CITIZEN, "ST"),
        ("Myanmar/Burma", EurostatDimension.CITIZEN, "MM"),
        ("Vatican City State", EurostatDimension.CITIZEN, "VA"),
        ("Total", EurostatDimension.CITIZEN, "TOTAL"),
        ("Stateless", EurostatDimension.CITIZEN, "STLS"),
        ("Unknown", EurostatDimension.CITIZEN, "UNK"),
        ("Recognised non-citizens", EurostatDimension.CITIZEN, "RNC"),
        ("Greece", EurostatDimension.CITIZEN, "GR"),
        ("United Kingdom", EurostatDimension.CITIZEN, "GB"),
    ],
)
def test_eurostat_labels(label: str, dimension: EurostatDimension, code: str) -> None:
    assert labels_for(dimension)[label_key(label)] == code


def test_the_totals_files(eurostat_dw: Path) -> None:
    ordered = read_eurostat(eurostat_dw / "migr_eiord_1_Data.csv")
    returned = read_eurostat(eurostat_dw / "migr_eirtn_1_Data.csv")
    assert ordered.encoding == returned.encoding == "utf-8"
    assert (ordered.frame.height, returned.frame.height) == (238, 476)
    assert set(ordered.frame["citizen"]) == {"TOTAL"}
    # the old export's "European Union (27 countries)" is the EU of 2007-2013
    eu27 = value(ordered.frame, "EU27_2007", "TOTAL", "2010")
    assert eu27 == value(ordered.frame, "EU28", "TOTAL", "2010") == 540_080
    assert set(returned.frame["indic"]) == {i.value for i in EurostatIndicator}


def test_speed_of_the_allcitizens_files(eurostat_dw: Path) -> None:
    """Each file holds 28,545 values; both together must take well under a second or two."""
    read_eurostat(eurostat_dw / "migr_eiord_1_Data.csv")  # label tables built once
    start = time.perf_counter()
    for name in (ORDERED, RETURNED):
        read_eurostat(eurostat_dw / name)
    assert time.perf_counter() - start < 5.0

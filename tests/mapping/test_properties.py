"""Property: any valid dataset, written in any source style and imported through the mapping
that style comes with, gives the database a direct import gives, export for export."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retour.config import load_settings
from retour.domain.codes import Table
from retour.domain.dataset import Dataset
from retour.exchange import write_dataset
from retour.exchange.source_style import SourceStyle, write_source
from retour.service import datasets
from retour.service.context import Retour

from ..service.conftest import files_of
from ..strategies.datasets import datasets as generated_datasets
from .conftest import TODAY

styles = st.builds(
    SourceStyle,
    language=st.sampled_from(["nl", "en"]),
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
    encoding=st.sampled_from(["cp1252", "utf-8"]),
    date_format=st.sampled_from(["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"]),
    countries=st.sampled_from(["names", "alpha-3", "codes"]),
    flat=st.booleans(),
    workbook=st.booleans(),
    numbers_as_text=st.booleans(),
    extra_columns=st.booleans(),
)

# Text a workbook cannot hold as it is (XML has no control characters; '_x0041_' is an escape).
_NOT_IN_A_CELL = re.compile(r"[\x00-\x08\x0b-\x1f]|_x[0-9A-Fa-f]{4}_")


def workbook_safe(dataset: Dataset) -> bool:
    for table in Table:
        for column in dataset[table].iter_columns():
            text = column.dtype == pl.String
            if text and column.drop_nulls().str.contains(_NOT_IN_A_CELL.pattern).any():
                return False
    return True


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(dataset=generated_datasets(), style=styles)
def test_a_source_style_export_imports_as_the_dataset_does(
    dataset: Dataset,
    style: SourceStyle,
    tmp_path_factory: pytest.TempPathFactory,
    fresh_database: Callable[[], str],
) -> None:
    if style.workbook and not workbook_safe(dataset):
        style = replace(style, workbook=False)
    work = tmp_path_factory.mktemp("mapped")
    write_dataset(dataset, work / "direct")
    source = work / ("source.xlsx" if style.workbook else "source")
    (work / "M.toml").write_text(write_source(dataset, source, style), encoding="utf-8")
    for name, mapping in (("direct", None), ("mapped", work / "M.toml")):
        url = fresh_database() if name == "direct" else f"sqlite:///{work / 'mapped.sqlite'}"
        with Retour(settings=load_settings(db=url)) as app:
            path = work / "direct" if mapping is None else source
            datasets.import_dataset(app, path, today=TODAY, mapping=mapping)
            datasets.export_dataset(app, work / f"out-{name}")
    assert files_of(work / "out-mapped") == files_of(work / "out-direct")

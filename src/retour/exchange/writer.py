"""Write a Dataset in the exchange format: one CSV per table and dataset.json.

The output is canonical: columns in the contract's order, rows sorted by the table key,
dates as YYYY-MM-DD, LF line endings, UTF-8 without BOM. The same dataset always gives the
same bytes, so export -> import -> export is byte-identical.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import polars as pl

from retour.domain.codes import FORMAT_VERSION_1, VERSION_2_TABLES, Table, format_version
from retour.domain.dataset import Dataset, DatasetMeta
from retour.domain.files import refuse_link, write_file, writing
from retour.domain.tables import SPECS

DATASET_JSON = "dataset.json"


def canonical_frame(dataset: Dataset, table: Table) -> pl.DataFrame:
    """The table in contract column order, sorted by its key."""
    spec = SPECS[table]
    return dataset[table].select(spec.column_names).sort(list(spec.key), maintain_order=True)


def meta_json(meta: DatasetMeta) -> str:
    doc: dict[str, str] = {"format": meta.format}
    if meta.source is not None:
        doc["source"] = meta.source
    if meta.extracted_on is not None:
        doc["extracted_on"] = meta.extracted_on.isoformat()
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_dataset(dataset: Dataset, directory: Path, *, include_empty: bool = True) -> list[Path]:
    """Write every table (empty ones too, unless include_empty is False) and dataset.json.

    Returns the paths written. The directory is created if needed. A dataset with terms or
    country statuses is written as retour/2; one without, as retour/1 (without those files).
    """
    directory.mkdir(parents=True, exist_ok=True)
    for name in [*(SPECS[t].file_name for t in Table), DATASET_JSON]:
        refuse_link(directory / name)  # before a first file is written
    written: list[Path] = []
    fmt = format_version({t for t in Table if dataset[t].height})
    for table in Table:
        frame = canonical_frame(dataset, table)
        if frame.is_empty() and not include_empty and table is not Table.CASES:
            continue
        if frame.is_empty() and table in VERSION_2_TABLES and fmt == FORMAT_VERSION_1:
            continue
        path = directory / SPECS[table].file_name
        with writing(path) as out:  # never through a link planted in the folder
            frame.write_csv(
                out, date_format="%Y-%m-%d", line_terminator="\n", quote_style="necessary"
            )
        written.append(path)
    meta_path = directory / DATASET_JSON
    write_file(meta_path, meta_json(replace(dataset.meta, format=fmt)))
    written.append(meta_path)
    return written

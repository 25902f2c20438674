"""Read Eurostat's return statistics (migr_eiord, migr_eirtn) into one tidy frame.

Three forms are read, recognised from the header, plain or gzip-compressed, in UTF-8,
UTF-16 (with BOM), Windows-1252 or Latin-1:

- the TSV of Eurostat's SDMX 2.1 API (``format=TSV``) or of the older bulk download;
- SDMX-CSV (1.0 and 2.0, codes or ``labels=both``);
- the older Data Explorer CSV export, with English labels instead of codes.

The result has one row per observation (``value`` null when Eurostat has none, which is not
zero) with the columns of :data:`FRAME_SCHEMA`:

``dataset``
    ``migr_eiord`` or ``migr_eirtn`` (:class:`~retour.domain.eurostat.EurostatDataset`).
``geo``
    The reporting state in Eurostat's codes: ``NL``, ``EL``, ``UK``, ``EU28``, ``EU27_2020``.
``citizen``
    ISO 3166-1 alpha-2 as in the exchange format (Greece ``GR``, the United Kingdom ``GB``,
    Kosovo ``XK``) or one of Eurostat's groups: ``TOTAL``, ``STLS``, ``UNK``, ``RNC``,
    ``EXT_EU27_2020``, ...
``age``, ``sex``, ``unit``, ``c_dest``, ``indic``
    The other dimensions, as Eurostat's codes; null when the file does not have the dimension
    (the Data Explorer exports have no age or sex: their figures are totals). ``c_dest`` keeps
    Eurostat's codes; ``indic`` is the ``INDIC_MG`` of the old migr_eirtn export.
``period``
    ``"2019"``, or ``"2019-Q1"`` for quarterly data.
``value``, ``flag``
    The count (Int64, null when not available) and Eurostat's flags (``d``, ``p``, ``c``, ``ep``).
``source_file``, ``line``
    The file's base name and the line of the observation (the header is line 1).

Rows are unique on the dataset, the dimensions and the period. Any malformed line makes
:func:`read_eurostat` raise :class:`EurostatFormatError` listing every problem found (up to
200) as ``FILE:LINE: what is wrong``; nothing is returned in part.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from retour.domain.errors import InputError
from retour.domain.eurostat import (
    EUROSTAT_TO_ISO,
    ISO_TO_EUROSTAT,
    EurostatDataset,
    EurostatDimension,
    EurostatFlag,
    EurostatFormat,
    citizen_codes,
    geo_codes,
)
from retour.exchange import eurostat_formats as fmt
from retour.exchange.archive import RefusedFileError, gunzip
from retour.exchange.eurostat_formats import (
    DATAFLOW,
    FLAG,
    LINE,
    MESSAGE,
    PERIOD,
    VALUE,
    Parsed,
    problems_where,
    shown,
)
from retour.exchange.eurostat_labels import label_key_expr, labels_for

D = EurostatDimension

MAX_PROBLEMS = 200

DATASET = "dataset"
SOURCE_FILE = "source_file"

#: The dimensions kept as columns (freq is checked against the period, then dropped).
KEPT_DIMENSIONS = (D.GEO, D.CITIZEN, D.AGE, D.SEX, D.UNIT, D.C_DEST, D.INDIC)

FRAME_SCHEMA = pl.Schema(
    {
        DATASET: pl.String(),
        **{d.value: pl.String() for d in KEPT_DIMENSIONS},
        PERIOD: pl.String(),
        VALUE: pl.Int64(),
        FLAG: pl.String(),
        SOURCE_FILE: pl.String(),
        LINE: pl.Int64(),
    }
)

#: The columns on which rows are unique.
KEY = (DATASET, *(d.value for d in KEPT_DIMENSIONS), PERIOD)

_DATASET_IN_NAME = re.compile(r"(?:^|[^a-z0-9])migr_(eiord|eirtn)q?(?:$|[^a-z0-9])", re.I)
_DATASET_IN_DATAFLOW = r"(?i)^(?:[a-z0-9_.]+:)?migr_(eiord|eirtn)q?(?:\([^)]*\))?$"
_CODE = r"^[A-Z0-9][A-Z0-9_\-]*$"
_FLAGS = "".join(f.value for f in EurostatFlag)
_READ_HINT = (
    "Download migr_eiord or migr_eirtn from Eurostat as SDMX TSV (format=TSV), as SDMX-CSV, "
    "or as the Data Explorer CSV export."
)

_PARSERS: dict[EurostatFormat, Callable[[pl.DataFrame, str], Parsed]] = {
    EurostatFormat.SDMX_TSV: fmt.parse_sdmx_tsv,
    EurostatFormat.SDMX_CSV: fmt.parse_sdmx_csv,
    EurostatFormat.EXPLORER_CSV: fmt.parse_explorer_csv,
}


class EurostatFormatError(InputError):
    """A Eurostat file with malformed lines. ``problems`` lists them as ``FILE:LINE: what``."""

    def __init__(self, source: str, problems: list[str], total: int) -> None:
        more = f" (and {total - 1} more problems)" if total > 1 else ""
        super().__init__(
            f"{problems[0]}{more}",
            hint=f"Correct {source} or download it again from Eurostat; nothing was read.",
        )
        self.problems = problems
        self.total = total


@dataclass(frozen=True, slots=True)
class EurostatTable:
    """A Eurostat table as read: the tidy frame and what was recognised about the file."""

    frame: pl.DataFrame
    dataset: EurostatDataset
    format: EurostatFormat
    encoding: str
    source: Path


def read_eurostat(path: Path, *, dataset: str | None = None) -> EurostatTable:
    """Read a Eurostat migr_eiord or migr_eirtn file in any of the forms users download.

    ``dataset`` names the dataset when neither the file name nor the content says it;
    it must agree with the content when the content says it.

    Raises :class:`EurostatFormatError` for malformed lines (every problem, up to 200) and
    :class:`~retour.domain.errors.InputError` for a file that cannot be read, is empty, or
    whose form or dataset cannot be recognised.
    """
    requested = _requested_dataset(dataset)
    text, encoding = fmt.decode(_read_bytes(path))
    lines = fmt.lines_frame(text)
    header = str(lines.item(0, "text"))
    if not header.strip():
        raise InputError(f"{path}: the file is empty or starts with a blank line.", hint=_READ_HINT)
    form = fmt.detect_format(header)
    if form is None:
        raise InputError(
            f"{path}: not a Eurostat table retour can read (header: '{header[:60]}').",
            hint=_READ_HINT,
        )
    parsed = _PARSERS[form](lines, header)
    if parsed.problems.height and not parsed.raw.height:
        _raise_problems(path, parsed.problems)
    chosen = _choose_dataset(path, requested, parsed)
    frame, problems = _finish(parsed, chosen)
    all_problems = pl.concat([parsed.problems, problems])
    if all_problems.height:
        _raise_problems(path, all_problems)
    if not frame.height:
        raise InputError(f"{path}: the file holds no observations.", hint=_READ_HINT)
    frame = frame.with_columns(pl.lit(path.name).alias(SOURCE_FILE)).select(FRAME_SCHEMA.names())
    return EurostatTable(frame, chosen, form, encoding, path)


def dataset_from_name(name: str) -> EurostatDataset | None:
    """The dataset a file name says (``estat_migr_eiord.tsv.gz``), or None."""
    found = _DATASET_IN_NAME.search(name)
    return None if found is None else EurostatDataset(f"migr_{found.group(1).lower()}")


# -- reading the file -----------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(
            f"{path}: cannot read the file ({reason}).",
            hint="Check the path and that you may read it.",
        ) from error
    if data.startswith(b"\x1f\x8b"):
        try:
            data = gunzip(data, path.name)  # within the import's limits: no gzip bomb
        except RefusedFileError as refused:
            raise InputError(
                f"{path.name}: {refused.violations[0].message}.",
                hint="Decompress it yourself and read the result, if it really is that large.",
            ) from None
        except (OSError, EOFError, zlib.error) as error:
            raise InputError(
                f"{path}: the file looks gzip-compressed but cannot be decompressed ({error}).",
                hint="Download it again, or decompress it yourself and read the result.",
            ) from error
    return data


def _requested_dataset(dataset: str | None) -> EurostatDataset | None:
    if dataset is None:
        return None
    found = dataset_from_name(dataset.strip())
    if found is None or dataset.strip().lower() not in {found.value, f"{found.value}q"}:
        names = " or ".join(d.value for d in EurostatDataset)
        raise InputError(f"Unknown Eurostat dataset '{dataset}'.", hint=f"Give {names}.")
    return found


def _choose_dataset(
    path: Path, requested: EurostatDataset | None, parsed: Parsed
) -> EurostatDataset:
    """The dataset: as requested, else as the content says, else as the file name says."""
    from_name = dataset_from_name(path.name)
    content, why = _dataset_from_content(parsed)
    if requested is not None and content is not None and requested != content:
        raise InputError(
            f"{path}: {why} holds {content.value}, not {requested.value}.",
            hint="Leave out the dataset, or give the file that holds it.",
        )
    if requested is None and content is not None and from_name not in (None, content):
        raise InputError(
            f"{path}: the name says {from_name}, but {why} holds {content.value}.",
            hint="Give the dataset explicitly if the name is wrong.",
        )
    chosen = requested or content or from_name
    if chosen is None:
        raise InputError(
            f"{path}: cannot tell whether this is migr_eiord or migr_eirtn.",
            hint="Give the dataset explicitly, or keep Eurostat's file name.",
        )
    return chosen


def _dataset_from_content(parsed: Parsed) -> tuple[EurostatDataset | None, str]:
    """The dataset the content says (its DATAFLOW, or a dimension only migr_eirtn has)."""
    for flow in parsed.dataflows:
        found = dataset_from_name(flow)
        if found is not None:
            return found, f"its DATAFLOW {flow}"
    returns_only = [d.value for d in parsed.dimensions if d in {D.C_DEST, D.INDIC}]
    if returns_only:
        return EurostatDataset.RETURNED, f"with dimension {returns_only[0]} it"
    return None, ""


def _raise_problems(path: Path, problems: pl.DataFrame) -> None:
    ordered = problems.unique(maintain_order=True).sort(LINE, maintain_order=True)
    shown_ = ordered.head(MAX_PROBLEMS).select(
        pl.format("{}:{}: {}", pl.lit(str(path)), pl.col(LINE), pl.col(MESSAGE))
    )
    raise EurostatFormatError(str(path), shown_.to_series().to_list(), ordered.height)


# -- checks common to the three forms -------------------------------------------------------


def _finish(parsed: Parsed, dataset: EurostatDataset) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Map codes or labels, normalise periods, check flags, frequency, dataflow, duplicates."""
    raw = parsed.raw
    present = [d for d in EurostatDimension if d in set(parsed.dimensions)]
    mapped = raw.with_columns(
        *(pl.col(d.value).alias(f"source_{d.value}") for d in present),
        _by_distinct(raw, PERIOD, fmt.normal_period(pl.col(PERIOD))).alias("normal_period"),
    ).with_columns(
        _by_distinct(raw, d.value, _map_dimension(d, labels=parsed.labels)).alias(d.value)
        for d in present
    )
    unknown = {
        d: pl.col(f"source_{d.value}").is_not_null() & pl.col(d.value).is_null() for d in present
    }
    problems = [
        problems_where(
            mapped,
            unknown[d],
            pl.format(
                "unknown {} '{}'",
                pl.lit(f"{d.name} label" if parsed.labels else f"{d.value} code"),
                shown(pl.col(f"source_{d.value}")),
            ),
        )
        for d in present
    ]
    no_period = pl.col("normal_period").is_null()
    problems.append(
        problems_where(
            mapped,
            no_period,
            pl.format("bad period '{}' (expected 2019 or 2019-Q1)", shown(pl.col(PERIOD))),
        )
    )
    problems.append(
        problems_where(
            mapped,
            pl.col(FLAG).is_not_null() & ~pl.col(FLAG).str.contains(f"^[{_FLAGS}]+$"),
            pl.format("unknown flag '{}' (Eurostat's are {})", shown(pl.col(FLAG)), pl.lit(_FLAGS)),
        )
    )
    if D.FREQ in present:
        freq = pl.col(D.FREQ.value)
        expected = pl.when(pl.col("normal_period").str.contains("Q")).then(pl.lit("Q"))
        problems.append(
            problems_where(
                mapped,
                (freq != expected.otherwise(pl.lit("A"))).fill_null(value=False),
                pl.format("frequency '{}' does not fit period '{}'", freq, pl.col("normal_period")),
            )
        )
    flow = pl.col(DATAFLOW).str.extract(_DATASET_IN_DATAFLOW, 1).str.to_lowercase()
    problems.append(
        problems_where(
            mapped,
            pl.col(DATAFLOW).is_not_null()
            & (flow != dataset.value.removeprefix("migr_")).fill_null(value=True),
            pl.format("DATAFLOW '{}' is not {}", shown(pl.col(DATAFLOW)), pl.lit(dataset.value)),
        )
    )
    bad_key = pl.any_horizontal(no_period, *unknown.values())
    # the parsers give the observations in the order of the file
    frame = mapped.filter(~bad_key).with_columns(
        pl.lit(dataset.value).alias(DATASET), pl.col("normal_period").alias(PERIOD)
    )
    repeated = frame.filter(frame.select(KEY).is_duplicated())
    problems.append(
        problems_where(
            repeated.with_columns(pl.col(LINE).min().over(list(KEY)).alias("first_line")),
            pl.col(LINE) != pl.col("first_line"),
            pl.format("the same observation as line {} ({})", pl.col("first_line"), pl.col(PERIOD)),
        )
    )
    return frame, pl.concat(problems)


def _by_distinct(frame: pl.DataFrame, column: str, expr: pl.Expr) -> pl.Expr:
    """expr (a function of column alone) computed once per distinct value, then looked up."""
    distinct = frame.select(pl.col(column).unique().drop_nulls())
    table = distinct.select(pl.col(column).alias("from"), expr.alias("to"))
    mapping = dict(zip(table["from"].to_list(), table["to"].to_list(), strict=True))
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String())


def _map_dimension(dimension: EurostatDimension, *, labels: bool) -> pl.Expr:
    """The column of a dimension in retour's codes; null where the source's value is unknown."""
    column = pl.col(dimension.value)
    if labels:
        return label_key_expr(dimension.value).replace_strict(
            dict(labels_for(dimension)), default=None, return_dtype=pl.String()
        )
    if dimension is D.GEO:
        code = column.replace(ISO_TO_EUROSTAT)
        return pl.when(code.is_in(sorted(geo_codes()))).then(code)
    if dimension is D.CITIZEN:
        code = column.replace(EUROSTAT_TO_ISO)
        return pl.when(code.is_in(sorted(citizen_codes()))).then(code)
    if dimension is D.FREQ:
        return pl.when(column.is_in(["A", "Q"])).then(column)
    return pl.when(column.str.contains(_CODE)).then(column)

"""The three forms of a Eurostat table, each turned into one raw row per observation.

Every reader works on whole columns (Polars string expressions), never row by row in
Python. Each returns a :class:`Parsed`: the observations with their line numbers, still in
the source's codes or labels, and the problems it found (line, message). Mapping codes and
labels, periods, flags and duplicates are checked afterwards, the same way for all three.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import polars as pl

from retour.domain.eurostat import EurostatDimension, EurostatFormat

D = EurostatDimension

LINE = "line"
ORDER = "order"
PERIOD = "period"
VALUE = "value"
FLAG = "flag"
DATAFLOW = "dataflow"
MESSAGE = "message"

PROBLEM_SCHEMA = pl.Schema({LINE: pl.Int64(), MESSAGE: pl.String()})

#: Dimension names as Eurostat writes them (lower case) -> retour's column.
SDMX_DIMENSIONS: dict[str, EurostatDimension] = {
    "freq": D.FREQ,
    "geo": D.GEO,
    "citizen": D.CITIZEN,
    "age": D.AGE,
    "sex": D.SEX,
    "unit": D.UNIT,
    "c_dest": D.C_DEST,
    "indic_mg": D.INDIC,
}
REQUIRED_DIMENSIONS = (D.GEO, D.CITIZEN)

#: SDMX-CSV columns that are neither a dimension nor the observation.
SDMX_CSV_IGNORED = frozenset(
    {"LAST UPDATE", "CONF_STATUS", "OBS_STATUS", "STRUCTURE", "STRUCTURE_NAME", "ACTION"}
)
SDMX_CSV_DATAFLOW = ("DATAFLOW", "STRUCTURE_ID")

#: Data Explorer CSV columns (upper case) -> retour's column.
EXPLORER_DIMENSIONS: dict[str, EurostatDimension] = {
    "GEO": D.GEO,
    "CITIZEN": D.CITIZEN,
    "AGE": D.AGE,
    "SEX": D.SEX,
    "UNIT": D.UNIT,
    "C_DEST": D.C_DEST,
    "INDIC_MG": D.INDIC,
}
EXPLORER_TIME = "TIME"
EXPLORER_VALUE = "VALUE"
EXPLORER_FLAG = "FLAG AND FOOTNOTES"

SHOWN = 40
"""At most this many characters of a bad cell are quoted in a message."""

_CSV_FIELD = r'(?:^|,)(?:"(?:[^"]|"")*"|[^,"]*)'
_TSV_CELL = r"^\s*(?:(?P<v>\d{1,15})|(?P<na>:))\s*(?P<f>[a-z]*)\s*$"
_PERIOD = r"^\s*(\d{4})(?:-?Q([1-4]))?\s*$"
_CODE_COUNT = r"^\s*(\d{1,15})\s*$"
_LABEL_COUNT = r"^\s*(\d{1,3}(?:,\d{3})+|\d{1,15})\s*$"


@dataclass(slots=True)
class Parsed:
    """Observations as the source writes them, and the problems found reading them."""

    raw: pl.DataFrame
    problems: pl.DataFrame
    labels: bool
    dimensions: tuple[EurostatDimension, ...] = ()
    dataflows: list[str] = field(default_factory=list)


def shown(expr: pl.Expr) -> pl.Expr:
    """A cell as quoted in a message: cut to SHOWN characters."""
    return expr.str.slice(0, SHOWN)


def problems_where(frame: pl.DataFrame, condition: pl.Expr, message: pl.Expr) -> pl.DataFrame:
    """One problem (line, message) for every row of frame where condition holds."""
    return (
        frame.filter(condition)
        .select(pl.col(LINE).cast(pl.Int64), message.alias(MESSAGE))
        .cast(PROBLEM_SCHEMA)
    )


def header_problems(messages: list[str]) -> pl.DataFrame:
    return pl.DataFrame({LINE: [1] * len(messages), MESSAGE: messages}, schema=PROBLEM_SCHEMA)


def normal_period(expr: pl.Expr) -> pl.Expr:
    """A period in retour's form: 2019 stays; 2019Q1 and 2019-Q1 become 2019-Q1; else null."""
    year = expr.str.extract(_PERIOD, 1)
    quarter = expr.str.extract(_PERIOD, 2)
    return pl.when(quarter.is_null()).then(year).otherwise(pl.format("{}-Q{}", year, quarter))


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding found: UTF-8 (with or without BOM), UTF-16 with a
    BOM, else Windows-1252, else Latin-1 (which decodes any byte)."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16", "utf-8-sig", "cp1252") if utf16 else ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def lines_frame(text: str) -> pl.DataFrame:
    """One row per physical line: its number (the first line is 1) and its text without CR."""
    frame = pl.DataFrame({"text": text.split("\n")}, schema={"text": pl.String()})
    return frame.with_row_index(LINE, offset=1).select(
        pl.col(LINE).cast(pl.Int64), pl.col("text").str.strip_suffix("\r")
    )


def detect_format(header: str) -> EurostatFormat | None:
    first = header.split("\t", 1)[0]
    if "\\" in first:
        return EurostatFormat.SDMX_TSV
    names = {name.upper() for name in _split_header(header)}
    if names & set(SDMX_CSV_DATAFLOW) and {"TIME_PERIOD", "OBS_VALUE"} <= names:
        return EurostatFormat.SDMX_CSV
    if {EXPLORER_TIME, "GEO", "CITIZEN", EXPLORER_VALUE} <= names:
        return EurostatFormat.EXPLORER_CSV
    return None


def _data_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """The lines after the header that are not blank."""
    return lines.filter((pl.col(LINE) > 1) & (pl.col("text").str.strip_chars() != ""))


def _csv_fields(text: pl.Expr, *, quoted: bool) -> tuple[pl.Expr, pl.Expr]:
    """The fields of a CSV line as a list, and whether the line is well formed.

    Quoted fields may hold commas and doubled quotes, not line breaks.
    """
    if not quoted:
        return text.str.split(","), pl.lit(value=True)
    matches = text.str.extract_all(_CSV_FIELD)
    fields = matches.list.eval(
        pl.element()
        .str.strip_prefix(",")
        .str.replace(r'^"(.*)"$', "${1}")
        .str.replace_all('""', '"', literal=True)
    )
    return fields, matches.list.join("") == text


def _split_header(header: str) -> list[str]:
    fields, _ = _csv_fields(pl.col("text"), quoted='"' in header)
    row = pl.DataFrame({"text": [header]}).select(fields.alias("f"))
    return [str(name).strip() for name in row.item(0, "f")]


def _dimension_problems(names: list[str], known: dict[str, EurostatDimension]) -> list[str]:
    messages: list[str] = []
    seen: set[EurostatDimension] = set()
    for name in names:
        dimension = known.get(name)
        if dimension is None:
            expected = ", ".join(known)
            messages.append(f"unknown dimension '{name[:SHOWN]}' (retour reads {expected})")
        elif dimension in seen:
            messages.append(f"dimension '{name}' appears twice")
        else:
            seen.add(dimension)
    messages.extend(
        f"no '{dimension.value}' dimension"
        for dimension in REQUIRED_DIMENSIONS
        if dimension not in seen
    )
    return messages


def _with_all_dimensions(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [d.value for d in EurostatDimension if d.value not in frame.columns]
    return frame.with_columns(pl.lit(None, dtype=pl.String()).alias(name) for name in missing)


def _empty_raw() -> pl.DataFrame:
    columns = [LINE, ORDER, *(d.value for d in EurostatDimension), PERIOD, VALUE, FLAG, DATAFLOW]
    types: dict[str, pl.DataType] = {LINE: pl.Int64(), ORDER: pl.Int64(), VALUE: pl.Int64()}
    return pl.DataFrame(schema={name: types.get(name, pl.String()) for name in columns})


def _finish_raw(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column of a raw frame, in one order, with the types the checks expect."""
    frame = _with_all_dimensions(frame)
    if DATAFLOW not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String()).alias(DATAFLOW))
    return frame.select(_empty_raw().columns).cast(_empty_raw().schema)


# -- SDMX TSV -------------------------------------------------------------------------------


def parse_sdmx_tsv(lines: pl.DataFrame, header: str) -> Parsed:
    """``freq,citizen,...,geo\\TIME_PERIOD<TAB>2019 <TAB>2020 ...``: periods as columns."""
    cells = [cell.strip() for cell in header.split("\t")]
    key_part, _, time_word = cells[0].rpartition("\\")
    names = [name.strip().lower() for name in key_part.split(",")]
    messages = _dimension_problems(names, SDMX_DIMENSIONS)
    if time_word.strip().lower() not in {"time_period", "time"}:
        messages.append(f"the first header cell should end in '\\TIME_PERIOD', not '{time_word}'")
    periods = cells[1:]
    if not periods:
        messages.append("no period columns after the key column")
    messages.extend(_period_header_problems(periods))
    if messages:
        return Parsed(_empty_raw(), header_problems(messages), labels=False)
    dimensions = tuple(SDMX_DIMENSIONS[name] for name in names)

    body = _data_lines(lines).with_columns(cells=pl.col("text").str.split("\t"))
    expected = 1 + len(periods)
    counted = body.with_columns(n=pl.col("cells").list.len())
    problems = [
        problems_where(
            counted,
            pl.col("n") != expected,
            pl.format(
                "expected {} tab-separated cells (the key and {} periods), found {}",
                pl.lit(expected),
                pl.lit(len(periods)),
                pl.col("n"),
            ),
        )
    ]
    keyed = counted.filter(pl.col("n") == expected).with_columns(
        key=pl.col("cells").list.first().str.split(",")
    )
    problems.append(
        problems_where(
            keyed,
            pl.col("key").list.len() != len(names),
            pl.format(
                "the key '{}' should have {} comma-separated codes ({})",
                shown(pl.col("cells").list.first()),
                pl.lit(len(names)),
                pl.lit(",".join(names)),
            ),
        )
    )
    # one row per cell, in the order of the file: line by line, period by period
    long = (
        keyed.filter(pl.col("key").list.len() == len(names))
        .select(
            pl.col(LINE),
            *(
                pl.col("key").list.get(i).str.strip_chars().alias(d.value)
                for i, d in enumerate(dimensions)
            ),
            pl.col("cells").list.slice(1).alias("cell"),
            pl.int_ranges(0, len(periods), dtype=pl.Int64()).alias(ORDER),
        )
        .explode("cell", ORDER)
    )
    parts = long.with_columns(
        pl.col(ORDER)
        .replace_strict(dict(enumerate(periods)), return_dtype=pl.String())
        .alias(PERIOD),
        pl.col("cell").str.extract_groups(_TSV_CELL).alias("parts"),
    ).unnest("parts")
    bad_cell = pl.col("v").is_null() & pl.col("na").is_null()
    problems.append(
        problems_where(
            parts,
            bad_cell,
            pl.format(
                "{}: '{}' is not a count or ':', with an optional flag",
                pl.col(PERIOD),
                shown(pl.col("cell")),
            ),
        )
    )
    raw = parts.filter(~bad_cell).with_columns(
        pl.col("v").cast(pl.Int64).alias(VALUE),
        pl.when(pl.col("f") != "").then(pl.col("f")).alias(FLAG),
    )
    return Parsed(_finish_raw(raw), pl.concat(problems), labels=False, dimensions=dimensions)


def _period_header_problems(periods: list[str]) -> list[str]:
    normal = pl.DataFrame({"p": periods}, schema={"p": pl.String()}).select(
        normal_period(pl.col("p"))
    )
    messages: list[str] = []
    seen: set[str] = set()
    for period, found in zip(periods, normal.to_series(), strict=True):
        if found is None:
            messages.append(
                f"bad period '{period[:SHOWN]}' in the header (expected 2019 or 2019-Q1)"
            )
        elif found in seen:
            messages.append(f"period '{period}' appears twice in the header")
        else:
            seen.add(found)
    return messages


# -- CSV: SDMX-CSV and the Data Explorer export ---------------------------------------------


def _csv_rows(lines: pl.DataFrame, n_columns: int) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """The data lines split into fields; lines with bad quotes or a wrong count are problems."""
    quoted = bool(lines["text"].str.contains('"', literal=True).any())
    fields, well_formed = _csv_fields(pl.col("text"), quoted=quoted)
    body = _data_lines(lines).with_columns(fields.alias("fields"), well_formed.alias("ok"))
    body = body.with_columns(n=pl.col("fields").list.len())
    problems = [
        problems_where(body, ~pl.col("ok"), pl.lit('a quote (") is not where CSV allows it')),
        problems_where(
            body,
            pl.col("ok") & (pl.col("n") != n_columns),
            pl.format(
                "expected {} comma-separated fields, found {}", pl.lit(n_columns), pl.col("n")
            ),
        ),
    ]
    rows = body.filter(pl.col("ok") & (pl.col("n") == n_columns))
    return rows, problems


def _field(index: int) -> pl.Expr:
    return pl.col("fields").list.get(index)


def _parse_counts(
    frame: pl.DataFrame, pattern: str, missing: list[str], what: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse the column "cell" into VALUE: a count matching pattern, null for a missing mark."""
    digits = pl.col("cell").str.extract(pattern, 1)
    bad = digits.is_null() & ~pl.col("cell").str.strip_chars().is_in(missing)
    problems = problems_where(
        frame, bad, pl.format("value '{}' is not {}", shown(pl.col("cell")), pl.lit(what))
    )
    parsed = frame.filter(~bad).with_columns(
        digits.str.replace_all(",", "", literal=True).cast(pl.Int64).alias(VALUE)
    )
    return parsed, problems


def _flag(expr: pl.Expr) -> pl.Expr:
    """A flag cell: blanks stripped, an SDMX label after ':' dropped, empty -> null."""
    text = expr.str.strip_chars().str.replace(r"\s*:.*$", "")
    return pl.when(text != "").then(text)


def _code(expr: pl.Expr) -> pl.Expr:
    """A code cell: blanks stripped, an SDMX label after ':' (labels=both) dropped."""
    return expr.str.replace(r":.*$", "").str.strip_chars()


def parse_sdmx_csv(lines: pl.DataFrame, header: str) -> Parsed:
    """``DATAFLOW,LAST UPDATE,freq,...,TIME_PERIOD,OBS_VALUE,OBS_FLAG``, one observation a line.

    Also SDMX-CSV 2.0 (``STRUCTURE,STRUCTURE_ID,...``) and ``labels=both`` (``NL:Netherlands``:
    the code before the colon is kept).
    """
    names = _split_header(header)
    upper = [name.upper() for name in names]
    special = {*SDMX_CSV_DATAFLOW, *SDMX_CSV_IGNORED, "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG"}
    positions = {i: name.lower() for i, name in enumerate(names) if name.upper() not in special}
    messages = _dimension_problems(list(positions.values()), SDMX_DIMENSIONS)
    messages.extend(
        f"column '{name}' appears twice"
        for name in sorted(special & set(upper))
        if upper.count(name) > 1
    )
    if messages:
        return Parsed(_empty_raw(), header_problems(messages), labels=False)
    dimensions = tuple(SDMX_DIMENSIONS[name] for name in positions.values())
    dataflow = next((upper.index(n) for n in SDMX_CSV_DATAFLOW if n in upper), None)
    flag = upper.index("OBS_FLAG") if "OBS_FLAG" in upper else None

    rows, problems = _csv_rows(lines, len(names))
    cells = rows.select(
        pl.col(LINE),
        *(_code(_field(i)).alias(SDMX_DIMENSIONS[name].value) for i, name in positions.items()),
        _field(upper.index("TIME_PERIOD")).alias(PERIOD),
        _field(upper.index("OBS_VALUE")).alias("cell"),
        (_flag(_field(flag)) if flag is not None else pl.lit(None, pl.String())).alias(FLAG),
        (
            _field(dataflow).str.strip_chars()
            if dataflow is not None
            else pl.lit(None, pl.String())
        ).alias(DATAFLOW),
    ).with_columns(pl.lit(0).alias(ORDER))
    parsed, value_problems = _parse_counts(
        cells, _CODE_COUNT, ["", ":", "NaN"], "a count, empty or ':'"
    )
    flows = cells[DATAFLOW].drop_nulls().unique(maintain_order=True).head(10).to_list()
    return Parsed(
        _finish_raw(parsed),
        pl.concat([*problems, value_problems]),
        labels=False,
        dimensions=dimensions,
        dataflows=[str(f) for f in flows],
    )


def parse_explorer_csv(lines: pl.DataFrame, header: str) -> Parsed:
    """The Data Explorer export: ``"TIME","GEO","CITIZEN",...,"Value","Flag and Footnotes"``.

    Labels instead of codes, thousands separators ("2,775"), ":" for not available.
    """
    names = _split_header(header)
    upper = [name.upper() for name in names]
    special = {EXPLORER_TIME, EXPLORER_VALUE, EXPLORER_FLAG}
    positions = {i: name for i, name in enumerate(upper) if name not in special}
    messages = [
        msg.replace("dimension", "column")
        for msg in _dimension_problems(list(positions.values()), EXPLORER_DIMENSIONS)
    ]
    messages.extend(
        f"column '{name}' appears twice"
        for name in sorted(special & set(upper))
        if upper.count(name) > 1
    )
    if messages:
        return Parsed(_empty_raw(), header_problems(messages), labels=True)
    dimensions = tuple(EXPLORER_DIMENSIONS[name] for name in positions.values())
    flag = upper.index(EXPLORER_FLAG) if EXPLORER_FLAG in upper else None

    rows, problems = _csv_rows(lines, len(names))
    cells = rows.select(
        pl.col(LINE),
        *(
            _field(i).str.strip_chars().alias(EXPLORER_DIMENSIONS[name].value)
            for i, name in positions.items()
        ),
        _field(upper.index(EXPLORER_TIME)).alias(PERIOD),
        _field(upper.index(EXPLORER_VALUE)).alias("cell"),
        (_flag(_field(flag)) if flag is not None else pl.lit(None, pl.String())).alias(FLAG),
    ).with_columns(pl.lit(0).alias(ORDER))
    parsed, value_problems = _parse_counts(
        cells, _LABEL_COUNT, [":"], "a count (thousands may be separated by ',') or ':'"
    )
    return Parsed(
        _finish_raw(parsed),
        pl.concat([*problems, value_problems]),
        labels=True,
        dimensions=dimensions,
    )

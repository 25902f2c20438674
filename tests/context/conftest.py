"""Fixtures of the EU context: the real Eurostat files, a database, the command line, and
small Eurostat tables written as SDMX TSV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

from retour.cli import main
from retour.exchange.eurostat import FRAME_SCHEMA
from retour.service.context import Retour
from retour.store import Database, open_database

REPO_ROOT = Path(__file__).resolve().parents[2]
EUROSTAT_DW = REPO_ROOT.parent / "shared" / "data" / "real" / "eurostat_dw"
ORDERED = "migr_eiord_Data_allcitizens.csv"
RETURNED = "migr_eirtn_Data_allcitizens.csv"
ORDERED_TOTALS = "migr_eiord_1_Data.csv"
RETURNED_TOTALS = "migr_eirtn_1_Data.csv"

#: migr_eiord as Eurostat's API writes it: by sex, ':' not available, flags after a blank.
ORDERED_TSV = (
    "freq,citizen,age,sex,unit,geo\\TIME_PERIOD\t2019 \t2020 \n"
    "A,MA,TOTAL,T,PER,NL\t1000 \t800 p\n"
    "A,MA,TOTAL,M,PER,NL\t900 \t700 p\n"
    "A,MA,TOTAL,T,PER,BE\t2000 \t: \n"
    "A,MA,TOTAL,T,PER,FR\t400 \t0 \n"
    "A,MA,TOTAL,T,PER,EU27_2020\t30000 \t25000 e\n"
    "A,DZ,TOTAL,T,PER,NL\t100 \t100 \n"
)

#: migr_eirtn: by destination (TOTAL and third countries), the rate may exceed 100%.
RETURNED_TSV = (
    "freq,c_dest,citizen,age,sex,unit,geo\\TIME_PERIOD\t2019 \t2020 \n"
    "A,TOTAL,MA,TOTAL,T,PER,NL\t250 d\t200 \n"
    "A,THRD,MA,TOTAL,T,PER,NL\t240 \t190 \n"
    "A,TOTAL,MA,TOTAL,T,PER,BE\t500 \t450 \n"
    "A,TOTAL,MA,TOTAL,T,PER,FR\t600 \t5 \n"
    "A,TOTAL,MA,TOTAL,T,PER,EU27_2020\t9000 \t8000 \n"
    "A,TOTAL,DZ,TOTAL,T,PER,NL\t30 \t: c\n"
)


@pytest.fixture(scope="session")
def eurostat_dw() -> Path:
    """The real Data Explorer exports, beside the repository in ../shared. Never skipped."""
    if not EUROSTAT_DW.is_dir():
        pytest.fail(f"the real Eurostat files are missing: {EUROSTAT_DW}")
    for name in (ORDERED, RETURNED, ORDERED_TOTALS, RETURNED_TOTALS):
        if not (EUROSTAT_DW / name).is_file():
            pytest.fail(f"the real Eurostat file is missing: {EUROSTAT_DW / name}")
    return EUROSTAT_DW


@pytest.fixture
def db_url(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database of the backend under test, also RETOUR_DB for the command line."""
    monkeypatch.setenv("RETOUR_DB", database_url)
    return database_url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.close()


@pytest.fixture
def app(db_url: str) -> Iterator[Retour]:
    with Retour.from_environment(db_url) as retour:
        yield retour


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `retour --lang en ARGS...` (errors in English; a command's own --lang after it
    still says what its output is in): (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--lang", "en", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def small_files(tmp_path: Path) -> tuple[Path, Path]:
    """The small migr_eiord and migr_eirtn above, named as Eurostat names them."""
    ordered = tmp_path / "estat_migr_eiord.tsv"
    returned = tmp_path / "estat_migr_eirtn.tsv"
    ordered.write_text(ORDERED_TSV, encoding="utf-8")
    returned.write_text(RETURNED_TSV, encoding="utf-8")
    return ordered, returned


def frame(rows: list[dict[str, object]], *, imported_at: dt.datetime | None = None) -> pl.DataFrame:
    """A Eurostat frame (the reader's columns) from partial rows; the rest null or defaults."""
    defaults: dict[str, object] = {"source_file": "test.tsv", "line": 2, "flag": None}
    full = [{**{c: None for c in FRAME_SCHEMA.names()}, **defaults, **r} for r in rows]
    result = pl.DataFrame(full, schema=FRAME_SCHEMA)
    if imported_at is not None:
        result = result.with_columns(
            pl.lit(imported_at).dt.replace_time_zone("UTC").alias("imported_at")
        )
    return result

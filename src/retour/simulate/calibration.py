"""The real figures the simulator is calibrated on, and the small table shipped with retour.

Two sources give the same numbers:

- the real public files in ``../shared/data/real`` beside the repository (DT&V's yearly
  intake and departures, transcribed; Eurostat's orders to leave per citizenship), read
  when they are present;
- ``retour/simulate/data/dtv_years.csv`` and ``nationality_mix.csv``, derived from those
  files by :func:`write_packaged` and shipped inside the package, so an installed retour
  simulates without them. A test re-derives them from the real files.

``python -m retour.simulate.calibration [REAL_DIR]`` rewrites the packaged tables.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from retour.exchange.eurostat import read_eurostat

#: Where the real files sit relative to the repository root (this file is src/retour/simulate/).
REAL_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "real"
DTV_DIR = "nl_dtv_cbs_transcribed"
DEPARTURES_FILE = "dtv_vertrek_per_jaar.csv"
INTAKE_FILE = "dtv_instroom_per_jaar.csv"
ORDERS_FILE = "eurostat_dw/migr_eiord_Data_allcitizens.csv"
YEARS_CSV = "dtv_years.csv"
MIX_CSV = "nationality_mix.csv"
FULL_YEAR = "jaar"
INTAKE_COLUMNS = ("IND", "NP", "KMar", "Overige")
MIX_TOP = 70  # the union of the 70 largest citizenships in NL and in the EU28 orders

YEARS_HEADER = """\
# DT&V yearly intake and departures (rounded to tens by DT&V), full years only.
# Derived by retour.simulate.calibration from ../shared/data/real/nl_dtv_cbs_transcribed/:
#   intake = IND + NP + KMar + Overige of dtv_instroom_per_jaar.csv (periode "jaar");
#   independent, forced, unsupervised = zelfstandig_vertrek, gedwongen_vertrek,
#   zelfstandig_zonder_toezicht of dtv_vertrek_per_jaar.csv (periode "jaar").
# Sources: dienstterugkeerenvertrek.nl (Mediatheek/Vertrekcijfers, over-dtv/cijfers).
# Empty = not published.
"""

MIX_HEADER = """\
# Orders to leave per citizenship, sum of 2012-2016 (Eurostat migr_eiord, persons).
# Derived by retour.simulate.calibration from
#   ../shared/data/real/eurostat_dw/migr_eiord_Data_allcitizens.csv (Data Explorer export):
#   nl_orders = geo Netherlands, eu_orders = geo EU28; citizenships with an ISO code only;
#   the union of the 70 largest in either. (c) Eurostat, reuse with acknowledgement.
"""


@dataclass(frozen=True, slots=True)
class YearFigures:
    """DT&V's published figures for one year; None where DT&V has not published one."""

    year: int
    intake: int | None
    independent: int | None
    forced: int | None
    unsupervised: int | None

    @property
    def has_departures(self) -> bool:
        return None not in (self.independent, self.forced, self.unsupervised)


@dataclass(frozen=True, slots=True)
class Calibration:
    years: tuple[YearFigures, ...]
    #: citizenship -> (orders to leave in NL, in the EU28), 2012-2016
    orders: dict[str, tuple[int, int]]
    source: str  # "real files at ..." or "packaged table"

    def year(self, year: int) -> YearFigures | None:
        return next((y for y in self.years if y.year == year), None)


# --- derive from the real files --------------------------------------------------------------


def _departures(real: Path) -> pl.DataFrame:
    frame = pl.read_csv(real / DTV_DIR / DEPARTURES_FILE, infer_schema_length=0)
    frame = frame.filter(pl.col("periode") == FULL_YEAR).select(
        pl.col("jaar").cast(pl.Int64).alias("year"),
        pl.col("zelfstandig_vertrek").cast(pl.Int64).alias("independent"),
        pl.col("gedwongen_vertrek").cast(pl.Int64).alias("forced"),
        pl.col("zelfstandig_zonder_toezicht").cast(pl.Int64).alias("unsupervised"),
    )
    unique = frame.unique(maintain_order=True)
    if unique.select("year").n_unique() != unique.height:
        raise ValueError(f"{DEPARTURES_FILE}: two different full-year figures for one year")
    return unique


def _intake(real: Path) -> pl.DataFrame:
    frame = pl.read_csv(real / DTV_DIR / INTAKE_FILE, infer_schema_length=0)
    frame = frame.filter(pl.col("periode") == FULL_YEAR).select(
        pl.col("jaar").cast(pl.Int64).alias("year"),
        pl.sum_horizontal(pl.col(c).cast(pl.Int64) for c in INTAKE_COLUMNS).alias("intake"),
    )
    if frame.select("year").n_unique() != frame.height:
        raise ValueError(f"{INTAKE_FILE}: two full-year figures for one year")
    return frame


def derive_years(real: Path) -> pl.DataFrame:
    joined = _intake(real).join(_departures(real), on="year", how="full", coalesce=True)
    return joined.select("year", "intake", "independent", "forced", "unsupervised").sort("year")


def derive_orders(real: Path) -> pl.DataFrame:
    frame = read_eurostat(real / ORDERS_FILE).frame
    frame = frame.filter(
        pl.col("geo").is_in(["NL", "EU28"]) & (pl.col("citizen").str.len_chars() == 2)
    )
    sums = frame.group_by("citizen", "geo").agg(pl.col("value").fill_null(0).sum())
    wide = sums.pivot(on="geo", index="citizen", values="value").fill_null(0)
    wide = wide.select(
        pl.col("citizen").alias("code"),
        pl.col("NL").alias("nl_orders"),
        pl.col("EU28").alias("eu_orders"),
    )
    top_nl = wide.sort(["nl_orders", "code"], descending=[True, False]).head(MIX_TOP)
    top_eu = wide.sort(["eu_orders", "code"], descending=[True, False]).head(MIX_TOP)
    chosen = pl.concat([top_nl["code"], top_eu["code"]]).unique()
    return wide.filter(pl.col("code").is_in(chosen.implode())).sort("code")


def derive(real: Path = REAL_DIR) -> Calibration:
    return _calibration(derive_years(real), derive_orders(real), f"real files at {real}")


# --- the packaged tables ---------------------------------------------------------------------


def _data_file(name: str) -> Path:
    return Path(str(resources.files("retour.simulate") / "data" / name))


def load_packaged() -> Calibration:
    years = pl.read_csv(_data_file(YEARS_CSV), comment_prefix="#")
    orders = pl.read_csv(_data_file(MIX_CSV), comment_prefix="#")
    return _calibration(years, orders, "packaged table")


def write_packaged(real: Path = REAL_DIR, target: Path | None = None) -> list[Path]:
    """Re-derive the shipped tables from the real files; returns the files written."""
    target = target or _data_file("")
    written = []
    for name, header, frame in (
        (YEARS_CSV, YEARS_HEADER, derive_years(real)),
        (MIX_CSV, MIX_HEADER, derive_orders(real)),
    ):
        path = target / name
        path.write_text(header + frame.write_csv(line_terminator="\n"), encoding="utf-8")
        written.append(path)
    return written


@cache
def load(real: Path = REAL_DIR) -> Calibration:
    """The real files when they are present beside the repository, else the packaged table."""
    return derive(real) if (real / ORDERS_FILE).is_file() else load_packaged()


def _opt(value: object) -> int | None:
    return None if value is None else int(str(value))


def _calibration(years: pl.DataFrame, orders: pl.DataFrame, source: str) -> Calibration:
    rows = tuple(
        YearFigures(
            year=int(r["year"]),
            intake=_opt(r["intake"]),
            independent=_opt(r["independent"]),
            forced=_opt(r["forced"]),
            unsupervised=_opt(r["unsupervised"]),
        )
        for r in years.sort("year").iter_rows(named=True)
    )
    mix = {
        str(r["code"]): (int(r["nl_orders"]), int(r["eu_orders"]))
        for r in orders.sort("code").iter_rows(named=True)
    }
    return Calibration(years=rows, orders=mix, source=source)


def same_figures(a: Calibration, b: Calibration) -> bool:
    return a.years == b.years and a.orders == b.orders


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    real_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REAL_DIR
    for written_path in write_packaged(real_dir):
        print(written_path)

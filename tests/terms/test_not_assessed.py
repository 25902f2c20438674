"""A country under a status (country_status.csv) is "not assessed" where an index would stand:
`retour assess` as a table (nl and en), CSV and JSON, under every profile; and the rule of
which period and kind a status covers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import polars as pl
import pytest

from retour.domain.codes import NOT_ASSESSED
from retour.service.terms import NOT_ASSESSED_COLUMNS, mark_not_assessed

from ..process import retour
from .fixture import V2, write


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("not_assessed")
    home = tmp / "home"
    home.mkdir()
    env = {"RETOUR_DB": str(home / "retour.sqlite"), "COLUMNS": "80"}
    done = retour(["import", str(write(tmp / "data", V2))], home, **env)
    assert done.returncode == 0, done.stderr
    return home, env


def _assess(imported: tuple[Path, dict[str, str]], *args: str) -> str:
    home, env = imported
    done = retour(["assess", "--period", "2024", *args], home, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("profile", ["internal", "parliament", "public"])
def test_csv_says_not_assessed_and_why(imported: tuple[Path, dict[str, str]], profile: str) -> None:
    rows = list(
        csv.DictReader(io.StringIO(_assess(imported, "--format", "csv", "--profile", profile)))
    )
    by_country = {r["country"]: r for r in rows}
    syria = by_country["SY"]
    assert syria["status"] == NOT_ASSESSED
    assert syria["index"] == syria["lower"] == syria["upper"] == ""
    assert syria["not_assessed"] == "forced_return_suspended"
    assert syria["not_assessed_since"] == "2012-01-01"
    others = [r for c, r in by_country.items() if c != "SY"]
    assert others and all(r["status"] != NOT_ASSESSED and r["not_assessed"] == "" for r in others)


def test_json_carries_the_status(imported: tuple[Path, dict[str, str]]) -> None:
    doc = json.loads(_assess(imported, "--format", "json", "--profile", "public"))
    syria = next(r for r in doc["rows"] if r["country"] == "SY")
    assert syria["index"] is None and syria["status"] == NOT_ASSESSED
    assert (syria["not_assessed"], syria["not_assessed_since"]) == (
        "forced_return_suspended",
        "2012-01-01",
    )


@pytest.mark.parametrize(
    ("lang", "said", "other"),
    [
        ("en", "not assessed: forced return suspended since 2012-01-01", "niet beoordeeld"),
        ("nl", "niet beoordeeld: gedwongen terugkeer opgeschort sinds 2012-01-01", "not assessed"),
    ],
)
def test_the_table_says_it_in_words(
    imported: tuple[Path, dict[str, str]], lang: str, said: str, other: str
) -> None:
    text = _assess(imported, "--lang", lang, "--profile", "internal")
    syria = next(line for line in text.splitlines() if ("Syria" in line or "Syrië" in line))
    assert said in syria
    assert "too little data" not in syria and "te weinig gegevens" not in syria
    assert other not in text and "forced_return_suspended" not in text


def _index(kind: str, periods: list[str]) -> pl.DataFrame:
    n = len(periods)
    return pl.DataFrame(
        {
            "country": ["SO"] * n,
            "period": periods,
            "kind": [kind] * n,
            "index": [50.0] * n,
            "lower": [40.0] * n,
            "upper": [60.0] * n,
            "status": ["ok"] * n,
            "trend": ["up"] * n,
            "change": [1.0] * n,
        }
    )


STATUSES = pl.DataFrame(
    {
        "country": ["SO"],
        "status": ["no_document_process"],
        "request_kind": ["LP"],
        "start_on": [dt.date(2020, 2, 15)],
        "end_on": [dt.date(2020, 7, 1)],
    }
)
QUARTERS = ["2019Q4", "2020Q1", "2020Q2", "2020Q3", "2020Q4", "2021Q1"]


@pytest.mark.parametrize(
    ("kind", "marked"),
    [
        # the status holds from mid-Q1 to the first day of Q3: those three quarters
        ("LP", [False, True, True, True, False, False]),
        ("all", [False, True, True, True, False, False]),  # an index of all kinds too
        ("TO", [False] * 6),  # a status of LP says nothing of TO
    ],
)
def test_a_status_covers_the_periods_and_kinds_it_holds_in(kind: str, marked: list[bool]) -> None:
    out = mark_not_assessed(_index(kind, QUARTERS), STATUSES)
    assert out["period"].to_list() == QUARTERS
    assert (out["status"] == NOT_ASSESSED).to_list() == marked
    assert out["index"].is_null().to_list() == marked
    assert out["lower"].is_null().to_list() == marked
    assert out[NOT_ASSESSED_COLUMNS[0]].is_not_null().to_list() == marked
    if any(marked):
        assert set(out[NOT_ASSESSED_COLUMNS[1]].drop_nulls().to_list()) == {dt.date(2020, 2, 15)}
        # the quarter after the last not-assessed one has nothing to compare with
        after = marked.index(True) + sum(marked)
        assert out["trend"][after] is None and out["change"][after] is None
        assert out["trend"][0] == "up"
    else:
        assert out["trend"].to_list() == ["up"] * 6


def test_an_open_status_from_before_the_data_covers_every_period() -> None:
    open_ended = STATUSES.with_columns(
        pl.lit(dt.date(2012, 1, 1)).alias("start_on"),
        pl.lit(None, pl.Date).alias("end_on"),
        pl.lit(None, pl.String).alias("request_kind"),
    )
    out = mark_not_assessed(_index("TO", ["2022", "2023"]), open_ended)
    assert out["status"].to_list() == [NOT_ASSESSED] * 2


# -- a confidential country under a status, under a profile that pools it ---------------------
# The confidential countries are one "other countries" group before anything is fitted or
# counted, so a member's status is neither named nor applied: no line may say "not assessed:
# forced return suspended" of the pool or name the country, in any language.

POOLED = ("--profile", "parliament", "--confidential", "SY")
SYRIA_WORDS = ("SY", "Syria", "Syrië", "forced return", "gedwongen terugkeer")


@pytest.mark.parametrize(("lang", "other"), [("en", "other countries"), ("nl", "overige landen")])
def test_a_pooled_country_under_a_status_is_not_named_by_the_index(
    imported: tuple[Path, dict[str, str]], lang: str, other: str
) -> None:
    text = _assess(imported, "--lang", lang, *POOLED)
    assert other in text
    assert not [w for w in (*SYRIA_WORDS, "not assessed", "niet beoordeeld") if w in text]
    rows = list(csv.DictReader(io.StringIO(_assess(imported, "--format", "csv", *POOLED))))
    assert "SY" not in {r["country"] for r in rows}
    assert all(r["status"] != NOT_ASSESSED and r["not_assessed"] == "" for r in rows)


@pytest.mark.parametrize(("lang", "other"), [("en", "other countries"), ("nl", "overige landen")])
def test_a_pooled_country_under_a_status_is_counted_in_the_pool_by_overdue(
    imported: tuple[Path, dict[str, str]], lang: str, other: str
) -> None:
    home, env = imported
    done = retour(["overdue", "--lang", lang, *POOLED], home, **env)
    assert done.returncode == 0, done.stderr
    # SY's pending TO request (R5) is the pool's: counted, its status not named
    pool = [line for line in done.stdout.splitlines() if line.strip().startswith(other)]
    assert pool and any(" TO " in line for line in pool)
    assert not [w for w in SYRIA_WORDS if w in done.stdout]
    assert ("SO (LP)" in done.stdout) and ("no document process" in done.stdout) == (lang == "en")
    doc = json.loads(retour(["overdue", "--format", "json", *POOLED], home, **env).stdout)
    assert "SY" not in json.dumps(doc)
    internal = retour(["overdue", "--lang", lang, "--profile", "internal"], home, **env)
    assert "SY (LP" in internal.stdout  # unpooled, the status is named and applied

"""The register of releases, from the command line as a user runs it (a subprocess, COLUMNS=80,
piped): what is registered and what not, the list, a release's cells, a release written again
byte for byte after later imports changed the data, and two releases compared with causes.
Runs on SQLite and, with RETOUR_TEST_DATABASE, on PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from retour.config import load_settings
from retour.domain.codes import Table
from retour.domain.dataset import Dataset, DatasetMeta
from retour.exchange import write_dataset
from retour.reports.press import dims_text, part_text
from retour.service import audit, datasets
from retour.service.context import Retour
from retour.store import releases as store

from ..figures import data

LIST_COLUMNS = "release_id,made_on,what,profile,fingerprint,extracted_on,by"


def _retour(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-m", "retour", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def _ok(*args: str) -> str:
    done = _retour(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _import(url: str, dataset: Dataset, folder: Path) -> None:
    write_dataset(dataset, folder)
    with Retour(settings=load_settings(), db_override=url) as app:
        datasets.import_dataset(app, folder, today=dt.date(2024, 6, 1))


def _later(dataset: Dataset, answered: int, new: int) -> Dataset:
    """A later extract: ``answered`` pending requests answered positively, ``new`` requests
    added (pending), extracted a month later."""
    requests = dataset[Table.REQUESTS]
    pending = requests.filter(pl.col("outcome") == "pending").head(answered)["request_id"]
    done = pl.col("request_id").is_in(pending.implode())
    changed = requests.with_columns(
        pl.when(done).then(pl.lit("positive")).otherwise(pl.col("outcome")).alias("outcome"),
        pl.when(done)
        .then(pl.lit(dt.date(2024, 3, 20)))
        .otherwise(pl.col("outcome_on"))
        .alias("outcome_on"),
    )
    extra = requests.filter(pl.col("outcome") == "pending").head(new)
    extra = extra.with_columns(
        (pl.lit("RN") + pl.int_range(pl.len()).cast(pl.String)).alias("request_id")
    )
    tables = {**dataset.tables, Table.REQUESTS: pl.concat([changed, extra])}
    meta = DatasetMeta(source=dataset.meta.source, extracted_on=dt.date(2024, 4, 1))
    return Dataset(tables=tables, meta=meta)


@pytest.fixture
def first(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dataset:
    """A small simulated database as RETOUR_DB."""
    dataset = data.make(400, seed=5, simulated=True)
    _import(database_url, dataset, tmp_path / "first")
    monkeypatch.setenv("RETOUR_DB", database_url)
    return dataset


def store_row(shown: str) -> str:
    """The first cell row of `releases show`'s table."""
    return next(line for line in shown.splitlines() if "year=" in line).rstrip()


def _register() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_ok("releases", "list", "--format", "csv"))))


def test_public_and_parliament_outputs_are_registered_internal_ones_only_audited(
    first: Dataset, database_url: str, tmp_path: Path
) -> None:
    press = tmp_path / "press.xlsx"
    _ok("report", "press", "--out", str(press), "--lang", "en")
    figures = _ok("figures", "requests", "--by", "year,outcome", "--format", "csv")
    _ok("figures", "requests", "--profile", "parliament", "--format", "json")
    _ok("figures", "requests", "--profile", "internal", "--format", "csv")

    listed = _register()
    assert [r["what"] for r in listed] == ["requests", "requests", "press"]  # newest first
    assert [r["profile"] for r in listed] == ["parliament", "public", "public"]
    header = _ok("releases", "list", "--format", "csv").splitlines()[0]
    assert header.startswith(LIST_COLUMNS)
    assert all(r["fingerprint"] and r["extracted_on"] == "2024-03-01" for r in listed)
    assert {r["by"] for r in listed} == {audit.command_line_actor()}
    # beyond the limit: the newest only, and a note on stderr that there are more
    newest = _retour("releases", "list", "--limit", "2", "--format", "csv", "--lang", "en")
    assert newest.returncode == 0
    assert [r["release_id"] for r in csv.DictReader(io.StringIO(newest.stdout))] == [
        r["release_id"] for r in listed[:2]
    ]
    assert "Only the newest 2 releases are listed; there are more" in newest.stderr
    assert (
        "there are more" not in _retour("releases", "list", "--limit", "3", "--lang", "en").stderr
    )
    wrong = _retour("releases", "list", "--limit", "0", "--lang", "en")
    assert wrong.returncode == 2 and "--limit" in wrong.stderr and "Traceback" not in wrong.stderr
    with Retour(settings=load_settings(), db_override=database_url) as app:
        exports = [e for e in audit.read_log(app) if e.action.startswith("export_")]
        rows = store.listed(app.database())
        cells = store.cells(app.database(), rows[1].id)
    # four exports audited, the internal one not registered; each release names its entry
    assert len(exports) == 4
    assert {r.audit_id for r in rows} == {e.id for e in exports if e.profile != "internal"}
    assert rows[2].sha256 == hashlib.sha256(press.read_bytes()).hexdigest()
    # the CSV's cells are the release's cells, as shown
    shown = list(csv.DictReader(io.StringIO(figures)))
    assert len(shown) == cells.height
    assert sorted(r["n"] for r in shown) == sorted(cells["shown"].to_list())
    assert set(cells["status"]) <= {
        "exact",
        "rounded",
        "suppressed_primary",
        "suppressed_secondary",
    }


def test_reproduce_is_byte_identical_after_later_imports_changed_the_data(
    first: Dataset, database_url: str, tmp_path: Path
) -> None:
    press = tmp_path / "press.xlsx"
    _ok("report", "press", "--out", str(press))
    as_csv = _ok("figures", "requests", "--by", "year,outcome", "--format", "csv")
    as_json = _ok("figures", "requests", "--by", "year,outcome", "--format", "json")
    _import(database_url, _later(first, answered=40, new=30), tmp_path / "later")
    again = tmp_path / "again.xlsx"
    _ok("report", "press", "--out", str(again))
    assert again.read_bytes() != press.read_bytes()  # the data did change

    ids = {r["what"] + r["release_id"]: r["release_id"] for r in _register()}
    press_id, csv_id, json_id = sorted(ids.values(), key=int)[:3]
    for release, expected in ((press_id, press.read_bytes()), (csv_id, as_csv.encode()),
                              (json_id, as_json.encode())):  # fmt: skip
        out = tmp_path / f"r{release}"
        said = _ok("releases", "reproduce", release, "--out", str(out), "--lang", "en")
        assert out.read_bytes() == expected
        assert said.startswith(f"Wrote release {release} ")
    with Retour(settings=load_settings(), db_override=database_url) as app:
        again = [e for e in audit.read_log(app) if e.action == "reproduce_release"]
    assert sorted(e.subject or "" for e in again) == sorted([press_id, csv_id, json_id])


def test_diff_gives_each_changed_cell_its_cause(
    first: Dataset, database_url: str, tmp_path: Path
) -> None:
    by = ("--by", "year,outcome", "--format", "csv")
    _ok("figures", "requests", *by)
    _import(database_url, _later(first, answered=30, new=0), tmp_path / "answered")
    _ok("figures", "requests", *by)
    _import(database_url, _later(first, answered=30, new=25), tmp_path / "added")
    _ok("figures", "requests", *by)

    answered = json.loads(_ok("releases", "diff", "1", "2", "--format", "json", "--lang", "en"))
    causes = {c["dims"]: c["cause"] for c in answered["changes"]}
    assert causes, "answers recorded since change the figures"
    assert set(causes.values()) <= {"answers_recorded", "suppression"}
    assert answered["after"]["extracted_on"] == "2024-04-01"
    assert answered["imports_between"][0]["counts"]["requests"]["replaced"] == 30

    added = json.loads(_ok("releases", "diff", "2", "3", "--format", "json"))
    totals = {c["dims"]: c["cause"] for c in added["changes"] if c["dims"].endswith("=total")}
    assert totals and set(totals.values()) <= {"new_requests", "suppression"}

    table = _ok("releases", "diff", "1", "2", "--lang", "nl")
    assert "sindsdien antwoorden vastgelegd" in table
    assert "answers recorded since" in _ok("releases", "diff", "1", "2", "--lang", "en")


@pytest.mark.parametrize(
    ("args", "nl", "en"),
    [
        (("show", "99"), "Er is geen publicatie 99.", "There is no release 99."),
        (("show", "abc"), "'abc' is geen publicatienummer.", "'abc' is not a release id."),
        (("reproduce", "7", "--out", "x.xlsx"), "Er is geen publicatie 7.", "no release 7."),
        (("diff", "1", "98"), "Er is geen publicatie", "There is no release"),
        (("show", "9" * 25), "is geen publicatienummer", "is not a release id"),
        (("show", "1_0"), "'1_0' is geen publicatienummer.", "'1_0' is not a release id."),
    ],
    ids=["unknown", "not-a-number", "reproduce-unknown", "diff-unknown", "too-large", "underscore"],
)
def test_a_bad_id_is_one_clear_line_with_exit_2(
    first: Dataset, tmp_path: Path, args: tuple[str, ...], nl: str, en: str
) -> None:
    _ok("figures", "requests", "--format", "csv")  # release 1 exists
    for lang, expected in (("nl", nl), ("en", en)):
        done = _retour("releases", *args, "--lang", lang)
        assert done.returncode == 2
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], done.stderr
        assert "Traceback" not in done.stderr


def test_list_filters_by_what_and_since_and_says_an_empty_register(first: Dataset) -> None:
    assert "Nog geen publicaties." in _ok("releases", "list")
    assert "No releases yet." in _ok("releases", "list", "--lang", "en")
    _ok("figures", "requests", "--format", "csv")
    _ok("figures", "departures", "--format", "csv")
    assert [r["what"] for r in _register()] == ["departures", "requests"]
    only = _ok("releases", "list", "--what", "requests", "--format", "csv")
    assert [r["what"] for r in csv.DictReader(io.StringIO(only))] == ["requests"]
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    later = _ok("releases", "list", "--since", tomorrow, "--format", "json")
    assert json.loads(later) == {"releases": []}
    bad = _retour("releases", "list", "--since", "gisteren", "--lang", "en")
    assert bad.returncode == 2 and "--since" in bad.stderr
    shown = _ok("releases", "show", "1", "--lang", "en")
    assert shown.startswith("Release 1: requests (csv)")
    assert "…" not in shown  # piped: nothing is cut, whatever COLUMNS says
    row = store_row(shown)
    assert row.endswith(" exact") or row.endswith(" rounded") or "<5" in row or " x " in row


def test_press_since_release_sets_the_figures_beside_the_earlier_ones(
    first: Dataset, database_url: str, tmp_path: Path
) -> None:
    import openpyxl

    _ok("report", "press", "--out", str(tmp_path / "march.xlsx"))
    _import(database_url, _later(first, answered=30, new=25), tmp_path / "later")
    out = tmp_path / "june.xlsx"
    for lang, sheet, same, answers in (("en", "Since release 1", "unchanged", "Totals · LP"),
                                       ("nl", "Sinds publicatie 1", "ongewijzigd",
                                        "Totalen · LP")):  # fmt: skip
        _ok("report", "press", "--out", str(out), "--since-release", "1", "--lang", lang)
        book = openpyxl.load_workbook(out, read_only=True)
        assert book.sheetnames[-1] == sheet and len(book.sheetnames) == 6
        rows = list(book[sheet].iter_rows(min_row=4, values_only=True))
        with Retour(settings=load_settings(), db_override=database_url) as app:
            earlier = store.cells(app.database(), 1)
        assert len(rows) >= earlier.height  # every earlier cell, beside the new one
        by_cell = {(r[0], r[1]): r for r in rows}
        for cell in earlier.head(40).iter_rows(named=True):
            place = (part_text(cell["part"], lang), dims_text(cell["dims"], lang))
            assert by_cell[place][2] == cell["shown"]
        # the cells named in words, never by the register's keys
        assert not any("=" in r[1] or "countries." in r[0] for r in rows)
        assert any(r[0] == answers and ", " in r[1] for r in rows)
        changed = [r for r in rows if r[4] != same]
        assert changed and all((r[2] or "") != (r[3] or "") for r in changed)
    wrong = _retour("report", "press", "--out", str(out), "--since-release", "99")
    assert wrong.returncode == 2 and "99" in wrong.stderr

"""Import and export through the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retour.config import load_settings
from retour.domain.codes import VERSION_2_TABLES, Table
from retour.domain.dataset import Dataset
from retour.domain.errors import InputError, RetourError
from retour.exchange import InvalidDatasetError, write_dataset
from retour.service import audit, datasets
from retour.service.context import Retour
from retour.service.publication import provenance

from ..exchange.conftest import VALID, Files, replace_line, write_folder
from ..exchange.test_properties import corrupt
from ..exchange.test_pseudonyms import V_NUMBERS, with_v_numbers
from ..strategies.datasets import datasets as generated_datasets
from .conftest import files_of

TODAY = dt.date(2024, 6, 1)


def imported(app: Retour, folder: Path) -> datasets.ImportReport:
    return datasets.import_dataset(app, folder, today=TODAY)


def snapshot(app: Retour, tmp_path: Path, name: str) -> dict[str, bytes]:
    out = tmp_path / name
    datasets.export_dataset(app, out)
    return files_of(out)


def test_import_counts_and_info(app: Retour, tmp_path: Path) -> None:
    report = imported(app, write_folder(tmp_path / "d", VALID))
    assert report.result.tables[Table.REQUESTS].inserted == 4
    assert report.result.tables[Table.CASES].inserted == 3
    about = datasets.database_info(app).as_json()
    assert about["counts"] == {
        "cases": 3, "requests": 4, "detentions": 2, "departures": 1,
        "conditions": 4, "instruments": 2, "assessments": 1, "terms": 0, "country_status": 0,
    }  # fmt: skip
    assert about["simulated"] is False
    assert about["extracted_on"] == "2024-02-01"
    assert about["outside_statistics"] == 0


def test_importing_again_changes_nothing(app: Retour, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "d", VALID)
    imported(app, folder)
    before = snapshot(app, tmp_path, "before")
    again = imported(app, folder)
    assert all(c.inserted == c.replaced == 0 for c in again.result.tables.values())
    assert again.result.tables[Table.REQUESTS].unchanged == 4
    assert snapshot(app, tmp_path, "after") == before


def test_a_newer_extract_replaces_an_older_one_is_kept(app: Retour, tmp_path: Path) -> None:
    imported(app, write_folder(tmp_path / "d", VALID))
    newer = replace_line(
        VALID, "requests.csv", 5, "R4,C3,TO,SO,2021-07-01,indirect,yes,positive,2024-02-20,,"
    )
    newer["dataset.json"] = json.dumps({"format": "retour/1", "extracted_on": "2024-03-01"})
    report = imported(app, write_folder(tmp_path / "newer", newer))
    assert report.result.tables[Table.REQUESTS].replaced == 1
    assert report.result.tables[Table.REQUESTS].unchanged == 3
    older = replace_line(
        VALID, "requests.csv", 5, "R4,C3,TO,SO,2021-07-01,indirect,yes,negative,2021-09-01,other,"
    )
    older["dataset.json"] = json.dumps({"format": "retour/1", "extracted_on": "2023-12-01"})
    del older["instruments.csv"]  # it holds an instrument of 2024
    report = imported(app, write_folder(tmp_path / "older", older))
    assert report.result.tables[Table.REQUESTS].kept_newer == 1
    exported = snapshot(app, tmp_path, "out")["requests.csv"].decode()
    assert "R4,C3,TO,SO,2021-07-01,indirect,yes,positive,2024-02-20,," in exported


def test_the_fingerprint_follows_the_data_not_the_set_of_files(app: Retour, tmp_path: Path) -> None:
    """A, then B (same extraction date, one answer changed), then A again: the data are A's
    again but not as after A alone -- and not as after A and B."""
    a = write_folder(tmp_path / "a", VALID)
    changed = replace_line(
        VALID, "requests.csv", 5, "R4,C3,TO,SO,2021-07-01,indirect,yes,positive,2023-12-20,,"
    )
    b = write_folder(tmp_path / "b", changed)
    prints = []
    for folder in (a, a, b, a):
        imported(app, folder)
        prints.append(provenance(app.database()).fingerprint)
    assert prints[0] == prints[1]  # importing the same data again changes nothing
    assert len({prints[0], prints[2], prints[3]}) == 3


def test_a_refused_import_leaves_the_database_unchanged(app: Retour, tmp_path: Path) -> None:
    imported(app, write_folder(tmp_path / "d", VALID))
    before = snapshot(app, tmp_path, "before")
    bad = replace_line(VALID, "requests.csv", 5, "R4,C3,TO,SO,2021-07-01,indirect,yes,positive,,,")
    bad = replace_line(bad, "cases.csv", 2, "C1,MA,2020-01-05,M,1990,2020-02-01,departed")
    with pytest.raises(InvalidDatasetError):
        imported(app, write_folder(tmp_path / "bad", bad))
    assert snapshot(app, tmp_path, "after") == before


def test_validation_sees_cases_already_stored(app: Retour, tmp_path: Path) -> None:
    imported(app, write_folder(tmp_path / "d", VALID))
    later: Files = {
        "cases.csv": "case_id,nationality,opened_on\nC9,MA,2023-01-01\n",
        "departures.csv": "departure_id,case_id,departed_on,type\nP7,C1,2019-01-01,forced\n",
        "detentions.csv": (
            "detention_id,case_id,started_on,ended_on,end_reason\nD9,C1,2021-01-01,,\n"
        ),
    }
    with pytest.raises(InvalidDatasetError) as caught:
        imported(app, write_folder(tmp_path / "later", later))
    found = {(v.file, v.column, v.reason.value) for v in caught.value.violations}
    assert found == {
        ("departures.csv", "departed_on", "date_order"),  # C1 was opened 2020-01-05
        ("detentions.csv", "started_on", "overlap"),  # D2 of C1 is still open
    }


def test_export_import_export_is_byte_identical(app: Retour, tmp_path: Path) -> None:
    imported(app, write_folder(tmp_path / "d", VALID))
    first = snapshot(app, tmp_path, "first")
    fresh = Retour(settings=load_settings(db=str(tmp_path / "second.sqlite")))
    with fresh:
        datasets.import_dataset(fresh, tmp_path / "first", today=TODAY)
        second = snapshot(fresh, tmp_path, "second")
    assert first == second
    assert json.loads(first["dataset.json"]) == {
        "format": "retour/1", "source": "test fixture", "extracted_on": "2024-02-01",
    }  # fmt: skip


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(dataset=generated_datasets())
def test_generated_datasets_round_trip_through_the_store(
    dataset: Dataset,
    tmp_path_factory: pytest.TempPathFactory,
    fresh_database: Callable[[], str],
) -> None:
    """Source -> database under test -> out1 -> a second database -> out2: all equal."""
    work = tmp_path_factory.mktemp("rt")
    write_dataset(dataset, work / "source")
    for n in (1, 2):
        url = fresh_database() if n == 1 else f"sqlite:///{work / 'second.sqlite'}"
        with Retour(settings=load_settings(db=url)) as app:
            datasets.import_dataset(app, work / ("source" if n == 1 else "out1"), today=TODAY)
            datasets.export_dataset(app, work / f"out{n}")
    assert files_of(work / "out1") == files_of(work / "out2") == files_of(work / "source")


def test_the_clear_alien_number_is_nowhere_in_the_database(
    app: Retour, tmp_path: Path, on_postgres: bool
) -> None:
    imported(app, write_folder(tmp_path / "v", with_v_numbers(VALID)))
    exported = b"".join(snapshot(app, tmp_path, "out").values())
    for number in V_NUMBERS.values():
        assert number.encode() not in exported
    if not on_postgres:
        raw = b"".join(
            p.read_bytes()
            for p in Path(app.database_url.removeprefix("sqlite:///")).parent.glob("*.sqlite*")
        )
        assert raw, "the database file was found"
        for number in V_NUMBERS.values():
            assert number.encode() not in raw


def test_simulated_and_real_data_never_mix(app: Retour, tmp_path: Path) -> None:
    simulated = {
        **VALID,
        "dataset.json": json.dumps({"source": "simulated", "extracted_on": "2024-02-01"}),
    }
    imported(app, write_folder(tmp_path / "sim", simulated))
    assert datasets.database_info(app).simulated is True
    with pytest.raises(InputError, match="holds simulated data"):
        imported(app, write_folder(tmp_path / "real", VALID))
    exported = snapshot(app, tmp_path, "out")
    assert json.loads(exported["dataset.json"])["source"] == "simulated"


def test_export_refuses_a_non_empty_folder(app: Retour, tmp_path: Path) -> None:
    imported(app, write_folder(tmp_path / "d", VALID))
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x.txt").write_text("keep me")
    with pytest.raises(Exception, match="not empty"):
        datasets.export_dataset(app, tmp_path / "busy")
    datasets.export_dataset(app, tmp_path / "busy", force=True)
    assert (tmp_path / "busy" / "x.txt").read_text() == "keep me"


def test_the_secret_may_come_from_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('secret = "from-the-settings-file-0123"\n', encoding="utf-8")
    monkeypatch.setenv("RETOUR_SETTINGS", str(settings_file))
    monkeypatch.delenv("RETOUR_SECRET", raising=False)
    with Retour(settings=load_settings(db=database_url)) as app:
        report = imported(app, write_folder(tmp_path / "v", with_v_numbers(VALID)))
    assert report.result.tables[Table.CASES].inserted == 3


CORRUPT = ["flip", "insert", "delete", "quote", "type", "truncate"]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=st.sampled_from([t for t in Table if t not in VERSION_2_TABLES]),  # VALID: retour/1
    how=st.sampled_from(CORRUPT),
    at=st.integers(0, 5_000),
    junk=st.binary(min_size=1, max_size=6),
)
def test_a_corrupted_import_never_writes(
    app: Retour,
    tmp_path_factory: pytest.TempPathFactory,
    table: Table,
    how: str,
    at: int,
    junk: bytes,
) -> None:
    """The stored data are unchanged by any corrupted import that is refused."""
    work = tmp_path_factory.mktemp("corrupt")
    if datasets.database_info(app).counts[Table.CASES] == 0:
        imported(app, write_folder(work / "first", VALID))
    before = snapshot(app, work, "before")
    changed = {
        **VALID,
        "cases.csv": VALID["cases.csv"].replace("C3,SO,2021-06-15", "C3,SO,2021-06-16"),
    }
    folder = write_folder(work / "bad", changed)
    path = folder / f"{table.value}.csv"
    path.write_bytes(corrupt(path.read_bytes(), how, at, junk))
    try:
        imported(app, folder)
    except RetourError:
        assert snapshot(app, work, "after") == before


def test_an_export_is_audited_by_the_service(app: Retour, tmp_path: Path) -> None:
    """The service records the export itself: the operating-system user on the command line,
    the given actor (a web user) otherwise; the rows and files it wrote, no file name."""
    imported(app, write_folder(tmp_path / "d", VALID))
    written = datasets.export_dataset(app, tmp_path / "out")
    web = audit.Actor("analyst1", audit.Via.WEB, role="analyst")
    datasets.export_dataset(app, tmp_path / "again", actor=web)
    entries = [e for e in audit.read_log(app) if e.action == "export_dataset"]
    assert [(e.actor, e.via, e.role) for e in entries] == [
        ("analyst1", "web", "analyst"),
        (audit.command_line_actor(), "cli", None),
    ]
    rows = sum(
        len(text.strip().splitlines()) - 1 for name, text in VALID.items() if name.endswith(".csv")
    )
    assert entries[1].detail == {"files": len(written), "rows": rows}
    assert str(tmp_path) not in json.dumps([e.detail for e in entries])

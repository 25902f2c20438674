"""`retour simulate`: options, the summary, and one-line errors with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retour.cli import main
from retour.domain.errors import UsageError
from retour.service.simulation import parse_years, simulate

SMALL = ("--scale", "0.05", "--years", "2022-2023")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", "simulate", *args])  # errors in English
    out, err = capsys.readouterr()
    return code, out, err


def test_writes_dataset_truth_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--out", str(tmp_path / "d"), "--seed", "3", *SMALL)
    assert code == 0, err
    assert "cases" in out and "conditions" in out and "truth.json" in out
    assert err == ""  # quiet when not on a terminal: no progress bar
    meta = json.loads((tmp_path / "d" / "dataset.json").read_text())
    assert meta["source"] == "simulated" and meta["extracted_on"] == "2024-01-01"
    truth = json.loads((tmp_path / "d" / "truth.json").read_text())
    assert truth["seed"] == 3 and truth["years"] == [2022, 2023]


def test_extraction_date_and_single_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d"
    code, _, err = run(
        capsys, "--out", str(out), "--years", "2023", "--extracted-on", "2023-10-31",
        "--scale", "0.05", "--scenario", "eu", "--placebos", "0", "--confound",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads((out / "dataset.json").read_text())["extracted_on"] == "2023-10-31"
    truth = json.loads((out / "truth.json").read_text())
    assert truth["scenario"] == "eu" and truth["options"]["confound"]
    assert not any(i["placebo"] for i in truth["instruments"].values())


def test_an_existing_dataset_is_kept_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d"
    assert run(capsys, "--out", str(out), *SMALL)[0] == 0
    before = (out / "cases.csv").read_bytes()
    code, _, err = run(capsys, "--out", str(out), "--seed", "9", *SMALL)
    assert code == 2
    assert "already holds a dataset" in err and "--force" in err
    assert (out / "cases.csv").read_bytes() == before
    assert run(capsys, "--out", str(out), "--seed", "9", "--force", *SMALL)[0] == 0
    assert (out / "cases.csv").read_bytes() != before


def test_a_folder_with_other_files_is_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert run(capsys, "--out", str(tmp_path), *SMALL)[0] == 0
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--years", "2023-2019"), "runs backwards"),
        (("--years", "2019/2023"), "not a year range"),
        (("--years", "1850-1851"), "outside"),
        (("--years", "2010-2045"), "too long"),
        (("--scenario", "de"), "unknown scenario 'de'"),
        (("--extracted-on", "2024-02-30"), "not a date"),
        (("--extracted-on", "2021-05-01"), "extraction date"),
        (("--seed", "-1"), "seed -1"),
        (("--scale", "0"), "scale"),
        (("--placebos", "99"), "placebo"),
    ],
    ids=[
        "backwards",
        "format",
        "too-early",
        "too-long",
        "scenario",
        "bad-date",
        "early-cut",
        "seed",
        "scale",
        "placebos",
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, "--out", str(tmp_path / "d"), "--years", "2022-2023", *args)
    assert code == 2
    assert message in err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert not (tmp_path / "d").exists()


def test_unwritable_out_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "--out", str(blocker), *SMALL)
    assert code == 2 and "is a file" in err
    code, _, err = run(capsys, "--out", str(blocker / "below"), *SMALL)
    assert code == 2 and "cannot be created" in err


def test_service_parses_years_and_reports_progress(tmp_path: Path) -> None:
    assert parse_years("2019-2023") == (2019, 2023)
    assert parse_years(" 2023 ") == (2023, 2023)
    with pytest.raises(UsageError):
        parse_years("twenty")
    stages: list[tuple[str, float]] = []
    summary = simulate(
        "nl", (2023, 2023), 1, tmp_path / "d", scale=0.02,
        progress=lambda stage, done: stages.append((stage, done)),
    )  # fmt: skip
    assert summary.path == tmp_path / "d" and summary.scenario == "nl"
    assert [done for _, done in stages] == sorted(done for _, done in stages)
    assert stages[-1] == ("done", 1.0)
    assert {p.name for p in summary.files} >= {"cases.csv", "dataset.json", "truth.json"}

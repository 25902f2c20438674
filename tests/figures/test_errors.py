"""Wrong questions get one clear line and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Loaded, run


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["figures", "requests", "--confidential", "MA,XX"], "Unknown country code(s)"),
        (["figures", "requests", "--years", "2009-2011"], "outside the data"),
        (["figures", "requests", "--years", "2023-2031"], "cover 2017-2024"),
        (["figures", "requests", "--years", "twenty"], "Cannot read the years"),
        (["figures", "requests", "--years", "2023-2019"], "run backwards"),
        (["figures", "requests", "--kind", "XY"], "Unknown kind of request 'XY'"),
        (["figures", "requests", "--by", "kind,colour"], "'colour'"),
        (["figures", "requests", "--by", "year,year"], "names a column twice"),
        (["figures", "requests", "--cohort", "decided"], "Unknown cohort"),
        (["figures", "requests", "--outcome", "negative,refused"], "Unknown answer 'refused'"),
        (["figures", "requests", "--profile", "press"], "Unknown publication profile"),
        (["figures", "requests", "--lang", "fr"], "Unknown language"),
        (["figures", "detentions", "--by", "kind"], "Cannot break detentions down"),
        (["figures", "departures", "--by", "outcome"], "Cannot break departures down"),
        (["report", "press", "--out", "{tmp}/x.csv"], "must be an .xlsx"),
        (["report", "press", "--out", "{tmp}/p.xlsx", "--years", "1999"], "outside the data"),
        (["report", "press", "--out", "{tmp}/p.xlsx", "--confidential", "ZZ"], "'ZZ'"),
    ],
)
def test_usage_errors_exit_2(
    on_loaded: Loaded,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    expected: str,
) -> None:
    code, out, err = run(capsys, *(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert code == 2, err
    assert expected in err
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "p.xlsx").exists()


def test_an_empty_database_says_import_first(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETOUR_DB", database_url)
    code, _, err = run(capsys, "figures", "requests")
    assert code == 2
    assert "holds no requests" in err and "retour import" in err


def test_a_workbook_that_cannot_be_written(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "no" / "such" / "folder" / "p.xlsx"
    code, _, err = run(capsys, "report", "press", "--years", "2020", "--out", str(out))
    assert code == 2
    assert "cannot be written" in err

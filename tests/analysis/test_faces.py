"""The cooperation commands and reports end to end: store -> analysis -> profile -> face."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from retour.cli import main, render
from retour.config import load_settings
from retour.service.context import Retour
from retour.service.datasets import import_dataset
from retour.simulate.run import simulate_dataset, write_simulation
from retour.simulate.scenario import build_scenario

pytestmark = pytest.mark.slow

REQUIRED = (
    "country", "period", "kind", "n_requests", "index", "lower", "upper", "answer_rate_90d",
    "median_days_to_answer", "confirmation_observed", "confirmation_expected",
    "naive_positive_share",
)  # fmt: skip
EFFECT_COLUMNS = (
    "instrument_id", "country", "kind", "start_on", "effect", "lower", "upper", "verdict",
)  # fmt: skip
VERDICTS = {"increase", "decrease", "no clear change", "too little data", "not identifiable"}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A simulated nl dataset (2019-2023, extracted 2024-01-01), imported once."""
    root = tmp_path_factory.mktemp("cooperation")
    simulation = simulate_dataset(
        build_scenario("nl", scale=0.5), (2019, 2023), 5, dt.date(2024, 1, 1)
    )
    folder = root / "data"
    write_simulation(simulation, folder)
    url = f"sqlite:///{root / 'retour.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RETOUR_SETTINGS", str(root / "settings.toml"))
        with Retour(settings=load_settings(db=url, data_dir=root)) as app:
            import_dataset(app, folder, today=dt.date(2024, 1, 2))
    yield url


@pytest.fixture
def db(database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("RETOUR_DB", database)
    return database


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`retour --lang en ARGS...` in this process (errors in English; a command's own --lang
    still chooses its output's): (exit status, stdout, stderr)."""
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_assess_csv_has_the_required_columns(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "assess", "--period", "2023", "--format", "csv")
    assert code == 0, err
    rows = _csv(out)
    assert set(REQUIRED) <= set(rows[0])
    assert len(rows) > 30
    assert {r["period"] for r in rows} == {"2023"} and {r["kind"] for r in rows} == {"all"}
    shown = [r for r in rows if r["index"]]
    assert shown and all(float(r["lower"]) <= float(r["index"]) <= float(r["upper"]) for r in shown)
    assert all(r["status"] == "too little data" for r in rows if not r["index"])
    assert "simulated data" in err  # the label goes with every output
    assert "public" in err  # the default profile, and it says so


def test_assess_json_public_rounds_counts(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", "--period", "2022Q3", "--kind", "LP", "--format", "json")
    assert code == 0
    answer = json.loads(out)
    assert answer["profile"] == "public" and answer["simulated"] is True
    assert answer["period"] == "2022Q3" and answer["kind"] == "LP" and answer["level"] == 0.9
    assert all(r["n_requests"] % 10 == 0 for r in answer["rows"])
    code, out, _ = run(capsys, "assess", "--period", "2022Q3", "--format", "json",
                       "--profile", "internal")  # fmt: skip
    assert any(r["n_requests"] % 10 for r in json.loads(out)["rows"])


def test_assess_table(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render.console, "width", 250)
    code, out, _ = run(capsys, "assess", "--period", "2023", "--lang", "en")
    assert code == 0
    assert "gesimuleerde gegevens / simulated data" in out
    assert "Morocco" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2023-05"), "is not a year or a quarter"),
        (("--period", "2030"), "No requests were submitted in 2030"),
        (("--period", "2023", "--kind", "XX"), "is not a kind of request"),
        (("--period", "2023", "--profile", "press"), "Unknown publication profile"),
    ],
    ids=["bad-period", "no-data", "bad-kind", "bad-profile"],
)
def test_assess_errors_are_one_line_with_exit_2(
    db: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, "assess", *args, "--lang", "en")
    assert code == 2
    assert message in err and "Traceback" not in err


def test_confidential_countries_are_pooled(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", "--period", "2023", "--format", "csv",
                       "--profile", "parliament", "--confidential", "MA,DZ")  # fmt: skip
    assert code == 0
    countries = {r["country"] for r in _csv(out)}
    assert not countries & {"MA", "DZ"}
    assert "OTHER" in countries
    code, out, _ = run(capsys, "assess", "--period", "2023", "--format", "csv",
                       "--profile", "internal", "--confidential", "MA,DZ")  # fmt: skip
    assert {"MA", "DZ"} <= {r["country"] for r in _csv(out)}


def test_effects(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "effects", "--format", "csv", "--profile", "internal")
    assert code == 0, err
    rows = _csv(out)
    assert set(EFFECT_COLUMNS) <= set(rows[0])
    assert {r["verdict"] for r in rows} <= VERDICTS
    assert any(r["country"] == "MA" for r in rows)
    code, out, _ = run(capsys, "effects", "--format", "json", "--profile", "parliament",
                       "--lang", "en", "--confidential", "MA,DZ")  # fmt: skip
    answer = json.loads(out)
    assert all(r["country"] not in {"MA", "DZ"} for r in answer["rows"])
    assert any("confidential" in n for n in answer["notes"])


def test_answer_times(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "answer-times", "--by", "quarter", "--format", "json")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert {"answered_30d", "answered_365d", "median_days_to_answer"} <= set(rows[0])
    assert {r["kind"] for r in rows} == {"LP", "TO", "all"}


def _offline(page: str) -> None:
    """Nothing is loaded from elsewhere: no src/href to a URL, the bundle inline."""
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "vegaEmbed" in page and "<svg" in page


def test_cooperation_report(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scale.html"
    code, _, err = run(capsys, "report", "cooperation", "--period", "2023", "--out", str(out),
                       "--profile", "parliament", "--confidential", "MA,DZ")  # fmt: skip
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    _offline(page)
    assert "gesimuleerde gegevens / simulated data" in page
    assert "Marokko" not in page and "Algerije" not in page  # not named, not in the data
    assert '"country": "MA"' not in page and '"country": "DZ"' not in page
    assert "overige landen" in page
    assert "Afghanistan" in page


def test_country_report(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ma.html"
    code, _, err = run(capsys, "report", "country", "MA", "--out", str(out), "--lang", "en")
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    _offline(page)
    assert "Morocco" in page and "simulated data" in page
    for key in ("index", "answers", "outcomes", "effects"):
        assert f'id="chart-{key}"' in page
    code, _, err = run(capsys, "report", "country", "MA", "--out", str(out), "--lang", "en",
                       "--profile", "public", "--confidential", "MA,DZ")  # fmt: skip
    assert code == 2 and "confidential" in err

"""`retour context import` and `retour context return-rate` on small files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .conftest import ORDERED_TSV, Run


def imported(out: str) -> dict[str, tuple[int, int, int]]:
    """file name -> (inserted, updated, unchanged) from the import's lines."""
    found = {}
    for line in out.splitlines():
        path, rest = line.split(": ", 1)
        numbers = rest.split("— ", 1)[1].rstrip(".").split(", ")
        found[Path(path).name] = tuple(int(n.split()[-1]) for n in numbers)
    return found  # type: ignore[return-value]


def test_import_several_files_says_what_each_did(cli: Run, small_files: tuple[Path, Path]) -> None:
    ordered, returned = small_files
    code, out, err = cli("context", "import", str(ordered), str(returned))
    assert (code, err) == (0, "")
    assert imported(out) == {ordered.name: (12, 0, 0), returned.name: (12, 0, 0)}
    assert "migr_eiord (sdmx_tsv)" in out and "migr_eirtn (sdmx_tsv)" in out
    code, out, _ = cli("context", "import", str(returned), str(ordered))
    assert imported(out) == {ordered.name: (0, 0, 12), returned.name: (0, 0, 12)}


def test_a_bad_file_is_not_written_and_the_good_ones_are(
    cli: Run, small_files: tuple[Path, Path], tmp_path: Path
) -> None:
    ordered, returned = small_files
    bad = tmp_path / "migr_eiord_2021.tsv"
    bad.write_text(
        ORDERED_TSV.replace("A,MA,TOTAL,T,PER,BE\t2000 ", "A,MA,TOTAL,T,PER,BE\t2x00 ")
        .replace("A,DZ,TOTAL,T,PER,NL", "A,ZZ,TOTAL,T,PER,NL")
        .replace("2019 \t2020", "2021 \t2022"),
        encoding="utf-8",
    )
    missing = tmp_path / "nowhere.tsv"
    code, out, err = cli("context", "import", str(ordered), str(bad), str(missing), str(returned))
    assert code == 2
    assert set(imported(out)) == {ordered.name, returned.name}
    lines = err.splitlines()
    assert f"{bad}:4: " in err and f"{bad}:7: unknown citizen code 'ZZ'" in err
    assert any(line.startswith(f"{bad}:4:") for line in lines)
    assert f"{bad}: not imported; nothing of it was written." in lines
    assert f"{missing}: cannot read the file" in err
    assert "2 of 4 files were not imported" in err
    # nothing of the bad file: 2021 and 2022 were never written
    code, _, err = cli("context", "return-rate", "--citizen", "MA", "--years", "2021")
    assert code == 2 and "cover 2019-2020" in err


def test_dataset_option_names_the_dataset(cli: Run, tmp_path: Path) -> None:
    plain = tmp_path / "download.tsv"
    plain.write_text(ORDERED_TSV, encoding="utf-8")
    code, _, err = cli("context", "import", str(plain))
    assert code == 2 and "cannot tell whether this is migr_eiord or migr_eirtn" in err
    code, out, _ = cli("context", "import", "--dataset", "migr_eiord", str(plain))
    assert code == 0 and "migr_eiord" in out
    code, _, err = cli("context", "import", "--dataset", "migr_xyz", str(plain))
    assert code == 2 and "Unknown Eurostat dataset" in err


def csv_rows(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


@pytest.fixture
def loaded(cli: Run, small_files: tuple[Path, Path]) -> Run:
    code, _, _ = cli("context", "import", *map(str, small_files))
    assert code == 0
    return cli


def test_return_rate_csv(loaded: Run) -> None:
    code, out, err = loaded("context", "return-rate", "--citizen", "MA", "--format", "csv")
    assert code == 0
    rows = csv_rows(out)
    assert list(rows[0])[:8] == [
        "geo",
        "citizen",
        "year",
        "ordered",
        "ordered_flag",
        "returned",
        "returned_flag",
        "return_rate",
    ]
    by = {(r["geo"], r["year"]): r for r in rows}
    nl = by[("NL", "2019")]
    # the total of the breakdowns: 1000 ordered (not 1000 + 900), 250 returned (not + 240)
    assert (nl["ordered"], nl["returned"], nl["returned_flag"]) == ("1000", "250", "d")
    assert float(nl["return_rate"]) == pytest.approx(0.25)
    assert by[("NL", "2020")]["ordered_flag"] == "p"
    assert by[("BE", "2020")]["ordered"] == "" and by[("BE", "2020")]["return_rate"] == ""
    assert by[("FR", "2020")]["return_rate"] == ""  # nobody ordered, 5 returned
    assert float(by[("FR", "2019")]["return_rate"]) == pytest.approx(1.5)  # above 100%
    assert by[("EU27_2020", "2019")]["aggregate"] == "true"
    assert by[("EU27_2020", "2019")]["rank"] == ""
    assert (nl["rank"], nl["ranked"]) == ("2", "3")  # FR 150%, NL 25%, BE 25%: tie
    assert by[("BE", "2019")]["rank"] == "2"
    assert "geen cohortmaat" in err  # the caveat, on stderr, not in the CSV


def test_return_rate_json_and_geo(loaded: Run) -> None:
    code, out, _ = loaded(
        "context",
        "return-rate",
        "--citizen",
        "ma",
        "--geo",
        "nl",
        "--format",
        "json",
        "--lang",
        "en",
    )
    assert code == 0
    answer = json.loads(out)
    assert answer["citizen"] == "MA" and answer["geo"] == "NL"
    assert {r["geo"] for r in answer["rows"]} == {"NL", "EU27_2020"}
    assert answer["ranking"] == [
        {"year": 2019, "geo": "NL", "rank": 2, "of": 3},
        {"year": 2020, "geo": "NL", "rank": 1, "of": 1},
    ]
    assert answer["flags"] == {"d": "definition differs", "e": "estimated", "p": "provisional"}
    assert any("not a cohort measure" in n for n in answer["notes"])
    nl = next(r for r in answer["rows"] if r["year"] == 2020 and r["geo"] == "NL")
    assert (nl["ordered"], nl["ordered_flag"], nl["returned"]) == (800, "p", 200)


def test_return_rate_table_shows_flags_rank_and_caveat(loaded: Run) -> None:
    code, out, _ = loaded("context", "return-rate", "--citizen", "MA", "--years", "2019")
    assert code == 0
    assert "250 d" in out and "25,0%" in out and "150,0%" in out
    assert "2019: NL 2 van 3 (25,0%)" in out
    assert "geen cohortmaat" in out and "d: definitie wijkt af" in out
    assert "Profiel: public" in out


def test_a_flag_without_value_is_shown(loaded: Run) -> None:
    code, out, _ = loaded("context", "return-rate", "--citizen", "DZ", "--format", "csv")
    assert code == 0
    rows = {(r["geo"], r["year"]): r for r in csv_rows(out)}
    assert (rows[("NL", "2020")]["returned"], rows[("NL", "2020")]["returned_flag"]) == ("", "c")
    code, out, _ = loaded("context", "return-rate", "--citizen", "DZ", "--lang", "en")
    assert code == 0
    assert ": c" in out and "c: confidential" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--citizen", "ZZ"], "Unknown citizenship code 'ZZ'", id="unknown-citizen"),
        pytest.param(["--citizen", "MA", "--geo", "XX"], "Unknown reporting state", id="geo"),
        pytest.param(["--citizen", "MA", "--years", "2010"], "2019-2020", id="years-outside"),
        pytest.param(["--citizen", "MA", "--years", "20x"], "Cannot read the years", id="years"),
        pytest.param(["--citizen", "SO"], "no Eurostat figures on citizens of SO", id="no-data"),
        pytest.param(["--citizen", "MA", "--geo", "DE"], "reported by DE", id="geo-no-data"),
        pytest.param(["--citizen", "MA", "--profile", "press"], "Unknown publication", id="prof"),
        pytest.param(["--citizen", "MA", "--lang", "fr"], "Unknown language", id="lang"),
    ],
)
def test_return_rate_errors_exit_2(loaded: Run, args: list[str], message: str) -> None:
    code, out, err = loaded("context", "return-rate", *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_eurostat_codes_for_greece_are_accepted(loaded: Run) -> None:
    assert loaded("context", "return-rate", "--citizen", "EL")[0] == 2  # known code, no data
    assert "citizens of GR" in loaded("context", "return-rate", "--citizen", "EL")[2]


@pytest.mark.parametrize("profile", ["public", "parliament"])
def test_a_confidential_citizenship_is_refused_by_name(
    loaded: Run, monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    monkeypatch.setenv("RETOUR_CONFIDENTIAL", '["MA", "DZ"]')
    code, out, err = loaded("context", "return-rate", "--citizen", "MA", "--profile", profile)
    assert code == 2 and out == ""
    assert f"MA is on the confidential list: the {profile} profile does not name it" in err
    code, out, _ = loaded("context", "return-rate", "--citizen", "MA", "--profile", "internal")
    assert code == 0 and "Marokko" in out


def test_the_confidential_option_adds_to_the_list(loaded: Run) -> None:
    code, _, err = loaded("context", "return-rate", "--citizen", "DZ", "--confidential", "MA,DZ")
    assert code == 2 and "confidential list" in err
    code, _, _ = loaded("context", "return-rate", "--citizen", "DZ", "--confidential", "MA,TN")
    assert code == 0


def test_an_aggregate_as_geo_is_shown_but_not_ranked(loaded: Run) -> None:
    code, out, _ = loaded("context", "return-rate", "--citizen", "MA", "--geo", "EU27_2020")
    assert code == 0
    assert "2019: EU27_2020 30,0% (totaal, niet gerangschikt)" in out

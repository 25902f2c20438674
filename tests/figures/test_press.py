"""`retour report press`: the workbook read back with openpyxl and converted by LibreOffice,
its numbers compared with the oracle's recount."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from retour.disclosure import DisclosureRules
from retour.domain.codes import RequestKind, RequestReason
from retour.reports import labels
from retour.reports.messages import _ as say

from ..exchange.conftest import VALID, write_folder
from . import oracle
from .check import TOTAL, Cells, assert_exact, expected_disclosed
from .conftest import Loaded, run

YEARS = range(2019, 2024)
ANSWERS = ["total", "positive", "negative", "withdrawn", "pending"]
REFUSALS = ["negative", "withdrawn"]
SHEETS = {
    "nl": ["Totalen", "T&O per land", "LP per land", "Redenen", "Definities"],
    "en": ["Totals", "T&O by country", "LP by country", "Reasons", "Definitions"],
}
CODES = [*(k.value for k in RequestKind), *REFUSALS, *(r.value for r in RequestReason)]
Grid = list[list[object]]


def _text(value: object) -> str:
    """A cell as the CLI writes it: whole numbers without decimals."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(",", "")


def answers_of(grid: Grid, kind_index: int) -> Cells:
    """Sheet 1, one kind: (year, answer) -> figure; the submitted column is the total."""
    cells: Cells = {}
    for row in grid[5:]:
        first = _text(row[0])
        if not first:
            break
        year = TOTAL if first in {"Totaal", "Total"} else first
        for j, answer in enumerate(ANSWERS):
            cells[(year, answer)] = _text(row[1 + kind_index * 5 + j])
    return cells


#: A country sheet's columns per group (a year, or all years): the last holds the share.
GROUP = [*ANSWERS, "share"]


def _groups(grid: Grid) -> list[str]:
    """The groups of a country sheet's columns: the years, then ``total``."""
    header = [_text(v) for v in grid[3]]
    years = [header[2 + g * len(GROUP)] for g in range((len(header) - 2) // len(GROUP))]
    return [*years[:-1], TOTAL]


def _country_rows(grid: Grid) -> list[tuple[str, list[object]]]:
    """(country code, "OTHER" or "total"; the row) of a country sheet, in order."""
    rows = []
    for row in grid[5:]:
        first = _text(row[0])
        if first in {"Totaal", "Total"}:
            rows.append((TOTAL, row))
            break
        if not (first or _text(row[1])):
            break
        rows.append((first or "OTHER", row))
    return rows


def countries_of(grid: Grid) -> Cells:
    """Sheets 2 and 3: (country, answer, year) -> figure; answer ``total`` is every
    request made, year ``total`` every year; country ``total`` the totals row."""
    groups = _groups(grid)
    cells: Cells = {}
    for country, row in _country_rows(grid):
        for g, year in enumerate(groups):
            for j, answer in enumerate(ANSWERS):
                cells[(country, answer, year)] = _text(row[2 + g * len(GROUP) + j])
    return cells


def shares_of(grid: Grid) -> dict[tuple[str, str], object]:
    """Sheets 2 and 3: (country, year) -> the share not confirmed as written: a float, or
    the text shown instead ("x", or an en dash)."""
    groups = _groups(grid)
    shares: dict[tuple[str, str], object] = {}
    for country, row in _country_rows(grid):
        for g, year in enumerate(groups):
            shares[(country, year)] = row[2 + g * len(GROUP) + len(ANSWERS)]
    return shares


def refusals_of(grid: Grid) -> Cells:
    """The negative and withdrawn cells of a country sheet, without its totals row:
    (country, answer, year) -> figure."""
    return {k: v for k, v in countries_of(grid).items() if k[1] in REFUSALS and k[0] != TOTAL}


def reasons_of(grid: Grid, lang: str) -> Cells:
    """Sheet 4: (kind, answer, reason, year) -> figure, codes read back from the labels."""
    code = {labels.code_label(c, lang): c for c in CODES}  # type: ignore[arg-type]
    header = [_text(v) for v in grid[3]]
    years = [*header[3:-1], TOTAL]
    cells: Cells = {}
    for row in grid[4:]:
        first = _text(row[0])
        if not first:
            break
        total = first in {"Totaal", "Total"}
        key = (TOTAL,) * 3 if total else tuple(code[_text(v)] for v in row[:3])
        for j, year in enumerate(years):
            cells[(*key, year)] = _text(row[3 + j])
        if total:
            break
    return cells


def recount_reasons(folder: Path) -> oracle.Counter[tuple[object, ...]]:
    by = ["kind", "outcome", "reason", "year"]
    return oracle.requests(folder, by, YEARS, outcomes=REFUSALS)


def grids_of(path: Path) -> dict[str, Grid]:
    book = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def press(capsys: pytest.CaptureFixture[str], out: Path, *args: str) -> tuple[int, str, str]:
    return run(capsys, "report", "press", "--years", "2019-2023", "--out", str(out), *args)


def recount_answers(folder: Path, kind: str) -> oracle.Counter[tuple[object, ...]]:
    return oracle.requests(folder, ["year", "outcome"], YEARS, kinds=[kind])


def recount_countries(folder: Path, kind: str) -> oracle.Counter[tuple[object, ...]]:
    return oracle.requests(folder, ["country", "outcome", "year"], YEARS, kinds=[kind])


def recount_made(folder: Path, kind: str) -> oracle.Counter[tuple[object, ...]]:
    return oracle.requests(folder, ["country", "year"], YEARS, kinds=[kind])


def share_from(cells: Cells, country: str, year: str) -> object:
    """The share not confirmed that the figures shown on a sheet give: "x" when one of
    them is hidden, an en dash when none was answered."""
    shown = [cells[(country, answer, year)] for answer in ("positive", *REFUSALS)]
    if any(v in {"<5", "x"} for v in shown):
        return "x"
    positive, negative, withdrawn = (int(v) for v in shown)
    if positive + negative + withdrawn == 0:
        return "–"
    return (negative + withdrawn) / (positive + negative + withdrawn)


def assert_shares_follow_the_figures(grid: Grid) -> None:
    """Every share on a country sheet is the share of the figures shown beside it: it
    says nothing they do not say."""
    cells = countries_of(grid)
    for (country, year), share in shares_of(grid).items():
        expected = share_from(cells, country, year)
        if isinstance(expected, float):
            assert share == pytest.approx(expected, abs=1e-12), (country, year)
        else:
            assert share == expected, (country, year, share)


def test_internal_workbook_equals_the_recount(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "press.xlsx"
    code, out, err = press(capsys, path, "--profile", "internal")
    assert code == 0, err
    assert "internal" in out
    grids = grids_of(path)
    assert list(grids) == SHEETS["nl"]
    for k, kind in enumerate(["LP", "TO"]):
        answers = answers_of(grids["Totalen"], k)
        assert_exact(answers, recount_answers(on_loaded.exported, kind))
        assert [y for y, a in answers if a == "total"] == [*map(str, YEARS), TOTAL]
    for sheet, kind in [("T&O per land", "TO"), ("LP per land", "LP")]:
        cells = countries_of(grids[sheet])
        # the answer "total" (every request made) is checked as the sum of the four
        assert_exact(cells, recount_countries(on_loaded.exported, kind))
        assert {"MA", "NG"} <= {k[0] for k in cells}
        shares = oracle.not_confirmed(on_loaded.exported, kind, YEARS)
        shown = shares_of(grids[sheet])
        assert shown.keys() == shares.keys()
        for key, share in shares.items():
            assert shown[key] == (share if share is None else pytest.approx(share)) or (
                share is None and shown[key] == "–"
            ), key
        made = [int(cells[(c, "total", TOTAL)]) for c, _ in _country_rows(grids[sheet])[:-1]]
        assert made == sorted(made, reverse=True), "countries by volume, the largest first"
    reasons = reasons_of(grids["Redenen"], "nl")
    assert_exact(reasons, recount_reasons(on_loaded.exported))
    assert {k[:2] for k in reasons} >= {("TO", "negative"), ("LP", "withdrawn")}
    assert {k[2] for k in reasons} >= {"no_response", "nationality_not_confirmed"}


def test_public_workbook_is_disclose_table_of_the_recount(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "press.xlsx"
    code, _, _ = press(capsys, path, "--confidential", "MA,DZ")
    assert code == 0
    grids = grids_of(path)
    rules = DisclosureRules.from_settings("public", "MA,DZ")
    for k, kind in enumerate(["LP", "TO"]):
        answers = answers_of(grids["Totalen"], k)
        recount = recount_answers(on_loaded.exported, kind)
        assert answers == expected_disclosed(answers, recount, ["year", "outcome"], rules)
    for k, (sheet, kind) in enumerate([("T&O per land", "TO"), ("LP per land", "LP")]):
        cells = countries_of(grids[sheet])
        answers = {c: v for c, v in cells.items() if TOTAL not in c[:2]}
        recount = recount_countries(on_loaded.exported, kind)
        for answer in ANSWERS[1:]:  # each answer a table of its own: country x year
            shown = {(c, y): v for (c, a, y), v in answers.items() if a == answer}
            exact = oracle.Counter({(c, y): n for (c, a, y), n in recount.items() if a == answer})
            expected = expected_disclosed(shown, exact, ["country", "year"], rules)
            assert shown == {c: expected[c] for c in shown}, answer
        made = {(c, y): v for (c, a, y), v in cells.items() if a == TOTAL and c != TOTAL}
        by = ["country", "year"]
        expected = expected_disclosed(made, recount_made(on_loaded.exported, kind), by, rules)
        # and hidden (x) where one of the answers it adds up is hidden (test_press_joint)
        hidden = {(c, y) for (c, a, y), v in answers.items() if v in {"<5", "x"}}
        assert made == {c: "x" if c in hidden else expected[c] for c in made}
        assert hidden and any(expected[c] not in {"<5", "x"} for c in hidden)
        sheet_one = answers_of(grids["Totalen"], 1 - k)
        assert {(y, a): v for (c, a, y), v in cells.items() if c == TOTAL} == sheet_one
        assert "<5" in cells.values()
        assert not {"MA", "DZ"} & {k[0] for k in cells}
        assert _country_rows(grids[sheet])[-2][0] == "OTHER", "other countries last"
        assert_shares_follow_the_figures(grids[sheet])
        assert "x" in shares_of(grids[sheet]).values()
    reasons = reasons_of(grids["Redenen"], "nl")
    by = ["kind", "outcome", "reason", "year"]
    assert reasons == expected_disclosed(reasons, recount_reasons(on_loaded.exported), by, rules)
    definitions = "\n".join(_text(v) for row in grids["Definities"] for v in row)
    assert "public (openbaar)" in definitions
    assert "2024-03-01" in definitions
    assert "gesimuleerde gegevens" not in definitions.lower()


def test_readable_in_dutch_and_english(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for lang, country, header in [("nl", "Marokko", "Jaar"), ("en", "Morocco", "Year")]:
        path = tmp_path / f"press-{lang}.xlsx"
        assert press(capsys, path, "--lang", lang, "--profile", "parliament")[0] == 0
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == SHEETS[lang]
        totals, by_country, _, reasons, definitions = (book[name] for name in SHEETS[lang])
        assert totals.freeze_panes == "B6"
        assert by_country.freeze_panes == "C6"
        assert totals["A5"].value == header
        assert totals["A11"].value == say(labels.TOTAL, lang)  # type: ignore[arg-type]
        assert totals["A11"].font.b
        assert by_country.column_dimensions["B"].width >= 10
        names = [by_country.cell(row=r, column=2).value for r in range(6, by_country.max_row)]
        assert country in names
        headers = [by_country.cell(row=5, column=c).value for c in range(3, 9)]
        assert headers == [
            say(labels.PRESS_ANSWER[key], lang)  # type: ignore[arg-type]
            for key in (
                "submitted",
                "positive",
                "negative",
                "withdrawn",
                "pending",
                "not_confirmed",
            )
        ]
        withdrawn = say(labels.CODE["withdrawn"], lang)  # type: ignore[arg-type]
        assert [c.value for c in reasons["B"]].count(withdrawn) >= 2
        reason_labels = {c.value for c in reasons["C"]}
        assert {"geen antwoord verkregen", "no answer obtained"} & reason_labels
        assert {"vreemdeling met onbekende bestemming vertrokken", "the person absconded"} & (
            reason_labels
        )
        terms = [definitions.cell(row=r, column=1).value for r in range(1, 30)]
        assert ("Bekendstelling" if lang == "nl" else "Submission (bekendstelling)") in terms
        assert "Laissez-passer (LP)" in terms
        assert ("Reden" if lang == "nl" else "Reason") in terms
        assert reasons.freeze_panes == "D5"
        assert reasons["A4"].value == say(labels.DIMENSION["kind"], lang)  # type: ignore[arg-type]


def test_the_same_data_give_the_same_file(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert press(capsys, first)[0] == 0
    assert press(capsys, second)[0] == 0
    assert first.read_bytes() == second.read_bytes()


def test_simulated_data_are_labelled_everywhere(
    simulated_db: Loaded, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    label = labels.SIMULATED
    code, out, _ = run(capsys, "figures", "requests", "--years", "2019-2023")
    assert code == 0 and label in out
    code, out, err = run(capsys, "figures", "requests", "--years", "2019-2023", "--format", "csv")
    assert code == 0
    assert err.splitlines()[0] == label
    assert label not in out and out.startswith("kind,year,outcome,n")
    code, out, _ = run(capsys, "figures", "detentions", "--years", "2019", "--format", "json")
    assert '"simulated": true' in out
    path = tmp_path / "sim.xlsx"
    code, out, _ = press(capsys, path)
    assert code == 0 and label in out
    for title, grid in grids_of(path).items():
        text = "\n".join(_text(v) for row in grid[:3] for v in row).lower()
        assert "gesimuleerde gegevens / simulated data" in text, title


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice is needed: apt-get install libreoffice-calc-nogui (.ci/run does)"
    return found


def _convert(soffice: str, workbook: Path, out: Path) -> dict[str, Grid]:
    """Every sheet as CSV, by LibreOffice without a display."""
    filter_options = "44,34,76,1,,0,false,true,false,false,false,-1"  # every sheet, UTF-8
    result = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{out}/profile",
         "--convert-to", f"csv:Text - txt - csv (StarCalc):{filter_options}",
         "--outdir", str(out), str(workbook)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    grids = {}
    for sheet in SHEETS["en"]:
        path = out / f"{workbook.stem}-{sheet}.csv"
        assert path.exists(), f"LibreOffice wrote no {path.name}: {result.stdout}{result.stderr}"
        with path.open(newline="", encoding="utf-8") as f:
            grids[sheet] = list(csv.reader(f))
    return grids


def _padded(grid: Sequence[Sequence[object]], width: int) -> Grid:
    return [[*row, *[None] * (width - len(row))] for row in grid]


def test_libreoffice_opens_it_with_the_same_numbers(
    on_loaded: Loaded, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    soffice = _soffice()
    path = tmp_path / "press.xlsx"
    assert press(capsys, path, "--lang", "en", "--confidential", "MA,DZ")[0] == 0
    converted = _convert(soffice, path, tmp_path / "lo")
    written = grids_of(path)
    for k in range(2):
        expected = answers_of(written["Totals"], k)
        assert answers_of(_padded(converted["Totals"], 11), k) == expected
        assert any(v.isdigit() and int(v) > 0 for v in expected.values())
    for sheet in ["T&O by country", "LP by country"]:
        expected = countries_of(written[sheet])
        assert countries_of(_padded(converted[sheet], 2 + 6 * len(GROUP))) == expected
        assert "<5" in expected.values()
    expected = reasons_of(written["Reasons"], "en")
    assert reasons_of(_padded(converted["Reasons"], 9), "en") == expected
    assert len(expected) > 10
    definitions = "\n".join(",".join(row) for row in converted["Definitions"])
    assert "Readmission (T&O)" in definitions and "public (public)" in definitions


def test_a_small_dataset_gives_every_request_its_country_and_share(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RETOUR_DB", database_url)
    assert run(capsys, "import", str(write_folder(tmp_path / "d", VALID)))[0] == 0
    path = tmp_path / "small.xlsx"
    code, _, err = run(
        capsys, "report", "press", "--years", "2020-2021", "--profile", "internal",
        "--out", str(path), "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    grids = grids_of(path)
    # VALID: R2 T&O NG 2020 withdrawn, R3 T&O NG 2021 negative, R4 T&O SO 2021 pending,
    # R1 LP MA 2020 positive
    to = grids["T&O by country"]
    assert [c for c, _ in _country_rows(to)] == ["NG", "SO", TOTAL]  # by volume
    cells = countries_of(to)
    assert [cells[("NG", a, "2020")] for a in ANSWERS] == ["1", "0", "0", "1", "0"]
    assert [cells[("NG", a, TOTAL)] for a in ANSWERS] == ["2", "0", "1", "1", "0"]
    assert [cells[("SO", a, "2021")] for a in ANSWERS] == ["1", "0", "0", "0", "1"]
    assert [cells[(TOTAL, a, TOTAL)] for a in ANSWERS] == ["3", "0", "1", "1", "1"]
    shares = shares_of(to)
    assert shares[("NG", "2020")] == 1.0 and shares[("NG", TOTAL)] == 1.0
    assert shares[("SO", "2021")] == "–" and shares[("SO", "2020")] == "–"
    assert shares[(TOTAL, TOTAL)] == 1.0
    # only the reasons that occur get a row: R2 withdrawn (no response), R3 negative
    assert reasons_of(grids["Reasons"], "en") == {
        ("TO", "negative", "insufficient_information", "2020"): "0",
        ("TO", "negative", "insufficient_information", "2021"): "1",
        ("TO", "negative", "insufficient_information", TOTAL): "1",
        ("TO", "withdrawn", "no_response", "2020"): "1",
        ("TO", "withdrawn", "no_response", "2021"): "0",
        ("TO", "withdrawn", "no_response", TOTAL): "1",
        (TOTAL, TOTAL, TOTAL, "2020"): "1", (TOTAL, TOTAL, TOTAL, "2021"): "1",
        (TOTAL, TOTAL, TOTAL, TOTAL): "2",
    }  # fmt: skip
    lp = grids["LP by country"]
    assert [c for c, _ in _country_rows(lp)] == ["MA", TOTAL]
    assert countries_of(lp)[("MA", "positive", "2020")] == "1"
    assert shares_of(lp)[("MA", "2020")] == 0.0 and shares_of(lp)[("MA", "2021")] == "–"
    assert answers_of(grids["Totals"], 0)[("2020", "positive")] == "1"


def test_a_kind_without_requests_gets_a_sheet_that_says_so(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RETOUR_DB", database_url)
    assert run(capsys, "import", str(write_folder(tmp_path / "d", VALID)))[0] == 0
    path = tmp_path / "small.xlsx"
    code, _, err = run(
        capsys, "report", "press", "--years", "2021", "--profile", "internal",
        "--out", str(path), "--lang", "nl",
    )  # fmt: skip
    assert code == 0, err
    lp = grids_of(path)["LP per land"]  # R1, the one LP application, is of 2020
    assert [_text(v) for v in lp[5][:4]] == ["Totaal", "", "0", "0"]
    assert _text(lp[6][0]) == say(labels.NO_REQUESTS, "nl")

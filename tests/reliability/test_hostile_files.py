"""Import any file without fear (item 3 of issue 17; docs/reliability.md, "Hostile files").

Every hostile or broken file is made here, in the test. Each is imported with `retour
import` in a process of its own, as a user would: one clear violation line naming the file
(and the line or row where there is one), exit 2, no traceback, no path of the machine,
nothing stored, and the refusal in the audit log. The zip bomb runs under a memory limit.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from retour.config import load_settings
from retour.domain.errors import UsageError
from retour.service.context import Retour
from retour.service.instruments import InstrumentForm, add_instrument, list_instruments
from retour.store import open_database

from ..exchange.conftest import VALID, Files, write_folder
from ..process import clean_env, retour
from ..web.conftest import _quick_hashes, retour_app, users, web_env  # noqa: F401 - fixtures
from . import hostile as h

CONTRACT_TABLES = ("cases", "requests", "detentions", "instruments")


def _count(url: str, query: str) -> int:
    with open_database(url) as db, db.begin() as conn:
        return int(conn.execute(sa.text(query)).scalar_one())


def _stored_rows(url: str) -> int:
    return sum(_count(url, f"SELECT count(*) FROM {t}") for t in CONTRACT_TABLES)


def _refusals(url: str) -> int:
    return _count(url, "SELECT count(*) FROM audit_log WHERE action = 'import_refused'")


@dataclass(frozen=True)
class Hostile:
    make: Callable[[Path], Path]
    says: str  # what the one violation line says
    where: str  # how the line starts: the file, sheet or archive (and line or row)
    env: dict[str, str] = field(default_factory=dict)


def _folder(files: Files) -> Callable[[Path], Path]:
    return lambda tmp: write_folder(tmp / "dataset", files)


def _with(name: str, text: str) -> Callable[[Path], Path]:
    return _folder({**VALID, name: text})


def _workbook(
    member: str, change: Callable[[bytes], bytes], **kw: object
) -> Callable[[Path], Path]:
    return lambda tmp: h.rewrite(h.workbook(tmp / "dataset.xlsx", **kw), member, change)  # type: ignore[arg-type]


def _with_extra(
    extra: Callable[..., None], change: Callable[[bytes], bytes] | None = None
) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = h.workbook(tmp / "dataset.xlsx", extra=extra)
        return path if change is None else h.rewrite(path, h.SHEET1, change)

    return make


def _no_cached_value(book: object, sheets: dict[str, object], dates: object) -> None:
    sheets["cases.csv"].write_formula(2, 3, '="F"', None, "F")  # type: ignore[attr-defined]


def _error_value(book: object, sheets: dict[str, object], dates: object) -> None:
    sheets["cases.csv"].write_formula(2, 3, "=1/0", None, "#DIV/0!")  # type: ignore[attr-defined]


def _merged_header(book: object, sheets: dict[str, object], dates: object) -> None:
    sheets["cases.csv"].merge_range(0, 5, 0, 6, "closed")  # type: ignore[attr-defined]


def _merged_cells(book: object, sheets: dict[str, object], dates: object) -> None:
    sheets["cases.csv"].merge_range(1, 1, 2, 1, "MA")  # type: ignore[attr-defined]


def _duplicate_cases(tmp: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: that is the point
        with zipfile.ZipFile(tmp / "dataset.zip", "w") as archive:
            for name, text in VALID.items():
                archive.writestr(name, text)
            archive.writestr("cases.csv", VALID["cases.csv"].replace("C1,", "C9,"))
    return tmp / "dataset.zip"


def _truncated_zip(tmp: Path) -> Path:
    path = h.zip_of(tmp / "dataset.zip", dict(VALID))
    path.write_bytes(path.read_bytes()[:-300])
    return path


def _corrupted_zip(tmp: Path) -> Path:
    big = {**VALID, "cases.csv": VALID["cases.csv"] * 50}
    return h.corrupt_member(h.zip_of(tmp / "dataset.zip", dict(big)), "cases.csv")


def _meta(text: str) -> Callable[[Path], Path]:
    return _with("dataset.json", text)


DEEP = '{"format": "retour/1", "source": ' + "[" * 100_000 + "]" * 100_000 + "}"
LONG_NUMBER = '{"format": "retour/1",\n "extracted_on": 2' + "0" * 99_999 + "}"
LONG_DATE = '{"format": "retour/1",\n "extracted_on": "2' + "0" * 99_999 + '"}'
LONG_FIELD = VALID["cases.csv"].replace("C3,SO,", "C3," + "S" * 100_000 + ",")
LONG_TITLE = VALID["instruments.csv"].replace("Visa measures for Gambia", "T" * 3_000)

HOSTILE = [
    pytest.param(Hostile(_workbook(h.SHEET1, lambda b: h.entity_in_a_cell(h.with_doctype(
                             h.ENTITY)(b))),
                         "the part xl/worksheets/sheet1.xml declares a DTD", "dataset.xlsx: "),
                 id="xlsx-dtd-entity"),
    pytest.param(Hostile(_workbook("xl/workbook.xml", h.with_doctype(h.EXTERNAL)),
                         "the part xl/workbook.xml declares a DTD", "dataset.xlsx: "),
                 id="xlsx-external-entity"),
    pytest.param(Hostile(_workbook("xl/sharedStrings.xml", h.with_doctype(h.BILLION_LAUGHS)),
                         "the part xl/sharedStrings.xml declares a DTD", "dataset.xlsx: "),
                 id="xlsx-billion-laughs"),
    pytest.param(Hostile(_workbook(h.SHEET1, h.truncated),
                         "not well-formed XML (xl/worksheets/sheet1.xml line", "cases:"),
                 id="xlsx-truncated-sheet"),
    pytest.param(Hostile(_workbook(h.SHEET1, h.declaring("A1:XFD1048576")),
                         "the sheet declares 1,048,576 rows x 16,384 columns", "cases: "),
                 id="xlsx-declares-1048576x16384"),
    pytest.param(Hostile(_workbook(h.SHEET1, h.using_cell("XFD3")),
                         "the sheet uses 16,384 columns", "cases:3: "),
                 id="xlsx-uses-16384-columns"),
    pytest.param(Hostile(_workbook(h.SHEET1, h.using_cell("A5000")),
                         "the sheet uses row 5,000", "cases:5000: ",
                         {"RETOUR_IMPORT_MAX_ROWS": "1000"}),
                 id="xlsx-uses-rows-past-the-setting"),
    pytest.param(Hostile(_with_extra(_no_cached_value, h.without_cached_values),
                         "formula without a stored value; save the workbook in Excel or "
                         "LibreOffice first", "cases:3: sex: "),
                 id="xlsx-formula-without-cached-value"),
    pytest.param(Hostile(_with_extra(_error_value), "the cell holds a spreadsheet error",
                         "cases:3: sex: "),
                 id="xlsx-error-value"),
    pytest.param(Hostile(_with_extra(_merged_header), "merged header cells F1:G1", "cases:1: "),
                 id="xlsx-merged-header"),
    pytest.param(Hostile(_with_extra(_merged_cells), "merged cells B2:B3: only the first holds",
                         "cases:2: "),
                 id="xlsx-merged-cells"),
    pytest.param(Hostile(_truncated_zip, "not a readable .zip archive", "dataset.zip: "),
                 id="zip-truncated"),
    pytest.param(Hostile(_corrupted_zip, "not a readable .zip archive", "dataset.zip: "),
                 id="zip-corrupted-member"),
    pytest.param(Hostile(_duplicate_cases, "the archive holds cases.csv 2 times", "dataset.zip: "),
                 id="zip-two-cases-csv"),
    pytest.param(Hostile(_with("requests.csv", VALID["requests.csv"].replace("\n", "\r")),
                         "the lines end in a carriage return only (CR, 5 times)",
                         "requests.csv:1: "),
                 id="csv-cr-only-lines"),
    pytest.param(Hostile(_with("cases.csv", LONG_FIELD), "a field of 100,000 bytes; at most 65,536",
                         "cases.csv:4: nationality: "),
                 id="csv-field-of-100-kb"),
    pytest.param(Hostile(_with("instruments.csv", LONG_TITLE), "3,000 characters; at most 2,000",
                         "instruments.csv:2: title: "),
                 id="csv-title-of-3000-characters"),
    pytest.param(Hostile(_folder(VALID), "more than the 1.0 KB an import reads",
                         "", {"RETOUR_IMPORT_MAX_BYTES": "1000"}),
                 id="folder-over-import-max-bytes"),
    pytest.param(Hostile(_meta(DEEP), "nested 100,001 levels deep", "dataset.json:1: "),
                 id="json-nested-100000-deep"),
    pytest.param(Hostile(_meta(LONG_NUMBER), "a number of 100,000 digits", "dataset.json:2: "),
                 id="json-100000-digit-number"),
    pytest.param(Hostile(_meta(LONG_DATE), "extracted_on is not a date", "dataset.json: "),
                 id="json-100000-digit-date"),
    pytest.param(Hostile(_meta(json.dumps({"format": "retour/1", "source": "x" * 2_000_000})),
                         "may hold at most 1.0 MB", "dataset.json: "),
                 id="json-of-2-mb"),
]  # fmt: skip


def import_refused(
    path: Path, home: Path, url: str, *args: str, **env: str
) -> tuple[list[str], float]:
    """`retour --lang en import PATH` (its error line in English): exit 2, no traceback, no
    path of this machine, nothing stored, one refusal audited; the lines it printed, and the
    seconds it took."""
    open_database(url).close()
    started = time.monotonic()
    done = retour(["--lang", "en", "import", str(path), *args], home, RETOUR_DB=url, **env)
    seconds = time.monotonic() - started
    said = done.stdout + "\n".join(
        x for x in done.stderr.splitlines() if not x.startswith("Wrote ")
    )
    assert done.returncode == 2, said
    assert "Traceback" not in said and "Error:" not in said.replace("error:", ""), said
    assert str(home) not in said and str(path.parent) not in said, said
    assert _stored_rows(url) == 0
    assert _refusals(url) == 1
    return [line for line in done.stderr.splitlines() if line.strip()], seconds


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_file_is_one_clear_violation(
    hostile: Hostile, database_url: str, tmp_path: Path
) -> None:
    path = hostile.make(tmp_path)
    lines, seconds = import_refused(path, tmp_path, database_url, **hostile.env)
    violation, headline = lines[-2:]
    assert len(lines) == 2, lines  # the violation, then the one-line summary
    assert hostile.says in violation and violation.startswith(hostile.where), violation
    assert headline.startswith("error: The dataset has 1 violation"), headline
    assert seconds < 20, seconds


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 MB inflating to 1 GiB (made once: about 5 s)."""
    return h.zip_bomb(tmp_path_factory.mktemp("bomb") / "dataset.zip")


#: The memory the import process may map in all (RLIMIT_AS): far less than the bomb's 1 GiB.
ADDRESS_SPACE = 768 << 20


#: A small process that starts the import under the memory limit and prints its peak
#: (KB). A child's peak counts from the process it was forked from, and this test's worker
#: may be large after other tests: forked from this small one, the import's peak is its own.
LAUNCHER = """
import resource, subprocess, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
done = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _import_limited(path: Path, home: Path, url: str, **env: str) -> tuple[str, float, int]:
    """`retour import` under the memory limit: its stderr, seconds and peak memory (MB)."""
    open_database(url).close()
    started = time.monotonic()
    command = [sys.executable, "-m", "retour", "import", str(path)]
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(ADDRESS_SPACE), *command],
        env=clean_env(home, RETOUR_DB=url, OPENBLAS_NUM_THREADS="1", **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    seconds = time.monotonic() - started
    code, peak_kb = (int(word) for word in done.stdout.split())
    assert code == 2, done.stderr
    return done.stderr, seconds, peak_kb // 1024


@pytest.mark.parametrize(
    ("env", "says"),
    [
        pytest.param({}, "cases.csv inflates 1,0", id="by-its-ratio"),
        pytest.param(
            {"RETOUR_IMPORT_MAX_RATIO": "100000", "RETOUR_IMPORT_MAX_BYTES": "300000000"},
            "more than the 300 MB an import reads (setting import_max_bytes)",
            id="by-its-size",
        ),
    ],
)
def test_a_zip_bomb_is_refused_at_once_within_little_memory(
    bomb: Path, env: dict[str, str], says: str, database_url: str, tmp_path: Path
) -> None:
    assert bomb.stat().st_size < 1_100_000
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("cases.csv").file_size > 1 << 30
    err, seconds, peak = _import_limited(bomb, tmp_path, database_url, **env)
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and "MemoryError" not in err, err
    assert len(lines) == 2 and lines[0].startswith("dataset.zip: ") and says in lines[0], err
    assert seconds < 15, seconds
    assert peak < 400, peak  # the largest child so far: the bomb was never inflated
    assert _stored_rows(database_url) == 0 and _refusals(database_url) == 1


def test_formula_cells_are_read_as_their_stored_values(database_url: str, tmp_path: Path) -> None:
    """A formula's cached value is imported; before, such cells became empty (a stored F
    was replaced by null)."""

    def formulas(book: object, sheets: dict[str, object], dates: object) -> None:
        cases = sheets["cases.csv"]
        cases.write_formula(1, 1, '=UPPER("ma")', None, "MA")  # type: ignore[attr-defined]
        cases.write_formula(2, 3, '=IF(TRUE,"F","M")', None, "F")  # type: ignore[attr-defined]
        cases.write_formula(3, 2, "=DATE(2021,6,15)", dates, 44362)  # type: ignore[attr-defined]

    path = h.workbook(tmp_path / "dataset.xlsx", extra=formulas)
    open_database(database_url).close()
    done = retour(["import", str(path)], tmp_path, RETOUR_DB=database_url)
    assert done.returncode == 0, done.stderr
    with open_database(database_url) as db, db.begin() as conn:
        rows = conn.execute(sa.text("SELECT case_id, nationality, sex, opened_on FROM cases"))
        cases = {r[0]: (r[1], r[2], str(r[3])[:10]) for r in rows}
    assert cases["C1"][0] == "MA" and cases["C2"][1] == "F"
    assert cases["C3"][2] == "2021-06-15"


def test_the_violations_kept_are_a_setting_and_all_are_counted(
    database_url: str, tmp_path: Path
) -> None:
    rows = "".join(f"X{i},ZZ,2020-01-05\n" for i in range(3_000))
    path = write_folder(tmp_path / "many", {"cases.csv": "case_id,nationality,opened_on\n" + rows})
    report = tmp_path / "violations.csv"
    lines, _ = import_refused(
        path, tmp_path, database_url, "--report", str(report), RETOUR_IMPORT_MAX_VIOLATIONS="100"
    )
    assert lines[-1].startswith("error: The dataset has 3,000 violations"), lines[-1]
    more = [line for line in lines if line.startswith("... and")]
    assert more == [
        "... and 2,900 more violations (the first 100 are kept: setting import_max_violations)."
    ]
    assert len(report.read_text().splitlines()) == 1 + 100
    assert sum(line.startswith("cases.csv:") for line in lines) == 100


def test_a_limit_that_is_not_a_number_is_one_line(tmp_path: Path) -> None:
    done = retour(
        ["import", str(write_folder(tmp_path / "d", VALID))], tmp_path, RETOUR_IMPORT_MAX_BYTES="0"
    )
    assert done.returncode == 2
    (line,) = [x for x in done.stderr.splitlines() if x.strip()]
    assert "import_max_bytes" in line and "Traceback" not in done.stderr


def test_an_instrument_title_is_held_to_the_text_limit(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 50 MB title made a brief of 210 MB; now it is refused as a 2,001-character one is,
    and 2,000 characters are stored."""
    monkeypatch.setenv("RETOUR_DB", database_url)
    form = InstrumentForm(
        country="GM", kind="visa_measure", level="eu", status="in_force",
        start_on="2021-10-07", title="",
    )  # fmt: skip
    with Retour(settings=load_settings()) as app:
        for title in ("T" * 50_000_000, "T" * 2_001):
            with pytest.raises(UsageError, match=r"too long: at most 2,?000 characters"):
                add_instrument(app, _titled(form, title), actor="tester")
        assert list_instruments(app) == []
        add_instrument(app, _titled(form, "T" * 2_000), actor="tester")
        assert [len(i.title) for i in list_instruments(app)] == [2_000]
    monkeypatch.setenv("RETOUR_IMPORT_MAX_TEXT_CHARS", "100")
    with Retour(settings=load_settings()) as app, pytest.raises(UsageError, match="at most 100"):
        add_instrument(app, _titled(form, "T" * 101), actor="tester")


def _titled(form: InstrumentForm, title: str) -> InstrumentForm:
    return dataclasses.replace(form, title=title)


@pytest.fixture(scope="module")
def mapping(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mapping drafted (by `retour mapping draft`) for the good workbook."""
    home = tmp_path_factory.mktemp("mapping")
    out = home / "M.toml"
    done = retour(
        ["mapping", "draft", str(h.workbook(home / "good.xlsx")), "--out", str(out)], home
    )
    assert done.returncode == 0, done.stderr
    return out


MAPPED = [
    pytest.param(_workbook(h.SHEET1, h.with_doctype(h.BILLION_LAUGHS)),
                 "dataset.xlsx: -: the part xl/worksheets/sheet1.xml declares a DTD", id="dtd"),
    pytest.param(_workbook(h.SHEET1, h.declaring("A1:XFD1048576")),
                 "cases: -: the sheet declares 1,048,576 rows x 16,384 columns", id="declared"),
    pytest.param(_with_extra(_no_cached_value, h.without_cached_values),
                 "cases:3: sex: formula without a stored value", id="formula-without-value"),
    pytest.param(_with_extra(_merged_header), "cases:1: -: merged header cells F1:G1",
                 id="merged-header"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "says"), MAPPED)
def test_a_hostile_source_through_a_mapping_is_one_clear_violation(
    make: Callable[[Path], Path], says: str, mapping: Path, database_url: str, tmp_path: Path
) -> None:
    """A source system's workbook read through a mapping is held to the same guards."""
    path = make(tmp_path)
    lines, _ = import_refused(path, tmp_path, database_url, "--mapping", str(mapping))
    assert len(lines) == 2 and lines[0].startswith(says), lines
    if "formula" in says:
        return  # a draft reads the header and a sample: a cell's formula does not stop it
    drafted = retour(["mapping", "draft", str(path)], tmp_path)
    assert drafted.returncode == 2 and "Traceback" not in drafted.stderr
    assert next(x for x in drafted.stderr.splitlines() if x.strip()).startswith(says)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        pytest.param(HOSTILE[2].values[0].make, "declares a DTD", id="billion-laughs"),
        pytest.param(HOSTILE[13].values[0].make, "holds cases.csv 2 times", id="two-cases-csv"),
        pytest.param(HOSTILE[7].values[0].make, "formula without a stored value", id="formula"),
    ],
)
def test_the_web_import_page_says_what_is_wrong_with_a_hostile_file(
    make: Callable[[Path], Path],
    says: str,
    retour_app: Retour,  # noqa: F811 - the web tests' fixture, imported above
    users: dict[object, str],  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    """Uploaded on the web's import page, a hostile file gets a page that names it and
    what is wrong (a 4xx answer), and is audited as a refused import; no path of the server."""
    from retour.web import create_app

    from ..web.conftest import new_client, page_csrf, sign_in

    path = make(tmp_path)
    admin = sign_in(new_client(create_app(retour_app, warm_up=False)), "admin")
    answer = admin.post(
        "/import",
        data={"csrf_token": page_csrf(admin, "/import")},
        files={"dataset": (path.name, path.read_bytes(), "application/octet-stream")},
    )
    assert answer.status_code in {400, 422}, answer.text[-3000:]
    assert says in answer.text and path.name in answer.text
    assert str(tmp_path) not in answer.text and str(retour_app.settings.data_dir) not in answer.text
    assert "Traceback" not in answer.text
    assert _stored_rows(database_url) == 0 and _refusals(database_url) == 1


def test_a_gzip_bomb_among_eurostat_files_is_refused_in_one_line(
    database_url: str, tmp_path: Path
) -> None:
    """Eurostat's .tsv.gz files are inflated within the same limits: 100 MB of zeros packed
    into 100 KB is refused after a few MB, not held whole."""
    path = tmp_path / "migr_eiord.tsv.gz"
    path.write_bytes(gzip.compress(bytes(100 << 20), compresslevel=9))
    open_database(database_url).close()
    done = retour(["context", "import", str(path)], tmp_path, RETOUR_DB=database_url)
    said = done.stdout + done.stderr
    assert done.returncode == 2 and "Traceback" not in said, said
    (line,) = [line for line in said.splitlines() if "inflates" in line]
    assert line.startswith("migr_eiord.tsv.gz: the file inflates 10"), line
    assert "more than the 100 times of real data" in line and str(tmp_path) not in line

"""The reports' words moved from (nl, en) pair tables into the message catalog without a
word of output changing: the press workbook, the country brief (a country with requests and
one without) and the sliding-scale report, in Dutch and in English, as `retour report ...`
writes them, are the same from the code before the move (:data:`BEFORE`, unpacked from git
into a temporary folder and run as its own process) and from the code as it is now, on the
same demo database: the workbook byte for byte in every part but its numbers, the pages in
every text a reader sees (with the charts' texts) but their numbers -- the index is estimated
by code that moves on by itself, so the numbers and the order of countries by index may move
-- and but for the words changed on purpose (:data:`CHANGED`).

No golden file is kept: the reference is rendered afresh by the older code. When an output's
words change on purpose, add them to :data:`CHANGED` (or move :data:`BEFORE` on).
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections import Counter
from io import BytesIO
from pathlib import Path

import pytest

from retour.domain.language import Language
from retour.reports import charts
from retour.reports.messages import _

from ..conftest import TEST_SECRET
from ..process import clean_env
from .reading import visible_text

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
#: The last commit whose reports read their words from pair tables.
BEFORE = "acc27be"
REAL = ROOT.parent / "shared" / "data" / "real" / "eurostat_dw"
EUROSTAT = ("migr_eiord_Data_allcitizens.csv", "migr_eirtn_Data_allcitizens.csv")
#: Each output: its file name and the `retour report` arguments that write it.
OUTPUTS = {
    f"{name}-{lang}.{ext}": [*args, "--lang", lang]
    for lang in ("nl", "en")
    for name, ext, args in (
        ("press", "xlsx", ["press", "--years", "2019-2023", "--profile", "public"]),
        ("country-MA", "html", ["country", "MA"]),
        ("country-SY", "html", ["country", "SY"]),
        ("cooperation", "html", ["cooperation", "--period", "2023"]),
    )
}


#: Runs every report of ``OUTPUTS`` in one process (so the index is fitted once), as
#: `retour report ... --out FOLDER/NAME`: ``python -c RUNNER FOLDER OUTPUTS-AS-JSON``.
RUNNER = """
import json, sys
from pathlib import Path
from retour.cli import main
folder, outputs = Path(sys.argv[1]), json.loads(sys.argv[2])
for name, args in outputs.items():
    assert main(["report", *args, "--out", str(folder / name)]) == 0, name
"""
#: Words that changed on purpose, per language: (as before, as now), whole lines.
CHANGED = {
    "nl": (
        ("\nEinde\n", "\nEinddatum\n"),  # the column, as the web's instruments page says it
        ("Geen instrumenten bekend.", "Geen instrumenten geregistreerd."),  # as the web's
    ),
    "en": (("\nEnd\n", "\nEnd date\n"),),  # "End" alone is also the verb: the web's button
}
#: The same in the workbook's shared strings: the simulator's source was its raw name.
CHANGED_XLSX = {
    "nl": (("<t>simulated</t>", "<t>gesimuleerd door retour</t>"),),
    "en": (("<t>simulated</t>", "<t>simulated by retour</t>"),),
}


def _run(source: Path | None, home: Path, *args: str) -> None:
    """``python ARGS`` with ``source`` (a tree holding ``retour/``) first on the path, or
    this tree; the database in ``home``."""
    env = clean_env(home, RETOUR_SECRET=TEST_SECRET, RETOUR_DB=f"sqlite:///{home / 'db.sqlite'}")
    if source is not None:
        env["PYTHONPATH"] = str(source)
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, (args, done.stderr[-2000:])


def _older_code(folder: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BEFORE, "src/retour"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Every output written by the older code and by this code, from one database (made and
    filled by the older code, then upgraded by this one if its schema moved on)."""
    root = tmp_path_factory.mktemp("unchanged")
    older = _older_code(root / "older")
    before, after = root / "before", root / "after"
    before.mkdir()
    after.mkdir()
    retour = ("-m", "retour")
    _run(older, before, *retour, "simulate", "--out", str(root / "data"), "--scale", "0.5")
    _run(older, before, *retour, "db", "upgrade")
    _run(older, before, *retour, "import", str(root / "data"))
    _run(older, before, *retour, "context", "import", *(str(REAL / n) for n in EUROSTAT))
    shutil.copy(before / "db.sqlite", after / "db.sqlite")
    _run(None, after, *retour, "db", "upgrade")
    _run(older, before, "-c", RUNNER, str(before), json.dumps(OUTPUTS))
    _run(None, after, "-c", RUNNER, str(after), json.dumps(OUTPUTS))
    return before, after


def _words(text: str) -> str:
    """The text with every number as 0: the index and its intervals are estimated by code
    that moves on by itself; the words around them are what this test holds."""
    return re.sub(r"\d+(?:-\d+)*", "0", text)  # dates too: a chart said them in milliseconds


def _page_words(text: str, lang: Language) -> Counter[str]:
    """The lines of a page's visible text as :func:`_words`, and what follows from the
    numbers made alike too: the trend (its word and arrow), an effect's verdict in the table
    (a cell of its own), and the order of the countries the scale lists by index."""
    trends = "|".join(re.escape(_(m, lang)) for m in charts.TREND_TEXT.values())
    verdicts = {_(m, lang) for m in charts.VERDICT_TEXT.values()}  # an effect, or its verdict
    text = re.sub(rf"(?<=: )({trends})(?=;)", "TREND", _words(text))
    text = re.sub("[↑↓→]", "→", text)
    lines = []
    for line in text.splitlines():
        head, colon, names = line.partition(" values: ")
        if head.endswith("axis for a discrete scale with 0") and colon:
            names = ", ".join(sorted(names.split(", ")))
        lines.append("0" if line in verdicts else head + colon + names)
    return Counter(lines)


def _members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as book:
        return {name: _words(book.read(name).decode("utf-8")) for name in book.namelist()}


def _changed(old: str, new: str) -> list[str]:
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), n=0, lineterm="")
    return [line[:300] for line in lines if line[:1] in "+-" and line[:3] not in ("+++", "---")]


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_the_words_are_the_ones_the_pair_tables_gave(outputs: tuple[Path, Path], name: str) -> None:
    before, after = (folder / name for folder in outputs)
    lang: Language = "nl" if name.endswith(("-nl.html", "-nl.xlsx")) else "en"
    if name.endswith(".xlsx"):
        old, new = _members(before), _members(after)
        assert sorted(new) == sorted(old)
        for was, now in CHANGED_XLSX[lang]:
            old["xl/sharedStrings.xml"] = old["xl/sharedStrings.xml"].replace(was, now)
        changed = {m: _changed(old[m], new[m]) for m in old if new[m] != old[m]}
        assert changed == {}, name
        return
    # the charts' axes and legends were described by Vega in its English before
    old_text = visible_text(before.read_text(encoding="utf-8"), guides=False)
    new_text = visible_text(after.read_text(encoding="utf-8"), guides=False)
    assert len(old_text) > 5_000
    for was, now in CHANGED[lang]:
        old_text = old_text.replace(was, now)
    old_lines, new_lines = _page_words(old_text, lang), _page_words(new_text, lang)
    assert (old_lines - new_lines, new_lines - old_lines) == (Counter(), Counter()), name

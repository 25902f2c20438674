"""Words, not codes, in the command line's tables: `retour effects` and `retour figures ...`
under `--format table` show verdicts, kinds of instrument, answers, reasons and the other
codes in the reader's language, country names beside their codes, and headers in words;
`--format csv` keeps the codes. Run as a user runs them, piped with COLUMNS=80, in Dutch and
in English; each table's cells are read back against the same command's CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from retour.disclosure import TOTAL
from retour.domain.language import Language
from retour.reports import charts, labels
from retour.reports.messages import _

from ..language import foreign_texts
from ..loading import simulated_nl_sqlite
from ..process import retour as run_retour
from .reading import raw_codes

pytestmark = pytest.mark.slow

LANGS = ["nl", "en"]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield simulated_nl_sqlite(tmp_path_factory.mktemp("words"))


def retour(database: str, home: Path, *args: str) -> str:
    done = run_retour(args, home, timeout=300, RETOUR_DB=database, COLUMNS="80")
    assert done.returncode == 0, done.stderr
    return done.stdout


def table_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """The first table of a command's output: its headers and its rows of cells."""
    lines = text.splitlines()
    (at,) = [i for i, line in enumerate(lines) if "┃" in line][:1]
    headers = [h.strip() for h in lines[at].split("┃")]
    rows = []
    for line in lines[at + 2 :]:
        if "│" not in line:
            break
        rows.append([c.strip() for c in line.split("│")])
    return headers, rows


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def words_of(table: dict[str, str], lang: Language) -> dict[str, str]:
    return {code: _(message, lang) for code, message in table.items()}


@pytest.mark.parametrize("lang", LANGS)
def test_effects_say_verdicts_kinds_and_notes_in_words(
    database: str, tmp_path: Path, lang: Language
) -> None:
    args = ("effects", "--profile", "internal", "--lang", lang)
    shown = retour(database, tmp_path, *args)
    headers, rows = table_rows(shown)
    coded = csv_rows(retour(database, tmp_path, *args, "--format", "csv"))
    assert len(rows) == len(coded) > 5
    verdicts = words_of(charts.VERDICT_TEXT, lang)
    kinds = words_of(charts.INSTRUMENT_TEXT, lang)
    column = {name: headers.index(_(word, lang)) for name, word in
              (("verdict", "Verdict"), ("kind", "Kind"), ("note", "Note"))}  # fmt: skip
    for row, codes in zip(rows, coded, strict=True):
        assert row[column["verdict"]] == verdicts[codes["verdict"]]
        assert row[column["kind"]] == kinds[codes["kind"]]
        note = codes["note"]
        assert row[column["note"]] == (charts.effect_note(note, lang) if note else "")
    assert {c["verdict"] for c in coded} <= set(charts.VERDICT_TEXT)  # the CSV keeps codes
    assert {c["kind"] for c in coded} <= set(charts.INSTRUMENT_TEXT)
    assert raw_codes(shown, lang) == []
    assert foreign_texts(shown, lang) == []
    if lang == "nl":
        assert "Effecten van instrumenten" in shown.splitlines()[0]


#: figures commands, and the columns whose codes the table must give in words.
FIGURES = {
    "reasons": (
        ["requests", "--years", "2022-2023", "--by", "kind,outcome,reason,year"],
        ["kind", "outcome", "reason"],
    ),
    "answers-across": (["requests", "--years", "2023", "--by", "kind,outcome"], ["kind"]),
    "detentions": (["detentions", "--years", "2022-2023"], []),
    "departures": (["departures", "--years", "2022-2023", "--by", "year,type"], []),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(FIGURES))
def test_figures_tables_say_codes_in_words(
    database: str, tmp_path: Path, name: str, lang: Language
) -> None:
    args, worded = FIGURES[name]
    shown = retour(database, tmp_path, "figures", *args, "--lang", lang)
    headers, rows = table_rows(shown)
    coded = csv_rows(retour(database, tmp_path, "figures", *args, "--format", "csv"))
    assert raw_codes(shown, lang) == [], name
    assert foreign_texts(shown, lang) == [], name
    for dim in worded:
        at = headers.index(_(labels.DIMENSION[dim], lang))
        codes = {c[dim] for c in coded if c[dim] not in ("", TOTAL)}
        assert {r[at] for r in rows if r[at]} - {_(labels.TOTAL, lang)} == {
            labels.code_label(c, lang) for c in codes
        }, dim
    across = {c for h in headers for c in labels.CODE if labels.code_label(c, lang) == h}
    if name in {"answers-across", "detentions", "departures"}:
        assert len(across) >= 3, headers  # the codes that run across, in words
    assert headers[0] == _(labels.DIMENSION["kind" if "kind" in args[-1] else "year"], lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_figures_table_names_its_countries(database: str, tmp_path: Path, lang: Language) -> None:
    args = ("figures", "requests", "--years", "2023", "--by", "country,outcome", "--lang", lang)
    headers, rows = table_rows(retour(database, tmp_path, *args))
    code, name = headers[:2]
    assert (code, name) == (_(labels.DIMENSION["code"], lang), _(labels.DIMENSION["country"], lang))
    for row in rows[:-1]:
        assert row[1] == labels.country_name(row[0], lang), row
    plain = retour(database, tmp_path, *args, "--format", "csv")
    assert "country_name" not in plain.splitlines()[0]  # CSV: codes, and names only if asked
    named = retour(database, tmp_path, *args, "--names", "nl")
    assert "Marokko" in named

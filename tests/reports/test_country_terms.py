"""The country brief beside its index: the agreed time limits in force, the overdue requests
(counts by band of days over, through the profile), the shares kept per year, a country
status said as "not assessed" where an index would stand, and the event-study chart of each
instrument -- in both languages, as HTML and .docx, checked against independent reads of the
dataset's own files and of other commands' outputs.

The data: the simulated NL world (2019-2023, extracted 2024-01-01), whose statuses are those
the letter names (Syria: forced return suspended; Somalia: no document process for LP), with
one status added for a country with requests (Nigeria, from 2023), so that its 2023 quarters
are not assessed.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html as html_lib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from retour.config import load_settings
from retour.disclosure import Language, Profile
from retour.reports import charts, labels
from retour.reports import cooperation as cooperation_report
from retour.service import cooperation
from retour.service.context import Retour
from retour.service.datasets import import_dataset
from retour.simulate.run import simulate_dataset, write_simulation
from retour.simulate.scenario import build_scenario

from ..conftest import TEST_SECRET
from .reading import raw_codes

pytestmark = pytest.mark.slow

RETOUR = [sys.executable, "-m", "retour"]
#: The status added to a country with requests: its quarters from 2023 are not assessed.
ADDED = ("NG", "no_diplomatic_relations", "", "2023-01-01", "", "test line")
#: What the brief says for each status, per language.
STATUS_LINES = {
    "SY": {
        "nl": "LP en T&O: niet beoordeeld, gedwongen terugkeer opgeschort sinds 2017-01-01.",
        "en": "LP and T&O: not assessed, forced return suspended since 2017-01-01.",
    },
    "SO": {
        "nl": "LP: niet beoordeeld, geen procedure voor reisdocumenten sinds 2017-01-01.",
        "en": "LP: not assessed, no document process since 2017-01-01.",
    },
}
NOT_ASSESSED_NG = {
    "nl": "niet beoordeeld: geen diplomatieke betrekkingen sinds 2023-01-01",
    "en": "not assessed: no diplomatic relations since 2023-01-01",
}
HEADINGS = {"nl": "Afgesproken termijnen", "en": "Agreed time limits"}
CHECK_HEAD = {"nl": "Controle (alleen de gegevens)", "en": "Check (data alone)"}
YES = {"nl": "ja", "en": "yes"}
NO = {"nl": "nee", "en": "no"}


@dataclass(frozen=True)
class World:
    root: Path
    url: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("country_terms")
    simulation = simulate_dataset(
        build_scenario("nl", scale=0.2), (2019, 2023), 3, dt.date(2024, 1, 1)
    )
    write_simulation(simulation, root / "data")
    with (root / "data" / "country_status.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(ADDED)
    url = f"sqlite:///{root / 'retour.sqlite'}"
    env = {
        **os.environ,
        "RETOUR_DB": url,
        "RETOUR_SETTINGS": str(root / "settings.toml"),
        "RETOUR_SECRET": TEST_SECRET,
        "COLUMNS": "80",
    }
    os.environ["RETOUR_SETTINGS"] = env["RETOUR_SETTINGS"]
    with Retour(settings=load_settings(db=url, data_dir=root)) as app:
        import_dataset(app, root / "data", today=dt.date(2024, 1, 2))
    yield World(root, url, env)


@pytest.fixture(scope="module")
def app(world: World) -> Iterator[Retour]:
    with Retour(settings=load_settings(db=world.url, data_dir=world.root)) as opened:
        yield opened


def command(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RETOUR, *args], env=world.env, capture_output=True, text=True, timeout=600, check=False
    )


class _Text(HTMLParser):
    """The text a reader reads (no scripts, styles or drawings) and the tables, each with
    its caption."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._skip = 0
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "svg"):
            self._skip += 1
        elif tag == "table":
            self.tables.append(([], []))
        elif tag == "caption" and self.tables:
            self._caption = self.tables[-1][0]
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "svg"):
            self._skip -= 1
        elif tag == "caption":
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def read(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def table_after(page: _Text, caption_start: str) -> list[list[str]]:
    """The rows (header first) of the table whose caption starts with ``caption_start``."""
    for caption, rows in page.tables:
        if " ".join("".join(caption).split()).startswith(caption_start):
            return rows
    raise AssertionError(f"no table captioned {caption_start!r}")


def titles(world: World) -> list[str]:
    """The instruments' titles as the data hold them (a user's words, not codes)."""
    with (world.root / "data" / "instruments.csv").open(encoding="utf-8") as f:
        return sorted({r["title"] for r in csv.DictReader(f)}, key=len, reverse=True)


def codes_in(text: str, world: World, lang: Language) -> list[str]:
    """The raw codes a reader would read in ``text``, the instruments' own titles aside."""
    for title in titles(world):
        text = text.replace(title, "")
    return raw_codes(text, lang)


def brief(app: Retour, code: str, lang: Language, profile: Profile, fmt: str = "html") -> bytes:
    return cooperation.country_brief(app, code, fmt, profile=profile, lang=lang)


# -- the time limits in force, overdue, kept -----------------------------------------------------


def _terms_of(world: World, code: str) -> list[dict[str, str]]:
    """The terms in force on the extraction date for ``code``, read from the files."""
    with (world.root / "data" / "instruments.csv").open(encoding="utf-8") as f:
        instruments = {r["instrument_id"]: r for r in csv.DictReader(f)}
    with (world.root / "data" / "terms.csv").open(encoding="utf-8") as f:
        terms = list(csv.DictReader(f))
    on = "2024-01-01"
    return [
        t
        for t in terms
        if (i := instruments[t["instrument_id"]])["country"] == code
        and i["status"] in ("in_force", "ended")
        and i["start_on"] <= on
        and (not i["end_on"] or i["end_on"] > on)
    ]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_brief_shows_the_terms_in_force_as_the_files_hold_them(
    world: World, app: Retour, lang: Language
) -> None:
    expected = _terms_of(world, "LK")
    assert expected, "the simulated world has terms for Sri Lanka"
    page = read(brief(app, "LK", lang, Profile.PUBLIC).decode("utf-8"))
    assert HEADINGS[lang] in page.text
    caption = "Termijnen voor Sri Lanka" if lang == "nl" else "Time limits in force for Sri Lanka"
    table = table_after(page, caption)
    body = table[1:]
    assert len(body) == len(expected)
    calendar = {"nl": "kalenderdagen", "en": "calendar days"}[lang]
    working = {"nl": "werkdagen", "en": "working days"}[lang]
    days = {"calendar": calendar, "working": working}
    shown = sorted((r[1], r[2], r[3], r[5]) for r in body)
    kinds = {"LP": "LP", "TO": "T&O"}
    want = sorted(
        (kinds[t["request_kind"]], t["reply_days"], days[t["day_count"]], t["document_days"] or "–")
        for t in expected
    )
    assert shown == want
    assert codes_in(page.text, world, lang) == []


def _overdue_total(world: World, code: str) -> int:
    """The number of overdue requests to ``code`` as `retour overdue` lists them."""
    done = command(world, "overdue", "--country", code, "--profile", "internal", "--format", "csv")
    assert done.returncode == 0, done.stderr
    return len(list(csv.DictReader(io.StringIO(done.stdout))))


def test_the_overdue_counts_add_up_to_the_overdue_list(world: World, app: Retour) -> None:
    """Under internal the brief counts (not lists) what `retour overdue` lists, by band of
    days over: the total of its table is the number of listed requests."""
    listed = _overdue_total(world, "LK")
    page = read(brief(app, "LK", "en", Profile.INTERNAL).decode("utf-8"))
    if listed == 0:
        assert "No request to Sri Lanka is overdue on 2024-01-01." in page.text
        return
    table = table_after(page, "Requests to Sri Lanka overdue on 2024-01-01")
    header, *body = table
    assert header[:2] == ["Kind of request", "Awaited"]
    assert set(header[2:-1]) <= {"1-30", "31-90", "91-180", "181-365", "366+"}
    total_row = body[-1]
    assert total_row[0] == "Total"
    assert int(total_row[-1]) == listed
    assert sum(int(r[-1]) for r in body[:-1]) == listed


def test_under_public_the_overdue_counts_are_rounded_or_hidden(app: Retour) -> None:
    page = read(brief(app, "LK", "en", Profile.PUBLIC).decode("utf-8"))
    if "No request to Sri Lanka is overdue" in page.text:
        return
    table = table_after(page, "Requests to Sri Lanka overdue on 2024-01-01")
    for row in table[1:]:
        for cell in row[2:]:
            assert cell in ("<5", "x") or int(cell) % 10 == 0, row


def test_the_shares_kept_per_year_are_those_of_figures_terms(world: World, app: Retour) -> None:
    done = command(world, "figures", "terms", "--profile", "internal", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = [r for r in csv.DictReader(io.StringIO(done.stdout)) if r["country"] == "LK"]
    assert rows
    page = read(brief(app, "LK", "en", Profile.INTERNAL).decode("utf-8"))
    table = table_after(page, "Requests to Sri Lanka with time limits by year of submission")
    shown = {r[0]: r for r in table[1:]}
    for r in rows:
        cells = shown[r["year"]]
        assert cells[1] == r["with_terms"]
        share = r["in_time_share"]
        assert cells[2] == ("–" if not share else f"{round(float(share) * 100)}%")


# -- not assessed --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("code", ["SY", "SO"])
def test_a_country_under_a_status_says_so_in_html_and_docx(
    world: World, app: Retour, code: str, lang: Language
) -> None:
    html = read(brief(app, code, lang, Profile.PUBLIC).decode("utf-8")).text
    assert STATUS_LINES[code][lang] in html
    word = docx_text(brief(app, code, lang, Profile.PUBLIC, "docx"))
    assert STATUS_LINES[code][lang] in word
    assert codes_in(html, world, lang) == []


def values_of(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every data row of a Vega-Lite spec: its own, its layers' and its named datasets'."""
    found: list[dict[str, Any]] = list(spec.get("data", {}).get("values", []))
    for layer in spec.get("layer", []):
        found += layer.get("data", {}).get("values", [])
    for rows in spec.get("datasets", {}).values():
        found += rows
    return found


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", "", re.sub(r"</w:p>", "\n", xml)).split()))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_quarters_under_a_status_are_not_assessed_where_the_index_stands(
    world: World, app: Retour, lang: Language
) -> None:
    page = read(brief(app, "NG", lang, Profile.PUBLIC).decode("utf-8"))
    caption = "Samenwerkingsindex van Nigeria" if lang == "nl" else "Cooperation index of Nigeria"
    table = table_after(page, caption)
    by_period = {r[0]: r[1] for r in table[1:]}
    quarters_2023 = [p for p in by_period if p.startswith("2023")]
    assert quarters_2023
    assert all(by_period[p] == NOT_ASSESSED_NG[lang] for p in quarters_2023)
    before = [p for p in by_period if p.startswith("2022")]
    assert any(re.fullmatch(r"\d+", by_period[p]) for p in before)  # an index before it
    assert codes_in(page.text, world, lang) == []


# -- the event study -----------------------------------------------------------------------------


def _event_study_published(app: Retour, code: str) -> dict[str, list[dict[str, Any]]]:
    """The event-study quarters of ``code``'s instruments as `retour effects` publishes
    them under public (the published effects of every instrument, not the country view)."""
    table = cooperation.effects_of_instruments(app, profile=Profile.PUBLIC).table
    mine = table.filter((pl.col("country") == code) & (pl.col("event_study").list.len() > 0))
    return {r["instrument_id"]: r["event_study"] for r in mine.iter_rows(named=True)}


def _chart_values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    values = [v for v in values_of(spec) if "quarter_offset" in v and "instrument" in v]
    seen = {json.dumps(v, sort_keys=True): v for v in values}
    return list(seen.values())


def test_the_event_study_chart_draws_the_published_quarters(app: Retour) -> None:
    published = _event_study_published(app, "MA")
    assert published, "the simulated world has an event study for Morocco"
    view = cooperation.country_view(app, "MA", profile=Profile.PUBLIC)
    spec = charts.event_study_chart(view.effects, "en", country="Morocco")
    assert spec is not None
    drawn = {(str(v["instrument"]).split()[0], v["quarter_offset"]): v for v in _chart_values(spec)}
    for instrument, quarters in published.items():
        assert [q["quarter_offset"] for q in quarters] == list(range(-4, 7))
        for q in quarters:
            point = drawn[(instrument, q["quarter_offset"])]
            assert (point["effect"], point["lower"], point["upper"]) == (
                q["effect"], q["lower"], q["upper"],
            )  # fmt: skip
            for value in (q["effect"], q["lower"], q["upper"]):
                assert value is None or float(value).is_integer()  # public: whole points


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_event_study_chart_is_in_the_brief_in_both_formats(app: Retour, lang: Language) -> None:
    name = labels.country_name("MA", lang)
    title = charts.t("event_title", lang, country=name)
    html = brief(app, "MA", lang, Profile.PUBLIC).decode("utf-8")
    svg_titles = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", html))
    for line in charts.title_lines(title):
        assert line in html
    start = {"nl": "start", "en": "start"}[lang]
    assert start in svg_titles
    axis = charts.t("quarter_offset", lang)
    assert axis in html
    for offset in ("-4", "+6", "0"):
        assert f">{offset}<" in html
    word = brief(app, "MA", lang, Profile.PUBLIC, "docx")
    with zipfile.ZipFile(io.BytesIO(word)) as z:
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
        xml = z.read("word/document.xml").decode("utf-8")
    assert len(pictures) == 5  # index, answers, outcomes, effects, event study
    assert f'title="{title}"' in xml or title in xml  # the picture named by its title
    assert charts.t("event_title", lang, country=name) in html


def test_a_country_without_an_event_study_has_no_such_chart(app: Retour) -> None:
    view = cooperation.country_view(app, "LK", profile=Profile.PUBLIC)
    studied = view.effects.filter(pl.col("event_study").list.len() > 0)
    assert studied.is_empty()
    assert charts.event_study_chart(view.effects, "nl", country="Sri Lanka") is None
    html = brief(app, "LK", "nl", Profile.PUBLIC).decode("utf-8")
    assert charts.t("event_title", "nl", country="Sri Lanka") not in html


# -- the command --------------------------------------------------------------------------------


def test_the_command_writes_the_brief_with_the_terms(world: World, tmp_path: Path) -> None:
    out = tmp_path / "lk.html"
    done = command(world, "report", "country", "LK", "--out", str(out), "--lang", "en")
    assert done.returncode == 0, done.stderr
    page = read(out.read_text(encoding="utf-8"))
    assert "Agreed time limits" in page.text
    assert "Time limits in force for Sri Lanka on 2024-01-01" in page.text


# -- the sliding scale ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_scale_says_not_assessed_where_the_index_would_stand(
    app: Retour, lang: Language
) -> None:
    found = cooperation.assess_period(app, "2023", profile=Profile.PUBLIC)
    data = cooperation.assessment_data(found)
    page = read(cooperation_report.scale_report(data, lang))
    figures = table_after(page, "Samenwerkingsindex per land" if lang == "nl" else "Cooperation")
    name = labels.country_name("NG", lang)
    row = next(r for r in figures if r and r[0] == name)
    assert NOT_ASSESSED_NG[lang] in row
    little = {"nl": "Te weinig gegevens", "en": "Too little data"}[lang]
    after = page.text.split(little)[-1] if little in page.text else ""
    assert name not in after.split(".")[0]  # not listed among those with too little data
    spec = charts.scale_chart(found.table, lang, period="2023")
    texts = [v["index_text"] for v in values_of(spec) if v.get("country") == "NG"]
    assert texts and set(texts) == {NOT_ASSESSED_NG[lang]}


# -- the model-free check beside the index ----------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_check_stands_beside_every_index_and_says_when_they_disagree(
    app: Retour, lang: Language
) -> None:
    """The brief's index table and chart render the published check columns: the check,
    its interval, and "disagrees" in words; the simulated world's quarters are too small for
    a check (fewer than 10 standard cases), so the rows are given checks here, as the
    published columns carry them."""
    view = cooperation.country_view(app, "MA", profile=Profile.PUBLIC)
    shown = view.index.filter(pl.col("index").is_not_null()).head(4)
    given = shown.with_columns(
        (pl.col("index") + 5).alias("check"),
        (pl.col("index") - 3).alias("check_lower"),
        (pl.col("index") + 12).alias("check_upper"),
        pl.Series("disagrees", [True, False, None, False]),
    )
    data = dataclasses.replace(cooperation.country_data(view), index=given)
    name = labels.country_name("MA", lang)
    table = cooperation_report.index_table(data, name, lang)
    check = table.headers.index(CHECK_HEAD[lang])
    for row, r in zip(table.rows, given.iter_rows(named=True), strict=True):
        assert row[check] == f"{r['check']:.0f}"
        assert row[check + 1] == f"{r['check_lower']:.0f}–{r['check_upper']:.0f}"
        word = {True: YES[lang], False: NO[lang], None: "–"}[r["disagrees"]]
        assert row[check + 2] == word
    spec = charts.index_chart(given, view.effects, lang, country=name)
    marks = [v for v in values_of(spec) if "check" in v and "agreement" in v]
    drawn = list({json.dumps(v, sort_keys=True): v for v in marks}.values())  # each layer's
    assert sorted(v["check"] for v in drawn) == sorted(given["check"].to_list())
    red = charts.t("disagrees_yes", lang)
    assert [v["agreement"] for v in drawn].count(red) == 1

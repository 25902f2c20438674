"""No chart text is cut: titles wrap into whole lines, axis and legend labels keep the
longest country names whole, and every text names the font its layout was measured in.
The charts are drawn as the dashboard draws them (vl-convert SVG) from real published
frames, with the longest country names of both languages. test_browser.py checks the same
SVGs in a real Chromium: every text's box inside the drawing's box."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from retour.disclosure import Profile
from retour.domain.countries import country_codes
from retour.reports import charts, labels
from retour.service import cooperation
from retour.service.context import Retour

from .conftest import load_figures

TEXT = re.compile(r"<text([^>]*)>(.*?)</text>", re.S)


def longest_codes(lang: str, n: int) -> list[str]:
    """The codes of the `n` countries with the longest names in `lang`."""
    ranked = sorted(country_codes(), key=lambda c: (-len(labels.country_name(c, lang)), c))
    return ranked[:n]


@dataclass(frozen=True)
class Drawn:
    name: str
    lang: str
    svg: str
    title: str
    countries: tuple[str, ...]  # names the chart must show whole


def drawn_charts(app: Retour) -> list[Drawn]:
    """Every chart of the dashboard in both languages, with the longest country names."""
    found = cooperation.assess_period(app, "2022", profile=Profile.INTERNAL)
    view = cooperation.country_view(app, "NG", profile=Profile.INTERNAL)
    out = []
    for lang in ("nl", "en"):
        codes = found.table["country"].to_list()
        longest = longest_codes(lang, len(codes))
        table = found.table.with_columns(
            pl.col("country").replace_strict(dict(zip(codes, longest, strict=True)))
        )
        names = tuple(labels.country_name(c, lang) for c in longest)
        country = labels.country_name(longest[0], lang)
        scale_title = charts.t("scale_title", lang, period=found.period.label)
        specs = {
            "scale": (charts.scale_chart(table, lang, period=found.period.label), scale_title),
            "index": (
                charts.index_chart(view.index, view.effects, lang, country=country),
                charts.t("index_title", lang, country=country),
            ),
            "answer_times": (
                charts.answer_time_chart(view.answer_curves, lang, country=country),
                charts.t("answer_title", lang, country=country),
            ),
            "outcomes": (
                charts.outcomes_chart(view.outcomes, lang, country=country),
                charts.t("outcomes_title", lang, country=country),
            ),
        }
        for name, (spec, title) in specs.items():
            shown = names if name == "scale" else ()
            out.append(Drawn(name, lang, charts.svg(spec), title, shown))
    return out


def texts(svg: str) -> list[tuple[str, str]]:
    """(attributes, text) of every text element of an SVG."""
    return [(attrs, html_lib.unescape(body)) for attrs, body in TEXT.findall(svg)]


#: The charts, drawn once for the module (the data are the same seeded dataset each time).
_DRAWN: list[Drawn] = []


@pytest.fixture
def drawn(retour_app: Retour, tmp_path: Path) -> list[Drawn]:
    if not _DRAWN:
        load_figures(retour_app, tmp_path / "dataset")
        _DRAWN.extend(drawn_charts(retour_app))
    return _DRAWN


def test_every_chart_of_both_languages_is_drawn(drawn: list[Drawn]) -> None:
    assert {(d.name, d.lang) for d in drawn} == {
        (n, lang) for n in ("scale", "index", "answer_times", "outcomes") for lang in ("nl", "en")
    }


def title_of(svg: str) -> list[str]:
    """The lines of a chart's title as drawn."""
    group = re.search(r'<g class="mark-text role-title-text".*?</g>', svg, re.S)
    assert group, "no title"
    lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", group.group(0))
    if not lines:  # one line: the text itself
        lines = re.findall(r"<text[^>]*>(.*?)</text>", group.group(0))
    return [html_lib.unescape(t) for t in lines]


def test_titles_wrap_into_whole_lines_within_the_width(drawn: list[Drawn]) -> None:
    for chart in drawn:
        lines = title_of(chart.svg)
        assert " ".join(lines) == chart.title, chart.name  # nothing cut, nothing lost
        assert all(len(line) <= charts.TITLE_CHARS for line in lines), lines
        wrapped = 2 if len(chart.title) > charts.TITLE_CHARS else 1
        assert len(lines) == len(charts.title_lines(chart.title)) >= wrapped, lines


def test_axis_labels_keep_the_longest_country_names_whole(drawn: list[Drawn]) -> None:
    for chart in (d for d in drawn if d.countries):
        shown = {t for _, t in texts(chart.svg)}
        missing = [n for n in chart.countries if n not in shown]
        assert not missing, (chart.lang, missing)
        assert not any(t.endswith("…") for t in shown), chart.lang


def test_every_text_names_the_font_its_layout_was_measured_in(drawn: list[Drawn]) -> None:
    for chart in drawn:
        fonts = {re.search(r'font-family="([^"]*)"', a).group(1) for a, _ in texts(chart.svg)}  # type: ignore[union-attr]
        assert fonts == {charts.FONT}, (chart.name, fonts)


def test_screen_readers_hear_words_not_field_names(drawn: list[Drawn]) -> None:
    for chart in drawn:
        described = re.findall(r'aria-label="([^"]*)"', chart.svg)
        marks = [d for d in described if ":" in d and not d.startswith(("X-axis", "Y-axis"))]
        for raw in ("upper:", "order:", "name:", "shown_effect", "_text:"):
            assert not any(raw in m for m in marks), (chart.name, chart.lang, raw)

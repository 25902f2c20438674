"""The EU context as the country report and page show it: chart, HTML fragment, caveat."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest

from retour.analysis import return_rate as rr
from retour.disclosure import DisclosureRules, Language, Profile
from retour.domain.errors import UsageError
from retour.reports import context as rc
from retour.service import outside
from retour.service.context import Retour

from .conftest import frame

STAMP = dt.datetime(2024, 1, 1, 12, 0)


def rates(focus: str = "NL") -> rr.ReturnRates:
    rows: list[dict[str, object]] = []
    for geo, year, ordered, returned, flag in [
        ("NL", "2012", 950, 300, None),
        ("NL", "2013", 1410, 255, "p"),
        ("BE", "2012", 7820, 410, None),
        ("BE", "2013", 100, 150, None),
        ("EU28", "2012", 35510, 14385, "d"),
        ("EU28", "2013", 29225, 12825, None),
    ]:
        rows.append(
            {
                "dataset": "migr_eiord",
                "geo": geo,
                "citizen": "MA",
                "period": year,
                "value": ordered,
                "flag": flag,
            }
        )
        rows.append(
            {
                "dataset": "migr_eirtn",
                "geo": geo,
                "citizen": "MA",
                "period": year,
                "value": returned,
            }
        )
    return rr.return_rates(frame(rows, imported_at=STAMP), "MA", focus=focus)


@pytest.mark.parametrize(("lang", "words"), [("nl", "geen cohortmaat"), ("en", "not a cohort")])
def test_caveat_in_both_languages(lang: Language, words: str) -> None:
    text = rc.caveat(lang)
    assert words in text and "100%" in text


def test_chart_is_a_vega_lite_spec_with_flags_in_the_tooltip() -> None:
    spec = rc.chart_spec(rates(), "en")
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    json.dumps(spec)  # plain JSON, for the page and the report alike
    values = [v for layer in spec["layer"] for v in layer.get("data", {}).get("values", [])]
    values += spec.get("data", {}).get("values", []) + [
        v for d in spec.get("datasets", {}).values() for v in d
    ]
    nl = [v for v in values if v.get("geo") == "NL"]
    assert {v["year"] for v in nl} == {"2012", "2013"}
    assert next(v for v in nl if v["year"] == "2013")["ordered"] == "1410 p"
    eu = [v for v in values if v.get("series") == "EU"]
    assert [v["ordered"] for v in eu] == ["35510 d", "29225"]
    assert "Morocco (MA)" in " ".join(spec["title"]["text"])  # a title of whole lines


def test_chart_renders_offline_as_svg() -> None:
    svg = rc.chart_svg(rates(), "nl")
    assert svg.lstrip().startswith("<svg") and "Nederland" in svg


def test_html_fragment_has_figures_flags_rank_and_caveat() -> None:
    fragment = rc.html_fragment(rates(), "nl", chart="none")
    assert fragment.startswith('<section class="eu-context" lang="nl">')
    assert fragment.rstrip().endswith("</section>")
    cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", fragment)
    assert cells[6:12] == ["2012", "950", "300", "31,6%", "1 van 2", "40,5% d"]
    assert cells[12:18] == ["2013", "1410 p", "255", "18,1%", "2 van 2", "43,9%"]
    assert html.escape(rc.caveat("nl")) in fragment
    assert "p: voorlopig" in fragment and "d: definitie wijkt af" in fragment
    english = rc.html_fragment(rates(), "en", chart="none", heading_level=3)
    assert "<h3>EU context (Eurostat)</h3>" in english and "not a cohort measure" in english


def test_html_fragment_embeds_the_chart() -> None:
    assert "<svg" in rc.html_fragment(rates(), "en", chart="svg")
    vega = rc.html_fragment(rates(), "en", chart="vega")
    spec = re.search(r'data-vega-lite="([^"]*)"', vega)
    assert spec is not None
    assert json.loads(html.unescape(spec.group(1)))["$schema"].startswith("https://vega")


def test_a_focus_without_figures_in_a_year_shows_not_available() -> None:
    fragment = rc.html_fragment(rates("FR"), "en", chart="none")
    assert '<th scope="row">2012</th><td class="num">:</td><td class="num">:</td>' in fragment


def test_country_context_refuses_a_confidential_country_when_given_rules(app: Retour) -> None:
    rules = DisclosureRules.from_settings(Profile.PUBLIC, ["MA", "DZ"])
    with pytest.raises(UsageError, match="confidential list"):
        outside.country_context(app, "MA", rules=rules)
    internal = DisclosureRules.from_settings(Profile.INTERNAL, ["MA", "DZ"])
    assert outside.country_context(app, "MA", rules=internal) is None  # no data yet
    with pytest.raises(UsageError, match="Unknown citizenship"):
        outside.country_context(app, "Morocco")

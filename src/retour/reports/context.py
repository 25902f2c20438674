"""The EU context of a country: Eurostat's orders to leave, returns and return rate, rendered.

For the command line (texts), the country report and the country page (an HTML fragment and
a Vega-Lite chart, the same specification in both). Dutch and English; every figure keeps
Eurostat's flag beside it (``950 d``), and every rendering carries the caveat that the rate
is not a cohort measure.

Input is :class:`retour.analysis.return_rate.ReturnRates`, which the service has already
checked against the publication profile (a confidential country is never named under the
parliament and public profiles). Eurostat's figures are published figures: they are shown
as Eurostat publishes them, not rounded or suppressed again.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import polars as pl

from retour.analysis.return_rate import (
    GEO,
    ORDERED,
    ORDERED_FLAG,
    RANK,
    RANKED,
    RETURN_RATE,
    RETURNED,
    RETURNED_FLAG,
    YEAR,
    ReturnRates,
)
from retour.disclosure import DisclosureRules, Language, Profile
from retour.domain.eurostat import EUROSTAT_TO_ISO, EurostatAggregate, EurostatFlag
from retour.reports import charts, html, labels
from retour.reports.document import Chart, Notes, Paragraph, Section, Table
from retour.reports.messages import N_, _, percent
from retour.reports.safe_json import script_json

#: Eurostat's "not available".
NOT_AVAILABLE: Final = ":"

CAVEAT: Final = N_(
    "Eurostat's return rate is the number of persons returned in a year "
    "divided by the number ordered to leave in that same year. It is not a "
    "cohort measure: persons returned in a year may have been ordered to "
    "leave in an earlier year, so the rate may exceed 100%. Eurostat rounds"
    " both figures (to fives), and member states do not count in the same "
    "way."
)

RANK_NOTE: Final = N_(
    "Rank: place among the reporting states (not EU aggregates) with both "
    "figures; 1 = highest rate."
)

SOURCE: Final = N_("Source: Eurostat, migr_eiord (ordered to leave) and migr_eirtn (returned)")

TITLE: Final = N_("Eurostat: ordered to leave and returned, citizens of {citizen}, {years}")

HEADING: Final = N_("EU context (Eurostat)")

COLUMNS: Final[dict[str, str]] = {
    GEO: N_("Reporting state"),
    YEAR: N_("Year"),
    ORDERED: N_("Ordered to leave"),
    RETURNED: N_("Returned"),
    RETURN_RATE: N_("Return rate"),
    RANK: N_("Rank"),
    "eu_rate": N_("EU rate"),
}

FLAG_LABELS: Final[dict[str, str]] = {
    EurostatFlag.BREAK: N_("break in time series"),
    EurostatFlag.CONFIDENTIAL: N_("confidential"),
    EurostatFlag.DEFINITION_DIFFERS: N_("definition differs"),
    EurostatFlag.ESTIMATED: N_("estimated"),
    EurostatFlag.FORECAST: N_("forecast"),
    EurostatFlag.SEE_METADATA: N_("see metadata"),
    EurostatFlag.NOT_SIGNIFICANT: N_("not significant"),
    EurostatFlag.PROVISIONAL: N_("provisional"),
    EurostatFlag.REVISED: N_("revised"),
    EurostatFlag.EUROSTAT_ESTIMATE: N_("Eurostat estimate"),
    EurostatFlag.LOW_RELIABILITY: N_("low reliability"),
    EurostatFlag.NOT_APPLICABLE: N_("not applicable"),
}

AGGREGATE_NAMES: Final[dict[str, str]] = {
    EurostatAggregate.EU27_2020: N_("EU (27 countries, from 2020)"),
    EurostatAggregate.EU28: N_("EU (28 countries, 2013-2020)"),
    EurostatAggregate.EU27_2007: N_("EU (27 countries, 2007-2013)"),
    EurostatAggregate.EFTA: N_("EFTA"),
}

OTHER_STATES: Final = N_("other reporting states")

#: Colours of the chart: the focus state, the EU aggregate, the other states.
COLOURS: Final = ("#01689b", "#535353", "#b4b4b4")

ChartMode = Literal["svg", "vega", "none"]


# -- names and values --------------------------------------------------------------------------


def geo_name(code: str, lang: Language) -> str:
    """The name of a reporting state or aggregate in Eurostat's codes (EL, UK, EU28)."""
    if code in AGGREGATE_NAMES:
        return _(AGGREGATE_NAMES[code], lang)
    return labels.country_name(EUROSTAT_TO_ISO.get(code, code), lang)


def citizen_name(code: str, lang: Language) -> str:
    """A citizenship in the exchange format's codes, or one of Eurostat's groups."""
    groups = {
        "TOTAL": N_("all citizenships"),
        "RNC": N_("recognised non-citizens"),
        "EXT_EU27_2020": N_("non-EU (27 countries)"),
        "EXT_EU28": N_("non-EU (28 countries)"),
    }
    if code in groups:
        return _(groups[code], lang)
    return labels.country_name(code, lang)


def named(code: str, name: str) -> str:
    return name if name == code else f"{name} ({code})"


def value_text(value: int | None, flag: str | None) -> str:
    """A figure as Eurostat writes it: ``950``, ``950 d``, ``:`` or ``: c``."""
    shown = NOT_AVAILABLE if value is None else f"{value}"
    return f"{shown} {flag}" if flag else shown


def rate_text(rate: float | None, lang: Language) -> str:
    """``31.6%`` (en) or ``31,6%`` (nl); empty when there is no rate."""
    if rate is None:
        return ""
    return percent(rate, 1, lang)


def flagged(shown: str, row: dict[str, Any]) -> str:
    """A rate with the flags of the figures it comes from: ``40,5% d``."""
    flags = sorted(set((row[ORDERED_FLAG] or "") + (row[RETURNED_FLAG] or "")))
    return f"{shown} {''.join(flags)}" if flags and shown else shown


def rank_text(rank: int | None, ranked: int | None, lang: Language) -> str:
    if rank is None or not ranked:
        return ""
    return _("{rank} of {ranked}", lang, rank=rank, ranked=ranked)


def flag_label(flag: str, lang: Language) -> str:
    """What one of Eurostat's flags means: ``d`` -> ``definitie wijkt af``."""
    return _(FLAG_LABELS[EurostatFlag(flag)], lang)


def flag_legend(flags: list[str], lang: Language) -> list[str]:
    """One line per flag that appears: ``d: definitie wijkt af``."""
    return [f"{f}: {flag_label(f, lang)}" for f in flags]


def caveat(lang: Language) -> str:
    return _(CAVEAT, lang)


def title(rates: ReturnRates, lang: Language) -> str:
    name = named(rates.citizen, citizen_name(rates.citizen, lang))
    years = labels.years_text(list(rates.years)) if rates.years else ""
    return _(TITLE, lang, citizen=name, years=years)


def profile_line(rules: DisclosureRules, lang: Language) -> str:
    """What the profile did to this output (it differs from retour's own figures)."""
    if rules.profile is Profile.INTERNAL:
        what = _("internal, not for publication.", lang)
    else:
        what = _(
            "figures as Eurostat publishes them; countries on the confidential list are not named.",
            lang,
        )
    return _("Profile: {profile} — {what}", lang, profile=rules.profile.value, what=what)


def rank_lines(rates: ReturnRates, lang: Language) -> list[str]:
    """Per year, where the focus state ranks: ``2012: NL 18 van 24 (31,6%)``."""
    lines = []
    focus = rates.focus_rows()
    for year in rates.years:
        row = focus.filter(pl.col(YEAR) == year)
        if not row.is_empty() and row.item(0, "aggregate"):
            unranked = _("aggregate, not ranked", lang)
            rate = rate_text(row.item(0, RETURN_RATE), lang) or NOT_AVAILABLE
            lines.append(f"{year}: {rates.focus} {rate} ({unranked})")
            continue
        if row.is_empty() or row.item(0, RANK) is None:
            lines.append(_("{year}: {focus} no rate", lang, year=year, focus=rates.focus))
            continue
        rank = rank_text(row.item(0, RANK), row.item(0, RANKED), lang)
        lines.append(f"{year}: {rates.focus} {rank} ({rate_text(row.item(0, RETURN_RATE), lang)})")
    return lines


def notes(rates: ReturnRates, lang: Language) -> list[str]:
    """The caveat, the rank note, the flags that appear, the source: under every table."""
    found = flag_legend(rates.flags(), lang)
    lines = [caveat(lang), _(RANK_NOTE, lang)]
    if found:
        lines.append(_("Flags: {flags}.", lang, flags="; ".join(found)))
    lines.append(
        _(
            "':' = not available (not zero); a rate is missing when either figure is "
            "missing or nobody was ordered to leave.",
            lang,
        )
    )
    if rates.duplicates:
        lines.append(
            _(
                "{n} figures were imported in more than one form; the latest import was used.",
                lang,
                n=rates.duplicates,
            )
        )
    sources = f" ({', '.join(rates.sources)})" if rates.sources else ""
    lines.append(_(SOURCE, lang) + sources + ".")
    return lines


# -- the chart -----------------------------------------------------------------------------------


def chart_values(rates: ReturnRates, lang: Language) -> list[dict[str, Any]]:
    """The chart's data: every reporting state with a rate, and one EU aggregate per year."""
    focus_name = geo_name(rates.focus, lang)
    eu = rates.eu_rows().filter(pl.col(RETURN_RATE).is_not_null())
    states = rates.rows.filter(~pl.col("aggregate"), pl.col(RETURN_RATE).is_not_null())
    values = []
    for series, frame in (("eu", eu), ("state", states)):
        for row in frame.iter_rows(named=True):
            group = (
                focus_name
                if row[GEO] == rates.focus
                else _(OTHER_STATES, lang)
                if series == "state"
                else "EU"
            )
            values.append(
                {
                    "geo": row[GEO],
                    "name": geo_name(row[GEO], lang),
                    "series": group,
                    "year": str(row[YEAR]),
                    "rate": row[RETURN_RATE],
                    "ordered": value_text(row[ORDERED], row[ORDERED_FLAG]),
                    "returned": value_text(row[RETURNED], row[RETURNED_FLAG]),
                    "rank": rank_text(row[RANK], row[RANKED], lang),
                }
            )
    return values


def chart_spec(rates: ReturnRates, lang: Language = "nl") -> dict[str, Any]:
    """A Vega-Lite specification (built with Altair): the focus state's rate per year, the EU
    aggregate's, and the other reporting states as grey points; flags in the tooltip."""
    import altair as alt  # only where a chart is drawn: it is slow to import

    focus_name = geo_name(rates.focus, lang)
    others = _(OTHER_STATES, lang)
    data = {"values": chart_values(rates, lang)}
    rate_title = _(COLUMNS[RETURN_RATE], lang)
    x = alt.X("year:O", title=_(COLUMNS[YEAR], lang), axis=alt.Axis(labelAngle=0))
    y = alt.Y("rate:Q", title=rate_title, axis=alt.Axis(format="%"))
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=[focus_name, "EU", others], range=list(COLOURS)),
        legend=alt.Legend(orient="bottom"),
    )
    tooltip = [
        alt.Tooltip("name:N", title=_(COLUMNS[GEO], lang)),
        alt.Tooltip("year:O", title=_(COLUMNS[YEAR], lang)),
        alt.Tooltip("ordered:N", title=_(COLUMNS[ORDERED], lang)),
        alt.Tooltip("returned:N", title=_(COLUMNS[RETURNED], lang)),
        alt.Tooltip("rate:Q", title=rate_title, format=".1%"),
        alt.Tooltip("rank:N", title=_(COLUMNS[RANK], lang)),
    ]
    base = alt.Chart(data).encode(x=x, y=y, color=colour, tooltip=tooltip)
    points = base.mark_point(filled=True, opacity=0.6, size=30).transform_filter(
        alt.datum.series == others
    )
    eu = base.mark_line(point=True, strokeDash=[4, 3]).transform_filter(alt.datum.series == "EU")
    focus = base.mark_line(point=True, strokeWidth=2.5).transform_filter(
        alt.datum.series == focus_name
    )
    hundred = (
        alt.Chart({"values": [{"rate": 1.0}]})
        .mark_rule(strokeDash=[2, 2], color="#999999")
        .encode(y="rate:Q")
    )
    chart = alt.layer(points, eu, focus, hundred).properties(
        title=title(rates, lang), width=480, height=260
    )
    return charts.fitted(dict(chart.to_dict()), width=480)  # no text outside the drawing


def chart_svg(rates: ReturnRates, lang: Language = "nl") -> str:
    """The chart as SVG, drawn offline with vl-convert (for static reports)."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(chart_spec(rates, lang)))


# -- the table ------------------------------------------------------------------------------------


def table_cells(
    rates: ReturnRates, lang: Language
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The headers and, per year, the focus state's figures with their flags, its rate and
    rank, and the EU aggregate's rate: the same cells in the page, the brief and the .docx."""
    focus = rates.focus_rows()
    eu = rates.eu_rows()
    head = tuple(
        _(COLUMNS[c], lang) for c in (YEAR, ORDERED, RETURNED, RETURN_RATE, RANK, "eu_rate")
    )
    rows = []
    for year in rates.years:
        mine = focus.filter(pl.col(YEAR) == year)
        theirs = eu.filter(pl.col(YEAR) == year)
        if mine.is_empty():
            cells = [str(year), NOT_AVAILABLE, NOT_AVAILABLE, "", ""]
        else:
            r = mine.row(0, named=True)
            cells = [
                str(year),
                value_text(r[ORDERED], r[ORDERED_FLAG]),
                value_text(r[RETURNED], r[RETURNED_FLAG]),
                rate_text(r[RETURN_RATE], lang),
                rank_text(r[RANK], r[RANKED], lang),
            ]
        if theirs.is_empty():
            cells.append("")
        else:
            aggregate = theirs.row(0, named=True)
            cells.append(flagged(rate_text(aggregate[RETURN_RATE], lang), aggregate))
        rows.append(tuple(cells))
    return head, rows


def section(rates: ReturnRates, lang: Language = "nl") -> Section:
    """The EU context as a section of a brief: the table, the chart, the caveat and notes."""
    head, rows = table_cells(rates, lang)
    focus_name = named(rates.focus, geo_name(rates.focus, lang))
    caption = f"{title(rates, lang)} — {focus_name}"
    return Section(
        _(HEADING, lang),
        (
            Table(caption, head, tuple(rows), key="eu-context"),
            Chart("eu-context", chart_spec(rates, lang), title(rates, lang)),
            Paragraph(caveat(lang)),
            Notes(tuple(notes(rates, lang)[1:])),
        ),
    )


# -- the HTML fragment ---------------------------------------------------------------------------


def html_fragment(
    rates: ReturnRates, lang: Language = "nl", *, chart: ChartMode = "svg", heading_level: int = 2
) -> str:
    """A ``<section>`` for the country report and the country page: per year the focus
    state's figures with their flags, its rate and rank, the EU aggregate's rate; the chart
    (inline SVG, or a ``<div data-vega-lite>`` for a page that embeds Vega itself); the
    caveat, the flags and the source. The template ``eu_context.html`` escapes every text."""
    head, cells = table_cells(rates, lang)
    eu = rates.eu_rows()
    rows = []
    for year, row_cells in zip(rates.years, cells, strict=True):
        theirs = eu.filter(pl.col(YEAR) == year)
        eu_title = "" if theirs.is_empty() else geo_name(theirs.item(0, GEO), lang)
        rows.append(
            {
                "year": row_cells[0],
                "cells": row_cells[1:-1],
                "eu": row_cells[-1],
                "eu_title": eu_title,
            }
        )
    return html.render(
        "eu_context.html",
        lang=lang,
        level=heading_level,
        heading=_(HEADING, lang),
        title=title(rates, lang),
        focus_name=named(rates.focus, geo_name(rates.focus, lang)),
        head=head,
        rows=rows,
        chart=chart,
        svg=html.markup(chart_svg(rates, lang)) if chart == "svg" else "",
        spec=script_json(chart_spec(rates, lang)) if chart == "vega" else "",
        caveat=caveat(lang),
        notes=notes(rates, lang)[1:],
    )

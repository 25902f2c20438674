"""The cooperation reports as self-contained HTML: the sliding scale, and one country.

A page works offline on a closed network: it carries vl-convert's JavaScript bundle (Vega,
Vega-Lite, vega-embed) inline, the chart specifications of :mod:`retour.reports.charts`
as JSON, and, for readers without JavaScript (or a printer), every chart as SVG. Nothing is
loaded from elsewhere.

The data come from the service, already through the publication profile: a confidential
country is not in them by name. Every page states the profile, the extraction date and, for
a database of simulated data, "gesimuleerde gegevens / simulated data" at the top.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import polars as pl

from retour.analysis.periods import Period
from retour.analysis.return_rate import ReturnRates
from retour.disclosure import DisclosedTable, DisclosureRules, Language, Note
from retour.reports import charts, labels
from retour.reports import context as eu_context
from retour.reports.charts import Spec

Pair = tuple[str, str]

SIMULATED: Final = labels.SIMULATED

TEXT: Final[dict[str, Pair]] = {
    "scale_heading": ("Samenwerking van landen van herkomst", "Cooperation of countries of origin"),
    "country_heading": ("Samenwerking van {country}", "Cooperation of {country}"),
    "meta": ("Periode {period} · stand per {as_of}", "Period {period} · as of {as_of}"),
    "meta_country": ("Stand per {as_of}", "As of {as_of}"),
    "intro": (
        "De index is de geschatte kans (0-100) dat een verzoek om een standaardzaak -- "
        "met een (kopie van een) paspoort of identiteitskaart, voor een vreemdeling die "
        "meewerkt -- binnen 90 dagen een positief antwoord krijgt. Zo meet de index het land, "
        "niet de mix van zaken die het krijgt. Een punt is de schatting, de lijn eromheen "
        "het {level}%-interval; de pijl de ontwikkeling sinds de vorige periode. Er is geen "
        "lijst van landen die wel of niet meewerken: het is een glijdende schaal die in de "
        "tijd verandert.",
        "The index is the estimated chance (0-100) that a request for a standard case -- with "
        "a (copy of a) passport or identity card, for a person who cooperates -- gets a "
        "positive answer within 90 days. It thus measures the country, not the mix of cases "
        "it is sent. A point is the estimate, the line around it the {level}% interval; the "
        "arrow the trend since the previous period. There is no list of countries that do or "
        "do not cooperate: it is a sliding scale that changes over time.",
    ),
    "figures": ("Cijfers", "Figures"),
    "too_little": ("Te weinig gegevens", "Too little data"),
    "too_little_text": (
        "Voor deze landen zeggen de gegevens te weinig voor een index: te weinig verzoeken of "
        "een te breed interval.",
        "For these countries the data say too little for an index: too few requests or too "
        "wide an interval.",
    ),
    "about": ("Over deze cijfers", "About these figures"),
    "naive_note": (
        "Het ruwe aandeel positieve antwoorden hangt vooral af van de zaken: wie zijn "
        "identiteit verbergt, krijgt zelden een positief antwoord. De index houdt rekening "
        "met het bewijs van identiteit, de medewerking van de vreemdeling en de soort "
        "verzoek, met verzoeken die nog lopen, en trekt landen met weinig verzoeken naar het "
        "gemiddelde. Zie de methodenotitie (docs/cooperation-index.md).",
        "The raw share of positive answers depends mostly on the cases: whoever hides their "
        "identity rarely gets a positive answer. The index accounts for the identity "
        "evidence, the person's cooperation and the kind of request, for requests still "
        "pending, and pulls countries with few requests towards the average. See the method "
        "note (docs/cooperation-index.md).",
    ),
    "index_section": ("De index door de tijd", "The index over time"),
    "answers_section": ("Antwoordtijden", "Answer times"),
    "outcomes_section": ("Antwoorden en redenen", "Answers and reasons"),
    "effects_section": ("Instrumenten", "Instruments"),
    "effects_text": (
        "Het effect is de verandering van de index in punten die aan het instrument is toe "
        "te schrijven: de verandering van het land van het jaar ervoor tot het jaar erna, min "
        "die van vergelijkbare landen zonder instrument; het interval ({level}%) bevat de "
        "gewone schommeling van landen van jaar tot jaar.",
        "The effect is the change of the index in points attributable to the instrument: "
        "the country's change from the year before to the year after, minus that of "
        "comparable countries without an instrument; the interval ({level}%) includes the "
        "ordinary year-to-year drift of countries.",
    ),
    "no_instruments": ("Geen instrumenten bekend.", "No instruments recorded."),
    "kind": ("Soort verzoek: {kind}", "Kind of request: {kind}"),
}

COLUMNS: Final[dict[str, Pair]] = {
    "name": ("Land", "Country"),
    "index": ("Index", "Index"),
    "interval": ("Interval", "Interval"),
    "trend": ("Ontwikkeling", "Trend"),
    "n_requests": ("Verzoeken", "Requests"),
    "answer_rate_90d": ("Beantwoord ≤ 90 d", "Answered ≤ 90 d"),
    "median_days_to_answer": ("Mediaan dagen", "Median days"),
    "confirmation_observed": ("Bevestigd", "Confirmed"),
    "confirmation_expected": ("Verwacht", "Expected"),
    "document_within_30d": ("Document ≤ 30 d", "Document ≤ 30 d"),
    "naive_positive_share": ("Ruw aandeel positief", "Raw positive share"),
    "period": ("Periode", "Period"),
    "instrument_id": ("Instrument", "Instrument"),
    "title": ("Omschrijving", "Description"),
    "start_on": ("Start", "Start"),
    "effect": ("Effect (punten)", "Effect (points)"),
    "verdict": ("Oordeel", "Verdict"),
}

STYLE: Final = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:62rem;padding:0 1rem;color:#24292f;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}
.simulated{background:#fff3cd;border:1px solid #e0b000;padding:.4rem .7rem;font-weight:600}
.meta{color:#57606a;margin-top:0}.chart{margin:1rem 0}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border-bottom:1px solid #d0d7de;padding:.25rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f6f8fa}
.muted{color:#6e7781}.notes li{margin:.2rem 0}
"""


def _t(key: str, lang: Language, **values: object) -> str:
    pair = TEXT[key]
    return (pair[0] if lang == "nl" else pair[1]).format(**values)


def _c(key: str, lang: Language) -> str:
    pair = COLUMNS[key]
    return pair[0] if lang == "nl" else pair[1]


@dataclass(frozen=True, slots=True)
class ScaleData:
    """What the sliding-scale report shows (already through the profile)."""

    period: str
    kind: str
    table: pl.DataFrame
    history: pl.DataFrame
    rules: DisclosureRules
    simulated: bool
    as_of: dt.date
    level: float
    notes: tuple[Note, ...]


@dataclass(frozen=True, slots=True)
class CountryData:
    """What the country report shows (already through the profile)."""

    country: str
    index: pl.DataFrame
    answer_curves: pl.DataFrame
    outcomes: DisclosedTable
    effects: pl.DataFrame
    rules: DisclosureRules
    simulated: bool
    as_of: dt.date
    level: float
    effect_level: float
    notes: tuple[Note, ...]
    #: Eurostat's return rate for the country across member states, when imported.
    eu_context: ReturnRates | None = None


# -- page parts ----------------------------------------------------------------------------------


@cache
def _bundle() -> str:
    import vl_convert

    snippet = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
    return str(vl_convert.javascript_bundle(snippet)).replace("</script", "<\\/script")


def _json_script(spec: Spec) -> str:
    return json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")


def _chart(key: str, spec: Spec) -> str:
    """A div the bundle draws the chart in, the spec as JSON, and the SVG for no script."""
    return (
        f'<div class="chart" id="chart-{key}"></div>'
        f'<script type="application/json" id="spec-{key}">{_json_script(spec)}</script>'
        f"<noscript>{charts.svg(spec)}</noscript>"
    )


EMBED: Final = """<script>
document.querySelectorAll('script[id^="spec-"]').forEach(function (node) {
  var key = node.id.slice(5);
  vegaEmbed('#chart-' + key, JSON.parse(node.textContent), {actions: false, renderer: 'svg'});
});
</script>"""


def _page(title: str, lang: Language, body: list[str]) -> str:
    return "\n".join(
        [
            "<!doctype html>",
            f'<html lang="{lang}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title><style>{STYLE}</style>",
            f"<script>{_bundle()}</script></head><body>",
            *body,
            EMBED,
            "</body></html>",
        ]
    )


def _header(title: str, meta: str, rules: DisclosureRules, simulated: bool, lang: Language) -> str:
    parts = [f"<header><h1>{html.escape(title)}</h1>"]
    if simulated:
        parts.append(f'<p class="simulated">{html.escape(SIMULATED)}</p>')
    parts.append(f'<p class="meta">{html.escape(meta)}<br>')
    parts.append(f"{html.escape(labels.profile_line(rules, lang))}</p></header>")
    return "".join(parts)


def _table(frame: pl.DataFrame, lang: Language) -> str:
    head = "".join(f"<th>{html.escape(_c(c, lang))}</th>" for c in frame.columns)
    rows = []
    for row in frame.iter_rows():
        cells = "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _notes(notes: tuple[Note, ...], extra: list[str], lang: Language) -> str:
    items = [n.text(lang) for n in notes] + extra
    return '<ul class="notes">' + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def _pct(value: Any) -> str:
    return charts.DASH if value is None else f"{round(float(value) * 100)}%"


def _num(value: Any, digits: int = 0) -> str:
    if value is None:
        return charts.DASH
    return f"{float(value):.{digits}f}"


def figures_frame(table: pl.DataFrame, lang: Language) -> pl.DataFrame:
    """The figures table of the scale report: strings, too little data said in words."""
    names = {c: labels.country_name(c, lang) for c in table["country"].unique().to_list()}
    too_little = _t("too_little", lang).lower()
    rows = []
    ordered = table.with_columns(
        pl.col("country").replace_strict(names, return_dtype=pl.String).alias("_name")
    ).sort("_name")
    for r in ordered.iter_rows(named=True):
        shown = r["index"] is not None
        rows.append(
            {
                "name": names[r["country"]],
                "index": _num(r["index"]) if shown else too_little,
                "interval": f"{_num(r['lower'])}{charts.DASH}{_num(r['upper'])}" if shown else "",
                "trend": charts.TREND_ARROW.get(r["trend"] or "", ""),
                "n_requests": charts.DASH if r["n_requests"] is None else str(r["n_requests"]),
                "answer_rate_90d": _pct(r["answer_rate_90d"]),
                "median_days_to_answer": _num(r["median_days_to_answer"]),
                "confirmation_observed": _pct(r["confirmation_observed"]),
                "confirmation_expected": _pct(r["confirmation_expected"]),
                "document_within_30d": _pct(r["document_within_30d"]),
                "naive_positive_share": _pct(r["naive_positive_share"]),
            }
        )
    columns = list(COLUMNS)[:11]
    return (
        pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")
        if rows
        else (pl.DataFrame(schema={c: pl.String for c in columns}))
    )


# -- the reports ----------------------------------------------------------------------------------


def scale_report(data: ScaleData, lang: Language = "nl") -> str:
    """The sliding scale of one period: chart, figures, too little data, notes."""
    level = round(data.level * 100)
    title = f"{_t('scale_heading', lang)} — {data.period}"
    meta = _t("meta", lang, period=data.period, as_of=data.as_of.isoformat())
    if data.kind != "all":
        meta += " · " + _t("kind", lang, kind=labels.code_label(data.kind, lang))
    spec = charts.scale_chart(data.table, lang, level=data.level, period=data.period)
    little = data.table.filter(pl.col("index").is_null() & (pl.col("n_requests") > 0))
    little_names = sorted(labels.country_name(c, lang) for c in little["country"].to_list())
    body = [
        _header(title, meta, data.rules, data.simulated, lang),
        f"<p>{html.escape(_t('intro', lang, level=level))}</p>",
        _chart("scale", spec),
        f"<h2>{html.escape(_t('figures', lang))}</h2>",
        _table(figures_frame(data.table, lang), lang),
    ]
    if little_names:
        body += [
            f"<h2>{html.escape(_t('too_little', lang))}</h2>",
            f"<p>{html.escape(_t('too_little_text', lang))}</p>",
            f"<p>{html.escape(', '.join(little_names))}</p>",
        ]
    body += [
        f"<h2>{html.escape(_t('about', lang))}</h2>",
        _notes(data.notes, [_t("naive_note", lang)], lang),
    ]
    return _page(title, lang, body)


def country_report(data: CountryData, lang: Language = "nl") -> str:
    """One country: the index over time, answer times, answers and reasons, instruments."""
    name = labels.country_name(data.country, lang)
    title = _t("country_heading", lang, country=name)
    meta = _t("meta_country", lang, as_of=data.as_of.isoformat())
    body = [
        _header(title, meta, data.rules, data.simulated, lang),
        f"<p>{html.escape(_t('intro', lang, level=round(data.level * 100)))}</p>",
        f"<h2>{html.escape(_t('index_section', lang))}</h2>",
        _chart(
            "index",
            charts.index_chart(data.index, data.effects, lang, level=data.level, country=name),
        ),
        f"<h2>{html.escape(_t('answers_section', lang))}</h2>",
        _chart("answers", charts.answer_time_chart(data.answer_curves, lang, country=name)),
        f"<h2>{html.escape(_t('outcomes_section', lang))}</h2>",
        _chart("outcomes", charts.outcomes_chart(data.outcomes, lang, country=name)),
        _disclosed(data.outcomes, lang),
        f"<h2>{html.escape(_t('effects_section', lang))}</h2>",
    ]
    if data.effects.is_empty():
        body.append(f"<p>{html.escape(_t('no_instruments', lang))}</p>")
    else:
        effect_level = round(data.effect_level * 100)
        body += [
            f"<p>{html.escape(_t('effects_text', lang, level=effect_level))}</p>",
            _chart(
                "effects",
                charts.effects_chart(
                    data.effects,
                    lang,
                    level=data.effect_level,
                    country=name,
                    span=_span(data.index, data.effects),
                ),
            ),
            _table(_effects_frame(data.effects, lang), lang),
        ]
    if data.eu_context is not None:
        body.append(eu_context.html_fragment(data.eu_context, lang, chart="svg", heading_level=2))
    body += [
        f"<h2>{html.escape(_t('about', lang))}</h2>",
        _notes(data.notes, [*data.outcomes.notes_in(lang), _t("naive_note", lang)], lang),
    ]
    return _page(title, lang, body)


def _span(index: pl.DataFrame, effects: pl.DataFrame) -> tuple[dt.date, dt.date] | None:
    """From the first period of the index (or instrument) to the last."""
    firsts = [Period.parse(str(p)).first_day for p in index["period"].head(1).to_list()]
    lasts = [Period.parse(str(p)).last_day for p in index["period"].tail(1).to_list()]
    starts = effects["start_on"].drop_nulls().to_list()
    if not (firsts or starts):
        return None
    return min([*firsts, *starts]), max([*lasts, *starts])


def _disclosed(table: DisclosedTable, lang: Language) -> str:
    frame = table.to_display_frame(lang)
    answer = table.row_dims[0]
    frame = frame.with_columns(
        pl.col(answer).map_elements(
            lambda v: charts.answer_label(v, lang) if v else v, return_dtype=pl.String
        )
    )
    head = "".join(
        f"<th>{html.escape(_c('title', lang) if c == answer else str(c))}</th>"
        for c in frame.columns
    )
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in r)
        + "</tr>"
        for r in frame.iter_rows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _effects_frame(effects: pl.DataFrame, lang: Language) -> pl.DataFrame:
    verdicts = {k: (v[0] if lang == "nl" else v[1]) for k, v in charts.VERDICT_TEXT.items()}
    rows = [
        {
            "instrument_id": r["instrument_id"],
            "title": r["title"],
            "start_on": r["start_on"].isoformat(),
            "effect": charts.DASH
            if r["effect"] is None
            else f"{r['effect']:+.1f} ({r['lower']:+.1f} {charts.DASH} {r['upper']:+.1f})",
            "verdict": verdicts.get(r["verdict"], r["verdict"]),
        }
        for r in effects.sort("start_on").iter_rows(named=True)
    ]
    return pl.DataFrame(rows, schema={c: pl.String for c in rows[0]}, orient="row")

"""Every chart of the cooperation index, as a Vega-Lite specification (built with Altair).

One module, so that the static reports and the web dashboard draw the same charts: each
function takes the frames the service hands out (already through the publication profile)
and a language, and returns a plain Vega-Lite dict. :func:`svg` renders one offline through
vl-convert; HTML pages embed the dict with vl-convert's JavaScript bundle.

- :func:`scale_chart` -- the sliding scale of the letter to Parliament: every country as a
  point with its interval on 0-100, the components on hover, a trend arrow. Countries are
  listed by index (highest first, too little data last) or by name: a scale with
  intervals, not a verdict.
- :func:`index_chart` -- one country's index over time with its band, and its instruments
  as marks on the time axis.
- :func:`answer_time_chart` -- the share answered by day, per year of submission.
- :func:`outcomes_chart` -- requests per year by answer and reason (disclosed counts).
- :func:`effects_chart` -- instruments on a timeline with their estimated effects.
- :func:`event_study_chart` -- the event study of each instrument: the change of the index
  quarter by quarter from four before to six after its start, with intervals.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from enum import StrEnum
from typing import Any, Final

import polars as pl

from retour.analysis.effects import NOTE_SEPARATOR, UNDETECTABLE, Verdict
from retour.analysis.index import Trend
from retour.analysis.periods import Period
from retour.disclosure import IS_TOTAL, DisclosedTable, Language
from retour.domain.codes import Outcome
from retour.reports import labels
from retour.reports import terms as terms_text
from retour.reports.messages import N_, _, decimal, decimal_sign

Spec = dict[str, Any]

TEXT: Final[dict[str, str]] = {
    "index": N_("Cooperation index (0-100)"),
    "country": N_("Country"),
    "interval": N_("{level}% interval"),
    "requests": N_("Requests"),
    "answer_rate": N_("Answered within 90 days"),
    "median": N_("Median days to an answer"),
    "confirmed": N_("Confirmed of the answers"),
    "expected": N_("Expected for this case mix"),
    "document": N_("Document within 30 days of positive"),
    "naive": N_("Raw positive share"),
    "trend": N_("Trend"),
    "period": N_("Period"),
    "days": N_("Days after submission"),
    "answered": N_("Share answered"),
    "year": N_("Year of submission"),
    "answer": N_("Answer"),
    "effect": N_("Effect on the index (points)"),
    "start": N_("Start"),
    "instrument": N_("Instrument"),
    "verdict": N_("Verdict"),
    "kind": N_("Kind"),
    "description": N_("Description"),
    "not_shown": N_("not shown"),
    "scale_title": N_(
        "Cooperation by country, {period}: chance of a positive answer within "
        "90 days for a standard case"
    ),
    "index_title": N_("Cooperation index of {country} by quarter"),
    "index_none": N_("Too little data for an index in every quarter"),
    "too_little_data": N_("too little data"),
    "answer_title": N_("Answer times of {country}"),
    "outcomes_title": N_("Requests to {country} by answer"),
    "effects_title": N_("Instruments for {country} and their estimated effect"),
    "event_title": N_("Change of the index of {country} around the start of each instrument"),
    "quarter_offset": N_("Quarters from the start"),
    "check": N_("Check from the data alone"),
    "disagrees_yes": N_("disagrees with the index"),
    "disagrees_no": N_("agrees with the index"),
    "change": N_("Change of the index (points)"),
    "started": N_("start"),
}

#: The codes of instruments (kind, level, status) in words.
INSTRUMENT_TEXT: Final[dict[str, str]] = {
    "visa_measure": N_("visa measure"),
    "readmission_agreement": N_("readmission agreement"),
    "partnership": N_("partnership"),
    "trade_preference": N_("trade preference"),
    "working_arrangement": N_("working arrangement"),
    "diplomatic": N_("diplomatic"),
    "operational": N_("operational"),
    "bilateral": N_("bilateral"),
    "benelux": N_("Benelux"),
    "eu": N_("EU"),
    "proposed": N_("proposed"),
    "in_force": N_("in force"),
    "ended": N_("ended"),
}

TREND_ARROW: Final[dict[str, str]] = {
    Trend.UP.value: "↑",
    Trend.DOWN.value: "↓",
    Trend.STEADY.value: "→",
}
TREND_COLOR: Final = ("#1a7f37", "#b42318", "#b0b7bf")  # up, down, steady
TREND_TEXT: Final[dict[str, str]] = {
    Trend.UP.value: N_("up"),
    Trend.DOWN.value: N_("down"),
    Trend.STEADY.value: N_("no clear change"),
}
VERDICT_TEXT: Final[dict[str, str]] = {
    Verdict.INCREASE.value: N_("increase"),
    Verdict.DECREASE.value: N_("decrease"),
    Verdict.NO_CLEAR_CHANGE.value: N_("no clear change"),
    Verdict.TOO_LITTLE_DATA.value: N_("too little data"),
    Verdict.NOT_IDENTIFIABLE.value: N_("not identifiable"),
}
#: The notes the effect estimates give (``analysis.effects``), as the catalog has them.
EFFECT_NOTES: Final = (
    N_("no requests to this country"),
    N_("starts too early: no quarters before it in the data"),
    N_("too recent: too few quarters after it in the data"),
    N_("too few requests before or after"),
    N_("too few comparable countries"),
    N_("interval too wide"),
    N_("no requests"),
    N_("the index was already moving before the start"),
)
#: The effect estimates' note on instruments of the same country at the same time.
OVERLAP: Final = "overlaps with "


def effect_note(note: str, lang: Language) -> str:
    """An effect estimate's note in ``lang``: "overlaps with I003" -> "overlapt met I003";
    several notes of one row ("; ") each in turn."""
    if NOTE_SEPARATOR in note:
        return NOTE_SEPARATOR.join(effect_note(n, lang) for n in note.split(NOTE_SEPARATOR))
    if note.startswith(OVERLAP):
        return _("overlaps with {instruments}", lang, instruments=note.removeprefix(OVERLAP))
    if note.startswith(UNDETECTABLE):
        logit, points = note.removeprefix(UNDETECTABLE).split(" logit, ")
        return _(
            "an effect smaller than {logit} logit, about {points} here, could not be seen",
            lang,
            logit="+" + decimal(float(logit), 2, lang),
            points=_("{points} points", lang, points=points.removesuffix(" points")),
        )
    return _(note, lang)


VERDICT_COLOR: Final[dict[str, str]] = {
    Verdict.INCREASE.value: "#1a7f37",
    Verdict.DECREASE.value: "#b42318",
    Verdict.NO_CLEAR_CHANGE.value: "#57606a",
    Verdict.TOO_LITTLE_DATA.value: "#b0b7bf",
    Verdict.NOT_IDENTIFIABLE.value: "#9a6700",
}
#: Dutch month names and decimal commas on the axes (Vega's own ``nl-NL`` locale); English
#: charts keep Vega's default.
DUTCH_LOCALE: Final[dict[str, Any]] = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€\u00a0", ""]},
    "time": {
        "dateTime": "%a %e %B %Y %X",
        "date": "%d-%m-%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
        "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
        "months": [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
        "shortMonths": [
            "jan",
            "feb",
            "mrt",
            "apr",
            "mei",
            "jun",
            "jul",
            "aug",
            "sep",
            "okt",
            "nov",
            "dec",
        ],
    },
}
WIDTH: Final = 560
#: The font every chart names. vl-convert measures text with Liberation Sans (Arial's
#: metrics) when it lays out a chart; a browser asked for plain ``sans-serif`` may draw
#: DejaVu Sans, some 12% wider, and the labels then run out of the drawing. Naming the
#: measured font first (Arial and Helvetica have the same widths) keeps layout and drawing
#: in step.
FONT: Final = "Liberation Sans, Arial, Helvetica, sans-serif"
#: Characters of a title line: a 13 px bold line of this length stays within WIDTH.
TITLE_CHARS: Final = 64
#: The widest axis or legend label (pixels): the longest country name (49 characters,
#: "Kleine afgelegen eilanden van de Verenigde Staten") fits at the default 10-11 px.
LABEL_LIMIT: Final = 320
#: Room around the drawing, so that a label drawn a little wider than measured stays in.
PADDING: Final = 12
#: Shown for a missing figure, and between the ends of an interval.
DASH: Final = "\u2013"
#: Joins an outcome and its reason in the outcomes table ("negative: no_response").
ANSWER_SEPARATOR: Final = ": "


def t(key: str, lang: Language, **values: object) -> str:
    """The chart text ``key`` in ``lang``, its ``{fields}`` filled from ``values``."""
    return _(TEXT[key], lang, **values)


def words(table: dict[str, str], lang: Language) -> dict[str, str]:
    """A table of codes and their messages, in ``lang``: {code: word}."""
    return {code: _(message, lang) for code, message in table.items()}


#: Short names of the outcomes, for legends (the reasons follow them).
OUTCOME_SHORT: Final[dict[str, str]] = {
    Outcome.POSITIVE.value: N_("positive"),
    Outcome.NEGATIVE.value: N_("negative"),
    Outcome.WITHDRAWN.value: N_("withdrawn"),
    Outcome.PENDING.value: N_("pending"),
}


def answer_label(value: str, lang: Language) -> str:
    """An outcome and its reason in words: "negative: no_response" -> "negatief: geen
    reactie"."""
    outcome, _sep, reason = value.partition(ANSWER_SEPARATOR)
    short = OUTCOME_SHORT.get(outcome)
    first = _(short, lang) if short else labels.code_label(outcome, lang)
    if not reason:
        return first
    return f"{first}{ANSWER_SEPARATOR}{labels.code_label(reason, lang)}"


def answer_order(value: str) -> int:
    """Stacking order: positive, negative, withdrawn, pending."""
    outcome = value.partition(ANSWER_SEPARATOR)[0]
    order = list(OUTCOME_SHORT)
    return order.index(outcome) if outcome in order else len(order)


def _percent(column: str) -> pl.Expr:
    return (
        pl.when(pl.col(column).is_null())
        .then(pl.lit(DASH))
        .otherwise((pl.col(column) * 100).round(0).cast(pl.Int64).cast(pl.String) + "%")
    )


def _number(column: str, digits: int = 0, lang: Language = "en") -> pl.Expr:
    """A column as text, ``digits`` decimals with the language's decimal sign (Babel's)."""
    value = pl.col(column).round(digits)
    shown = (
        value.cast(pl.Int64).cast(pl.String)
        if digits == 0
        else value.cast(pl.String).str.replace(".", decimal_sign(lang), literal=True)
    )
    return pl.when(pl.col(column).is_null()).then(pl.lit(DASH)).otherwise(shown)


def title_lines(text: str, width: int = TITLE_CHARS) -> list[str]:
    """A title broken at spaces into lines of at most ``width`` characters (a longer word
    keeps a line of its own): Vega draws a list as lines, and never cuts a title."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _title(text: str, width: int = TITLE_CHARS) -> dict[str, Any]:
    return {"text": title_lines(text, width), "anchor": "start", "frame": "group", "offset": 8}


def _describe(unit: Spec) -> None:
    """Give a mark with a tooltip the same words for screen readers (its ``aria-label``):
    Vega-Lite would otherwise describe it by its raw fields (``upper: 29.50452``,
    ``order: 12``, codes). A mark without a tooltip (a band, a line, a rule) only repeats
    what the described marks say, and is left out for screen readers."""
    tips = unit.get("encoding", {}).get("tooltip")
    if not isinstance(tips, list):
        mark = unit.get("mark")
        kind = mark.get("type") if isinstance(mark, dict) else mark
        if kind not in (None, "text"):  # a band, line or rule the described marks repeat
            unit["mark"] = {**(mark if isinstance(mark, dict) else {"type": kind}), "aria": False}
        return
    if "description" in unit["encoding"]:
        return
    parts = []
    for tip in tips:
        field = _js(str(tip["field"]))
        value = f"datum[{field}]"
        if tip.get("format") and tip.get("type") == "quantitative":
            value = f"format({value}, {_js(tip['format'])})"
        elif tip.get("type") == "temporal":  # a date, not its milliseconds since 1970
            value = f"utcFormat({value}, '%Y-%m-%d')"
        title = f"{_js(tip['title'] + ': ')} + " if tip.get("title") else ""
        parts.append(f"{title}({value} == null ? {_js(DASH)} : {value})")
    expr = " + '; ' + ".join(parts)
    unit["transform"] = [*unit.get("transform", []), {"calculate": expr, "as": "_description"}]
    unit["encoding"]["description"] = {"field": "_description", "type": "nominal"}


#: The channels drawn with an axis, and with a legend.
_AXES: Final = ("x", "y")
_LEGENDS: Final = ("color", "fill", "stroke", "shape", "size", "opacity")


def _describe_guides(unit: Spec) -> None:
    """Keep the axes and legends out of what a screen reader is told: Vega describes them
    in its own English ("X-axis titled 'Jaar' for a discrete scale with 5 values: ...",
    with a legend's raw codes), also in a Dutch chart, and takes no description of ours in
    its place; the marks say their values in words (:func:`_describe`)."""
    for channel, encoding in unit.get("encoding", {}).items():
        guide = "axis" if channel in _AXES else "legend" if channel in _LEGENDS else None
        if guide is None or not isinstance(encoding, dict) or "field" not in encoding:
            continue
        if guide in encoding and encoding[guide] is None:  # drawn without one
            continue
        encoding[guide] = {**(encoding.get(guide) or {}), "aria": False}


def fitted(spec: Spec, *, width: int = WIDTH) -> Spec:
    """A Vega-Lite spec whose texts stay inside the drawing: a title of whole lines (for a
    plot ``width`` pixels wide), the font the layout was measured in, labels long enough
    for every country name, padding, and marks described in words for screen readers."""
    fit = dict(spec)
    _describe_guides(fit)
    for unit in fit.get("layer", [fit]):
        _describe(unit)
        _describe_guides(unit)
    title = fit.get("title")
    if isinstance(title, str):
        fit["title"] = _title(title, TITLE_CHARS * width // WIDTH)
    fit["config"] = {
        **fit.get("config", {}),
        "font": FONT,
        "axis": {"labelLimit": LABEL_LIMIT, "titleLimit": width},
        "legend": {"labelLimit": LABEL_LIMIT, "titleLimit": LABEL_LIMIT},
    }
    fit["padding"] = PADDING
    return fit


def _finish(chart: Any, lang: Language) -> Spec:
    """The chart's Vega-Lite spec, :func:`fitted`, with the language's month names and
    number format."""
    spec = fitted(dict(chart.to_dict()))
    if lang == "nl":
        spec["config"] = {**spec["config"], "locale": DUTCH_LOCALE}
    return spec


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: dates as ISO text."""
    dates = [c for c, d in frame.schema.items() if d == pl.Date]
    return frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).to_dicts()


def _alt() -> Any:
    import altair as alt  # imported where a chart is built: it is slow to import

    return alt


# -- the sliding scale ------------------------------------------------------------------------


class ScaleOrder(StrEnum):
    """How the sliding scale lists its countries."""

    INDEX = "index"  # highest index first; countries with too little data last
    NAME = "name"  # alphabetically, as readers of the language write the names


def name_key(name: str) -> str:
    """Alphabetical order without regard to accents or case ("Åland" among the A's)."""
    plain = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()


def scale_order(
    table: pl.DataFrame, lang: Language, order: ScaleOrder = ScaleOrder.INDEX
) -> pl.DataFrame:
    """Every country of the scale in the order asked: ``country``, its ``name``, and
    ``rank`` (0 first). By index: highest first, ties and countries with too little data
    (no index) by name, the latter last."""
    codes = table["country"].unique().to_list()
    names = {c: labels.country_name(c, lang) for c in codes}
    named = table.select(
        "country",
        "index",
        pl.col("country").replace_strict(names, return_dtype=pl.String).alias("name"),
        pl.col("country")
        .replace_strict({c: name_key(n) for c, n in names.items()}, return_dtype=pl.String)
        .alias("name_key"),
    )
    if order is ScaleOrder.NAME:
        named = named.sort("name_key")
    else:
        named = named.sort(["index", "name_key"], descending=[True, False], nulls_last=True)
    return named.select("country", "name").with_row_index("rank")


def scale_rows(
    table: pl.DataFrame, lang: Language, order: ScaleOrder = ScaleOrder.INDEX
) -> pl.DataFrame:
    """The rows the scale chart draws, in the order asked: names and hover text; a country
    with too little data for an index keeps its row (said in words, drawn last by index)."""
    ranks = scale_order(table, lang, order)
    return (
        table.join(ranks, on="country", how="left")
        .with_columns(
            pl.col("trend")
            .replace_strict(TREND_ARROW, default="", return_dtype=pl.String)
            .alias("arrow"),
            pl.col("trend")
            .replace_strict(
                words(TREND_TEXT, lang),
                default=DASH,
                return_dtype=pl.String,
            )
            .alias("trend_text"),
            (_number("lower") + pl.lit(DASH) + _number("upper")).alias("interval_text"),
            pl.when(pl.col("index").is_null())
            .then(_why_no_index(table, lang))
            .otherwise(_number("index"))
            .alias("index_text"),
            _percent("answer_rate_90d").alias("answer_rate_text"),
            _number("median_days_to_answer").alias("median_text"),
            _percent("confirmation_observed").alias("confirmed_text"),
            _percent("confirmation_expected").alias("expected_text"),
            _percent("document_within_30d").alias("document_text"),
            _percent("naive_positive_share").alias("naive_text"),
        )
        .sort("rank")
    )


def _scale_tooltip(lang: Language, level: float) -> list[Any]:
    """What hovering over a country of the scale shows: the index and its components."""
    alt = _alt()
    return [
        alt.Tooltip("name:N", title=t("country", lang)),
        alt.Tooltip("index_text:N", title=t("index", lang)),
        alt.Tooltip("interval_text:N", title=t("interval", lang, level=round(level * 100))),
        alt.Tooltip("trend_text:N", title=t("trend", lang)),
        alt.Tooltip("n_requests:Q", title=t("requests", lang)),
        alt.Tooltip("answer_rate_text:N", title=t("answer_rate", lang)),
        alt.Tooltip("median_text:N", title=t("median", lang)),
        alt.Tooltip("confirmed_text:N", title=t("confirmed", lang)),
        alt.Tooltip("expected_text:N", title=t("expected", lang)),
        alt.Tooltip("document_text:N", title=t("document", lang)),
        alt.Tooltip("naive_text:N", title=t("naive", lang)),
    ]


def scale_chart(
    table: pl.DataFrame,
    lang: Language = "nl",
    *,
    level: float = 0.9,
    period: str = "",
    order: ScaleOrder = ScaleOrder.INDEX,
) -> Spec:
    """Every country as a point with its interval on 0-100, in the order asked; a country
    with too little data is named, with those words where its point would be."""
    alt = _alt()
    rows = scale_rows(table, lang, order)
    data = alt.Data(
        values=_records(
            rows.select(
                "country",
                "name",
                "index",
                "lower",
                "upper",
                "arrow",
                "trend_text",
                "interval_text",
                "index_text",
                "n_requests",
                "answer_rate_text",
                "median_text",
                "confirmed_text",
                "expected_text",
                "document_text",
                "naive_text",
            )
        )
    )
    y = alt.Y("name:N", sort=rows["name"].to_list(), title=None)
    x_scale = alt.Scale(domain=[0, 100])
    tooltip = _scale_tooltip(lang, level)
    base = alt.Chart(data)
    rule = base.mark_rule(strokeWidth=2, color="#8c959f").encode(
        x=alt.X("lower:Q", scale=x_scale, title=t("index", lang)),
        x2="upper:Q",
        y=y,
        tooltip=tooltip,
    )
    point = base.mark_circle(size=70, color="#0b5cad", opacity=1).encode(
        x=alt.X("index:Q", scale=x_scale), y=y, tooltip=tooltip
    )
    arrow = base.mark_text(align="left", dx=6, fontSize=13).encode(
        x=alt.X("upper:Q", scale=x_scale),
        y=y,
        text="arrow:N",
        color=alt.Color(
            "arrow:N",
            scale=alt.Scale(domain=list(TREND_ARROW.values()), range=list(TREND_COLOR)),
            legend=None,
        ),
        tooltip=tooltip,
    )
    too_little = (
        base.transform_filter("datum.index == null")
        .mark_text(align="left", dx=4, fontStyle="italic", color="#57606a")
        .encode(x=alt.value(0), y=y, text="index_text:N", tooltip=tooltip)
    )
    chart = (rule + point + arrow + too_little).properties(
        width=WIDTH, height=alt.Step(18), title=t("scale_title", lang, period=period)
    )
    return _finish(chart, lang)


# -- one country --------------------------------------------------------------------------------


def _period_dates(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds ``date`` (first day) and ``end`` (last day) of each ``period`` label."""
    labels = frame["period"].unique().to_list()
    periods = [Period.parse(label) for label in labels]
    days = pl.DataFrame(
        {
            "period": labels,
            "date": [p.first_day for p in periods],
            "end": [p.last_day for p in periods],
        },
        schema={"period": frame.schema["period"], "date": pl.Date, "end": pl.Date},
    )
    return frame.join(days, on="period", how="left", maintain_order="left")


def index_chart(
    index: pl.DataFrame,
    effects: pl.DataFrame,
    lang: Language = "nl",
    *,
    level: float = 0.9,
    country: str = "",
) -> Spec:
    """The index per period with its band; periods with too little data left blank and marked
    on the axis, with a message across the chart when no period has an index; the instruments
    as dashed rules at their start dates."""
    alt = _alt()
    rows = _period_dates(index).with_columns(
        _number("index").alias("index_text"),
        (_number("lower") + pl.lit(DASH) + _number("upper")).alias("interval_text"),
        pl.col("date").dt.offset_by("45d").alias("middle"),
    )
    data = alt.Data(
        values=_records(
            rows.select(
                "period",
                "middle",
                "index",
                "lower",
                "upper",
                "index_text",
                "interval_text",
                "n_requests",
                "status",
            )
        )
    )
    x = alt.X("middle:T", title=t("period", lang))
    y_scale = alt.Scale(domain=[0, 100])
    tooltip = [
        alt.Tooltip("period:N", title=t("period", lang)),
        alt.Tooltip("index_text:N", title=t("index", lang)),
        alt.Tooltip("interval_text:N", title=t("interval", lang, level=round(level * 100))),
        alt.Tooltip("n_requests:Q", title=t("requests", lang)),
    ]
    base = alt.Chart(data)
    band = base.mark_area(opacity=0.25, color="#0b5cad").encode(
        x=x, y=alt.Y("lower:Q", scale=y_scale, title=t("index", lang)), y2="upper:Q"
    )
    line = base.mark_line(color="#0b5cad").encode(x=x, y=alt.Y("index:Q", scale=y_scale))
    points = base.mark_circle(size=40, color="#0b5cad").encode(
        x=x, y=alt.Y("index:Q", scale=y_scale), tooltip=tooltip
    )
    layers = [band, line, points, *_check_layers(rows, lang), *_too_little_data_layers(rows, lang)]
    if not rows.is_empty():
        layers += _instrument_layers(effects.filter(pl.col("start_on") >= rows["date"].min()), lang)
    chart = alt.layer(*layers).properties(
        width=WIDTH, height=260, title=t("index_title", lang, country=country)
    )
    return _finish(chart, lang)


def _check_layers(rows: pl.DataFrame, lang: Language) -> list[Any]:
    """The model-free check of each period that has one: a hollow diamond with its interval
    beside the index (a little to the right, so the two stay apart), red where the two
    disagree beyond chance."""
    if "check" not in rows.columns or rows["check"].is_null().all():
        return []
    alt = _alt()
    disagrees = pl.col("disagrees").fill_null(False)
    shown = rows.filter(pl.col("check").is_not_null()).select(
        "period",
        pl.col("date").dt.offset_by("60d").alias("beside"),
        "check",
        "check_lower",
        "check_upper",
        (_number("check") + pl.lit(" (") + _number("check_lower") + pl.lit(DASH)
         + _number("check_upper") + pl.lit(")")).alias("check_text"),
        pl.when(disagrees).then(pl.lit(t("disagrees_yes", lang)))
        .otherwise(pl.lit(t("disagrees_no", lang))).alias("agreement"),
    )  # fmt: skip
    data = alt.Data(values=_records(shown))
    x = alt.X("beside:T")
    y_scale = alt.Scale(domain=[0, 100])
    color = alt.Color(
        "agreement:N",
        scale=alt.Scale(
            domain=[t("disagrees_no", lang), t("disagrees_yes", lang)],
            range=["#9a6700", "#b42318"],
        ),
        legend=alt.Legend(title=t("check", lang), orient="bottom"),
    )
    tooltip = [
        alt.Tooltip("period:N", title=t("period", lang)),
        alt.Tooltip("check_text:N", title=t("check", lang)),
        alt.Tooltip("agreement:N", title=t("check", lang)),
    ]
    base = alt.Chart(data)
    rules = base.mark_rule(strokeWidth=1).encode(
        x=x, y=alt.Y("check_lower:Q", scale=y_scale), y2="check_upper:Q", color=color
    )
    marks = base.mark_point(shape="diamond", filled=False, size=40).encode(
        x=x, y=alt.Y("check:Q", scale=y_scale), color=color, tooltip=tooltip
    )
    return [rules, marks]


def _too_little_data_layers(rows: pl.DataFrame, lang: Language) -> list[Any]:
    """A grey band over each period without an index; a message across the chart when that
    is every period (or there is none)."""
    alt = _alt()
    short = rows.filter(pl.col("index").is_null())
    layers: list[Any] = []
    short = short.with_columns(_why_no_index(short, lang).alias("why"))
    if not short.is_empty():
        why = pl.col("why")
        marks = alt.Data(values=_records(short.select("period", "date", "end", "n_requests", why)))
        layers.append(
            alt.Chart(marks)
            .mark_rect(color=VERDICT_COLOR[Verdict.TOO_LITTLE_DATA.value], opacity=0.25)
            .encode(
                x="date:T",
                x2="end:T",
                tooltip=[
                    alt.Tooltip("period:N", title=t("period", lang)),
                    alt.Tooltip("why:N", title=t("index", lang)),
                    alt.Tooltip("n_requests:Q", title=t("requests", lang)),
                ],
            )
        )
    if rows["index"].is_null().all():
        held = short.filter(pl.col("why") != t("too_little_data", lang))
        text = t("index_none", lang) if held.is_empty() else str(held["why"][0])
        message = alt.Data(values=[{"text": text}])
        layers.append(
            alt.Chart(message)
            .mark_text(fontSize=14, color="#57606a")
            .encode(x=alt.value(WIDTH / 2), y=alt.value(130), text="text:N")
        )
    return layers


def _why_no_index(short: pl.DataFrame, lang: Language) -> pl.Expr:
    """Why a period has no index, in words: the country status that holds in it (not
    assessed), or too little data."""
    little = pl.lit(t("too_little_data", lang))
    if "not_assessed" not in short.columns:
        return little
    held = short.select("not_assessed", "not_assessed_since").unique().drop_nulls("not_assessed")
    texts = {
        (status, since): terms_text.not_assessed_text(status, since, lang)
        for status, since in held.iter_rows()
    }
    expr: pl.Expr = little
    for (status, since), text in texts.items():
        same = (pl.col("not_assessed") == status) & (
            pl.col("not_assessed_since").is_null()
            if since is None
            else pl.col("not_assessed_since") == since
        )
        expr = pl.when(same).then(pl.lit(text)).otherwise(expr)
    return expr


def _instrument_layers(marks: pl.DataFrame, lang: Language) -> list[Any]:
    """The instruments as dashed rules at their start dates, named at the top."""
    if marks.is_empty():
        return []
    alt = _alt()
    start = alt.Data(values=_records(marks.select("instrument_id", "start_on", "title", "verdict")))
    rules = (
        alt.Chart(start)
        .mark_rule(strokeDash=[4, 3], color="#6e7781")
        .encode(
            x="start_on:T",
            tooltip=[
                alt.Tooltip("instrument_id:N", title=t("instrument", lang)),
                alt.Tooltip("title:N", title=""),
                alt.Tooltip("start_on:T", title=t("start", lang)),
            ],
        )
    )
    names = (
        alt.Chart(start)
        .mark_text(align="left", dx=3, dy=-4, fontSize=10, color="#57606a")
        .encode(x="start_on:T", y=alt.value(8), text="instrument_id:N")
    )
    return [rules, names]


def answer_time_chart(
    curves: pl.DataFrame,
    lang: Language = "nl",
    *,
    country: str = "",
    last_years: int = 5,
    min_requests: int = 10,
) -> Spec:
    """Share answered by day since submission (0-365), one step line per year (the last
    ``last_years`` years with at least ``min_requests`` requests)."""
    alt = _alt()
    sizes = curves.filter(pl.col("day") == 0).group_by("period").agg(pl.col("at_risk").max())
    enough = sizes.filter(pl.col("at_risk") >= min_requests)["period"].to_list()
    years = sorted(enough)[-last_years:]
    rows = curves.filter(pl.col("period").is_in(years) & (pl.col("day") <= 365))
    data = alt.Data(values=_records(rows.select("period", "day", "answered")))
    chart = (
        alt.Chart(data)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("day:Q", scale=alt.Scale(domain=[0, 365]), title=t("days", lang)),
            y=alt.Y(
                "answered:Q",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
                title=t("answered", lang),
            ),
            color=alt.Color("period:N", title=t("year", lang)),
            tooltip=[
                alt.Tooltip("period:N", title=t("year", lang)),
                alt.Tooltip("day:Q", title=t("days", lang)),
                alt.Tooltip("answered:Q", format=".0%", title=t("answered", lang)),
            ],
        )
        .properties(width=WIDTH, height=240, title=t("answer_title", lang, country=country))
    )
    return _finish(chart, lang)


def outcomes_chart(outcomes: DisclosedTable, lang: Language = "nl", *, country: str = "") -> Spec:
    """Stacked bars of requests per year by answer (and reason), as the profile shows them:
    a hidden cell is left out of its bar."""
    alt = _alt()
    long = outcomes.to_long().filter(~pl.col(IS_TOTAL) & (pl.col("column") != "total"))
    long = long.filter(pl.col("shown").is_not_null()).rename({"column": "year"})
    answer = outcomes.row_dims[0]
    # an answer with nothing to show in any year would only lengthen the legend
    long = long.filter(pl.col("shown").sum().over(answer) > 0)
    values = sorted(long[answer].unique().to_list(), key=lambda a: (answer_order(a), a))
    names = {a: answer_label(a, lang) for a in values}
    long = long.with_columns(
        pl.col(answer).replace_strict(names, return_dtype=pl.String).alias("label"),
        pl.col(answer)
        .replace_strict({a: i for i, a in enumerate(values)}, return_dtype=pl.Int64)
        .alias("order"),
    )
    data = alt.Data(values=_records(long.select("year", "label", "order", "shown")))
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=t("year", lang)),
            y=alt.Y("shown:Q", stack="zero", title=t("requests", lang)),
            color=alt.Color(
                "label:N",
                title=t("answer", lang),
                sort=[names[a] for a in values],
                scale=alt.Scale(scheme="tableau20"),  # up to 20 answers, each its own colour
                legend=alt.Legend(labelLimit=LABEL_LIMIT),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("year:O", title=t("year", lang)),
                alt.Tooltip("label:N", title=t("answer", lang)),
                alt.Tooltip("shown:Q", title=t("requests", lang)),
            ],
        )
        .properties(width=WIDTH, height=260, title=t("outcomes_title", lang, country=country))
    )
    return _finish(chart, lang)


def effects_chart(
    effects: pl.DataFrame,
    lang: Language = "nl",
    *,
    level: float = 0.95,
    country: str = "",
    span: tuple[dt.date, dt.date] | None = None,
) -> Spec:
    """The instruments on a timeline: each at its start date, its estimated effect with the
    interval (points), coloured by verdict; those with too little data on the zero line.
    ``span``: the dates the time axis covers (default: the instruments' own)."""
    alt = _alt()
    interval = t("interval", lang, level=round(level * 100))
    verdicts = words(VERDICT_TEXT, lang)
    data = alt.Data(values=_records(_effect_rows(effects, verdicts, lang)))
    color = alt.Color(
        "verdict:N",
        scale=alt.Scale(domain=list(VERDICT_COLOR), range=list(VERDICT_COLOR.values())),
        legend=alt.Legend(title=t("verdict", lang), labelExpr=_label_expr(verdicts)),
    )
    tooltip = [
        alt.Tooltip("instrument_id:N", title=t("instrument", lang)),
        alt.Tooltip("title:N", title=t("description", lang)),
        alt.Tooltip("kind_text:N", title=t("kind", lang)),
        alt.Tooltip("start_on:T", title=t("start", lang)),
        alt.Tooltip("effect_text:N", title=f"{t('effect', lang)} ({interval})"),
        alt.Tooltip("verdict_text:N", title=t("verdict", lang)),
    ]
    base = alt.Chart(data)
    zero = alt.Chart(alt.Data(values=[{"zero": 0}])).mark_rule(color="#8c959f").encode(y="zero:Q")
    domain = None if span is None else [d.isoformat() for d in span]
    x = alt.X(
        "start_on:T",
        title=t("start", lang),
        scale=alt.Scale(domain=domain) if domain else alt.Undefined,
        axis=alt.Axis(format="%Y"),
    )
    bars = base.mark_rule(strokeWidth=2).encode(
        x=x,
        y="lower:Q",
        y2="upper:Q",
        color=color,
        tooltip=tooltip,
    )
    points = base.mark_point(filled=True, size=80).encode(
        x=x,
        y=alt.Y("shown_effect:Q", title=f"{t('effect', lang)} ({interval})"),
        color=color,
        tooltip=tooltip,
    )
    chart = alt.layer(zero, bars, points).properties(
        width=WIDTH, height=220, title=t("effects_title", lang, country=country)
    )
    return _finish(chart, lang)


def _effect_rows(effects: pl.DataFrame, verdicts: dict[str, str], lang: Language) -> pl.DataFrame:
    """The effects chart's rows: verdicts and kinds in words, the effect and its interval
    as one text, the effect shown on the zero line where there is none."""
    rows = effects.with_columns(
        pl.col("verdict").replace_strict(verdicts, return_dtype=pl.String).alias("verdict_text"),
        pl.col("kind")
        .replace_strict(
            words(INSTRUMENT_TEXT, lang),
            default=pl.col("kind"),
            return_dtype=pl.String,
        )
        .alias("kind_text"),
        pl.col("effect").fill_null(0.0).alias("shown_effect"),
        (
            _number("effect", 1, lang)
            + pl.lit(" (")
            + _number("lower", 1, lang)
            + pl.lit(f" {DASH} ")
            + _number("upper", 1, lang)
            + pl.lit(")")
        ).alias("effect_text"),
    )
    return rows.select(
        "instrument_id",
        "title",
        "kind_text",
        "start_on",
        "shown_effect",
        "lower",
        "upper",
        "verdict",
        "verdict_text",
        "effect_text",
    )


def event_study_rows(effects: pl.DataFrame, lang: Language) -> pl.DataFrame:
    """One row per instrument and quarter of its event study (as published): the
    instrument's label (its id and description), the offset, the change and its interval
    in points, and the hover text; instruments without an event study are left out."""
    if "event_study" not in effects.columns or effects.is_empty():
        return pl.DataFrame(schema=_EVENT_ROWS)
    studied = effects.filter(pl.col("event_study").list.len() > 0)
    if studied.is_empty():
        return pl.DataFrame(schema=_EVENT_ROWS)
    verdicts = words(VERDICT_TEXT, lang)
    long = (
        studied.sort("start_on", "instrument_id")
        .select(
            "instrument_id",
            pl.concat_str(
                pl.col("instrument_id"), pl.lit(" "), pl.col("title").fill_null(""),
            ).str.strip_chars().alias("instrument"),
            pl.col("verdict").replace_strict(verdicts, default=DASH, return_dtype=pl.String)
            .alias("verdict_text"),
            "event_study",
        )
        .explode("event_study")
        .unnest("event_study")
        .drop_nulls("quarter_offset")
    )  # fmt: skip
    sign = pl.when(pl.col("quarter_offset") > 0).then(pl.lit("+")).otherwise(pl.lit(""))
    return long.select(
        "instrument_id",
        "instrument",
        pl.col("quarter_offset").cast(pl.Int64),
        (sign + pl.col("quarter_offset").cast(pl.String)).alias("offset_text"),
        "effect",
        "lower",
        "upper",
        (_number("effect") + pl.lit(" (") + _number("lower") + pl.lit(f" {DASH} ")
         + _number("upper") + pl.lit(")")).alias("change_text"),
        "verdict_text",
    )  # fmt: skip


_EVENT_ROWS: Final = pl.Schema(
    {"instrument_id": pl.String(), "instrument": pl.String(), "quarter_offset": pl.Int64(),
     "offset_text": pl.String(), "effect": pl.Float64(), "lower": pl.Float64(),
     "upper": pl.Float64(), "change_text": pl.String(), "verdict_text": pl.String()}
)  # fmt: skip
#: The quarters an event study shows, relative to the start quarter (0).
EVENT_OFFSETS: Final = tuple(range(-4, 7))


def event_study_chart(
    effects: pl.DataFrame, lang: Language = "nl", *, level: float = 0.95, country: str = ""
) -> Spec | None:
    """The event study of each instrument of a country: per quarter from four before to six
    after its start, the change of the index (points, against the not-yet-treated
    countries) with its interval, a zero line, the start quarter marked; instruments side
    by side in each quarter, told apart by colour. None when no instrument has one."""
    rows = event_study_rows(effects, lang)
    if rows.is_empty():
        return None
    alt = _alt()
    interval = t("interval", lang, level=round(level * 100))
    data = alt.Data(values=_records(rows))
    offsets = [o for o in EVENT_OFFSETS]
    labels_expr = "datum.value > 0 ? '+' + datum.value : '' + datum.value"
    x = alt.X(
        "quarter_offset:O",
        scale=alt.Scale(domain=offsets),
        axis=alt.Axis(labelExpr=labels_expr, labelAngle=0),
        title=t("quarter_offset", lang),
    )
    instruments = rows.unique("instrument_id", maintain_order=True)["instrument"].to_list()
    color = alt.Color(
        "instrument:N",
        sort=instruments,
        scale=alt.Scale(scheme="tableau10"),
        legend=alt.Legend(title=t("instrument", lang), orient="bottom", columns=1),
    )
    tooltip = [
        alt.Tooltip("instrument:N", title=t("instrument", lang)),
        alt.Tooltip("offset_text:N", title=t("quarter_offset", lang)),
        alt.Tooltip("change_text:N", title=f"{t('change', lang)} ({interval})"),
        alt.Tooltip("verdict_text:N", title=t("verdict", lang)),
    ]
    offset = alt.XOffset("instrument:N", sort=instruments)
    base = alt.Chart(data)
    bars = base.mark_rule(strokeWidth=2).encode(
        x=x, xOffset=offset, y="lower:Q", y2="upper:Q", color=color, tooltip=tooltip
    )
    points = base.mark_point(filled=True, size=50).encode(
        x=x,
        xOffset=offset,
        y=alt.Y("effect:Q", title=f"{t('change', lang)} ({interval})"),
        color=color,
        tooltip=tooltip,
    )
    zero = alt.Chart(alt.Data(values=[{"zero": 0}])).mark_rule(color="#57606a").encode(y="zero:Q")
    start = alt.Data(values=[{"quarter_offset": 0, "label": t("started", lang)}])
    start_rule = (
        alt.Chart(start)
        .mark_rule(strokeDash=[4, 3], color="#6e7781")
        .encode(x=alt.X("quarter_offset:O", scale=alt.Scale(domain=offsets), bandPosition=0))
    )
    start_text = (
        alt.Chart(start)
        .mark_text(align="left", dx=3, dy=-4, fontSize=10, color="#57606a")
        .encode(
            x=alt.X("quarter_offset:O", scale=alt.Scale(domain=offsets), bandPosition=0),
            y=alt.value(8),
            text="label:N",
        )
    )
    chart = alt.layer(zero, start_rule, start_text, bars, points).properties(
        width=WIDTH, height=240, title=t("event_title", lang, country=country)
    )
    return _finish(chart, lang)


def _label_expr(names: dict[str, str]) -> str:
    parts = " : ".join(f"datum.label == {_js(k)} ? {_js(v)}" for k, v in names.items())
    return f"{parts} : datum.label"


def _js(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# -- rendering -----------------------------------------------------------------------------------


def svg(spec: Spec) -> str:
    """The chart as SVG, rendered offline by vl-convert."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec))

"""The cooperation briefs: the sliding scale of a period, and one country.

Each is built once as a :class:`retour.reports.document.Document` from the published values
the service hands over (a confidential country is not in them by name), and rendered by one
renderer per format: :func:`scale_report` and :func:`country_report` give the offline HTML
page (:mod:`retour.reports.page`); :mod:`retour.reports.docx_writer` gives the same document
as an editable .docx. Every brief states the profile, the extraction date, the data
fingerprint and, for simulated data, "gesimuleerde gegevens / simulated data".

A country brief says what is known and what is not: a country without requests (Syria,
Somalia) has no index, and its brief says so, then gives what retour does hold -- its
instruments, the cases of its nationals and Eurostat's return rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from retour.analysis.periods import Period
from retour.analysis.return_rate import ReturnRates
from retour.disclosure import IS_TOTAL, DisclosedTable, DisclosureRules, Language, Note, accept
from retour.reports import charts, labels, page
from retour.reports import context as eu_context
from retour.reports import terms as terms_text
from retour.reports.document import Block, Chart, Document, Notes, Paragraph, Section, Table
from retour.reports.messages import N_, _, decimal, percent

SIMULATED: Final = labels.SIMULATED
DASH: Final = charts.DASH

TEXT: Final[dict[str, str]] = {
    "scale_heading": N_("Cooperation of countries of origin"),
    "country_heading": N_("Cooperation of {country}"),
    "meta": N_("Period {period} · as of {as_of}"),
    "meta_country": N_("As of {as_of}"),
    "intro": N_(
        "The index is the estimated chance (0-100) that a request for a "
        "standard case -- with a (copy of a) passport or identity card, for a "
        "person who cooperates -- gets a positive answer within 90 days. It "
        "thus measures the country, not the mix of cases it is sent. A point is"
        " the estimate, the line around it the {level}% interval; the arrow the"
        " trend since the previous period. There is no list of countries that "
        "do or do not cooperate: it is a sliding scale that changes over time."
    ),
    "no_requests": N_(
        "retour holds no requests to {country}; the index cannot be computed. "
        "What retour does hold follows below."
    ),
    "no_requests_short": N_(
        "retour holds no requests to {country}: no index, no answer times, no answers."
    ),
    "figures": N_("Figures"),
    "figures_caption": N_("Cooperation index by country, {period}"),
    "too_little": N_("Too little data"),
    "too_little_text": N_(
        "For these countries the data say too little for an index: too few "
        "requests or too wide an interval."
    ),
    "about": N_("About these figures"),
    "naive_note": N_(
        "The raw share of positive answers depends mostly on the cases: whoever"
        " hides their identity rarely gets a positive answer. The index "
        "accounts for the identity evidence, the person's cooperation and the "
        "kind of request, for requests still pending, and pulls countries with "
        "few requests towards the average. See the method note "
        "(docs/cooperation-index.md)."
    ),
    "index_section": N_("The index over time"),
    "index_caption": N_(
        "Cooperation index of {country} by quarter, with {level}% interval and components"
    ),
    "answers_section": N_("Answer times"),
    "answers_caption": N_(
        "Requests to {country} by year of submission: share answered within so many days"
    ),
    "outcomes_section": N_("Answers and reasons"),
    "outcomes_caption": N_("Requests to {country} by year of submission, by answer and reason"),
    "effects_section": N_("Instruments"),
    "instruments_caption": N_("Instruments for {country} and their estimated effect"),
    "effects_text": N_(
        "The effect is the change of the index in points attributable to the "
        "instrument: the country's average change over the six quarters after its "
        "start against the quarters before, minus that of comparable countries "
        "without an instrument then; the interval ({level}%) includes the ordinary "
        "quarter-to-quarter movement of countries."
    ),
    "event_text": N_(
        "Quarter by quarter, from four quarters before an instrument's start to six "
        "after it, the change of the index against countries without an instrument "
        "starting or ending then, each relative to its own quarters before the start. "
        "Quarters before the start that already move mean the effect cannot be told "
        "apart from what was happening anyway."
    ),
    "check_text": N_(
        "The check is the share of the period's own standard-case requests answered "
        "positively within 90 days, from the data alone (no model, no borrowing from other "
        "periods or countries), with its interval; it is not given for fewer than 10 such "
        "requests. Where the check disagrees with the index beyond chance, the row says "
        "so: the model's answer then deserves a closer look (docs/cooperation-index.md)."
    ),
    "terms_section": N_("Agreed time limits"),
    "terms_caption": N_("Time limits in force for {country} on {date}"),
    "no_terms": N_("No agreed time limits for {country} are in force on {date}."),
    "overdue_caption": N_("Requests to {country} overdue on {date}, by days over"),
    "no_overdue": N_("No request to {country} is overdue on {date}."),
    "compliance_caption": N_(
        "Requests to {country} with time limits by year of submission: share kept"
    ),
    "status_line": N_("{kinds}: not assessed, {status} since {date}."),
    "no_effect": N_("Without requests to {country} retour cannot estimate an instrument's effect."),
    "no_instruments": N_("No instruments recorded."),
    "cases_section": N_("Cases of nationals"),
    "cases_caption": N_(
        "Cases of foreign nationals of {country}, by year opened, by how the case stands now"
    ),
    "departures_caption": N_(
        "Departures of foreign nationals of {country}, by year, by type of departure"
    ),
    "no_cases": N_("retour holds no cases of foreign nationals of {country}."),
    "cases_note": N_(
        "Nationality: the person's presumed nationality. How a case stands is "
        "as of the extraction date."
    ),
    "no_context": N_(
        "No EU figures on the return of nationals of {country} have been "
        "imported (retour context import)."
    ),
    "kind": N_("Kind of request: {kind}"),
    "brief_docx": N_("Country brief (Word, to edit)"),
}

COLUMNS: Final[dict[str, str]] = {
    "name": N_("Country"),
    "index": N_("Index"),
    "interval": N_("Interval"),
    "trend": N_("Trend"),
    "n_requests": N_("Requests"),
    "answer_rate_90d": N_("Answered ≤ 90 d"),
    "median_days_to_answer": N_("Median days"),
    "confirmation_observed": N_("Confirmed"),
    "confirmation_expected": N_("Expected"),
    "document_within_30d": N_("Document ≤ 30 d"),
    "naive_positive_share": N_("Raw positive share"),
    "period": N_("Period"),
    "instrument_id": N_("Instrument"),
    "title": N_("Description"),
    "start_on": N_("Start"),
    "effect": N_("Effect (points)"),
    "verdict": N_("Verdict"),
    "year": N_("Year"),
    "answered_30d": N_("Answered ≤ 30 d"),
    "answered_90d": N_("Answered ≤ 90 d"),
    "answered_365d": N_("Answered ≤ 365 d"),
    "withdrawn_365d": N_("Withdrawn ≤ 365 d"),
    "end_on": N_("End date"),  # "End" alone is also the verb (a button that ends one)
    "instrument_kind": N_("Kind"),
    "level": N_("Level"),
    "status": N_("Status"),
    "answer": N_("Answer"),
    "state": N_("How the case stands"),
    "departure": N_("Type of departure"),
    "check": N_("Check (data alone)"),
    "check_interval": N_("Check interval"),
    "disagrees": N_("Disagrees"),
    "request_kind": N_("Kind of request"),
    "reply_days": N_("Answer within (days)"),
    "day_count": N_("Days counted"),
    "deemed_accepted": N_("No answer is acceptance"),
    "document_days": N_("Document within (days)"),
    "what": N_("Awaited"),
    "with_terms": N_("With time limits"),
    "in_time_share": N_("Answered in time"),
    "documents_in_time_share": N_("Document in time"),
}

#: The words for the instruments' codes and for how a case stands.
CODES: Final[dict[str, str]] = {
    **charts.INSTRUMENT_TEXT,
    "open": N_("still open"),
    "departed": N_("closed: departed"),
    "lawful_stay": N_("closed: lawful stay"),
    "deceased": N_("closed: deceased"),
    "transferred": N_("closed: transferred"),
    "other": N_("closed: other"),
}

#: The index table of a country: these columns of a published index row, in order.
INDEX_COLUMNS: Final = (
    "period",
    "index",
    "interval",
    "check",
    "check_interval",
    "disagrees",
    "n_requests",
    "answer_rate_90d",
    "median_days_to_answer",
    "confirmation_observed",
    "confirmation_expected",
    "document_within_30d",
    "naive_positive_share",
)
ANSWER_COLUMNS: Final = (
    "year",
    "n_requests",
    "answered_30d",
    "answered_90d",
    "answered_365d",
    "withdrawn_365d",
    "median_days_to_answer",
)
INSTRUMENT_COLUMNS: Final = (
    "start_on",
    "end_on",
    "instrument_kind",
    "level",
    "status",
    "title",
    "effect",
    "verdict",
)


def _t(key: str, lang: Language, **values: object) -> str:
    return _(TEXT[key], lang, **values)


def _c(key: str, lang: Language) -> str:
    return _(COLUMNS[key], lang)


def code_text(code: str | None, lang: Language) -> str:
    if code is None:
        return ""
    message = CODES.get(code)
    return labels.code_label(code, lang) if message is None else _(message, lang)


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
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class TermsData:
    """The agreed time limits of a country on a date (the extraction date), published:
    ``in_force`` the terms that apply to requests submitted on that date (instrument_id,
    title, request_kind, reply_days, day_count, deemed_accepted, document_days,
    applies_from); ``overdue`` the overdue requests counted by kind, what is awaited and
    band of days over (through the profile; None without terms); ``compliance`` per year
    of submission the requests with terms and the shares answered and documented in time
    (null where hidden); ``statuses`` the country statuses that hold on the date (kind,
    status, start_on)."""

    on: dt.date
    in_force: pl.DataFrame
    overdue: DisclosedTable | None
    compliance: pl.DataFrame
    statuses: pl.DataFrame


@dataclass(frozen=True, slots=True)
class CountryData:
    """What the country report shows (already through the profile).

    Without requests to the country, ``index``, ``answer_curves`` and ``answer_times`` are
    empty and ``outcomes`` is None; ``cases`` and ``departures`` (of its nationals) are None
    without cases; ``instruments`` holds the instruments as recorded, ``effects`` their
    estimated effects.
    """

    country: str
    index: pl.DataFrame
    answer_curves: pl.DataFrame
    outcomes: DisclosedTable | None
    effects: pl.DataFrame
    rules: DisclosureRules
    simulated: bool
    as_of: dt.date
    level: float
    effect_level: float
    notes: tuple[Note, ...]
    #: Eurostat's return rate for the country across member states, when imported.
    eu_context: ReturnRates | None = None
    answer_times: pl.DataFrame | None = None
    instruments: pl.DataFrame | None = None
    cases: DisclosedTable | None = None
    departures: DisclosedTable | None = None
    fingerprint: str | None = None
    terms: TermsData | None = None

    @property
    def has_requests(self) -> bool:
        return self.outcomes is not None


# -- values as text ----------------------------------------------------------------------------


def _pct(value: Any, lang: Language) -> str:
    """A share as a whole percentage in the reader's language (Babel): 35%."""
    return charts.DASH if value is None else percent(float(value), 0, lang)


def _num(value: Any, lang: Language, digits: int = 0) -> str:
    """A number with ``digits`` decimals in the reader's language (Babel): 12,5 / 12.5."""
    return charts.DASH if value is None else decimal(float(value), digits, lang)


def _count(value: Any) -> str:
    return charts.DASH if value is None else str(value)


def _index_cells(r: dict[str, Any], lang: Language) -> dict[str, str]:
    """A published index row as text: too little data, or the country status that holds
    (not assessed), said in words; shares in percent."""
    shown = r["index"] is not None
    held = r.get("not_assessed")
    missing = (
        terms_text.not_assessed_text(held, r.get("not_assessed_since"), lang)
        if held
        else _t("too_little", lang).lower()
    )
    return {
        "index": _num(r["index"], lang) if shown else missing,
        "interval": f"{_num(r['lower'], lang)}{charts.DASH}{_num(r['upper'], lang)}"
        if shown
        else "",
        "n_requests": _count(r["n_requests"]),
        "answer_rate_90d": _pct(r["answer_rate_90d"], lang),
        "median_days_to_answer": _num(r["median_days_to_answer"], lang),
        "confirmation_observed": _pct(r["confirmation_observed"], lang),
        "confirmation_expected": _pct(r["confirmation_expected"], lang),
        "document_within_30d": _pct(r["document_within_30d"], lang),
        "naive_positive_share": _pct(r["naive_positive_share"], lang),
    }


def figures_frame(table: pl.DataFrame, lang: Language) -> pl.DataFrame:
    """The figures table of the scale report: strings, too little data said in words."""
    names = {c: labels.country_name(c, lang) for c in table["country"].unique().to_list()}
    ordered = table.with_columns(
        pl.col("country").replace_strict(names, return_dtype=pl.String).alias("_name")
    ).sort("_name")
    columns = list(COLUMNS)[:11]
    rows = [
        {
            "name": names[r["country"]],
            "trend": charts.TREND_ARROW.get(r["trend"] or "", ""),
            **_index_cells(r, lang),
        }
        for r in ordered.iter_rows(named=True)
    ]
    schema = {c: pl.String for c in columns}
    return (
        pl.DataFrame(rows, schema=schema, orient="row").select(columns)
        if rows
        else (pl.DataFrame(schema=schema))
    )


def _frame_table(frame: pl.DataFrame, caption: str, lang: Language, key: str) -> Table:
    headers = tuple(_c(c, lang) for c in frame.columns)
    rows = tuple(tuple("" if v is None else str(v) for v in r) for r in frame.iter_rows())
    return Table(caption, headers, rows, key=key)


def disclosed_table(
    table: DisclosedTable, caption: str, lang: Language, *, key: str, first: str, label: Any
) -> Table:
    """A disclosed table as text: ``label(code, lang)`` names its rows, ``first`` heads them;
    the totals row last and bold; hidden cells as ``<5`` and ``x``."""
    frame = table.to_display_frame(lang)
    dim = table.row_dims[0]
    totals = table.shown[IS_TOTAL].to_list()
    names = [
        str(v) if total else label(str(v), lang)
        for v, total in zip(frame[dim].to_list(), totals, strict=True)
    ]
    values = frame.drop(list(table.row_dims))
    rows = tuple(
        (name, *("" if v is None else str(v) for v in r))
        for name, r in zip(names, values.iter_rows(), strict=True)
    )
    headers = (first, *(str(c) for c in values.columns))
    return Table(
        caption, headers, rows, totals=frozenset(i for i, t in enumerate(totals) if t), key=key
    )


def _provenance(as_of: dt.date, fingerprint: str | None, lang: Language) -> str:
    extracted, data = _(labels.EXTRACTED, lang), _(labels.FINGERPRINT, lang)
    line = f"{extracted}: {as_of.isoformat()}"
    if fingerprint:
        line += f" · {data}: {fingerprint}"
    return line


# -- the sliding scale --------------------------------------------------------------------------


def scale_document(data: ScaleData, lang: Language = "nl") -> Document:
    """The sliding scale of one period: chart, figures, too little data, notes."""
    accept(data, "document")
    level = round(data.level * 100)
    meta = _t("meta", lang, period=data.period, as_of=data.as_of.isoformat())
    if data.kind != "all":
        meta += " · " + _t("kind", lang, kind=labels.code_label(data.kind, lang))
    spec = charts.scale_chart(data.table, lang, level=data.level, period=data.period)
    assessed = (
        pl.col("not_assessed").is_null() if "not_assessed" in data.table.columns else pl.lit(True)
    )
    little = data.table.filter(pl.col("index").is_null() & (pl.col("n_requests") > 0) & assessed)
    little_names = sorted(labels.country_name(c, lang) for c in little["country"].to_list())
    caption = _t("figures_caption", lang, period=data.period)
    sections = [
        Section(
            _t("figures", lang),
            (_frame_table(figures_frame(data.table, lang), caption, lang, "figures"),),
        )
    ]
    if little_names:
        sections.append(
            Section(
                _t("too_little", lang),
                (Paragraph(_t("too_little_text", lang)), Paragraph(", ".join(little_names))),
            )
        )
    about = Notes((*(n.text(lang) for n in data.notes), _t("naive_note", lang)))
    sections.append(Section(_t("about", lang), (about,)))
    return Document(
        lang=lang,
        title=f"{_t('scale_heading', lang)} — {data.period}",
        meta=meta,
        profile=labels.profile_line(data.rules, lang),
        provenance=_provenance(data.as_of, data.fingerprint, lang),
        simulated=data.simulated,
        intro=(
            Paragraph(_t("intro", lang, level=level)),
            Chart("scale", spec, charts.t("scale_title", lang, period=data.period)),
        ),
        sections=tuple(sections),
    )


def scale_report(data: ScaleData, lang: Language = "nl") -> str:
    """The sliding scale as a self-contained HTML page."""
    return page.render(scale_document(data, lang))


# -- one country ----------------------------------------------------------------------------------


def held_statuses(data: CountryData, lang: Language) -> tuple[str, ...]:
    """The country statuses that hold on the extraction date, one sentence each."""
    return () if data.terms is None else status_lines(data.terms.statuses, lang)


def _index_section(data: CountryData, name: str, lang: Language) -> Section:
    held = tuple(Paragraph(line) for line in held_statuses(data, lang))
    if not data.has_requests:
        return Section(
            _t("index_section", lang), (*held, Paragraph(_t("no_requests", lang, country=name)))
        )
    level = round(data.level * 100)
    spec = charts.index_chart(data.index, data.effects, lang, level=data.level, country=name)
    return Section(
        _t("index_section", lang),
        (
            *held,
            Paragraph(_t("intro", lang, level=level)),
            Chart("index", spec, charts.t("index_title", lang, country=name)),
            index_table(data, name, lang),
            Paragraph(_t("check_text", lang)),
        ),
    )


def _check_cells(r: dict[str, Any], lang: Language) -> dict[str, str]:
    """The model-free check beside the index: its value and interval (points), and
    whether the two disagree beyond chance (said in words; a dash where not given)."""
    check = r.get("check")
    disagrees = r.get("disagrees")
    shown = check is not None
    low, high = _num(r.get("check_lower"), lang), _num(r.get("check_upper"), lang)
    return {
        "check": _num(check, lang) if shown else DASH,
        "check_interval": f"{low}{DASH}{high}" if shown else "",
        "disagrees": DASH
        if disagrees is None
        else _(terms_text.YES_NO["yes" if disagrees else "no"], lang),
    }


def index_table(data: CountryData, name: str, lang: Language) -> Table:
    """The index per period with its interval, the model-free check beside it, and the
    components: for the brief and the country page alike."""
    rows = [
        {"period": str(r["period"]), **_index_cells(r, lang), **_check_cells(r, lang)}
        for r in data.index.iter_rows(named=True)
    ]
    frame = pl.DataFrame(rows, schema={c: pl.String for c in INDEX_COLUMNS}, orient="row")
    caption = _t("index_caption", lang, country=name, level=round(data.level * 100))
    return _frame_table(frame, caption, lang, "index")


def status_lines(statuses: pl.DataFrame, lang: Language) -> tuple[str, ...]:
    """One sentence per country status that holds: "LP and T&O: not assessed, forced
    return suspended since 2017-01-01."."""
    lines = []
    for kind, status, start in statuses.select("kind", "status", "start_on").iter_rows():
        kinds = labels.code_label(kind, lang) if kind else _("LP and T&O", lang)
        words = _(terms_text.STATUS.get(status, status), lang)
        lines.append(_t("status_line", lang, kinds=kinds, status=words, date=start.isoformat()))
    return tuple(lines)


def _yes_no(value: Any, lang: Language) -> str:
    return _(terms_text.YES_NO[value], lang) if value in terms_text.YES_NO else DASH


def _terms_in_force(terms: TermsData, name: str, lang: Language) -> Block:
    on = terms.on.isoformat()
    if terms.in_force.is_empty():
        return Paragraph(_t("no_terms", lang, country=name, date=on))
    rows = tuple(
        (
            str(r["title"] or r["instrument_id"]),
            labels.code_label(r["request_kind"], lang),
            _count(r["reply_days"]),
            _(terms_text.DAY_COUNTS.get(r["day_count"], r["day_count"]), lang),
            _yes_no(r["deemed_accepted"], lang),
            _count(r["document_days"]),
        )
        for r in terms.in_force.sort("request_kind", "applies_from").iter_rows(named=True)
    )
    keys = ("title", "request_kind", "reply_days", "day_count", "deemed_accepted", "document_days")
    headers = tuple(_c(k, lang) for k in keys)
    caption = _t("terms_caption", lang, country=name, date=on)
    return Table(caption, headers, rows, key="terms")


def _overdue_table(terms: TermsData, name: str, lang: Language) -> Block:
    """The overdue requests by kind and what is awaited, across the bands of days over, as
    the profile shows them (hidden cells as ``<5`` and ``x``)."""
    on = terms.on.isoformat()
    table = terms.overdue
    if table is None or table.shown.filter(~pl.col(IS_TOTAL)).is_empty():
        return Paragraph(_t("no_overdue", lang, country=name, date=on))
    frame = table.to_display_frame(lang)
    dims = len(table.row_dims)
    totals = table.shown[IS_TOTAL].to_list()
    what = {c: _(m, lang) for c, m in terms_text.WHAT.items()}
    rows = tuple(
        (
            str(r[0]) if total else labels.code_label(str(r[dims - 2]), lang),
            "" if total else what.get(str(r[dims - 1]), str(r[dims - 1])),
            *("" if v is None else str(v) for v in r[dims:]),
        )
        for r, total in zip(frame.iter_rows(), totals, strict=True)
    )
    headers = (_c("request_kind", lang), _c("what", lang), *frame.columns[dims:])
    caption = _t("overdue_caption", lang, country=name, date=on)
    marked = frozenset(i for i, t in enumerate(totals) if t)
    return Table(caption, headers, rows, totals=marked, key="overdue")


def _compliance_table(terms: TermsData, name: str, lang: Language) -> Block | None:
    if terms.compliance.is_empty():
        return None
    keys = ("year", "with_terms", "in_time_share", "median_days_to_answer",
            "documents_in_time_share")  # fmt: skip
    rows = tuple(
        (
            str(r["year"]),
            _count(r["with_terms"]),
            _pct(r["in_time_share"], lang),
            _num(r["median_days_to_answer"], lang),
            _pct(r["documents_in_time_share"], lang),
        )
        for r in terms.compliance.sort("year").iter_rows(named=True)
    )
    headers = tuple(_c(k, lang) for k in keys)
    return Table(_t("compliance_caption", lang, country=name), headers, rows, key="compliance")


def terms_blocks(terms: TermsData, name: str, lang: Language) -> tuple[Block, ...]:
    """The time limits in force, the overdue requests and the shares kept per year: for
    the brief and the country page alike."""
    blocks: list[Block] = [_terms_in_force(terms, name, lang), _overdue_table(terms, name, lang)]
    kept = _compliance_table(terms, name, lang)
    return (*blocks, *(() if kept is None else (kept,)))


def _terms_section(data: CountryData, name: str, lang: Language) -> Section | None:
    if data.terms is None:
        return None
    return Section(_t("terms_section", lang), terms_blocks(data.terms, name, lang))


def _answers_section(data: CountryData, name: str, lang: Language) -> Section | None:
    if not data.has_requests:
        return None
    spec = charts.answer_time_chart(data.answer_curves, lang, country=name)
    blocks: list[Block] = [Chart("answers", spec, charts.t("answer_title", lang, country=name))]
    if data.answer_times is not None and not data.answer_times.is_empty():
        shares = ANSWER_COLUMNS[2:-1]
        frame = data.answer_times.sort("period").select(
            pl.col("period").cast(pl.String).alias("year"),
            pl.col("n_requests").map_elements(_count, return_dtype=pl.String),
            *(
                pl.col(c).map_elements(lambda v: _pct(v, lang), return_dtype=pl.String)
                for c in shares
            ),
            pl.col("median_days_to_answer").map_elements(
                lambda v: _num(v, lang), return_dtype=pl.String
            ),
        )
        frame = frame.with_columns(pl.col(c).fill_null(charts.DASH) for c in frame.columns)
        blocks.append(
            _frame_table(frame, _t("answers_caption", lang, country=name), lang, "answers")
        )
    return Section(_t("answers_section", lang), tuple(blocks))


def _outcomes_section(data: CountryData, name: str, lang: Language) -> Section | None:
    if data.outcomes is None:
        return None
    spec = charts.outcomes_chart(data.outcomes, lang, country=name)
    table = disclosed_table(
        data.outcomes,
        _t("outcomes_caption", lang, country=name),
        lang,
        key="outcomes",
        first=_c("answer", lang),
        label=charts.answer_label,
    )
    chart = Chart("outcomes", spec, charts.t("outcomes_title", lang, country=name))
    return Section(_t("outcomes_section", lang), (chart, table))


def _signed(text: str, raw: float) -> str:
    return text if raw < 0 else f"+{text}"


def _effect_text(r: dict[str, Any], lang: Language) -> str:
    """``+1.5 (-0.4 to +3.4)`` with an en dash between, a decimal comma in Dutch."""
    if r.get("effect") is None:
        return charts.DASH
    e, lo, hi = (_signed(_num(r[c], lang, 1), r[c]) for c in ("effect", "lower", "upper"))
    return f"{e} ({lo} {charts.DASH} {hi})"


def _instruments_frame(data: CountryData, lang: Language) -> pl.DataFrame:
    """The instruments as recorded, each with its estimated effect and verdict, by start."""
    effects = data.effects.select("instrument_id", "effect", "lower", "upper", "verdict")
    recorded = data.instruments
    if recorded is None:
        recorded = (
            data.effects.select("instrument_id", "kind", "start_on", "title")
            .with_columns(pl.lit(None, pl.String).alias(c) for c in ("level", "status"))
            .with_columns(pl.lit(None, pl.Date).alias("end_on"))
        )
    joined = recorded.join(effects, on="instrument_id", how="left").sort("start_on")
    verdicts = charts.words(charts.VERDICT_TEXT, lang)
    rows = [
        {
            "start_on": r["start_on"].isoformat() if r["start_on"] else "",
            "end_on": r["end_on"].isoformat() if r["end_on"] else "",
            "instrument_kind": code_text(r["kind"], lang),
            "level": code_text(r["level"], lang),
            "status": code_text(r["status"], lang),
            "title": r["title"] or r["instrument_id"],
            "effect": _effect_text(r, lang),
            "verdict": verdicts.get(r["verdict"] or "", charts.DASH),
        }
        for r in joined.iter_rows(named=True)
    ]
    return pl.DataFrame(rows, schema={c: pl.String for c in INSTRUMENT_COLUMNS}, orient="row")


def _instruments_section(data: CountryData, name: str, lang: Language) -> Section:
    frame = _instruments_frame(data, lang)
    if frame.is_empty():
        return Section(_t("effects_section", lang), (Paragraph(_t("no_instruments", lang)),))
    caption = _t("instruments_caption", lang, country=name)
    table = _frame_table(frame, caption, lang, "instruments")
    if not data.has_requests:
        return Section(
            _t("effects_section", lang), (table, Paragraph(_t("no_effect", lang, country=name)))
        )
    level = data.effect_level
    spec = charts.effects_chart(
        data.effects, lang, level=level, country=name, span=_span(data.index, data.effects)
    )
    blocks: list[Block] = [
        Paragraph(_t("effects_text", lang, level=round(level * 100))),
        Chart("effects", spec, charts.t("effects_title", lang, country=name)),
        table,
    ]
    event = charts.event_study_chart(data.effects, lang, level=level, country=name)
    if event is not None:
        blocks += [
            Paragraph(_t("event_text", lang)),
            Chart("event_study", event, charts.t("event_title", lang, country=name)),
        ]
    return Section(_t("effects_section", lang), tuple(blocks))


def nationals_tables(data: CountryData, lang: Language) -> tuple[Table, ...]:
    """The cases of the country's nationals by how they stand, and their departures by
    type, per year (none without cases): for the brief and the country page alike."""
    name = labels.country_name(data.country, lang)
    tables = []
    if data.cases is not None:
        tables.append(
            disclosed_table(
                data.cases,
                _t("cases_caption", lang, country=name),
                lang,
                key="cases",
                first=_c("state", lang),
                label=code_text,
            )
        )
    if data.cases is not None and data.departures is not None:
        tables.append(
            disclosed_table(
                data.departures,
                _t("departures_caption", lang, country=name),
                lang,
                key="departures",
                first=_c("departure", lang),
                label=code_text,
            )
        )
    return tuple(tables)


def _cases_section(data: CountryData, name: str, lang: Language) -> Section:
    if data.cases is None:
        return Section(_t("cases_section", lang), (Paragraph(_t("no_cases", lang, country=name)),))
    blocks: tuple[Block, ...] = (*nationals_tables(data, lang), Paragraph(_t("cases_note", lang)))
    return Section(_t("cases_section", lang), blocks)


def _context_section(data: CountryData, lang: Language) -> Section | None:
    return None if data.eu_context is None else eu_context.section(data.eu_context, lang)


def _about(data: CountryData, name: str, lang: Language) -> Section:
    # the notes of the index and its components, where there is one
    items = [n.text(lang) for n in data.notes] if data.has_requests else []
    if data.eu_context is None:
        items.append(_t("no_context", lang, country=name))
    for table in (data.outcomes, data.cases, data.departures):
        items += [] if table is None else table.notes_in(lang)
    if data.has_requests:
        items.append(_t("naive_note", lang))
    return Section(_t("about", lang), (Notes(tuple(dict.fromkeys(items))),))


def country_document(data: CountryData, lang: Language = "nl") -> Document:
    """One country: the index over time, answer times, answers and reasons, instruments,
    the cases of its nationals, Eurostat's return rate -- or, where retour holds nothing of
    one, a sentence that says so."""
    accept(data, "document")
    name = labels.country_name(data.country, lang)
    parts = [
        _index_section(data, name, lang),
        _terms_section(data, name, lang),
        _answers_section(data, name, lang),
        _outcomes_section(data, name, lang),
        _instruments_section(data, name, lang),
        _cases_section(data, name, lang),
        _context_section(data, lang),
        _about(data, name, lang),
    ]
    intro = () if data.has_requests else (Paragraph(_t("no_requests_short", lang, country=name)),)
    return Document(
        lang=lang,
        title=_t("country_heading", lang, country=name),
        meta=_t("meta_country", lang, as_of=data.as_of.isoformat()),
        profile=labels.profile_line(data.rules, lang),
        provenance=_provenance(data.as_of, data.fingerprint, lang),
        simulated=data.simulated,
        intro=intro,
        sections=tuple(p for p in parts if p is not None),
    )


def country_report(data: CountryData, lang: Language = "nl") -> str:
    """The country brief as a self-contained HTML page."""
    return page.render(country_document(data, lang))


def _span(index: pl.DataFrame, effects: pl.DataFrame) -> tuple[dt.date, dt.date] | None:
    """From the first period of the index (or instrument) to the last."""
    firsts = [Period.parse(str(p)).first_day for p in index["period"].head(1).to_list()]
    lasts = [Period.parse(str(p)).last_day for p in index["period"].tail(1).to_list()]
    starts = effects["start_on"].drop_nulls().to_list()
    if not (firsts or starts):
        return None
    return min([*firsts, *starts]), max([*lasts, *starts])


def no_requests_text(code: str, lang: Language) -> str:
    """What a page says in place of the index when no requests went to the country."""
    return _t("no_requests", lang, country=labels.country_name(code, lang))


def no_cases_text(code: str, lang: Language) -> str:
    return _t("no_cases", lang, country=labels.country_name(code, lang))

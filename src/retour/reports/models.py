"""The JSON documents retour hands out, as typed models of its published values.

Each document is a pydantic model; :func:`retour.reports.tabular.json_text` renders any of
them. The builders here take published values only (:class:`~retour.disclosure.Published`:
a figures answer, a :class:`~retour.disclosure.DisclosedEstimates`) and check them with
:func:`~retour.disclosure.published.accept`; what they put in a document is what the value
publishes, nothing computed from the exact figures. Codes stay codes (machines read them);
titles and notes are in the language asked.

The command line (``--format json``), the web and the API use the same documents, so the
same question gives the same JSON whatever the face.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Final, Protocol

import polars as pl
from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    field_serializer,
    model_serializer,
)

from retour.disclosure import COUNTRY_COLUMNS, DisclosedEstimates, DisclosedTable, Language, Note
from retour.disclosure.figures import NAME_SUFFIX, Figures, FigureTable
from retour.disclosure.published import Published, accept
from retour.domain.codes import InstrumentKind, InstrumentLevel, InstrumentStatus
from retour.domain.provenance import Provenance
from retour.reports import labels

#: A value in a row of a published table, as JSON has it.
Scalar = str | int | float | bool | None
#: One published row: column name to value (dates as ``YYYY-MM-DD``); a list of records
#: where a row carries a series (an effect's event-study quarters).
Row = dict[str, Scalar | list[dict[str, Scalar]]]
#: The figure fields of a cell; its dimensions come before them.
_CELL_FIELDS: Final = ("n", "display", "status")
YEAR: Final = "year"


class Document(BaseModel):
    """A JSON document: frozen, every field declared."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FigureCell(BaseModel):
    """One cell of a disclosed table: its dimensions (the question's ``by`` columns, in
    that order, ``total`` where a total runs over one, a country's name after its code when
    names were asked for), then ``n`` (null when hidden), ``display`` (``<5``, ``x``) and
    ``status``."""

    model_config = ConfigDict(frozen=True, extra="allow")
    __pydantic_extra__: dict[str, str | int]

    n: int | None
    display: str
    status: str

    @model_serializer(mode="wrap")
    def _dimensions_first(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        cell = {k: data.pop(k) for k in _CELL_FIELDS}
        return {**data, **cell}


class FigureTableDocument(Document):
    name: str
    title: str
    cells: list[FigureCell]


class FiguresDocument(Document):
    """A figures answer (``retour figures …``, ``/api/figures/…``)."""

    subject: str
    profile: str
    simulated: bool
    extracted_on: dt.date | None
    fingerprint: str | None
    years: list[int]
    by: list[str]
    cohort: str | None
    kinds: list[str] | None
    notes: list[str]
    tables: list[FigureTableDocument]


class EstimatesDocument(Document):
    """Published estimates (``retour assess|effects|answer-times --format json``): what
    they answer (period, kind, date, level, granularity: those that apply), the profile,
    the notes and the rows."""

    period: str | None = None
    kind: str | None = None
    as_of: str | None = None
    level: float | None = None
    by: str | None = None
    profile: str
    simulated: bool
    notes: list[str]
    rows: list[Row]


class ConditionCell(Document):
    """One cell of the cases' conditions: the country (None for the total), the measure or
    month end, the figure (null when hidden), as shown, its status (None for a blocker)."""

    country: str | None
    column: str
    n: int | None
    display: str
    status: str | None
    country_name: str | None = None


class ConditionsDocument(Document):
    """``retour figures conditions --format json``: one date or month ends."""

    subject: str
    profile: str
    simulated: bool
    extracted_on: dt.date | None
    fingerprint: str | None
    on: dt.date | None
    months: list[dt.date] | None
    by: list[str]
    notes: list[str]
    cells: list[ConditionCell]


class Rank(Document):
    """The reporting state's rank among the states in one year."""

    year: int
    geo: str
    rank: int | None
    of: int | None


class ReturnRateDocument(Document):
    """``retour context return-rate --format json``: Eurostat's orders to leave, returns and
    the return rate of one citizenship, per state and year (published statistics, pooled
    under the profile)."""

    citizen: str
    citizen_name: str
    geo: str | None
    years: list[int]
    profile: str
    rows: list[Row]
    ranking: list[Rank]
    flags: dict[str, str]
    notes: list[str]
    sources: list[str]


class CountryName(Document):
    code: str
    name: str


class InstrumentDocument(Document):
    """An instrument as recorded (not a figure: no disclosure applies)."""

    model_config = ConfigDict(frozen=True, extra="ignore", from_attributes=True)

    instrument_id: str
    country: str
    kind: InstrumentKind
    level: InstrumentLevel
    status: InstrumentStatus
    start_on: dt.date
    end_on: dt.date | None
    title: str
    source: str | None


class InstrumentsDocument(Document):
    instruments: list[InstrumentDocument]


class DeskJudgementDocument(Document):
    """A country desk's assessment (internal only)."""

    model_config = ConfigDict(frozen=True, extra="ignore", from_attributes=True)

    assessed_on: dt.date
    level: int
    note: str | None


class CountriesDocument(Document):
    """``/api/countries``: the countries a profile may name and the period's index."""

    profile: str
    extracted_on: dt.date | None
    fingerprint: str | None
    simulated: bool
    countries: list[CountryName]
    period: str
    kind: str
    level: float
    index: list[Row]
    notes: list[str]


class NationalsDocument(Document):
    """The country's nationals: their cases by how each stands, and their departures by
    type, per year (``departures`` empty when none of them left)."""

    cases: list[FigureCell]
    departures: list[FigureCell]


class CountryDocument(Document):
    """``/api/countries/{code}``: one country's answers, instruments, context and index."""

    code: str
    name: str
    profile: str
    extracted_on: dt.date | None
    fingerprint: str | None
    simulated: bool
    has_requests: bool
    answers_per_year: list[FigureCell]
    answers_by_reason: list[FigureCell]
    statuses: list[Row]
    nationals: NationalsDocument | None
    instruments: list[InstrumentDocument]
    assessments: list[DeskJudgementDocument] | None
    context: dict[str, Any] | None
    level: float
    index: list[Row]
    effects: list[Row]
    notes: list[str]


class ConditionDocument(Document):
    """One of a case's five conditions on the view's date."""

    condition: str
    state: str
    since: dt.date | None
    observed_on: dt.date | None


class CaseRequestDocument(Document):
    request_id: str
    kind: str
    country: str
    submitted_on: dt.date
    id_evidence: str
    alien_cooperates: str
    outcome: str
    outcome_on: dt.date | None
    reason: str | None
    document_on: dt.date | None
    days: int


class CaseDetentionDocument(Document):
    detention_id: str
    started_on: dt.date
    ended_on: dt.date | None
    end_reason: str | None
    days: int


class CaseDepartureDocument(Document):
    departure_id: str
    departed_on: dt.date
    type: str
    destination: str | None
    assisted: str | None


class EstimateDocument(Document):
    months: int
    probability: float
    low: float
    high: float


class ComparableDocument(Document):
    pattern: str
    cases: int
    departed: dict[str, int]  # by horizon in months


class ProspectModelDocument(Document):
    as_of: dt.date
    landmarks: list[dt.date | None]
    cases: int
    departed: int
    country_sd: list[float]


class ProspectDocument(Document):
    """A case's prospect of removal (decision support about one person, never a figure)."""

    status: str
    version: str
    inputs: dict[str, str]
    estimates: list[EstimateDocument]
    level: float | None
    comparable: ComparableDocument | None
    notes: list[str]
    model: ProspectModelDocument | None
    disclaimer: str


class CaseDocument(Document):
    """``retour case ID --format json`` and ``/api/cases/{id}``: the case view, codes
    instead of labels; ``row`` (the API's) the case's stored row (docs/recording.md)."""

    case_id: str
    nationality: str
    opened_on: dt.date
    closed_on: dt.date | None
    close_reason: str | None
    on: dt.date
    open: bool
    conditions: list[ConditionDocument]
    all_green_since: dt.date | None
    blockers: list[str]
    requests: list[CaseRequestDocument]
    detentions: list[CaseDetentionDocument]
    departures: list[CaseDepartureDocument]
    prospect: ProspectDocument
    simulated: bool
    extracted_on: dt.date | None
    logged: bool
    row: dict[str, Any] | None = None


class Principal(Document):
    """``/api/me``."""

    name: str
    role: str
    profiles: list[str]


class AuditEntryDocument(Document):
    model_config = ConfigDict(frozen=True, extra="ignore", from_attributes=True)

    id: int
    at: dt.datetime
    actor: str
    role: str | None
    action: str
    profile: str | None
    subject: str | None
    via: str
    detail: dict[str, str | int | None]

    @field_serializer("at")
    def _iso(self, at: dt.datetime) -> str:
        return at.isoformat()


class AuditDocument(Document):
    entries: list[AuditEntryDocument]


# -- builders ---------------------------------------------------------------------------------


class ConditionAnswer(Published, Protocol):
    """What :func:`conditions_document` reads of the cases' conditions
    (``retour.service.conditions.ConditionFigures``)."""

    @property
    def on(self) -> dt.date | None: ...
    @property
    def months(self) -> tuple[dt.date, ...]: ...
    @property
    def by(self) -> tuple[str, ...]: ...
    @property
    def provenance(self) -> Provenance: ...
    def notes_in(self, lang: Language) -> list[str]: ...
    def cells(self) -> list[dict[str, object]]: ...


def conditions_document(
    answer: ConditionAnswer, lang: Language = "nl", names: Language | None = None
) -> ConditionsDocument:
    """The cases' conditions: every shown cell, a country's name beside it in ``names``."""
    accept(answer, "json")
    origin = answer.provenance
    cells = [ConditionCell.model_validate(c) for c in answer.cells()]
    if names is not None:
        cells = [
            c.model_copy(
                update={"country_name": labels.country_name(c.country, names) if c.country else ""}
            )
            for c in cells
        ]
    return ConditionsDocument(
        subject="conditions",
        profile=answer.rules.profile.value,
        simulated=origin.simulated,
        extracted_on=origin.extracted_on,
        fingerprint=origin.fingerprint,
        on=answer.on,
        months=list(answer.months) or None,
        by=list(answer.by),
        notes=answer.notes_in(lang),
        cells=cells,
    )


def figure_cells(
    table: FigureTable,
    names: Language | None = None,
    only: tuple[str, str] | None = None,
) -> list[FigureCell]:
    """The cells of one published table, row by row (``only`` = (dimension, code): the
    cells of that code only); years as numbers."""
    accept(table, "json")
    frame = table.cells()
    if only is not None and only[0] in table.by:
        frame = frame.filter(pl.col(only[0]) == only[1])
    return [_cell(row, table.by, names) for row in frame.iter_rows(named=True)]


def _cell(row: dict[str, Any], by: Sequence[str], names: Language | None) -> FigureCell:
    dims: dict[str, str | int] = {}
    for d in by:
        value = row[d]
        dims[d] = int(value) if d == YEAR and isinstance(value, str) and value.isdigit() else value
        if names is not None and d in COUNTRY_COLUMNS:
            dims[d + NAME_SUFFIX] = labels.cell_country_name(value, names)
    return FigureCell.model_validate(
        {**dims, "n": row["shown"], "display": row["n"], "status": row["status"]}
    )


def table_cells(name: str, table: DisclosedTable) -> list[FigureCell]:
    """The cells of a disclosed table that is not part of a figures answer (a country's
    nationals), as :func:`figure_cells` gives them: its rows' dimensions, then its column."""
    by = (*table.row_dims, *((table.column,) if table.column else ()))
    return figure_cells(FigureTable(name, Note(name, name), by, table))


def figures_document(
    answer: Figures, lang: Language = "nl", names: Language | None = None
) -> FiguresDocument:
    """A figures answer: the question, the profile, provenance, and every cell."""
    accept(answer, "json")
    origin = answer.provenance
    return FiguresDocument(
        subject=answer.subject.value,
        profile=answer.rules.profile.value,
        simulated=origin.simulated,
        extracted_on=origin.extracted_on,
        fingerprint=origin.fingerprint,
        years=list(answer.years),
        by=list(answer.by),
        cohort=answer.cohort.value if answer.cohort else None,
        kinds=list(answer.kinds) or None,
        notes=answer.notes_in(lang),
        tables=[
            FigureTableDocument(name=t.name, title=t.title.text(lang), cells=figure_cells(t, names))
            for t in answer.tables
        ],
    )


def notes_lines(published: DisclosedEstimates, lang: Language) -> list[str]:
    """What a reader of published estimates is told: simulated data (when so), the profile
    applied and what it did, then the estimates' notes."""
    lines = [labels.profile_line(published.rules, lang), *published.notes_in(lang)]
    return [labels.SIMULATED, *lines] if published.origin.simulated else lines


def estimates_document(
    published: DisclosedEstimates, lang: Language, **answers: str | float
) -> EstimatesDocument:
    """Published estimates with what they answer (``period``, ``kind``, ``as_of``,
    ``level``, ``by``: those given)."""
    accept(published, "json")
    return EstimatesDocument.model_validate(
        {
            **answers,
            "profile": published.rules.profile.value,
            "simulated": published.origin.simulated,
            "notes": notes_lines(published, lang),
            "rows": rows(published),
        }
    )


def rows(published: DisclosedEstimates) -> list[Row]:
    """The published rows, dates as ``YYYY-MM-DD``."""
    accept(published, "json")
    return frame_rows(published.frame)


def frame_rows(frame: pl.DataFrame) -> list[Row]:
    """A published frame's rows (from a value checked by the caller), dates as ISO text."""
    dates = [c for c, d in frame.schema.items() if d == pl.Date]
    found: list[Row] = frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).to_dicts()
    return found


def country_names(codes: Iterable[str], lang: Language) -> list[CountryName]:
    return [CountryName(code=c, name=labels.country_name(c, lang)) for c in codes]


def instruments_document(items: Iterable[object]) -> InstrumentsDocument:
    return InstrumentsDocument(instruments=[InstrumentDocument.model_validate(i) for i in items])


def audit_document(entries: Iterable[object]) -> AuditDocument:
    return AuditDocument(entries=[AuditEntryDocument.model_validate(e) for e in entries])

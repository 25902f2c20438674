"""A brief as a document: headings, paragraphs, charts, tables, notes -- in no format yet.

The country brief and the sliding-scale report are built once as a :class:`Document` from the
published values the service hands over; one renderer per format turns it into bytes
(:func:`retour.reports.page.render` for the offline page,
:func:`retour.reports.docx_writer.render` for Word). So a table in the .docx holds exactly
the figures of the same table in the HTML: both are the same strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from retour.disclosure import Language

Spec = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Chart:
    """A Vega-Lite specification (:mod:`retour.reports.charts`); ``key`` names it in a page."""

    key: str
    spec: Spec
    #: What the chart shows, for readers who cannot see it (alt text).
    description: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """Cells as text. The first ``labels`` columns are labels, the rest figures (right
    aligned); the rows whose index is in ``totals`` are totals (bold)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    labels: int = 1
    totals: frozenset[int] = field(default_factory=frozenset)
    key: str = ""


@dataclass(frozen=True, slots=True)
class Notes:
    items: tuple[str, ...]


Block = Paragraph | Chart | Table | Notes


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """One brief in one language, already through the publication profile.

    ``meta``: the period and date line under the title; ``profile``: what the profile did;
    ``provenance``: extraction date and data fingerprint; ``simulated``: the data are
    simulated (every rendering says so at the top and in the footer).
    """

    lang: Language
    title: str
    meta: str
    profile: str
    provenance: str
    simulated: bool
    intro: tuple[Block, ...]
    sections: tuple[Section, ...]

    def tables(self) -> list[Table]:
        """Every table, in reading order."""
        blocks = [*self.intro, *(b for s in self.sections for b in s.blocks)]
        return [b for b in blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        blocks = [*self.intro, *(b for s in self.sections for b in s.blocks)]
        return [b for b in blocks if isinstance(b, Chart)]

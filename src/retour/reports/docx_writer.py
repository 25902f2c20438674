"""A brief (:class:`retour.reports.document.Document`) as a Word document people can edit.

The same document as the offline HTML page, in Word's own parts: headings (Title,
Heading 1) so the navigation pane and a table of contents work, tables with a caption, a
header row that repeats on every page and figures aligned right, the charts as PNG images
(drawn offline by vl-convert from the same Vega-Lite specifications, with their alt text),
notes as a bulleted list. The footer of every page carries the profile, the extraction date,
the data fingerprint, "gesimuleerde gegevens / simulated data" where it applies, and the page
number. The text is marked as Dutch or English so spelling checks work. Returns bytes; the
caller writes them where it wants.
"""

from __future__ import annotations

import io
from typing import Any, Final

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from retour.reports import labels
from retour.reports.document import Block, Chart, Document, Notes, Paragraph, Table

#: The language tags Word knows the texts by.
LANGUAGE_TAG: Final = {"nl": "nl-NL", "en": "en-GB"}
#: The width of the text on an A4 page with the margins below.
TEXT_WIDTH: Final = Cm(17)
MARGIN: Final = Cm(2)
#: Tables wider than this many columns are set a point smaller.
WIDE: Final = 7
#: A first column whose labels are longer than this many characters gets more room.
LONG_LABEL: Final = 12
SIMULATED_COLOUR: Final = RGBColor(0x8A, 0x5A, 0x00)


def render(doc: Document) -> bytes:
    """The brief as the bytes of a .docx file."""
    word: Any = docx.Document()
    _page_setup(word)
    _styles(word, LANGUAGE_TAG[doc.lang])
    _properties(word, doc)
    _footer(word, doc)
    word.add_heading(doc.title, level=0)
    if doc.simulated:
        run = word.add_paragraph().add_run(labels.SIMULATED)
        run.bold = True
        run.font.color.rgb = SIMULATED_COLOUR
    word.add_paragraph(doc.meta)
    word.add_paragraph(doc.profile)
    for item in doc.intro:
        _block(word, item)
    for section in doc.sections:
        word.add_heading(section.heading, level=1)
        for item in section.blocks:
            _block(word, item)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _page_setup(word: Any) -> None:
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def _styles(word: Any, tag: str) -> None:
    normal = word.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    properties = normal.element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        language.set(qn(attribute), tag)
    properties.append(language)


def _properties(word: Any, doc: Document) -> None:
    core = word.core_properties
    core.title = doc.title
    core.language = LANGUAGE_TAG[doc.lang]
    core.author = "retour"
    core.subject = doc.provenance[:255]  # Word keeps at most 255 characters here
    core.keywords = labels.SIMULATED if doc.simulated else ""


def _footer(word: Any, doc: Document) -> None:
    footer = word.sections[0].footer
    lines = [doc.profile, doc.provenance] + ([labels.SIMULATED] if doc.simulated else [])
    first = footer.paragraphs[0]
    first.text = lines[0]
    for line in lines[1:]:
        footer.add_paragraph(line)
    number = footer.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_field(number)
    for paragraph in footer.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(8)


def _page_field(paragraph: Any) -> None:
    """Word's PAGE field: the page number, kept current by Word."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _block(word: Any, item: Block) -> None:
    if isinstance(item, Paragraph):
        word.add_paragraph(item.text)
    elif isinstance(item, Chart):
        _chart(word, item)
    elif isinstance(item, Table):
        _table(word, item)
    elif isinstance(item, Notes):
        for line in item.items:
            word.add_paragraph(line, style="List Bullet")


def _chart(word: Any, chart: Chart) -> None:
    import vl_convert  # only where a chart is drawn

    png = bytes(vl_convert.vegalite_to_png(chart.spec, scale=2.0))
    word.add_picture(io.BytesIO(png), width=TEXT_WIDTH)
    word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    drawn = word.inline_shapes[-1]._inline.docPr
    drawn.set("descr", chart.description or chart.key)
    drawn.set("title", chart.description or chart.key)


def _table(word: Any, table: Table) -> None:
    caption = word.add_paragraph(table.caption, style="Caption")
    caption.paragraph_format.space_before = Pt(10)
    caption.paragraph_format.keep_with_next = True
    grid = word.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    grid.autofit = False
    widths = _widths(table)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice reads; Word reads the cells'
        for cell in column.cells:
            cell.width = width
    size = Pt(8) if len(table.headers) > WIDE else Pt(9)
    _repeat_header(grid.rows[0])
    for i, header in enumerate(table.headers):
        _cell(grid.cell(0, i), header, size, bold=True, right=i >= table.labels)
    for r, row in enumerate(table.rows, start=1):
        total = (r - 1) in table.totals
        for i, value in enumerate(row):
            _cell(grid.cell(r, i), value, size, bold=total, right=i >= table.labels)


def _widths(table: Table) -> list[Any]:
    """A wide first column where its labels are words (answers and reasons), the text
    width shared by the rest; equal columns otherwise."""
    n = len(table.headers)
    longest = max((len(row[0]) for row in table.rows), default=0)
    if n < 3 or longest <= LONG_LABEL:
        return [int(TEXT_WIDTH / n)] * n
    first = int(TEXT_WIDTH * 0.3)
    return [first] + [int((TEXT_WIDTH - first) / (n - 1))] * (n - 1)


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cell(cell: Any, value: str, size: Any, *, bold: bool, right: bool) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(value)
    run.font.size = size
    run.bold = bold
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

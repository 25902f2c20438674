"""The static HTML as retour wrote it before the reports' templates: the f-string renderers
of the brief (``reports/page.py``) and of the Eurostat section (``reports/context.py``), kept
as they were, as the reference the templates are compared with (tests/reports/
test_html_templates.py). Not used by retour."""

from __future__ import annotations

import html
from typing import Final

import polars as pl

from retour.analysis.return_rate import GEO, YEAR, ReturnRates
from retour.domain.language import Language
from retour.reports import charts, labels
from retour.reports.context import (
    HEADING,
    caveat,
    chart_svg,
    geo_name,
    named,
    notes,
    table_cells,
    title,
)
from retour.reports.document import Block, Chart, Document, Paragraph, Table
from retour.reports.messages import _
from retour.reports.page import _bundle
from retour.reports.safe_json import script_json

STYLE: Final = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:62rem;padding:0 1rem;color:#24292f;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}
.simulated{background:#fff3cd;border:1px solid #e0b000;padding:.4rem .7rem;font-weight:600}
.meta{color:#57606a;margin-top:0}.chart{margin:1rem 0}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border-bottom:1px solid #d0d7de;padding:.25rem .5rem;text-align:right}
th.label,td.label{text-align:left}th{background:#f6f8fa}tr.total td{font-weight:600}
.muted{color:#6e7781}.notes li{margin:.2rem 0}
footer{margin-top:2.5rem;border-top:1px solid #d0d7de;color:#57606a;font-size:.85rem}
"""

EMBED: Final = """<script>
document.querySelectorAll('script[id^="spec-"]').forEach(function (node) {
  var key = node.id.slice(5);
  vegaEmbed('#chart-' + key, JSON.parse(node.textContent), {actions: false, renderer: 'svg'});
});
</script>"""

esc = html.escape


def chart(block: Chart) -> str:
    key = esc(block.key, quote=True)
    label = f' role="img" aria-label="{esc(block.description, quote=True)}"'
    return (
        f'<div class="chart" id="chart-{key}"{label if block.description else ""}></div>'
        f'<script type="application/json" id="spec-{key}">{script_json(block.spec)}</script>'
        f"<noscript>{charts.svg(block.spec)}</noscript>"
    )


def table(block: Table) -> str:
    def cell(tag: str, i: int, value: str) -> str:
        kind = ' class="label"' if i < block.labels else ""
        scope = ' scope="col"' if tag == "th" else ""
        return f"<{tag}{kind}{scope}>{esc(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(block.headers))
    rows = []
    for n, row in enumerate(block.rows):
        total = ' class="total"' if n in block.totals else ""
        rows.append(f"<tr{total}>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>")
    key = f' id="table-{esc(block.key, quote=True)}"' if block.key else ""
    return (
        f"<table{key}><caption>{esc(block.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def block(item: Block) -> str:
    if isinstance(item, Paragraph):
        return f"<p>{esc(item.text)}</p>"
    if isinstance(item, Chart):
        return chart(item)
    if isinstance(item, Table):
        return table(item)
    return '<ul class="notes">' + "".join(f"<li>{esc(i)}</li>" for i in item.items) + "</ul>"


def _header(doc: Document) -> str:
    parts = [f"<header><h1>{esc(doc.title)}</h1>"]
    if doc.simulated:
        parts.append(f'<p class="simulated">{esc(labels.SIMULATED)}</p>')
    parts.append(f'<p class="meta">{esc(doc.meta)}<br>{esc(doc.profile)}</p></header>')
    return "".join(parts)


def _footer(doc: Document) -> str:
    lines = [doc.profile, doc.provenance] + ([labels.SIMULATED] if doc.simulated else [])
    return "<footer>" + "".join(f"<p>{esc(line)}</p>" for line in lines) + "</footer>"


def render(doc: Document) -> str:
    body = [_header(doc), *(block(b) for b in doc.intro)]
    for section in doc.sections:
        body.append(f"<section><h2>{esc(section.heading)}</h2>")
        body += [block(b) for b in section.blocks]
        body.append("</section>")
    body.append(_footer(doc))
    return "\n".join(
        [
            "<!doctype html>",
            f'<html lang="{doc.lang}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(doc.title)}</title><style>{STYLE}</style>",
            f"<script>{_bundle()}</script></head><body>",
            *body,
            EMBED,
            "</body></html>",
        ]
    )


def html_fragment(
    rates: ReturnRates, lang: Language, *, chart: str = "svg", heading_level: int = 2
) -> str:
    h = f"h{heading_level}"
    head, cells = table_cells(rates, lang)
    eu = rates.eu_rows()
    rows = []
    for year, row_cells in zip(rates.years, cells, strict=True):
        theirs = eu.filter(pl.col(YEAR) == year)
        eu_title = "" if theirs.is_empty() else geo_name(theirs.item(0, GEO), lang)
        eu_cell = f'<td class="num" title="{esc(eu_title)}">{esc(row_cells[-1])}</td>'
        row = "".join(f'<td class="num">{esc(c)}</td>' for c in row_cells[1:-1])
        rows.append(f'<tr><th scope="row">{esc(row_cells[0])}</th>{row}{eu_cell}</tr>')
    header = "".join(f'<th scope="col">{esc(c)}</th>' for c in head)
    focus_name = named(rates.focus, geo_name(rates.focus, lang))
    parts = [
        f'<section class="eu-context" lang="{lang}">',
        f"<{h}>{esc(_(HEADING, lang))}</{h}>",
        f"<p>{esc(title(rates, lang))} — {esc(focus_name)}</p>",
        f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
    ]
    if chart == "svg":
        parts.append(f'<figure class="chart">{chart_svg(rates, lang)}</figure>')
    parts.append(f'<p class="caveat">{esc(caveat(lang))}</p>')
    parts += [f'<p class="note">{esc(line)}</p>' for line in notes(rates, lang)[1:]]
    parts.append("</section>")
    return "\n".join(parts)

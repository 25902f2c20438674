"""A brief (:class:`retour.reports.document.Document`) as one self-contained HTML page.

The page works offline on a closed network: it carries vl-convert's JavaScript bundle (Vega,
Vega-Lite, vega-embed) inline, each chart's specification as JSON, and, for readers without
JavaScript (or a printer), every chart as SVG. Nothing is loaded from elsewhere. The page is
the template ``brief.html`` (:mod:`retour.reports.html`: autoescape, so every text is
escaped). The profile, the extraction date, the data fingerprint and, for simulated data,
"gesimuleerde gegevens / simulated data" stand at the top and in the footer.
"""

from __future__ import annotations

from functools import cache

from retour.reports import html, labels
from retour.reports.document import Document


@cache
def _bundle() -> str:
    import vl_convert

    snippet = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
    return str(vl_convert.javascript_bundle(snippet)).replace("</script", "<\\/script")


def render(doc: Document) -> str:
    """The whole page."""
    return html.render(
        "brief.html", doc=doc, simulated=labels.SIMULATED, bundle=html.markup(_bundle())
    )

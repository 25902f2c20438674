"""The one HTML renderer of the reports: Jinja2 templates with autoescape.

The offline brief (:mod:`retour.reports.page`), the case view and the Eurostat section of
the country page are laid out by the templates under ``retour/reports/templates``; the code
that calls them computes the texts, the templates only place them, and every value is
escaped unless it is markup made here: a chart's SVG (vl-convert's), its specification as
JSON in a script (:func:`retour.reports.safe_json.script_json`) and the bundled JavaScript.
The web's pages use the same settings (:func:`retour.web.render.environment`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from retour.reports.document import Chart, Notes, Paragraph, Spec, Table
from retour.reports.safe_json import script_json

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup


def _svg(spec: Spec) -> Markup:
    from markupsafe import Markup

    from retour.reports import charts

    return Markup(charts.svg(spec))  # vl-convert's SVG escapes its own texts


def _json(spec: Spec) -> Markup:
    from markupsafe import Markup

    return Markup(script_json(spec))  # no </script, <!--, <script, --> for the parser


@cache
def environment() -> Environment:
    """Jinja2 over the reports' templates: autoescape, undefined names an error."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("retour.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["svg"] = _svg
    env.filters["spec_json"] = _json
    env.tests["paragraph"] = lambda block: isinstance(block, Paragraph)
    env.tests["chart"] = lambda block: isinstance(block, Chart)
    env.tests["table"] = lambda block: isinstance(block, Table)
    env.tests["notes"] = lambda block: isinstance(block, Notes)
    return env


def render(template: str, **values: Any) -> str:
    """``template`` filled with ``values``, every value escaped."""
    return environment().get_template(template).render(**values)


def markup(text: str) -> Markup:
    """``text`` as markup made here, placed as it is (the bundled JavaScript)."""
    from markupsafe import Markup

    return Markup(text)

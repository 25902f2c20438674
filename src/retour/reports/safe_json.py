"""JSON that is safe inside HTML: the one function every page, report and template embeds
JSON with (charts' Vega specifications in ``<script type="application/json">``, the
European context's ``data-vega-lite`` attribute, the web's ``tojson``).

Inside a ``<script>`` element the HTML parser does not read JSON: it looks for ``</script``
and, after ``<!--``, for ``<script`` and ``-->``, which change where the element ends (the
"script data escaped" states). An instrument title ``<!--<script>`` thus used to swallow the
rest of a brief. Escaping ``<``, ``>`` and ``&`` as ``\\u003c``, ``\\u003e``, ``\\u0026``
leaves none of those sequences, and ``'`` as ``\\u0027`` makes the text safe in a quoted
attribute too. U+2028 and U+2029 are escaped because older JavaScript engines end a string
literal at them. Every one of these is the same string to ``JSON.parse``; none can occur
outside a JSON string, so the output is still JSON.
"""

from __future__ import annotations

import json
from typing import Final

_ESCAPES: Final = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "'": "\\u0027",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def script_json(value: object) -> str:
    """``value`` as JSON (UTF-8 text kept as is) with nothing the HTML parser reads."""
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)

"""`make catalog`: the texts marked in retour's code into its Dutch catalog, then compiled.

Extracts every ``_("...", lang)`` and ``N_("...")`` of ``src/retour`` and every ``_("...")``
of the web's templates (``src/retour/web/templates/*.html``, Jinja2's Babel extractor) with
Babel, keeps the
translations the catalog has, adds new texts untranslated (translate them in the ``.po``
file, then run this again), drops texts the code no longer has, and writes the ``.mo`` file
beside it. Written with Babel's API rather than ``pybabel update`` so that the file's header
stays retour's own and the output is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "retour"
PO = SOURCE / "locale" / "nl" / "LC_MESSAGES" / "retour.po"
HEADER = (
    "# The Dutch texts of retour: `make catalog` updates this file from the code; translate\n"
    "# here. Licensed under the EUPL-1.2, as retour."
)
#: Fixed dates and names in the header, so that the files change only when a text does.
STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
KEYWORDS = {"_": None, "N_": None}
#: Where the marked texts are: the Python code and the web's Jinja2 templates.
METHOD_MAP = [("**.py", "python"), ("web/templates/*.html", "jinja2.ext:babel_extract")]
#: The templates are read as the web renders them (retour.web.render.environment).
OPTIONS_MAP = {"web/templates/*.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}


def extracted() -> dict[str, set[str]]:
    """Each marked text and the flags Babel gives it (python-brace-format)."""
    found: dict[str, set[str]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE), METHOD_MAP, OPTIONS_MAP, keywords=KEYWORDS, comment_tags=()
    ):
        text = message if isinstance(message, str) else message[0]
        flags = {"python-brace-format"} if "{" in text else set()
        found.setdefault(text, set()).update(flags)
    return found


def main() -> int:
    with PO.open("rb") as file:
        old = read_po(file, locale="nl")
    new = Catalog(
        locale="nl",
        domain="retour",
        project="retour",
        version="1",
        header_comment=HEADER,
        msgid_bugs_address="-",
        creation_date=STAMP,
        revision_date=STAMP,
        last_translator="retour",
        language_team="retour",
    )
    new.fuzzy = False
    untranslated = 0
    for text, flags in sorted(extracted().items()):
        known = old.get(text)
        translation = known.string if known is not None else ""
        untranslated += not translation
        new.add(text, translation, flags=flags)
    with PO.open("wb") as file:
        write_po(file, new, width=100, no_location=True, omit_header=False, sort_output=True)
    with PO.with_suffix(".mo").open("wb") as file:
        write_mo(file, new)
    print(f"{len(new)} texts, {untranslated} untranslated: {PO.relative_to(ROOT)}")
    return 1 if untranslated else 0


if __name__ == "__main__":
    sys.exit(main())

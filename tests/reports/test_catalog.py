"""The message catalog: every text marked in the code is translated, the compiled catalog is
the one its .po file gives, and placeholders survive translation."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from retour.reports.messages import _, catalog, count, decimal

SOURCE = Path(__file__).resolve().parents[2] / "src" / "retour"
PO = SOURCE / "locale" / "nl" / "LC_MESSAGES" / "retour.po"


#: The code and the web's Jinja2 templates, read as scripts/catalog.py reads them.
METHOD_MAP = [("**.py", "python"), ("web/templates/*.html", "jinja2.ext:babel_extract")]
OPTIONS_MAP = {"web/templates/*.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}


def _marked() -> set[str]:
    found = extract_from_dir(
        str(SOURCE), METHOD_MAP, OPTIONS_MAP, keywords={"_": None, "N_": None}, comment_tags=()
    )
    return {m if isinstance(m, str) else m[0] for _f, _l, m, _c, _x in found}


def _po() -> dict[str, str]:
    with PO.open("rb") as file:
        return {m.id: m.string for m in read_po(file) if m.id and not m.fuzzy}


def test_every_marked_text_has_its_dutch_and_nothing_else_is_kept() -> None:
    marked, po = _marked(), _po()
    assert marked, "no marked text found: the extraction is broken"
    assert sorted(marked - po.keys()) == [], "untranslated: run make catalog and translate"
    assert sorted(k for k in marked if not po.get(k)) == []
    assert sorted(po.keys() - marked) == [], "texts the code no longer has: run make catalog"


def test_no_text_is_translated_inside_an_f_string() -> None:
    """Babel does not look inside f-strings: a ``_()`` there would never reach the catalog
    and would stay English in Dutch output."""
    hidden = []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Name)
                        and inner.func.id == "_"
                    ):
                        hidden.append(f"{path.relative_to(SOURCE)}:{inner.lineno}")
    assert hidden == []


def test_placeholders_survive_translation() -> None:
    for english, dutch in _po().items():
        fields = re.findall(r"\{[^}]*\}", english)
        assert sorted(re.findall(r"\{[^}]*\}", dutch)) == sorted(fields), english


def test_the_compiled_catalog_is_the_po_file() -> None:
    with PO.open("rb") as file:
        expected = io.BytesIO()
        write_mo(expected, read_po(file))
    assert PO.with_suffix(".mo").read_bytes() == expected.getvalue(), "run make catalog"


def test_texts_numbers_in_each_language() -> None:
    assert _("still detained", "nl") == "nog in bewaring"
    assert _("still detained", "en") == "still detained"
    assert _("{n} days so far", "nl", n=3) == "3 dagen tot nu"
    assert catalog("en").gettext("Departures") == "Departures"
    assert (count(1234567, "nl"), count(1234567, "en")) == ("1.234.567", "1,234,567")
    assert (decimal(2.5, 1, "nl"), decimal(-0.125, 2, "en")) == ("2,5", "-0.12")

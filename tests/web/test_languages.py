"""Dutch when asked for Dutch, English when asked for English, on every page and in every
error a face can show: no text of the other language (``tests.language.foreign_texts``), no
raw code of ``domain/codes.py`` and no command-line option in what a reader sees.

The pages are fetched as the roles that see them, in both languages, from a database with
figures, Eurostat's context, a country with an instrument but no requests (Somalia), and
users of every role; error pages are asked for with the mistakes users make.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable, Iterator
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import Path

import pytest

from retour.domain import codes
from retour.domain.errors import N_, DatabaseBusy, DatabaseError, Field, RetourError
from retour.domain.language import Language
from retour.reports.messages import catalog
from retour.service import instruments
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.service.instruments import InstrumentForm
from retour.web import i18n

from ..language import foreign_texts
from .conftest import TestClient, page_csrf

SOURCE = Path(__file__).resolve().parents[2] / "src" / "retour"
#: Where the errors a user can meet are raised (issue 11, item 3).
RAISING = (
    *sorted((SOURCE / "service").glob("*.py")),
    *sorted((SOURCE / "disclosure").glob("*.py")),
    SOURCE / "analysis" / "periods.py",
    SOURCE / "store" / "engine.py",
    SOURCE / "domain" / "language.py",
    SOURCE / "domain" / "files.py",
)
LANGS: tuple[Language, ...] = ("nl", "en")

#: (role, path, status): every page, as the roles that see it, and the error pages.
PAGES = [
    pytest.param(None, "/login", 200, id="login"),
    pytest.param(None, "/login?ended=1", 200, id="signed-out"),
    pytest.param(Role.VIEWER, "/", 200, id="overview"),
    pytest.param(Role.VIEWER, "/?period=2021Q3&order=name", 200, id="overview-quarter-by-name"),
    pytest.param(Role.VIEWER, "/?period=23", 200, id="overview-bad-period"),
    pytest.param(Role.VIEWER, "/?period=1999", 200, id="overview-period-without-requests"),
    pytest.param(Role.ANALYST, "/?profile=internal", 200, id="overview-internal"),
    pytest.param(Role.VIEWER, "/countries/NG", 200, id="country"),
    pytest.param(Role.VIEWER, "/countries/SO", 200, id="country-without-requests"),
    pytest.param(Role.ANALYST, "/countries/NG?profile=internal", 200, id="country-internal"),
    pytest.param(Role.VIEWER, "/figures", 200, id="figures"),
    pytest.param(
        Role.VIEWER,
        "/figures?subject=requests&kind=LP&years=2020-2022&country=NG",
        200,
        id="figures-filtered",
    ),
    pytest.param(Role.VIEWER, "/figures?subject=reasons&years=2019-2023", 200, id="reasons"),
    pytest.param(Role.VIEWER, "/figures?subject=detentions", 200, id="detentions"),
    pytest.param(Role.VIEWER, "/figures?subject=departures", 200, id="departures"),
    pytest.param(Role.ANALYST, "/figures?profile=parliament", 200, id="figures-parliament"),
    pytest.param(Role.VIEWER, "/figures?years=twenty", 400, id="figures-bad-years"),
    pytest.param(Role.VIEWER, "/figures?years=2030-2031", 400, id="figures-years-outside"),
    pytest.param(Role.VIEWER, "/figures?years=2022-2020", 400, id="figures-years-backwards"),
    pytest.param(Role.VIEWER, "/figures?kind=XX", 400, id="figures-bad-kind"),
    pytest.param(Role.CASEWORKER, "/cases", 200, id="cases"),
    pytest.param(Role.CASEWORKER, "/cases/C00042", 200, id="case"),
    pytest.param(Role.CASEWORKER, "/cases/C00042?on=1990-01-01", 400, id="case-not-yet-open"),
    pytest.param(Role.CASEWORKER, "/cases/C00042?on=2099-01-01", 400, id="case-after-data"),
    pytest.param(Role.CASEWORKER, "/cases/C00042?on=yesterday", 400, id="case-bad-date"),
    pytest.param(Role.ANALYST, "/instruments", 200, id="instruments"),
    pytest.param(Role.ADMIN, "/import", 200, id="import"),
    pytest.param(Role.ADMIN, "/audit", 200, id="audit"),
    pytest.param(Role.VIEWER, "/?period=" + "1" * 300, 422, id="error-422"),
    pytest.param(Role.VIEWER, "/audit", 403, id="error-403"),
    pytest.param(Role.CASEWORKER, "/cases/Z99999", 404, id="error-404-case"),
    pytest.param(Role.VIEWER, "/countries/FI", 404, id="error-404-country"),
    pytest.param(Role.VIEWER, "/no-such-page", 404, id="error-404"),
]

#: (role, path, form, status): what a user posts, and the refusals they meet.
POSTS = [
    pytest.param(None, "/login", {"name": "nobody", "password": "wrong"}, 401, id="login-wrong"),
    pytest.param(Role.CASEWORKER, "/cases", {"case_id": "!?"}, 400, id="case-not-an-id"),
    pytest.param(Role.CASEWORKER, "/cases", {"case_id": "Z99999"}, 404, id="case-not-found"),
    pytest.param(
        Role.ANALYST, "/instruments/NOPE/end", {"end_on": "2022-01-01"}, 400, id="no-instrument"
    ),
    pytest.param(
        Role.ANALYST,
        "/instruments",
        {
            "country": "SO",
            "kind": "visa_measure",
            "level": "eu",
            "status": "in_force",
            "start_on": "2099-01-01",
            "title": "Visa measures",
        },
        400,
        id="instrument-refused",
    ),
    pytest.param(Role.VIEWER, "/lang", {"lang": "en", "next": "/"}, 303, id="csrf"),
]

#: A code as the data write it: the values of domain/codes.py with an underscore in them
#: (``not_applicable``, ``in_force``, ``visa_measure``), which are never words.
RAW_CODES = sorted(
    {
        member.value
        for enum in vars(codes).values()
        if isinstance(enum, type)
        and issubclass(enum, StrEnum)
        and enum.__module__ == codes.__name__
        for member in enum
        if "_" in member.value
    }
)
#: What gives a text away as written for the command line.
COMMAND_LINE = re.compile(r"(?<![\w-])--[a-z]|`retour [a-z]|\bRETOUR_[A-Z]")


class _Visible(HTMLParser):
    """The text a reader sees in ``lang``: text nodes (not scripts, styles or the charts'
    SVG markup) and the words of ``placeholder`` and ``aria-label``; an element marked as
    written in another language (``lang="en"`` on the exchange's English violations, the
    language switch) is that language's, not the page's."""

    def __init__(self, lang: Language) -> None:
        super().__init__()
        self.lang = lang
        self.parts: list[str] = []
        self._hidden: list[str] = []  # the open elements whose text is not the page's

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marked = dict(attrs).get("lang")
        if self._hidden:
            if tag == self._hidden[0]:
                self._hidden.append(tag)
        elif tag in {"script", "style", "svg"} or (
            tag != "html" and marked not in (None, self.lang)
        ):
            self._hidden.append(tag)
        else:
            self.parts += [v for k, v in attrs if k in {"placeholder", "aria-label"} and v]

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and tag == self._hidden[0]:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible(html: str, lang: Language = "nl") -> str:
    parser = _Visible(lang)
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def problems(html: str, lang: Language) -> list[str]:
    """Everything wrong with a page in ``lang``: the other language's texts, raw codes and
    command-line options in its visible text."""
    text = visible(html, lang)
    found = [f"foreign: {piece}" for piece in foreign_texts(text, lang)]
    found += [f"code: {c}" for c in RAW_CODES if re.search(rf"\b{re.escape(c)}\b", text)]
    found += [f"command line: {m.group(0)}" for m in COMMAND_LINE.finditer(text)]
    return found


def _start(role: Role | None) -> str:
    """A page of ``role`` that carries the session's CSRF token."""
    return "/login" if role is None else "/"


@pytest.fixture
def speaks(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> Callable[[Role | None, Language], TestClient]:
    """A client of ``role`` whose language is set as a user sets it (the switch's form)."""
    form = InstrumentForm(
        country="SO", kind="visa_measure", level="eu", status="in_force",
        start_on="2022-03-01", title="Visa measures",
    )  # fmt: skip
    instruments.add_instrument(loaded, form, actor="tester")

    def client(role: Role | None, lang: Language) -> TestClient:
        made = client_for(role)
        switched = made.post(
            "/lang",
            data={"lang": lang, "next": "/", "csrf_token": page_csrf(made, _start(role))},
            follow_redirects=False,
        )
        assert switched.status_code == 303
        return made

    return client


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_and_refusal_speaks_one_language(
    speaks: Callable[[Role | None, Language], TestClient], lang: Language
) -> None:
    """One database for all pages (an import and the index take seconds): each page's
    problems are collected under its id, so a failure names every page at fault."""
    found: dict[str, object] = {}
    for role, path, status in (p.values for p in PAGES):
        page = speaks(role, lang).get(path)
        wrong = problems(page.text, lang)
        if page.status_code != status or f'<html lang="{lang}">' not in page.text or wrong:
            found[path] = (page.status_code, wrong or visible(page.text)[:300])
    for param in POSTS:
        role, path, form, status = param.values
        client = speaks(role, lang)
        token = {} if path == "/lang" else {"csrf_token": page_csrf(client, _start(role))}
        done = client.post(path, data={**form, **token}, follow_redirects=False)
        expected = 403 if path == "/lang" else status  # the switch without its token
        wrong = problems(done.text, lang)
        if done.status_code != expected or wrong:
            found[f"POST {param.id}"] = (done.status_code, wrong or visible(done.text)[:300])
    assert found == {}


def test_an_error_names_the_field_as_the_page_does(
    speaks: Callable[[Role | None, Language], TestClient],
) -> None:
    """The web says "Periode"/"Period" where the command line says --period, and each
    language its own words around it."""
    dutch = visible(speaks(Role.VIEWER, "nl").get("/?period=23").text)
    english = visible(speaks(Role.VIEWER, "en").get("/?period=23").text)
    assert "Periode '23' is geen jaar of kwartaal." in dutch
    assert "Period '23' is not a year or a quarter." in english
    assert "--period" not in dutch + english
    years = visible(speaks(Role.VIEWER, "nl").get("/figures?years=2030-2031").text)
    assert "De jaren 2030-2031 vallen buiten de gegevens" in years


# -- every error a face can show -------------------------------------------------------------


def _errors_raised() -> Iterator[tuple[str, int, ast.Call]]:
    """Every construction of an error class (``...Error(...)``) where users' errors are
    raised."""
    for path in RAISING:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
                if name.endswith("Error") and not hasattr(builtins, name):
                    yield path.relative_to(SOURCE).as_posix(), node.lineno, node


def _marked(node: ast.expr | None) -> str | None:
    """The text of ``N_("...")``; None for anything else."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and isinstance(node.args[0], ast.Constant)
    ):
        return str(node.args[0].value)
    return None


def _messages(call: ast.Call) -> dict[str, list[str | None]]:
    """An error's message (its first argument, or both branches of a conditional, or the
    name it was given) and its hints, as written where it is raised."""
    first: list[ast.expr] = call.args[:1]
    if first and isinstance(first[0], ast.IfExp):
        first = [first[0].body, first[0].orelse]
    said = {"message": [_marked(a) if not isinstance(a, ast.Name) else "(named)" for a in first]}
    for keyword in call.keywords:
        if keyword.arg in {"hint", "cli_hint"} and not isinstance(keyword.value, ast.Name):
            said[keyword.arg] = [_marked(keyword.value)]
    return said


def test_every_error_is_a_marked_text_of_the_catalog() -> None:
    """Each error's message and hint are catalog texts (``N_``), never an f-string or an
    unmarked string, so that every face can translate them."""
    unmarked = [
        f"{where}:{line} {part}"
        for where, line, call in _errors_raised()
        for part, texts in _messages(call).items()
        if None in texts
    ]
    assert unmarked == []


def _error_texts() -> dict[str, str]:
    """Every marked message and hint of an error, and which of the two it is."""
    found: dict[str, str] = {}
    for _where, _line, call in _errors_raised():
        for part, texts in _messages(call).items():
            found.update({t: part for t in texts if t is not None and t != "(named)"})
    return found


def test_every_error_is_translated_and_the_web_never_names_an_option() -> None:
    texts = _error_texts()
    assert len(texts) > 150, "the walk found too few errors: is it broken?"
    dutch = catalog("nl")
    untranslated = [t for t in texts if dutch.gettext(t) == t]
    assert untranslated == []
    for text, part in texts.items():
        fields = sorted(re.findall(r"\{[^}]*\}", text))
        assert sorted(re.findall(r"\{[^}]*\}", dutch.gettext(text))) == fields, text
        if part != "cli_hint":  # what the web shows too: no option, no command
            assert not COMMAND_LINE.search(text), text


def test_every_field_has_the_webs_name_in_both_languages() -> None:
    for field in Field:
        dutch, english = i18n.field_name(field.value, "nl"), i18n.field_name(field.value, "en")
        assert dutch and english and "-" not in english, field
        assert field is Field.SEED or dutch != english, field


@pytest.mark.parametrize(
    ("error", "cli", "dutch", "english"),
    [
        pytest.param(
            RetourError(
                "{field} {value!r} is not a year or a quarter.",
                hint="Write a year such as 2023 or a quarter such as 2023Q2.",
                field=Field.PERIOD,
                value="23",
            ),
            "--period '23' is not a year or a quarter. Write a year such as 2023",
            "Periode '23' is geen jaar of kwartaal. Schrijf een jaar zoals 2023",
            "Period '23' is not a year or a quarter. Write a year such as 2023",
            id="field",
        ),
        pytest.param(
            RetourError(
                "The database holds no requests.",
                hint="An administrator can import a dataset.",
                cli_hint="Import a dataset first (retour import FOLDER), or simulate one "
                "(retour simulate --out DIR, then retour import DIR).",
            ),
            "The database holds no requests. Import a dataset first (retour import FOLDER)",
            "De database bevat nog geen verzoeken. Een beheerder kan een dataset importeren.",
            "The database holds no requests. An administrator can import a dataset.",
            id="cli-hint-stays-on-the-cli",
        ),
    ],
)
def test_the_web_says_an_error_in_its_own_words(
    error: RetourError, cli: str, dutch: str, english: str
) -> None:
    assert str(error).startswith(cli)  # the command line's English, as it always was
    assert i18n.error_text(error, "nl").startswith(dutch)
    assert i18n.error_text(error, "en").startswith(english)
    assert not COMMAND_LINE.search(i18n.error_text(error, "nl") + i18n.error_text(error, "en"))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nl", "Periode '23' is geen jaar of kwartaal."), ("en", "Period '23' is not a year")],
)
def test_an_api_error_speaks_the_webs_words(
    speaks: Callable[[Role | None, Language], TestClient], lang: Language, expected: str
) -> None:
    answer = speaks(Role.VIEWER, lang).get("/api/countries?period=23")
    assert answer.status_code == 400
    said = answer.json()["error"]
    assert said.startswith(expected) and not COMMAND_LINE.search(said), said


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_database_error_on_the_web_names_no_server_path(lang: Language) -> None:
    where = "/srv/retour/data/retour.sqlite"
    for exc in (
        DatabaseError(N_("The database {where} reported an error: {detail}."), where=where,
                      detail="disk I/O error"),
        DatabaseBusy(N_("The database {where} is locked by another process."), where=where),
    ):  # fmt: skip
        said = i18n.error_text(exc, lang)
        assert "/srv" not in said and "retour.sqlite" not in said
        assert ("deze server" if lang == "nl" else "this server") in said
    assert where in str(exc), "the command line (the operator's own) still names the file"


#: What the audit page calls the profile of an export, per language (the log keeps the code).
PROFILE_WORD = {"nl": ("openbaar", "intern"), "en": ("public", "internal")}


@pytest.mark.parametrize("lang", LANGS)
def test_the_audit_page_says_profiles_in_words(
    speaks: Callable[[Role | None, Language], TestClient], lang: Language
) -> None:
    """Exports under two profiles, then the audit page: the profile column, like the actions
    and roles beside it, in the reader's words; the log's codes only where they are words."""
    analyst = speaks(Role.ANALYST, lang)
    for profile in ("public", "internal"):
        assert analyst.get(f"/figures/csv?subject=requests&profile={profile}").status_code == 200
    page = speaks(Role.ADMIN, lang).get("/audit").text
    assert problems(page, lang) == []
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [
        re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    profiles = {re.sub(r"<[^>]+>", "", r[5]).strip() for r in rows if len(r) == 9}
    assert set(PROFILE_WORD[lang]) <= profiles, profiles
    if lang == "nl":
        assert not profiles & {"public", "internal"}, profiles
    # the details name their keys in words too ("jaren: 2019-2023"), never "years=..."
    details = [re.sub(r"<[^>]+>", "", r[8]).strip() for r in rows if len(r) == 9]
    exported = [d for d in details if d]
    assert exported, details
    assert not any("=" in d for d in exported), exported
    if lang == "nl":
        assert not any(re.search(r"\b(years|format|profile|kind):", d) for d in exported), exported

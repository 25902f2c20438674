"""Every door out, walked: every command of the command line in every format (a process of its
own), every page and API route of the web (as a role that may see it), every report.

For each output the test reads two things the software writes anyway:

- the published-value trace (``RETOUR_PUBLISHED_TRACE``, see :mod:`retour.disclosure.published`):
  every renderer checks that what it was handed is a published value and notes its type. An
  output must have been made by its format's renderer, from published types only: a face that
  wrote its own CSV, or handed a raw result frame to a renderer (a ``TypeError``), fails here.
- the audit log: an export (CSV, JSON, a workbook, a brief, an API answer) leaves exactly one
  entry, with the face it came through (``via`` cli, web or api); a table on a screen or a
  page leaves none.

Every command and every GET route must be walked here or named, with its reason, as an output
that holds no published figures; a new one fails until it is either.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from retour.config import load_settings
from retour.disclosure.published import TRACE_VARIABLE
from retour.service import accounts, audit, datasets
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.simulate.run import simulate_dataset, write_simulation
from retour.simulate.scenario import build_scenario

from .conftest import TEST_SECRET
from .process import retour
from .web.conftest import load_context
from .web.test_permissions import app_routes

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from retour.web import create_app

pytestmark = pytest.mark.slow

#: The types a renderer may be handed: the disclosure's, answers made only of them, and
#: Eurostat's published statistics checked against the profile (ReturnRateAnswer).
PUBLISHED_TYPES = frozenset(
    {
        "DisclosedTable", "DisclosedEstimates", "FigureTable", "Figures", "PressTables",
        "Assessment", "AnswerTimesView", "EffectsView", "CountryView", "ConditionFigures",
        "ScaleData", "CountryData", "ReturnRateAnswer", "OverdueAnswer", "ComplianceAnswer",
        "Art25aFigures", "Art25aReport",
    }
)  # fmt: skip
PERIOD = "2022"
COUNTRY = "MA"
SESSION_SECRET = "walk-test-session-secret-0123456789abcdef"
PASSWORD = "a long walk passphrase"


@dataclass(frozen=True)
class World:
    url: str
    home: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Four simulated years of the nl scenario at a tenth of its volume, Eurostat's figures
    of Nigerians, an admin user."""
    home = tmp_path_factory.mktemp("walk")
    simulation = simulate_dataset(
        build_scenario("nl", scale=0.1), (2020, 2023), 7, dt.date(2024, 1, 1)
    )
    write_simulation(simulation, home / "data")
    url = f"sqlite:///{home / 'retour.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RETOUR_SETTINGS", str(home / "settings.toml"))
        patch.setenv("RETOUR_SECRET", TEST_SECRET)
        with Retour(settings=load_settings(db=url, data_dir=home)) as context:
            datasets.import_dataset(context, home / "data", today=dt.date(2024, 1, 2))
            load_context(context, home / "eurostat")
            accounts.add_user(context, "walker", Role.ADMIN, PASSWORD)
    yield World(url, home)


def _newest(world: World) -> int:
    with Retour(settings=load_settings(db=world.url, data_dir=world.home)) as context:
        return max((e.id for e in audit.read_log(context, limit=1)), default=0)


def _entries_after(world: World, before: int) -> list[audit.AuditEntry]:
    with Retour(settings=load_settings(db=world.url, data_dir=world.home)) as context:
        return [e for e in audit.read_log(context, limit=1000) if e.id > before]


def _trace(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(r, t) for r, t in (line.split("\t") for line in lines)]


def _assert_published(trace: list[tuple[str, str]], renderer: str, what: str) -> None:
    assert trace, f"{what}: no renderer was handed a published value"
    assert renderer in {r for r, _ in trace}, f"{what}: not made by the {renderer} renderer"
    assert {t for _, t in trace} <= PUBLISHED_TYPES, f"{what}: {trace}"


def _assert_audited(
    entries: list[audit.AuditEntry], action: str | None, via: str, what: str
) -> None:
    exports = [e for e in entries if e.action.startswith("export_")]
    if action is None:
        assert exports == [], f"{what}: a display is not an export: {exports}"
        return
    assert [(e.action, e.via) for e in exports] == [(action, via)], what


# -- the command line --------------------------------------------------------------------------

FIGURES = ("table", "csv", "json")
#: (command, renderer, audit action) for every command and format walked; {tmp} is a folder.
CLI_WALK: list[tuple[tuple[str, ...], str, str | None]] = [
    *(
        ((*command, "--format", fmt), fmt, None if fmt == "table" else "export_figures")
        for command in (
            ("figures", "requests"),
            ("figures", "requests", "--by", "country,year,outcome", "--names", "en"),
            ("figures", "detentions"),
            ("figures", "departures", "--profile", "internal"),
            ("assess", "--period", PERIOD),
            ("effects",),
            ("answer-times",),
            ("answer-times", "--country", COUNTRY, "--years", "2021-2022", "--lang", "en"),
            ("figures", "conditions", "--by", "country", "--names", "nl"),
            ("figures", "conditions", "--monthly", PERIOD),
            ("context", "return-rate", "--citizen", "NG", "--lang", "en"),
            ("figures", "terms"),
            ("figures", "terms", "--by", "country,kind", "--profile", "internal"),
            ("figures", "art25a", "--year", PERIOD),
        )
        for fmt in FIGURES
    ),
    # a list of overdue requests, or their counts, is recorded also when shown (service.terms)
    *(
        ((*command, "--format", fmt), fmt, "export_figures")
        for command in (("overdue",), ("overdue", "--profile", "internal", "--lang", "en"))
        for fmt in FIGURES
    ),
    (("overdue", "--format", "xlsx", "--out", "{tmp}/overdue.xlsx"), "xlsx", "export_figures"),
    (("report", "press", "--out", "{tmp}/press.xlsx"), "xlsx", "export_workbook"),
    (
        ("report", "art25a", "--year", PERIOD, "--out", "{tmp}/art25a.xlsx"),
        "xlsx",
        "export_workbook",
    ),
    (("report", "country", COUNTRY, "--out", "{tmp}/ma.html"), "document", "export_report"),
    (("report", "country", COUNTRY, "--out", "{tmp}/ma.docx"), "document", "export_report"),
    (
        ("report", "cooperation", "--period", PERIOD, "--out", "{tmp}/scale.html", "--lang", "en"),
        "document",
        "export_report",
    ),
]
#: Commands that publish no figures, or are not yet walked, each with its reason.
CLI_ELSEWHERE: dict[tuple[str, ...], str] = {
    ("case",): "one person's case, for a case officer; every view audited by service.cases",
    ("demo",): "writes a demo database, no figures",
    ("simulate",): "writes simulated source files, no figures",
    ("serve",): "runs the web, walked below",
    ("import",): "reads a dataset in",
    ("export",): "the dataset itself in the exchange format (audited, tests/figures)",
    ("info",): "the database's description, no figures",
    ("imports", "show"): "the import history, no figures",
    ("history",): "a row's changes recorded in retour, no figures (tests/records)",
    ("context", "import"): "reads Eurostat files in",
    ("mapping", "draft"): "drafts a mapping file",
    **{("user", c): "user administration" for c in ("add", "list", "disable", "enable")},
    **{("token", c): "token administration" for c in ("create", "list", "revoke")},
    ("db", "upgrade"): "schema migration",
    **{
        ("releases", c): "the register: releases as stored, no figures made anew (tests/releases)"
        for c in ("list", "show", "diff")
    },
    ("releases", "reproduce"): "a stored release's bytes again, audited as reproduce_release",
}


def _commands() -> set[tuple[str, ...]]:
    from retour.cli import app

    root = typer.main.get_command(app)
    context_type = type(root.make_context("retour", ["--help"], resilient_parsing=True))

    def walk(command: Any, ctx: Any, prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        if not hasattr(command, "list_commands"):
            yield prefix
            return
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            yield from walk(sub, context_type(sub, parent=ctx), (*prefix, name))

    return set(walk(root, context_type(root), ()))


def test_every_command_is_walked_or_said_why_not() -> None:
    commands = _commands()
    walked = {c for c in commands for args, _, _ in CLI_WALK if args[: len(c)] == c}
    assert commands == walked | set(CLI_ELSEWHERE)


@pytest.mark.parametrize(
    ("args", "renderer", "action"),
    [pytest.param(a, r, x, id=" ".join(a).replace("{tmp}/", "")) for a, r, x in CLI_WALK],
)
def test_a_command_renders_a_published_value_and_audits_its_export(
    world: World, tmp_path: Path, args: tuple[str, ...], renderer: str, action: str | None
) -> None:
    trace = tmp_path / "trace.tsv"
    before = _newest(world)
    done = retour(
        [a.replace("{tmp}", str(tmp_path)) for a in args],
        world.home,
        timeout=300,
        RETOUR_DB=world.url,
        RETOUR_SECRET=TEST_SECRET,
        **{TRACE_VARIABLE: str(trace)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() or any(tmp_path.glob("*.*[a-z]"))
    what = " ".join(args)
    _assert_published(_trace(trace), renderer, what)
    _assert_audited(_entries_after(world, before), action, "cli", what)


# -- the web and the API -----------------------------------------------------------------------

#: (path, renderer, audit action, via) for every GET route walked.
WEB_WALK: list[tuple[str, str, str | None, str]] = [
    ("/", "html", None, "web"),
    (f"/countries/{COUNTRY}", "html", None, "web"),
    (f"/countries/{COUNTRY}/brief", "document", "export_report", "web"),
    (f"/countries/{COUNTRY}/brief?format=docx", "document", "export_report", "web"),
    ("/figures", "html", None, "web"),
    ("/figures?subject=departures&profile=internal", "html", None, "web"),
    ("/figures/csv", "csv", "export_figures", "web"),
    ("/figures/workbook", "xlsx", "export_workbook", "web"),
    # a list of overdue requests, or their counts, is recorded also when shown (service.terms)
    ("/overdue", "html", "export_figures", "web"),
    ("/overdue?profile=internal&what=answer", "html", "export_figures", "web"),
    ("/overdue/csv", "csv", "export_figures", "web"),
    ("/overdue/xlsx?profile=parliament", "xlsx", "export_figures", "web"),
    ("/api/countries", "json", "export_api", "api"),
    (f"/api/countries/{COUNTRY}?profile=internal", "json", "export_api", "api"),
    ("/api/figures/requests?by=country,year", "json", "export_api", "api"),
    ("/api/figures/detentions", "json", "export_api", "api"),
    ("/api/figures/departures?profile=parliament", "json", "export_api", "api"),
]
#: GET routes without published figures, each with its reason.
WEB_ELSEWHERE: dict[str, str] = {
    "/login": "the sign-in form",
    "/healthz": "a liveness answer",
    "/releases": "the register of releases, no figures (tests/releases)",
    "/releases/{release_id}/file": "a stored release's bytes again, audited (tests/releases)",
    "/cases": "the case search form",
    "/cases/{case_id}": "one person's case, for a case officer; audited by service.cases",
    "/instruments": "the instruments as recorded (no figures)",
    "/import": "the import form",
    "/import/mappings/{name}": "a saved mapping file",
    "/audit": "the audit log (its own viewing is recorded)",
    "/api/me": "who is signed in",
    "/api/cases/{case_id}": "one person's case; audited by service.cases",
    **{
        f"/api/{t}/{{row_id}}": "one stored row of a case, to record and correct (tests/records)"
        for t in ("requests", "detentions", "departures", "conditions")
    },
    "/api/audit": "the audit log (its own viewing is recorded)",
    "/api/instruments": "the instruments as recorded (no figures; still recorded as an export)",
}


@pytest.fixture(scope="module")
def web(world: World) -> Iterator[tuple[Any, TestClient]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RETOUR_SETTINGS", str(world.home / "settings.toml"))
        patch.setenv("RETOUR_SECRET", TEST_SECRET)
        patch.setenv("RETOUR_SESSION_SECRET", SESSION_SECRET)
        with Retour(settings=load_settings(db=world.url, data_dir=world.home)) as context:
            made = create_app(context, warm_up=False)
            client = TestClient(made, base_url="https://testserver")
            page = client.get("/login").text
            token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            signed = client.post(
                "/login",
                data={"name": "walker", "password": PASSWORD, "csrf_token": token},
                follow_redirects=False,
            )
            assert signed.status_code == 303, signed.text
            yield made, client


def test_every_route_is_walked_or_said_why_not(web: tuple[Any, TestClient]) -> None:
    made, _ = web
    gets = {path for method, path in app_routes(made) if method == "GET"} - {"/static"}
    walked = {path.split("?")[0] for path, _, _, _ in WEB_WALK}
    walked = {w.replace(f"/{COUNTRY}", "/{code}") for w in walked}
    assert gets == walked | set(WEB_ELSEWHERE)


@pytest.mark.parametrize(
    ("path", "renderer", "action", "via"), [pytest.param(*w, id=w[0]) for w in WEB_WALK]
)
def test_a_route_renders_a_published_value_and_audits_its_export(
    world: World,
    web: tuple[Any, TestClient],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    renderer: str,
    action: str | None,
    via: str,
) -> None:
    made, client = web
    made.state.views.changed()  # computed for this request, not served from the cache
    trace = tmp_path / "trace.tsv"
    monkeypatch.setenv(TRACE_VARIABLE, str(trace))
    before = _newest(world)
    for lang in ("nl", "en"):
        answer = client.get(path, params={"lang": lang} if path.startswith("/api") else None)
        assert answer.status_code == 200, answer.text[:300]
        if path.startswith("/api"):
            assert answer.headers["content-type"].startswith("application/json")
            assert answer.json()
        made.state.views.changed()
    _assert_published(_trace(trace), renderer, path)
    entries = _entries_after(world, before)
    exports = [e for e in entries if e.action.startswith("export_")]
    if action is None:
        assert exports == [], path
    else:  # asked twice (nl, en): recorded twice, once each
        assert [(e.action, e.via) for e in exports] == [(action, via)] * 2, path


@pytest.mark.parametrize(
    ("path", "action"),
    [
        pytest.param("/api/instruments", "export_api", id="instruments"),
        pytest.param(f"/api/instruments?country={COUNTRY}", "export_api", id="instruments-one"),
        pytest.param("/api/audit", "view_audit", id="audit"),
        pytest.param("/api/me", None, id="me"),
    ],
)
def test_an_api_answer_without_figures_is_recorded_once_or_not_at_all(
    world: World, web: tuple[Any, TestClient], path: str, action: str | None
) -> None:
    _, client = web
    before = _newest(world)
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/json")
    recorded = [(e.action, e.via) for e in _entries_after(world, before)]
    assert recorded == ([] if action is None else [(action, "api")])

"""`retour user ...`, `retour token ...` and `retour serve`."""

from __future__ import annotations

import getpass
from typing import Any

import pytest

from retour.cli import main
from retour.service import accounts, audit
from retour.service.context import Retour

from .conftest import PASSWORD


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`retour --lang en ARGS...` in this process (errors in English; a command's own --lang
    still chooses its output's): (exit status, stdout, stderr)."""
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_user_add_list_disable_enable(
    web_env: str, retour_app: Retour, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "user", "add", "Ann", "--role", "analyst", "--password", PASSWORD)
    assert (code, out.strip()) == (0, "Added ann (analyst).")
    code, out, _ = run(capsys, "user", "list")
    assert code == 0 and "ann" in out and "analyst" in out and "active" in out
    assert PASSWORD not in out
    assert run(capsys, "user", "disable", "ann")[0] == 0
    assert "disabled" in run(capsys, "user", "list")[1]
    assert run(capsys, "user", "enable", "ann")[0] == 0
    assert accounts.authenticate(retour_app, "ann", PASSWORD).name == "ann"
    entries = audit.read_log(retour_app)
    assert [e.action for e in entries[:4]] == [
        "login",
        "user_enabled",
        "user_disabled",
        "user_added",
    ]
    # account changes name the operating-system user, as the case view does
    assert {(e.actor, e.via) for e in entries[1:4]} == {(getpass.getuser(), "cli")}


def test_user_add_prompts_for_the_password(
    web_env: str,
    retour_app: Retour,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("typer.prompt", lambda *a, **k: next(answers))
    code, _, _ = run(capsys, "user", "add", "bob", "--role", "viewer")
    assert code == 0
    assert accounts.authenticate(retour_app, "bob", PASSWORD).role.value == "viewer"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "cy", "--role", "boss", "--password", PASSWORD], "Unknown role"),
        (["user", "add", "cy", "--role", "viewer", "--password", "short"], "too short"),
        (["user", "disable", "nobody"], "no user named"),
        (["token", "create", "nobody"], "no user named"),
        (["token", "revoke", "99"], "no live token"),
    ],
)
def test_mistakes_are_one_line_with_exit_2(
    web_env: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err


def test_token_create_list_revoke(
    web_env: str, retour_app: Retour, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "user", "add", "script", "--role", "viewer", "--password", PASSWORD)
    code, out, err = run(capsys, "token", "create", "script", "--label", "nightly", "--days", "7")
    token = out.strip()
    assert code == 0 and token.startswith("rt_") and "shown once" in err
    assert accounts.token_user(retour_app, token) is not None
    code, out, _ = run(capsys, "token", "list")
    assert "nightly" in out and token not in out
    assert run(capsys, "token", "revoke", "1")[0] == 0
    assert accounts.token_user(retour_app, token) is None


def test_serve_refuses_without_a_session_secret(
    web_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("RETOUR_SESSION_SECRET")
    code, _, err = run(capsys, "serve", "--port", "8999")
    assert code == 2
    assert "RETOUR_SESSION_SECRET" in err


def test_serve_runs_uvicorn_on_the_app(
    web_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        seen.update(app=app, **options)

    monkeypatch.setattr("uvicorn.run", fake_run)
    code, out, _ = run(capsys, "serve", "--host", "127.0.0.1", "--port", "8123")
    assert code == 0
    assert (seen["host"], seen["port"], seen["access_log"]) == ("127.0.0.1", 8123, False)
    assert type(seen["app"]).__name__ == "FastAPI"
    assert "http://127.0.0.1:8123/" in out

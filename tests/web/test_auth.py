"""Signing in and out, the session cookie, CSRF, lockout, bearer tokens, the secret."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

import pytest
from argon2 import PasswordHasher

from retour.config import Environment, load_settings
from retour.domain.errors import ConfigError, UsageError
from retour.service import accounts, audit
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.web import create_app

from .conftest import PASSWORD, SESSION_SECRET, TestClient, csrf_of, new_client, page_csrf, sign_in


def _post_login(client: TestClient, name: str, password: str) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def _set_cookies(response: Any) -> dict[str, Any]:
    cookies: dict[str, Any] = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            cookies[name] = morsel
    return cookies


def test_pages_redirect_to_login_and_back_after(web: Any) -> None:
    client = new_client(web)
    first = client.get("/countries/NG?profile=public", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login"
    response = _post_login(client, "viewer", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/countries/NG?profile=public"


def test_the_session_cookie_is_signed_httponly_samesite_secure_and_expires(web: Any) -> None:
    response = _post_login(new_client(web), "viewer", PASSWORD)
    cookie = _set_cookies(response)["retour_session"]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"].lower() == "lax"
    assert int(cookie["max-age"]) == 480 * 60
    assert cookie["path"] == "/"
    assert "." in cookie.value  # value.timestamp.signature


def test_a_tampered_or_foreign_cookie_is_no_session(web: Any) -> None:
    client = sign_in(new_client(web), "admin")
    real = client.cookies["retour_session"]
    token, stamp, signature = real.rsplit(".", 2)
    for forged in (f"{token}x.{stamp}.{signature}", f"{token}.{stamp}.{signature[:-2]}AA", "x"):
        other = new_client(web)
        other.cookies.set("retour_session", forged, domain="testserver.local")
        response = other.get("/audit", follow_redirects=False)
        assert response.status_code == 303, forged


def test_logout_ends_the_session_for_good(web: Any) -> None:
    client = sign_in(new_client(web), "analyst")
    stolen = client.cookies["retour_session"]
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    thief = new_client(web)
    thief.cookies.set("retour_session", stolen, domain="testserver.local")
    assert thief.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_and_unknown_name_say_the_same(web: Any) -> None:
    wrong = _post_login(new_client(web), "viewer", "not the password at all")
    unknown = _post_login(new_client(web), "nobody-here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Naam of wachtwoord onjuist." in wrong.text
    assert "Naam of wachtwoord onjuist." in unknown.text
    assert "retour_session" not in wrong.headers.get("set-cookie", "")


def test_lockout_after_repeated_failures(web: Any, loaded: Retour) -> None:
    client = new_client(web)
    for _ in range(3):  # RETOUR_LOCKOUT_THRESHOLD=3 in these tests
        assert _post_login(client, "analyst", "wrong wrong wrong").status_code == 401
    locked = _post_login(client, "analyst", PASSWORD)
    assert locked.status_code == 401
    assert "Te veel mislukte pogingen" in locked.text
    actions = [e.action for e in audit.read_log(loaded)]
    assert actions.count("login_failed") == 3
    assert "locked_out" in actions
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    assert accounts.locked_until(loaded, "analyst", later) is None
    user = accounts.authenticate(loaded, "analyst", PASSWORD, now=later)
    assert user.role is Role.ANALYST


def test_failed_names_are_not_stored_in_clear(web: Any, loaded: Retour) -> None:
    _post_login(new_client(web), "correct horse battery staple", "x")
    import sqlalchemy as sa

    with loaded.database().begin() as conn:
        rows = conn.execute(sa.text("SELECT name_hash FROM login_failures")).all()
        log = conn.execute(sa.text("SELECT actor, subject, detail FROM audit_log")).all()
    assert rows and all("horse" not in r[0] for r in rows)
    assert all("horse" not in str(r) for r in log)


def test_a_disabled_user_loses_the_session(
    web: Any, loaded: Retour, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At once in the database; the web trusts a checked session for SESSION_CHECK_SECONDS
    (2 s), here set to nothing."""
    from retour.web import security

    assert security.SESSION_CHECK_SECONDS <= 2
    monkeypatch.setattr(security, "SESSION_CHECK_SECONDS", 0.0)
    client = sign_in(new_client(web), "caseworker")
    assert client.get("/cases", follow_redirects=False).status_code == 200
    accounts.set_disabled(loaded, "caseworker")
    assert client.get("/cases", follow_redirects=False).status_code == 303
    assert _post_login(new_client(web), "caseworker", PASSWORD).status_code == 401


def test_an_expired_session_is_refused(loaded: Retour, users: Any) -> None:
    user = accounts.get_user(loaded, "viewer")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=9)
    token, expires = accounts.start_session(loaded, user, now=long_ago)
    assert expires < dt.datetime.now(dt.UTC)
    assert accounts.session(loaded, token) is None


# -- CSRF --------------------------------------------------------------------------------------


def test_posts_without_or_with_a_wrong_csrf_token_are_refused(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    admin = client_for(Role.ADMIN)
    other = client_for(Role.ANALYST)
    form = {
        "country": "NG",
        "kind": "visa_measure",
        "level": "eu",
        "status": "in_force",
        "start_on": "2020-01-01",
        "title": "csrf probe",
    }
    for token in (None, "", "0" * 64, page_csrf(other)):
        data = dict(form) if token is None else {**form, "csrf_token": token}
        response = admin.post("/instruments", data=data)
        assert response.status_code == 403, token
        assert "Formulier verlopen" in response.text
    assert admin.post("/logout").status_code == 403
    assert admin.get("/audit").status_code == 200  # still signed in
    assert not any(i.title == "csrf probe" for i in _instruments(loaded))


def test_the_csrf_header_of_htmx_is_accepted(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    admin = client_for(Role.ADMIN)
    response = admin.post(
        "/instruments",
        data={
            "country": "NG",
            "kind": "visa_measure",
            "level": "eu",
            "status": "in_force",
            "start_on": "2020-01-01",
            "title": "via htmx",
        },
        headers={"X-CSRF-Token": page_csrf(admin), "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text  # the fragment only
    assert any(i.title == "via htmx" for i in _instruments(loaded))


def test_login_itself_needs_the_pre_session_token(web: Any) -> None:
    client = new_client(web)
    response = client.post(
        "/login", data={"name": "admin", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "retour_session" not in client.cookies


def _instruments(app: Retour) -> list[Any]:
    from retour.service import instruments

    return instruments.list_instruments(app)


# -- bearer tokens -------------------------------------------------------------------------------


def test_api_with_a_bearer_token(web: Any, loaded: Retour) -> None:
    token, info = accounts.create_token(loaded, "analyst", label="script")
    client = new_client(web)
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/me", headers=headers)
    assert me.status_code == 200
    assert me.json() == {
        "name": "analyst",
        "role": "analyst",
        "profiles": ["public", "parliament", "internal"],
    }
    assert client.get("/api/figures/requests", headers=headers).status_code == 200
    # a token opens the API only, never the pages
    assert client.get("/", headers=headers, follow_redirects=False).status_code == 303
    accounts.revoke_token(loaded, info.id)
    refused = client.get("/api/me", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Bearer rt_nonsense", "Bearer ", "Basic YWRtaW46eA==", "Bearer " + "x" * 300]
)
def test_api_refuses_bad_authorization(web: Any, header: str) -> None:
    response = new_client(web).get("/api/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_an_expired_token_is_refused(loaded: Retour, users: Any) -> None:
    token, _ = accounts.create_token(loaded, "viewer", days=1)
    assert accounts.token_user(loaded, token) is not None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    assert accounts.token_user(loaded, token, now=later) is None


def test_tokens_of_a_disabled_user_are_revoked(loaded: Retour, users: Any) -> None:
    token, _ = accounts.create_token(loaded, "viewer")
    accounts.set_disabled(loaded, "viewer")
    accounts.set_disabled(loaded, "viewer", False)
    assert accounts.token_user(loaded, token) is None


# -- users and passwords -----------------------------------------------------------------------


def test_passwords_are_argon2id_hashes_with_the_library_defaults() -> None:
    hasher = PasswordHasher()
    assert hasher.type.name == "ID"
    assert hasher.memory_cost >= 64 * 1024
    digest = hasher.hash(PASSWORD)
    assert digest.startswith("$argon2id$") and PASSWORD not in digest


@pytest.mark.parametrize(
    ("name", "password"),
    [("ab", "x"), ("Bad Name", PASSWORD), ("a/b", PASSWORD), ("okname", "short")],
)
def test_bad_names_and_short_passwords_are_refused(
    retour_app: Retour, name: str, password: str
) -> None:
    with pytest.raises(UsageError):
        accounts.add_user(retour_app, name, "viewer", password)


def test_a_name_is_taken_once(retour_app: Retour) -> None:
    accounts.add_user(retour_app, "Jan", "viewer", PASSWORD)
    with pytest.raises(UsageError, match="exists already"):
        accounts.add_user(retour_app, "jan", "admin", PASSWORD)


# -- the session secret ------------------------------------------------------------------------


def test_no_web_without_a_session_secret_outside_development(
    web_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RETOUR_SESSION_SECRET")
    with Retour(settings=load_settings()) as app, pytest.raises(ConfigError, match="session"):
        create_app(app, warm_up=False)


@pytest.mark.parametrize("secret", ["changethis", "", "too-short-secret"])
def test_a_default_or_short_secret_is_refused_outside_development(
    web_env: str, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("RETOUR_SESSION_SECRET", secret)
    with pytest.raises(ConfigError, match="session_secret"):
        load_settings()


def test_development_tolerates_a_missing_secret(
    web_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RETOUR_SESSION_SECRET")
    monkeypatch.setenv("RETOUR_ENVIRONMENT", "development")
    settings = load_settings()
    assert settings.environment is Environment.DEVELOPMENT
    assert len(settings.session_key()) == 32
    assert settings.session_key() == settings.session_key()
    assert settings.secure_cookies is False
    monkeypatch.setenv("RETOUR_SESSION_SECRET", "changethis")
    with pytest.warns(UserWarning, match="development"):
        load_settings()


def test_the_secret_signs_the_cookies(web: Any, loaded: Retour, users: Any) -> None:
    """A cookie signed with another secret is no session."""
    from itsdangerous import TimestampSigner

    user = accounts.get_user(loaded, "admin")
    token, _ = accounts.start_session(loaded, user)
    forged = TimestampSigner(b"another secret " * 3, salt="retour.session").sign(token)
    client = new_client(web)
    client.cookies.set("retour_session", forged.decode(), domain="testserver.local")
    assert client.get("/audit", follow_redirects=False).status_code == 303
    good = TimestampSigner(SESSION_SECRET.encode(), salt="retour.session").sign(token)
    client.cookies.set("retour_session", good.decode(), domain="testserver.local")
    assert client.get("/audit", follow_redirects=False).status_code == 200

"""`retour serve`, `retour user ...` and `retour token ...`: the web dashboard and its users.

Thin over :mod:`retour.service.accounts`; `serve` runs Uvicorn over the application built
by ``retour.web.create_app`` (imported lazily: the CLI and the web do not import each
other's modules at import time, and the command line stays quick to start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Annotated

import typer

from retour.cli.render import console, print_table
from retour.cli.session import command_app, context, err_console

if TYPE_CHECKING:
    pass

#: `retour serve`.
app = command_app()
#: `retour user ...`.
user_app = command_app(help="Users of the web dashboard.")
#: `retour token ...`.
token_app = command_app(help="Bearer tokens of the JSON API.")

#: The application factory `retour serve` runs; a string so the CLI never imports the web.
WEB_FACTORY = "retour.web.app"


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else ""


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
) -> None:
    """Run the web dashboard (FastAPI on Uvicorn). Needs RETOUR_SESSION_SECRET."""

    import uvicorn

    ctx = context()
    factory = importlib.import_module(WEB_FACTORY).create_app
    web = factory(ctx)
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    console.print(f"retour: http://{host}:{port}/ (database {ctx.database().url})", markup=False)
    # Uvicorn's own access log prints full paths (a case id is in one); retour logs the
    # route template of each request instead.
    uvicorn.run(web, host=host, port=port, access_log=False, log_level="info")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The user name (lower case).")],
    role: Annotated[str, typer.Option("--role", help="viewer, analyst, caseworker or admin.")],
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="The password (at least 12 characters); asked for when left out, which "
            "keeps it out of the shell's history.",
        ),
    ] = None,
) -> None:
    """Add a user of the web dashboard; the password is stored as an argon2 hash."""
    from retour.service import accounts  # imported when run: the CLI starts faster

    chosen = accounts.Role.parse(role)
    clean = accounts.check_name(name)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with context() as ctx:
        user = accounts.add_user(ctx, clean, chosen, password)
    console.print(f"Added {user.name} ({user.role.value}).", markup=False)


@user_app.command("list")
def user_list() -> None:
    """The users, their roles, and whether they are disabled."""
    from retour.service import accounts  # imported when run: the CLI starts faster

    with context() as ctx:
        users = accounts.list_users(ctx)
    rows = [
        (u.name, u.role.value, "disabled" if u.disabled else "active", _when(u.created_at))
        for u in users
    ]
    print_table(None, ("name", "role", "state", "created (UTC)"), rows)


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(help="The user name.")]) -> None:
    """Disable a user: their sessions end and their tokens are revoked at once."""
    from retour.service import accounts  # imported when run: the CLI starts faster

    with context() as ctx:
        user = accounts.set_disabled(ctx, name, True)
    console.print(f"Disabled {user.name}.", markup=False)


@user_app.command("enable")
def user_enable(name: Annotated[str, typer.Argument(help="The user name.")]) -> None:
    """Enable a disabled user again (old sessions and tokens stay ended)."""
    from retour.service import accounts  # imported when run: the CLI starts faster

    with context() as ctx:
        user = accounts.set_disabled(ctx, name, False)
    console.print(f"Enabled {user.name}.", markup=False)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="The user the token acts for.")],
    label: Annotated[str | None, typer.Option("--label", help="What the token is for.")] = None,
    days: Annotated[
        int, typer.Option("--days", help="Days the token lasts (0: until revoked).", min=0)
    ] = 90,
) -> None:
    """Create a bearer token for the JSON API; it is shown once, and stored hashed."""
    from retour.service import accounts  # imported when run: the CLI starts faster

    with context() as ctx:
        token, info = accounts.create_token(ctx, name, label=label, days=days or None)
    expires = _when(info.expires_at) or "never (until revoked)"
    err_console.print(
        f"Token {info.id} for {info.user}, expires {expires}. It is shown once; keep it "
        "secret. Use it as: Authorization: Bearer <token>",
        markup=False,
    )
    console.print(token, markup=False)


@token_app.command("list")
def token_list() -> None:
    """The tokens (never their values): who, what for, when made, when they end."""
    from retour.service import accounts  # imported when run: the CLI starts faster

    with context() as ctx:
        tokens = accounts.list_tokens(ctx)
    rows = [
        (
            str(t.id),
            t.user,
            t.label or "",
            _when(t.created_at),
            _when(t.expires_at) or "never",
            _when(t.revoked_at),
        )
        for t in tokens
    ]
    print_table(None, ("id", "user", "label", "created", "expires", "revoked"), rows)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke a token at once."""
    from retour.service import accounts  # imported when run: the CLI starts faster

    with context() as ctx:
        accounts.revoke_token(ctx, token_id)
    console.print(f"Revoked token {token_id}.", markup=False)

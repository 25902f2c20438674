"""Nothing rewrites a past audit entry: every statement that could is tried, and refused.

On SQLite the triggers of revisions 0003 and 0006 refuse UPDATE, DELETE and an INSERT over
an existing id (REPLACE INTO, INSERT OR REPLACE); INSERT ... ON CONFLICT DO UPDATE meets
the UPDATE trigger. On PostgreSQL the triggers refuse UPDATE, DELETE and TRUNCATE, and a
role that does not own audit_log (docs/web.md) cannot switch them off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from retour.domain.errors import DatabaseError
from retour.store import Database, open_database
from retour.store import audit as store_audit

AT = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

COMMON = {
    "update": "UPDATE audit_log SET actor = 'mallory' WHERE id = {id}",
    "update-all": "UPDATE audit_log SET detail = NULL",
    "delete": "DELETE FROM audit_log WHERE id = {id}",
    "delete-all": "DELETE FROM audit_log",
    "on-conflict-update": (
        "INSERT INTO audit_log (id, at, actor, action, via) "
        "VALUES ({id}, '2026-01-01 00:00:00', 'mallory', 'login', 'web') "
        "ON CONFLICT (id) DO UPDATE SET actor = excluded.actor"
    ),
}
SQLITE_ONLY = {
    "replace-into": (
        "REPLACE INTO audit_log (id, at, actor, action, via) "
        "VALUES ({id}, '2026-01-01 00:00:00', 'mallory', 'login', 'web')"
    ),
    "insert-or-replace": (
        "INSERT OR REPLACE INTO audit_log (id, at, actor, action, via) "
        "VALUES ({id}, '2026-01-01 00:00:00', 'mallory', 'login', 'web')"
    ),
    "insert-or-replace-select": (
        "INSERT OR REPLACE INTO audit_log (id, at, actor, action, via) "
        "SELECT id, at, 'mallory', action, via FROM audit_log"
    ),
    "update-or-replace": "UPDATE OR REPLACE audit_log SET id = {id} WHERE id <> {id}",
}
POSTGRES_ONLY = {
    "truncate": "TRUNCATE audit_log",
    "truncate-cascade": "TRUNCATE audit_log RESTART IDENTITY CASCADE",
}
#: What a role that does not own audit_log could try on PostgreSQL, beyond the above.
NOT_OWNER = {
    "disable-trigger": "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
    "disable-all-triggers": "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "drop-trigger": "DROP TRIGGER audit_log_no_change ON audit_log",
    "replace-function": (
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
    ),
    "replication-role": "SET session_replication_role = replica",
    "rename": "ALTER TABLE audit_log RENAME TO audit_log_old",
    "drop-table": "DROP TABLE audit_log",
    "grant-self-then-update": (  # the GRANT grants nothing (a warning), the UPDATE fails
        "GRANT UPDATE, DELETE ON audit_log TO CURRENT_USER; "
        "UPDATE audit_log SET actor = 'mallory' WHERE id = {id}"
    ),
    "replication-role-then-delete": (
        "SET session_replication_role = replica; DELETE FROM audit_log WHERE id = {id}"
    ),
}


def _append(db: Database, actor: str = "alice") -> int:
    return store_audit.append(
        db, at=AT, actor=actor, role="admin", action="login", profile=None,
        subject="7", via="web", detail='{"n":1}',
    )  # fmt: skip


def _log(db: Database) -> list[tuple[object, ...]]:
    with db.begin() as conn:
        return [tuple(r) for r in conn.execute(sa.text("SELECT * FROM audit_log ORDER BY id"))]


def _refused(db: Database, statement: str) -> bool:
    """Whether the statement failed (in its own transaction, rolled back)."""
    try:
        with db.engine.connect() as conn, conn.begin():
            conn.exec_driver_sql(statement)
            conn.exec_driver_sql("SELECT count(*) FROM audit_log")  # still there, as it was
    except sa.exc.DBAPIError:
        return True
    return False


def _statements(sqlite: bool) -> dict[str, str]:
    return {**COMMON, **(SQLITE_ONLY if sqlite else POSTGRES_ONLY)}


def test_every_rewrite_of_a_past_entry_is_refused(db: Database) -> None:
    first, second = _append(db), _append(db, "bob")
    before = _log(db)
    tried = _statements(db.is_sqlite)
    for name, statement in tried.items():
        assert _refused(db, statement.format(id=first)), name
        assert _log(db) == before, name
    assert [_append(db, "carol")] == [second + 1]  # appending still works
    assert len(_log(db)) == 3


def test_an_insert_over_an_existing_id_is_refused_even_ignoring_conflicts(db: Database) -> None:
    first = _append(db)
    before = _log(db)
    ignore = "OR IGNORE" if db.is_sqlite else ""
    tail = "" if db.is_sqlite else "ON CONFLICT DO NOTHING"
    statement = (
        f"INSERT {ignore} INTO audit_log (id, at, actor, action, via) "
        f"VALUES ({first}, '2026-01-01 00:00:00', 'mallory', 'login', 'web') {tail}"
    )
    try:
        with db.begin() as conn:
            conn.exec_driver_sql(statement)
    except DatabaseError:
        pass  # refused outright (SQLite's trigger) or ignored (PostgreSQL): never written
    assert _log(db) == before


# -- PostgreSQL: an owner role of its own ------------------------------------------------------

OWNER, APP = "retour_test_audit_owner", "retour_test_app"


def _role(conn: sa.Connection, name: str) -> None:
    conn.exec_driver_sql(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE {name} LOGIN PASSWORD '{name}'; END IF; END $$"
    )


@contextmanager
def split_roles(db: Database) -> Iterator[tuple[str, str]]:
    """The set-up docs/web.md describes: audit_log and its trigger function owned by an
    owner role; the application's role with INSERT and SELECT on it (and its sequence).
    The URLs of the owner and of the application."""
    with db.begin() as conn:
        for name in (OWNER, APP):
            _role(conn, name)
            conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {name}")
            conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name}")
        conn.exec_driver_sql(f"ALTER TABLE audit_log OWNER TO {OWNER}")
        conn.exec_driver_sql(f"ALTER FUNCTION audit_log_append_only() OWNER TO {OWNER}")
        conn.exec_driver_sql(f"GRANT INSERT, SELECT ON audit_log TO {APP}")
        conn.exec_driver_sql(f"GRANT USAGE ON SEQUENCE audit_log_id_seq TO {APP}")
    url = db.engine.url
    yield tuple(  # type: ignore[misc]
        url.set(username=n, password=n).render_as_string(hide_password=False) for n in (OWNER, APP)
    )
    with db.begin() as conn:  # the roles outlive the schema: leave them owning nothing
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
        for name in (OWNER, APP):
            conn.exec_driver_sql(f"DROP OWNED BY {name}")


def test_a_role_that_does_not_own_the_log_cannot_lift_its_guards(db: Database) -> None:
    """PostgreSQL: the application's role of docs/web.md. SQLite has no roles: whoever
    may write the file may change it (docs/reliability.md), and nothing warns about it."""
    if db.is_sqlite:
        assert store_audit.owner_warning(db) is None
        return
    first = _append(db)
    with split_roles(db) as (_, app_url), open_database(app_url) as app:
        assert _append(app, "bob") == first + 1  # the application still appends and reads
        before = _log(app)
        tried = {**_statements(sqlite=False), **NOT_OWNER}
        for name, statement in tried.items():
            assert _refused(app, statement.format(id=first)), name
            assert _log(app) == before, name
        assert store_audit.owner_warning(app) is None


def test_db_upgrade_warns_a_role_that_could_lift_the_guards(db: Database) -> None:
    if db.is_sqlite:
        assert store_audit.owner_warning(db) is None
        return
    superuser = store_audit.owner_warning(db)
    assert superuser is not None and "is a superuser" in superuser
    with split_roles(db) as (owner_url, _), open_database(owner_url) as owner:
        warning = store_audit.owner_warning(owner)
    assert warning is not None and f"{OWNER} owns audit_log" in warning
    assert "INSERT and SELECT" in warning and "docs/web.md" in warning and "\n" not in warning

"""`retour db upgrade` says in one line when retour's role could rewrite the audit log."""

from __future__ import annotations

from pathlib import Path

from .test_secrets import retour


def test_db_upgrade_warns_when_the_role_could_lift_the_log_s_guards(
    database_url: str, tmp_path: Path, on_postgres: bool
) -> None:
    done = retour(["db", "upgrade"], tmp_path, RETOUR_DB=database_url)
    assert done.returncode == 0, done.stderr
    assert "Upgraded the database schema" in done.stdout
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    if on_postgres:  # the test server's role is a superuser
        (line,) = warnings
        assert "is a superuser" in line and "docs/web.md" in line
        assert "retour_ci:" not in line  # no password, no URL
    else:  # SQLite has no roles to warn about
        assert warnings == []

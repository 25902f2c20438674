"""The audit log: append-only in code and in the database, a closed set of actions, ids
and codes only, and every case view and export recorded."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from retour.domain.errors import DatabaseError
from retour.service import audit
from retour.service.accounts import Role
from retour.service.audit import AuditAction, Via
from retour.service.context import Retour

from .conftest import TestClient

SRC = Path(__file__).resolve().parents[2] / "src" / "retour"


def _raw(app: Retour, statement: str) -> None:
    with app.database().begin(write=True) as conn:
        conn.execute(sa.text(statement))


def test_the_database_refuses_to_change_or_remove_a_row(retour_app: Retour) -> None:
    audit.record(retour_app, AuditAction.LOGIN, actor="someone", via=Via.WEB)
    for statement in (
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(retour_app, statement)
    if not retour_app.database().is_sqlite:
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(retour_app, "TRUNCATE audit_log")
    entries = audit.read_log(retour_app)
    assert [(e.action, e.actor) for e in entries] == [("login", "someone")]


def test_no_code_changes_or_removes_audit_rows() -> None:
    """No module of retour builds an UPDATE or DELETE on the audit log."""
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue  # the revision creates the refusing triggers
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in {"update", "delete"}:
                args = [ast.unparse(a) for a in node.args]
                assert not any("audit" in a for a in args), f"{path}: {ast.unparse(node)}"
        text = path.read_text(encoding="utf-8").lower()
        for word in ("update audit_log", "delete from audit_log", "truncate audit_log"):
            assert word not in text, f"{path}: {word}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def test_actions_are_a_closed_set(retour_app: Retour) -> None:
    with pytest.raises(ValueError):
        audit.record(retour_app, "deleted_everything", actor="x", via=Via.WEB)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        audit.record(retour_app, AuditAction.LOGIN, actor="x", via="email")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "subject", ["Jan Jansen", "born 1990-01-01 in Rabat", "<b>", "x" * 65, "a\nb"]
)
def test_subjects_are_ids_or_codes_never_free_text(retour_app: Retour, subject: str) -> None:
    with pytest.raises(ValueError, match="id or a code"):
        audit.record(retour_app, AuditAction.VIEW_CASE, actor="x", via=Via.WEB, subject=subject)
    with pytest.raises(ValueError):
        audit.record(
            retour_app, AuditAction.EXPORT_API, actor="x", via=Via.API, detail={"q": subject}
        )
    assert audit.read_log(retour_app) == []


def test_api_answers_are_recorded_with_their_profile(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    analyst = client_for(Role.ANALYST)
    analyst.get("/api/figures/departures?profile=parliament&years=2020-2021")
    analyst.get("/api/countries/NG")
    entries = [e for e in audit.read_log(loaded) if e.action == "export_api"]
    assert [(e.subject, e.profile, e.via) for e in entries] == [
        ("NG", "public", "api"),
        ("departures", "parliament", "api"),
    ]
    assert entries[1].detail == {"by": "year,type", "years": "2020-2021"}


def test_logins_and_logouts_are_recorded(
    client_for: Callable[[Role | None], TestClient], loaded: Retour
) -> None:
    client_for(Role.VIEWER)
    entries = audit.read_log(loaded)
    assert (entries[0].action, entries[0].actor, entries[0].role) == ("login", "viewer", "viewer")

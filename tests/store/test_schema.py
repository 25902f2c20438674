"""The schema the migrations build is the schema the code declares, and it follows SPECS."""

from __future__ import annotations

import ast
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from retour.domain.codes import Table
from retour.domain.tables import SPECS
from retour.store import HEAD_REVISION, Database, engine, schema

VERSIONS = engine.MIGRATIONS_DIR / "versions"
#: The requests' covering index of the time limits and the Article 25a counts (revision 0014).
COVERING = ("country", "submitted_on", "kind", "outcome", "outcome_on", "document_on", "reason",
            "case_id", "request_id")  # fmt: skip


def test_a_new_database_is_migrated_to_head(db: Database) -> None:
    assert db.schema_version == HEAD_REVISION
    with db.engine.connect() as conn:
        stamped = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
        tables = set(sa.inspect(conn).get_table_names())
    assert list(stamped) == [HEAD_REVISION]
    assert tables == {t.name for t in schema.metadata.tables.values()} | {"alembic_version"}


def test_migrations_build_exactly_the_declared_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, schema.metadata) == []


def test_indexes_and_foreign_keys_are_in_the_database(db: Database) -> None:
    with db.engine.connect() as conn:
        inspector = sa.inspect(conn)
        indexes = {
            (t, tuple(ix["column_names"]))
            for t in ("cases", "requests", "detentions", "departures")
            for ix in inspector.get_indexes(t)
        }
        foreign = {
            (t.value, tuple(fk["constrained_columns"]), fk["referred_table"])
            for t in Table
            for fk in inspector.get_foreign_keys(t.value)
        }
    assert indexes == {
        ("cases", ("nationality",)),
        ("requests", COVERING),
        ("requests", ("case_id",)),
        ("requests", ("kind", "outcome", "country", "submitted_on", "reason")),
        ("detentions", ("case_id",)),
        ("departures", ("case_id",)),
    }
    with_case = {t.value for t in Table if "case_id" in SPECS[t].column_names} - {"cases"}
    assert foreign == {(t, ("case_id",), "cases") for t in with_case} | {
        (t.value, ("import_id",), "imports") for t in Table
    }


def test_contract_tables_follow_specs() -> None:
    for t, spec in SPECS.items():
        table = schema.table(t)
        assert [c.name for c in table.columns] == [*spec.column_names, *schema.BOOKKEEPING]
        assert tuple(c.name for c in table.primary_key.columns) == spec.key
        for column in spec.columns:
            optional = not column.required and column.name not in spec.key
            assert table.c[column.name].nullable is optional, (t, column.name)
        assert not table.c.extracted_on.nullable
        assert not table.c.import_id.nullable


def test_the_shipped_head_is_head_revision() -> None:
    assert engine.head_revision() == HEAD_REVISION
    assert engine.scripts_head(engine.SHIPPED_LOCATIONS) == HEAD_REVISION


def test_revisions_are_frozen_history() -> None:
    """A revision spells out its DDL: it imports nothing of retour (no SPECS, no schema)."""
    revisions = [p for p in VERSIONS.glob("*.py") if p.name != "__init__.py"]
    assert revisions
    for path in revisions:
        imported = _imported_modules(path)
        assert imported <= {"__future__", "collections.abc", "sqlalchemy", "alembic"}, path.name


def test_migrations_ship_as_packages() -> None:
    """setuptools' find_packages only takes folders with __init__.py: env.py and the
    revisions must be inside packages to be installed with retour."""
    for folder in (engine.MIGRATIONS_DIR, VERSIONS):
        assert (folder / "__init__.py").is_file(), folder
    assert (engine.MIGRATIONS_DIR / "env.py").is_file()
    assert (engine.MIGRATIONS_DIR / "script.py.mako").is_file()


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found

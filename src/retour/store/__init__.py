"""Storage: SQLAlchemy 2 schema, engine, bulk writes, snapshots, Alembic migrations.

Imports only retour.domain.
"""

"""Alembic migrations of the retour schema, run programmatically by retour.store.engine.

A package (with `__init__.py`) so that setuptools ships env.py and the revisions with retour.
"""

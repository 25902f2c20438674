"""Alembic environment: migrations run on the connection retour.store.engine passes in.

retour never reads an alembic.ini: the engine builds the Config and puts an open connection,
already inside a transaction, in `config.attributes["connection"]`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from retour.store.schema import metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, sa.Connection):
        raise RuntimeError("retour migrations need an open connection in config.attributes")
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("retour migrations run online only")
run_migrations_online()

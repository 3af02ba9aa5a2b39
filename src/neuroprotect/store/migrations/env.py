"""Alembic environment of the store, configured from code (no ``alembic.ini``).

:func:`neuroprotect.store.engine.init_db` passes an open connection in ``config.attributes``;
otherwise the URL in the ``sqlalchemy.url`` option (or ``$NEUROPROTECT_DATABASE_URL``) is used.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from neuroprotect.store.engine import make_engine
from neuroprotect.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

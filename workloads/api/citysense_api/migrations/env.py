"""Alembic's environment: migrations run online on the engine `citysense_api.migrate` hands over."""

from __future__ import annotations

from alembic import context
from citysense_api.models import Base
from sqlalchemy import Engine

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through citysense_api.migrate (it passes the engine)")

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()

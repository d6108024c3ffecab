"""The PostgreSQL engine: SQLAlchemy 2 over psycopg 3, logging in with an IAM token on Aurora.

With `iam_auth`, every new connection gets a fresh `rds generate_db_auth_token` (valid 15 minutes):
the pool may keep a connection longer, since a token is checked only when the session starts.
"""

from __future__ import annotations

from typing import Any

import boto3
from sqlalchemy import URL, Engine, create_engine, event, text

from citysense_api.aws import client
from citysense_api.settings import Settings

POOL_RECYCLE_S = 600


def database_url(settings: Settings) -> URL:
    """`postgresql+psycopg://user@host:port/name`; the password is never part of it under IAM auth."""
    db = settings.database
    query = {"sslmode": db.sslmode, "connect_timeout": str(db.connect_timeout_s)}
    if db.sslrootcert:
        query["sslrootcert"] = db.sslrootcert
    return URL.create(
        "postgresql+psycopg",
        username=db.user,
        password=None if db.iam_auth else db.password,
        host=db.host,
        port=db.port,
        database=db.name,
        query=query,
    )


def create_db_engine(settings: Settings, session: boto3.session.Session | None = None) -> Engine:
    engine = create_engine(database_url(settings), pool_pre_ping=True, pool_recycle=POOL_RECYCLE_S, pool_size=5)
    if settings.database.iam_auth:
        rds = client(settings, "rds", session)
        db = settings.database

        @event.listens_for(engine, "do_connect")
        def _iam_token(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
            cparams["password"] = rds.generate_db_auth_token(
                DBHostname=db.host, Port=db.port, DBUsername=db.user, Region=settings.region
            )

    return engine


def reachable(engine: Engine) -> bool:
    """Readiness: a round trip to the database succeeds."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        return False
    return True

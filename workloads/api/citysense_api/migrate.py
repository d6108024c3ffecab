"""Schema migrations with Alembic: `python -m citysense_api.migrate` upgrades the configured database to head.

Run once per release (a Kubernetes Job or the deploy step) before the new pods serve, with a user
allowed to change the schema; the serving pods need only read/write on the tables.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from citysense_api.db import create_db_engine
from citysense_api.settings import Settings, SettingsError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration running on `engine` (no alembic.ini needed inside the image)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def main() -> int:
    try:
        engine = create_db_engine(Settings.from_env())
        upgrade(engine)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # one line, exit 2: never a traceback
        print(f"error: migration failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

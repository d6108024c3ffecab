"""Configuration from the environment (fail closed), IAM database login, and migrations equal to the models."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import boto3
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from citysense_api.db import create_db_engine, database_url
from citysense_api.models import Base
from citysense_api.settings import Settings, SettingsError
from sqlalchemy import Engine

from citygate.paths import WORKLOADS
from tests.api.fixtures import REGION


def test_names_default_to_the_platforms_resources() -> None:
    settings = Settings.from_env({"CITYSENSE_ENV": "prod", "INFERENCE_URL": "http://inference.production/"})
    assert settings.raw_bucket == "citygate-prod-data-lake-raw"  # stacks/data.py: ctx.name("data-lake-raw")
    assert settings.sensor_stream == "citygate-prod-iot-sensors"
    assert settings.feature_table == "citygate-prod-features"
    assert settings.inference_url == "http://inference.production"
    assert settings.database.name == "citygate" and settings.database.user == "api"


@pytest.mark.parametrize(
    "environ",
    [
        {"CITYSENSE_DB_IAM": "yes"},
        {"CITYSENSE_DB_IAM": "1", "CITYSENSE_DB_PASSWORD": "x"},
        {"CITYSENSE_DB_PORT": "http"},
        {"CITYSENSE_DB_PORT": "70000"},
        {"CITYSENSE_INFERENCE_TIMEOUT_S": "0"},
        {"CITYSENSE_INFERENCE_TIMEOUT_S": "soon"},
    ],
)
def test_bad_settings_are_refused(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(environ)


def test_iam_login_sends_a_fresh_rds_token_and_requires_tls(moto_endpoint: str) -> None:
    environ = {"CITYSENSE_DB_IAM": "1", "CITYSENSE_DB_HOST": "aurora.example", "AWS_REGION": REGION}
    settings = Settings.from_env({**environ, "CITYSENSE_AWS_ENDPOINT_URL": moto_endpoint})
    url = database_url(settings)
    assert url.password is None and url.query["sslmode"] == "verify-full"
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    engine = create_db_engine(settings, session)
    params: dict[str, Any] = {}
    engine.dialect.dispatch.do_connect(engine.dialect, None, [], params)  # what each new connection runs
    assert params["password"].startswith("aurora.example:5432/?Action=connect&DBUser=api")


def test_migrations_create_exactly_the_models(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == "0001"


def test_the_migration_command_fails_closed_on_bad_settings() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "citysense_api.migrate"],
        cwd=WORKLOADS / "api",
        env={"CITYSENSE_DB_IAM": "maybe", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: CITYSENSE_DB_IAM must be 1/true or 0/false, not 'maybe'"

"""Session fixtures for the city API and its dashboard: a real PostgreSQL, the embedded AWS, the inference service.

Shared by tests/api and tests/web (each conftest imports them).  The AWS resources get names of their
own environment (`citygate-apitest<hex>-...`) so they never meet the stacks other tests apply to the
same moto server.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace

import boto3
import pytest

from citygate.embedded_aws import TEST_CREDENTIAL
from citygate.loadtest.local_service import LocalService
from citygate.localcity import WORKLOAD_PACKAGES  # noqa: F401 (puts the workloads' packages on sys.path)
from citygate.localcity.postgres import LocalPostgres
from citygate.paths import WORKLOADS

sys.path.insert(0, str(WORKLOADS / "api"))

from citysense_api.app import create_app
from citysense_api.db import create_db_engine
from citysense_api.migrate import upgrade
from citysense_api.settings import Database, Settings
from citysense_pipeline.aws import ensure_resources
from citysense_pipeline.config import Resources
from fastapi.testclient import TestClient
from sqlalchemy import Engine

REGION = "us-east-1"
APP_USER = "api"
DATABASE = "citygate"


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    with LocalPostgres() as server:
        yield server


@pytest.fixture(scope="session")
def city_database(postgres: LocalPostgres) -> Database:
    """The `citygate` database owned by the `api` login (password generated per session), migrated to head."""
    login = postgres.owned_database(APP_USER, DATABASE)
    return Database(host=login.host, port=login.port, name=DATABASE, user=login.user, password=login.password)


@pytest.fixture(scope="session")
def aws_session() -> boto3.session.Session:
    """The embedded AWS's test credentials, held by a session rather than the process environment."""
    return boto3.session.Session(
        aws_access_key_id=TEST_CREDENTIAL, aws_secret_access_key=TEST_CREDENTIAL, region_name=REGION
    )


@pytest.fixture(scope="session")
def inference_url() -> Iterator[str]:
    """The real inference service under uvicorn on loopback."""
    with LocalService() as service:
        yield service.url


@pytest.fixture(scope="session")
def api_settings(moto_endpoint: str, city_database: Database, inference_url: str) -> Settings:
    """Settings naming this session's raw bucket, stream and feature table, created in the embedded AWS by the
    pipeline's own setup (the stores the API reads are the ones the pipeline writes)."""
    stores = Resources.for_env(f"apitest{uuid.uuid4().hex[:8]}", moto_endpoint)
    ensure_resources(stores)
    settings = Settings(
        env="apitest",
        region=REGION,
        aws_endpoint_url=moto_endpoint,
        raw_bucket=stores.raw_bucket,
        sensor_stream=stores.sensor_stream,
        feature_table=stores.feature_table,
        database=city_database,
        inference_url=inference_url,
    )
    return settings


@pytest.fixture(scope="session")
def db_engine(api_settings: Settings) -> Iterator[Engine]:
    """The API's engine on the migrated database (Alembic, as a release runs it)."""
    engine = create_db_engine(api_settings)
    upgrade(engine)
    yield engine
    engine.dispose()


def unreachable_inference(settings: Settings, port: int) -> Settings:
    """The same settings with an inference URL nothing listens on."""
    return replace(settings, inference_url=f"http://127.0.0.1:{port}")


SEGMENTS = [
    {"id": "seg-0001", "name": "Ring road north", "free_flow_kmh": 70.0, "length_m": 1200.0, "latitude": 52.52, "longitude": 13.40},
    {"id": "seg-0002", "name": "Harbour bridge", "free_flow_kmh": 50.0, "length_m": 800.0, "latitude": 52.51, "longitude": 13.42},
    {"id": "seg-0003", "name": "Old town lane", "free_flow_kmh": 30.0, "length_m": 300.0, "latitude": 52.50, "longitude": 13.39},
]  # fmt: skip
# seg-0001: everything a forecast needs; seg-0002: no speed 15 minutes ago; seg-0003: nothing in the store.
FEATURES = {
    "seg-0001": {"speed_kmh": 41.5, "speed_prev_kmh": 55.0, "volume_vph": 1800, "rain_mm_h": 0.4, "temperature_c": 6.0},
    "seg-0002": {"speed_kmh": 35.0, "volume_vph": 900, "temperature_c": 6.5},
}
OBSERVED_AT = "2026-11-23T08:15:00+01:00"


@pytest.fixture(scope="session")
def city(db_engine: Engine, api_settings: Settings, aws_session: boto3.session.Session) -> Settings:
    """The catalogue in PostgreSQL and the latest features in DynamoDB, as the pipeline would leave them."""
    from citysense_api.models import Segment
    from sqlalchemy.orm import Session

    with Session(db_engine) as session:
        session.add_all(Segment(**segment) for segment in SEGMENTS)
        session.commit()
    dynamodb = aws_session.client("dynamodb", endpoint_url=api_settings.aws_endpoint_url)
    for segment_id, features in FEATURES.items():
        for name, value in features.items():
            item = {"entity_id": {"S": segment_id}, "feature_name": {"S": name}, "value": {"N": str(value)}}
            dynamodb.put_item(TableName=api_settings.feature_table, Item={**item, "observed_at": {"S": OBSERVED_AT}})
    return api_settings


@pytest.fixture(scope="module")
def client(city: Settings, aws_session: boto3.session.Session) -> Iterator[TestClient]:
    """The API in-process on the seeded city (its own engine, as a pod has)."""
    with TestClient(create_app(city, aws=aws_session)) as test_client:
        yield test_client

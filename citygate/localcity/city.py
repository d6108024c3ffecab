"""The city's services, for real, on the embedded AWS the pipeline populated: what `up` shows running.

    PostgreSQL (a throwaway cluster; `api` login, `citygate` database, Alembic to head, the catalogue of
    the simulated segments) -> the inference service (uvicorn child; the registry's production version,
    the DAG's features) -> the API and dashboard over HTTPS (uvicorn, a throwaway certificate)

then checks them from outside: a forecast through the API, the dashboard in Chromium, the smoke suite.
`run_city` returns each step's result; the first failing step ends the run and is named in `failed`.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
from citysense_api.db import create_db_engine
from citysense_api.local import start_stack
from citysense_api.migrate import upgrade
from citysense_api.models import Segment
from citysense_api.settings import Database, Settings
from citysense_pipeline import lake, registry
from citysense_pipeline.aws import REGION, client
from citysense_pipeline.config import Resources
from citysense_pipeline.demo import Identities, environment, one_line, step_environment
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from citygate.embedded_aws import TEST_CREDENTIAL
from citygate.loadtest.local_service import LocalService
from citygate.localcity.browser import load_dashboard
from citygate.localcity.postgres import LocalPostgres
from citygate.localcity.tls import LocalCertificate, self_signed

APP_USER, DATABASE = "api", "citygate"
REQUEST_TIMEOUT_S = 10.0
SEGMENT_LENGTH_M = 800.0
CITY_CENTRE = (52.52, 13.40)  # the simulated segments are laid out east of it, 0.005 degrees apart


def catalogue(resources: Resources) -> list[Segment]:
    """The segments the simulation delivered (the raw zone's reference file), as the API's catalogue rows."""
    delivered = lake.get_json(client(resources, "s3"), resources.raw_bucket, lake.SEGMENTS_KEY)["segments"]
    latitude, longitude = CITY_CENTRE
    return [
        Segment(
            id=row["segment_id"],
            name=f"Simulated segment {row['segment_id'].removeprefix('seg-')}",
            free_flow_kmh=float(row["free_flow_kmh"]),
            length_m=SEGMENT_LENGTH_M,
            latitude=latitude,
            longitude=longitude + 0.005 * index,
        )
        for index, row in enumerate(delivered)
    ]


def https_get(url: str, ca_file: Path) -> tuple[int, Any]:
    """(status, JSON body) of a GET that trusts only `ca_file`; (0, reason) when nothing answers."""
    context = ssl.create_default_context(cafile=str(ca_file))
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_S, context=context) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return 0, one_line(exc)


@dataclass
class CityServices:
    """What the started city offers its checks: the HTTPS base URL, a segment with features, the certificate."""

    url: str
    segment: str
    certificate: LocalCertificate
    facts: dict[str, Any] = field(default_factory=dict)


class LocalCity:
    """`with LocalCity(endpoint_url, env, work) as city:` -> the services running, stopped on exit.

    `identities` ("inference", "api" -> variables) runs each service under its IRSA role instead of the
    embedded AWS's test keys (`citysense_pipeline.demo.step_environment`)."""

    def __init__(self, endpoint_url: str, env: str, work: Path, identities: Identities | None = None) -> None:
        self.resources = Resources.for_env(env, endpoint_url)
        self.work = work
        self.identities = identities or {}
        self._stack = ExitStack()

    def __enter__(self) -> CityServices:
        try:
            return self._start()
        except BaseException:
            self._stack.close()
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stack.close()

    def _database(self) -> tuple[Database, Engine, dict[str, str]]:
        postgres = self._stack.enter_context(LocalPostgres())
        login = postgres.owned_database(APP_USER, DATABASE)
        database = Database(host=login.host, port=login.port, name=DATABASE, user=login.user, password=login.password)
        engine = create_db_engine(Settings(database=database))
        self._stack.callback(engine.dispose)
        upgrade(engine)
        with Session(engine) as session:
            session.add_all(catalogue(self.resources))
            session.commit()
            version = str(session.execute(text("SHOW server_version")).scalar_one())
            head = str(session.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
        return (
            database,
            engine,
            {"postgres_version": version, "migrations_head": head, "database": f"{login.host}:{login.port}"},
        )

    def _inference(self) -> tuple[str, str]:
        """The inference service on the registry's production version; (its URL, the version it serves)."""
        variables = step_environment(self.resources, self.identities.get("inference")) | {
            "CITYSENSE_MODEL_REGISTRY": f"s3://{self.resources.models_bucket}",
            "CITYSENSE_FEATURE_TABLE": self.resources.feature_table,
        }
        with environment(variables):  # the child process inherits them; this process gets its own back
            service = self._stack.enter_context(LocalService())
        with urllib.request.urlopen(f"{service.url}/readyz", timeout=REQUEST_TIMEOUT_S) as ready:
            return service.url, str(json.loads(ready.read())["model_version"])

    def _start(self) -> CityServices:
        database, engine, stored = self._database()
        inference_url, served = self._inference()
        certificate = self_signed(self._tls_folder())
        resources = self.resources
        settings = Settings(
            env=resources.env,
            region=REGION,
            aws_endpoint_url=resources.endpoint_url,
            raw_bucket=resources.raw_bucket,
            sensor_stream=resources.sensor_stream,
            feature_table=resources.feature_table,
            database=database,
            inference_url=inference_url,
        )
        aws = self._api_session()
        url = self._stack.enter_context(
            start_stack(settings, aws=aws, engine=engine, ssl_certfile=certificate.cert, ssl_keyfile=certificate.key)
        )
        with Session(engine) as session:
            segment = str(session.execute(text("SELECT id FROM segments ORDER BY id LIMIT 1")).scalar_one())
        facts: dict[str, Any] = {
            "status": "passed",
            **stored,
            "api_url": url,
            "dashboard_url": f"{url}/?segment={segment}",
            "inference_url": inference_url,
            "model_version": served,
            "registry_production": registry.production_version(resources),
        }
        return CityServices(url, segment, certificate, facts)

    def _api_session(self) -> boto3.session.Session:
        """The API's AWS session: its role's credentials (fetched now, while the variables name the role), else
        the test keys."""
        identity: Mapping[str, str] | None = self.identities.get("api")
        if identity is None:
            return boto3.session.Session(
                aws_access_key_id=TEST_CREDENTIAL, aws_secret_access_key=TEST_CREDENTIAL, region_name=REGION
            )
        with environment(step_environment(self.resources, identity)):
            session = boto3.session.Session(region_name=REGION)
            credentials = session.get_credentials()
            if credentials is None:
                raise RuntimeError(f"no credentials for the API's role {identity.get('AWS_ROLE_ARN')}")
            credentials.get_frozen_credentials()
        return session

    def _tls_folder(self) -> Path:
        folder = self.work / "tls"
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def forecast_via_api(city: CityServices) -> dict[str, Any]:
    status, body = https_get(f"{city.url}/api/v1/segments/{city.segment}/forecast", city.certificate.cert)
    ok = status == 200 and isinstance(body, dict) and "speed_kmh" in body
    return {"status": "passed" if ok else "failed", "http_status": status, "body": body}


def browser(city: CityServices) -> dict[str, Any]:
    return load_dashboard(city.url, city.segment, city.certificate.spki_sha256)


def smoke(city: CityServices) -> dict[str, Any]:
    """The post-deploy smoke suite against the local city (no WAF in front of it)."""
    from citygate.smoke import run_smoke

    results = run_smoke(city.url, segment=city.segment, ca_file=city.certificate.cert, expect_waf=False)
    checks = [{"name": r.name, "status": r.status, "detail": r.detail} for r in results]
    statuses = {check["status"] for check in checks}
    status = "failed" if "failed" in statuses else "passed" if "passed" in statuses else "skipped"
    return {"status": status, "checks": checks}


CHECKS: tuple[tuple[str, Callable[[CityServices], dict[str, Any]]], ...] = (
    ("forecast_via_api", forecast_via_api),
    ("browser", browser),
    ("smoke", smoke),
)


def run_checks(city: CityServices, steps: dict[str, Any]) -> str | None:
    """Every check in order into `steps`; the name of the first that failed (an error fails it too)."""
    for name, check in CHECKS:
        try:
            steps[name] = check(city)
        except Exception as exc:
            steps[name] = {"status": "failed", "error": one_line(exc)}
        if steps[name]["status"] == "failed":
            return name
    return None


def run_city(endpoint_url: str, env: str, work: Path, identities: Identities | None = None) -> dict[str, Any]:
    """Start the city, run its checks, stop it; the first failing step (or the teardown) fails the run.
    `identities` as for `LocalCity`."""
    steps: dict[str, Any] = {}
    city = LocalCity(endpoint_url, env, work, identities)
    try:
        services = city.__enter__()
    except Exception as exc:
        steps["services"] = {"status": "failed", "error": one_line(exc)}
        return {"ok": False, "failed": "services", "steps": steps}
    steps["services"] = services.facts
    failed: str | None = None
    try:
        failed = run_checks(services, steps)
    finally:
        try:
            city.__exit__(None, None, None)
        except Exception as exc:
            steps["teardown"] = {"status": "failed", "error": one_line(exc)}
            failed = failed or "teardown"
    return {"ok": failed is None, "failed": failed, "steps": steps}

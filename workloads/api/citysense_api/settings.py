"""Settings from the environment (12-factor): the stores' names, the database and the inference service.

The AWS resource names default to the platform's own (`stacks/data.py`: `citygate-<env>-data-lake-raw`,
`citygate-<env>-iot-sensors`, `citygate-<env>-features`), so a pod needs only `CITYSENSE_ENV`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT = "citygate"


class SettingsError(ValueError):
    """A variable is missing or malformed: the process must not start (fail closed)."""


def _flag(value: str, name: str) -> bool:
    if value in {"1", "true"}:
        return True
    if value in {"", "0", "false"}:
        return False
    raise SettingsError(f"{name} must be 1/true or 0/false, not {value!r}")


def _number(value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {value!r}") from None
    if not number > 0:
        raise SettingsError(f"{name} must be positive, not {value!r}")
    return number


@dataclass(frozen=True)
class Database:
    """Where PostgreSQL is and how to log in: IAM tokens on Aurora, a password (or none: peer/trust) locally."""

    host: str = "127.0.0.1"
    port: int = 5432
    name: str = PROJECT
    user: str = "api"
    password: str | None = None
    iam_auth: bool = False  # CITYSENSE_DB_IAM=1: a 15-minute `rds generate_db_auth_token` per connection
    sslmode: str = "prefer"  # Aurora forces TLS (rds.force_ssl=1): set verify-full and a CA bundle there
    sslrootcert: str | None = None
    connect_timeout_s: int = 5


@dataclass(frozen=True)
class Settings:
    env: str = "local"
    region: str = "us-east-1"
    aws_endpoint_url: str | None = None  # the embedded AWS (moto server); None on real AWS
    raw_bucket: str = f"{PROJECT}-local-data-lake-raw"
    sensor_stream: str = f"{PROJECT}-local-iot-sensors"
    feature_table: str = f"{PROJECT}-local-features"
    database: Database = Database()
    inference_url: str = "http://127.0.0.1:8080"
    inference_timeout_s: float = 2.0
    web_root: Path | None = None  # serve the dashboard's static files too (local runs; nginx in a cluster)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env_vars = os.environ if environ is None else environ

        def get(name: str, default: str = "") -> str:
            return env_vars.get(name, default).strip()

        env = get("CITYSENSE_ENV", "local")
        prefix = f"{PROJECT}-{env}"
        iam_auth = _flag(get("CITYSENSE_DB_IAM", "0"), "CITYSENSE_DB_IAM")
        password = get("CITYSENSE_DB_PASSWORD") or None
        if iam_auth and password:
            raise SettingsError("CITYSENSE_DB_PASSWORD and CITYSENSE_DB_IAM=1 exclude each other")
        port = get("CITYSENSE_DB_PORT", "5432")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"CITYSENSE_DB_PORT must be a port number, not {port!r}")
        web_root = get("CITYSENSE_WEB_ROOT")
        return cls(
            env=env,
            region=get("AWS_REGION") or get("AWS_DEFAULT_REGION") or cls.region,
            aws_endpoint_url=get("CITYSENSE_AWS_ENDPOINT_URL") or None,
            raw_bucket=get("CITYSENSE_RAW_BUCKET") or f"{prefix}-data-lake-raw",
            sensor_stream=get("CITYSENSE_SENSOR_STREAM") or f"{prefix}-iot-sensors",
            feature_table=get("CITYSENSE_FEATURE_TABLE") or f"{prefix}-features",
            database=Database(
                host=get("CITYSENSE_DB_HOST", Database.host),
                port=int(port),
                name=get("CITYSENSE_DB_NAME", Database.name),
                user=get("CITYSENSE_DB_USER", Database.user),
                password=password,
                iam_auth=iam_auth,
                sslmode=get("CITYSENSE_DB_SSLMODE") or ("verify-full" if iam_auth else Database.sslmode),
                sslrootcert=get("CITYSENSE_DB_SSLROOTCERT") or None,
            ),
            inference_url=get("INFERENCE_URL", cls.inference_url).rstrip("/"),
            inference_timeout_s=_number(get("CITYSENSE_INFERENCE_TIMEOUT_S", "2"), "CITYSENSE_INFERENCE_TIMEOUT_S"),
            web_root=Path(web_root) if web_root else None,
        )

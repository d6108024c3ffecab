"""Where the pipeline's data lives, per environment: the names `stacks/` gives the resources.

`ctx.name(suffix)` in the stacks yields `citygate-<env>-<suffix>`; each name can be overridden by an
environment variable (the cluster's overlays set them), so nothing here names an account or endpoint.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

PROJECT = "citygate"


@dataclass(frozen=True)
class Resources:
    env: str
    raw_bucket: str
    processed_bucket: str
    models_bucket: str
    sensor_stream: str
    feature_table: str
    endpoint_url: str | None = None  # the embedded AWS locally; None on AWS (default endpoints)

    @classmethod
    def for_env(cls, env: str, endpoint_url: str | None = None) -> Resources:
        def name(suffix: str, variable: str) -> str:
            return os.environ.get(variable) or f"{PROJECT}-{env}-{suffix}"

        return cls(
            env=env,
            raw_bucket=name("data-lake-raw", "CITYSENSE_RAW_BUCKET"),
            processed_bucket=name("data-lake-processed", "CITYSENSE_PROCESSED_BUCKET"),
            models_bucket=name("data-lake-models", "CITYSENSE_MODELS_BUCKET"),
            sensor_stream=name("iot-sensors", "CITYSENSE_SENSOR_STREAM"),
            feature_table=name("features", "CITYSENSE_FEATURE_TABLE"),
            endpoint_url=endpoint_url,
        )

    @classmethod
    def from_env(cls) -> Resources:
        """CITYSENSE_ENV (default local) and AWS_ENDPOINT_URL, as the CronJobs and Airflow tasks see them."""
        return cls.for_env(os.environ.get("CITYSENSE_ENV", "local"), os.environ.get("AWS_ENDPOINT_URL") or None)

"""boto3 clients for the platform's stores, pointed at the embedded AWS when an endpoint URL is set."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from citysense_api.settings import Settings

# A slow store must not hold a request thread for the SDK's default minute: fail fast, answer 503.
_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})


def client(settings: Settings, service: str, session: boto3.session.Session | None = None) -> Any:
    """A client of `service` in the settings' region.

    Credentials come from `session`, else the default chain (IRSA's web identity in a pod); tests pass
    a session holding the embedded AWS's test credentials instead of changing the process environment.
    """
    return (session or boto3.session.Session()).client(
        service, region_name=settings.region, endpoint_url=settings.aws_endpoint_url, config=_CLIENT_CONFIG
    )

"""boto3 clients for the account being verified: the embedded moto server or real AWS."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from citygate.embedded_aws import TEST_CREDENTIAL

RETRIES = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=60)


@dataclass
class AwsClients:
    """One client per service, created on first use; `endpoint` set means the embedded AWS."""

    region: str
    endpoint: str | None = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session().client(service, endpoint_url=self.endpoint, config=RETRIES)
        return self._clients[service]

    def _session(self) -> boto3.session.Session:
        if self.endpoint:
            return boto3.session.Session(
                aws_access_key_id=TEST_CREDENTIAL, aws_secret_access_key=TEST_CREDENTIAL, region_name=self.region
            )
        return boto3.session.Session(region_name=self.region)

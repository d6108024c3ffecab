"""An isolated embedded AWS for the live-check tests, emptied before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from citygate.live.clients import AwsClients
from citygate.moto_server import MotoServer, reset


@pytest.fixture(scope="module")
def live_endpoint() -> Iterator[str]:
    with MotoServer() as server:
        yield server.endpoint


@pytest.fixture
def aws(live_endpoint: str) -> AwsClients:
    reset(live_endpoint)
    return AwsClients("us-east-1", live_endpoint)

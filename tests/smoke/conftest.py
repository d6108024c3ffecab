"""Fixtures of the smoke tests: the city API's (tests/api/fixtures.py), a throwaway certificate, stand-in servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from citygate.localcity.tls import LocalCertificate, self_signed
from tests.api.fixtures import *  # noqa: F403


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCertificate]:
    """A self-signed certificate for 127.0.0.1: the CA file the checks trust, the key the servers use."""
    yield self_signed(tmp_path_factory.mktemp("tls"))

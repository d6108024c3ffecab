"""The `--local` service: ready before use, gone after, and a broken app is an error, not a hang."""

from __future__ import annotations

import pytest

from citygate.errors import CitygateError
from citygate.loadtest.local_service import LocalService, get_status


def test_starts_ready_and_stops() -> None:
    with LocalService() as service:
        assert get_status(f"{service.url}/readyz") == 200
    assert get_status(f"{service.url}/healthz", timeout=0.5) == 0


def test_an_app_that_cannot_start_is_an_error() -> None:
    with pytest.raises(CitygateError, match="service exited"), LocalService(app="no_such_module:create_app"):
        pass

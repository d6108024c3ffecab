"""Fixtures for the inference service: its package on sys.path, a ready app, valid readings."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from citygate.paths import WORKLOADS

sys.path.insert(0, str(WORKLOADS / "inference"))

from citysense_inference.app import create_app
from fastapi.testclient import TestClient


@pytest.fixture
def reading() -> Callable[..., dict[str, Any]]:
    """A valid sensor reading; keyword arguments override fields."""

    def make(**overrides: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "segment_id": "seg-0042",
            "timestamp": "2026-11-23T08:15:00+01:00",
            "speed_kmh": 38.5,
            "speed_prev_kmh": 44.0,
            "volume_vph": 1650,
            "rain_mm_h": 0.0,
            "temperature_c": 7.5,
            "free_flow_kmh": 50.0,
        }
        return {**base, **overrides}

    return make


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The service with its committed model loaded (lifespan run)."""
    with TestClient(create_app()) as test_client:
        yield test_client

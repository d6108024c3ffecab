"""Fixtures of the city API tests: defined in tests/api/fixtures.py, shared with tests/web."""

from tests.api.fixtures import *  # noqa: F403

"""Fixtures of the dashboard tests: the city API's (tests/api/fixtures.py), and the running stack."""

from tests.api.fixtures import *  # noqa: F403

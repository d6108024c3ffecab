"""Helpers for live-check tests: a Terraform state document and a rule runner on a moto account."""

from __future__ import annotations

from typing import Any

from citygate.live.checks import RULES
from citygate.live.clients import AwsClients
from citygate.live.deployed import DeployedResources
from citygate.live.rules import LiveContext


def state(*resources: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """A version-4 state holding one instance per (type, name, attributes)."""
    return {
        "version": 4,
        "resources": [
            {"mode": "managed", "type": t, "name": n, "instances": [{"attributes": attrs}]} for t, n, attrs in resources
        ],
    }


def problems(aws: AwsClients, rule_id: str, *resources: tuple[str, str, dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Resource -> problems found by one live rule (an empty tuple means it complies)."""
    ctx = LiveContext(aws, DeployedResources(state(*resources)))
    return {outcome.resource: outcome.problems for outcome in RULES[rule_id].check(ctx)}

"""Accessors for a parsed cdk.tf.json, shared by the stacks tests."""

from __future__ import annotations

from typing import Any

Stack = dict[str, Any]


def resources(stack: Stack, rtype: str) -> dict[str, dict[str, Any]]:
    """Resources of one type, by logical id (empty when the stack has none)."""
    found: dict[str, dict[str, Any]] = stack["resource"].get(rtype, {})
    return found


def resource(stack: Stack, address: str) -> dict[str, Any]:
    """The resource at `type.name`; a missing one fails the test with the address."""
    rtype, name = address.split(".", 1)
    found = resources(stack, rtype)
    assert name in found, f"{address} missing (have {sorted(found)})"
    return found[name]


def ref(address: str, attribute: str) -> str:
    """How a reference to `address.attribute` reads in Terraform JSON."""
    return f"${{{address}.{attribute}}}"

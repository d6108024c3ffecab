"""Kubernetes label selectors (matchLabels + matchExpressions), evaluated as the API server does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from citygate.errors import CitygateError


def matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """True when `labels` satisfy `selector`; an empty or null selector selects everything."""
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != str(value):
            return False
    return all(_expression(expr, labels) for expr in selector.get("matchExpressions") or [])


def _expression(expr: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, operator = expr["key"], expr["operator"]
    values = {str(v) for v in expr.get("values") or []}
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    raise CitygateError(f"unknown label selector operator {operator!r}", "NetworkPolicy")

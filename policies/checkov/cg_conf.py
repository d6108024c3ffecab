"""Reading Checkov's resource configurations, whatever the framework wrapped them in.

Checkov hands a check the resource's attributes wrapped in lists (`{"port": [80]}`), nested blocks
as lists of dicts, and line markers (`__startline__`, `__file__`, ...) inside every dict; a plan and
a cdk.tf.json wrap differently.  These helpers unwrap that so each check states its rule only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

UNKNOWN = object()  # the value is an expression or absent: the check cannot judge it


def unwrap(value: Any) -> Any:
    """The value inside any number of one-element list wrappers."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def scalar(conf: dict[str, Any], key: str) -> Any:
    """A scalar attribute (`[80]` -> 80), or None when absent."""
    return unwrap(conf.get(key))


def blocks(value: Any) -> list[dict[str, Any]]:
    """Every block dict inside a (possibly nested) list, dropping absent ones (`[[]]`, None)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [block for item in value for block in blocks(item)]
    return []


def present(block: dict[str, Any], key: str) -> bool:
    """A nested block is set: a plan writes an absent block as `[[]]`, a set one as `[{...}]`."""
    return bool(blocks(block.get(key)))


def walk(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a nested structure of dicts and lists, depth first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def json_document(value: Any) -> Any:
    """A policy document given as a dict or a JSON string, UNKNOWN when not known before apply.

    Synthesized JSON keeps `${...}` references inside the document's strings (the document still
    parses and its structure is judged); a whole-value expression such as `${jsonencode(...)}` or
    a value the plan only knows after apply cannot be judged.
    """
    value = unwrap(value)
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            document = json.loads(value)
        except ValueError:
            return UNKNOWN
        return document if isinstance(document, dict) else UNKNOWN
    return UNKNOWN

"""Reading an input JSON document so that every way it can be wrong ends in one CitygateError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError


def read_json_object(path: Path) -> dict[str, Any]:
    """The top-level JSON object of `path`; unreadable, empty, not-JSON or not-an-object fails closed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CitygateError(f"cannot read input ({exc.__class__.__name__}: {exc})", str(path)) from None
    if not text.strip():
        raise CitygateError("input is empty", str(path))
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise CitygateError(f"input is not JSON ({exc})", str(path)) from None
    if not isinstance(document, dict):
        raise CitygateError(f"expected a JSON object, got {type(document).__name__}", str(path))
    return document


def expect(value: Any, kind: type | tuple[type, ...], what: str, where: str) -> Any:
    """`value` if it has the JSON type a well-formed input must have there, else fail closed."""
    if not isinstance(value, kind):
        raise CitygateError(f"wrong shape: {what} is {type(value).__name__}", where)
    return value


def is_json_document(text: str) -> bool:
    """A JSON object or array (an IAM or bucket policy), `${...}` tokens inside its strings or not."""
    try:
        return isinstance(json.loads(text), dict | list)
    except ValueError:
        return False

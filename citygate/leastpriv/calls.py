"""One recorded AWS call, and the JSONL file the embedded AWS appends them to."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError

RECORD_ENV = "CITYGATE_RECORD_CALLS"  # names the JSONL file the embedded AWS records calls into


@dataclass(frozen=True)
class Call:
    """What one request asked for, as IAM judges it.

    `principal` is the role ARN the access key was issued for (None: a long-lived key, no role);
    `resources` are ARNs, empty when the request does not name its resource; `context` holds the
    condition keys the request carries (`{"s3:prefix": "models/"}`).
    """

    key: str
    principal: str | None
    action: str  # service:Action as IAM names it
    operation: str  # the API operation (differs from the action for e.g. S3 ListObjectsV2)
    resources: tuple[str, ...] = ()
    context: dict[str, str] = field(default_factory=dict)
    status: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "resources": list(self.resources)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


def read_calls(path: Path) -> list[Call]:
    """Every call of a record file; a missing file or a malformed line fails closed."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CitygateError(f"cannot read the call record ({exc.strerror or exc})", str(path)) from None
    return [_call(line, f"{path}:{number}") for number, line in enumerate(lines, 1) if line.strip()]


def _call(line: str, where: str) -> Call:
    try:
        data: Any = json.loads(line)
    except ValueError as exc:
        raise CitygateError(f"not a recorded call ({type(exc).__name__}: {exc})", where) from None
    return call_of(data, where)


def call_of(data: Any, where: str) -> Call:
    """The call a `Call.to_dict()` document describes; anything else fails closed, naming `where`."""
    try:
        return Call(
            key=str(data["key"]),
            principal=data.get("principal"),
            action=str(data["action"]),
            operation=str(data.get("operation", "")),
            resources=tuple(str(r) for r in data.get("resources") or ()),
            context={str(k): str(v) for k, v in (data.get("context") or {}).items()},
            status=int(data.get("status", 0)),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CitygateError(f"not a recorded call ({type(exc).__name__}: {exc})", where) from None

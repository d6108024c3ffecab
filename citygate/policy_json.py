"""Reading AWS policy documents, where any list-valued field may also be written as one value."""

from __future__ import annotations

from typing import Any


def as_list(value: Any) -> list[Any]:
    """`Action: "s3:*"` and `Action: ["s3:*"]` alike, as a list."""
    return value if isinstance(value, list) else [value]


def anyone(principal: Any) -> bool:
    """`Principal: "*"` or `{"AWS": "*"}` (alone or among others): every principal of every account."""
    return principal == "*" or (isinstance(principal, dict) and "*" in as_list(principal.get("AWS")))

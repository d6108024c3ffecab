"""The TLS-only bucket policy statement, judged once for the live check and our Checkov check.

Rego's CG_S3_004 states the same requirement over the normalized plan; CG-TLS-3's catalogue cases
run the same documents through all three (tests/cases).
"""

from __future__ import annotations

from typing import Any

from citygate.policy_json import anyone, as_list

ALL_S3_ACTIONS = frozenset({"s3:*", "*"})


def denies_plain_http(statement: dict[str, Any]) -> bool:
    """Deny to every principal, of every S3 action, on the bucket ARN and bucket/*, whose only
    condition is Bool aws:SecureTransport = false: a deny for one role, one action or the objects
    only leaves plain HTTP open to the rest."""
    conditions = [
        (operator, str(key).lower(), [str(v).lower() for v in as_list(values)])
        for operator, tested in (statement.get("Condition") or {}).items()
        for key, values in tested.items()
    ]
    resources = [str(r) for r in as_list(statement.get("Resource", []))]
    return (
        statement.get("Effect") == "Deny"
        and anyone(statement.get("Principal"))
        and bool(ALL_S3_ACTIONS & set(as_list(statement.get("Action", []))))
        and any(f"{r}/*" in resources for r in resources)
        and conditions == [("Bool", "aws:securetransport", ["false"])]
    )
